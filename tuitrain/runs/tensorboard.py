"""TensorBoard log folders read like run directories: scalar summaries as ``RunReader`` events.

A log folder (what ``keras.callbacks.TensorBoard(log_dir=...)`` or any other TensorBoard writer
fills) holds event files, directly or in one level of subfolders (Keras: ``train/`` and
``validation/``). :class:`TensorBoardReader` tails them with our own bounded record reader
(``tuitrain.runs.tfrecord``: each read gives only the records added since the last one and stops
before a record still being written), so a folder another process writes shows live. Event files
are untrusted: a record over the size limit, a bad checksum or a tensor claiming a huge shape is
skipped and noted in :attr:`TensorBoardReader.damage` (file and byte offset), never allocated.

How summaries become events (long keys, as ``RunReader.poll()`` returns them):

- a tag ``epoch_<metric>`` (Keras) is an epoch value at epoch ``step + 1``; a tag
  ``batch_<metric>`` or any other tag is a batch value at ``step``; ``epoch_learning_rate`` is
  ``lr`` as in the trainer's rows; Keras' ``evaluation_*_vs_iterations`` (repeats) are skipped;
- values from ``validation/`` (or ``val/``, ``eval/``) get the ``val_`` prefix, from ``train/``
  or the folder itself none, from any other subfolder ``<name>/``;
- one epoch's (or step's) values from all files make one event, given out once every file
  has moved past it (or writes only other kinds), or once nothing new has come for
  ``settle_s`` (the last epoch of a run, a validation run that skips epochs). A file that has
  no value yet holds rows back until then: Keras' validation file is created before its first
  flush, and a row given out without its ``val_`` values would come twice.

Only scalars are read; images, histograms and text are skipped. Keras' model summary (tag
``keras``) is kept as :attr:`TensorBoardReader.model_config` for ``tuitrain diff``. There is
no run.json: :meth:`status` calls the run ``running`` while the process that writes one of its
event files lives (its host and pid are in the file's name); a file from another host counts as
written while it changed in the last ``ACTIVE_S`` seconds (TensorFlow's writers flush at least every
two minutes). Otherwise the folder is ``finished``, and nothing is held back.
Reading needs TensorBoard's protobuf classes only, not TensorFlow.
"""

from __future__ import annotations

import json
import math
import os
import socket
import struct
import time
from pathlib import Path
from typing import Any, Iterator

from tuitrain.common.metric_names import NOT_METRICS, better_direction
from tuitrain.common.safetext import clean_line
from tuitrain.runs.kinds import EVENT_FILE_MARK, find_event_files, is_tensorboard_dir  # noqa: F401 - re-exported
from tuitrain.runs.kinds import event_files as _event_files  # noqa: F401 - re-exported
from tuitrain.runs.rundir import RunInfo, process_alive, process_start_time
from tuitrain.runs.tfrecord import Damage, RecordTail

# An event file changed this recently: the writer is taken to be alive.
ACTIVE_S = 150.0
# A writer process of this host that has written nothing for this long is taken to be done with the folder.
IDLE_WRITER_S = 1800.0
# With nothing new for this long, values still held back (the last epoch) are given out.
SETTLE_S = 2.0
# With train/ and no validation/ yet, epoch rows wait until values this much newer arrive (or quiet).
VALIDATION_WAIT_S = 10.0
VALIDATION_DIRS = ("validation", "val", "eval", "valid")
TRAIN_DIRS = ("", "train", "training")
MAX_TAG = 200  # characters of a tag kept (a metric name)
MAX_WALL_TIME = 1e11  # seconds since 1970 (year 5138): a later wall time is damage, not a time


def metric_name(subdir: str, tag: str) -> tuple[str, str] | None:
    """(kind, metric) of a scalar tag in a subfolder: ``("validation", "epoch_loss")`` → ``("epoch", "val_loss")``.

    None for Keras' ``evaluation_<metric>_vs_iterations`` (the validation values again, by step).
    """
    if tag.startswith("evaluation_") and tag.endswith("_vs_iterations"):
        return None
    kind = "batch"
    if tag == "epoch_learning_rate":
        return "epoch", "lr"  # the name the trainer's epoch rows use
    if tag.startswith("epoch_"):
        kind, tag = "epoch", tag[len("epoch_"):]
    elif tag.startswith("batch_"):
        tag = tag[len("batch_"):]
    if subdir in VALIDATION_DIRS:
        return kind, f"val_{tag}"
    if subdir in TRAIN_DIRS:
        return kind, tag
    return kind, f"{subdir}/{tag}"


