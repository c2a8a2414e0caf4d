"""Messages up: what background workers, panes and screens post; the app turns them into state.

Panes and screens never assign the app's attributes (``tests/ui/test_state_owner.py``): they post
one of these and the app's handler changes its state, which the panes watch.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tuitrain.data import Dataset
    from tuitrain.model import BuildReport
    from tuitrain.starter import Starter


class StatusChanged(Message):
    """A worker reports progress for the status line ("loading TensorFlow…")."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class TensorFlowReady(Message):
    """TensorFlow and Keras are imported."""


class TensorFlowFailed(Message):
    """TensorFlow could not be imported (the status line says why)."""


class DataLoaded(Message):
    def __init__(self, dataset: Dataset, key: str) -> None:
        super().__init__()
        self.dataset = dataset
        self.key = key


class DataFailed(Message):
    def __init__(self, message: str, key: str) -> None:
        super().__init__()
        self.message = message
        self.key = key


class ModelBuilt(Message):
    def __init__(self, report: BuildReport, generation: int) -> None:
        super().__init__()
        self.report = report
        self.generation = generation


class StarterMade(Message):
    """A new preset was made for the chosen data (a ``tuitrain.starter.Starter``)."""

    def __init__(self, starter: Starter) -> None:
        super().__init__()
        self.starter = starter


class StarterFailed(Message):
    """The chosen data could not be read for a new preset; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class RunStarted(Message):
    """A pane started a trainer process in ``run_dir``; the app makes it the run shown."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        self.run_dir = run_dir


class RunStatusSeen(Message):
    """The Train pane read ``status`` for ``run_dir`` (run.json's word, or the trainer's last status event)."""

    def __init__(self, run_dir: Path, status: str | None) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.status = status
