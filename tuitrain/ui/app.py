"""TuitrainApp: the shell that holds the panes and the app-wide state.

The app stays thin: the state every pane watches (preset, dataset, build report, run dir…)
and the one door for preset edits (``edit_preset``) are declared in ``tuitrain.ui.state``.  The
background work lives in ``tuitrain.ui.background`` (TensorFlow is imported by a worker
after the first paint, never at module import time), open / save / reload in
``tuitrain.ui.preset_files``.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.widget import Widget
from textual.widgets import Header, Input, Select, Static, TabbedContent, TabPane, TextArea

from tuitrain.common.errors import TuitrainError
from tuitrain.ui.background import BackgroundWork, data_key, model_key
from tuitrain.ui.focus_view import FocusInView
from tuitrain.ui.keys import RemappableKeys
from tuitrain.ui.messages import ModelBuilt  # noqa: F401 - tests hook this message by importing it from the app
from tuitrain.ui.messages import RunStarted, RunStatusSeen
from tuitrain.ui.palette import SteadyCommandPalette, TuitrainCommands
from tuitrain.ui.panes import PANES, pane_class
from tuitrain.ui.preset_files import PresetFileActions, is_bundled
from tuitrain.ui.state import AppState
from tuitrain.ui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:  # the core's types, imported lazily at run time (TensorFlow must not load first)
    from tuitrain.preset import Preset

# Environment variable naming a file the app writes at its first paint (used by the benchmark).
FIRST_PAINT_PROBE = "TUITRAIN_FIRST_PAINT_PROBE"


class TuitrainApp(AppState, FocusInView, RemappableKeys, BackgroundWork, PresetFileActions, App[None]):
    """Data, Layers, Compile and Train panes around one in-memory preset."""

    CSS_PATH = "app.tcss"
    TITLE = "tuitrain"
    COMMANDS = App.COMMANDS | {TuitrainCommands}
    BINDINGS = [
        Binding("1,f1", "show_pane('data')", "Data pane", show=False, id="pane.data"),
        Binding("2,f2", "show_pane('layers')", "Layers pane", show=False, id="pane.layers"),
        Binding("3,f3", "show_pane('compile')", "Compile pane", show=False, id="pane.compile"),
        Binding("4,f4", "show_pane('train')", "Train pane", show=False, id="pane.train"),
        Binding("ctrl+n", "new_preset", "New", id="app.new"),
        Binding("ctrl+o", "open_preset", "Open", id="app.open"),
        Binding("ctrl+s", "save", "Save", id="app.save"),
        Binding("f12", "save_as", "Save as", show=False, id="app.save_as"),
        Binding("ctrl+r", "reload", "Reload", id="app.reload"),
        Binding("question_mark,f10", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("escape", "leave_field", "Leave the text field", show=False, id="app.leave_field"),
    ]

    def __init__(
        self,
        target: str | Path | None = None,
        *,
        run_dir: Path | None = None,
        runs_dir: str | Path | None = None,
        overrides: list[str] | None = None,
        pane: str = "data",
        background: bool = True,
        trusted: bool = False,
        sweep_dir: Path | None = None,
    ) -> None:
        """``target``: bundled preset name or preset path (None: the offline default, or no preset
        when ``run_dir`` is a run without one: a script's LiveRun or a TensorBoard log folder).

        ``overrides``: ``--set KEY=VALUE`` texts applied to the preset as unsaved changes.

        ``runs_dir``: where ``s`` starts runs and ``r`` lists them (None: ``$TUITRAIN_RUNS`` or ./runs).
        ``background=False`` skips TensorFlow and data loading (quick tests of the shell).
        ``trusted`` (``--trust``): the person trusts the presets of this session (DESIGN §1.7).
        ``sweep_dir``: open the Sweep screen of that sweep over the app (``tuitrain attach SWEEP_DIR``).
        """
        super().__init__(runs_dir=runs_dir, trusted=trusted)
        self._target = target
        self._overrides = list(overrides or [])
        self._initial_run_dir = run_dir
        self._initial_sweep_dir = sweep_dir
        self._initial_pane = pane
        self._background = background
        self._data_key: str | None = None
        self._build_generation = 0
        self._build_timer = None
        self._build_lock = threading.Lock()
        self._painted = False
        self._background_deferred = False  # opened on a run: TensorFlow waits until a pane needs it
        self._data_done_key: str | None = None  # the _data_key whose load ended (loaded or failed)
        self._tf_failed = False
        self._built_generation = 0
        self.ready_event = asyncio.Event()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Toasts show text as it is: messages carry file names, run names and Keras errors,
        where a ``[`` would otherwise be read as markup (and a bad tag raise)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # --- layout -----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        with Vertical(id="main"):
            with VerticalScroll(id="error-panel", can_focus=False) as error_panel:
                error_panel.border_title = "cannot use this preset"
                yield Static("", id="error-text", markup=False)
            with TabbedContent(initial=self._initial_pane, id="panes"):
                for number, info in enumerate(PANES, start=1):
                    with TabPane(f"{number} {info.title}", id=info.id):
                        # Only the pane on screen is built before the first paint; importing the
                        # others (plotext, forms…) waits until the screen is up.
                        if info.id == self._initial_pane:
                            yield pane_class(info)()
        yield Static("", id="status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_status("")
        if os.environ.get(FIRST_PAINT_PROBE):
            self.call_after_refresh(self._write_first_paint_probe)
        if self._initial_sweep_dir is not None:
            self.call_after_refresh(self.show_sweep, Path(self._initial_sweep_dir))
        if self._initial_run_dir is not None:
            self.run_dir = Path(self._initial_run_dir)
        from tuitrain.preset import DEFAULT_PRESET, find_preset

        if self._target is None and self._initial_run_dir is not None:
            from tuitrain.ui.panes.train.panel import no_preset_note

            self.notice = no_preset_note(Path(self._initial_run_dir))
            self._refresh_title()
            self.call_after_refresh(self._start_background)
            return
        target = self._target if self._target is not None else DEFAULT_PRESET
        try:
            path = find_preset(target)
        except TuitrainError as err:
            self.preset_error = str(err)
            if Path(str(target)).suffix == ".toml":
                self.preset_path = Path(str(target))  # ctrl+r reads it once the file is there
            self._refresh_title()
        else:
            self.load_preset_path(path, overrides=self._overrides)
            self._note_shadowed(target)
        # Background work starts once the first frame is on screen: importing TensorFlow in a
        # thread still holds the GIL for long stretches and would delay the first paint.
        self.call_after_refresh(self._start_background)

    def _note_shadowed(self, target: str | Path) -> None:
        """A bare name that found a local file hiding the bundled preset says so once, on load."""
        from tuitrain.preset import shadow_note

        said = shadow_note(target)
        if said:
            self.notify(said, title="preset", severity="warning", timeout=12)

    def _start_background(self) -> None:
        self._painted = True
        self.warnings = self.check_warnings()
        for info in PANES:
            tab = self.query_one(f"#panes TabPane#{info.id}", TabPane)
            if not tab.children:
                tab.mount(pane_class(info)())
        # Opened on a run to watch it: TensorFlow (~400 MB, seconds of CPU) waits until a pane needs it.
        self._background_deferred = self._initial_run_dir is not None and self._initial_pane == "train"
        if self._background and not self._background_deferred:
            self._start_loading()
        self.refresh_ready()

    def _start_loading(self) -> None:
        self._background_deferred = False
        self._load_tensorflow()
        if self.preset is not None and self.dataset is None and self._data_key is not None:
            self._load_data(self.preset, self._data_key)

    def _write_first_paint_probe(self) -> None:
        """For benchmarks/bench_first_paint.py: when the first frame was drawn, and whether TF was loaded."""
        import sys
        import time

        probe = {"time": time.time(), "cpu": time.process_time(), "tensorflow_loaded": "tensorflow" in sys.modules,
                 "modules": list(sys.modules)}  # what the first frame cost in imports (the benchmark counts them)
        Path(os.environ[FIRST_PAINT_PROBE]).write_text(json.dumps(probe), encoding="utf-8")

    # --- preset state -----------------------------------------------------------
    def load_preset_path(self, path: Path, *, overrides: list[str] | None = None) -> bool:
        """Read a preset file (``overrides`` become unsaved changes); on failure show the error in-app."""
        from tuitrain.preset import load_preset

        self.preset_path = Path(path)
        try:
            preset = load_preset(path, overrides or [])
        except TuitrainError as err:
            self.preset_error = str(err)
            self.modified = False
            self.preset = None
            return False
        self.clear_preset_message()
        self.update_preset(preset, modified=bool(overrides))
        return True

    def clear_preset_message(self) -> None:
        """A preset was opened: earlier preset errors and notices no longer apply (data errors go with its data)."""
        self.preset_error = None
        self.notice = None

    def watch_preset(self, preset: Preset | None) -> None:
        # The app's own watcher runs before the panes' (``self.watch``): they see the new warnings.
        self._refresh_title()
        if preset is None:
            self._data_key = None
            self.data_error = None
            self.dataset = None
            self.build_report = None
            self.warnings = []
            self.refresh_ready()
            return
        key = data_key(preset)
        if key != self._data_key:
            self._data_key = key
            self.data_error = None
            self.dataset = None
            self.build_report = None
            if self._background and self._painted:
                self._load_data(preset, key)
        self.warnings = self.check_warnings()
        if self._model_unchanged(preset):
            self.refresh_ready()
            return  # a compile/fit edit: the layer table and shapes stay as they are
        self._schedule_build()

    def _model_unchanged(self, preset: Preset) -> bool:
        idle = self._build_timer is None and not any(
            w.is_running for w in self.workers if w.group == "model-build"
        )
        return idle and self.build_report is not None and self.build_report.key == model_key(preset)

    def check_warnings(self) -> list:
        """The current preset's warnings with the data and the model as built (empty when none apply)."""
        if self.preset is None or not self._painted:
            return []  # before the first frame: importing tuitrain.model would delay it (_start_background asks again)
        from tuitrain.model import check_warnings

        report = self.build_report
        try:
            return check_warnings(self.preset, self.dataset, report.model if report is not None else None)
        except Exception as err:  # noqa: BLE001 - a warning check must never break the app
            self.log.warning(f"check_warnings failed: {err}")
            return []

    def watch_dataset(self) -> None:
        self.warnings = self.check_warnings()

    def watch_build_report(self) -> None:
        self.warnings = self.check_warnings()

    def watch_modified(self) -> None:
        self._refresh_title()

    def watch_preset_error(self) -> None:
        self._show_preset_message()

    def watch_data_error(self) -> None:
        self._show_preset_message()

    def watch_notice(self) -> None:
        self._show_preset_message()

    def _show_preset_message(self) -> None:
        # A notice is no error: the panes say it in their own one line (a run opened without a preset).
        message = self.preset_error or self.data_error
        text = self.query_one("#error-text", Static)
        if message:
            text.update(f"{message}\n\nFix the file and press ctrl+r to reload, or ctrl+o to open another preset.")
        self.query_one("#error-panel").set_class(bool(message), "-shown")

    def _refresh_title(self) -> None:
        if self.preset is not None:
            name = self.preset.name
        elif self.preset_path is not None:
            name = self.preset_path.stem
        else:
            name = "no preset"
        self.title = f"{name} ● modified" if self.modified else name
        path = self.preset_path
        if path is None:
            self.sub_title = "unsaved"
        elif is_bundled(path):
            self.sub_title = "bundled preset"
        else:
            try:
                self.sub_title = str(path.resolve().relative_to(Path.cwd().resolve()))
            except ValueError:
                self.sub_title = str(path)

    def _show_status(self, text: str) -> None:
        # A debounced build can fire while the app is closing, after the status line is gone.
        for status in self.query("#status").results(Static):
            status.update(text)

    # --- panes ------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``1``–``4`` switch the main screen's panes: on the runs or sweep screen they would act unseen
        (a modal dialog or the palette stops app keys anyway, and the palette's commands come back here)."""
        if action == "show_pane":
            beneath = next((s for s in reversed(self.screen_stack) if not s.is_modal), self.screen_stack[0])
            if beneath is not self.screen_stack[0]:
                return False
        return super().check_action(action, parameters)

    def action_show_pane(self, pane_id: str) -> None:
        tab = self.query_one(f"#panes TabPane#{pane_id}", TabPane)
        if self.focused is not None and tab not in self.focused.ancestors:
            # Let go of the old pane's widget first: hidden with focus, Textual hands focus to a
            # sibling in the hidden pane (the metrics list → its search box), whose pane then
            # takes the screen back, and ``1``–``4`` seem to do nothing.
            self.set_focus(None)
        self.query_one("#panes", TabbedContent).active = pane_id
        self.call_after_refresh(self._focus_pane, pane_id)

    def _focus_pane(self, pane_id: str) -> None:
        tab = self.query_one(f"#panes TabPane#{pane_id}", TabPane)
        if self.focused is not None and tab in self.focused.ancestors:
            return  # already inside the pane (e.g. a palette command focused a field)
        for widget in tab.query(Widget):
            if widget.focusable:
                widget.focus()
                return

    def action_leave_field(self) -> None:
        """Escape in a pane's text field hands focus to the pane, so ``1``–``4`` and its keys work again.

        Focus goes to the nearest control that takes no text (the metrics list below its search, the
        tensor list), else nowhere: digits then reach the app's bindings instead of the field.
        """
        focused = self.focused
        if not isinstance(focused, (Input, TextArea)) or self.screen is not self.screen_stack[0]:
            return
        for around in focused.ancestors:  # the nearest such control: the metrics search's own list
            calm = [w for w in around.query(Widget) if w.focusable and not self._takes_text(w)]
            if calm:
                calm[0].focus()
                return
            if isinstance(around, TabPane):
                break
        self.set_focus(None)

    @staticmethod
    def _takes_text(widget: Widget) -> bool:
        """Inputs, text areas and selects (whose closed list searches as you type) keep digits."""
        return any(isinstance(w, (Input, TextArea, Select)) for w in (widget, *widget.ancestors))

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane is not None and event.pane.id:
            self.call_after_refresh(self._focus_pane, event.pane.id)
            if event.pane.id != "train" and self._background and self._background_deferred:
                self._start_loading()

    def pane(self, pane_id: str) -> Widget:
        """The pane widget inside a tab (for commands that act on a pane)."""
        return self.query_one(f"#panes TabPane#{pane_id}", TabPane).children[0]

    async def run_pane_command(self, pane_id: str, action: str) -> None:
        self.action_show_pane(pane_id)
        await self.run_action(action, self.pane(pane_id))

    # --- runs -------------------------------------------------------------------
    def show_runs(self) -> None:
        """The Runs screen over ``runs_dir``; its answer watches a run or opens a run's preset."""
        from tuitrain.ui.screens.runs import EditRunPreset, RunsScreen, WatchRun

        def chosen(answer: WatchRun | EditRunPreset | None) -> None:
            if isinstance(answer, WatchRun):
                self.run_dir = Path(answer.run_dir)
                self.action_show_pane("train")
            elif isinstance(answer, EditRunPreset):
                self.open_preset_object(answer.preset, source=answer.run_name, pane="layers")

        self.push_screen(RunsScreen(runs_dir=self.runs_dir), chosen)

    def show_sweep(self, sweep_dir: Path | None = None) -> None:
        """The Sweep screen of ``sweep_dir`` (default: the newest sweep under ``runs_dir``); its
        answer watches a trial as a run in the Train pane."""
        from tuitrain.sweep.sweepdir import list_sweeps
        from tuitrain.ui.screens.runs import WatchRun
        from tuitrain.ui.screens.sweep import SweepScreen

        if sweep_dir is None:
            sweeps = [s for s in list_sweeps(self.runs_dir) if s.status != "invalid"]
            if not sweeps:
                self.notify("no sweeps yet: `tuitrain sweep PRESET` starts one (a preset with a [sweep] table, "
                            "e.g. sweep_spiral)", title="Sweep", severity="warning")
                return
            sweep_dir = sweeps[0].path

        def chosen(answer: WatchRun | None) -> None:
            if isinstance(answer, WatchRun):
                self.run_dir = Path(answer.run_dir)
                self.action_show_pane("train")

        self.push_screen(SweepScreen(sweep_dir), chosen)

    def watch_run_dir(self) -> None:
        self.run_status = None  # the Train pane reads the new run and says (RunStatusSeen)

    def on_run_started(self, message: RunStarted) -> None:
        self.run_dir = Path(message.run_dir)
        self.run_status = "starting"

    def on_run_status_seen(self, message: RunStatusSeen) -> None:
        if self.run_dir is not None and Path(message.run_dir) == Path(self.run_dir):
            self.run_status = message.status  # a late report of the previous run is dropped

    def _run_to_stop(self) -> bool:
        """The shown run is ours and still at work, as run.json says now (the Train pane stops reading
        while hidden).  A TensorBoard folder's writer is no run this app could stop."""
        from tuitrain.runs.source import is_run_dir, open_run

        if self.run_dir is None or not is_run_dir(self.run_dir):
            return False
        try:
            self.run_status = open_run(self.run_dir).status().get("status")
        except Exception:  # noqa: BLE001 - an unreadable run is not running
            return False
        return self.run_active

    # --- help / quit ------------------------------------------------------------
    def key_help(self) -> list:
        """The help screen's sections for the screen under any palette or help: here, its pane, everywhere."""
        from textual.command import CommandPalette

        from tuitrain.ui.context_keys import context_sections
        from tuitrain.ui.screens import HelpScreen

        screen = next(s for s in reversed(self.screen_stack) if not isinstance(s, (CommandPalette, HelpScreen)))
        return context_sections(screen)

    def action_command_palette(self) -> None:
        # A palette command can open a dialog before the palette has left the stack; one palette at a time.
        if self.use_command_palette and not any(isinstance(s, SteadyCommandPalette) for s in self.screen_stack):
            self.push_screen(SteadyCommandPalette(id="--command-palette"))

    def action_help(self) -> None:
        from tuitrain.ui.screens import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_help()))

    @work(exclusive=True, group="dialog")
    async def action_quit(self) -> None:
        from tuitrain.ui.screens import ChoiceDialog

        if not await self._confirm_discard("quit"):
            return
        if self._run_to_stop():
            answer = await self.push_screen_wait(
                ChoiceDialog(
                    f"Training run {self.run_dir.name} is still running. It can go on without the app"
                    " (`tuitrain attach` shows it again).",
                    [("l", "Leave it running", "leave"), ("s", "Stop it", "stop"), ("c", "Cancel", "cancel")],
                    title="Run in progress",
                )
            )
            if answer == "cancel":
                return
            if answer == "stop":
                from tuitrain.runs.control import request_control

                request_control(self.run_dir, "stop_batch")
        self.exit()
