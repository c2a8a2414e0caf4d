"""Reusable widgets: plotext view, image preview, forms, charts."""
