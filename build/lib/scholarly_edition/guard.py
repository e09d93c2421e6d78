"""Guards around mkdocs-bibtex (upstream archived), applied from our hooks instead of forking it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .source import non_prose_spans

# A private-use character stands in for '@' in code, comments and URLs while mkdocs-bibtex runs, so its
# citation regexes cannot rewrite `[@key]` in a code span or '@user' in a link.
AT_STANDIN = "\ue0a0"


def protect_non_prose(markdown: str) -> str:
    chars = list(markdown)
    for start, end in non_prose_spans(markdown):
        for i in range(start, end):
            if chars[i] == "@":
                chars[i] = AT_STANDIN
    return "".join(chars)


def restore_non_prose(markdown: str) -> str:
    return markdown.replace(AT_STANDIN, "@")


def defuse_unknown_keys(markdown: str, unknown: Iterable[str]) -> str:
    """Show unknown keys as Pandoc does ('key?') without handing them to mkdocs-bibtex.

    mkdocs-bibtex 4.4 logs a traceback when it formats a footnote for a key it does not know; the
    build fails anyway (our ``cite.unknown_key``), so the page only needs to show where the key was.
    """
    keys = sorted(set(unknown), key=len, reverse=True)
    if not keys:
        return markdown
    # a key ends where Pandoc's does: not before a word character or internal punctuation followed by one
    pattern = re.compile(r"-?@(" + "|".join(map(re.escape, keys)) + r")(?![\w]|[:.#$%&\-+?<>~/]\w)")
    prose_only = [(s, e) for s, e in non_prose_spans(markdown)]
    out, pos = [], 0
    for match in pattern.finditer(markdown):
        if any(s <= match.start() < e for s, e in prose_only):
            continue
        out += [markdown[pos:match.start()], f'<strong class="citation-unknown">{match.group(1)}?</strong>']
        pos = match.end()
    out.append(markdown[pos:])
    return "".join(out)


# mkdocs-bibtex reads a citation key as ``[\w-]+`` (and ``[\w:-]+`` in running text); Pandoc's keys may also
# hold internal punctuation, colons and URLs (``@doi:10.1000/x``, ``@{https://...}``). Such a key is handed
# to mkdocs-bibtex under an alias it reads whole; the .bib text and CSL JSON given to Pandoc use the same
# alias, so the formatted text is the same.
SAFE_KEY = re.compile(r"[A-Za-z0-9_][\w-]*\Z")


def bibtex_alias(key: str) -> str:
    if SAFE_KEY.match(key) and not key.endswith("-"):
        return key
    import hashlib

    slug = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")[:40] or "key"
    return f"{slug}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"


def aliased_text(text: str, spans: dict[str, tuple[int, int]], aliases: dict[str, str]) -> str:
    """A .bib text with the key of every entry (``spans``: key -> its block's offsets) replaced by its alias."""
    out, pos = [], 0
    for key, (start, end) in sorted(spans.items(), key=lambda kv: kv[1]):
        alias = aliases.get(key, key)
        if alias == key:
            continue
        head = re.compile(r"@\s*\w+\s*[{(]\s*").match(text, start)
        if head is None or not text.startswith(key, head.end()):
            continue
        out += [text[pos:head.end()], alias]
        pos = head.end() + len(key)
    out.append(text[pos:])
    return "".join(out)


def keys_only_bib(aliases) -> str:
    """The keys alone, for mkdocs-bibtex's pybtex, which only checks that a cited key exists (the texts come
    from Pandoc): pybtex need not read what only Pandoc and biblatex read (name parts, EDTF dates ...)."""
    return "".join(f"@misc{{{alias},\n  note = {{}}\n}}\n" for alias in aliases)


def alias_citations(markdown: str, uses, aliases: dict[str, str]) -> str:
    """Citation keys in a page (``uses`` from find_citations) replaced by their aliases: ``@doi:10.1/x`` and
    ``@{https://...}`` become ``@<alias>``."""
    out, pos = [], 0
    for use in sorted(uses, key=lambda u: u.offset):
        alias = aliases.get(use.key)
        if alias is None or alias == use.key:
            continue
        written = use.written or use.key
        if not markdown.startswith(written, use.offset + 1):
            continue
        out += [markdown[pos:use.offset + 1], alias]
        pos = use.offset + 1 + len(written)
    out.append(markdown[pos:])
    return "".join(out)


# Pandoc's in-text (narrative) citation: "@key" in running text, with an optional locator in brackets right
# after it ("@key [p. 33]"), which is not a link ("[text](url)", "[text][ref]").
_NARRATIVE_LOCATOR = re.compile(r"[ \t]?\[([^\[\]\n@]*)\](?![(\[:])")


def narrative_citations(markdown: str, uses, known: set[str]) -> list[tuple[int, int, str, str]]:
    """Each narrative citation of a known key in ``markdown`` (``uses`` from find_citations on the same text):
    (start, end, its Pandoc text, key). mkdocs-bibtex would print the whole reference there; the edition
    prints Pandoc's narrative form, "Doe (1998)", linked to the page's reference list."""
    out = []
    for use in sorted(uses, key=lambda u: u.offset):
        if use.bracketed or use.in_front_matter or use.in_link_definition or use.key not in known:
            continue
        written = use.written or use.key
        end = use.offset + 1 + len(written)
        if markdown[use.offset:end] != "@" + written:
            continue
        locator = _NARRATIVE_LOCATOR.match(markdown, end)
        text = "@" + written + (f" [{locator.group(1).strip()}]" if locator else "")
        out.append((use.offset, locator.end() if locator else end, text, use.key))
    return out


def replace_spans(markdown: str, spans: list[tuple[int, int, str]]) -> str:
    """``markdown`` with each (start, end) span replaced by its text (spans in order, not overlapping)."""
    out, pos = [], 0
    for start, end, text in spans:
        out += [markdown[pos:start], text]
        pos = end
    out.append(markdown[pos:])
    return "".join(out)
