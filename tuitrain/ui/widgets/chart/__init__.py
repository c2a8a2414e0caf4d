"""The metric chart and its parts: rendering, ticks, view keys, the plotext view.
"""
