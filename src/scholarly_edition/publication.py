"""What both exports (the PDF, book.py; the EPUB, epub.py) share: the book's metadata and where a page is built."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import lxml.html


@dataclass
class BookMeta:
    title: str
    author: str
    subtitle: str
    occasion: str
    edition: str  # e.g. "Online edition, 27 November 2026"
    site_url: str
    description: str
    keywords: list[str]
    cite_as: str
    licence: list[str]
    language: str = "en"
    pages: list[str] = field(default_factory=list)  # docs-relative sources, in book order
    slug: str = "edition"
    bibliography: str = "bibliography.md"  # the page that holds every full reference once
    running_head: str = ""  # at the top of the pages; the title when empty
    date: str = ""  # the edition's date (ISO 8601: a year, a month or a day): the EPUB's dc:date
    record: object = None  # the edition's validated block (config.EditionConfig): the archive exports' front matter
    repo_url: str = ""  # the repository (CITATION.cff's repository-code)


def page_url(src: str) -> str:
    """Where MkDocs (use_directory_urls) puts a page: 'context/background.md' -> 'context/background/'."""
    stem = src[:-3]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def select(root, selector: str) -> list:
    """'tag', '.class' or 'tag.class' as XPath (cssselect is not installed, and these are all the exports need)."""
    tag, _, cls = selector.partition(".")
    condition = f'[contains(concat(" ", normalize-space(@class), " "), " {cls} ")]' if cls else ""
    return root.xpath(f".//{tag or '*'}{condition}")


def medium_article(page_html: str, src: str, leave_out, show: str):
    """A copy of the built page's article for one medium: the parts for other media left out (``leave_out``:
    selectors), and the parts for this one alone (``show``: a class hidden on the site) shown."""
    found = lxml.html.fromstring(page_html).xpath("//article")
    if not found:
        raise ValueError(f"no <article> in the built page for {src}")
    article = copy.deepcopy(found[0])
    for selector in leave_out:
        for element in select(article, selector):
            element.drop_tree()
    for element in select(article, show):
        element.attrib.pop("hidden", None)
    return article
