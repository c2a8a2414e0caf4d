"""Keras warnings that mean a preset value was not used, turned into errors at the preset key.

Keras sometimes only warns and carries on with another value — ``ReduceLROnPlateau mode '0.5' is
unknown, fallback to auto mode`` — and the run trains with a setting the preset never asked for.
Every place that constructs a Keras object from a preset (layers, callbacks, optimizers, losses,
metrics, initializers …) does so inside ``refuse_fallbacks``: warnings that say a value was unknown,
ignored or fallen back become a ``SpecError`` in Keras' own words; others (deprecations, hints)
are passed on unchanged.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from typing import Iterable, Iterator

from tuitrain.common.errors import SpecError
from tuitrain.common.safetext import clean_line

# Keras' wording when it replaces or drops a value it was given.
_NOT_USED = re.compile(
    r"\b(unknown|unrecognized|not recognized|ignored|ignoring|fallback|fall(?:ing)? back|no longer supported)\b",
    re.IGNORECASE,
)
# Categories that never mean a value was dropped: they stay warnings.
_HARMLESS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning, ImportWarning, ResourceWarning)


def says_value_not_used(message: warnings.WarningMessage) -> bool:
    """Whether a recorded warning says Keras ignored, or replaced, a value it was given."""
    return not issubclass(message.category, _HARMLESS) and bool(_NOT_USED.search(str(message.message)))


def culprit_key(text: str, keys: Iterable[str]) -> str | None:
    """The first argument name that Keras' message mentions as a word (``mode`` in ``… mode '0.5' is unknown``)."""
    return next((k for k in keys if re.search(rf"\b{re.escape(k)}\b", text)), None)


@contextlib.contextmanager
def refuse_fallbacks(what: str, *, path: str, keys: Iterable[str] = ()) -> Iterator[None]:
    """Run a Keras constructor; a "value not used" warning raised inside becomes a SpecError at ``path``.

    ``what`` names the class for the message, ``keys`` the arguments passed, so the error can point
    at the one Keras names. Other warnings are re-issued as they came.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    refused = next((m for m in caught if says_value_not_used(m)), None)
    if refused is not None:
        text = clean_line(str(refused.message)).strip()
        key = culprit_key(text, keys)
        raise SpecError(f"Keras would not use this value for {what} (it only warns): {text}",
                        path=f"{path}.{key}" if key else path)
    for message in caught:
        warnings.warn_explicit(message.message, message.category, message.filename, message.lineno)
