"""The Layers pane: the layer table, its build report and the layer form.
"""
