"""``LiveRun``: the one callback that turns a ``model.fit`` into a run directory.

A user's own script adds ``LiveRun()`` to ``callbacks=[...]``; the trainer process uses the
same class on the directory its launcher prepared (:meth:`LiveRun.attach`). Either way the
run directory gets the same ``events.jsonl``, ``metrics.csv`` and run.json fields, so
``tuitrain attach``, ``runs``, ``metrics``, ``diff`` and the runs screen read both alike.

It holds the job callbacks of ``engine/callback.py`` and calls the hooks each one defines
(nothing else, so an unused batch hook costs nothing). In a script (it made the directory) it
also writes what a launcher would: run.json with status, pid, host, versions, devices, the
compile and fit arguments it can see and the layers' configs, ``model.summary.txt``, and the
outcome when ``fit`` returns (``finished``, ``stopped`` or ``failed``). If the script dies
inside ``fit``, readers see ``crashed`` once its process is gone.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any, Callable

import keras

from tuitrain.trainer.callbacks import BestMetrics, EventLog, RunControl, RunProgress, StopOnNaN
from tuitrain.runs.control import ControlInbox
from tuitrain.runs.events import EventWriter
from tuitrain.runs.layout import EVENTS_FILE, METRICS_CSV, SUMMARY_FILE, TRAINER_LOG
from tuitrain.runs.keras_config import plain, plain_layer
from tuitrain.runs.record import exception_text, new_record, outcome_fields, process_fields, stop_message
from tuitrain.runs.rundir import MAX_RUN_NAME, environment_info, new_run_dir, update_run_json, write_run_json
from tuitrain.runs.listing import default_runs_dir
from tuitrain.common.safetext import clean_line, has_unsafe

# run.json's progress fields (epochs done, best values) are rewritten at most this often.
PROGRESS_EVERY_S = 2.0
# Hooks LiveRun passes on; the legacy batch names are what TerminateOnNaN overrides.
_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end")
_LEGACY = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}
# Arguments of `fit` recorded in run.json (the data itself is not).
FIT_ARGS = ("batch_size", "epochs", "validation_split", "shuffle", "class_weight", "initial_epoch",
            "steps_per_epoch", "validation_steps", "validation_batch_size", "validation_freq")
MAX_LAYERS = 500
MAX_TRACE_LINES = 60  # of a script's traceback kept in the run's log


class LiveRun(keras.callbacks.Callback):
    """Write a tuitrain run directory while ``model.fit`` trains; honour stop/pause from the app.

    ``LiveRun()`` creates ``<runs_dir>/<name>-<YYYYmmdd-HHMMSS>/`` when training begins:
    ``runs_dir`` defaults to ``$TUITRAIN_RUNS`` or ``./runs``, ``name`` to the script's file
    name. ``log_every``: a batch row every N steps; ``flush_interval``: seconds between writes
    of ``events.jsonl``. Calling ``fit`` again with the same callback continues the same run.
    """

    def __init__(self, runs_dir: str | os.PathLike | None = None, name: str | None = None, *,
                 log_every: int = 1, flush_interval: float = 0.25) -> None:
        super().__init__()
        self.runs_dir = runs_dir
        self.name = run_name(name) if name is not None else _script_name()[:MAX_RUN_NAME]
        self.log_every = log_every
        self.flush_interval = flush_interval
        self.run_dir: Path | None = None
        self.writer: EventWriter | None = None
        self.owns_run = True  # False in the trainer: its launcher and `Trainer` write run.json
        self.parts: list[keras.callbacks.Callback] = []
        self._calls: dict[str, list[Callable[..., Any]]] = {}
        self._inbox: ControlInbox | None = None
        self._samples: int | None = None
        self._batch_size: int | None = None
        self._epochs_done = 0
        self._csv_append = False
        self._extra_progress: Callable[[], dict[str, Any]] = dict
        self._open = False  # a script's run between train begin and its recorded outcome
        self._hook: Callable[..., Any] | None = None  # our sys.excepthook while the run is open
        self._previous_hook: Callable[..., Any] = sys.excepthook

    @classmethod
    def attach(cls, run_dir: Path, writer: EventWriter, inbox: ControlInbox | None, *, samples: int | None,
               batch_size: int | None, log_every: int = 1, epochs_done: int = 0, append: bool = False,
               extra_progress: Callable[[], dict[str, Any]] = dict) -> "LiveRun":
        """The trainer's LiveRun: on a run directory (and events file) its launcher already wrote."""
        live = cls(log_every=log_every)
        live.run_dir, live.writer, live._inbox, live.owns_run = Path(run_dir), writer, inbox, False
        live._samples, live._batch_size, live._epochs_done = samples, batch_size, epochs_done
        live._csv_append, live._extra_progress = append, extra_progress
        live._assemble()
        return live

    # -- the parts ---------------------------------------------------------------------------

    def _assemble(self) -> None:
        assert self.run_dir is not None and self.writer is not None
        run_dir = self.run_dir
        self.events = EventLog(self.writer, samples=self._samples, batch_size=self._batch_size,
                               log_every=self.log_every, epochs_done=self._epochs_done)
        self.control = RunControl(self.writer, self._inbox, on_status=lambda s: update_run_json(run_dir, status=s),
                                  on_pause_end=self.events.paused_for)
        self.nan = StopOnNaN()
        self.best_metrics = BestMetrics(is_partial=lambda: self.events.partial)
        csv = keras.callbacks.CSVLogger(str(run_dir / METRICS_CSV), append=self._csv_append)
        progress = RunProgress(lambda: update_run_json(run_dir, **self.progress_fields()), every_s=PROGRESS_EVERY_S)
        # Order matters at an epoch end: the row is written and a NaN found before anything stops.
        self.parts = [self.events, self.nan, self.best_metrics, self.control, csv, progress]
        self.wire()
        if self.model is not None:
            self.set_model(self.model)
        if self.params:
            self.set_params(self.params)

    def wire(self) -> None:
        """Which part each hook calls (again after a part's hook was replaced, as the benchmark does)."""
        self._calls = {hook: [getattr(p, hook) for p in self.parts if _overrides(p, hook)] for hook in _HOOKS}

    def set_model(self, model):
        super().set_model(model)
        for part in self.parts:
            part.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        for part in self.parts:
            part.set_params(params)

    def _call(self, hook: str, *args: Any) -> None:
        for fn in self._calls.get(hook, ()):
            fn(*args)

    # -- Keras hooks --------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        if self.owns_run:
            self._begin_script_run()
        self._call("on_train_begin", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        for fn in self._calls["on_train_batch_begin"]:
            fn(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        for fn in self._calls["on_train_batch_end"]:
            fn(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)
        if self.owns_run:
            self._end_script_run()

    # -- what the trainer and the Checkpointer read ---------------------------------------------

    @property
    def step(self) -> int:
        return self.events.step if self.parts else 0

    @property
    def epoch(self) -> int:
        return self.events.epoch if self.parts else 0

    @property
    def epochs_done(self) -> int:
        return self.events.epochs_done if self.parts else self._epochs_done

    @property
    def epoch_partial(self) -> bool:
        """The epoch that just ended was cut short by a stop (its values are no epoch's: not a best)."""
        return self.events.partial if self.parts else False

    @property
    def samples_total(self) -> int:
        return self.events.samples_total if self.parts else 0

    @property
    def best(self) -> dict[str, float]:
        return self.best_metrics.best if self.parts else {}

    @property
    def failure(self) -> str | None:
        return self.nan.failure if self.parts else None

    @property
    def stop_reason(self) -> str | None:
        return self.control.stop_reason if self.parts else None

    @property
    def stop_note(self) -> str | None:
        return self.control.stop_note if self.parts else None

    def stop_message(self) -> str:
        """Where the stop left the run, in plain words ("stopped after batch 7 of epoch 2")."""
        return stop_message(self.stop_note, epoch=self.epoch, batches=self.events.batches_done, steps=self.events.steps)

    def request(self, action: str, *, note: str | None = None) -> None:
        self.control.request(action, note=note)

    def drain_requests(self) -> None:
        self.control.drain_requests()

    def progress_fields(self) -> dict[str, Any]:
        """run.json's progress: what `tuitrain runs` shows while the run goes on."""
        return {"epochs_done": self.epochs_done, "step": self.step, "best": dict(self.best)} | self._extra_progress()

    # -- a run of the user's own script ------------------------------------------------------------

    def _begin_script_run(self) -> None:
        """First ``fit``: make the directory and run.json; a later ``fit`` continues the run."""
        fit = _fit_arguments(self.model)
        now = time.time()
        if self.run_dir is None:
            self.run_dir = new_run_dir(default_runs_dir(self.runs_dir), self.name, now=now)
            write_run_json(self.run_dir, new_record(
                self.run_dir.name, self.name, status="running", now=now, source="script",
                script=os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else None, argv=sys.argv[1:50]))
            self._inbox = ControlInbox(self.run_dir)
            self.writer = EventWriter(self.run_dir / EVENTS_FILE, t0=now, flush_interval=self.flush_interval)
        else:  # the same LiveRun in a second fit: keep counting epochs from where Keras says
            self.writer = EventWriter(self.run_dir / EVENTS_FILE, t0=self.writer.t0 if self.writer else now,
                                      flush_interval=self.flush_interval)
            self._csv_append = True
        self._samples, self._batch_size = fit.pop("_samples", None), fit.pop("_batch_size", None)
        self._epochs_done = int(fit.get("initial_epoch") or 0)
        self._assemble()
        self._open = True
        self._install_excepthook()
        update_run_json(self.run_dir, status="running", **process_fields(), ended=None, error=None, message=None, epochs_total=self.params.get("epochs"),
                        batch_size=self._batch_size, samples=self._samples, **_model_facts(self.model),
                        fit=fit, versions=_versions(), devices=_devices())
        try:
            from tuitrain.model.summary import summary_text

            (self.run_dir / SUMMARY_FILE).write_text(summary_text(self.model) + "\n", encoding="utf-8")
        except Exception as err:  # a model Keras cannot summarise still trains
            self.writer.log(f"no model summary: {type(err).__name__}: {err}")

    def _end_script_run(self) -> None:
        self.control.drain_requests()
        if self.failure:
            self._close_script_run("failed", error=self.failure)
        elif self.stop_reason:
            self._close_script_run("stopped", message=self.stop_message())
        else:
            self._close_script_run("finished")

    def _close_script_run(self, status: str, *, error: str | None = None, message: str | None = None) -> None:
        """The outcome in events.jsonl and run.json; once per ``fit`` (an exception after it changes nothing)."""
        if not self._open:
            return
        self._open = False
        self._restore_excepthook()
        assert self.writer is not None and self.run_dir is not None
        self.writer.status(status, step=self.step, epoch=self.epoch, message=error or message)
        stats = self.writer.stats()
        self.writer.close()
        update_run_json(self.run_dir, **outcome_fields(status, error=error, message=message, events=stats,
                                                       samples_trained=self.samples_total, **self.progress_fields()))

    # -- a script that raises inside ``fit`` ---------------------------------------------------------

    def __enter__(self) -> "LiveRun":
        """``with LiveRun() as live: model.fit(..., callbacks=[live])`` records any exception of the block."""
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is not None:
            self.record_exception(exc)
        return False

    def record_exception(self, err: BaseException) -> None:
        """The script raised while this run was open: run.json says ``failed`` with the exception's type,
        message and the script's line, and the run's log holds the traceback (readers would otherwise
        only see ``crashed`` with no reason once the process is gone). Ctrl-C reads as a stop."""
        if not self._open or self.run_dir is None:
            return
        try:
            (self.run_dir / TRAINER_LOG).write_text("".join(traceback.format_exception(err)[-MAX_TRACE_LINES:]),
                                                    encoding="utf-8")
        except OSError:
            pass  # the outcome in run.json matters more than the log
        if isinstance(err, KeyboardInterrupt):
            self._close_script_run("stopped", message=stop_message(
                "interrupted (Ctrl-C)", epoch=self.epoch, batches=self.events.batches_done, steps=self.events.steps))
        else:
            self._close_script_run("failed", error=exception_text(err))

    def _install_excepthook(self) -> None:
        """While a run is open, an exception nobody catches is recorded before Python prints it."""
        previous = sys.excepthook

        def record_then_print(exc_type, exc, tb):
            try:
                self.record_exception(exc)
            finally:
                previous(exc_type, exc, tb)

        self._previous_hook, self._hook = previous, record_then_print
        sys.excepthook = record_then_print

    def _restore_excepthook(self) -> None:
        if self._hook is not None and sys.excepthook is self._hook:
            sys.excepthook = self._previous_hook
        self._hook = None


def _overrides(part: keras.callbacks.Callback, hook: str) -> bool:
    base = keras.callbacks.Callback
    names = (hook, _LEGACY[hook]) if hook in _LEGACY else (hook,)
    return any(getattr(type(part), n) is not getattr(base, n) for n in names)


def run_name(name: object) -> str:
    """``LiveRun(name=...)`` checked when the callback is made, before ``fit``: text without control
    characters; a name over ``MAX_RUN_NAME`` characters is cut with a warning (a 300-character name
    made the run directory's name too long for the file system and killed the user's ``fit``)."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"LiveRun(name=...): expected a non-empty text, got {clean_line(repr(name))[:60]}")
    if has_unsafe(name) or "\n" in name or "\t" in name:
        raise ValueError(f"LiveRun(name=...): {clean_line(repr(name))[:80]} holds control characters")
    if len(name) > MAX_RUN_NAME:
        warnings.warn(f"LiveRun(name=...): the name is {len(name)} characters; cut to its first {MAX_RUN_NAME}",
                      stacklevel=3)
        return name[:MAX_RUN_NAME]
    return name


def _script_name() -> str:
    script = sys.argv[0] if sys.argv else ""
    stem = Path(script).stem if script and script not in ("-c", "-") else ""
    return stem or "python"


def _fit_frame_locals(model: Any) -> dict[str, Any]:
    """The local variables of the ``model.fit`` call that is running (its arguments, after Keras' split)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "fit" and frame.f_locals.get("self") is model:
            return dict(frame.f_locals)
        frame = frame.f_back
    return {}


def _fit_arguments(model: Any) -> dict[str, Any]:
    """The ``fit`` arguments worth recording, plus ``_samples`` / ``_batch_size`` for samples/s."""
    local = _fit_frame_locals(model)
    fit = {k: plain(local[k]) for k in FIT_ARGS if k in local}
    callbacks = local.get("callbacks")
    if isinstance(callbacks, (list, tuple)):
        fit["callbacks"] = [{"type": type(c).__name__} for c in callbacks if not isinstance(c, LiveRun)]
    adapter = getattr(local.get("epoch_iterator"), "data_adapter", None)
    batch_size = getattr(adapter, "batch_size", None) or local.get("batch_size")
    fit["_batch_size"] = int(batch_size) if isinstance(batch_size, int) else None
    x = local.get("x")
    first = x[0] if isinstance(x, (list, tuple)) and x else (next(iter(x.values()), None) if isinstance(x, dict) else x)
    shape = getattr(first, "shape", None)
    fit["_samples"] = int(shape[0]) if shape is not None and len(shape) and shape[0] is not None else None
    return fit


def _model_facts(model: Any) -> dict[str, Any]:
    """Compile arguments, layer configs and parameter count, in the preset's spelling where it has one."""
    facts: dict[str, Any] = {"backend": keras.backend.backend()}
    try:
        facts["compile"] = plain(model.get_compile_config() or {})
    except Exception:
        facts["compile"] = {}
    layers = []
    for layer in list(getattr(model, "layers", []))[:MAX_LAYERS]:
        try:
            config = layer.get_config()
        except Exception:
            config = {}
        layers.append(plain_layer(type(layer).__name__, config))
    facts["layers"] = layers
    try:
        facts["params"] = int(model.count_params())
    except Exception:
        pass
    return facts


def _versions() -> dict[str, str]:
    versions = dict(environment_info()["versions"], keras=keras.__version__)
    tf = sys.modules.get("tensorflow")
    if tf is not None and hasattr(tf, "__version__"):
        versions["tensorflow"] = tf.__version__
    return versions


def _devices() -> list[str]:
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return [f"backend:{keras.backend.backend()}"]
    try:
        return [f"{d.device_type}:{d.name}" for d in tf.config.list_physical_devices()]
    except Exception:
        return []
