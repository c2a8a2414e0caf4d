"""The Compile pane: optimizer, loss, metrics, callbacks and the other compile/fit options.
"""
