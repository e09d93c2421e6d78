"""The PDF's running head is the edition's title as its configuration gives it (the title page's heading),
not a title written into the stylesheet: a book with another title has that title at the top of its pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, PKG
from scholarly_edition import book

pytestmark = pytest.mark.pdf  # renders a (small) PDF with WeasyPrint


def test_the_running_head_is_the_configured_title(tmp_path: Path):
    stylesheet = (PKG / "book" / "print.css").read_text(encoding="utf-8")
    chapter = "<p>" + " ".join(["A line of running text in a chapter of another edition."] * 40) + "</p>"
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title><style>{stylesheet}</style></head><body>'
            '<section class="title-page"><h1 class="book-title" data-running-head="Another Edition Entirely">Another Edition, '
            'with a Title Too Long for a Running Head</h1></section>'
            f'<section class="book-part"><h1>First Chapter</h1>{chapter * 6}</section></body></html>')
    target = tmp_path / "book.pdf"
    book.render_pdf(html, PKG / "book", target)
    pages = [page.extract_text() for page in PdfReader(target).pages]
    assert len(pages) >= 3
    heads = [text for text in pages[1:] if "Another Edition Entirely" in text]
    assert heads, pages[1][:300]
    assert not any("Too Long for a Running Head" in text for text in pages[1:]), "the running head is the configured one, not the title"
    assert not any("Migration in Asia-Europe Relations" in text for text in pages)
