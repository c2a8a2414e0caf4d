"""The training engine: a trainer process that writes a run directory, and readers of it.

Importing this package is cheap (no TensorFlow): the app and ``tuitrain runs`` use the
readers and the launcher; only the trainer process (``python -m tuitrain.engine RUN_DIR``)
imports Keras. See ``docs/internals.md`` ("tuitrain.engine") for the contract.
"""

from tuitrain.engine.control import ACTIONS, request_control
from tuitrain.engine.spawn import start_run
from tuitrain.engine.reader import RunReader
from tuitrain.engine.rundir import RunInfo
from tuitrain.engine.runs import default_runs_dir, list_runs, newest_run

__all__ = [
    "ACTIONS",
    "RunInfo",
    "RunReader",
    "default_runs_dir",
    "list_runs",
    "newest_run",
    "request_control",
    "start_run",
]
