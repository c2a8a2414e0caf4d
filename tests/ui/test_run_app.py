"""While the app runs, native writes to fd 2 go to a log file and the app keeps drawing on the terminal.

Each test runs a child process whose stderr is a pseudo-terminal (the redirection only happens on
a terminal), so pytest's own capture of fd 2 cannot hide a broken redirection.
"""

from __future__ import annotations

import errno
import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The child: writes the way TensorFlow's C++ does (os.write on fd 2) and the way Textual does
# (sys.__stderr__), inside the redirection, once normally and once with a body that raises.
CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from tuitrain.ui import run_app

    run_app.NATIVE_LOG = Path(sys.argv[1])
    original = sys.stderr
    fds = sorted(os.listdir("/dev/fd"))
    os.write(2, b"terminal: before\\n")
    with run_app._native_stderr_to_log():
        os.write(2, b"log: native inside\\n")
        sys.__stderr__.write("terminal: the app draws\\n")
        print("terminal: python inside", file=sys.stderr)
    try:
        with run_app._native_stderr_to_log():
            os.write(2, b"log: native before the error\\n")
            raise RuntimeError("boom")
    except RuntimeError:
        print("raised", flush=True)
    os.write(2, b"terminal: native after\\n")
    print("terminal: python after", file=sys.stderr, flush=True)
    print("restored" if sys.stderr is original and sys.__stderr__ is original else "not restored", flush=True)
    print("no fd leaked" if sorted(os.listdir("/dev/fd")) == fds else "fds leaked", flush=True)
""")


def _run_on_a_terminal(log: Path) -> tuple[str, str, int]:
    """Run CHILD with stderr on a pty; return (stdout, what the terminal showed, exit code)."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(log)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while True:  # read until the child closes the terminal (EIO on Linux, b"" elsewhere)
        try:
            chunk = os.read(master, 4096)
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    stdout = proc.stdout.read().decode()
    proc.stdout.close()
    code = proc.wait(timeout=60)
    return stdout, shown.decode().replace("\r\n", "\n"), code


def test_native_writes_go_to_the_log_and_the_app_draws_on_the_terminal(tmp_path):
    log = tmp_path / "native.log"
    stdout, terminal, code = _run_on_a_terminal(log)
    assert code == 0, terminal
    assert log.read_text().splitlines() == ["log: native inside", "log: native before the error"]
    assert terminal.splitlines() == [
        "terminal: before", "terminal: the app draws", "terminal: python inside",
        "terminal: native after", "terminal: python after",
    ]
    # The error left the block (nothing swallowed it) and everything was put back as it was.
    assert stdout.splitlines() == ["raised", "restored", "no fd leaked"]


def test_off_a_terminal_nothing_is_redirected(tmp_path):
    """Piped stderr (a script, CI) keeps every line: there is no screen to protect."""
    code = textwrap.dedent("""
        import os, sys
        from pathlib import Path
        from tuitrain.ui import run_app

        run_app.NATIVE_LOG = Path(sys.argv[1])
        with run_app._native_stderr_to_log():
            os.write(2, b"native inside\\n")
        os.write(2, b"native after\\n")
    """)
    log = tmp_path / "native.log"
    result = subprocess.run([sys.executable, "-c", code, str(log)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["native inside", "native after"]
    assert not log.exists()


def test_served_in_a_browser_native_writes_go_to_the_log_and_python_errors_to_the_server(tmp_path):
    """Under textual-serve's web driver fd 2 is a pipe to the server, which prints it when the tab closes:
    TensorFlow's native chatter goes to the log as on a terminal, Python's own errors still reach the server."""
    code = textwrap.dedent("""
        import os, sys
        from pathlib import Path
        from tuitrain.ui import run_app

        run_app.NATIVE_LOG = Path(sys.argv[1])
        with run_app._native_stderr_to_log():
            os.write(2, b"native inside\\n")
            print("python inside", file=sys.stderr, flush=True)
        os.write(2, b"native after\\n")
    """)
    log = tmp_path / "native.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver"}
    result = subprocess.run([sys.executable, "-c", code, str(log)], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["python inside", "native after"]
    assert log.read_text().splitlines() == ["native inside"]
