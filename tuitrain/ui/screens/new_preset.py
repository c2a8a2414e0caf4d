"""Choose the data for a new preset (or a new source for this one): the offline list, or a file or folder.

The list is what ``tuitrain.starter.offline_sources`` offers; typing filters it, ``↑``/``↓`` move,
``enter`` chooses. ``file:`` and ``folder:`` open a ``DirectoryTree`` of the working folder:
``enter`` on a data file chooses it; for a folder, ``enter`` opens it and ``ctrl+s`` (or typing
its path and ``enter``) chooses the highlighted one. Keras data sets appear once a worker has
looked in the Keras cache (which imports TensorFlow), so the dialog opens at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DirectoryTree, Input, OptionList, Static
from textual.widgets.option_list import Option

from tuitrain.ui.widgets.lists import SteadyOptionList
from tuitrain.starter.offline import Offer, offline_sources
from tuitrain.ui.screens.dialogs.form_dialog import ModalBase

DATA_SUFFIXES = (".npz", ".npy", ".csv", ".tsv")


@dataclass(frozen=True)
class SourceChoice:
    """What the dialog returns: a complete source and the options it needs (``labels`` beside an .npy)."""

    source: str
    options: dict[str, Any] = field(default_factory=dict)


def offer_matches(query: str, offers: Iterable[Offer]) -> list[Offer]:
    """Offers whose source or summary contains every word of ``query`` (any case); prefix hits first."""
    words = query.lower().split()
    hits = [o for o in offers if all(w in f"{o.source} {o.summary}".lower() for w in words)]
    if not words:
        return hits
    return sorted(hits, key=lambda o: (not o.source.split(":", 1)[-1].startswith(words[0]) and not o.source.startswith(words[0])))


def source_path_text(path: Path, cwd: Path | None = None) -> str:
    """A picked path as the preset writes it: relative to the working folder when inside it."""
    cwd = (cwd or Path.cwd()).resolve()
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(cwd)) or "."
    except ValueError:
        return str(resolved)


class DataTree(DirectoryTree):
    """Folders, and (picking a file) only the files a `file:` source reads; hidden entries left out."""

    def __init__(self, path: Path, *, files: bool, id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.files = files

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        out = []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                is_dir = path.is_dir()
            except OSError:
                continue
            if is_dir or (self.files and path.suffix.lower() in DATA_SUFFIXES):
                out.append(path)
        return out


class KerasOffersFound(Message):
    def __init__(self, offers: list[Offer]) -> None:
        super().__init__()
        self.offers = offers


class NewPresetScreen(ModalBase[SourceChoice | None]):
    """Dismisses with a SourceChoice, or None on escape."""

    DEFAULT_CSS = """
    NewPresetScreen > Vertical {
        width: 96%; max-width: 110; height: 90%;
        padding: 0 1;
    }
    NewPresetScreen #source-search { margin-bottom: 1; }
    NewPresetScreen #source-list { height: 1fr; border: none; padding: 0; text-wrap: nowrap; text-overflow: ellipsis; }
    NewPresetScreen #path-tree { height: 1fr; display: none; border: none; padding: 0; }
    NewPresetScreen.-browsing #path-tree { display: block; }
    NewPresetScreen.-browsing #source-list { display: none; }
    NewPresetScreen #source-hint { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "back", "Cancel"),
        Binding("ctrl+s", "use_highlighted", "Use", priority=True),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
    ]

    def __init__(self, *, title: str = "New preset: choose its data", cwd: Path | None = None, keras: bool = True) -> None:
        super().__init__()
        self.dialog_title = title
        self.cwd = cwd or Path.cwd()
        self.offers: list[Offer] = offline_sources(keras=False)
        self.kind: str | None = None  # "file" / "folder" while browsing
        self._keras = keras
        self._keras_done = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box") as box:
            box.border_title = self.dialog_title
            yield Input(placeholder="type to filter: digits, moons, mnist, file…", id="source-search", compact=True)
            yield SteadyOptionList(*self._options(self.offers), id="source-list")
            yield DataTree(self.cwd, files=True, id="path-tree")
            yield Static(self._hint(), id="source-hint")

    def _hint(self) -> str:
        if self.kind == "file":
            return "enter: use the file · type a path + enter · esc: back to the list"
        if self.kind == "folder":
            return "enter: open a folder · ctrl+s: use the highlighted folder · type a path + enter · esc: back"
        keras = " · looking in the Keras cache…" if self._keras and not self._keras_done else ""
        return f"↑/↓ move · enter: choose · esc: cancel{keras}"

    @staticmethod
    def _options(offers: list[Offer]) -> list[Option]:
        out = []
        for offer in offers:
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append(f"{offer.source + ('…' if offer.needs_path else ''):<24}", style="bold")
            label.append(f" {offer.summary}")
            out.append(Option(label, id=offer.source))
        return out

    def on_mount(self) -> None:
        self.query_one("#source-search", Input).focus()
        self.query_one("#source-list", OptionList).highlighted = 0
        if self._keras:
            self._find_keras_offers()

    @work(thread=True, exclusive=True, group="keras-cache", exit_on_error=False)
    def _find_keras_offers(self) -> None:
        try:
            offers = offline_sources(keras=True)
        except Exception:  # noqa: BLE001 - no Keras, an unreadable cache: the list stays without them
            offers = self.offers
        self.post_message(KerasOffersFound(offers))

    @on(KerasOffersFound)
    def _keras_found(self, message: KerasOffersFound) -> None:
        self.offers = message.offers
        self._keras_done = True
        if self.kind is None:
            self._refilter(self.query_one("#source-search", Input).value, keep=True)
        self.query_one("#source-hint", Static).update(self._hint())

    # ------------------------------------------------------------------ the offline list

    def _refilter(self, query: str, *, keep: bool = False) -> None:
        """Show the offers matching ``query``; ``keep`` the highlighted one (new offers arrived)."""
        options = self.query_one("#source-list", OptionList)
        highlighted = options.highlighted_option.id if options.highlighted_option is not None else None
        hits = offer_matches(query, self.offers)
        options.set_options(self._options(hits))
        ids = [o.source for o in hits]
        if hits:
            options.highlighted = ids.index(highlighted) if keep and highlighted in ids else 0

    @on(Input.Changed, "#source-search")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        if self.kind is None:
            self._refilter(event.value)

    def action_move(self, step: int) -> None:
        target = self.query_one("#path-tree", DataTree) if self.kind else self.query_one("#source-list", OptionList)
        if self.focused is target:  # the list itself moves its cursor
            target.action_cursor_down() if step > 0 else target.action_cursor_up()
            return
        if isinstance(target, OptionList):
            count = target.option_count
            if count:
                current = target.highlighted if target.highlighted is not None else -1
                target.highlighted = max(0, min(count - 1, current + step))
        else:
            target.focus()

    @on(Input.Submitted, "#source-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.kind is not None:
            self._use_typed_path(event.value)
            return
        option = self.query_one("#source-list", OptionList).highlighted_option
        if option is None:
            self.notify("Nothing matches; clear the search to see every source.", severity="warning")
            return
        self._choose(str(option.id))

    @on(OptionList.OptionSelected, "#source-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(str(event.option.id))

    def _choose(self, source: str) -> None:
        kind = source.split(":", 1)[0]
        if source.endswith(":") and kind in ("file", "folder"):
            self._browse(kind)
            return
        self.dismiss(SourceChoice(source))

    # ------------------------------------------------------------------ file / folder

    def _browse(self, kind: str) -> None:
        self.kind = kind
        tree = self.query_one("#path-tree", DataTree)
        tree.files = kind == "file"
        tree.reload()
        self.add_class("-browsing")
        search = self.query_one("#source-search", Input)
        search.value = ""
        search.placeholder = f"path of the {'file (.npz, .npy, .csv)' if kind == 'file' else 'image folder'}, or pick it below"
        self.query_one("#source-hint", Static).update(self._hint())
        tree.focus()

    def action_back(self) -> None:
        if self.kind is None:
            self.dismiss(None)
            return
        self.kind = None
        self.remove_class("-browsing")
        search = self.query_one("#source-search", Input)
        search.placeholder = "type to filter: digits, moons, mnist, file…"
        search.value = ""
        self.query_one("#source-hint", Static).update(self._hint())
        search.focus()

    @on(DirectoryTree.FileSelected, "#path-tree")
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        if self.kind == "file":
            self._finish(event.path)

    @on(DirectoryTree.NodeHighlighted, "#path-tree")
    def _highlighted(self, event: DirectoryTree.NodeHighlighted) -> None:
        entry = event.node.data
        if entry is not None and self.kind is not None:
            self.query_one("#source-hint", Static).update(f"{source_path_text(entry.path, self.cwd)}  ·  {self._hint()}")

    def action_use_highlighted(self) -> None:
        if self.kind is None:
            self._submitted(Input.Submitted(self.query_one("#source-search", Input), ""))
            return
        node = self.query_one("#path-tree", DataTree).cursor_node
        if node is None or node.data is None:
            return
        path = node.data.path
        if self.kind == "folder" and not path.is_dir():
            path = path.parent
        if self.kind == "file" and path.is_dir():
            self.notify("Choose a file (.npz, .npy, .csv), not a folder.", severity="warning")
            return
        self._finish(path)

    def _use_typed_path(self, text: str) -> None:
        text = text.strip()
        if not text:
            self.action_use_highlighted()
            return
        path = (self.cwd / Path(text).expanduser()).resolve()
        if self.kind == "file" and not path.is_file():
            self.notify(f"No file {path}.", severity="error")
            return
        if self.kind == "folder" and not path.is_dir():
            self.notify(f"No folder {path}.", severity="error")
            return
        self._finish(path)

    def _finish(self, path: Path) -> None:
        from tuitrain.starter import npy_labels_beside

        options: dict[str, Any] = {}
        if self.kind == "file" and path.suffix.lower() == ".npy":
            beside = npy_labels_beside(path)
            if beside is not None:
                options["labels"] = source_path_text(beside, self.cwd)
        self.dismiss(SourceChoice(f"{self.kind}:{source_path_text(path, self.cwd)}", options))

