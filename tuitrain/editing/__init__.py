"""Pure preset-edit rules the editors share (undo, compile edits): no Textual, no Keras at import.
"""
