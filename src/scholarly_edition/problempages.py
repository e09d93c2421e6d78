"""Source problems shown on the pages they concern: a box at the top of the page, for `make serve` and for the
preview of a pull request whose checks failed (the annotations say the same on the diff; the box says it where
the contributor looks at the result).

A problem in a page's Markdown is shown on that page; one in a data file on the page made from it (the glossary,
the bibliography); any other (mkdocs.yml, a file no page is made from) on the home page. The home page also
lists every problem of the build, with the page it is on."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterable

from .diagnostics import Problem

HOME = "index.md"
LISTED = 50  # problems listed in one box; the rest are counted
_ARTICLE = re.compile(r'<article\b[^>]*class="[^"]*\bmd-content__inner\b[^"]*"[^>]*>')


def by_page(problems: Iterable[Problem], docs_prefix: str, pages: set[str], routes: dict[str, str],
            home: str = HOME) -> dict[str, list[Problem]]:
    """The problems per page (source path in docs/, e.g. 'context/history.md'), each problem once, sorted by place.
    ``docs_prefix``: the docs folder as problems name it ('docs/'); ``routes``: data file as problems name it ->
    the page made from it; ``home``: the home page, which shows the rest."""
    found: dict[str, list[Problem]] = {}
    for problem in sorted(set(problems)):
        page = routes.get(problem.path)
        if page is None and problem.path.startswith(docs_prefix):
            page = problem.path[len(docs_prefix):]
        found.setdefault(page if page in pages else home, []).append(problem)
    return found


def box(problems: list[Problem], title: str, where: dict[Problem, str] | None = None) -> str:
    """The box: a Material 'failure' admonition (errors) or 'warning' (warnings only), read out as an alert.
    ``where``: for the home page's list, the page each problem is shown on (a relative link)."""
    errors = sum(p.severity == "error" for p in problems)
    kind = "failure" if errors else "warning"
    items = []
    for problem in problems[:LISTED]:
        text = htmllib.escape(str(problem))
        label = "" if problem.severity == "error" else "warning: "
        link = f' <a href="{htmllib.escape(where[problem])}">(on its page)</a>' if where and problem in where else ""
        items.append(f"<li>{label}<code>{text}</code>{link}</li>")
    more = f"<p>and {len(problems) - LISTED} more (every one is in the build's output).</p>" if len(problems) > LISTED else ""
    return (f'<div class="admonition {kind} edition-problems" role="alert" data-search-exclude>'
            f'<p class="admonition-title">{htmllib.escape(title)}</p>'
            f'<p>This page is built from sources that still have problems; fix them and build again. '
            f'Each line names the file, line and column.</p><ul>{"".join(items)}</ul>{more}</div>')


def add_box(page_html: str, box_html: str) -> str:
    """The box at the top of the page's article (the page unchanged if it has none)."""
    match = _ARTICLE.search(page_html)
    return page_html[:match.end()] + box_html + page_html[match.end():] if match else page_html


def title(problems: list[Problem], whole_build: bool = False) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    counted = ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n)
    return f"{counted} in the sources of {'this edition' if whole_build else 'this page'}"
