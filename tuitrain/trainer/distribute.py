"""The preset's ``[distribute]`` table: which devices train, in which precision, on how many machines.

```toml
[distribute]
strategy = "mirrored"              # "default" | "one_device" | "mirrored" | "multi_worker"
devices = ["GPU:0", "GPU:1"]       # optional: default all visible GPUs (else the CPU)
mixed_precision = "mixed_float16"  # or "mixed_bfloat16"; default: float32 throughout
memory_growth = true               # allocate GPU memory as needed instead of all at start
```

``fit.batch_size`` is the GLOBAL batch: with N replicas each device gets ``batch_size / N``
samples per step (what Keras does with a ``tf.distribute`` strategy), so changing the strategy
leaves the optimisation the same; scale ``batch_size`` (and usually the learning rate) with the
number of GPUs to keep each one as busy as before.

Order matters and the trainer follows it: ``configure_devices`` (memory growth, before
TensorFlow touches a GPU), ``set_precision`` (before the model is built), ``make_strategy``, then
data/model/compile inside ``strategy.scope()``. With a mixed policy the model's output layers are
built with ``dtype="float32"`` (Keras' advice: softmax and the loss stay in float32) and Keras
wraps the optimizer in a ``LossScaleOptimizer`` for ``mixed_float16``.

Several machines (``multi_worker``): every machine runs ``tuitrain train PRESET --workers
host:port,host:port --worker-index I`` (or has ``TF_CONFIG`` set); ``TF_CONFIG`` is what
TensorFlow reads, and ``worker_tf_config`` writes it from the flags.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tuitrain.common.errors import SpecError, TuitrainError
from tuitrain.common.fsutil import read_bounded

from tuitrain.runs.layout import BACKUP_DIR
from tuitrain.preset.distribute import (  # noqa: F401 - the table's validation lives with the spec
    DISTRIBUTE_KEYS,
    PRECISIONS,
    STRATEGIES,
    DistributeOptions,
    distribute_options,
    output_layers_float32,
)


# ---------------------------------------------------------------------------
# Several machines: TF_CONFIG


# A host name (letters, digits, dots, dashes, underscores) or a bracketed IPv6 address, then a port.
_ADDRESS = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\]):([0-9]{1,5})")
MAX_TF_CONFIG = 64 * 1024  # characters of TF_CONFIG: a cluster of a thousand machines is far smaller
MAX_WORKERS = 1024


def check_address(address: object, where: str) -> str:
    """One ``host:port``; anything else (spaces, escape characters, no port, port 0) is an error naming ``where``.

    A bad address used to start a trainer that waited forever for a peer it could never reach."""
    match = _ADDRESS.fullmatch(address) if isinstance(address, str) else None
    if match is None or not 0 < int(match.group(1)) < 65536:
        shown = repr(address) if len(repr(address)) <= 60 else repr(address)[:59] + "…"
        raise TuitrainError(f"{where}: {shown} is not host:port (e.g. 10.0.0.1:12345 or [fe80::1]:12345)")
    return address


def parse_workers(text: str) -> list[str]:
    """``host:port,host:port`` → a list, each checked (a host name or address, a port number, no empty entry)."""
    workers = [check_address(w.strip(), "--workers") for w in text.split(",")]
    if len(workers) > MAX_WORKERS:
        raise TuitrainError(f"--workers: {len(workers):,} machines, over the limit of {MAX_WORKERS:,}")
    if len(set(workers)) != len(workers):
        raise TuitrainError("--workers: the same host:port is listed twice")
    return workers


def worker_tf_config(workers: list[str], index: int) -> str:
    """The ``TF_CONFIG`` for worker ``index`` of ``workers`` (worker 0 is the chief)."""
    if not 0 <= index < len(workers):
        raise TuitrainError(f"--worker-index {index}: expected 0..{len(workers) - 1} for {len(workers)} workers")
    return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})


@dataclass(frozen=True)
class Cluster:
    """Who is who in a ``TF_CONFIG``: the worker addresses, this process' index, whether it is the chief."""

    workers: tuple[str, ...]  # a "chief" job's address first, then the "worker" job's
    index: int
    is_chief: bool
    chiefs: int = 0  # 1 when TF_CONFIG has a separate "chief" job

    def name(self, task: int) -> str:
        return f"worker {task} ({self.workers[task]})" if 0 <= task < len(self.workers) else f"worker {task}"