class _Source:
    """One event file, tailed record by record (:class:`~tuitrain.runs.tfrecord.RecordTail`)."""

    def __init__(self, subdir: str, path: Path) -> None:
        self.subdir = subdir
        self.path = path
        self.tail = RecordTail(path)
        self.plugins: dict[str, str] = {}  # tag → plugin name (written with a tag's first value only)
        self.latest: dict[str, int] = {}  # kind → the highest key (epoch / step) seen
        self.last_wall: float | None = None  # wall time of the newest scalar read

    def events(self) -> Iterator[tuple[int, Any]]:
        """``(offset, event)`` of the events completed since the last call; a record that is no Event is damage."""
        from tensorboard.compat.proto import event_pb2
        from google.protobuf.message import DecodeError

        while records := self.tail.read():
            for offset, data in records:
                try:
                    event = event_pb2.Event.FromString(data)
                except (DecodeError, RecursionError, ValueError):
                    self.tail.note(offset, "a record that is not a TensorBoard event was skipped")
                    continue
                if not (math.isfinite(event.wall_time) and 0 <= event.wall_time < MAX_WALL_TIME):
                    self.tail.note(offset, f"wall time {event.wall_time!r} is not a time; event skipped")
                    continue
                yield offset, event

    def past(self, kind: str, key: int, wall: float) -> bool:
        """This file will add nothing more to row (kind, key): it moved past it, or writes other kinds only.

        A file with no scalar yet (Keras' validation writer before its first flush) may still.
        """
        if kind in self.latest:
            return self.latest[kind] > key
        return self.last_wall is not None and self.last_wall > wall


def _elements(tensor: Any) -> int | None:
    """How many values a tensor's shape claims, or None when more than one (never multiplied out)."""
    count = 1
    for dim in tensor.tensor_shape.dim:
        if dim.size < 0 or dim.size > 1:
            return None
        count *= dim.size
    return count


def scalar_value(tensor: Any) -> float | None:
    """A scalar summary's number, read from the proto's fields (no array is made from the shape it claims).

    None for anything that is not exactly one number: a tensor claiming a huge shape (issue #22:
    ``make_ndarray`` filled 30 GB for one), strings, several values.
    """
    from tensorboard.compat.proto import types_pb2

    if _elements(tensor) != 1:
        return None
    dtype = tensor.dtype
    fields = {types_pb2.DT_FLOAT: ("float_val", "<f"), types_pb2.DT_DOUBLE: ("double_val", "<d"),
              types_pb2.DT_INT32: ("int_val", "<i"), types_pb2.DT_INT64: ("int64_val", "<q"),
              types_pb2.DT_HALF: ("half_val", "<e"), types_pb2.DT_BFLOAT16: ("half_val", None)}
    if dtype not in fields:
        return None
    name, fmt = fields[dtype]
    if tensor.tensor_content:
        if fmt is None or len(tensor.tensor_content) != struct.calcsize(fmt):
            return None
        return float(struct.unpack(fmt, tensor.tensor_content)[0])
    values = getattr(tensor, name)
    if len(values) != 1:
        return None
    if dtype == types_pb2.DT_HALF:
        return float(struct.unpack("<e", struct.pack("<H", values[0] & 0xFFFF))[0])
    if dtype == types_pb2.DT_BFLOAT16:
        return float(struct.unpack("<f", struct.pack("<I", (values[0] & 0xFFFF) << 16))[0])
    return float(values[0])


class DamageLog:
    """Damaged parts of a log folder's event files in ``SkipLog``'s shape (``total``, ``summary()``)."""

    def __init__(self, damage: list[Damage]) -> None:
        self.damage = damage

    @property
    def total(self) -> int:
        return len(self.damage)

    def summary(self) -> str:
        if not self.damage:
            return ""
        shown = "; ".join(clean_line(d) for d in self.damage[:2])
        n = len(self.damage)
        return f"{n} damaged part{'s' if n != 1 else ''} of the event files skipped ({shown}{'; …' if n > 2 else ''})"


