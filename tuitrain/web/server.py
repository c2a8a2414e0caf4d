"""`tuitrain serve`'s web server: textual-serve's ``Server`` behind a token, with a page that works offline.

textual-serve answers anyone who reaches its port and starts an app process for each websocket.
This subclass refuses every request (page, assets, websocket, downloads) that carries neither the
token (``?token=…``) nor the cookie that a tokened request sets, checks a websocket's ``Origin``,
serves its page with the font from textual-serve's own static folder (no Google Fonts), builds
its URLs from the address the browser used, and stops its app processes on Ctrl-C. Training runs
are trainer processes in their own session: closing a tab or stopping the server leaves them going.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from tuitrain.common.errors import TuitrainError

log = logging.getLogger("tuitrain.serve")
TEMPLATES = Path(__file__).resolve().parent / "templates"
STOP_TIMEOUT_S = 5.0  # an app asked to quit gets this long before it is killed
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TabService(AppService):
    """One browser tab's app process, in a session of its own so that the terminal's Ctrl-C reaches
    the server alone (which then asks each app to quit) and the app's own trainer children are not hit."""

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's C++ chatter would end up in our log
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        self._process = process = await asyncio.create_subprocess_shell(
            self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width, height), start_new_session=True,
        )
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop_within(self, timeout: float) -> None:
        """Ask the app to quit; kill it if it has not gone within ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self.stop(), timeout)
        except TimeoutError:
            log.warning("app process %s did not quit within %.0f s: killed", self.pid, timeout)
        process = self._process
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()


class TokenServer(Server):
    """textual-serve's server, answering only requests that carry ``token``."""

    def __init__(self, command: str, *, host: str, port: int, token: str, title: str) -> None:
        super().__init__(command, host=host, port=port, title=title, templates_path=TEMPLATES)
        self.token = token
        self.tabs: set[TabService] = set()

    @property
    def cookie_name(self) -> str:
        """Per port: cookies ignore ports, and two servers on one host must not overwrite each other's."""
        return f"tuitrain-token-{self.port}"

    def token_refusal(self, request: web.Request) -> web.HTTPException | None:
        """Why ``request`` is refused (401 without a token, 403 with a wrong one or a foreign origin), or None."""
        given = request.query.get("token", request.cookies.get(self.cookie_name))
        if given is None:
            return web.HTTPUnauthorized(text="tuitrain serve: open the URL with the token that `tuitrain serve` "
                                             "printed (http://HOST:PORT/?token=...).\n")
        if not secrets.compare_digest(given.encode("utf-8", "replace"), self.token.encode("utf-8")):
            return web.HTTPForbidden(text="tuitrain serve: wrong token.\n")
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None and origin not in (f"http://{request.host}",
                                                                              f"https://{request.host}"):
            return web.HTTPForbidden(text="tuitrain serve: a websocket from another site.\n")
        return None

    @web.middleware
    async def require_token(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        refusal = self.token_refusal(request)
        if refusal is not None:
            log.warning("refused %s %s from %s: %s", request.method, request.path, request.remote, refusal.reason)
            raise refusal
        response = await handler(request)
        if not response.prepared:
            response.headers["Referrer-Policy"] = "no-referrer"  # the page's URL holds the token
            if "token" in request.query:
                response.set_cookie(self.cookie_name, self.token, httponly=True, samesite="Strict", path="/")
        return response

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.require_token])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, name="static"),
        ])
        return app

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page, its URLs relative to the address the browser used (``localhost`` or ``127.0.0.1`` over
        an SSH tunnel), so that the cookie set on this request goes with the assets and the websocket."""
        router = request.app.router
        scheme = "wss" if request.secure else "ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{scheme}://{request.host}{router['websocket'].url_for()}",
            "config": {"static": {"url": str(router["static"].url_for(filename="/")).rstrip("/") + "/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A tab: its own app process, which quits when the tab closes."""
        websocket = web.WebSocketResponse(heartbeat=15)
        tab: TabService | None = None
        try:
            await websocket.prepare(request)
            tab = TabService(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                             close=websocket.close, download_manager=self.download_manager, debug=self.debug)
            self.tabs.add(tab)
            await tab.start(to_int(request.query.get("width", "80"), 80), to_int(request.query.get("height", "24"), 24))
            await self._process_messages(websocket, tab)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:  # one tab's failure is logged; the server and the other tabs go on
            log.exception("a tab's app failed")
        finally:
            if tab is not None:
                await tab.stop_within(STOP_TIMEOUT_S)
                self.tabs.discard(tab)
        return websocket

    async def serve_until_stopped(self, on_ready: Callable[[int], None]) -> int:
        """Listen, call ``on_ready(port)``, and serve until SIGINT/SIGTERM; then stop every tab's app."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runner = web.AppRunner(await self._make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as err:
            await runner.cleanup()
            raise TuitrainError(f"cannot listen on {self.host}:{self.port}: {err.strerror or err}") from None
        self.port = runner.addresses[0][1]
        on_ready(self.port)
        await stop.wait()
        log.info("stopping %d app process(es)", len(self.tabs))
        await asyncio.gather(*(tab.stop_within(STOP_TIMEOUT_S) for tab in list(self.tabs)))
        await runner.cleanup()
        return 0


def serve(command: str, *, host: str, port: int, token: str, title: str, on_ready: Callable[[int], None]) -> int:
    """Serve the app that ``command`` starts, one process per browser tab, until Ctrl-C."""
    server = TokenServer(command, host=host, port=port, token=token, title=title)
    server.initialize_logging()
    return asyncio.run(server.serve_until_stopped(on_ready))
