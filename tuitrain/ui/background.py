"""The app's background work: TensorFlow import, data loading, the debounced model build.

Each runs in a thread worker and posts a message (``tuitrain.ui.messages``) that the UI thread
turns into app state.  ``pending()`` says in words what is still running; ``ready`` (a reactive
on the app) and ``ready_event`` are set when nothing is, which is what tests wait for.
"""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING

from textual import work
from textual.widgets import TabPane

from tuitrain.common.errors import TuitrainError
from tuitrain.ui.messages import DataFailed, DataLoaded, ModelBuilt, StatusChanged, TensorFlowFailed, TensorFlowReady
from tuitrain.ui.panes import PANES, ReportsPending

if TYPE_CHECKING:
    from tuitrain.data import Dataset
    from tuitrain.preset import Preset

# Seconds of quiet after a preset change before the model is rebuilt.
BUILD_DEBOUNCE_S = 0.3


_TF_IMPORT = threading.Lock()


def _import_tensorflow() -> None:
    """Slow (seconds): runs in a worker thread so the first screen never waits for it.

    One thread imports at a time: two threads importing TensorFlow and Keras at once can each hold a
    module the other needs, and Python then hands one of them a half-initialised module
    (``dataset_ops has no attribute 'DatasetV2'``)."""
    # TensorFlow's C++ start-up chatter goes straight to fd 2 and would scribble over the screen.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _TF_IMPORT:
        import tensorflow  # noqa: F401
        import keras  # noqa: F401


def data_key(preset: Preset) -> str:
    """What the dataset depends on: data section, seed and where relative paths point."""
    return json.dumps([preset.data, preset.seed, str(preset.base_dir)], sort_keys=True, default=str)


def model_key(preset: Preset) -> str:
    """What the built model depends on: the layers, the seed and the data (its input shape)."""
    return json.dumps([preset.layers, data_key(preset)], sort_keys=True, default=str)


class BackgroundWork:
    """Mixed into ``TuitrainApp`` (which declares the reactives these methods set)."""

    def tensorflow_importing(self) -> bool:
        """A worker is importing TensorFlow now: Keras must not be imported on another thread meanwhile."""
        return not self.tf_ready and any(w.group in ("tensorflow", "data") and not w.is_finished for w in self.workers)

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
    def _load_data(self, preset: Preset, key: str) -> None:
        try:
            _import_tensorflow()  # keras datasets and preprocessing need it; returns at once once loaded
            self.post_message(StatusChanged("loading data…"))
            from tuitrain.data import load_dataset
            from tuitrain.preset import with_line as _with_line

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
        # The panes live on the first screen; a dialog on top (the layer form) must not hide their work.
        base = self.screen_stack[0] if self.screen_stack else None
        for info in PANES:
            for tab in (base.query(f"#panes TabPane#{info.id}").results(TabPane) if base is not None else ()):
                for pane in tab.children:
                    if isinstance(pane, ReportsPending):
                        waiting.extend(f"{info.id} pane: {what}" for what in pane.pending())
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
        self._build_model(self.preset, self.dataset, self._build_generation)

    @work(thread=True, exclusive=True, group="model-build", exit_on_error=False)
    def _build_model(self, preset: Preset, dataset: Dataset, generation: int) -> None:
        import keras

        from tuitrain.model import BuildReport, build_model_partial

        with self._build_lock:  # a cancelled build's thread may still run; Keras state is global
            try:
                keras.backend.clear_session()  # layer names restart at dense, dense_1… on each build
                keras.utils.set_random_seed(preset.seed)
                # With the data: every input's shape and dtype, and adapt = true layers learn from it.
                if self.trusted:  # --trust for this session (the preset's own file cannot say so)
                    preset = preset.copy()
                    preset.trusted = True
                report = build_model_partial(preset, dataset=dataset)
            except Exception as err:  # noqa: BLE001 - shown in the status line and the layers pane
                report = BuildReport(rows=[], model=None, error=str(err))
        report.key = model_key(preset)  # the Layers pane shows its rows only for this preset's layers and data
        self.post_message(ModelBuilt(report, generation))

    def on_status_changed(self, message: StatusChanged) -> None:
        self._show_status(message.text)

    def on_tensor_flow_failed(self) -> None:
        self._tf_failed = True
        self.refresh_ready()

    def on_tensor_flow_ready(self) -> None:
        self.tf_ready = True
        if self.preset is None:
            self._show_status("TensorFlow ready · no preset loaded")
        elif self.dataset is None and not self.data_error:
            self._show_status("loading data…")
        self._schedule_build()

    def on_data_loaded(self, message: DataLoaded) -> None:
        if message.key != self._data_key:
            return  # the preset's data changed while loading
        self._data_done_key = message.key
        self.data_error = None  # the data error of an earlier edit is fixed
        self.dataset = message.dataset
        self._show_status(f"data: {message.dataset.source}")
        self._schedule_build()

    def on_data_failed(self, message: DataFailed) -> None:
        if message.key != self._data_key:
            return
        self._data_done_key = message.key
        self.data_error = message.message
        self._show_status("data failed to load (see above)")
        self.refresh_ready()

    def on_model_built(self, message: ModelBuilt) -> None:
        if message.generation != self._build_generation:
            return  # the preset changed again: a newer build is coming
        report = message.report
        self._built_generation = message.generation
        self.build_report = report  # (the app's watcher recomputes the warnings before the panes look)
        if report.error:
            self._show_status(f"model: {report.error}")
        else:
            self._show_status(f"ready · model: {report.total_params:,} parameters")
        self.refresh_ready()
