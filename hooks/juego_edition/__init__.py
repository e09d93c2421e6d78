"""Checks and helpers for the annotated edition; pure Python, no MkDocs import.

The MkDocs hook modules in ``hooks/`` only translate between MkDocs objects and the plain data these
functions take and return, so the same checks run standalone (``python -m juego_edition check``).
"""
