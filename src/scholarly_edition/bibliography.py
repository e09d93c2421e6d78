"""Render the edition's full reference list with Pandoc citeproc, and mark partly verified entries."""

from __future__ import annotations

import html
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

PARTLY_VERIFIED_PREFIX = "Partly verified:"


def verification_notes(entries: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Map each key whose ``note`` starts with "Partly verified:" to that note.

    Chicago author-date does not print BibTeX ``note`` for most entry types, so the edition adds the
    note itself wherever the reference is shown (each page's reference list and the bibliography page).
    """
    notes = {}
    for key, fields in entries.items():
        note = " ".join(str(fields.get("note", "")).split())
        if note.startswith(PARTLY_VERIFIED_PREFIX):
            notes[key] = note
    return notes


_ENTRY_OPEN = re.compile(r'<(?P<tag>div|li)\b[^>]*\bid="(?:fn:|ref-)(?P<key>[^"]+)"[^>]*>')


def mark_partly_verified(page_html: str, notes: Mapping[str, str]) -> str:
    """Append a visible verification note to every rendered reference of a partly verified entry.

    Works on reference-list entries (``<div id="ref-key">``: a page's list and the bibliography page) and
    on footnotes (``<li id="fn:key">``, as mkdocs-bibtex writes them for a note style); the note goes
    before the element's closing tag.
    """
    if not notes:
        return page_html
    out: list[str] = []
    pos = 0
    for match in _ENTRY_OPEN.finditer(page_html):
        key = match.group("key")
        if key not in notes:
            continue
        tag = match.group("tag")
        end = page_html.find(f"</{tag}>", match.end())
        if end == -1:
            continue
        # footnotes end with a back-reference paragraph: put the note before the backref links
        insert_at = end
        inner = page_html[match.end():end]
        backref = inner.find('&#160;<a class="footnote-backref"')
        if backref != -1:
            insert_at = match.end() + backref
        elif inner.rstrip().endswith("</p>"):
            insert_at = match.end() + inner.rstrip().rfind("</p>")
        out.append(page_html[pos:insert_at])
        out.append(f' <span class="verification-note">[{html.escape(notes[key])}]</span>')
        pos = insert_at
    out.append(page_html[pos:])
    return "".join(out)


_CITATION_LINK = re.compile(r'<a href="#ref-([^"]+)">')


def link_citations(page_html: str) -> str:
    """Mark Pandoc's in-text citation links (``<a href="#ref-key">``, from ``link-citations``) as citations,
    with the key for the preview script: ``<a class="citation" href="#ref-key" data-ref="key">``."""
    return _CITATION_LINK.sub(lambda m: f'<a class="citation" href="#ref-{m.group(1)}" data-ref="{m.group(1)}">', page_html)


_CITATION_LINK_MARKDOWN = re.compile(r"\[([^\[\]]*)\]\(#ref-[^()\s]+\)")


def without_citation_links(markdown: str) -> str:
    """Formatted citations as the reader reads them: ``([Doe 1998](#ref-doe1998essay))`` as
    ``(Doe 1998)``, so that counting words (the reading time) does not count link targets."""
    return _CITATION_LINK_MARKDOWN.sub(r"\1", markdown)


_ESCAPED_IN_LINK = re.compile(r"(<a [^>]*>)([^<]*)(</a>)")


_ENTRY_BLOCK = re.compile(r'(<div class="csl-entry"[^>]*>)(.*?)(</div>)', re.S)


def unescape_entry_dollars(page_html: str) -> str:
    """Pandoc's Markdown writer escapes '$' (``\\$325B``), which Python-Markdown does not read as an escape;
    a reference shows the dollar sign alone."""
    return _ENTRY_BLOCK.sub(lambda m: m.group(1) + m.group(2).replace("\\$", "$") + m.group(3), page_html)


def unescape_link_text(page_html: str) -> str:
    """Remove Markdown backslash escapes that mkdocs-bibtex leaves in URL link text (``3585\\_0``)."""
    return _ESCAPED_IN_LINK.sub(lambda m: m.group(1) + re.sub(r"\\([_*~])", r"\1", m.group(2)) + m.group(3), page_html)


def render_reference_list(bib_files: Iterable[Path], csl_file: Path) -> str:
    """Return the HTML reference list of every entry in ``bib_files`` (one Pandoc run)."""
    import pypandoc  # imported late: the checks do not need Pandoc

    args = ["--citeproc", "--csl", str(csl_file)]
    for bib in bib_files:
        args += ["--bibliography", str(bib)]
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp, "all.md")
        doc.write_text("---\nnocite: '@*'\n---\n", encoding="utf-8")
        return pypandoc.convert_file(str(doc), "html", format="markdown", extra_args=args)


def style_order(bib_files: Iterable[Path], csl_file: Path) -> dict[str, int]:
    """Each entry's place in the style's bibliography order (one Pandoc run)."""
    ids = re.findall(r'<div id="ref-([^"]+)"', render_reference_list(bib_files, csl_file))
    return {key: i for i, key in enumerate(dict.fromkeys(ids))}


# mkdocs-bibtex's Pandoc registry (registry.py, _process_with_pandoc) formats citations from this document
# and reads Pandoc's answer with these patterns; format_citation_blocks keeps both, so its results can fill
# that registry's caches as if it had formatted them itself.
_NUMBERED = re.compile(r"(\d+)\.\s+(.*?)(?=(?:\n\d+\.|$))", re.S)
_ENTRY_MARGIN = re.compile(r"::: \{#ref-(?P<key>[^\s]+) .csl-entry\}\r?\n\[.*?\]\{\.csl-left-margin\}\[(?P<citation>.*?)\]\{\.csl-right-inline\}", re.S)
_ENTRY_PLAIN = re.compile(r"::: \{#ref-(?P<key>[^\s]+) .csl-entry\}\r?\n(?P<citation>.*?)(?=:::|$)", re.S)


def format_citation_blocks(blocks: list[str], csl_json: Path, csl_file: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Every citation block (its Markdown, e.g. ``[@key, p. 3]``) formatted in one Pandoc run: the in-text
    form by block, and the reference of every entry (cited or not: ``nocite``) by key, in the style's
    bibliography order. The in-text forms link each source to its entry (Pandoc's ``link-citations``):
    ``([Doe 1998](#ref-doe1998essay); [WHO 2008, 43](#ref-who2008report))``. The same blocks, entries and style
    are formatted once per process: `mkdocs serve` rebuilds after an edit that changed no citation without Pandoc."""
    key = (tuple(blocks), Path(csl_json).read_bytes(), Path(csl_file).read_bytes())  # the contents, not the paths
    if key not in _FORMATTED:
        if len(_FORMATTED) >= 8:
            _FORMATTED.pop(next(iter(_FORMATTED)))
        _FORMATTED[key] = _format_blocks(blocks, csl_json, csl_file)
    inline, found = _FORMATTED[key]
    return dict(inline), dict(found)


_FORMATTED: dict[tuple, tuple[dict[str, str], dict[str, str]]] = {}  # by blocks, entries and style, for the process


def _format_blocks(blocks: list[str], csl_json: Path, csl_file: Path) -> tuple[dict[str, str], dict[str, str]]:
    import pypandoc

    doc = "\n---\nlink-citations: true\nnocite: '@*'\n---\n\n" + "\n\n".join(f"{i}. {block}" for i, block in enumerate(blocks))
    doc += "\n\n# References\n\n"
    args = ["--citeproc", "--bibliography", str(csl_json), "--csl", str(csl_file)]
    output = pypandoc.convert_text(source=doc, to="markdown-citations", format="markdown", extra_args=args)
    if "# References" not in output:
        raise ValueError("Pandoc's citeproc answer has no reference list")
    in_text, references = output.split("# References", 1)
    inline = {blocks[int(m.group(1))]: " ".join(m.group(2).split()) for m in _NUMBERED.finditer(in_text.strip())}
    found = {m.group("key").strip(): m.group("citation").replace("\n", " ").strip() for m in _ENTRY_MARGIN.finditer(references)}
    if not found:
        found = {m.group("key").strip(): m.group("citation").replace("\n", " ").strip() for m in _ENTRY_PLAIN.finditer(references)}
    return inline, found
