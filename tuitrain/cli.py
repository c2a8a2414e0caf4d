"""The ``tuitrain`` command: argument parsing and dispatch only.

Each subcommand lives beside the code it drives (``tuitrain.preset_cli`` for the
core ones, ``tuitrain.engine.train_cli`` for training, ``tuitrain.ui.run_app`` for
the app) and is imported only when chosen, so ``tuitrain presets`` does not pay
for TensorFlow and ``tuitrain`` paints before TensorFlow is loaded.
"""

from __future__ import annotations

import argparse
import sys

from tuitrain.errors import TuitrainError

SUBCOMMANDS = ("train", "check", "attach", "runs", "export", "presets")


def _add_overrides(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a preset value, e.g. --set fit.epochs=5 --set layers.0.units=64 (value is a TOML literal)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tuitrain",
        description="Build, train and watch Keras models in the terminal.",
        epilog="Run `tuitrain` with no arguments to open the app on the offline default preset.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("train", help="train a preset headlessly in a trainer process")
    p.add_argument("preset", nargs="?", help="preset file or bundled preset name")
    _add_overrides(p)
    p.add_argument("--runs-dir", help="root of run directories (default: $TUITRAIN_RUNS or ./runs)")
    p.add_argument("--detach", action="store_true", help="start the trainer in the background and return")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its last checkpoint")

    p = sub.add_parser("check", help="validate a preset; print tensors, model summary and warnings")
    p.add_argument("preset", help="preset file or bundled preset name")
    _add_overrides(p)

    p = sub.add_parser("attach", help="open the app on a running or finished run (default: newest)")
    p.add_argument("run_dir", nargs="?")
    p.add_argument("--runs-dir", help="root of run directories (default: $TUITRAIN_RUNS or ./runs)")

    p = sub.add_parser("runs", help="list runs with status and best metrics")
    p.add_argument("--runs-dir", help="root of run directories (default: $TUITRAIN_RUNS or ./runs)")

    p = sub.add_parser("export", help="write a stand-alone Keras script equivalent to the preset")
    p.add_argument("preset", help="preset file or bundled preset name")
    _add_overrides(p)
    p.add_argument("-o", "--output", help="output file (default: stdout)")

    sub.add_parser("presets", help="list bundled presets")
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command in ("check", "export"):
        from tuitrain import preset_cli
        from tuitrain.native_log import filtered_stderr

        with filtered_stderr():  # these load TensorFlow in this process: keep its start-up chatter out
            return getattr(preset_cli, f"{args.command}_command")(args)
    if args.command == "presets":
        from tuitrain.preset_cli import presets_command

        return presets_command(args)
    if args.command in ("train", "runs"):
        from tuitrain.engine import train_cli

        return getattr(train_cli, f"{args.command}_command")(args)
    if args.command == "attach":
        from tuitrain.ui.run_app import attach_command

        return attach_command(args)
    from tuitrain.ui.run_app import app_command

    return app_command(args)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `tuitrain PRESET|RUN_DIR` opens the app: anything that is not a subcommand is the target.
    if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
        args = argparse.Namespace(command=None, target=argv[0])
    else:
        args = parser.parse_args(argv)
        args.target = None
    try:
        return _run(args)
    except TuitrainError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a folder that is a file, a disk that is full, a path we may not write
        print(f"error: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
