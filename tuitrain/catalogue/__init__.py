"""What Keras offers, asked of Keras itself: classes and registry names, constructor signatures as
form fields, docstrings, and form text ↔ values. No Textual; Keras is imported inside functions.
"""
