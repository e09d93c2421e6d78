"""The files for archives, written beside the PDF and the EPUB by every export (``make build``, ``make pdf``):
the essay as JATS XML (``<slug>.jats.xml``, jats.py), Zenodo's metadata (``.zenodo.json``, zenodo.py) and
``CITATION.cff`` (cff.py), all three from the edition's one record, so a deposit carries what the site says."""

from __future__ import annotations

from pathlib import Path

from .cff import CFF_FILE, citation_cff
from .config import EditionConfig
from .jats import jats_article
from .publication import page_url
from .zenodo import ZENODO_FILE, zenodo_json


def export_archive_files(site_dir: Path, edition: EditionConfig, site_url: str, repo_url: str = "") -> list[Path]:
    downloads = site_dir / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    essay_page = site_dir / page_url(edition.essay.page) / "index.html"
    written = {
        downloads / edition.download(".jats.xml"): jats_article(essay_page.read_text(encoding="utf-8"), edition, site_url),
        downloads / ZENODO_FILE: zenodo_json(edition, site_url),
        downloads / CFF_FILE: citation_cff(edition, site_url, repo_url),
    }
    for path, text in written.items():
        path.write_text(text, encoding="utf-8")
    return list(written)
