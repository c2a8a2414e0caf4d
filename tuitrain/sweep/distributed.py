"""A sweep over several machines: KerasTuner's distributed mode (one chief oracle, workers over gRPC).

The chief (``tuitrain sweep PRESET --chief HOST:PORT``) serves the oracle with KerasTuner's own
``OracleServicer`` and runs no trial; it mirrors the oracle's trials into its ``sweep.json`` (values,
status, score, the worker that ran each), so ``tuitrain sweeps`` and the Sweep screen on the chief
rank every machine's trials. Each worker (``--worker HOST:PORT``) is an ordinary controller whose
oracle is KerasTuner's ``OracleClient``; its trials are run directories on the worker's disk. The
addresses reach KerasTuner as it expects them: ``KERASTUNER_ORACLE_IP``, ``KERASTUNER_ORACLE_PORT``,
``KERASTUNER_TUNER_ID``. The channel is gRPC without TLS, as KerasTuner's: use it inside a trusted
network (or over an SSH tunnel).
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import time
from pathlib import Path
from typing import Any

from tuitrain.common.errors import TuitrainError
from tuitrain.runs.control import ControlInbox
from tuitrain.runs.rundir import process_start_time
from tuitrain.runs.layout import PRESET_FILE
from tuitrain.sweep.config import sweep_config
from tuitrain.sweep.search import make_oracle
from tuitrain.sweep.sweepdir import load_sweep_json, write_sweep_json
from tuitrain.sweep.trial import swept_values

STATUS = {"RUNNING": "running", "COMPLETED": "finished", "FAILED": "failed", "INVALID": "failed", "STOPPED": "stopped"}


def parse_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise TuitrainError(f"expected HOST:PORT (e.g. 127.0.0.1:8470), got {text!r}")
    return host, int(port)


def set_oracle_env(address: str, tuner_id: str) -> None:
    """What KerasTuner's distributed code reads (``keras_tuner.src.distribute.utils``)."""
    host, port = parse_address(address)
    os.environ.update(KERASTUNER_ORACLE_IP=host, KERASTUNER_ORACLE_PORT=str(port), KERASTUNER_TUNER_ID=tuner_id)


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-"


def client_oracle(sweep_dir: Path, address: str) -> Any:
    """The chief's oracle as seen from a worker (KerasTuner's ``OracleClient``; waits for the chief)."""
    from keras_tuner.src.distribute.oracle_client import OracleClient
    from tuitrain.preset import load_preset

    set_oracle_env(address, worker_name().rstrip("-"))
    config = sweep_config(load_preset(sweep_dir / PRESET_FILE))
    with contextlib.redirect_stdout(None):
        local = make_oracle(config, sweep_dir)  # only for the objective and max_trials the client reports
    return OracleClient(local)


def serve_chief(sweep_dir: Path, address: str, *, poll_s: float = 1.0) -> str:
    """Serve the oracle until every worker has been told the search is over; mirror it into sweep.json."""
    import grpc
    from concurrent import futures

    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_chief import OracleServicer, exit_chief
    from tuitrain.preset import load_preset

    set_oracle_env(address, "chief")
    data, problem = load_sweep_json(sweep_dir)
    if problem:
        raise TuitrainError(f"{sweep_dir}: {problem}")
    preset = load_preset(sweep_dir / PRESET_FILE)
    oracle = make_oracle(sweep_config(preset), sweep_dir, max_epochs=int(preset.fit.get("epochs", 1)))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    servicer = OracleServicer(oracle)
    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)
    if not server.add_insecure_port(address):
        raise TuitrainError(f"{address}: cannot listen there (in use, or not this machine's address)")
    server.start()
    data.update(status="running", pid=os.getpid(), pid_started=process_start_time(os.getpid()), chief=address)
    inbox = ControlInbox(sweep_dir, offset=data.get("control_offset"))
    workers: dict[str, str] = {}  # trial id → tuner id that ran it
    try:
        while True:
            _mirror(oracle, data, workers)
            write_sweep_json(sweep_dir, data)
            if any(a in ("stop_batch", "stop_epoch") for a in inbox.poll(force=True)):
                return _close(sweep_dir, data, "stopped")
            if servicer.stop_triggered and exit_chief(oracle):
                _mirror(oracle, data, workers)
                return _close(sweep_dir, data, "finished")
            time.sleep(poll_s)
    finally:
        server.stop(grace=1)


def _mirror(oracle: Any, data: dict[str, Any], workers: dict[str, str]) -> None:
    for tuner_id, trial in list(oracle.ongoing_trials.items()):
        workers[trial.trial_id] = tuner_id
    trials = data.setdefault("trials", {})
    for trial_id, trial in list(oracle.trials.items()):
        score = trial.score if isinstance(trial.score, (int, float)) and math.isfinite(trial.score) else None
        trials[trial_id] = {"run": None, "values": swept_values(dict(trial.hyperparameters.values)),
                            "status": STATUS.get(trial.status, "unknown"), "score": score,
                            "error": trial.message or None, "worker": workers.get(trial_id)}


def _close(sweep_dir: Path, data: dict[str, Any], status: str) -> str:
    data.update(status=status, ended=time.time())
    write_sweep_json(sweep_dir, data)
    return status
