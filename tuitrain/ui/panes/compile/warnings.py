"""The app's warnings (``app.warnings``, the core's ``check_warnings``) placed next to the Compile pane field each ``Warn.path`` names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuitrain.ui.widgets.forms import ParamForm

if TYPE_CHECKING:
    from tuitrain.ui.panes.compile.pane import CompilePane


def show_warnings(pane: CompilePane) -> None:
    """Clear the warnings shown, then place each current one beside its field (else on top)."""
    preset = pane.app.preset
    if preset is None or not pane.query("#compile-warnings") or not pane.query("#warning-loss"):
        return  # not composed yet, or mid-recompose: _preset_changed shows them once it is done
    warns = pane.app.warnings  # computed once by the app for this preset, data and build
    for note in pane.query(".pane-warning"):
        note.update("")
        note.remove_class("-shown")
    for form in pane.query(ParamForm):
        form.clear_warnings()
    general = []
    for warn in warns:
        if not place_warning(pane, warn.path, warn.message):
            general.append(f"⚠ {warn.path}: {warn.message}")
    for box in pane.query("#compile-warnings"):
        box.update("\n".join(general))
        box.set_class(bool(general), "-shown")

def place_warning(pane: CompilePane, path: str, message: str) -> bool:
    """Show ``message`` next to the field ``path`` names (``compile.loss``, ``fit.epochs``...)."""
    section, _, rest = path.partition(".")
    key = rest.split(".")[0].split("[")[0]
    beside_pickers = {("compile", "optimizer"), ("compile", "loss"), ("compile", "metrics"), ("fit", "callbacks")}
    if (section, key) in beside_pickers:
        notes = pane.query(f"#warning-{key}")  # absent while the pane recomposes
        if not notes:
            return False
        notes.first().update(f"⚠ {message}")
        notes.first().add_class("-shown")
        return True
    form_id = {"compile": "#compile-form", "fit": "#fit-form", "data": "#fit-form"}.get(section)
    if form_id and pane.query(form_id):
        form = pane.query_one(form_id, ParamForm)
        if form.has_field(key):
            form.set_warning(key, f"⚠ {message}")
            return True
    return False
