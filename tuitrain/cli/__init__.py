"""The command line: parsing, dispatch and all printing (``tuitrain check``, ``train``, ``runs``, …).
"""
