"""The run directory's file names, in one place (DESIGN §2).

Everything in ``tuitrain/`` that reads or writes a run directory takes its names from here (a test
in ``tests/test_layout.py`` refuses the literals anywhere else), so the trainer, the readers, the
confinement of a preset's callbacks and the CLI cannot disagree about them.
"""

from __future__ import annotations

RUN_JSON = "run.json"  # status, pid, times, versions, devices, best values (rewritten whole)
RUN_JSON_LOCK = ".run.json.lock"  # serialises read-modify-write of run.json
TRAINER_LOCK = ".trainer.lock"  # flock held for the trainer's life: one trainer per run
PRESET_FILE = "preset.toml"  # the resolved preset the run used
EVENTS_FILE = "events.jsonl"  # batch/epoch/status/log rows
METRICS_CSV = "metrics.csv"  # per-epoch metrics as Keras' CSVLogger writes them
TRAINER_LOG = "trainer.log"  # the trainer's stdout and stderr
CONTROL_FILE = "control.jsonl"  # stop/pause requests from the app or the CLI
SYSTEM_FILE = "system.jsonl"  # CPU, memory and GPU samples while training
SUMMARY_FILE = "model.summary.txt"  # the Keras summary
MODEL_FILE = "model.keras"  # the final model
CHECKPOINTS = "checkpoints"  # last and best model, each with its state
LAST_NAME = "last.keras"
BEST_NAME = "best.keras"
STATE_NAME = "state.json"  # a readable copy of the checkpoint state (fallback for old runs)
LAST_CHECKPOINT = f"{CHECKPOINTS}/{LAST_NAME}"
BEST_CHECKPOINT = f"{CHECKPOINTS}/{BEST_NAME}"
CHECKPOINT_STATE = f"{CHECKPOINTS}/{STATE_NAME}"
TENSORBOARD_DIR = "tensorboard"  # optional TensorBoard event files
COLUMNS_DIR = "columns"  # batch values one file per metric, for quick loading (runs/columns.py)
BACKUP_DIR = "backup"  # keras.callbacks.BackupAndRestore's folder in a multi-worker run

# What tuitrain itself keeps at the top of a run directory: no callback of a preset may write over them.
OWN_FILES = frozenset({
    RUN_JSON, RUN_JSON_LOCK, TRAINER_LOCK, PRESET_FILE, EVENTS_FILE, METRICS_CSV, TRAINER_LOG, CONTROL_FILE,
    SYSTEM_FILE, SUMMARY_FILE, MODEL_FILE, CHECKPOINTS, TENSORBOARD_DIR, COLUMNS_DIR,
})
