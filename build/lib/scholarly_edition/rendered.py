"""After rendering: no citation may reach a page unformatted (the last line of defence)."""

from __future__ import annotations

import html as htmllib
import re

from .diagnostics import Problem
from .source import LineIndex, prose_mask

CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
# Pandoc writes an unknown key as "key?" in bold; our guard marks it so that ordinary bold text ("**Why?**")
# is never taken for one.
UNKNOWN_MARK = re.compile(r'<strong(?: class="citation-unknown")?>([\w:.#$%&\-+?<>~/]+\d[\w:.#$%&\-+?<>~/]*)\?</strong>|<strong class="citation-unknown">([^<]+)\?</strong>')
LEFTOVERS = [
    (re.compile(r"\[-?@[\w]"), "a citation was left unformatted ('[@...')"),
    (re.compile(r"\[\^[^\]\s]+\]"), "a footnote reference was left unformatted ('[^...]')"),
    (re.compile(r"\(\s*\)"), "an empty citation '()' was rendered"),
]


def _locate(source: str, needle: str) -> tuple[int, int]:
    if needle:
        offset = prose_mask(source).find(needle)
        if offset != -1:
            return LineIndex(source).position(offset)
    return 1, 1


def check_rendered_html(page_html: str, source: str, shown_path: str, already_reported: set[str] = frozenset()) -> list[Problem]:
    """Problems in one rendered page, located in its Markdown source where the text can be found."""
    problems = []
    for match in UNKNOWN_MARK.finditer(page_html):
        key = match.group(1) or match.group(2)
        if key in already_reported:
            continue
        line, col = _locate(source, "@" + key)
        problems.append(Problem(shown_path, line, col, f"citation '{key}' rendered as '{key}?': the key is unknown to the formatter; fix the key or the .bib entry", "render.unformatted_citation"))
    text = htmllib.unescape(TAG.sub("", CODE.sub(" ", page_html)))
    for pattern, message in LEFTOVERS:
        for match in pattern.finditer(text):
            snippet = match.group(0)
            line, col = _locate(source, snippet)
            problems.append(Problem(shown_path, line, col, f"{message}: '{snippet}'; check the brackets and the key", "render.unformatted_citation"))
    return problems