def cluster_from_env(environ: dict[str, str] | None = None) -> Cluster | None:
    """The cluster ``TF_CONFIG`` describes, or None when unset; a malformed one is an error that names
    the key (``TF_CONFIG: cluster.worker[1]: …``), raised before any trainer starts."""
    text = (environ if environ is not None else os.environ).get("TF_CONFIG")
    if not text:
        return None
    if len(text) > MAX_TF_CONFIG:
        raise TuitrainError(f"TF_CONFIG is {len(text):,} characters, over the limit of {MAX_TF_CONFIG:,}")
    try:
        cfg = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise TuitrainError(f"TF_CONFIG is not valid JSON ({str(err)[:80]}); see `tuitrain train --help` for --workers") from None
    if not isinstance(cfg, dict) or not isinstance(cfg.get("cluster"), dict):
        raise TuitrainError('TF_CONFIG: expected {"cluster": {"worker": ["host:port", ...]}, "task": {...}}')
    chief, workers = _job(cfg["cluster"], "chief"), _job(cfg["cluster"], "worker")
    everyone = chief + workers
    if len(chief) > 1 or not everyone or len(set(everyone)) != len(everyone):
        raise TuitrainError("TF_CONFIG: cluster: expected at most one chief, at least one machine, no address twice")
    kind, index = _task(cfg.get("task", {}), {"chief": len(chief), "worker": len(workers)})
    if kind == "chief":
        return Cluster(tuple(everyone), 0, True, len(chief))
    return Cluster(tuple(everyone), len(chief) + index, not chief and index == 0, len(chief))


def _job(cluster: dict, name: str) -> list[str]:
    job = cluster.get(name, [])
    if not isinstance(job, list) or len(job) > MAX_WORKERS:
        raise TuitrainError(f"TF_CONFIG: cluster.{name}: expected a list of host:port")
    return [check_address(address, f"TF_CONFIG: cluster.{name}[{i}]") for i, address in enumerate(job)]


def _task(task: object, sizes: dict[str, int]) -> tuple[str, int]:
    """``task``'s type and index, checked against the jobs: an index no machine has would wait forever."""
    if not isinstance(task, dict):
        raise TuitrainError("TF_CONFIG: task: expected {\"type\": \"worker\", \"index\": I}")
    kind, index = task.get("type", "worker"), task.get("index", 0)
    if kind not in sizes:
        raise TuitrainError(f"TF_CONFIG task type {str(kind)[:40]!r}: tuitrain runs \"chief\" and \"worker\" tasks only")
    if type(index) is not int or not 0 <= index < sizes[kind]:
        raise TuitrainError(f"TF_CONFIG: task.index: {str(index)[:40]!r} is not one of the {sizes[kind]} "
                            f"{kind} address{'es' if sizes[kind] != 1 else ''} in cluster.{kind}")
    return kind, index


_TASK = re.compile(r"/job:(worker|chief)(?:/replica:\d+)?/task:(\d+)")


def lost_worker(error_text: str, cluster: Cluster) -> str | None:
    """Name the peer an error from a collective op is about ("worker 1 (10.0.0.2:12345)"), if any."""
    for kind, task in _TASK.findall(error_text):
        pos = int(task) + (0 if kind == "chief" else cluster.chiefs)
        if pos != cluster.index:
            return cluster.name(pos)
    return None


# ---------------------------------------------------------------------------
# Inside the trainer (TensorFlow imported)


def configure_devices(options: DistributeOptions) -> None:
    """Memory growth on every GPU; must run before anything initialises them (else TensorFlow refuses)."""
    if not options.memory_growth:
        return
    import tensorflow as tf

    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError as err:  # already initialised: say so rather than silently not doing it
            raise TuitrainError(f"distribute.memory_growth: {err}") from None


def set_precision(options: DistributeOptions) -> None:
    """The global Keras dtype policy (``float32`` when none is asked for: a previous run's must not leak)."""
    import keras

    keras.mixed_precision.set_global_policy(options.mixed_precision or "float32")


@contextmanager
def precision_scope(options: DistributeOptions) -> Iterator[None]:
    """The preset's dtype policy for a model built outside the trainer (``check``, ``export``): what
    they build is what ``train`` builds, and the caller's own policy comes back afterwards."""
    import keras

    before = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(options.mixed_precision or "float32")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(before)


def _device_strings(options: DistributeOptions, tf: Any) -> list[str]:
    visible = {f"{d.device_type}:{i}" for kind in ("CPU", "GPU")
               for i, d in enumerate(tf.config.list_logical_devices(kind))}
    for i, dev in enumerate(options.devices):
        if dev not in visible:
            raise SpecError(f"{dev} is not visible here (TensorFlow sees {', '.join(sorted(visible)) or 'nothing'}; "
                            "`tuitrain devices` says why a GPU is missing)", path=f"distribute.devices[{i}]")
    return [f"/{d.lower()}" for d in options.devices]


