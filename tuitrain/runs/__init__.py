"""The run directory: its files, the run record, events, readers (incl. TensorBoard folders), control
requests, the run lock, listing and comparing runs.

Never imports Keras or TensorFlow at module level: the app and ``tuitrain runs`` read runs without them.
"""
