"""The sweep controller: asks the oracle for trials, runs each as a trainer process, reports the results.

It is its own process (``python -m tuitrain.sweep SWEEP_DIR``): it keeps ``parallel`` trials
running, ends each in the oracle with the objective's per-epoch values from the trial's own
``events.jsonl``, and records everything in ``sweep.json``. Killed at any moment, ``--resume``
reloads the oracle, adopts the trials whose trainers still run and never repeats a finished one.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from pathlib import Path
from typing import Any, Callable

from tuitrain.common.errors import TuitrainError
from tuitrain.runs.control import ControlInbox, request_control
from tuitrain.runs.rundir import ACTIVE, RunInfo, process_start_time, read_run_json
from tuitrain.runs.layout import LAST_CHECKPOINT, MODEL_FILE, PRESET_FILE, TRAINER_LOG
from tuitrain.sweep.config import sweep_config
from tuitrain.sweep.schedule import Slot, plan_slots
from tuitrain.sweep.sweepdir import CONTROLLER_LOG, load_sweep_json, plain_name, write_sweep_json
from tuitrain.sweep.trial import swept_values, trial_preset

STOPS = ("stop_batch", "stop_epoch")
NO_OUTCOME = f"the trainer ended without writing its outcome (killed, or it died on start-up; see its {TRAINER_LOG})"


def objective_values(run_dir: Path, objective: str) -> list[tuple[int, float]]:
    """``(epoch, value)`` of the objective in the run's epoch rows (what the trial's own chart shows)."""
    from tuitrain.runs.compare import read_all, series_rows

    rows = series_rows(read_all(run_dir), "epoch")
    out = []
    for row in rows:
        value = row.get(objective)
        if isinstance(value, (int, float)) and math.isfinite(value):
            out.append((int(row.get("epoch", len(out) + 1) or 0), float(value)))
    return out


class Controller:
    def __init__(self, sweep_dir: Path, *, gpus: Callable[[], list[str]] | None = None,
                 start: Callable[..., Path] | None = None, poll_s: float = 0.5, oracle: Any = None,
                 tuner_prefix: str = "") -> None:
        """``oracle``: another machine's oracle (``tuitrain.sweep.distributed``); default: our own,
        saved in the sweep directory. ``tuner_prefix`` keeps this worker's tuner ids apart."""
        from tuitrain.preset import load_preset
        from tuitrain.trainer.devices import visible_gpus
        from tuitrain.trainer.spawn import start_run

        self.dir = sweep_dir.resolve()
        self.data, problem = load_sweep_json(self.dir)
        if problem:
            raise TuitrainError(f"{self.dir}: {problem}")
        self.preset = load_preset(self.dir / PRESET_FILE)
        if self.data.get("preset_path") and Path(self.data["preset_path"]).exists():
            self.preset.path = Path(self.data["preset_path"])  # its data paths are relative to the user's file
        self.config = sweep_config(self.preset)
        self.slots = plan_slots(self.config.parallel, (gpus or visible_gpus)(), prefix=tuner_prefix)
        self.start = start or start_run
        self.poll_s = poll_s
        self.inbox = ControlInbox(self.dir, offset=self.data.get("control_offset"))
        self.running: dict[str, tuple[Slot, Any]] = {}
        self.oracle: Any = oracle
        self.done_slots: set[int] = set()  # slots the oracle said STOPPED to (a chief waits for every one)
        self.state = "running"  # running | paused | stopping

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> str:
        from tuitrain.sweep.search import make_oracle

        if self.oracle is None:
            self.oracle = make_oracle(self.config, self.dir, max_epochs=int(self.preset.fit.get("epochs", 1)))
        self.data.update(status="running", pid=os.getpid(), pid_started=process_start_time(os.getpid()),
                         slots=[{"index": s.index, "gpu": s.gpu} for s in self.slots], error=None)
        self._adopt()
        self._save()
        while True:
            self._handle_requests()
            self._poll()
            if self.state == "running":
                self._fill()
            if not self.running and (len(self.done_slots) == len(self.slots) or self.state == "stopping"):
                break
            time.sleep(self.poll_s)
        status = "stopped" if self.state == "stopping" else "finished"
        self.data.update(status=status, ended=time.time())
        self._save()
        return status

    def _save(self) -> None:
        write_sweep_json(self.dir, self.data)

    def _record(self, trial_id: str, **fields: Any) -> dict[str, Any]:
        record = self.data.setdefault("trials", {}).setdefault(trial_id, {})
        record.update(fields)
        return record

    def _free_slots(self) -> list[Slot]:
        busy = {slot.index for slot, _ in self.running.values()}
        return [s for s in self.slots if s.index not in busy]

    def _fill(self) -> None:
        for slot in self._free_slots():
            if slot.index in self.done_slots:
                continue
            with contextlib.redirect_stdout(None):  # KerasTuner prints its own tables
                trial = self.oracle.create_trial(slot.tuner_id)
            if trial.status == "STOPPED":  # every slot hears it: a chief oracle counts its tuners out
                self.done_slots.add(slot.index)
                continue
            if trial.status != "RUNNING":  # IDLE: the oracle waits for running trials (grid, hyperband)
                return
            self._start_trial(slot, trial)
            self._save()

    def _start_trial(self, slot: Slot, trial: Any) -> None:
        values = dict(trial.hyperparameters.values)
        self._record(trial.trial_id, values=swept_values(values), status="starting", slot=slot.index, gpu=slot.gpu,
                     started=time.time(), run=None, score=None, error=None, budget=_budget(values))
        self._save()  # recorded before its trainer exists: a kill from here on still finds the trial
        try:
            preset, info = self._trial_setup(trial.trial_id, values)
            run_dir = self.start(preset, runs_dir=self.dir, name=f"trial-{trial.trial_id}", env=slot.env(), info=info)
        except TuitrainError as err:
            self._end(trial, "failed", error=str(err))
            return
        self._record(trial.trial_id, run=run_dir.name, status="running")
        self.running[trial.trial_id] = (slot, trial)

    def _trial_setup(self, trial_id: str, values: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        preset = trial_preset(self.preset, values)
        info: dict[str, Any] = {"sweep": {"dir": str(self.dir), "trial": trial_id, "values": swept_values(values)}}
        if "tuner/epochs" in values:  # Hyperband: this round's budget, continuing an earlier trial
            preset.fit["epochs"] = int(values["tuner/epochs"])
            preset.fit["initial_epoch"] = int(values.get("tuner/initial_epoch", 0))
            earlier = plain_name((self.data.get("trials", {}).get(values.get("tuner/trial_id")) or {}).get("run"))
            if earlier:
                run = self.dir / earlier
                model = run / MODEL_FILE if (run / MODEL_FILE).is_file() else run / LAST_CHECKPOINT
                info["warm_start"] = str(model)
            else:
                preset.fit["initial_epoch"] = 0
        return preset, info

    # -- results -------------------------------------------------------------------------------

    def _poll(self) -> None:
        for trial_id, (_slot, trial) in list(self.running.items()):
            run = self.dir / self.data["trials"][trial_id]["run"]
            info = RunInfo.from_dir(run)
            if info.status in ACTIVE:
                self._record(trial_id, epochs_done=info.epochs_done, epochs_total=info.epochs_total)
                continue
            del self.running[trial_id]
            self._finish_run(trial, run, info)
            self._save()

    def _finish_run(self, trial: Any, run: Path, info: RunInfo) -> None:
        values = objective_values(run, self.config.objective)
        if info.status in ("finished", "stopped") and values:
            for epoch, value in values:
                self.oracle.update_trial(trial.trial_id, {self.config.objective: value}, step=epoch)
            self._end(trial, info.status, epochs_done=info.epochs_done)
            return
        reason = (info.error or NO_OUTCOME) if info.status not in ("finished", "stopped") else \
            f"the run logged no {self.config.objective!r} (its epochs: {info.epochs_done})"
        self._end(trial, "failed" if info.status != "stopped" else "stopped", error=reason)

    def _end(self, trial: Any, status: str, *, error: str | None = None, **fields: Any) -> None:
        trial.status = "COMPLETED" if error is None else "FAILED"
        trial.message = error
        with contextlib.redirect_stdout(None):  # KerasTuner prints its own tables: not for the user's terminal
            self.oracle.end_trial(trial)
        score = self.oracle.get_trial(trial.trial_id).score if error is None else None
        self._record(trial.trial_id, status=status, error=error, ended=time.time(),
                     score=score if isinstance(score, (int, float)) and math.isfinite(score) else None, **fields)

    # -- requests, resume ----------------------------------------------------------------------

    def _handle_requests(self) -> None:
        for action in self.inbox.poll(force=True):
            if action in STOPS:
                self.state = "stopping"
            elif action == "pause":
                self.state = "paused"
            elif action == "resume" and self.state == "paused":
                self.state = "running"
            for trial_id in self.running:
                run = self.data["trials"][trial_id].get("run")  # forwarded to the trial's own trainer
                if run:
                    with contextlib.suppress(TuitrainError):
                        request_control(self.dir / run, action)
            self.data["status"] = self.state
            self._save()

    def _adopt(self) -> None:
        """After a reload: trials whose trainer runs (or ended while we were away) are ours again."""
        if not hasattr(self.oracle, "_retry_queue"):
            return  # another machine's oracle: it keeps its own state
        queue = list(self.oracle._retry_queue)
        free = iter(self.slots)
        for trial_id in queue:
            run = self._run_of(trial_id)
            slot = next(free, None)
            if run is None or slot is None:
                continue  # never started: the oracle hands it out again
            trial = self.oracle.trials[trial_id]
            self.oracle._retry_queue.remove(trial_id)
            trial.status = "RUNNING"
            self.oracle.ongoing_trials[slot.tuner_id] = trial
            self._record(trial_id, run=run.name, status="running", slot=slot.index)
            self.running[trial_id] = (slot, trial)

    def _run_of(self, trial_id: str) -> Path | None:
        """The run directory of a trial: as recorded, else one whose run.json names it (a kill before recording)."""
        recorded = plain_name((self.data.get("trials", {}).get(trial_id) or {}).get("run"))
        if recorded and (self.dir / recorded).is_dir():
            return self.dir / recorded
        found = [p for p in self.dir.glob(f"trial-{trial_id}-*")
                 if (read_run_json(p).get("sweep") or {}).get("trial") == trial_id]
        return max(found, key=lambda p: p.stat().st_mtime) if found else None


def _budget(values: dict[str, Any]) -> dict[str, int] | None:
    if "tuner/epochs" not in values:
        return None
    return {"epochs": int(values["tuner/epochs"]), "initial_epoch": int(values.get("tuner/initial_epoch", 0))}


def run_controller(sweep_dir: Path, **kwargs: Any) -> str:
    """The controller's whole life, KerasTuner's console output into ``controller.log``.

    A sweep started with ``--chief`` serves its oracle to other machines; one started with
    ``--worker`` runs trials for a chief's oracle (``tuitrain.sweep.distributed``)."""
    from tuitrain.sweep import distributed

    with open(sweep_dir / CONTROLLER_LOG, "a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        data, _ = load_sweep_json(sweep_dir)
        try:
            if data.get("role") == "chief":
                return distributed.serve_chief(sweep_dir, str(data.get("chief")))
            if data.get("role") == "worker":
                kwargs.setdefault("oracle", distributed.client_oracle(sweep_dir, str(data.get("chief"))))
                kwargs.setdefault("tuner_prefix", distributed.worker_name())
            return Controller(sweep_dir, **kwargs).run()
        except Exception as err:
            data, _ = load_sweep_json(sweep_dir)
            data.update(status="failed", error=f"{type(err).__name__}: {err}", ended=time.time())
            write_sweep_json(sweep_dir, data)
            raise
