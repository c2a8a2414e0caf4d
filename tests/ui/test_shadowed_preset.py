"""`tuitrain spiral_mlp` beside a local ./spiral_mlp.toml: the app says which file it opened, once, on load."""

from __future__ import annotations

from tests.conftest import write_preset
from tests.tiny_preset import TINY
from tests.ui.waiting import wait_for

SAID = "using ./spiral_mlp.toml (shadows the bundled preset spiral_mlp; use presets:spiral_mlp for the bundled one)"


def _notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_local_file_that_shadows_the_bundled_preset_is_named_on_load(tmp_path, monkeypatch, open_app):
    monkeypatch.chdir(tmp_path)
    write_preset(tmp_path, TINY, "spiral_mlp.toml")
    async with open_app("spiral_mlp", background=False) as (app, pilot):
        await wait_for(pilot, lambda: app.preset is not None, "the preset")
        assert app.preset.name == "tiny"  # the local file, as before: now said
        assert _notices(app) == [SAID]
        assert app._notifications and next(iter(app._notifications)).severity == "warning"


async def test_presets_prefix_opens_the_bundled_one_without_a_notice(tmp_path, monkeypatch, open_app):
    monkeypatch.chdir(tmp_path)
    write_preset(tmp_path, TINY, "spiral_mlp.toml")
    async with open_app("presets:spiral_mlp", background=False) as (app, pilot):
        await wait_for(pilot, lambda: app.preset is not None, "the preset")
        assert app.preset.name == "spiral_mlp" and _notices(app) == []
