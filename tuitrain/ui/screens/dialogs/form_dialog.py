"""ModalBase: the centred box every dialog shares; FormDialog: the finishing keys of a form dialog.

Every modal screen derives from ``ModalBase`` and marks its box ``classes="modal-box"``: the
centring, border and background are written here once; a dialog's own CSS only sizes its box.

A dialog that edits something answers with what its form describes or with None when cancelled;
how it reads its form differs (``result``), how the user finishes it does not (``FormDialog``).
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Button, Input

ResultT = TypeVar("ResultT")


class ModalBase(ModalScreen[ResultT], Generic[ResultT]):
    """A modal screen whose one child, marked ``modal-box``, is a centred box (sized by the subclass)."""

    DEFAULT_CSS = """
    ModalBase { align: center middle; }
    ModalBase > .modal-box { border: thick $primary; background: $surface; }
    """


class FormDialog(ModalBase[ResultT | None], Generic[ResultT]):
    """Subclasses compose ``Button(id="ok")`` and ``Button(id="cancel")`` and implement ``result``."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "OK", priority=True),
    ]
    # Inputs whose Enter does something of their own (a search that picks a type), not OK.
    ENTER_ELSEWHERE: ClassVar[frozenset[str]] = frozenset()

    def result(self) -> ResultT | None:
        """What the dialog answers, or None while the form is invalid (its errors are on screen)."""
        raise NotImplementedError

    def action_submit(self) -> None:
        answer = self.result()
        if answer is not None:
            self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter_means_ok(self, event: Input.Submitted) -> None:
        if event.input.id not in self.ENTER_ELSEWHERE:
            event.stop()
            self.action_submit()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()
