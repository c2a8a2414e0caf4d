"""The app in a browser (``tuitrain serve``): textual-serve behind a token; needs the ``web`` extra.

Imported only by the entry point (``tuitrain.__main__``) when ``tuitrain serve`` runs, so a terminal
install without textual-serve never loads it.
"""
