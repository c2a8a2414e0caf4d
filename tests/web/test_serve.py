"""``tuitrain serve`` for real: the server process, its token, and Debian's chromium driven by Playwright.

A request without the token is refused (page, asset, websocket); the page loads nothing from outside
this machine; a browser opens the printed URL, presses ``4`` and ``s``, and the run it started reaches
``finished`` although its tab was closed right after; Ctrl-C stops the server and its app processes.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from urllib.parse import urlsplit

import aiohttp
import pytest

from tests.trainer.helpers import Tail
from tests.web.serving import Screen, Served, chromium_path, poll_until, start_serve, wait_until
from tuitrain.preset import find_preset
from tuitrain.runs.rundir import read_run_json

APP_TIMEOUT_S = 90.0  # a tab's app paints before TensorFlow loads; on 2 busy cores that still takes seconds
RUN_TIMEOUT_S = 180.0
FINAL = ("finished", "stopped", "failed", "crashed")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Served:
    """The spiral preset under a name that needs quoting, served with overrides that keep training tiny."""
    root = tmp_path_factory.mktemp("serve")
    preset = root / "my presets" / "spiral it's.toml"
    preset.parent.mkdir()
    shutil.copy(find_preset("spiral_mlp"), preset)
    server = start_serve(root, str(preset), "--set", "data.samples=300", "--set", "fit.epochs=2",
                         "--runs-dir", str(root / "runs"))
    yield server
    if server.process.poll() is None:
        server.interrupt()


def status_of(url: str, **kwargs) -> int:
    async def get() -> int:
        async with aiohttp.ClientSession() as session, session.get(url, allow_redirects=False, **kwargs) as reply:
            return reply.status
    return asyncio.run(get())


def websocket_status(url: str, **kwargs) -> int:
    """101 when the websocket opens (then closed at once), else the status the handshake got."""
    async def connect() -> int:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(url, **kwargs):
                    return 101
            except aiohttp.WSServerHandshakeError as err:
                return err.status
    return asyncio.run(connect())


def test_it_listens_on_this_machine_only_and_prints_one_url(served):
    assert urlsplit(served.base).hostname == "127.0.0.1"
    assert served.output().count("http://") == 1
    assert len(served.token) >= 40 and "warning" not in served.output()


def test_requests_without_the_token_are_refused(served):
    cookie = {"Cookie": f"tuitrain-token-{urlsplit(served.base).port}={served.token}"}
    ws = served.base.replace("http://", "ws://") + "/ws"
    assert status_of(served.base + "/") == 401
    assert status_of(served.base + "/?token=not-the-token") == 403
    assert status_of(served.base + "/static/js/textual.js") == 401
    assert status_of(served.base + "/download/anything") == 401
    assert websocket_status(ws) == 401
    assert websocket_status(ws, headers={"Cookie": f"tuitrain-token-1={served.token}"}) == 401  # another port's
    assert websocket_status(ws, headers={**cookie, "Origin": "http://evil.example"}) == 403
    # ... and the same requests with the token go through (so the refusals above are the token's doing)
    assert status_of(served.url) == 200
    assert status_of(served.base + "/static/js/textual.js", headers=cookie) == 200
    assert websocket_status(ws, headers={**cookie, "Origin": served.base}) == 101


def test_the_page_fetches_nothing_from_outside_this_machine(served):
    page = asyncio.run(_get_text(served.url))
    assert "googleapis" not in page and "https://" not in page
    assert 'src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf")' in page


async def _get_text(url: str) -> str:
    async with aiohttp.ClientSession() as session, session.get(url) as reply:
        return await reply.text()


def test_a_browser_starts_a_run_that_outlives_its_tab(served, tmp_path):
    from playwright.sync_api import sync_playwright

    runs = served.cwd / "runs"
    screen, outside = Screen(), []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        try:
            page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
                       else (outside.append(route.request.url), route.abort()))
            page.on("websocket", screen.watch)
            page.goto(served.url)
            wait_until(page, lambda: "4 Train" in screen.text(), "the app's first screen", APP_TIMEOUT_S)
            assert page.evaluate("document.fonts.check('16px \"Roboto Mono\"')"), "the terminal font did not load"
            page.focus(".xterm-helper-textarea")
            page.keyboard.press("4")
            wait_until(page, lambda: "press s to train spiral_mlp" in screen.text(), "the Train pane", APP_TIMEOUT_S)
            page.keyboard.press("s")
            wait_until(page, lambda: any(runs.glob("*/run.json")), "a run directory", APP_TIMEOUT_S)
            run_dir = next(runs.glob("*/run.json")).parent
            assert read_run_json(run_dir)["status"] not in FINAL  # still starting when the tab closes
            page.close()  # the tab: its app quits, its run goes on
            poll_until(lambda: not served.app_processes(), "the tab's app to quit", 30)
        except BaseException:
            shot = tmp_path / "serve-failure.png"
            if not page.is_closed():
                page.screenshot(path=str(shot))
                print(f"screenshot of the browser: {shot}")
            print(f"tuitrain serve printed:\n{served.output()}\nthe screen's text:\n{screen.text()[-3000:]}")
            raise
        finally:
            browser.close()
    assert Tail(run_dir).wait_status(*FINAL) == "finished"
    assert read_run_json(run_dir)["status"] == "finished"
    assert outside == []
    assert run_dir.name.startswith("spiral_mlp-") and (run_dir / "model.keras").is_file()


def test_each_tab_has_its_own_app_and_ctrl_c_stops_them_all(tmp_path):
    from playwright.sync_api import sync_playwright

    served = start_serve(tmp_path, "spiral_mlp", "--runs-dir", str(tmp_path / "runs"))
    screens = [Screen(), Screen()]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
            for screen in screens:  # two tabs
                page = browser.new_page()
                page.on("websocket", screen.watch)
                page.goto(served.url)
            for screen in screens:
                wait_until(page, lambda s=screen: "4 Train" in s.text(), "each tab's first screen", APP_TIMEOUT_S)
            apps = served.app_processes()
            assert len(apps) == 2, f"one app process per tab, found {[p.cmdline() for p in apps]}"
            assert all(p.cmdline()[1:4] == ["-m", "tuitrain", "spiral_mlp"] for p in apps), [p.cmdline() for p in apps]
            started = time.monotonic()
            assert served.interrupt() == 0, served.output()
            assert time.monotonic() - started < 15
            assert not [p for p in apps if p.is_running() and p.status() != "zombie"]
            browser.close()
    finally:
        if served.process.poll() is None:
            served.process.kill()
