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