def make_strategy(options: DistributeOptions, *, multi_worker: bool = False) -> Any:
    """The ``tf.distribute`` strategy the options ask for (TF_CONFIG read for ``multi_worker``)."""
    import tensorflow as tf

    strategy = "multi_worker" if multi_worker else options.strategy
    if strategy == "multi_worker":
        if cluster_from_env() is None:
            raise SpecError('strategy "multi_worker" needs the machines: run `tuitrain train PRESET --workers '
                            'host:port,host:port --worker-index I` on each, or set TF_CONFIG', path="distribute.strategy")
        return tf.distribute.MultiWorkerMirroredStrategy()
    devices = _device_strings(options, tf)
    if strategy == "mirrored":
        return tf.distribute.MirroredStrategy(devices=devices or None)
    if strategy == "one_device":
        if not devices:
            devices = ["/gpu:0" if tf.config.list_logical_devices("GPU") else "/cpu:0"]
        return tf.distribute.OneDeviceStrategy(devices[0])
    return tf.distribute.get_strategy()


def describe(strategy: Any, options: DistributeOptions, *, multi_worker: bool = False) -> dict[str, Any]:
    """What ``run.json`` records: strategy, replicas (devices training in sync), precision, devices."""
    name = "multi_worker" if multi_worker else options.strategy
    try:
        devices = list(strategy.extended.worker_devices)
    except (RuntimeError, AttributeError):  # the default strategy: whatever TensorFlow places ops on
        devices = []
    return {"strategy": name, "replicas": int(strategy.num_replicas_in_sync), "precision": options.precision,
            "strategy_devices": [d.replace("/job:localhost/replica:0/task:0/device:", "") for d in devices]}


MAX_BACKUP_META = 64 * 1024  # Keras writes {"epoch": N, "batch": M}: a few bytes


def backup_epoch(run_dir: Any) -> int:
    """The epoch a multi-worker backup restores to (0 when there is none)."""
    from pathlib import Path

    try:
        meta = json.loads(read_bounded(Path(run_dir) / BACKUP_DIR / "training_metadata.json", MAX_BACKUP_META).decode("utf-8"))
        return max(0, int(meta.get("epoch", 0)))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def agree_backup(strategy: Any, run_dir: Any) -> int:
    """The epoch every worker resumes from: the oldest of their backups.

    A machine lost while writing its backup is one epoch behind the others; each worker keeps its
    previous backup too (``double_checkpoint``), so the ones ahead step back to it and all restore
    the same epoch. Workers agree through one all-gather, as training itself communicates.
    """
    import shutil
    from pathlib import Path

    import tensorflow as tf

    local = backup_epoch(run_dir)
    agreed = across_workers(strategy, tf.reduce_min)(local)
    if agreed < local:
        folder = Path(run_dir) / BACKUP_DIR
        meta, weights = folder / "training_metadata.json", folder / "latest.weights.h5"
        previous = Path(f"{meta}.bkp")
        try:
            prev_epoch = int(json.loads(read_bounded(previous, MAX_BACKUP_META).decode("utf-8")).get("epoch", -1))
        except (OSError, ValueError, TypeError, AttributeError):
            prev_epoch = -1
        if prev_epoch != agreed:
            raise TuitrainError(f"this worker's backup is of epoch {local} (previous {prev_epoch}) but another "
                                f"worker's is of epoch {agreed}: they cannot resume together.")
        shutil.copyfile(previous, meta)
        shutil.copyfile(f"{weights}.bkp", weights)
    return agreed


def explain_cluster_error(error: str, cluster: Cluster) -> str:
    """A collective-op failure rewritten to name the machine that went away, when the text says which."""
    who = lost_worker(error, cluster)
    if who is None:
        return error
    kind = error.split(":", 1)[0] if ":" in error[:60] else "error"
    why = "it stopped sending heartbeats" if "heartbeat" in error else f"TensorFlow: {kind}"
    return (f"{who} was lost ({why}: stopped, crashed or unreachable). Start it again, then run "
            "`tuitrain train --resume DIR` with the same --workers on every machine (DIR: each one's own directory).")