class TensorBoardReader:
    """Incremental reader of one TensorBoard log folder, with ``RunReader``'s interface."""

    def __init__(self, logdir: str | os.PathLike, *, settle_s: float = SETTLE_S) -> None:
        self.run_dir = Path(logdir)
        self.settle_s = settle_s
        self.model_config: dict[str, Any] | None = None
        self._sources: dict[Path, _Source] = {}
        self._pending: dict[tuple[str, int], dict[str, Any]] = {}
        self._t0: float | None = None
        self._last_new = time.monotonic()
        self._last_step = 0
        self._epochs_done = 0
        self._best: dict[str, float] = {}

    # -- reading -------------------------------------------------------------------------------

    def poll(self) -> list[dict[str, Any]]:
        """New events since the last poll: epoch rows and batch rows, long keys, in order."""
        for subdir, files in find_event_files(self.run_dir).items():
            for path in files:
                if path not in self._sources:
                    self._sources[path] = _Source(subdir, path)
        new = 0
        for source in self._sources.values():
            new += self._load(source)
        now = time.monotonic()
        if new:
            self._last_new = now
        # a folder nobody writes any more has no row still to complete: everything is given out at once
        return self._release(settled=now - self._last_new >= self.settle_s or (bool(self._sources) and not self._live()))

    def _load(self, source: _Source) -> int:
        count = 0
        for offset, event in source.events():
            if not event.HasField("summary"):
                continue
            for value in event.summary.value:
                if value.HasField("metadata") and value.metadata.plugin_data.plugin_name:
                    source.plugins[value.tag] = value.metadata.plugin_data.plugin_name[:MAX_TAG]
                plugin = source.plugins.get(value.tag)
                if plugin == "graph_keras_model":
                    self._keep_model_config(value)
                    continue
                if plugin != "scalars" or not value.HasField("tensor"):
                    continue
                number = scalar_value(value.tensor)
                named = metric_name(source.subdir, value.tag[:MAX_TAG])
                if number is None:
                    source.tail.note(offset, f"tag {clean_line(value.tag[:40])!r}: not a single number (shape or type); skipped")
                    continue
                if named is None:
                    continue
                self._keep(source, event, *named, number)
                count += 1
        return count

    def _keep(self, source: _Source, event: Any, kind: str, name: str, number: float) -> None:
        key = int(event.step) + 1 if kind == "epoch" else int(event.step)
        if self._t0 is None or event.wall_time < self._t0:
            self._t0 = event.wall_time
        row = self._pending.setdefault((kind, key), {"kind": kind, "_wall": event.wall_time})
        row[name] = number
        row["_wall"] = max(row["_wall"], event.wall_time)
        source.latest[kind] = max(source.latest.get(kind, key), key)
        source.last_wall = max(source.last_wall or event.wall_time, event.wall_time)

    @property
    def damage(self) -> list[Damage]:
        """Every damaged part of the folder's event files skipped so far (file, offset, reason)."""
        return [d for source in self._sources.values() for d in source.tail.damage]

    @property
    def skipped(self) -> "DamageLog":
        """What the Train pane shows under the run's status, as for ``RunReader.skipped``."""
        return DamageLog(self.damage)

    def _keep_model_config(self, value: Any) -> None:
        """Keras' model summary (for ``tuitrain diff``): one string, parsed as JSON only when it is one."""
        tensor = value.tensor
        if len(tensor.string_val) != 1 or _elements(tensor) != 1:
            return
        try:
            config = json.loads(tensor.string_val[0].decode("utf-8"))
        except (ValueError, RecursionError):
            return
        if isinstance(config, dict):
            self.model_config = config

    def _complete(self, kind: str, key: int, wall: float) -> bool:
        if kind == "epoch" and self._validation_may_come(wall):
            return False
        return all(source.past(kind, key, wall) for source in self._sources.values())

    def _validation_may_come(self, wall: float) -> bool:
        """Keras makes ``validation/`` only when it first writes there (after ``train/`` has data):
        with ``train/`` alone, hold epoch rows until ``VALIDATION_WAIT_S`` of later values show none comes."""
        subdirs = {source.subdir for source in self._sources.values()}
        if "train" not in subdirs or subdirs & set(VALIDATION_DIRS):
            return False
        newest = max((s.last_wall or 0.0) for s in self._sources.values())
        return newest - wall < VALIDATION_WAIT_S

    def _release(self, *, settled: bool) -> list[dict[str, Any]]:
        ready = sorted((wall_key(row), k) for k, row in self._pending.items()
                       if settled or self._complete(*k, wall_key(row)))
        events = []
        for _, (kind, key) in ready:
            row = self._pending.pop((kind, key))
            wall = row.pop("_wall")
            event = {"kind": kind, "epoch": key if kind == "epoch" else self._epochs_done + 1,
                     "step": key if kind == "batch" else self._last_step,
                     "time": round(wall - (self._t0 or wall), 3), **row}
            event["kind"] = kind
            if kind == "batch":
                self._last_step = max(self._last_step, key)
            else:
                self._epochs_done = max(self._epochs_done, key)
                self._track_best(event)
            events.append(event)
        return events

    def _track_best(self, event: dict[str, Any]) -> None:
        for key, value in event.items():
            if key in NOT_METRICS or not math.isfinite(value):
                continue
            old = self._best.get(key)
            better = max if better_direction(key) == "max" else min
            self._best[key] = value if old is None else better(old, value)

    # -- what a run directory would say -----------------------------------------------------------

    def _mtime(self) -> float | None:
        times = []
        for source in self._sources.values():
            try:
                times.append(source.path.stat().st_mtime)
            except OSError:
                pass
        return max(times) if times else None

    def _live(self) -> bool:
        """Someone still writes the folder: see :func:`writer_alive` for each event file."""
        return any(writer_alive(source.path) for source in self._sources.values())

    def status(self) -> dict[str, Any]:
        """What run.json says for a run: status (``running`` while a writer lives), times, best values."""
        updated = self._mtime()
        active = updated is not None and self._live()
        return {"status": "running" if active else "finished", "source": "tensorboard",
                "preset_name": self.run_dir.name, "started": self._t0, "updated": updated,
                "ended": None if active else updated, "epochs_done": self._epochs_done, "best": dict(self._best),
                "step": self._last_step}

    def log_tail(self, n: int = 20) -> list[str]:
        return []

    def run_info(self) -> RunInfo:
        if not self._sources:
            self.poll()
        return tensorboard_run_info(self.run_dir, reader=self)


