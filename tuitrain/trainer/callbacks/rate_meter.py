"""Samples per second over short windows, with pauses and validation left out."""

from __future__ import annotations

# samples/s is averaged over windows of about this many seconds (per-batch rates are noise).
RATE_WINDOW_S = 0.5


class RateMeter:
    """Samples per second of training: over ~0.5 s windows, spanning epochs, without pauses or validation."""

    def __init__(self) -> None:
        self.total = 0  # samples counted so far
        self._win_t = 0.0
        self._win_n = 0
        self._rate = 0.0
        self._last_t = 0.0

    def resume(self, now: float) -> None:
        """Training (re)starts at ``now``: time since the last batch (validation, a pause) does not count."""
        if self._win_t and self._last_t:
            self._win_t += now - self._last_t
        else:
            self._win_t = now
        self._last_t = now

    def add(self, samples: int, now: float) -> float:
        """Count ``samples`` just done; the current rate (provisional before a full window)."""
        self.total += samples
        self._last_t = now
        dt = now - self._win_t
        if dt >= RATE_WINDOW_S:
            self._rate = (self.total - self._win_n) / dt
            self._win_t, self._win_n = now, self.total
        elif not self._rate and dt > 0.05:
            return (self.total - self._win_n) / dt
        return self._rate
