"""Checks and helpers for the annotated edition; pure Python, no MkDocs import.

The MkDocs hook modules in ``hooks/`` only translate between MkDocs objects and the plain data these
functions take and return, so the same checks run standalone (``python -m scholarly_edition check``).
"""

__version__ = "0.2.0"  # as in pyproject.toml (a test keeps them equal)
