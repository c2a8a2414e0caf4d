"""TuitrainApp: the shell that holds the panes and the app-wide state.

The app stays thin: it owns the reactives every pane watches (preset, dataset,
build report, run dir…), runs the background work in thread workers that post
messages back, and offers open / save / reload / quit.  TensorFlow is imported
by a worker after the first paint, never at module import time.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from tuitrain.errors import TuitrainError
from tuitrain.ui.commands import TuitrainCommands
from tuitrain.ui.panes import PANES, pane_class

# Seconds of quiet after a preset change before the model is rebuilt.
BUILD_DEBOUNCE_S = 0.3
# Environment variable naming a file the app writes at its first paint (used by the benchmark).
FIRST_PAINT_PROBE = "TUITRAIN_FIRST_PAINT_PROBE"


def _import_tensorflow() -> None:
    """Slow (seconds): runs in a worker thread so the first screen never waits for it."""
    # TensorFlow's C++ start-up chatter goes straight to fd 2 and would scribble over the screen.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow  # noqa: F401
    import keras  # noqa: F401


def _data_key(preset: Any) -> str:
    """What the dataset depends on: data section, seed and where relative paths point."""
    return json.dumps([preset.data, preset.seed, str(preset.base_dir)], sort_keys=True, default=str)


def _model_key(preset: Any) -> str:
    """What the built model depends on: the layers, the seed and the data (its input shape)."""
    return json.dumps([preset.layers, _data_key(preset)], sort_keys=True, default=str)


def is_bundled(path: Path | None) -> bool:
    from tuitrain.spec import PRESETS_DIR

    try:
        return path is not None and path.resolve().parent == PRESETS_DIR.resolve()
    except OSError:
        return False


class StatusChanged(Message):
    """A worker reports progress for the status line ("loading TensorFlow…")."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class TensorFlowReady(Message):
    """TensorFlow and Keras are imported."""


class TensorFlowFailed(Message):
    """TensorFlow could not be imported (the status line says why)."""


class DataLoaded(Message):
    def __init__(self, dataset: Any, key: str) -> None:
        super().__init__()
        self.dataset = dataset
        self.key = key


class DataFailed(Message):
    def __init__(self, message: str, key: str) -> None:
        super().__init__()
        self.message = message
        self.key = key


class ModelBuilt(Message):
    def __init__(self, report: Any, generation: int) -> None:
        super().__init__()
        self.report = report
        self.generation = generation


