"""``tuitrain serve [TARGET] [--host H] [--port P]``: the app in a browser, one app process per tab.

What needs no web server lives here: the command each tab runs (``python -m tuitrain`` with the
same arguments), the token, the URL and the warning for a host other than this machine. The
server itself (textual-serve, the ``web`` extra) is handed in by the entry point, as the app is.
"""

from __future__ import annotations

import argparse
import ipaddress
import secrets
import shlex
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from tuitrain.common.safetext import clean


class ServeApp(Protocol):
    """Serves ``command`` (one process per browser tab) until Ctrl-C; calls ``on_ready(port)`` once listening."""

    def __call__(self, command: str, *, host: str, port: int, token: str, title: str,
                 on_ready: Callable[[int], None]) -> int: ...


def app_argv(args: argparse.Namespace) -> list[str]:
    """The app's own command line, as each tab runs it: this Python, ``-m tuitrain``, the same arguments."""
    argv = [sys.executable, "-m", "tuitrain"]
    if args.target is not None:
        argv.append(args.target)
    for override in args.overrides:
        argv += ["--set", override]
    if args.runs_dir is not None:
        argv += ["--runs-dir", args.runs_dir]
    return argv


def tab_command(args: argparse.Namespace) -> str:
    """``app_argv`` as one shell line (textual-serve runs a shell command), each argument quoted;
    ``exec`` so the app is the process the server stops, not a shell around it."""
    return "exec " + shlex.join(app_argv(args))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_for(host: str, port: int, token: str) -> str:
    """The URL to open: a host that listens everywhere is shown as this machine's name."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/?token={token}"


def exposure_warning(host: str, port: int) -> str:
    return (f"warning: --host {host} serves beyond this machine: anyone who can reach port {port} and has the "
            "token can use the app (read presets and data, start and stop training). The token is the only guard "
            "and plain HTTP does not encrypt it; the default --host 127.0.0.1 with `ssh -L "
            f"{port}:localhost:{port} SERVER` keeps the app on this machine.")


def check_overrides(target: str | None, overrides: list[str]) -> None:
    """A bad ``--set`` is an error here, once, not in every tab."""
    from tuitrain.preset import DEFAULT_PRESET, find_preset, load_preset
    from tuitrain.runs.layout import PRESET_FILE
    from tuitrain.runs.kinds import is_run

    if not overrides:
        return
    preset: str | Path = target if target is not None else DEFAULT_PRESET
    if target is not None and is_run(Path(target)):
        preset = Path(target) / PRESET_FILE
    load_preset(find_preset(preset), overrides)


def serve_command(args: argparse.Namespace, serve_app: ServeApp) -> int:
    """Print the URL with a fresh token once listening, and serve until Ctrl-C (TARGET checked by the caller)."""
    check_overrides(args.target, args.overrides)
    token = secrets.token_urlsafe(32)

    def on_ready(port: int) -> None:
        if not is_loopback(args.host):
            print(exposure_warning(clean(args.host), port), file=sys.stderr, flush=True)
        print("tuitrain serve: one app per browser tab (closing a tab leaves training runs going); "
              f"Ctrl-C stops the server.\n  {url_for(args.host, port, token)}", flush=True)

    title = f"tuitrain {args.target or ''}".strip()
    return serve_app(tab_command(args), host=args.host, port=args.port, token=token, title=title, on_ready=on_ready)
