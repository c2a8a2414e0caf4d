"""A run's metrics for the chart: feeding from the reader, columns, smoothed curves, min/max downsampling.
"""
