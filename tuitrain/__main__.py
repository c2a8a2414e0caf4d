"""``tuitrain`` and ``python -m tuitrain``: the command line, with the Textual app as its default command.

This is the one place that joins the command line (``tuitrain.cli``, no Textual) and the app
(``tuitrain.ui``) or its web server (``tuitrain.web``): each is imported only when a command opens it.
"""

from __future__ import annotations

import argparse
import sys

from tuitrain.cli.main import main as cli_main
from tuitrain.common.errors import TuitrainError


def open_app(command: str, args: argparse.Namespace) -> int:
    """``app`` or ``attach``: open the Textual app (imported now, not before)."""
    from tuitrain.ui import run_app

    return run_app.attach_command(args) if command == "attach" else run_app.app_command(args)


def serve_app(command: str, **options) -> int:
    """``serve``: the web server (imported now; it needs the ``web`` extra, textual-serve)."""
    try:
        from tuitrain.web.server import serve
    except ImportError as err:
        if not (err.name or "").startswith(("textual_serve", "aiohttp", "jinja2")):
            raise
        raise TuitrainError(f"`tuitrain serve` needs the web extra ({err.name} is missing): "
                            "pip install 'tuitrain[web]'") from None
    return serve(command, **options)


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, open_app=open_app, serve_app=serve_app)


if __name__ == "__main__":
    sys.exit(main())
