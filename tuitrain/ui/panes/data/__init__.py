"""The Data pane: the tensor list, one tensor in full, and the data editor.
"""
