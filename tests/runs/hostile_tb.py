"""Event files built byte by byte for tests: good scalar records and every kind of damage (#22)."""

from __future__ import annotations

import struct
from pathlib import Path

from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2

from tuitrain.runs.tfrecord import frame, masked_crc

TIB = 2 ** 40


def scalar_event(tag: str, step: int, value: float, *, wall: float = 1_700_000_000.0, shape: tuple[int, ...] = (),
                 first: bool = True) -> bytes:
    """One serialized Event holding a scalar summary, as ``tf.summary.scalar`` writes it."""
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[value],
                                    tensor_shape=tensor_shape_pb2.TensorShapeProto(
                                        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in shape]))
    value_pb = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
    if first:
        value_pb.metadata.plugin_data.plugin_name = "scalars"
    event = event_pb2.Event(wall_time=wall + step, step=step, summary=summary_pb2.Summary(value=[value_pb]))
    return event.SerializeToString()


def epoch_records(epochs: range, tag: str = "epoch_loss") -> list[bytes]:
    """Framed records of ``tag`` = 1/(epoch+1) for each epoch (step = epoch - 1, as Keras writes)."""
    return [frame(scalar_event(tag, e - 1, 1.0 / (e + 1), first=(e == epochs.start))) for e in epochs]


def lying_header(length: int) -> bytes:
    """A record header whose own checksum is right but whose length is ``length``: no data follows."""
    raw = struct.pack("<Q", length)
    return raw + struct.pack("<I", masked_crc(raw))


def write_log(folder: Path, *parts: bytes, name: str = "events.out.tfevents.1.host") -> Path:
    """A log folder ``folder/train/<name>`` holding ``parts`` back to back."""
    (folder / "train").mkdir(parents=True, exist_ok=True)
    path = folder / "train" / name
    path.write_bytes(b"".join(parts))
    return path