class TuitrainApp(App[None]):
    """Data, Layers, Compile and Train panes around one in-memory preset."""

    CSS_PATH = "app.tcss"
    TITLE = "tuitrain"
    COMMANDS = App.COMMANDS | {TuitrainCommands}
    BINDINGS = [
        Binding("1,f1", "show_pane('data')", "Data", show=False, id="pane.data"),
        Binding("2,f2", "show_pane('layers')", "Layers", show=False, id="pane.layers"),
        Binding("3,f3", "show_pane('compile')", "Compile", show=False, id="pane.compile"),
        Binding("4,f4", "show_pane('train')", "Train", show=False, id="pane.train"),
        Binding("ctrl+o", "open_preset", "Open", id="app.open"),
        Binding("ctrl+s", "save", "Save", id="app.save"),
        Binding("f12", "save_as", "Save as", show=False, id="app.save_as"),
        Binding("ctrl+r", "reload", "Reload", id="app.reload"),
        Binding("question_mark,f10", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
    ]

    # --- app-wide state (see docs/internals.md "tuitrain.ui") -----------------
    preset: var[Any] = var(None, always_update=True)
    preset_path: var[Path | None] = var(None)
    modified: var[bool] = var(False)
    load_error: var[str | None] = var(None)
    tf_ready: var[bool] = var(False)
    dataset: var[Any] = var(None, always_update=True)
    build_report: var[Any] = var(None, always_update=True)
    run_dir: var[Path | None] = var(None)
    # True once nothing is pending (see ``pending``): TensorFlow, data, the debounced model build
    # and the panes' own background work.  Tests wait for it instead of for "all workers".
    ready: var[bool] = var(False)

    def __init__(
        self,
        target: str | Path | None = None,
        *,
        run_dir: Path | None = None,
        pane: str = "data",
        background: bool = True,
    ) -> None:
        """``target``: bundled preset name or preset path (None: the offline default).

        ``background=False`` skips TensorFlow and data loading (quick tests of the shell).
        """
        super().__init__()
        self._target = target
        self._initial_run_dir = run_dir
        self._initial_pane = pane
        self._background = background
        self._data_key: str | None = None
        self._report_key: str | None = None  # _model_key of the preset build_report was built from
        self._building_key: str | None = None
        self._build_generation = 0
        self._build_timer = None
        self._build_lock = threading.Lock()
        self._painted = False
        self._data_error: str | None = None
        self._data_done_key: str | None = None  # the _data_key whose load ended (loaded or failed)
        self._tf_failed = False
        self._built_generation = 0
        self.ready_event = asyncio.Event()

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
        yield Footer()

    def on_mount(self) -> None:
        self._show_status("")
        if os.environ.get(FIRST_PAINT_PROBE):
            self.call_after_refresh(self._write_first_paint_probe)
        if self._initial_run_dir is not None:
            self.run_dir = Path(self._initial_run_dir)
        from tuitrain.spec import DEFAULT_PRESET, find_preset

        target = self._target if self._target is not None else DEFAULT_PRESET
        try:
            path = find_preset(target)
        except TuitrainError as err:
            self.load_error = str(err)
            if Path(str(target)).suffix == ".toml":
                self.preset_path = Path(str(target))  # ctrl+r reads it once the file is there
            self._refresh_title()
        else:
            self.load_preset_path(path)
        # Background work starts once the first frame is on screen: importing TensorFlow in a
        # thread still holds the GIL for long stretches and would delay the first paint.
        self.call_after_refresh(self._start_background)

    def _start_background(self) -> None:
        self._painted = True
        for info in PANES:
            tab = self.query_one(f"#panes TabPane#{info.id}", TabPane)
            if not tab.children:
                tab.mount(pane_class(info)())
        if self._background:
            self._load_tensorflow()
            if self.preset is not None and self.dataset is None and self._data_key is not None:
                self._load_data(self.preset, self._data_key)
        self.refresh_ready()

    def _write_first_paint_probe(self) -> None:
        """For benchmarks/bench_first_paint.py: when the first frame was drawn, and whether TF was loaded."""
        import sys
        import time

        probe = {"time": time.time(), "tensorflow_loaded": "tensorflow" in sys.modules}
        Path(os.environ[FIRST_PAINT_PROBE]).write_text(json.dumps(probe), encoding="utf-8")

    # --- preset state -----------------------------------------------------------
    def update_preset(self, preset: Any, *, modified: bool = True) -> None:
        """Replace the in-memory preset (editors call this with an edited copy)."""
        self.modified = modified
        self.preset = preset

    def load_preset_path(self, path: Path) -> bool:
        """Read a preset file; on failure show the error in-app and keep going."""
        from tuitrain.spec import load_preset

        self.preset_path = Path(path)
        try:
            preset = load_preset(path)
        except TuitrainError as err:
            self.load_error = str(err)
            self.modified = False
            self.preset = None
            return False
        self.load_error = None
        self.update_preset(preset, modified=False)
        return True

    def watch_preset(self, preset: Any) -> None:
        self._refresh_title()
        if preset is None:
            self._data_key = None
            self.dataset = None
            self.build_report = None
            self.refresh_ready()
            return
        key = _data_key(preset)
        if key != self._data_key:
            self._data_key = key
            self.dataset = None
            self.build_report = None
            if self._background and self._painted:
                self._load_data(preset, key)
        if self._model_unchanged(preset):
            self.refresh_ready()
            return  # a compile/fit edit: the layer table and shapes stay as they are
        self._schedule_build()

    def _model_unchanged(self, preset: Any) -> bool:
        idle = self._build_timer is None and not any(
            w.is_running for w in self.workers if w.group == "model-build"
        )
        return idle and self.build_report is not None and self._report_key == _model_key(preset)

    def watch_modified(self) -> None:
        self._refresh_title()

    def watch_load_error(self, message: str | None) -> None:
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
        self.query_one("#status", Static).update(text)

    # --- background work --------------------------------------------------------
    @work(thread=True, exclusive=True, group="tensorflow", exit_on_error=False)
    def _load_tensorflow(self) -> None:
        self.post_message(StatusChanged("loading TensorFlow…"))
        try:
            _import_tensorflow()
        except Exception as err:  # noqa: BLE001 - a broken install is shown, the app keeps running
            self.post_message(StatusChanged(f"TensorFlow failed to load: {type(err).__name__}: {err}"))
            self.post_message(TensorFlowFailed())
            return
        self.post_message(TensorFlowReady())

    @work(thread=True, exclusive=True, group="data", exit_on_error=False)
    def _load_data(self, preset: Any, key: str) -> None:
        try:
            _import_tensorflow()  # keras datasets and preprocessing need it; returns at once once loaded
            self.post_message(StatusChanged("loading data…"))
            from tuitrain.data import load_dataset
            from tuitrain.spec import with_line as _with_line

            try:
                dataset = load_dataset(preset.data, seed=preset.seed, base_dir=preset.base_dir)
            except TuitrainError as err:
                if hasattr(err, "located"):
                    err = _with_line(err, preset, str(preset.path) if preset.path else None)
                raise err from None
        except TuitrainError as err:
            self.post_message(DataFailed(str(err), key))
        except Exception as err:  # noqa: BLE001 - any loader failure is shown, the app keeps running
            self.post_message(DataFailed(f"data: {type(err).__name__}: {err}", key))
        else:
            self.post_message(DataLoaded(dataset, key))

    def pending(self) -> list[str]:
        """What the app still works on in the background, in words (empty: ``ready``).

        A debounced or running model build counts until its result is shown; a build that cannot
        start (no TensorFlow, no data) is not pending, the missing part is.
        """
        waiting: list[str] = []
        if not self._painted:
            waiting.append("first paint")
        if self._background:
            if not self.tf_ready and not self._tf_failed:
                waiting.append("TensorFlow")
            if self.preset is not None and self._data_key is not None and self._data_done_key != self._data_key:
                waiting.append("data")
            if self._build_timer is not None:
                waiting.append("model build (debounce)")
            elif self._build_generation != self._built_generation and self._build_can_start():
                waiting.append("model build")
        for info in PANES:
            for tab in self.query(f"#panes TabPane#{info.id}").results(TabPane):
                for pane in tab.children:
                    waiting.extend(f"{info.id} pane: {what}" for what in getattr(pane, "pending", list)())
        return waiting

    def refresh_ready(self) -> None:
        """Recompute ``ready``; called wherever a piece of background work starts or ends."""
        self.ready = not self.pending()

    def watch_ready(self, ready: bool) -> None:
        if ready:
            self.ready_event.set()
        else:
            self.ready_event.clear()

    def _build_can_start(self) -> bool:
        return self.preset is not None and self.tf_ready and self.dataset is not None

    def _schedule_build(self) -> None:
        """Debounce: rebuild once the preset has stopped changing for a moment."""
        self._build_generation += 1
        if self._build_timer is not None:
            self._build_timer.stop()
        self._build_timer = self.set_timer(BUILD_DEBOUNCE_S, self._start_build)
        self.refresh_ready()

    def _start_build(self) -> None:
        self._build_timer = None
        if not self._build_can_start():
            self.refresh_ready()
            return
        self._show_status("building the model…")
        self._building_key = _model_key(self.preset)
        self._build_model(self.preset, self.dataset.input_shape, self._build_generation)

    @work(thread=True, exclusive=True, group="model-build", exit_on_error=False)
    def _build_model(self, preset: Any, input_shape: tuple, generation: int) -> None:
        import keras

        from tuitrain.model import BuildReport, build_model_partial

        with self._build_lock:  # a cancelled build's thread may still run; Keras state is global
            try:
                keras.backend.clear_session()  # layer names restart at dense, dense_1… on each build
                keras.utils.set_random_seed(preset.seed)
                report = build_model_partial(preset, input_shape)
            except Exception as err:  # noqa: BLE001 - shown in the status line and the layers pane
                report = BuildReport(rows=[], model=None, error=str(err))
        self.post_message(ModelBuilt(report, generation))

    @on(StatusChanged)
    def _status_changed(self, message: StatusChanged) -> None:
        self._show_status(message.text)

    @on(TensorFlowFailed)
    def _tf_failed_to_load(self) -> None:
        self._tf_failed = True
        self.refresh_ready()

    @on(TensorFlowReady)
    def _tf_ready(self) -> None:
        self.tf_ready = True
        if self.preset is None:
            self._show_status("TensorFlow ready · no preset loaded")
        elif self.dataset is None and not self.load_error:
            self._show_status("loading data…")
        self._schedule_build()

    @on(DataLoaded)
    def _data_loaded(self, message: DataLoaded) -> None:
        if message.key != self._data_key:
            return  # the preset's data changed while loading
        self._data_done_key = message.key
        self.dataset = message.dataset
        if self.load_error is not None and self.load_error == self._data_error:
            self.load_error = None  # the data error of an earlier edit is fixed
        self._data_error = None
        self._show_status(f"data: {message.dataset.source}")
        self._schedule_build()

    @on(DataFailed)
    def _data_failed(self, message: DataFailed) -> None:
        if message.key != self._data_key:
            return
        self._data_done_key = message.key
        self.load_error = self._data_error = message.message
        self._show_status("data failed to load (see above)")
        self.refresh_ready()

    @on(ModelBuilt)
    def _model_built(self, message: ModelBuilt) -> None:
        if message.generation != self._build_generation:
            return  # the preset changed again: a newer build is coming
        report = message.report
        self._report_key = self._building_key
        self._built_generation = message.generation
        self.build_report = report
        if report.error:
            self._show_status(f"model: {report.error}")
        else:
            self._show_status(f"ready · model: {report.total_params:,} parameters")
        self.refresh_ready()

    # --- panes ------------------------------------------------------------------
    def action_show_pane(self, pane_id: str) -> None:
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

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane is not None and event.pane.id:
            self.call_after_refresh(self._focus_pane, event.pane.id)

    def pane(self, pane_id: str) -> Widget:
        """The pane widget inside a tab (for commands that act on a pane)."""
        return self.query_one(f"#panes TabPane#{pane_id}", TabPane).children[0]

    async def run_pane_command(self, pane_id: str, action: str) -> None:
        self.action_show_pane(pane_id)
        await self.run_action(action, self.pane(pane_id))

    # --- open / save / reload ---------------------------------------------------
    async def _confirm_discard(self, doing: str) -> bool:
        """With unsaved changes ask save / discard / cancel; True when it is fine to go on."""
        if not self.modified or self.preset is None:
            return True
        from tuitrain.ui.screens import ChoiceDialog

        answer = await self.push_screen_wait(
            ChoiceDialog(
                f"{self.preset.name} has unsaved changes. Save them before you {doing}?",
                [("s", "Save", "save"), ("d", "Discard", "discard"), ("c", "Cancel", "cancel")],
                title="Unsaved changes",
            )
        )
        if answer == "save":
            return await self._save(ask_path=False)
        return answer == "discard"

    @work(exclusive=True, group="dialog")
    async def action_open_preset(self) -> None:
        from tuitrain.ui.screens import OpenPresetScreen

        if not await self._confirm_discard("open another preset"):
            return
        path = await self.push_screen_wait(OpenPresetScreen())
        if path is not None:
            self.load_preset_path(path)

    @work(exclusive=True, group="dialog")
    async def open_preset_object(self, preset: Any, *, source: str, pane: str | None = None) -> None:
        """Make a preset that was not opened from a file (a run's) the current, unsaved one.

        Asks about unsaved changes first, and forgets ``preset_path``: ctrl+s must ask where to
        save instead of overwriting the file that was open before.
        """
        if not await self._confirm_discard(f"open the preset of {source}"):
            return
        self.preset_path = None
        self.load_error = None
        self.update_preset(preset, modified=True)
        self.notify(f"editing the preset of {source} (unsaved: ctrl+s asks where to save it)")
        if pane is not None:
            self.action_show_pane(pane)

    @work(exclusive=True, group="dialog")
    async def action_reload(self) -> None:
        if self.preset_path is None:
            self.notify("nothing to reload: open a preset first (ctrl+o)", severity="warning")
            return
        if not await self._confirm_discard("reload it from disk"):
            return
        if self.load_preset_path(self.preset_path):
            self.notify(f"reloaded {self.preset_path.name}")

    @work(exclusive=True, group="dialog")
    async def action_save(self) -> None:
        await self._save(ask_path=False)

    @work(exclusive=True, group="dialog")
    async def action_save_as(self) -> None:
        await self._save(ask_path=True)

    async def _save(self, *, ask_path: bool) -> bool:
        """Save atomically (comments kept); bundled presets and new ones ask for a path."""
        from tuitrain.spec import save_preset
        from tuitrain.ui.screens import PathPrompt

        if self.preset is None:
            self.notify("no valid preset to save", severity="error")
            return False
        path = self.preset_path
        if ask_path or path is None or is_bundled(path):
            default = path.name if path is not None else f"{self.preset.name}.toml"
            if is_bundled(path) or path is None:
                default = str(Path.cwd() / default)
            elif path is not None:
                default = str(path)
            path = await self.push_screen_wait(PathPrompt("Save the preset to:", default, title="Save as"))
            if path is None:
                return False
        preset = self.preset.copy()
        try:
            saved = save_preset(preset, path)
        except (TuitrainError, OSError) as err:
            self.notify(str(err), title="not saved", severity="error", timeout=10)
            return False
        self.preset_path = saved
        self.update_preset(preset, modified=False)
        self.notify(f"saved {saved}")
        return True

    # --- help / quit ------------------------------------------------------------
    def key_help(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Sections for the help screen: the app's keys, then each pane's."""
        from tuitrain.ui.screens.help import binding_rows

        sections = [("App", binding_rows(self, [b for b in self.BINDINGS if not b.id or not b.id.startswith("pane.")]))]
        sections[0][1][0:0] = [("1–4, F1–F4", "switch pane: Data, Layers, Compile, Train"), ("ctrl+p", "command palette")]
        for info in PANES:
            sections.append((f"{info.title} pane", binding_rows(self, list(getattr(pane_class(info), "BINDINGS", [])))))
        return sections

    def action_help(self) -> None:
        from tuitrain.ui.screens import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_help()))

    def run_is_active(self) -> bool:
        if self.run_dir is None:
            return False
        try:
            from tuitrain.engine import RunReader
            from tuitrain.engine.rundir import ACTIVE

            return RunReader(self.run_dir).status().get("status") in ACTIVE
        except Exception:  # noqa: BLE001 - an unreadable run is not running
            return False

    @work(exclusive=True, group="dialog")
    async def action_quit(self) -> None:
        from tuitrain.ui.screens import ChoiceDialog

        if not await self._confirm_discard("quit"):
            return
        if self.run_is_active():
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
                from tuitrain.engine import request_control

                request_control(self.run_dir, "stop_batch")
        self.exit()
