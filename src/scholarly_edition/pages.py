"""Generated page parts: markers in Markdown sources replaced by content built from the data files."""

from __future__ import annotations

import re

GLOSSARY_MARKER = "<!-- glossary:entries -->"
BIBLIOGRAPHY_MARKER = "<!-- bibliography:all -->"
VERSIONS_MARKER = "<!-- versions -->"  # the edition's versions and what changed in each, from git (changes.py)
# Where a page's own reference list goes: put where the page writes mkdocs-bibtex's "\bibliography" (under
# the page's own heading), else at the end of the page under "References".
PAGE_REFERENCES_MARKER = "<!-- references:page -->"
REFERENCES_HEADING = "References"


def page_references_markdown(texts: dict[str, str], heading: str | None = REFERENCES_HEADING) -> str:
    """A page's reference list: one entry per cited source (formatted Markdown by key, in the style's order),
    which the page's in-text citations link to (``#ref-key``), in ``<section class="references">``."""
    if not texts:
        return ""
    parts = ['<section class="references" markdown>', ""]
    if heading:
        parts += [f"## {heading}", ""]
    parts += [_entries(texts), "", "</section>"]
    return "\n".join(parts)


def place_page_references(markdown: str, listing: str) -> str:
    """The page's reference list where the page asked for it, or at its end; the marker is removed."""
    if PAGE_REFERENCES_MARKER in markdown:
        head, tail = markdown.split(PAGE_REFERENCES_MARKER, 1)
        return head + listing + tail.replace(PAGE_REFERENCES_MARKER, "")
    return markdown + ("\n\n" + listing + "\n" if listing else "")


def _entries(texts: dict[str, str]) -> str:
    parts = []
    for key, text in texts.items():
        parts += [f'<div id="ref-{key}" class="csl-entry" markdown>', " ".join(text.split()), "</div>", ""]
    return "\n".join(parts).rstrip("\n")


def reference_list_from_texts(texts: dict[str, str]) -> str:
    """The reference list from formatted references (Markdown, in the style's order), as md_in_html blocks."""
    return "\n".join(['<div class="references csl-bib-body hanging-indent" markdown>', "", _entries(texts), "", "</div>"])


def reference_list_markdown(pandoc_html: str) -> str:
    """Turn Pandoc's HTML reference list into md_in_html blocks.

    Python-Markdown only sees element ids (for MkDocs' anchor validation and the table of contents)
    inside blocks marked ``markdown``; raw HTML stays opaque to it.
    """
    entries = re.findall(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', pandoc_html, re.S)
    return reference_list_from_texts(dict(entries))
