"""The generator's tests, run against this edition: they depend on no essay's words or counts, only on what
mkdocs.yml declares (scholarly_edition.edition_tests). Add this edition's own content tests beside this file."""

from scholarly_edition.edition_tests import *  # noqa: F401,F403 (pytest collects the imported tests and fixtures)
