"""What both exports (the PDF, book.py; the EPUB, epub.py) share: the book's metadata and where a page is built."""

from __future__ import annotations

from dataclasses import dataclass, field


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


def page_url(src: str) -> str:
    """Where MkDocs (use_directory_urls) puts a page: 'context/background.md' -> 'context/background/'."""
    stem = src[:-3]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"
