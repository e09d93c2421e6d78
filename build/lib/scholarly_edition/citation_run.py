"""The one Pandoc run that formats every citation of the site.

mkdocs-bibtex runs Pandoc once per page; the edition instead formats every citation block of every page (and of
the glossary) and every entry of the bibliography in one run, started in the background as soon as the pages
have been read, and waited for before the first page renders (while it runs, the gate checks the pages). One run
also labels citations consistently across the site ("2010a" everywhere, as in the bibliography), which one run
per page cannot. Nothing here imports MkDocs.

Pages are not rendered with placeholders while Pandoc runs: `make bench` measured that side by side
(bench/results-tokens.md) and it gained less than the 10 % that would pay for its machinery.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future


def in_background(call: Callable, *args) -> Future:
    """Run ``call(*args)`` in a daemon thread (Pandoc runs as a subprocess, so Python goes on meanwhile);
    a build that fails before it needs the result does not wait for it to exit."""
    future: Future = Future()

    def run() -> None:
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(call(*args))
            except BaseException as exc:  # handed to whoever waits for the result
                future.set_exception(exc)

    threading.Thread(target=run, name="edition-pandoc", daemon=True).start()
    return future


class CitationRun:
    """Every citation block (by its source text) and the pending answer: ``(inline, references)``, formatted
    Markdown by block text and by key, the references in the style's bibliography order."""

    def __init__(self, blocks: list[str], result: Future):
        self.blocks = list(blocks)
        self._future = result
        self.inline: dict[str, str] | None = None
        self.references: dict[str, str] | None = None

    @property
    def ready(self) -> bool:
        return self.inline is not None

    def wait(self) -> tuple[dict[str, str], dict[str, str]]:
        """Pandoc's answer (waited for the first time); an error in the run is raised here."""
        if self.inline is None:
            self.inline, self.references = self._future.result()
        return self.inline, self.references
