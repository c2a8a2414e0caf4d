"""Pure preset-edit rules the editors share: no Textual, no Keras at import.

``undo`` (the edit history), ``compile_values``/``compile_edits`` (Compile pane fields ↔ preset),
``compile_outputs`` (per-output loss/weight/metrics tables), ``data_table`` (the data editor's
[data] edits), ``layers`` (duplicate, remove, move, place a layer; a layer's inputs).
"""
