"""TFRecord files (TensorBoard's event files) read without trusting them: bounded, checked, tailing.

A record is ``length (uint64) · masked CRC32C of length · data · masked CRC32C of data``. TensorFlow's
own reader allocates whatever the length claims (issue #22: one record claiming 1 TiB killed
``tuitrain metrics`` and the whole ``tuitrain runs`` listing) and stops at the first bad checksum.
:class:`RecordTail` checks the length's checksum before believing it, refuses a record over
:data:`MAX_RECORD_BYTES` without reading it, checks the data's checksum, and after damage searches
on for the next record whose header checks out, so the rest of the file is still read. Each damaged
part becomes a :class:`Damage` naming the file and the byte offset. A record still being written
(the file ends inside it) waits for the next call, so a file another process writes can be tailed.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

try:  # a C implementation (hundreds of MB/s); the fallback is TensorBoard's pure-Python one
    from crc32c import crc32c as _crc32c
except ImportError:  # pragma: no cover - depends on the environment
    _crc32c = None

# One event (a scalar, a model summary, an image) is far smaller; a longer record is skipped unread.
MAX_RECORD_BYTES = 32 * 1024 * 1024
# Bytes read per call: a huge file is read in steps, never whole.
READ_BYTES = 8 * 1024 * 1024
# After damage, how far on to search for the next good record header before giving up on the file.
RESYNC_BYTES = 4 * 1024 * 1024
HEADER = 12
FOOTER = 4
_MASK_DELTA = 0xA282EAD8


def masked_crc(data: bytes) -> int:
    """TFRecord's masked CRC32C of ``data``."""
    crc = _crc32c(data) if _crc32c is not None else _python_crc(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def _python_crc(data: bytes) -> int:  # pragma: no cover - only without the crc32c package
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import crc32c

    return crc32c(data)


def frame(data: bytes) -> bytes:
    """``data`` as one TFRecord (what a writer appends)."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc(length)) + data + struct.pack("<I", masked_crc(data))


@dataclass(frozen=True)
class Damage:
    """A part of a file that was skipped, and why (shown as ``file: offset N: reason``)."""

    path: Path
    offset: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path.name}: offset {self.offset:,}: {self.reason}"


@dataclass
class RecordTail:
    """Reads one TFRecord file from where it last stopped; ``read()`` gives the complete records since."""

    path: Path
    offset: int = 0
    damage: list[Damage] = field(default_factory=list)
    _searching_from: int | None = None  # set while looking for a good header after damage

    def read(self, limit_bytes: int = READ_BYTES) -> list[tuple[int, bytes]]:
        """``(offset, data)`` of the records complete now (about ``limit_bytes`` of them); damage is noted and skipped."""
        try:
            with open(self.path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size < self.offset:  # replaced by a shorter file: start again
                    self.offset, self._searching_from = 0, None
                return self._records(fh, size, limit_bytes)
        except OSError as err:
            self._note(self.offset, f"cannot be read: {err.strerror or err}")
            return []

    def _records(self, fh, size: int, limit_bytes: int) -> list[tuple[int, bytes]]:
        records: list[tuple[int, bytes]] = []
        start = self.offset
        while self.offset - start < limit_bytes and size - self.offset >= HEADER:
            if self._searching_from is not None and not self._resync(fh, size):
                break
            fh.seek(self.offset)
            header = fh.read(HEADER)
            length, length_crc = struct.unpack("<QI", header)
            if masked_crc(header[:8]) != length_crc:
                self._damaged(self.offset, "record header checksum does not match (damaged); searching for the next record")
                continue
            end = self.offset + HEADER + length + FOOTER
            if length > MAX_RECORD_BYTES:
                self._skip_oversized(length, end, size)
                continue
            if end > size:
                break  # still being written: wait for the rest
            data = fh.read(length)
            (data_crc,) = struct.unpack("<I", fh.read(FOOTER))
            if masked_crc(data) != data_crc:
                self._note(self.offset, f"record data checksum does not match ({length:,} bytes skipped)")
            else:
                records.append((self.offset, data))
            self.offset = end
        return records

    def _skip_oversized(self, length: int, end: int, size: int) -> None:
        what = f"record claims {_size(length)}, over the {_size(MAX_RECORD_BYTES)} limit"
        if end <= size:
            self._note(self.offset, f"{what}; skipped unread")
            self.offset = end
        else:
            self._damaged(self.offset, f"{what} and runs past the end of the file; searching for the next record")

    def _damaged(self, offset: int, reason: str) -> None:
        self._note(offset, reason)
        self._searching_from = offset + 1
        self.offset = offset + 1

    def _resync(self, fh, size: int) -> bool:
        """Move to the next offset whose header checks out; False (and give up on the file) if none is near."""
        assert self._searching_from is not None
        fh.seek(self.offset)
        window = fh.read(min(RESYNC_BYTES, size - self.offset))
        for i in _plausible_headers(window):
            if masked_crc(window[i:i + 8]) == int.from_bytes(window[i + 8:i + 12], "little"):
                self.offset += i
                self._searching_from = None
                return True
        if self.offset + len(window) >= size:  # nothing yet: a later read looks on from here (the file may grow)
            self.offset += max(0, len(window) - HEADER + 1)
            return False
        self._note(self.offset, f"no record found in the next {_size(RESYNC_BYTES)}; the rest of the file is not read")
        self.offset = size
        self._searching_from = None
        return False

    def note(self, offset: int, reason: str) -> None:
        """Record damage found in the record at ``offset`` by whoever parses it (at most 100 kept)."""
        self._note(offset, reason)

    def _note(self, offset: int, reason: str) -> None:
        damage = Damage(self.path, offset, reason)
        if damage not in self.damage and len(self.damage) < 100:
            self.damage.append(damage)


def _plausible_headers(window: bytes) -> list[int]:
    """Offsets in ``window`` where a header could start (a length of 1 byte … the limit), in order."""
    import numpy as np

    count = len(window) - HEADER + 1
    if count <= 0:
        return []
    buf = np.frombuffer(window, dtype=np.uint8)
    ok = np.zeros(count, dtype=bool)
    for shift in range(8):  # the little-endian uint64 at every offset, 8 aligned views at a time
        n = (len(window) - shift) // 8
        lengths = np.frombuffer(buf[shift:shift + 8 * n].tobytes(), dtype="<u8")
        # an event is never empty: a run of zero bytes (a preallocated tail) offers no candidates
        hits = np.flatnonzero((lengths > 0) & (lengths <= MAX_RECORD_BYTES)) * 8 + shift
        ok[hits[hits < count]] = True
    return np.flatnonzero(ok).tolist()


def _size(n: int) -> str:
    for unit, scale in (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
