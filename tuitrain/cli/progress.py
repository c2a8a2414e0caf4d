"""Plain-text progress of a run for ``tuitrain train``: fed events, it prints lines.

On a terminal the current batch is one line rewritten in place (``\\r``); elsewhere (a pipe,
a CI log) only epoch, status and log lines are printed, one per event.
"""

from __future__ import annotations

from typing import Any, TextIO

from tuitrain.common.fmt import fmt_duration
from tuitrain.common.metric_names import NOT_METRICS
from tuitrain.common.safetext import clean, clean_line
from tuitrain.common.textfit import fit_line, wrap, wrap_fields

MAX_METRICS = 4


def fmt_metrics(event: dict[str, Any], limit: int = MAX_METRICS * 2) -> str:
    return "  ".join(metric_fields(event, limit))


def metric_fields(event: dict[str, Any], limit: int = MAX_METRICS * 2) -> list[str]:
    """``name value`` for each metric of ``event`` (at most ``limit``), in the order logged."""
    parts = []
    for key, value in event.items():
        if key in NOT_METRICS or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        parts.append(f"{key} {value:.4g}")
        if len(parts) >= limit:
            break
    return parts


class ProgressView:
    """Turns the event stream into progress text on ``out``."""

    def __init__(self, out: TextIO, *, live: bool, every_epochs: int = 1, width: int | None = None) -> None:
        self.out = out
        self.width = width  # lines wrap between fields within it; the in-place batch line drops metrics (None: any)
        self.live = live  # rewrite the batch line in place (a terminal)
        self.every_epochs = max(1, every_epochs)  # an epoch line every N epochs (and the last, and a cut one)
        self.epochs = 0
        self.steps = 0
        self.step = 0
        self.epoch = 0
        self.rate = 0.0
        self._mark: tuple[float, int] | None = None  # (time, step) ETA is measured from
        self._last_time = 0.0
        self._last_batch: dict[str, Any] | None = None
        self._line_open = False
        self.final_status: str | None = None  # the trainer's last word, once seen

    # -- input -----------------------------------------------------------------------------

    def feed(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        self._last_time = max(self._last_time, float(event.get("time", 0.0)))
        if kind == "batch":
            self.step, self.epoch = event.get("step", self.step), event.get("epoch", self.epoch)
            self.rate = event.get("samples_per_s", self.rate)
            self._last_batch = event
            if self._mark is None:
                self._mark = (float(event.get("time", 0.0)), int(self.step))
        elif kind == "epoch":
            self.epochs = event.get("epochs", self.epochs)
            self.steps = event.get("steps", self.steps)
            self.step, self.epoch = event.get("step", self.step), event.get("epoch", self.epoch)
            if self.epoch % self.every_epochs == 0 or self.epoch == self.epochs or event.get("partial"):
                self._print(self.epoch_line(event))
        elif kind == "status":
            status = event.get("status")
            if status in ("finished", "stopped", "failed"):
                self.final_status = status
            if status == "running":
                self.epochs = event.get("epochs", self.epochs)
                self.steps = event.get("steps_per_epoch", self.steps)
                self._mark = None  # (re)start the ETA clock: start-up or a pause is over
            if event.get("message") or status not in ("running", "finished", "stopped", "failed"):
                text = status if not event.get("message") else f"{status}: {event['message']}"
                self._print(text)
        elif kind == "log":
            self._print(str(event.get("message", "")))

    # -- output ----------------------------------------------------------------------------

    def eta(self) -> float | None:
        if self._mark is None or not (self.epochs and self.steps):
            return None
        t0, s0 = self._mark
        done = self.step - s0
        elapsed = self._last_time - t0
        if done <= 0 or elapsed <= 0:
            return None
        return (self.epochs * self.steps - self.step) * elapsed / done

    def epoch_line(self, event: dict[str, Any]) -> str:
        total = f"/{self.epochs}" if self.epochs else ""
        tail = f"  lr {event['lr']:.3g}" if isinstance(event.get("lr"), (int, float)) else ""
        partial = "  (partial)" if event.get("partial") else ""
        return wrap_fields([f"epoch {event.get('epoch')}{total}", *metric_fields(event), tail.strip(),
                            f"{event.get('samples_per_s', 0):.0f} samples/s", f"ETA {fmt_duration(self.eta())}",
                            partial.strip()], self.width)

    def batch_line(self) -> str:
        b = self._last_batch or {}
        in_epoch = self.step - (self.epoch - 1) * self.steps if self.steps else self.step
        width = 20
        filled = int(width * in_epoch / self.steps) if self.steps else 0
        bar = "#" * filled + "-" * (width - filled)
        total = f"/{self.epochs}" if self.epochs else ""
        steps = f"/{self.steps}" if self.steps else ""
        # rewritten in place, so it cannot wrap: metrics are left off from the last until it fits
        return fit_line([f"epoch {self.epoch}{total} [{bar}] {in_epoch}{steps}", *metric_fields(b, MAX_METRICS),
                         f"{self.rate:.0f} samples/s", f"ETA {fmt_duration(self.eta())}"], self.width, keep_last=2)

    def render(self) -> None:
        """Redraw the in-place batch line (terminals only)."""
        if not self.live or self._last_batch is None:
            return
        self.out.write("\r\x1b[2K" + clean_line(self.batch_line()))
        self.out.flush()
        self._line_open = True

    def _print(self, text: str) -> None:
        if self._line_open:
            self.out.write("\r\x1b[2K")
            self._line_open = False
        lines = clean(text).split("\n")  # messages and metric names come from the run directory
        if self.width is not None:  # long messages (paths, errors) wrap between words
            lines = [wrap(line, self.width, indent=line[: len(line) - len(line.lstrip())] + "  ") for line in lines]
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()

    def message(self, text: str) -> None:
        self._print(text)
