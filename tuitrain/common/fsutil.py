"""Atomic file writes: a crash mid-save never leaves a half-written preset or checkpoint."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write to a temp file in the same directory, fsync, then rename over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def fsync_dir(path: str | os.PathLike) -> None:
    """Make a rename in ``path`` durable (a power cut after it keeps the new name)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class UnreadableFile(OSError):
    """A file that is not a regular file, or larger than a reader allows; the message says which."""


def read_bounded(path: str | os.PathLike, limit: int, *, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or ``UnreadableFile`` saying why.

    A symlink to ``/dev/zero``, a FIFO or a huge file cannot make a reader block or fill memory:
    the file is opened without blocking, checked with ``fstat`` and read up to ``limit + 1`` bytes.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(f"{path}: {what} is not a regular file")
        if st.st_size > limit:
            raise UnreadableFile(f"{path}: {what} is {st.st_size:,} bytes, over the {limit:,}-byte limit")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while read
            raise UnreadableFile(f"{path}: {what} is over the {limit:,}-byte limit")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_tail(path: str | os.PathLike, nbytes: int) -> bytes:
    """The last ``nbytes`` of a regular file (``UnreadableFile`` for a device, FIFO or directory)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(f"{path}: not a regular file")
        os.lseek(fd, max(0, st.st_size - nbytes), os.SEEK_SET)
        chunks, size = [], 0
        while size < nbytes:
            chunk = os.read(fd, nbytes - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
