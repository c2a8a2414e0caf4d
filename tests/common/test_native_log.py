"""TensorFlow's native start-up chatter is kept off the terminal; real messages are not."""

import subprocess
import sys

from tuitrain.common.native_log import is_native_chatter

CHATTER = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795645262.247172    1956 port.cc:153] oneDNN custom operations are on.",
    "E0000 00:00:1795649212.777330   13 cuda_platform.cc:52] failed call to cuInit: INTERNAL",
]
REAL = [
    "E0000 00:00:1795649212.777330   13 bfc_allocator.cc:485] Allocator ran out of memory",
    "error: p.toml:3: bogus: unknown key 'bogus'",
    "Traceback (most recent call last):",
]


def test_chatter_is_recognised_and_real_messages_are_not():
    assert all(is_native_chatter(line) for line in CHATTER)
    assert not any(is_native_chatter(line) for line in REAL)


def test_filtered_stderr_drops_chatter_written_to_fd_2_and_keeps_the_rest_in_order():
    lines = CHATTER[:2] + REAL[:2] + CHATTER[2:] + REAL[2:]
    code = (
        "import os, sys\n"
        "from tuitrain.common.native_log import filtered_stderr\n"
        f"lines = {lines!r}\n"
        "with filtered_stderr():\n"
        "    for line in lines:\n"
        "        os.write(2, (line + '\\n').encode())  # as C++ code writes: straight to the fd\n"
        "    print('python side', file=sys.stderr)\n"
        "print('after', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stderr.splitlines() == REAL + ["python side", "after"]


def test_filtered_stderr_puts_fd_2_back_when_the_body_raises():
    """After the block (even one that raised) fd 2 is the real stderr again: nothing is filtered
    any more, the filter thread has ended and no descriptor is left open."""
    code = (
        "import os, sys, threading\n"
        "from tuitrain.common.native_log import filtered_stderr\n"
        f"chatter, real = {CHATTER[1]!r}, {REAL[0]!r}\n"
        "fds = sorted(os.listdir('/dev/fd'))\n"
        "try:\n"
        "    with filtered_stderr():\n"
        "        os.write(2, (chatter + '\\n').encode())\n"
        "        os.write(2, (real + '\\n').encode())\n"
        "        raise RuntimeError('boom')\n"
        "except RuntimeError:\n"
        "    print('raised')\n"
        "os.write(2, (chatter + ' (after)\\n').encode())  # no filter left: it reaches stderr\n"
        "print('threads', threading.active_count())\n"
        "print('fds', 'same' if sorted(os.listdir('/dev/fd')) == fds else 'leaked')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [REAL[0], CHATTER[1] + " (after)"]
    assert result.stdout.splitlines() == ["raised", "threads 1", "fds same"]
