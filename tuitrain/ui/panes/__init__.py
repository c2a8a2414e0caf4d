"""The app's panes: one module per pane, each with its ``.tcss`` beside it."""
