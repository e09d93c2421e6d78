r"""The essay's words are a check: the essay page's text against the copy-text, word for word.

The essay's paragraphs are the Markdown paragraphs marked ``{: .essay-text ...}``; their words and
punctuation, in order, must be the copy-text's (whitespace and paragraph breaks do not count, a changed
word, a dropped comma or a changed quotation mark do). The first difference is reported at its place in
the page, with what the copy-text has there and where.

The page is compared as it is rendered: with smarty on (mkdocs.yml), ``--`` is shown as an en dash, ``---``
as an em dash, ``...`` as an ellipsis and straight quotes as curly ones, so a copy-text that holds those
characters as written is only word for word on the page where they are escaped (``\-\-``, ``\"``).
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


ESCAPE_SMARTY = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|\"'])")  # smarty makes quotes escapable too
DASHES = {"\u2014": "---", "\u2013": "--", "\u2026": "..."}  # what smarty makes of a run of '-' or '.'
CURLY = "\u2018\u2019\u201c\u201d"


def _tokens(text: str, base: int, smarty: bool = False) -> list[tuple[str, int]]:
    """Words and punctuation with their offsets; a Markdown escape's backslash is no token of its own."""
    escapes = {match.start() for match in (ESCAPE_SMARTY if smarty else ESCAPE).finditer(text)}
    return [(m.group(0), base + m.start()) for m in TOKEN.finditer(text) if not (m.group(0) == "\\" and m.start() in escapes)]


def _rendered_tokens(text: str, base: int, md=None) -> list[tuple[str, int]]:
    """The paragraph's tokens as smarty renders them, each at the offset of the source it comes from: '--' is
    one token '\u2013' at the first '-', a straight quote the curly one smarty chose. Where the rendering
    cannot be lined up with the source (markup the essay's paragraphs do not hold), the source's tokens."""
    import html

    import markdown

    source = _tokens(text, base, smarty=True)
    md = md or markdown.Markdown(extensions=["smarty"])
    rendered_html = md.reset().convert(text)
    rendered = TOKEN.findall(html.unescape(re.sub(r"<[^>]+>", "", rendered_html)))
    out, i = [], 0
    for token in rendered:
        if i < len(source) and source[i][0] == token:
            out.append(source[i])
            i += 1
        elif token in DASHES and "".join(t for t, _ in source[i:i + len(DASHES[token])]) == DASHES[token]:
            out.append((token, source[i][1]))
            i += len(DASHES[token])
        elif token in CURLY and i < len(source) and source[i][0] in "'\"":
            out.append((token, source[i][1]))
            i += 1
        else:
            return source
    return out if i == len(source) else source


def check_copy_text(page_source: str, shown_page: str, copy_text: Path, shown_copy: str, smarty: bool = False) -> list[Problem]:
    """One problem at the first place where the essay page's words differ from the copy-text's."""
    try:
        original = copy_text.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(shown_copy, 1, 1, f"cannot read the copy-text ({exc.__class__.__name__}); restore it from git", "essay.copy_text")]
    paragraphs = essay_paragraphs(page_source)
    if not paragraphs:
        return [Problem(shown_page, 1, 1, "no essay paragraph found (paragraphs marked {: .essay-text }); mark the essay's paragraphs so they can be checked against the copy-text", "essay.changed")]
    if smarty:
        import markdown

        md = markdown.Markdown(extensions=["smarty"])
        ours = [t for offset, text in paragraphs for t in _rendered_tokens(text, offset, md)]
    else:
        ours = [t for offset, text in paragraphs for t in _tokens(text, offset)]
    theirs = [(m.group(0), m.start()) for m in TOKEN.finditer(original)]
    page_index, copy_index = LineIndex(page_source), LineIndex(original)
    for i, ((word, at), (expected, where)) in enumerate(zip(ours, theirs)):
        if word != expected:
            line, col = page_index.position(at)
            cline, ccol = copy_index.position(where)
            written = word if page_source.startswith(word, at) else page_source[at:at + len(DASHES.get(word, word))]
            if written != word:  # smarty changed what is written: the copy-text's characters are kept by escaping them
                escaped = "".join("\\" + c for c in written)
                return [Problem(shown_page, line, col, f"the essay's text differs from the copy-text here: the page shows '{word}' (smarty renders '{written}' so) where {shown_copy}:{cline}:{ccol} has '{expected}' (\u2026{_context(theirs, i)}\u2026); write {escaped} to show the copy-text's characters", "essay.changed")]
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
