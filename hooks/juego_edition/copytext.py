"""The essay's words are a check: the essay page's text against the copy-text, word for word.

The essay's paragraphs are the Markdown paragraphs marked ``{: .essay-text ...}``; their words and
punctuation, in order, must be the copy-text's (whitespace and paragraph breaks do not count, a changed
word, a dropped comma or a changed quotation mark do). The first difference is reported at its place in
the page, with what the copy-text has there and where.
"""

from __future__ import annotations

import re
from pathlib import Path

from .diagnostics import Problem
from .source import LineIndex

TOKEN = re.compile(r"\w+|[^\w\s]")
ESSAY_ATTR = re.compile(r"^\{:?[^}\n]*\.essay-text\b[^}\n]*\}[ \t]*$", re.M)
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def essay_paragraphs(source: str) -> list[tuple[int, str]]:
    """(offset, text) of every paragraph followed by an attribute list with the class ``essay-text``."""
    found = []
    for attr in ESSAY_ATTR.finditer(source):
        before = source[:attr.start()]
        start = max(before.rfind("\n\n"), -1) + 1
        # a paragraph right after a heading or another block: start after the last line that is not text
        lines = source[start:attr.start()].split("\n")
        while lines and (not lines[0].strip() or lines[0].lstrip().startswith(("#", "{:", "!!!", "<"))):
            start += len(lines.pop(0)) + 1
        found.append((start, source[start:attr.start()]))
    return found


def _tokens(text: str, base: int) -> list[tuple[str, int]]:
    """Words and punctuation with their offsets; a Markdown escape's backslash is no token of its own."""
    escapes = {match.start() for match in ESCAPE.finditer(text)}
    return [(m.group(0), base + m.start()) for m in TOKEN.finditer(text) if not (m.group(0) == "\\" and m.start() in escapes)]


def check_copy_text(page_source: str, shown_page: str, copy_text: Path, shown_copy: str) -> list[Problem]:
    """One problem at the first place where the essay page's words differ from the copy-text's."""
    try:
        original = copy_text.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(shown_copy, 1, 1, f"cannot read the copy-text ({exc.__class__.__name__}); restore it from git", "essay.copy_text")]
    paragraphs = essay_paragraphs(page_source)
    if not paragraphs:
        return [Problem(shown_page, 1, 1, "no essay paragraph found (paragraphs marked {: .essay-text }); mark the essay's paragraphs so they can be checked against the copy-text", "essay.changed")]
    ours = [t for offset, text in paragraphs for t in _tokens(text, offset)]
    theirs = [(m.group(0), m.start()) for m in TOKEN.finditer(original)]
    page_index, copy_index = LineIndex(page_source), LineIndex(original)
    for i, ((word, at), (expected, where)) in enumerate(zip(ours, theirs)):
        if word != expected:
            line, col = page_index.position(at)
            cline, ccol = copy_index.position(where)
            return [Problem(shown_page, line, col, f"the essay's text differs from the copy-text here: the page has '{word}' where {shown_copy}:{cline}:{ccol} has '{expected}' (\u2026{_context(theirs, i)}\u2026); restore the copy-text's words and put a correction in an editorial note", "essay.changed")]
    if len(ours) != len(theirs):
        if len(ours) > len(theirs):
            line, col = page_index.position(ours[len(theirs)][1])
            return [Problem(shown_page, line, col, f"the essay's text goes on past the end of the copy-text with '{ours[len(theirs)][0]}'; remove the added words or put them in an editorial note", "essay.changed")]
        last = paragraphs[-1]
        line, col = page_index.position(last[0] + len(last[1].rstrip()))
        cline, ccol = copy_index.position(theirs[len(ours)][1])
        return [Problem(shown_page, line, col, f"the essay's text ends before the copy-text does: {shown_copy}:{cline}:{ccol} goes on with '{theirs[len(ours)][0]}'; restore the missing words", "essay.changed")]
    return []


def _context(tokens: list[tuple[str, int]], i: int) -> str:
    words = [t for t, _ in tokens[max(0, i - 3):i + 4]]
    return re.sub(r" ([^\w\s])", r"\1", " ".join(words))