def setup_strategy(preset: Any, cluster: Cluster | None) -> tuple[Any, Any, dict[str, Any]]:
    """Devices, precision and strategy, in the order TensorFlow needs; returns the strategy, the preset to
    build (output layers in float32 under a mixed policy) and the fields ``run.json`` records."""
    options = distribute_options(getattr(preset, "distribute", None) or None)
    if cluster is not None and options.strategy not in ("default", "multi_worker"):
        raise SpecError(f'this run has several machines (--workers or TF_CONFIG) but the preset asks for "{options.strategy}"; '
                        'use "multi_worker" or leave strategy out', path="distribute.strategy")
    configure_devices(options)
    set_precision(options)
    strategy = make_strategy(options, multi_worker=cluster is not None)
    if cluster is not None:
        _patch_multi_worker_reduce()  # before the model is built: building checks a loss on the data
    info = describe(strategy, options, multi_worker=cluster is not None)
    if cluster is not None:
        info.update(workers=list(cluster.workers), worker_index=cluster.index,
                    role="chief" if cluster.is_chief else "worker", workers_joined=len(cluster.workers))
    return strategy, output_layers_float32(preset, options), info


def patch_multi_worker_fit(model: Any) -> Any:
    """Let Keras 3 ``fit`` start under ``MultiWorkerMirroredStrategy``.

    Keras (3.x with TensorFlow 2.16+, keras-team/keras#20585) builds the model's metrics from the
    first batch by mean-reducing it across workers, eagerly, which the collective strategy refuses
    ("Attempt to convert a value (PerReplica…)"). That batch is only used for its shapes, so this
    worker's own part of it does the same job.
    """
    import tensorflow as tf
    from keras import tree

    original = model._maybe_symbolic_build
    strategy = model.distribute_strategy

    def local(value: Any) -> Any:
        if isinstance(value, tf.distribute.DistributedValues):
            return strategy.experimental_local_results(value)[0]
        return value

    def maybe_symbolic_build(iterator: Any = None, data_batch: Any = None) -> Any:
        if iterator is not None and data_batch is None:
            for _, _, it in iterator:
                data_batch = tree.map_structure(local, next(it))
                break
        return original(iterator=None, data_batch=data_batch)

    model._maybe_symbolic_build = maybe_symbolic_build
    _patch_multi_worker_reduce()
    return model


def _patch_multi_worker_reduce() -> None:
    """The same Keras code then mean-reduces each step's logs across workers with ``axis=0``, which
    fails on scalar metrics ("Invalid reduction dimension 0 for input with 0 dimensions"); the
    element-wise mean across replicas (``axis=None``) is what the one-machine path computes."""
    try:
        from keras.src.backend.tensorflow import trainer as tf_trainer
        from keras import tree

        original = tf_trainer.reduce_per_replica
        is_multi_worker = tf_trainer._collective_all_reduce_multi_worker
    except (ImportError, AttributeError):  # another Keras: its own code path, nothing to fix here
        return
    if getattr(original, "tuitrain_patched", False):
        return

    def reduce_per_replica(values: Any, strategy: Any, reduction: str) -> Any:
        if reduction in ("auto", "mean") and is_multi_worker(strategy):
            return tree.map_structure(lambda v: strategy.reduce("MEAN", v, axis=None), values)
        return original(values, strategy, reduction)

    reduce_per_replica.tuitrain_patched = True  # type: ignore[attr-defined]
    tf_trainer.reduce_per_replica = reduce_per_replica


def across_workers(strategy: Any, reduce: Any) -> Any:
    """A function ``int -> int``: ``reduce`` (``tf.reduce_min``/``max``) of one integer from every worker.

    One all-gather inside ``strategy.run``, the way training itself communicates (an eager
    cross-worker reduce is what Keras trips over, see ``patch_multi_worker_fit``). Traced once per
    distinct value (a stop flag has two). Every worker must call it the same number of times.
    """
    import tensorflow as tf

    @tf.function
    def gather(value: int) -> Any:
        def step() -> Any:
            ctx = tf.distribute.get_replica_context()
            return reduce(ctx.all_gather(tf.constant([value], tf.int64), axis=0))

        return strategy.run(step)

    return lambda value: int(strategy.experimental_local_results(gather(int(value)))[0])


def cluster_stop_callback(strategy: Any) -> Any:
    """A Keras callback that makes a stop asked on one worker stop every worker, at the epoch's end.

    A worker that left ``fit`` alone would leave the others waiting in a collective until they
    fail: so a stop (``model.stop_training`` set by the trainer's control requests, or by
    ``EarlyStopping`` on the same metrics everywhere) is held back until the epoch ends, where
    the workers agree on it together. A stop after this batch therefore ends the epoch first.
    """
    import keras
    import tensorflow as tf

    class ClusterStop(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.asked = False
            self.any_worker = across_workers(strategy, tf.reduce_max)

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if self.model.stop_training:
                self.asked = True
                self.model.stop_training = False

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            asked = self.asked or bool(self.model.stop_training)
            self.model.stop_training = bool(self.any_worker(int(asked)))
            self.asked = False

    return ClusterStop()
