"""One modal base carries the centred-box CSS; every dialog derives from it and keeps no copy."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from textual.screen import ModalScreen

import tuitrain
from tuitrain.ui.screens.dialogs.form_dialog import ModalBase

UI = Path(tuitrain.__file__).parent / "ui"
BASE = UI / "screens" / "dialogs" / "form_dialog.py"


def ui_modules() -> list[str]:
    root = UI.parent.parent
    return [".".join(p.relative_to(root).with_suffix("").parts) for p in sorted((UI / "screens").rglob("*.py"))]


def test_the_centred_box_css_is_written_once():
    copies = [str(p.relative_to(UI)) for p in sorted(UI.rglob("*")) if p.suffix in (".py", ".tcss") and p != BASE
              and ("align: center middle" in p.read_text(encoding="utf-8")
                   or "border: thick $primary" in p.read_text(encoding="utf-8"))]
    assert copies == []


def test_every_modal_screen_is_a_modal_base_with_a_marked_box():
    modals = []
    for name in ui_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ModalScreen) and cls.__module__ == name and cls is not ModalBase:
                modals.append(cls)
                assert issubclass(cls, ModalBase), cls.__name__
    assert len(modals) >= 8  # help, devices, new preset, open preset, choice, text prompt, param, layer form...
    assert all("modal-box" in inspect.getsource(cls) for cls in modals if "compose" in cls.__dict__)
