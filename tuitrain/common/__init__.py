"""What every layer shares and nothing else: errors, text cleaning, bounds, safe file writes, formatting.

Imports nothing from the rest of tuitrain.
"""
