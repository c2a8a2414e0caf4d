"""The trainer process: ``python -m tuitrain.trainer RUN_DIR``.

Reads ``preset.toml`` from the run directory, builds data and model with ``tuitrain.model``,
fits with the live-metrics and checkpoint callbacks, and records the outcome in ``run.json``
and ``events.jsonl`` whatever happens: ``finished``, ``stopped`` (a control request or
SIGTERM), or ``failed`` with the error text (NaN loss, a bad preset, an exception in data or
model code). Output (TensorFlow's warnings, tracebacks) goes to ``trainer.log``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuitrain.runs.control import ControlInbox
from tuitrain.runs.events import EventWriter
from tuitrain.runs.layout import BACKUP_DIR, CHECKPOINTS, EVENTS_FILE, LAST_CHECKPOINT, MODEL_FILE, PRESET_FILE, RUN_JSON, SUMMARY_FILE, TENSORBOARD_DIR
from tuitrain.runs.record import outcome_fields, process_fields
from tuitrain.runs.rundir import read_run_json, update_run_json
from tuitrain.common.errors import TuitrainError
from tuitrain.common.fsutil import read_bounded
from tuitrain.common.limits import MAX_PRESET_BYTES
from tuitrain.trainer.phases import PhaseSwitch


class StopRequested(Exception):
    """SIGTERM/SIGINT before training started (or a second one while stopping)."""


class Trainer:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.info = read_run_json(run_dir)
        self.t0 = float(self.info.get("started") or time.time())
        self.writer = EventWriter(run_dir / EVENTS_FILE, t0=self.t0)
        self.live: Any = None
        self.checkpointer: Any = None
        self.fitting = False
        self.signals = 0
        self.handles_signals = False
        self.fit_seconds: float | None = None  # wall and CPU time of model.fit alone (the benchmark's clock)
        self.fit_cpu_seconds: float | None = None
        self.samples_trained = 0
        # Read from the offset recorded at launch: a stop sent during start-up is not lost.
        self.inbox = ControlInbox(run_dir, offset=self.info.get("control_offset"))
        self.early_requests: list[str] = []  # pause/resume seen before fit, applied at the first batch
        self.sampler: Any = None  # system samples (CPU, memory, GPUs) into system.jsonl while the run lives
        self.cluster: Any = None  # several machines: who is who (tuitrain.trainer.distribute.Cluster)

    # -- signals -----------------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.signals += 1
        name = signal.Signals(signum).name
        if self.fitting and self.live is not None and self.signals == 1:
            # Only queue: the handler may run while this thread holds the event writer's lock.
            self.live.request("signal", note=f"{name} received")
            return
        raise StopRequested(f"{name} received")

    def install_signals(self) -> None:
        self.handles_signals = True
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the terminal that started us may go away

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> int:
        # sid == pid and no controlling tty: nothing that happens to the starting terminal reaches us.
        update_run_json(self.run_dir, **process_fields(), sid=os.getsid(0), controlling_tty=_has_controlling_tty())
        status, error, message = "failed", None, None
        try:
            status, message = self._train()
        except StopRequested as err:
            status, message = "stopped", str(err)
        except TuitrainError as err:
            error = str(_cited_in_original(err, self.info))
        except BaseException as err:  # noqa: BLE001 - everything ends up in run.json
            traceback.print_exc()
            error = f"{type(err).__name__}: {err}".strip()
            if isinstance(err, KeyboardInterrupt):
                status, error, message = "stopped", None, "interrupted"
        if status == "failed" and error is None and self.live is not None:
            error = self.live.failure
        if status == "failed" and error and self.cluster is not None:
            from tuitrain.trainer.distribute import explain_cluster_error

            error = explain_cluster_error(error, self.cluster)
        self._finish(status, error, message)
        return 0 if status in ("finished", "stopped") else 1

    def _finish(self, status: str, error: str | None, message: str | None) -> None:
        if self.handles_signals:  # the outcome is being written: a signal must not cut it short
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_IGN)
        live = self.live
        step = live.step if live else 0
        epoch = live.epoch if live else 0
        if error:
            print(f"tuitrain trainer: {status}: {error}", file=sys.stderr, flush=True)
        self.writer.status(status, step=step, epoch=epoch, message=error or message)
        stats = self.writer.stats()
        self.writer.close()
        fields = outcome_fields(status, error=error, message=message, events=stats, fit_seconds=self.fit_seconds,
                                fit_cpu_seconds=self.fit_cpu_seconds, samples_trained=self.samples_trained)
        if live is not None:
            fields.update(self._progress_fields())
        if self.sampler is not None:
            fields["system"] = self.sampler.stop()
        update_run_json(self.run_dir, **fields)

    def _progress_fields(self) -> dict[str, Any]:
        return self.live.progress_fields()

    def _checkpoint_fields(self) -> dict[str, Any]:
        return {"best_epoch": self.checkpointer.best_epoch} if self.checkpointer is not None else {}

    def _warn(self, message: str) -> None:
        """A problem the run goes on with: an event for the chart's log and a line in run.json."""
        self.writer.log(f"warning: {message}")
        warnings = list(read_run_json(self.run_dir).get("warnings") or [])
        update_run_json(self.run_dir, warnings=warnings + [message])

    def _warm_start(self, model: Any, path: str) -> None:
        """A sweep's Hyperband round continues an earlier trial: its weights (not its code or optimizer)."""
        if not path.endswith(".keras") or not Path(path).is_file():
            raise TuitrainError(f"warm_start: {path} is not a .keras model file")
        model.load_weights(path)
        self.writer.log(f"weights from {path}")

    def _check_requests(self) -> None:
        """Before ``fit``: a stop ends the run now (no point loading the rest); pause/resume wait."""
        for action in self.inbox.poll(force=True):
            if action in ("stop_batch", "stop_epoch"):
                self.writer.status("stopping", message="stop requested before training started", request=action)
                raise StopRequested(f"{action} requested before training started")
            self.early_requests.append(action)

    def _train(self) -> tuple[str, str | None]:
        """The run's steps in order; a stop request is looked at between the slow ones."""
        preset, options = self._load_preset()
        self._join_cluster()
        self._check_requests()
        import keras  # noqa: F401 - the slow imports: a stop sent meanwhile ends the run right after them
        import tensorflow  # noqa: F401

        self._check_requests()
        from tuitrain.trainer.distribute import setup_strategy
        from tuitrain.trainer.system import start_sampler

        strategy, build_preset, dist_info = setup_strategy(preset, self.cluster)
        self.sampler = start_sampler(self.run_dir, t0=self.t0, every_s=options.system_every)
        self._record_environment(dist_info)
        model, ds, state = self._build(build_preset, strategy)
        self._check_requests()
        plan = FitPlan.make(preset, ds, options, state, resume=bool(self.info.get("resumed")))
        callbacks = self._callbacks(preset, options, plan, state, strategy)
        update_run_json(self.run_dir, status="running", epochs_total=plan.epochs, monitor=plan.monitor,
                        monitor_mode=plan.mode, batch_size=plan.batch_size, samples=ds.samples,
                        epochs_done=plan.initial_epoch, **plan.phases_fields(preset))
        if plan.initial_epoch >= plan.epochs or plan.cursor.index >= len(plan.phases):
            self.writer.log(f"nothing to do: {plan.initial_epoch} of {plan.epochs} epochs already done "
                            "(raise fit.epochs to train on)")
            return "finished", "already complete"
        switch = PhaseSwitch(model, preset, plan.phases, scope=strategy.scope, writer=self.writer,
                             record=self._record_phase)
        self._fit(model, ds, plan, callbacks, switch)
        return self._outcome(model, plan.epochs)

    def _load_preset(self) -> tuple[Any, Any]:
        """The run's preset, its data paths resolved where the user's preset lives, and the trainer options."""
        from tuitrain.preset import load_preset
        from tuitrain.trainer.fit_options import engine_options

        preset = load_preset(self.run_dir / PRESET_FILE)
        # Relative data paths belong to the folder of the preset the user started from.
        if self.info.get("preset_path"):
            preset.path = Path(self.info["preset_path"])
        elif self.info.get("base_dir") and Path(self.info["base_dir"]).is_dir():
            os.chdir(self.info["base_dir"])  # an unsaved preset: paths relative to where it was started
            preset.path = None
        if self.info.get("trusted") is True:  # --trust for this attempt
            preset.trusted = True
        options = engine_options(preset.fit)
        self.writer.flush_interval = options.flush_interval
        self.writer.log(f"loading TensorFlow, data and model for {preset.name}")
        return preset, options

    def _join_cluster(self) -> None:
        """Several machines (TF_CONFIG, set by `--workers` or by the user): who this one is, in run.json."""
        from tuitrain.trainer.distribute import cluster_from_env

        self.cluster = cluster_from_env()
        if self.cluster is not None:
            n = len(self.cluster.workers)
            update_run_json(self.run_dir, workers=list(self.cluster.workers), worker_index=self.cluster.index,
                            role="chief" if self.cluster.is_chief else "worker", workers_joined=None)
            self.writer.log(f"waiting for the {n} workers to join: {', '.join(self.cluster.workers)}")

    def _record_environment(self, dist_info: dict[str, Any]) -> None:
        """TensorFlow's and Keras' versions, the devices TensorFlow sees and the strategy, in run.json."""
        import keras
        import tensorflow as tf

        from tuitrain.trainer.devices import missing_gpu_reason

        versions = dict(self.info.get("versions") or {}, tensorflow=tf.__version__, keras=keras.__version__)
        devices = [f"{d.device_type}:{d.name}" for d in tf.config.list_physical_devices()]
        update_run_json(self.run_dir, versions=versions, devices=devices, gpu_problem=missing_gpu_reason(), **dist_info)
        if self.cluster is not None:
            self.writer.log(f"{dist_info['workers_joined']} workers joined; {dist_info['replicas']} replicas in sync")

    def _build(self, build_preset: Any, strategy: Any) -> tuple[Any, Any, dict[str, Any]]:
        """Data and model (restored from the last checkpoint on resume), and the checkpoint state."""
        from tuitrain.model import prepare, summary_text

        with strategy.scope():  # variables (model, optimizer) are created where the strategy places them
            checked = prepare(build_preset)
        if self.cluster is not None:
            from tuitrain.trainer.distribute import patch_multi_worker_fit

            patch_multi_worker_fit(checked.model)
        for warn in checked.warnings:
            self.writer.log(f"warning: {warn}")
        model, state = checked.model, {}
        if self.info.get("resumed"):
            model, state = self._restore(model, strategy)
        elif self.info.get("warm_start"):
            self._warm_start(model, str(self.info["warm_start"]))
        (self.run_dir / SUMMARY_FILE).write_text(summary_text(model) + "\n", encoding="utf-8")
        return model, checked.dataset, state

    def _restore(self, model: Any, strategy: Any) -> tuple[Any, dict[str, Any]]:
        """Resume: the last checkpoint (one machine) or every worker's backup of the same epoch."""
        import keras

        from tuitrain.trainer.checkpoint import read_state

        if self.cluster is not None:
            from tuitrain.trainer.distribute import agree_backup

            state = dict(read_state(self.run_dir / CHECKPOINTS), epochs_done=agree_backup(strategy, self.run_dir))
            self.writer.log(f"resuming from {BACKUP_DIR}/ after epoch {state['epochs_done']}")
            return model, state
        state = read_state(self.run_dir / CHECKPOINTS)
        with strategy.scope():
            model = keras.models.load_model(self.run_dir / LAST_CHECKPOINT, safe_mode=True)
        self.writer.log(f"resumed from {LAST_CHECKPOINT} after epoch {state.get('epochs_done', 0)}")
        return model, state

    def _callbacks(self, preset: Any, options: Any, plan: "FitPlan", state: dict[str, Any], strategy: Any) -> list[Any]:
        """LiveRun (events, control, progress), checkpoints, divergence warnings, then the preset's own."""
        from tuitrain.trainer.checkpoint import Checkpointer
        from tuitrain.trainer.divergence import DivergenceWatch
        from tuitrain.trainer.liverun import LiveRun

        self.live = LiveRun.attach(self.run_dir, self.writer, self.inbox, samples=plan.samples,
                                   batch_size=plan.batch_size, log_every=options.log_every,
                                   epochs_done=plan.initial_epoch, append=plan.resume,
                                   extra_progress=self._checkpoint_fields)
        for action in self.early_requests:
            self.live.request(action)
        same_monitor = state.get("monitor") == plan.monitor  # a best of another metric means nothing now
        self.checkpointer = Checkpointer(self.run_dir / CHECKPOINTS, monitor=plan.monitor, mode=plan.mode,
                                         # Workers must save at the same epochs: saving reads synced variables
                                         # (a collective), so a time-based schedule would deadlock them.
                                         every_s=0.0 if self.cluster else options.checkpoint_every,
                                         epochs_done=plan.initial_epoch,
                                         best=state.get("best") if same_monitor else None,
                                         best_epoch=state.get("best_epoch") if same_monitor else None,
                                         live=self.live)
        callbacks = [self.live, self.checkpointer, DivergenceWatch(self._warn)]
        return callbacks + self._optional_callbacks(preset, options, strategy)

    def _optional_callbacks(self, preset: Any, options: Any, strategy: Any) -> list[Any]:
        """TensorBoard when asked, the preset's callbacks (paths inside the run), a cluster's backup and stop."""
        import keras

        from tuitrain.model import resolve_callbacks

        callbacks: list[Any] = []
        if options.tensorboard:
            callbacks.append(keras.callbacks.TensorBoard(log_dir=str(self.run_dir / TENSORBOARD_DIR)))
        writes: list[str] = []
        callbacks.extend(resolve_callbacks(preset.fit, run_dir=self.run_dir, writes=writes, trusted=preset.trusted))
        for line in writes:
            self.writer.log(f"callback {line}")
        if self.cluster is not None:  # a lost machine: `--resume` continues from the last whole epoch
            from tuitrain.trainer.distribute import cluster_stop_callback

            callbacks.append(keras.callbacks.BackupAndRestore(str(self.run_dir / BACKUP_DIR), double_checkpoint=True))
            callbacks.append(cluster_stop_callback(strategy))  # last: it sees the stop the other callbacks asked for
        return callbacks

    def _fit(self, model: Any, ds: Any, plan: "FitPlan", callbacks: list[Any], switch: PhaseSwitch) -> None:
        """``model.fit`` once per phase (one phase without ``[[phases]]``), timed (wall and CPU: the
        benchmark's clock); requests that came late are answered."""
        from tuitrain.data.tensors import fit_arrays, validation_data

        self.fitting = True
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            fit_args = dict(x=fit_arrays(ds.x_train), y=ds.y_train, sample_weight=ds.sample_weight,
                            validation_data=validation_data(ds) if plan.has_val else None, batch_size=plan.batch_size,
                            callbacks=callbacks, verbose=0, **plan.kwargs)
            self._fit_phases(model, switch, plan.cursor, plan.initial_epoch, fit_args, resumed=plan.resume)
        finally:
            self.fit_seconds = time.perf_counter() - start
            self.fit_cpu_seconds = time.process_time() - start_cpu
            self.fitting = False
            self.live.drain_requests()
            self.samples_trained = self.live.samples_total

    def _outcome(self, model: Any, epochs: int) -> tuple[str, str | None]:
        """Status and message after ``fit``; the final checkpoints and model are written unless it failed."""
        if self.live.failure:
            return "failed", None
        self.checkpointer.finalize()
        from tuitrain.trainer.checkpoint import save_model_atomic

        save_model_atomic(model, self.run_dir / MODEL_FILE)
        if self.live.stop_reason:
            return "stopped", self.live.stop_message()
        if self.live.epochs_done < epochs:
            return "finished", f"stopped early by a callback after epoch {self.live.epochs_done}"
        return "finished", None

    def _fit_phases(self, model: Any, switch: Any, cursor: Any, initial_epoch: int, fit_args: dict[str, Any],
                    *, resumed: bool) -> None:
        """``fit`` once per phase from ``cursor``; a stop request or NaN ends the run, a callback's early
        stop (EarlyStopping) only its phase: the next one begins at the epoch after the last trained."""
        from tuitrain.trainer.phases import Cursor, continue_csv, plan_epochs

        phases = switch.phases
        resumed_here = resumed and initial_epoch > cursor.start  # the checkpoint holds this phase's state
        if len(phases) > 1:
            plan_epochs(self.live, cursor.start + sum(int(p["epochs"]) for p in phases[cursor.index:]))
        while cursor.index < len(phases):
            switch.enter(cursor, resumed=resumed_here, step=self.live.step)
            self.checkpointer.phase = {"phase": cursor.index, "phase_start": cursor.start}
            end = cursor.start + int(phases[cursor.index]["epochs"])
            model.fit(epochs=end, initial_epoch=max(cursor.start, initial_epoch), **fit_args)
            if self.live.failure or self.live.stop_reason:
                return
            if cursor.index + 1 < len(phases):
                self.checkpointer.save()  # the phase's last epoch on disk before trainability changes
            cursor, resumed_here = Cursor(cursor.index + 1, self.live.epochs_done), False
            initial_epoch = cursor.start
            continue_csv(self.live)

    def _record_phase(self, index: int, start: int, trainable: int, frozen: int) -> None:
        """run.json: the phase now training, and the start epoch it really had."""
        phases = list(read_run_json(self.run_dir).get("phases") or [])
        if index < len(phases) and isinstance(phases[index], dict):
            phases[index] = dict(phases[index], start_epoch=start, trainable_params=trainable, frozen_params=frozen)
        update_run_json(self.run_dir, phase=index + 1, phases=phases)


