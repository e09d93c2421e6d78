"""Find the prose in a Markdown source: everything that is not code, comments, URLs or front matter.

``prose_mask`` returns the text with every non-prose character replaced by a space (newlines kept), so
offsets, line and column numbers in the result are those of the source file.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right

FENCE_OPEN = re.compile(r"^(?P<indent> {0,3}|(?: {4})+ {0,3})(?P<fence>`{3,}|~{3,})")
CONTAINER = re.compile(r"^\s*(?:!!!|\?\?\?\+?|===|[-*+]\s|\d+[.)]\s|\[\^[^\]]+\]:|:\s|<div\b[^>]*\bmarkdown)")
# A code span never crosses a blank line (CommonMark): a stray backtick must not hide later paragraphs.
INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
URL = re.compile(r"(?:https?|ftp|mailto|file):[^\s)\]>\"']+|www\.[^\s)\]>\"']+")
EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
FRONT_MATTER = re.compile(r"\A(---[ \t]*\n.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def code_block_spans(text: str) -> list[tuple[int, int]]:
    """Fenced code blocks (also inside admonitions and lists) and indented code blocks."""
    spans = []
    pos = 0
    lines = text.splitlines(keepends=True)
    fence = None  # (char, length, start offset)
    prev_blank = True
    container = False  # the last unindented block opens a container whose indented lines are not code
    indented_start = None
    code_indent = 4
    for line in lines:
        stripped = line.strip()
        if fence is not None:
            close = re.match(r"^\s*(`{3,}|~{3,})\s*$", line)
            if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= fence[1]:
                spans.append((fence[2], pos + len(line)))
                fence = None
            pos += len(line)
            continue
        opened = FENCE_OPEN.match(line)
        if opened:
            if indented_start is not None:
                spans.append((indented_start, pos))
                indented_start = None
            fence = (opened.group("fence")[0], len(opened.group("fence")), pos)
            pos += len(line)
            prev_blank = False
            continue
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
        # Indented code: 4 spaces at the top level; inside a list item or an admonition, whose content is
        # indented by 4 (Python-Markdown's tab length), 8.
        if indented_start is not None and stripped and indent < code_indent:
            spans.append((indented_start, pos))
            indented_start = None
        if stripped and prev_blank and indented_start is None and indent >= (8 if container else 4):
            indented_start, code_indent = pos, (8 if container else 4)
        if stripped and indent < 4:
            container = bool(CONTAINER.match(line))
        prev_blank = not stripped
        pos += len(line)
    if fence is not None:  # unclosed fence: code to the end, as Markdown renders it
        spans.append((fence[2], len(text)))
    if indented_start is not None:
        spans.append((indented_start, len(text)))
    return spans


def non_prose_spans(text: str, urls: bool = True) -> list[tuple[int, int]]:
    """Spans of ``text`` that are never scanned: front matter, code, HTML comments, and (``urls``) URLs and
    e-mail addresses. Link and security checks keep the URLs, since URLs are what they check. Computed once per
    text and process (several checks ask for the same page's spans, and `mkdocs serve` rebuilds unchanged pages)."""
    return list(_non_prose_spans(text, urls))


@functools.lru_cache(maxsize=512)
def _non_prose_spans(text: str, urls: bool) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    front = FRONT_MATTER.match(text)
    if front:
        spans.append((0, front.end()))
    spans += code_block_spans(text)
    chars = list(text)
    for start, end in spans:
        _blank(chars, start, end)
    rest = "".join(chars)
    for pattern in (HTML_COMMENT, INLINE_CODE, URL, EMAIL) if urls else (HTML_COMMENT, INLINE_CODE):
        for match in pattern.finditer(rest):
            spans.append(match.span())
        chars = list(rest)
        for start, end in spans:
            _blank(chars, start, end)
        rest = "".join(chars)
    return tuple(sorted(spans))


def prose_mask(text: str, urls: bool = True) -> str:
    """``text`` with every non-prose character blanked; same length and line breaks."""
    chars = list(text)
    for start, end in non_prose_spans(text, urls):
        _blank(chars, start, end)
    return "".join(chars)


class LineIndex:
    """Offset -> (line, column), both 1-based."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1
