"""Generated page parts: markers in Markdown sources replaced by content built from the data files."""

from __future__ import annotations

import re

GLOSSARY_MARKER = "<!-- glossary:entries -->"
BIBLIOGRAPHY_MARKER = "<!-- bibliography:all -->"


def reference_list_from_texts(texts: dict[str, str]) -> str:
    """The reference list from formatted references (Markdown, in the style's order), as md_in_html blocks."""
    parts = ['<div class="references csl-bib-body hanging-indent" markdown>', ""]
    for key, text in texts.items():
        parts += [f'<div id="ref-{key}" class="csl-entry" markdown>', " ".join(text.split()), "</div>", ""]
    parts.append("</div>")
    return "\n".join(parts)


def reference_list_markdown(pandoc_html: str) -> str:
    """Turn Pandoc's HTML reference list into md_in_html blocks.

    Python-Markdown only sees element ids (for MkDocs' anchor validation and the table of contents)
    inside blocks marked ``markdown``; raw HTML stays opaque to it.
    """
    entries = re.findall(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', pandoc_html, re.S)
    return reference_list_from_texts(dict(entries))
