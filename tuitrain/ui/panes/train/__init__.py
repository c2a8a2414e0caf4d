"""The Train pane: start, stop, pause and watch a run (chart, epochs, system panel).
"""