@dataclass
class FitPlan:
    """What ``model.fit`` is called with beyond the data: epochs, batch size, where it starts, what it monitors."""

    epochs: int
    batch_size: int
    initial_epoch: int
    kwargs: dict[str, Any]
    has_val: bool
    monitor: str
    mode: str
    samples: int | None
    resume: bool
    first_start: int  # the preset's own initial_epoch: where the first phase begins
    phases: list[dict[str, Any]]  # [[phases]], or one phase of the preset's epochs
    cursor: Any  # trainer.phases.Cursor: the phase to (re)enter and its start epoch

    @classmethod
    def make(cls, preset: Any, ds: Any, options: Any, state: dict[str, Any], *, resume: bool) -> "FitPlan":
        from tuitrain.model import fit_kwargs
        from tuitrain.trainer.phases import Cursor, phase_list, resume_cursor

        kwargs = fit_kwargs(preset.fit, ds)
        epochs = int(kwargs.pop("epochs", 1))
        batch_size = int(kwargs.pop("batch_size", 32))
        first_start = int(kwargs.pop("initial_epoch", 0) or 0)
        phases = phase_list(preset, epochs, first_start)
        if preset.phases:  # the phases set the epochs (fit.epochs beside them is an error)
            epochs = first_start + sum(int(p["epochs"]) for p in phases)
        initial_epoch = int(state.get("epochs_done", first_start) or 0) if resume else first_start
        cursor = resume_cursor(phases, state, initial_epoch, first_start) if resume else Cursor(0, first_start)
        has_val = ds.x_val is not None and ds.y_val is not None
        monitor = options.monitor_for(has_val)
        return cls(epochs=epochs, batch_size=batch_size, initial_epoch=initial_epoch, kwargs=kwargs, has_val=has_val,
                   monitor=monitor, mode=options.mode_for(monitor), samples=ds.samples, resume=resume,
                   first_start=first_start, phases=phases, cursor=cursor)

    def phases_fields(self, preset: Any) -> dict[str, Any]:
        """run.json's record of the phases (only a preset with ``[[phases]]`` has one)."""
        from tuitrain.trainer.phases import phases_record

        return {"phases": phases_record(self.phases, self.first_start)} if preset.phases else {}


