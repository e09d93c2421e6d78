"""scholarly-edition: a static scholarly edition generator (MkDocs + Material + mkdocs-bibtex).

The checks, citation formats and exports are pure Python with no MkDocs import, so the same gate runs standalone
(``python -m scholarly_edition check``); ``hook.py`` translates between MkDocs' events and them (an edition's
``hooks/edition.py`` only binds its events), and ``bibtex_adapter.py`` holds every contact with mkdocs-bibtex.
"""

__version__ = "0.2.0"  # as in pyproject.toml (a test keeps them equal)
