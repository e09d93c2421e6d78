"""MkDocs hook: the edition generator's events (scholarly_edition.hook), bound here and nothing else.

MkDocs loads this file once per process and calls its on_* functions; what each does is in the package, which
this edition installs with one pinned line in requirements.txt.
"""

from scholarly_edition.hook import EditionHooks

globals().update(EditionHooks().events())
