"""A preset as a stand-alone Keras script (``script``) and the data-loading code it carries (``data_code``).
"""
