"""Key storm: thousands of seeded random keys in bursts (a paste, a laggy SSH link) at 80×24.

Keys arrive faster than the app handles them, so a handler may meet a widget that a previous key
just removed or has not mounted yet.  The storm goes over every pane and the screens and dialogs
their keys open (layer/callback/step forms, the runs list, devices, help, the palette); at the
end the app must still run and the preset it holds must save and load again unchanged.
"""

from __future__ import annotations

import random

import pytest

from tests.ui.waiting import wait_ready
from tuitrain.ui.app import TuitrainApp

pytestmark = pytest.mark.usefixtures("quick_rebuilds")

SIZE = (80, 24)
SEED = 2026
BURSTS_PER_PANE = 16
BURST_KEYS = (5, 40)  # keys per burst, sent without waiting in between
SETTLE_TIMEOUT_S = 30.0

# Keys a user (or line noise) sends; quitting, opening another preset and save-as are left out
# because they leave the preset under test (the quit itself is replaced below).
TYPED = list("abcdefghijklmnopqrstuvwxyz0123456789.,:()[]-+ ") + ["auc"]
SPECIAL = ["enter", "escape", "tab", "shift+tab", "backspace", "delete", "up", "down", "left", "right",
           "pageup", "pagedown", "home", "end", "space", "shift+up", "shift+down", "ctrl+z", "ctrl+y",
           "question_mark", "ctrl+p", "ctrl+s", "f1", "f2", "f3", "f4"]


def storm_keys(rng: random.Random, count: int) -> list[str]:
    keys: list[str] = []
    while len(keys) < count:
        pick = rng.choice(TYPED) if rng.random() < 0.6 else rng.choice(SPECIAL)
        keys.extend(pick if pick == "auc" else [pick])  # "auc" arrives as one chunk (issue #22)
    return keys


def send_burst(app, keys: list[str]) -> None:
    """Queue every key at once, as a terminal does with a pasted or delayed chunk."""
    from textual import events

    for key in keys:
        name = {" ": "space", ".": "full_stop", ",": "comma", ":": "colon", "(": "left_parenthesis",
                ")": "right_parenthesis", "[": "left_square_bracket", "]": "right_square_bracket",
                "-": "minus", "+": "plus"}.get(key, key)
        char = key if len(key) == 1 else (" " if key == "space" else "?" if key == "question_mark" else None)
        event = events.Key(name, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot, keys: list[str]) -> None:
    """Let the burst be handled; a burst the app cannot finish in time is a hang, named with its keys."""
    import asyncio

    try:
        await asyncio.wait_for(pilot.pause(), SETTLE_TIMEOUT_S)
    except (asyncio.TimeoutError, TimeoutError):
        stack = [type(s).__name__ for s in pilot.app.screen_stack]
        raise AssertionError(f"the app still handled the burst {keys} after {SETTLE_TIMEOUT_S}s; screens {stack}") from None


async def test_key_storm_on_every_pane_keeps_the_app_and_the_preset(tmp_path, spiral_copy, monkeypatch):
    from tuitrain.common.errors import TuitrainError
    from tuitrain.preset import load_preset

    def no_training(*_args, **_kwargs):
        raise TuitrainError("the key storm starts no trainer")

    monkeypatch.setattr("tuitrain.trainer.spawn.start_run", no_training)
    quits: list[bool] = []

    async def stay(self) -> None:
        quits.append(True)

    monkeypatch.setattr(TuitrainApp, "action_quit", stay)
    rng = random.Random(SEED)
    app = TuitrainApp(spiral_copy, runs_dir=tmp_path / "runs")
    sent = 0
    async with app.run_test(size=SIZE) as pilot:
        await wait_ready(pilot)
        for pane_key in ["1", "2", "3", "4"] * 2:
            await pilot.press("escape", "escape", "escape", pane_key)
            for _ in range(BURSTS_PER_PANE // 2):
                keys = storm_keys(rng, rng.randint(*BURST_KEYS))
                send_burst(app, keys)
                sent += len(keys)
                await settle(pilot, keys)
        for _ in range(6):  # leave whatever dialog the storm ended in
            await pilot.press("escape")
        await wait_ready(pilot)
        assert app.is_running and app.preset is not None
        held = app.preset.to_dict()
        await pilot.press("1", "ctrl+s")
        await pilot.pause()
    assert sent >= 1000
    saved = load_preset(spiral_copy)
    assert saved.to_dict() == held  # what the app held after the storm is on disk and loads again
