"""Modal screens: help, open preset, and the small choice/path dialogs."""

from tuitrain.ui.screens.dialogs.confirm import ChoiceDialog, PathPrompt
from tuitrain.ui.screens.help import HelpScreen
from tuitrain.ui.screens.dialogs.open_preset import OpenPresetScreen

__all__ = ["ChoiceDialog", "HelpScreen", "OpenPresetScreen", "PathPrompt"]
