"""Pandoc citation syntax as Pandoc's Markdown reader reads it: ``[@a; see @b, p. 3]``, ``[-@a]``, ``@a`` and
``@a [p. 3]`` in running text, keys with internal punctuation, colons and URLs (``@doi:10.1000/x``,
``@url:https://...``), braced keys (``@{https://...}``), citations before a colon; nothing inside what
Python-Markdown makes code, raw HTML tags or attribute lists. Also the near-misses that would be published
unformatted: a stray space (``[@ key]``), LaTeX commands (``\\cite{key}``), a key hidden in another
citation's suffix (``[@a, @b]``) and an unclosed bracket (``[@a; @b.``).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from .diagnostics import Problem
from .source import EMAIL, FRONT_MATTER, URL, LineIndex, prose_mask

# Pandoc (Text.Pandoc.Parsing, citeKey): a key starts with a letter, digit, _ or *; it may contain internal
# punctuation :.#$%&-+?<>~/ followed by a letter, digit or _, and ':' or '/' followed by '/' (URLs).
KEY_CHARS = r"(?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))"
SIMPLE_KEY = r"[\w*]" + KEY_CHARS + "*"
BRACED_KEY = r"\{(?=[^\s}])[^\s{}]*(?:\{[^\s{}]*\}[^\s{}]*)*\}"  # not empty: '@{}' (LaTeX column spec) is no key
# '@' not right after a word (Pandoc: not after a string, so e-mail addresses and "x.@y" are no citations);
# "(@label)" is Pandoc's reference to a numbered example, not a citation.
CITE = re.compile(r"(?<![\w\\@])(?<!\w[.])(?P<minus>-?)@(?P<key>" + SIMPLE_KEY + "|" + BRACED_KEY + ")")
# Pandoc's numbered examples: an item starts with "(@label)", "@label)" or "@label." at the start of a line, and
# "(@label)" elsewhere refers to it. Neither is a citation; "(@label)" with no such item is.
EXAMPLE_ITEM = re.compile(r"^[ \t]*(?:\(@(?P<a>[\w-]+)\)|@(?P<b>[\w-]+)[.)])(?=[ \t]|$)", re.M)


LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|\d+[.)]|\(?@[\w-]*[.)]|#[.)]|[A-Za-z][.)])(?:[ \t]|$)")


def _starts_list_item(mask: str, line_start: int) -> bool:
    """A list item can start on this line: Pandoc's lists do not interrupt a paragraph, so the line opens a
    block (first line, or after a blank line) or its block began with a list item ("@Upper_writers_1974."
    at the start of a paragraph's second line is a citation, not a numbered example)."""
    start = line_start
    while start > 0:
        previous = mask.rfind("\n", 0, start - 1) + 1
        if not mask[previous:start - 1].strip():
            break
        start = previous
    return start == line_start or bool(LIST_MARKER.match(mask, start))


def _cites(mask: str, start: int = 0, end: int | None = None):
    """CITE matches, without Pandoc's numbered examples and references to them."""
    items = {m.start("a") - 1 if m.group("a") else m.start("b") - 1: m.group("a") or m.group("b") for m in EXAMPLE_ITEM.finditer(mask)
             if _starts_list_item(mask, m.start())}
    labels = set(items.values())
    for match in CITE.finditer(mask, start, len(mask) if end is None else end):
        if match.start() in items:
            continue
        if (labels and match.start() > 0 and mask[match.start() - 1] == "(" and mask[match.end():match.end() + 1] == ")"
                and match.group("key") in labels):
            continue
        yield match
EMPTY = re.compile(r"\[\s*-?@\s*(?:[;\]])")
STRAY_SPACE = re.compile(r"(?<![\w\\@])-?@[ \t]+(?P<key>[A-Za-z_][\w:.\-]*)(?=[^\[\]\n]*\])")
LATEX = re.compile(r"\\(?P<command>[A-Za-z]*cite[A-Za-z]*|nocite)\*?(?:\[[^\]\n]*\]){0,2}\{(?P<keys>[^{}\n]*)\}")
# An image's alt text, with at most one level of brackets inside: ![alt [@key]](src) or ![alt][ref]
IMAGE_ALT = re.compile(r"!\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\](?=[(\[])")
# What the scanner never reads, beyond code and comments: raw HTML tags (attributes), attribute lists,
# abbreviation definitions, link destinations, and reference-link definitions at the start of a line.
HTML_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s+[^<>]*?)?/?>", re.S)
ATTR_LIST = re.compile(r"\{:[^{}\n]*\}|\{[ \t]*[#.][^{}\n]*\}|\{[ \t]*[\w-]+=[^{}\n]*\}")
ABBR_DEF = re.compile(r"^\*\[[^\]\n]+\]:.*$", re.M)
LINK_DEST = re.compile(r"\]\((?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\)")
# '[^label]: ...' is a footnote definition, whose text is prose (citations in notes are read, as Pandoc does)
REF_DEF = re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\S.*$", re.M)
BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class CitationUse:
    key: str
    line: int
    col: int
    offset: int  # of the '@'
    bracketed: bool
    written: str = ""  # the key as written after '@' ('key' or '{key}')
    in_front_matter: bool = False  # Pandoc reads it (metadata is Markdown to Pandoc); MkDocs never formats it
    in_link_definition: bool = False  # '[@key]: ...' at a line start: a citation to Pandoc, a hidden link definition to MkDocs


