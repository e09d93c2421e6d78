"""Every contact with mkdocs-bibtex, in one module.

mkdocs-bibtex 4.4 (its upstream is archived) formats citations through Pandoc; the edition guards it rather than
forking it. What it touches beyond the plugin's documented options (``csl_file``, ``bib_dir``, ``bib_file``,
``bib_command``, ``bib_by_default``) is the Pandoc registry's private parts, listed in :data:`PRIVATE`:

- ``_inline_cache`` / ``_reference_cache``: the formatted in-text citations (by block) and references (by key);
  one Pandoc run for the whole site fills them, so mkdocs-bibtex finds every citation already formatted;
- ``bib_data_bibtex``: the .bib text it hands Pandoc (pybtex's re-writing loses months and days);
- ``_is_inline`` and ``inline_text``: an author-date style keeps the in-text form only, no footnote marks.

tests/test_bibtex_adapter.py reads each of them on mkdocs-bibtex's real classes, so an upgrade that renames one
fails a test instead of passing unnoticed.
"""

from __future__ import annotations

import logging
from typing import Any

PLUGIN = "bibtex"  # the plugin's name in mkdocs.yml
LOGGER = "mkdocs.plugins.mkdocs-bibtex"
REGISTRY_CLASS = ("mkdocs_bibtex.registry", "PandocRegistry")
PRIVATE = ("_inline_cache", "_reference_cache", "_is_inline", "bib_data_bibtex", "inline_text")


class _DropUnknownKey(logging.Filter):
    """mkdocs-bibtex says 'Citing unknown reference key X' with no file or line; the gate says where."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "unknown reference key" not in record.getMessage()


def quiet_unknown_keys() -> None:
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(f, _DropUnknownKey) for f in logger.filters):
        logger.addFilter(_DropUnknownKey())


def citation_blocks(markdown: str) -> list:
    """The citation blocks (``[@a; @b, p. 3]``) as mkdocs-bibtex reads them from a page."""
    from mkdocs_bibtex.citation import CitationBlock

    return CitationBlock.from_markdown(markdown)


class BibtexPlugin:
    """The mkdocs-bibtex plugin of one build, through the operations the edition needs."""

    def __init__(self, plugin: Any):
        self.plugin = plugin

    @classmethod
    def of(cls, plugins: Any) -> "BibtexPlugin | None":
        plugin = plugins.get(PLUGIN)
        return cls(plugin) if plugin is not None else None

    # ---- documented options
    @property
    def csl_file(self) -> str | None:
        return self.plugin.config.csl_file

    @csl_file.setter
    def csl_file(self, path: str) -> None:
        self.plugin.config.csl_file = path

    @property
    def bib_command(self) -> str:
        return self.plugin.config.bib_command

    def read_only(self, keys_file: str) -> None:
        """Point the plugin at a keys-only .bib (pybtex only checks that a key exists); the edition's model
        is what Pandoc reads (:meth:`hand_pandoc`)."""
        self.plugin.config.bib_file, self.plugin.config.bib_dir = keys_file, None

    # ---- the registry's private parts (PRIVATE)
    @property
    def _registry(self) -> Any:
        return getattr(self.plugin, "registry", None)

    def hand_pandoc(self, bib_text: str) -> None:
        """Give Pandoc the entries as written, not as pybtex re-writes them (month = apr would become "April",
        and the month and day of dated items would be lost)."""
        registry = self._registry
        if registry is not None and "bib_data_bibtex" in dir(type(registry)):
            registry.__dict__["bib_data_bibtex"] = bib_text  # the cached property's slot

    def fill(self, inline: dict[str, str], references: dict[str, str]) -> None:
        """Formatted citations (by block text) and references (by key), as if mkdocs-bibtex had made them."""
        registry = self._registry
        if registry is not None:
            registry._inline_cache.update(inline)
            registry._reference_cache.update(references)

    def reference_texts(self) -> dict[str, str]:
        registry = self._registry
        return dict(registry._reference_cache) if registry is not None else {}

    @property
    def has_registry(self) -> bool:
        return self._registry is not None

    def author_date_only(self) -> bool:
        """One citation system: mkdocs-bibtex writes every citation as its in-text form followed by a footnote
        mark per source and the full references as footnotes; the edition keeps the in-text form only and
        gives each page its own reference list. A note style (``_is_inline`` false) is left to mkdocs-bibtex:
        its footnotes are then the one system. False if nothing was changed."""
        registry = self._registry
        if registry is None or not getattr(registry, "_is_inline", False):
            return False
        registry.inline_text = lambda block: registry._inline_cache.get(str(block), str(block))  # this instance only
        self.plugin.config.bib_by_default = False  # no "\bibliography" added to every page, so no footnote list
        return True
