"""Time the PDF/EPUB export alone, from an already built copy of the real site."""

import sys
from pathlib import Path

from scholarly_edition import book
from scholarly_edition.checks import load_settings

ROOT = Path(__file__).resolve().parent.parent
settings = load_settings(ROOT)
edition = settings.edition
book.export_book(Path(sys.argv[1]), book.book_meta(edition, str(settings.source.data.get("site_url") or ""),
                                                   bibliography=settings.bibliography_page), edition.paper)