YAML_KEY = re.compile(r"^[ \t]*(?:- +)?(?:[\w.-]+|\"[^\"\n]*\"|'[^'\n]*'):(?=\s|$)|(?:^|(?<=\s))#.*$", re.M)


def _front_matter_values(text: str) -> tuple[int, str] | None:
    """The front matter with its delimiters, keys and comments blanked: the values, which Pandoc reads as
    Markdown (its metadata); (end offset, text) or None."""
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    block = match.group(0)
    body = re.sub(r"[^\n]", " ", block[:3]) + block[3:]
    body = YAML_KEY.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
    closing = body.rstrip("\n").rfind("\n") + 1
    return match.end(), body[:closing] + re.sub(r"[^\n]", " ", body[closing:])


def scan_mask(text: str) -> str:
    """The text the scanner reads: prose (code, comments and front matter blanked), raw HTML tags, attribute
    lists and link destinations blanked; URLs and e-mail addresses blanked unless they are part of a key.
    The front matter's values are read too, as Pandoc reads them, so citations there can be reported."""
    chars = list(prose_mask(text, urls=False))
    front = _front_matter_values(text)
    if front is not None:
        chars[:front[0]] = list(front[1])
    masked = "".join(chars)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "

    for pattern in (HTML_TAG, ATTR_LIST, ABBR_DEF):
        for match in pattern.finditer(masked):
            blank(*match.span())
    for match in REF_DEF.finditer(masked):  # a citation-like label stays readable (it is reported), the rest not
        label = match.group(0).lstrip(" ")
        keep = len(match.group(0)) - len(label) + label.index("]") + 1 if label.startswith("[@") else 0
        blank(match.start() + keep, match.end())
    for match in LINK_DEST.finditer(masked):
        blank(match.start() + 1, match.end())
    masked = "".join(chars)
    cites = Disjoint(m.span() for m in _cites(masked))
    for pattern in (URL, EMAIL):
        for match in pattern.finditer(masked):
            # kept only where it is part of a key that starts before it ('@url:https://...', '-@smith.2004');
            # '@' inside a bare URL ('https://x.org/@a') is not a citation here: the build keeps URLs as written
            if not cites.holds(match.start()):
                blank(*match.span())
    return "".join(chars)


class Disjoint:
    """Spans that never overlap (matches of one pattern, innermost brackets), sorted once: whether an offset lies
    in one of them is one bisection. A scan of every span for every citation was quadratic on the text the one
    Pandoc run reads, every page of the site together: 62.9 million looks on 1,000 pages ([6/6])."""

    def __init__(self, spans) -> None:
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]

    def holds(self, at: int, after_start: bool = False) -> bool:
        """``start <= at < end`` for one of the spans (``start < at < end`` with ``after_start``)."""
        i = (bisect.bisect_left if after_start else bisect.bisect_right)(self.starts, at)
        return i > 0 and at < self.spans[i - 1][1]


def _key(match: re.Match) -> str:
    key = match.group("key")
    return key[1:-1] if key.startswith("{") else key


