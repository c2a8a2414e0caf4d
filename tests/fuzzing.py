"""Hypothesis profiles: ``ci`` (the default: the same examples on every run) and ``fuzz`` (many more, new ones).

``pyproject.toml`` loads ``ci`` for every pytest run (``--hypothesis-profile=ci`` in addopts), so the
README's test command never depends on luck. ``--hypothesis-profile=fuzz`` (see the README) draws new
examples with :data:`FUZZ_FACTOR` times each test's count and keeps failures in ``.hypothesis/``;
every failure it finds becomes an explicit ``@example`` on its test.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

FUZZ_FACTOR = 40

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", derandomize=False, deadline=None, print_blob=True, max_examples=100 * FUZZ_FACTOR,
                          suppress_health_check=[HealthCheck.too_slow])


def examples(n: int) -> int:
    """A test's example count: ``n`` under ``ci``, ``n × FUZZ_FACTOR`` under ``fuzz``."""
    return n * FUZZ_FACTOR if settings.get_current_profile_name() == "fuzz" else n
