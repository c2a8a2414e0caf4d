"""TensorFlow's native start-up chatter, recognised and kept off the user's terminal.

TensorFlow 2.21 prints absl-format lines (``I0000 00:00:… port.cc:153] oneDNN …``) from C++
straight to file descriptor 2 before absl reads ``TF_CPP_MIN_LOG_LEVEL``, so the variable does not
silence them. ``tuitrain check`` and ``export`` run their work inside ``filtered_stderr()``: fd 2
goes through a pipe, and a thread passes on every line except that chatter. The Train pane uses
``is_native_chatter`` on the trainer's log.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator

# Info and warnings only; native errors (E…) stay visible, except "failed call to cuInit",
# which every machine without a GPU prints (run.json's `devices` says what TensorFlow saw).
_ABSL = r"\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\]"
_NATIVE_CHATTER = re.compile(
    rf"^(?:[IW]{_ABSL}|E{_ABSL} failed call to cuInit|WARNING: All log messages before absl::InitializeLog)"
)


def is_native_chatter(line: str) -> bool:
    return bool(_NATIVE_CHATTER.match(line))


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Drop native chatter from fd 2 for the duration; everything else reaches stderr in order."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (pytest capture, embedded use): nothing to filter
        yield
        return
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, 2)
    os.close(write_fd)

    def pump() -> None:
        with os.fdopen(read_fd, "rb") as source:
            for raw in source:
                if not is_native_chatter(raw.decode("utf-8", "replace")):
                    os.write(saved, raw)

    thread = threading.Thread(target=pump, name="stderr-filter", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes the pipe's last write end: the pump sees EOF and drains
        thread.join(timeout=5)
        os.close(saved)