def _cited_in_original(err: TuitrainError, info: dict[str, Any]) -> TuitrainError:
    """An error located in the run's resolved preset.toml, re-cited at the line of the user's own file
    (the one `tuitrain check` names), when that file still exists."""
    from tuitrain.preset import line_of

    original = info.get("preset_path")
    path = getattr(err, "path", None)
    if not original or not path or not hasattr(err, "located"):
        return err
    try:
        text = read_bounded(original, MAX_PRESET_BYTES, what="the preset").decode("utf-8")  # for the line number only
    except (OSError, UnicodeDecodeError):
        return err
    err.file, err.line = str(original), line_of(text, path)
    return err.located()


def _has_controlling_tty() -> bool:
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY))
    except OSError:
        return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tuitrain.trainer RUN_DIR", file=sys.stderr)
        return 2
    run_dir = Path(argv[0]).resolve()
    if not (run_dir / RUN_JSON).is_file():
        print(f"{run_dir}: not a run directory (no {RUN_JSON})", file=sys.stderr)
        return 2
    from tuitrain.runs import lock

    try:
        lock_fd = lock.hold(run_dir)  # kept open until the process ends: the kernel releases it
    except lock.RunLocked as err:
        print(f"tuitrain trainer: {err}", file=sys.stderr)
        return 2
    trainer = Trainer(run_dir)
    trainer.install_signals()
    try:
        code = trainer.run()
    finally:
        os.close(lock_fd)
    if trainer.cluster is not None:
        # A collective strategy's gRPC server and threads can keep the interpreter from exiting after a
        # lost peer; the outcome is written, and the port must be free for `--resume`.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
