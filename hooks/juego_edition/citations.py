"""Pandoc citation syntax: ``[@a; see @b, p. 3]``, ``[-@a]``, and ``@a`` / ``@a [p. 3]`` in running text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .source import LineIndex, prose_mask

# Pandoc: a key starts with a letter, digit or _, and may contain internal punctuation :.#$%&-+?<>~/
KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
BRACKETED = re.compile(r"\[(?P<body>[^\[\]]*?(?<![\w.])-?@" + KEY + r"[^\[\]]*)\](?!\(|\[|:)")
CITE_IN_BRACKETS = re.compile(r"(?:^|(?<=[\s;\[]))-?@(?P<key>" + KEY + ")")
IN_TEXT = re.compile(r"(?<![\w@.\[\\])@(?P<key>" + KEY + ")")
EMPTY = re.compile(r"\[\s*@\s*(?:[;\]])")
# An image's alt text, with at most one level of brackets inside: ![alt [@key]](src) or ![alt][ref]
IMAGE_ALT = re.compile(r"!\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\](?=[(\[])")


@dataclass(frozen=True)
class CitationUse:
    key: str
    line: int
    col: int
    offset: int
    bracketed: bool


def find_citations(text: str) -> tuple[list[CitationUse], list[tuple[int, int]]]:
    """Every citation in the prose of a Markdown source, and the positions of empty citations ``[@]``."""
    prose = prose_mask(text)
    index = LineIndex(text)
    uses: list[CitationUse] = []
    taken: list[tuple[int, int]] = []
    for block in BRACKETED.finditer(prose):
        body_start = block.start("body")
        for cite in CITE_IN_BRACKETS.finditer(block.group("body")):
            offset = body_start + cite.start("key") - 1
            uses.append(CitationUse(cite.group("key"), *index.position(offset), offset, True))
        taken.append(block.span())
    for cite in IN_TEXT.finditer(prose):
        offset = cite.start()
        if any(start <= offset < end for start, end in taken):
            continue
        uses.append(CitationUse(cite.group("key"), *index.position(offset), offset, False))
    empties = [index.position(m.start()) for m in EMPTY.finditer(prose)]
    return sorted(uses, key=lambda u: u.offset), empties


def in_image_alt(text: str, uses: list[CitationUse]) -> list[CitationUse]:
    """The citations written inside an image's alt text, where no formatter can put a citation (the
    formatted text and its footnote mark break the image syntax)."""
    spans = [m.span() for m in IMAGE_ALT.finditer(prose_mask(text))]
    return [use for use in uses if any(start <= use.offset < end for start, end in spans)]
