"""`tuitrain [TARGET] [--set ...] [--runs-dir DIR]` and `tuitrain attach [RUN_DIR | LOGDIR]`: open the app.

A target may be a bundled preset name, a preset file, a run directory (its preset.toml, when it
has one, is shown and the Train pane watches the run) or a TensorBoard log folder.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

from tuitrain.common.errors import TuitrainError
from tuitrain.runs.layout import PRESET_FILE


NATIVE_LOG = Path(tempfile.gettempdir()) / "tuitrain-app-stderr.log"


@contextlib.contextmanager
def _native_stderr_to_log():
    """Send fd 2 to a log file while the app runs; Textual keeps drawing on the terminal.

    TensorFlow's C++ start-up messages are written straight to fd 2 (not through
    Python, so Textual cannot capture them) and would scribble over the screen.
    Textual draws on ``sys.__stderr__``, so that becomes a duplicate of the terminal. Served in a
    browser (``tuitrain serve``), fd 2 is a pipe to the server, which prints it when the tab closes:
    it goes to the log too, and Python's own errors still reach the server.
    """
    served = os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver")
    if not sys.__stderr__ or not (sys.__stderr__.isatty() or served):
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
    target: str | Path | None, *, run_dir: Path | None = None, runs_dir: str | Path | None = None, pane: str = "data",
    overrides: list[str] | None = None, trusted: bool = False, sweep_dir: Path | None = None,
) -> int:
    from tuitrain.ui.app import TuitrainApp

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    app = TuitrainApp(target, run_dir=run_dir, runs_dir=runs_dir, pane=pane, overrides=overrides, trusted=trusted,
                      sweep_dir=sweep_dir)
    with _native_stderr_to_log():
        app.run()
    return app.return_code or 0  # Textual sets 1 when the app crashed: the shell must see it


def _watch(run_dir: Path, runs_dir: str | Path | None, overrides: list[str] | None = None, trusted: bool = False) -> int:
    """The app on a run directory (with its preset when it has one) or a TensorBoard log folder."""
    preset = run_dir / PRESET_FILE
    if overrides:
        _check_overrides(preset, overrides)
    return _run_app(preset if preset.is_file() else None, run_dir=run_dir, runs_dir=runs_dir, pane="train",
                    overrides=overrides, trusted=trusted)


def _check_overrides(preset: str | Path, overrides: list[str]) -> None:
    """A bad ``--set`` is an error on the command line, before the app opens."""
    from tuitrain.preset import find_preset, load_preset

    path = Path(str(preset))
    if path.suffix == ".toml" and not path.is_file():
        raise TuitrainError(f"--set needs a preset to change: {preset} does not exist.")
    load_preset(find_preset(preset), overrides)


def app_command(args: argparse.Namespace) -> int:
    """``tuitrain [TARGET] [--set KEY=VALUE ...] [--runs-dir DIR]``."""
    from tuitrain.runs.kinds import is_run
    from tuitrain.preset import DEFAULT_PRESET

    target = getattr(args, "target", None)
    runs_dir = getattr(args, "runs_dir", None)
    overrides = list(getattr(args, "overrides", None) or [])
    trusted = bool(getattr(args, "trust", False))  # --trust: for this app session only
    if target is not None and is_run(Path(target)):
        return _watch(Path(target), runs_dir, overrides, trusted)
    from tuitrain.sweep.sweepdir import is_sweep

    if target is not None and is_sweep(Path(target)):
        return attach_command(argparse.Namespace(run_dir=target, runs_dir=runs_dir))
    if overrides:
        _check_overrides(target if target is not None else DEFAULT_PRESET, overrides)
    return _run_app(target, runs_dir=runs_dir, overrides=overrides, trusted=trusted)


def attach_command(args: argparse.Namespace) -> int:
    run_dir = getattr(args, "run_dir", None)
    runs_dir = getattr(args, "runs_dir", None)
    if run_dir is None:
        from tuitrain.runs.listing import default_runs_dir, newest_run

        run_dir = newest_run(runs_dir)
        if run_dir is None:
            raise TuitrainError(f"no runs to attach to in {default_runs_dir(runs_dir)}")
    from tuitrain.runs.source import check_run
    from tuitrain.sweep.sweepdir import is_sweep

    if is_sweep(run_dir):  # the Sweep screen over the app on the sweep's preset
        preset = Path(run_dir) / PRESET_FILE
        return _run_app(preset if preset.is_file() else None, runs_dir=runs_dir, pane="train", sweep_dir=Path(run_dir))
    return _watch(check_run(run_dir), runs_dir)
