"""The Train pane's commands to a trainer: start a run, stop it, pause or resume it.

Training never happens in the app's process: ``s`` hands the current (possibly unsaved) preset to
``tuitrain.engine.start_run``, and stop/pause are requests the trainer reads from its run
directory (``engine.request_control``). Kept apart from the pane, whose job is watching a run,
because these are the only places the app changes a run rather than reading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from tuitrain.common.errors import TuitrainError
from tuitrain.ui.app_access import AppAccess
from tuitrain.ui.messages import RunStarted

if TYPE_CHECKING:
    from textual.message import Message
    from textual.notifications import SeverityLevel

    from tuitrain.preset import Preset

__all__ = ["RunControls"]


class RunControls(AppAccess):
    """Actions ``start_run``, ``stop_batch``, ``stop_epoch``, ``pause_resume``; mixed into ``TrainPane``.

    The run and its status are the app's (``run_dir``, ``run_status``); a started run is posted
    up as ``RunStarted``, never assigned here."""

    if TYPE_CHECKING:  # the pane's

        def post_message(self, message: Message) -> bool: ...

        def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
                   timeout: float | None = None, markup: bool = True) -> None: ...

    def action_start_run(self) -> None:
        """Start the current preset; one that reaches outside (writes outside its run directory, reads
        outside its folders, the network, functions) first asks the person to trust it (DESIGN §1.7)."""
        from tuitrain.model.confine import outside_reaches

        app = self.app
        preset = app.preset
        if preset is None:
            self.notify("no valid preset to train: fix or open one first", severity="error")
            return
        if app.run_active and app.run_dir is not None:
            self.notify(f"{app.run_dir.name} is still {app.run_status}: stop it first (x or e)",
                        severity="warning")
            return
        if app.trusted:
            self._start(preset, trusted=True)
        elif app.tensorflow_importing():  # what the preset reaches is asked of Keras: not beside its import
            self.notify("checking what the preset reaches once TensorFlow has loaded…")
            self._check_reaches(preset)
        else:
            self._start_or_ask(preset, outside_reaches(preset))

    @work(thread=True, exclusive=True, group="trust-check", exit_on_error=False)
    def _check_reaches(self, preset: "Preset") -> None:
        from tuitrain.model.confine import outside_reaches
        from tuitrain.ui.background import _import_tensorflow

        _import_tensorflow()  # waits for the app's own import to finish, never races it
        reaches = outside_reaches(preset)
        self.app.call_from_thread(self._start_or_ask, preset, reaches)

    def _start_or_ask(self, preset: "Preset", reaches: list[str]) -> None:
        """Start at once when nothing reaches outside; else the person decides, seeing every path."""
        from tuitrain.ui.screens.dialogs.confirm import TrustDialog

        if not reaches:
            self._start(preset, trusted=False)
            return

        def answered(answer: str | None) -> None:
            if answer == "trust":
                self._start(preset, trusted=True)
            else:
                self.notify("not started: the preset was not trusted", severity="warning")

        self.app.push_screen(TrustDialog(preset.name, reaches), answered)

    def _start(self, preset: "Preset", *, trusted: bool) -> None:
        from tuitrain.trainer.spawn import start_run

        app = self.app
        try:
            run_dir = start_run(preset, runs_dir=app.runs_dir, trusted=trusted)
        except (TuitrainError, OSError) as err:
            self.notify(str(err), title="cannot start", severity="error", timeout=10)
            return
        self.post_message(RunStarted(run_dir))
        self.notify(f"training {preset.name} in {run_dir}" + (" (trusted)" if trusted else ""))

    def _control(self, action: str, said: str) -> None:
        from tuitrain.runs.control import request_control
        from tuitrain.runs.source import is_run_dir

        run_dir = self.app.run_dir
        if run_dir is None or not self.app.run_active:
            self.notify("no run in progress", severity="warning")
            return
        if not is_run_dir(run_dir):
            self.notify("a TensorBoard log folder is only watched: stop its program where it runs", severity="warning")
            return
        try:
            request_control(Path(run_dir), action)
        except TuitrainError as err:
            self.notify(str(err), severity="error")
            return
        self.notify(said)

    def action_stop_batch(self) -> None:
        self._control("stop_batch", "asked the trainer to stop after this batch")

    def action_stop_epoch(self) -> None:
        self._control("stop_epoch", "asked the trainer to stop after this epoch")

    def action_pause_resume(self) -> None:
        if self.app.run_status == "paused":
            self._control("resume", "asked the trainer to resume")
        else:
            self._control("pause", "asked the trainer to pause after this batch")
