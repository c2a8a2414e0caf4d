"""`tuitrain [TARGET]` and `tuitrain attach [RUN_DIR]`: open the app.

A target may be a bundled preset name, a preset file, or a run directory
(then its preset.toml is shown and the Train pane watches the run).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

from tuitrain.errors import TuitrainError


def _is_run_dir(path: Path) -> bool:
    return path.is_dir() and (path / "run.json").is_file()


NATIVE_LOG = Path(tempfile.gettempdir()) / "tuitrain-app-stderr.log"


@contextlib.contextmanager
def _native_stderr_to_log():
    """Send fd 2 to a log file while the app runs; Textual keeps drawing on the terminal.

    TensorFlow's C++ start-up messages are written straight to fd 2 (not through
    Python, so Textual cannot capture them) and would scribble over the screen.
    Textual draws on ``sys.__stderr__``, so that becomes a duplicate of the terminal.
    """
    if not sys.__stderr__ or not sys.__stderr__.isatty():
        yield
        return
    sys.__stderr__.flush()
    saved_fd = os.dup(2)
    terminal = os.fdopen(os.dup(2), "w", buffering=1, encoding=sys.__stderr__.encoding, errors="replace")
    original = sys.__stderr__
    with open(NATIVE_LOG, "ab") as log:
        os.dup2(log.fileno(), 2)
    sys.__stderr__ = terminal
    sys.stderr = terminal
    try:
        yield
    finally:
        terminal.flush()
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        sys.__stderr__ = original
        sys.stderr = original
        terminal.close()


def _run_app(
    target: str | Path | None, *, run_dir: Path | None = None, runs_dir: str | Path | None = None, pane: str = "data"
) -> int:
    from tuitrain.ui.app import TuitrainApp

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    app = TuitrainApp(target, run_dir=run_dir, runs_dir=runs_dir, pane=pane)
    with _native_stderr_to_log():
        app.run()
    return app.return_code or 0  # Textual sets 1 when the app crashed: the shell must see it


def app_command(args: argparse.Namespace) -> int:
    target = getattr(args, "target", None)
    if target is not None and _is_run_dir(Path(target)):
        run_dir = Path(target)
        return _run_app(run_dir / "preset.toml", run_dir=run_dir, pane="train")
    return _run_app(target)


def attach_command(args: argparse.Namespace) -> int:
    run_dir = getattr(args, "run_dir", None)
    runs_dir = getattr(args, "runs_dir", None)
    if run_dir is None:
        from tuitrain.engine import default_runs_dir, newest_run

        run_dir = newest_run(runs_dir)
        if run_dir is None:
            raise TuitrainError(f"no runs to attach to in {default_runs_dir(runs_dir)}")
    run_dir = Path(run_dir)
    if not _is_run_dir(run_dir):
        raise TuitrainError(f"{run_dir} is not a run directory (it has no run.json)")
    return _run_app(run_dir / "preset.toml", run_dir=run_dir, runs_dir=runs_dir, pane="train")
