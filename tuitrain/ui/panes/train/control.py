"""The Train pane's commands to a trainer: start a run, stop it, pause or resume it.

Training never happens in the app's process: ``s`` hands the current (possibly unsaved) preset to
``tuitrain.engine.start_run``, and stop/pause are requests the trainer reads from its run
directory (``engine.request_control``). Kept apart from the pane, whose job is watching a run,
because these are the only places the app changes a run rather than reading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tuitrain.common.errors import TuitrainError
from tuitrain.ui.app_access import AppAccess

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from tuitrain.preset import Preset

__all__ = ["RunControls"]


class RunControls(AppAccess):
    """Actions ``start_run``, ``stop_batch``, ``stop_epoch``, ``pause_resume``; mixed into ``TrainPane``,
    which provides the run shown (``_run_dir``), its status and ``notify``."""

    _run_dir: Path | None

    if TYPE_CHECKING:  # the pane's

        @property
        def run_status(self) -> str | None: ...

        def run_is_active(self) -> bool: ...

        def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
                   timeout: float | None = None, markup: bool = True) -> None: ...

    def action_start_run(self) -> None:
        """Start the current preset; one that reaches outside (writes outside its run directory, reads
        outside its folders, the network, functions) first asks the person to trust it (DESIGN §1.7)."""
        from tuitrain.model.confine import outside_reaches
        from tuitrain.ui.screens.dialogs.confirm import TrustDialog

        app = self.app
        preset = app.preset
        if preset is None:
            self.notify("no valid preset to train: fix or open one first", severity="error")
            return
        if self.run_is_active():
            self.notify(f"{self._run_dir.name} is still {self.run_status}: stop it first (x or e)",
                        severity="warning")
            return
        reaches = [] if app.trusted else outside_reaches(preset)
        if not reaches:
            self._start(preset, trusted=app.trusted)
            return

        def answered(answer: str | None) -> None:
            if answer == "trust":
                self._start(preset, trusted=True)
            else:
                self.notify("not started: the preset was not trusted", severity="warning")

        app.push_screen(TrustDialog(preset.name, reaches), answered)

    def _start(self, preset: "Preset", *, trusted: bool) -> None:
        from tuitrain.trainer.spawn import start_run

        app = self.app
        try:
            run_dir = start_run(preset, runs_dir=app.runs_dir, trusted=trusted)
        except (TuitrainError, OSError) as err:
            self.notify(str(err), title="cannot start", severity="error", timeout=10)
            return
        app.run_dir = run_dir
        self.notify(f"training {preset.name} in {run_dir}" + (" (trusted)" if trusted else ""))

    def _control(self, action: str, said: str) -> None:
        from tuitrain.runs.control import request_control

        if self._run_dir is None or not self.run_is_active():
            self.notify("no run in progress", severity="warning")
            return
        if not (self._run_dir / "run.json").is_file():
            self.notify("a TensorBoard log folder is only watched: stop its program where it runs", severity="warning")
            return
        try:
            request_control(self._run_dir, action)
        except TuitrainError as err:
            self.notify(str(err), severity="error")
            return
        self.notify(said)

    def action_stop_batch(self) -> None:
        self._control("stop_batch", "asked the trainer to stop after this batch")

    def action_stop_epoch(self) -> None:
        self._control("stop_epoch", "asked the trainer to stop after this epoch")

    def action_pause_resume(self) -> None:
        if self.run_status == "paused":
            self._control("resume", "asked the trainer to resume")
        else:
            self._control("pause", "asked the trainer to pause after this batch")
