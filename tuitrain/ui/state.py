"""AppState: everything the panes watch, declared in one place, and the one door that edits the preset.

Panes never keep their own copy of the preset, the dataset or the build report: they read the
app's (typed through ``AppAccess``) and watch it with ``self.watch(self.app, name, callback)``.
Textual delivers watchers only for reactives on a DOM node, so the state is a mixin of the app
rather than a separate object; only the app and this mixin assign it.  A pane or dialog that
changes something posts a message (``tuitrain.ui.messages``: ``RunStarted``, ``RunStatusSeen``…)
and the app's handler sets the state ("messages up, attributes down"; ``tests/ui/test_state_owner.py``).

Every preset change an editor makes goes through :meth:`AppState.edit_preset`, which records it
for undo; whole-preset replacements (open, reload, save, a run's preset) go through
:meth:`AppState.update_preset` and are not undoable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.reactive import var

from tuitrain.editing.undo import UndoStack

if TYPE_CHECKING:  # the core's types, imported lazily at run time (TensorFlow must not load first)
    from tuitrain.data import Dataset
    from tuitrain.model import BuildReport, Warn
    from tuitrain.preset import Preset


class AppState:
    """Mix in before ``App``: ``class TuitrainApp(AppState, …, App[None])``."""

    # The preset being edited (None: none loaded, see ``preset_error`` / ``notice``).  ``always_update``: an
    # edit that replaces it with an equal copy still tells the panes.
    preset: var[Preset | None] = var(None, always_update=True)
    # The file the preset came from and is saved to (None: not saved yet).
    preset_path: var[Path | None] = var(None)
    # The preset differs from its file (the title shows "● modified").
    modified: var[bool] = var(False)
    # Why the preset file could not be read (not found, not valid); the panel above the panes shows it.
    preset_error: var[str | None] = var(None)
    # Why the preset's data did not load (the preset itself is fine); the same panel shows it.
    data_error: var[str | None] = var(None)
    # Not an error: why there is no preset (opened on a run that has none); shown in the same panel.
    notice: var[str | None] = var(None)
    # TensorFlow has been imported by the background worker (forms that list Keras classes wait for it).
    tf_ready: var[bool] = var(False)
    # The preset's data, loaded in a worker (None while loading or on error).
    dataset: var[Dataset | None] = var(None, always_update=True)
    # The model built from the preset's layers: shapes, parameter counts, per-row errors.
    build_report: var[BuildReport | None] = var(None, always_update=True)
    # The run the Train pane shows (started here, attached to, or chosen on the Runs screen).
    run_dir: var[Path | None] = var(None)
    # That run's status as last read (run.json's word, ``crashed``, or the trainer's latest status
    # event); None: no run, or not read yet.  The Train pane reads the directory and reports it.
    run_status: var[str | None] = var(None)
    # True once nothing is pending (see ``pending``): TensorFlow, data, the debounced model build
    # and the panes' own background work.  Tests wait for it instead of for "all workers".
    ready: var[bool] = var(False)

    def __init__(self, *, runs_dir: str | Path | None = None, trusted: bool = False) -> None:
        super().__init__()
        # ``--trust``: the person trusts this session's presets; never read from a preset file.
        self.trusted = trusted
        # Where ``s`` starts runs and ``r`` lists them (None: ``$TUITRAIN_RUNS`` or ./runs).
        self.runs_dir: Path | None = Path(runs_dir) if runs_dir is not None else None
        # Every edit made through ``edit_preset``; ctrl+z / ctrl+y walk it.
        self.history: UndoStack[Preset] = UndoStack()
        # The current preset's warnings (``check_warnings``), computed by the app once per preset
        # change and per build, before the panes hear of either; the Layers and Compile panes read them.
        self.warnings: list[Warn] = []

    @property
    def preset_message(self) -> str | None:
        """What the panel above the panes says: the preset's error, else the data's, else a notice."""
        return self.preset_error or self.data_error or self.notice

    @property
    def run_active(self) -> bool:
        """The shown run's trainer is still at work (starting, running, paused or stopping)."""
        from tuitrain.runs.rundir import ACTIVE

        return self.run_status in ACTIVE

    def edit_preset(self, change: Callable[[Preset], object]) -> bool:
        """The one door for editors: apply ``change`` to a copy of the preset, record it, publish it.

        ``change`` mutates the copy it is given (its return value is ignored), e.g.
        ``app.edit_preset(lambda p: p.fit.update(epochs=12))``.  The edit is recorded in
        ``history`` (ctrl+z undoes it) and the copy becomes ``preset`` (``modified`` is set;
        watchers run; the model is rebuilt only when layers or data changed).  Returns False, and
        records nothing, when no preset is loaded or the edit leaves the preset as it was.
        """
        before = self.preset
        if before is None:
            return False
        after = before.copy()
        change(after)
        if after.to_dict() == before.to_dict():
            return False
        self.history.record(before, after)
        self.update_preset(after)
        return True

    def undo_edit(self) -> bool:
        """Step back over the last ``edit_preset``; False when there is nothing to undo."""
        return self._step_history(self.history.undo)

    def redo_edit(self) -> bool:
        """Redo the last undone edit; False when there is nothing to redo."""
        return self._step_history(self.history.redo)

    def _step_history(self, step: Callable[[Preset], Preset | None]) -> bool:
        if self.preset is None:
            return False
        preset = step(self.preset)
        if preset is None:
            return False
        self.update_preset(preset)
        return True

    def update_preset(self, preset: Preset, *, modified: bool = True) -> None:
        """Replace the whole preset, not as an undoable edit (open, reload, save, a run's preset)."""
        self.modified = modified
        self.preset = preset