def writer_alive(path: Path, *, now: float | None = None) -> bool:
    """Whether the process that writes event file ``path`` may still write it.

    TensorFlow names the file ``events.out.tfevents.<time>.<host>.<pid>.<n>[.v2]``: on this host
    the answer is that process (alive, started before the file was made, so not a reused pid, and
    written in the last ``IDLE_WRITER_S``); from another host, only the file's age tells (written in
    the last ``ACTIVE_S`` seconds)."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return False
    made, host, pid = _writer_of(path.name)
    age = (time.time() if now is None else now) - mtime
    if host and host == socket.gethostname():
        started = process_start_time(pid)
        # a notebook kernel that wrote an hour ago and idles since is no live run
        # (5 s of slack: the name has whole seconds, a start time from boot time may be a second off)
        return age < IDLE_WRITER_S and started is not None and started <= made + 5.0 and process_alive(pid, started)
    return age < ACTIVE_S


def _writer_of(name: str) -> tuple[float, str, int]:
    """(creation time, host, pid) from an event file's name; ``(0, "", 0)`` when it is not TensorFlow's."""
    parts = name.split(".")
    if parts and parts[-1] == "v2":
        parts = parts[:-1]
    try:
        at = parts.index(EVENT_FILE_MARK)
        made, pid, host = float(parts[at + 1]), int(parts[-2]), ".".join(parts[at + 2:-2])
        int(parts[-1])  # the writer's counter
    except (ValueError, IndexError):
        return 0.0, "", 0
    return made, host, pid


def wall_key(row: dict[str, Any]) -> float:
    return float(row.get("_wall", 0.0))


def tensorboard_run_info(logdir: str | os.PathLike, *, reader: TensorBoardReader | None = None) -> RunInfo:
    """A log folder as a row of the runs table (reads it whole when no reader is given)."""
    if reader is None:
        reader = TensorBoardReader(logdir, settle_s=0.0)
        reader.poll()
    info = reader.status()
    started, ended = info["started"], info["ended"]
    end = ended if ended is not None else time.time()
    return RunInfo(path=Path(logdir), name=clean_line(Path(logdir).name), preset_name="tensorboard",
                   status=info["status"], started=started, ended=ended, epochs_done=info["epochs_done"],
                   epochs_total=None, best=info["best"], duration_s=max(0.0, end - started) if started is not None else None,
                   error=reader.skipped.summary() or None)