def _brackets(mask: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Matched [ ... ] spans (innermost first does not matter) and unmatched '[' offsets; a bracket never
    spans a blank line (a paragraph ends there)."""
    spans, open_, unmatched = [], [], []
    para_breaks = {m.start() for m in BLANK_LINE.finditer(mask)}
    for i, char in enumerate(mask):
        if i in para_breaks:
            unmatched += open_
            open_ = []
        if char == "[" and (i == 0 or mask[i - 1] != "\\"):
            open_.append(i)
        elif char == "]" and (i == 0 or mask[i - 1] != "\\") and open_:
            spans.append((open_.pop(), i + 1))
    return spans, unmatched + open_


def _is_citation_bracket(mask: str, start: int, end: int) -> bool:
    """A bracket is a citation when its content holds a key where Pandoc's citation list has one: at the
    start, after a prefix ending in a space, or after ';'."""
    body = mask[start + 1:end - 1]
    return bool(re.search(r"(?:^|[\s;])-?@(?:" + SIMPLE_KEY + "|" + BRACED_KEY + ")", body))


def find_citations(text: str) -> tuple[list[CitationUse], list[tuple[int, int]]]:
    """Every citation in the prose of a Markdown source, and the positions of empty citations ``[@]``. Found once
    per text and process (the checks and the build both ask; `mkdocs serve` rebuilds unchanged pages)."""
    uses, empty = _find_citations(text)
    return list(uses), list(empty)


@functools.lru_cache(maxsize=512)
def _find_citations(text: str) -> tuple[tuple[CitationUse, ...], tuple[tuple[int, int], ...]]:
    mask = scan_mask(text)
    index = LineIndex(text)
    uses: list[CitationUse] = []
    spans, _ = _brackets(mask)
    innermost = _innermost(spans)
    cited_brackets = Disjoint((s, e) for s, e in innermost if _is_citation_bracket(mask, s, e))  # innermost: disjoint
    front = FRONT_MATTER.match(text)
    front_end = front.end() if front else 0
    definitions = Disjoint(m.span() for m in REF_DEF.finditer(prose_mask(text, urls=False)) if m.group(0).lstrip(" ").startswith("[@"))
    for match in _cites(mask):
        at = match.start() + len(match.group("minus"))
        uses.append(CitationUse(_key(match), *index.position(at), at, cited_brackets.holds(at, after_start=True),
                                match.group("key"), at < front_end, definitions.holds(at)))
    empties = [index.position(m.start()) for m in EMPTY.finditer(mask)]
    return tuple(uses), tuple(empties)


def _innermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans that hold no other span. The spans are matched brackets, so they nest and never cross: a span
    holds another exactly when the next span to start (in order of start) starts inside it. One sort, then one
    look at the next span each: every span was once compared with every other, 1.07 billion comparisons on a
    1,000-page site whose pages' bracket counts grew with the site ([6/6])."""
    spans = sorted(spans)
    return [(s, e) for (s, e), after in zip(spans, [*spans[1:], None]) if after is None or not (s < after[0] and after[1] < e)]


def citation_key_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of every citation ('@' and key): text that is never prose for other checks (the glossary)."""
    mask = scan_mask(text)
    return [(m.start(), m.end()) for m in _cites(mask)]


def broken_citations(text: str, shown: str) -> list[Problem]:
    """Things that look like citations but would be published unformatted, each at its own line and column."""
    return [problem for problem, _ in near_miss_citations(text, shown)]


def near_miss_citations(text: str, shown: str) -> list[tuple[Problem, tuple[str, ...]]]:
    """:func:`broken_citations` with the keys each near-miss names where the scanner reads no citation of them
    (``[@ key]``, ``\\cite{key}``): such an entry is meant to be cited, so it is not "never cited"."""
    mask = scan_mask(text)
    index = LineIndex(text)
    problems = []
    spans, unmatched = _brackets(mask)
    for match in STRAY_SPACE.finditer(mask):
        if any(s < match.start() < e for s, e in spans):
            key = match.group("key")
            problems.append((Problem(shown, *index.position(match.start()), f"'@ {key}' has a space after '@', so it is no citation and would be printed as written; write @{key}", "cite.stray_space"), (key,)))
    for match in LATEX.finditer(mask):
        keys = [k.strip() for k in match.group("keys").split(",") if k.strip()]
        command = match.group("command")
        if command in ("citet", "textcite", "citealt") and len(keys) == 1:
            pandoc = f"@{keys[0]}"
        elif command in ("citeyear", "citeyearpar"):
            pandoc = "[-" + "; -".join(f"@{k}" for k in keys) + "]"
        else:
            pandoc = "[" + "; ".join(f"@{k}" for k in keys) + "]"
        problems.append((Problem(shown, *index.position(match.start()), f"'{match.group(0)}' is a LaTeX citation, which this site does not format (it would be printed as written); write {pandoc}", "cite.latex"), tuple(keys)))
    for start, end in _innermost(spans):
        if not _is_citation_bracket(mask, start, end):
            continue
        body_start = start + 1
        for segment in _segments(mask, body_start, end - 1):
            found = list(_cites(mask, segment[0], segment[1]))
            for first, hidden in zip(found, found[1:]):
                between = mask[first.end():hidden.start()]
                if "," in between or not between.strip():
                    problems.append((Problem(shown, *index.position(hidden.start()), f"'@{_key(hidden)}' follows '@{_key(first)}' without ';', so Pandoc reads it as part of that citation's locator and it is not cited; separate citations with ';': [@{_key(first)}; @{_key(hidden)}]", "cite.separator"), ()))
    for start in unmatched:
        stop = next((m.start() for m in BLANK_LINE.finditer(mask, start)), len(mask))
        following = mask[start + 1:stop]
        if re.match(r"\s*-?@(?:" + SIMPLE_KEY + "|" + BRACED_KEY + ")", following) or re.search(r"[\s;]-?@\w", following.split("]")[0]):
            if start > 0 and mask[start - 1] == "!":
                continue
            problems.append((Problem(shown, *index.position(start), "this '[' opens a citation that is never closed, so it would be printed as written; close it with ']' before the paragraph ends", "cite.unclosed"), ()))
    return problems


def _segments(mask: str, start: int, end: int) -> list[tuple[int, int]]:
    """The ';'-separated parts of a citation bracket's content."""
    parts, pos = [], start
    for match in re.finditer(";", mask[start:end]):
        parts.append((pos, start + match.start()))
        pos = start + match.end()
    parts.append((pos, end))
    return parts


def in_image_alt(text: str, uses: list[CitationUse]) -> list[CitationUse]:
    """The citations written inside an image's alt text, where no formatter can put a citation (the
    formatted text and its footnote mark break the image syntax)."""
    spans = [m.span() for m in IMAGE_ALT.finditer(prose_mask(text))]
    return [use for use in uses if any(start <= use.offset < end for start, end in spans)]
