"""The ``tuitrain`` command: argument parsing and dispatch only.

Each subcommand lives beside the code it drives (``tuitrain.cli.preset_commands`` for the
core ones, ``tuitrain.cli.train_commands`` for training; the app is handed in by the entry point,
``tuitrain.__main__``, so this package never imports the UI) and is imported only when chosen, so ``tuitrain presets`` does not pay
for TensorFlow and ``tuitrain`` paints before TensorFlow is loaded.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable

from tuitrain.common.errors import TuitrainError
from tuitrain.common.safetext import clean
from tuitrain.runs.layout import RUN_JSON

SUBCOMMANDS = ("new", "train", "check", "attach", "runs", "metrics", "diff", "export", "presets", "devices", "serve",
               "sweep", "sweeps")
# Opens the Textual app for `app` or `attach` with the parsed arguments; returns the exit code.
OpenApp = Callable[[str, argparse.Namespace], int]
# `tuitrain serve`'s web server (tuitrain.cli.serve_command.ServeApp), handed in like the app.
ServeApp = Callable[..., int]
RUNS_DIR_HELP = "root of run directories (default: $TUITRAIN_RUNS or ./runs)"
RUN_HELP = "run directory, TensorBoard log folder, or a run name as `tuitrain runs` prints it (or its unique start)"
APP_USAGE = "tuitrain [PRESET | RUN_DIR | LOGDIR] [--set KEY=VALUE ...] [--runs-dir DIR] [--trust]"


def _add_overrides(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a preset value, e.g. --set fit.epochs=5 --set layers.0.units=64 (value is a TOML literal)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535 (0: any free port), got {text!r}")
    return value


def _keys(text: str) -> list[str]:
    return [key.strip() for key in text.split(",") if key.strip()]


def _version() -> str:
    from tuitrain import __version__

    return f"tuitrain {__version__}"


def build_app_parser() -> argparse.ArgumentParser:
    """``tuitrain [TARGET] [--set ...] [--runs-dir DIR]``: the app, with the options ``train`` takes."""
    parser = argparse.ArgumentParser(
        prog="tuitrain", usage=APP_USAGE,
        description="Open the app on a preset (default: the offline default), a run directory or a TensorBoard "
                    "log folder.",
        epilog=f"commands: {', '.join(SUBCOMMANDS)} (see `tuitrain --help`, `tuitrain COMMAND --help`)",
    )
    parser.add_argument("target", nargs="?", help="bundled preset name, preset file, run directory or log folder")
    _add_overrides(parser)
    parser.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    _add_trust(parser)
    parser.add_argument("--version", action="version", version=_version())
    return parser


def _add_trust(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--trust",
        action="store_true",
        help="for this command only: let the preset write outside its run directory, read files outside its "
        "folders and use network or Python-function callbacks (a preset cannot trust itself); read the preset first",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuitrain",
        description="Build, train and watch Keras models in the terminal.",
        epilog=f"Run `tuitrain` with no command to open the app: {APP_USAGE}",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    _add_preset_commands(sub)
    _add_run_commands(sub)
    _add_sweep_and_serve_commands(sub)
    return parser


def _add_preset_commands(sub: Any) -> None:
    """`new`, `train`, `check`: commands that take a preset."""
    p = sub.add_parser("new", help="write a starter preset for some data (model and loss fitted to it)")
    p.add_argument("file", nargs="?", help="preset file to write (.toml)")
    p.add_argument("--data", metavar="SOURCE", help="synthetic:NAME, sklearn:NAME, keras:NAME, file:PATH or folder:PATH (default: synthetic:spiral)")
    p.add_argument("--option", dest="options", action="append", default=[], metavar="KEY=VALUE",
                   help="an option of the source, e.g. --option samples=500 (value is a TOML literal)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--list", action="store_true", help="list the data available offline and exit")

    p = sub.add_parser("train", help="train a preset headlessly in a trainer process")
    p.add_argument("preset", nargs="?", help="preset file or bundled preset name")
    _add_overrides(p)
    p.add_argument("--runs-dir", help="root of run directories (default: $TUITRAIN_RUNS or ./runs)")
    p.add_argument("--detach", action="store_true", help="start the trainer in the background and return")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its last checkpoint")
    p.add_argument("--log-every-epochs", type=_positive_int, metavar="N",
                   help="print one line every N epochs (and the last), e.g. for output that goes to a file")
    p.add_argument("--workers", metavar="HOST:PORT,...",
                   help="train on several machines (MultiWorkerMirroredStrategy): every machine's address, the same list on each")
    p.add_argument("--worker-index", type=int, metavar="I", help="this machine's place in --workers (0 = the chief)")

    _add_trust(p)

    p = sub.add_parser("check", help="validate a preset; print tensors, model summary and warnings")
    p.add_argument("preset", help="preset file or bundled preset name")
    _add_overrides(p)
    _add_trust(p)


def _add_run_commands(sub: Any) -> None:
    """`attach`, `runs`, `metrics`, `diff`, `export`, `presets`: reading runs and presets."""
    p = sub.add_parser("attach", help="open the app on a running or finished run or a TensorBoard log folder "
                                      "(default: the newest run)")
    p.add_argument("run_dir", nargs="?", metavar="RUN", help=RUN_HELP + " or sweep (default: the newest run)")
    p.add_argument("--runs-dir", help=RUNS_DIR_HELP)

    p = sub.add_parser("runs", help="list runs with status and best metrics")
    p.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    p.add_argument("--json", action="store_true", help="write the list as JSON")
    p.add_argument("--columns", type=_keys, metavar="KEY,...",
                   help="settings to show beside the best metric, e.g. compile.optimizer.learning_rate,layers[1].units")

    p = sub.add_parser("metrics", help="write the logged series of runs (run directories or TensorBoard folders)")
    p.add_argument("runs", nargs="+", metavar="RUN", help=RUN_HELP)
    p.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="CSV, one row per epoch/batch and run (the default)")
    fmt.add_argument("--json", action="store_true", help="JSON: {kind, runs: [{run, path, rows}]}")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--epoch", action="store_true", help="epoch rows (the default)")
    kind.add_argument("--batch", action="store_true", help="batch rows")
    p.add_argument("--since", type=float, metavar="T", help="only rows logged more than T seconds after the run started")

    p = sub.add_parser("diff", help="the settings (preset keys) whose values differ between two runs")
    p.add_argument("run_a", metavar="RUN_A", help=RUN_HELP)
    p.add_argument("run_b", metavar="RUN_B", help=RUN_HELP)
    p.add_argument("--runs-dir", help=RUNS_DIR_HELP)

    p = sub.add_parser("export", help="write a stand-alone Keras script equivalent to the preset")
    p.add_argument("preset", help="preset file or bundled preset name")
    _add_overrides(p)
    p.add_argument("-o", "--output", help="output file (default: stdout)")
    _add_trust(p)
    p.add_argument(
        "--absolute-paths",
        action="store_true",
        help="write data paths as absolute paths (default: relative to the script, so both can move together)",
    )

    sub.add_parser("presets", help="list bundled presets")


def _add_sweep_and_serve_commands(sub: Any) -> None:
    """`sweep`, `sweeps`, `devices`, `serve`."""
    p = sub.add_parser("sweep", help="run the preset's [sweep]: trials chosen by KerasTuner, each a trainer run")
    p.add_argument("preset", nargs="?", help="preset file or bundled preset name with a [sweep] table")
    _add_overrides(p)
    p.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    p.add_argument("--trials", type=_positive_int, metavar="N", help="max_trials for this sweep")
    p.add_argument("--parallel", type=_positive_int, metavar="N", help="trials at once (default: one per GPU, else 1)")
    p.add_argument("--detach", action="store_true", help="start the controller in the background and return")
    p.add_argument("--resume", metavar="SWEEP_DIR", help="continue a sweep whose controller ended or was killed")
    p.add_argument("--stop", metavar="SWEEP_DIR", help="stop a sweep: no new trials, running ones stop after their batch")
    p.add_argument("--pause", metavar="SWEEP_DIR", help="pause a sweep and its running trials")
    p.add_argument("--unpause", metavar="SWEEP_DIR", help="resume a paused sweep")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--chief", metavar="HOST:PORT", help="several machines: serve the oracle here (runs no trial)")
    where.add_argument("--worker", metavar="HOST:PORT", help="several machines: run trials for the chief at HOST:PORT")

    p = sub.add_parser("sweeps", help="list sweeps: status, best trial, trials done/failed/running")
    p.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    p.add_argument("--json", action="store_true", help="write the list as JSON (every trial included)")

    p = sub.add_parser("devices", help="what TensorFlow sees (CPU, GPUs, memory) and why a GPU is missing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("serve", help="the same app in a browser (needs the web extra); prints a URL with a token")
    p.add_argument("target", nargs="?", metavar="PRESET|RUN_DIR|LOGDIR",
                   help="what each browser tab opens: whatever `tuitrain TARGET` opens (default: the offline default preset)")
    _add_overrides(p)
    p.add_argument("--runs-dir", help=RUNS_DIR_HELP)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; reach it with ssh -L)")
    p.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000; 0: any free port)")


def resolve_run_arguments(args: argparse.Namespace) -> None:
    """Every RUN argument as a path: a run name as `tuitrain runs` prints it (or its unique start) is looked
    up under the runs root (``runs.names``), so each command accepts what the runs table shows."""
    from tuitrain.runs.names import resolve_run

    runs_dir = getattr(args, "runs_dir", None)
    if args.command == "diff":
        args.run_a, args.run_b = (str(resolve_run(r, runs_dir)) for r in (args.run_a, args.run_b))
    elif args.command == "metrics":
        args.runs = [str(resolve_run(r, runs_dir)) for r in args.runs]
    elif args.command == "attach" and args.run_dir is not None:
        args.run_dir = str(resolve_run(args.run_dir, runs_dir, accept=run_or_sweep))
    elif args.command == "train" and getattr(args, "resume", None):
        args.resume = str(resolve_run(args.resume, runs_dir))
    elif args.command == "sweep":  # a sweep by the name `tuitrain runs` and `sweeps` print
        from tuitrain.sweep.sweepdir import is_sweep

        for flag in ("resume", "stop", "pause", "unpause"):
            if getattr(args, flag, None):
                setattr(args, flag, str(resolve_run(getattr(args, flag), runs_dir, accept=is_sweep)))


def _run(args: argparse.Namespace, open_app: OpenApp | None, serve_app: ServeApp | None = None) -> int:
    resolve_run_arguments(args)
    if args.command in ("check", "export"):
        from tuitrain.cli import preset_commands as preset_cli
        from tuitrain.common.native_log import filtered_stderr

        with filtered_stderr():  # these load TensorFlow in this process: keep its start-up chatter out
            return getattr(preset_cli, f"{args.command}_command")(args)
    if args.command == "new":
        from tuitrain.common.native_log import filtered_stderr
        from tuitrain.cli.new_command import new_command

        with filtered_stderr():  # a keras: source loads TensorFlow in this process
            return new_command(args)
    if args.command == "presets":
        from tuitrain.cli.preset_commands import presets_command

        return presets_command(args)
    if args.command in ("metrics", "diff") or (args.command == "runs" and args.json):
        from tuitrain.cli import compare_commands
        from tuitrain.common.native_log import filtered_stderr

        with filtered_stderr():  # TensorBoard's reader loads TensorFlow: keep its start-up chatter out
            if args.command == "runs":
                return compare_commands.runs_json(args)
            return getattr(compare_commands, f"{args.command}_command")(args)
    if args.command in ("train", "runs"):
        from tuitrain.cli import train_commands as train_cli

        return getattr(train_cli, f"{args.command}_command")(args)
    if args.command in ("sweep", "sweeps"):
        from tuitrain.cli import sweep_commands

        return getattr(sweep_commands, f"{args.command}_command")(args)
    if args.command == "devices":
        from tuitrain.trainer.devices import devices_command

        return devices_command(args)
    if args.command != "attach":
        args.target = check_app_target(args.target, getattr(args, "runs_dir", None))
    if args.command == "serve":
        from tuitrain.cli.serve_command import serve_command

        if serve_app is None:
            raise TuitrainError("this entry point has no web server: run `tuitrain serve` or `python -m tuitrain serve`")
        return serve_command(args, serve_app)
    if open_app is None:
        raise TuitrainError("this entry point has no app: run `tuitrain` or `python -m tuitrain`")
    return open_app(args.command or "app", args)


def run_or_sweep(path: Path) -> bool:
    """What ``attach`` and the app open: a run, a TensorBoard log folder or a sweep."""
    from tuitrain.runs.kinds import is_run
    from tuitrain.sweep.sweepdir import is_sweep

    return is_run(path) or is_sweep(path)


def check_app_target(target: str | None, runs_dir: str | None = None) -> str | None:
    """The app's TARGET must be a preset, a run directory or log folder, or a run's name under the runs root
    (returned as its path): say so, with close names."""
    if target is None:
        return None
    from tuitrain.runs.names import AmbiguousRun, default_runs_dir, resolve_run, run_names

    path = Path(target).expanduser()
    if path.suffix == ".toml" or run_or_sweep(path):
        return target  # a preset file that is missing opens the app with the error (ctrl+r reads it once it exists)
    from tuitrain.preset import bundled_presets, find_preset
    from tuitrain.common.suggest import did_you_mean

    try:
        find_preset(target)
        return target
    except TuitrainError:
        pass
    if not path.exists():
        try:
            return str(resolve_run(target, runs_dir, accept=run_or_sweep))
        except AmbiguousRun:
            raise  # the start of several runs: saying which helps more than the list of commands
        except TuitrainError:
            pass
    presets = [name for name, _, _ in bundled_presets()]
    close = did_you_mean(target, [*SUBCOMMANDS, *presets, *run_names(default_runs_dir(runs_dir), run_or_sweep)])
    if path.is_dir():
        raise TuitrainError(f"{target}: a folder, but neither a run directory (no {RUN_JSON}) nor a TensorBoard log "
                            "folder (no events.out.tfevents.* files in it or its subfolders).")
    raise TuitrainError(f"'{target}' is not a command, a preset, a run directory or a TensorBoard log folder."
                        f"{close} Commands: {', '.join(SUBCOMMANDS)}; "
                        f"presets: {', '.join(presets)}.")


def main(argv: list[str] | None = None, open_app: OpenApp | None = None, serve_app: ServeApp | None = None) -> int:
    """Parse ``argv`` and run it; ``open_app(command, args)`` opens the Textual app (``app`` or ``attach``),
    ``serve_app(...)`` serves it in a browser (``serve``).

    Both are passed in by the entry point (``tuitrain.__main__``) so that the command line never
    imports the UI or the web server: every other command runs without Textual.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    # `tuitrain [PRESET|RUN_DIR|LOGDIR] [--set ...]` opens the app; a subcommand word runs it.
    if argv and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help", "--version")):
        args = build_parser().parse_args(argv)
        args.target = getattr(args, "target", None)  # `serve` takes one too
    else:
        args = build_app_parser().parse_args(argv)
        args.command = None
    try:
        return _run(args, open_app, serve_app)
    except TuitrainError as err:  # texts from presets and Keras: escaped before they reach the terminal
        print(f"error: {clean(err)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `tuitrain metrics RUN | head`: the reader left; no traceback (Python's documented way)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush at exit must not raise again
        return 1
    except OSError as err:  # a folder that is a file, a disk that is full, a path we may not write
        print(clean(f"error: {err.strerror or err}: {err.filename or ''}".rstrip(": ")), file=sys.stderr)
        return 1
    except RecursionError:  # a last guard: nesting limits are checked where input is read
        print("error: input nested too deeply to process", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
