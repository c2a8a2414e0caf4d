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
from pathlib import Path
from typing import Any

from tuitrain.runs.control import ControlInbox
from tuitrain.runs.events import EVENTS_FILE, EventWriter
from tuitrain.runs.rundir import (
    CHECKPOINTS,
    LAST_CHECKPOINT,
    MODEL_FILE,
    PRESET_FILE,
    SUMMARY_FILE,
    TENSORBOARD_DIR,
    process_start_time,
    read_run_json,
    update_run_json,
)
from tuitrain.common.errors import TuitrainError
from tuitrain.common.fsutil import read_bounded
from tuitrain.common.limits import MAX_PRESET_BYTES


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
        update_run_json(self.run_dir, pid=os.getpid(), pid_started=process_start_time(os.getpid()),
                        sid=os.getsid(0), controlling_tty=_has_controlling_tty())
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
        fields: dict[str, Any] = {"status": status, "ended": time.time(), "error": error, "message": message,
                                  "events": stats, "fit_seconds": self.fit_seconds,
                                  "fit_cpu_seconds": self.fit_cpu_seconds, "samples_trained": self.samples_trained}
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
        from tuitrain.trainer.fit_options import engine_options
        from tuitrain.preset import load_preset

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
        from tuitrain.trainer.distribute import cluster_from_env

        self.cluster = cluster_from_env()  # TF_CONFIG: set by `--workers`, or by the user
        if self.cluster is not None:
            n = len(self.cluster.workers)
            update_run_json(self.run_dir, workers=list(self.cluster.workers), worker_index=self.cluster.index,
                            role="chief" if self.cluster.is_chief else "worker", workers_joined=None)
            self.writer.log(f"waiting for the {n} workers to join: {', '.join(self.cluster.workers)}")
        self._check_requests()

        import keras
        import tensorflow as tf

        self._check_requests()

        from tuitrain.trainer.checkpoint import Checkpointer, read_state
        from tuitrain.trainer.liverun import LiveRun
        from tuitrain.model import fit_kwargs, prepare, resolve_callbacks, summary_text

        from tuitrain.trainer.distribute import BACKUP_DIR, agree_backup, setup_strategy
        from tuitrain.trainer.system import start_sampler

        strategy, build_preset, dist_info = setup_strategy(preset, self.cluster)
        self.sampler = start_sampler(self.run_dir, t0=self.t0, every_s=options.system_every)
        versions = dict(self.info.get("versions") or {}, tensorflow=tf.__version__, keras=keras.__version__)
        devices = [f"{d.device_type}:{d.name}" for d in tf.config.list_physical_devices()]
        from tuitrain.trainer.devices import missing_gpu_reason

        update_run_json(self.run_dir, versions=versions, devices=devices, gpu_problem=missing_gpu_reason(), **dist_info)
        if self.cluster is not None:
            self.writer.log(f"{dist_info['workers_joined']} workers joined; {dist_info['replicas']} replicas in sync")

        with strategy.scope():  # variables (model, optimizer) are created where the strategy places them
            checked = prepare(build_preset)
        if self.cluster is not None:
            from tuitrain.trainer.distribute import patch_multi_worker_fit

            patch_multi_worker_fit(checked.model)
        ds = checked.dataset
        for warn in checked.warnings:
            self.writer.log(f"warning: {warn}")
        model = checked.model
        resume = bool(self.info.get("resumed"))
        state: dict[str, Any] = {}
        if resume and self.cluster is not None:  # every worker restores its own backup of the same epoch
            state = dict(read_state(self.run_dir / CHECKPOINTS), epochs_done=agree_backup(strategy, self.run_dir))
            self.writer.log(f"resuming from {BACKUP_DIR}/ after epoch {state['epochs_done']}")
        elif resume:
            state = read_state(self.run_dir / CHECKPOINTS)
            with strategy.scope():
                model = keras.models.load_model(self.run_dir / LAST_CHECKPOINT, safe_mode=True)
            self.writer.log(f"resumed from {LAST_CHECKPOINT} after epoch {state.get('epochs_done', 0)}")
        elif self.info.get("warm_start"):
            self._warm_start(model, str(self.info["warm_start"]))
        (self.run_dir / SUMMARY_FILE).write_text(summary_text(model) + "\n", encoding="utf-8")
        self._check_requests()

        kwargs = fit_kwargs(preset.fit, ds)
        epochs = int(kwargs.pop("epochs", 1))
        batch_size = int(kwargs.pop("batch_size", 32))
        initial_epoch = int(kwargs.pop("initial_epoch", 0) or 0)
        if resume:
            initial_epoch = int(state.get("epochs_done", initial_epoch) or 0)
        has_val = ds.x_val is not None and ds.y_val is not None
        monitor = options.monitor_for(has_val)
        mode = options.mode_for(monitor)

        self.live = LiveRun.attach(self.run_dir, self.writer, self.inbox, samples=ds.samples,
                                   batch_size=batch_size, log_every=options.log_every, epochs_done=initial_epoch,
                                   append=resume, extra_progress=self._checkpoint_fields)
        for action in self.early_requests:
            self.live.request(action)
        same_monitor = state.get("monitor") == monitor  # a best of another metric means nothing now
        self.checkpointer = Checkpointer(self.run_dir / CHECKPOINTS, monitor=monitor, mode=mode,
                                         # Workers must save at the same epochs: saving reads synced variables
                                         # (a collective), so a time-based schedule would deadlock them.
                                         every_s=0.0 if self.cluster else options.checkpoint_every,
                                         epochs_done=initial_epoch,
                                         best=state.get("best") if same_monitor else None,
                                         best_epoch=state.get("best_epoch") if same_monitor else None,
                                         live=self.live)
        from tuitrain.trainer.divergence import DivergenceWatch

        callbacks = [self.live, self.checkpointer, DivergenceWatch(self._warn)]
        if options.tensorboard:
            callbacks.append(keras.callbacks.TensorBoard(log_dir=str(self.run_dir / TENSORBOARD_DIR)))
        writes: list[str] = []
        callbacks.extend(resolve_callbacks(preset.fit, run_dir=self.run_dir, writes=writes, trusted=preset.trusted))  # paths inside the run
        for line in writes:
            self.writer.log(f"callback {line}")
        if self.cluster is not None:  # a lost machine: `--resume` continues from the last whole epoch
            callbacks.append(keras.callbacks.BackupAndRestore(str(self.run_dir / BACKUP_DIR), double_checkpoint=True))
            from tuitrain.trainer.distribute import cluster_stop_callback

            callbacks.append(cluster_stop_callback(strategy))  # last: it sees the stop the other callbacks asked for

        update_run_json(self.run_dir, status="running", epochs_total=epochs, monitor=monitor, monitor_mode=mode,
                        batch_size=batch_size, samples=ds.samples, epochs_done=initial_epoch)
        if initial_epoch >= epochs:
            self.writer.log(f"nothing to do: {initial_epoch} of {epochs} epochs already done (raise fit.epochs to train on)")
            return "finished", "already complete"

        self.fitting = True
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            from tuitrain.data.tensors import fit_arrays, validation_data

            model.fit(
                fit_arrays(ds.x_train),
                ds.y_train,
                validation_data=validation_data(ds) if has_val else None,
                sample_weight=ds.sample_weight,
                epochs=epochs,
                batch_size=batch_size,
                initial_epoch=initial_epoch,
                callbacks=callbacks,
                verbose=0,
                **kwargs,
            )
        finally:
            self.fit_seconds = time.perf_counter() - start
            self.fit_cpu_seconds = time.process_time() - start_cpu
            self.fitting = False
            self.live.drain_requests()
            self.samples_trained = self.live.samples_total

        if self.live.failure:
            return "failed", None
        self.checkpointer.finalize()
        from tuitrain.trainer.checkpoint import save_model_atomic

        save_model_atomic(model, self.run_dir / MODEL_FILE)
        if self.live.stop_reason:
            why = self.live.stop_note or f"{self.live.stop_reason} requested"
            done = self.live.epochs_done
            return "stopped", f"{why}; stopped after {done} complete epoch{'' if done == 1 else 's'}"
        if self.live.epochs_done < epochs:
            return "finished", f"stopped early by a callback after epoch {self.live.epochs_done}"
        return "finished", None


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
    if not (run_dir / "run.json").is_file():
        print(f"{run_dir}: not a run directory (no run.json)", file=sys.stderr)
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
