"""Data as readers and reference managers get it: ranges with en dashes, one publisher where BibTeX would split
one at "and", particles kept in citations, a BibTeX export that BibTeX's own styles format, an EPUB with its date."""

from __future__ import annotations

import re
import zipfile

import lxml.html
import pytest

from conftest import ROOT
from scholarly_edition import scholarly
from scholarly_edition.checks import load_settings

pytestmark = pytest.mark.builds


def _page_texts(built_site) -> dict[str, str]:
    texts = {}
    for page in built_site.rglob("index.html"):
        tree = lxml.html.fromstring(page.read_text(encoding="utf-8"))
        for node in tree.xpath("//script|//style|//code|//pre"):
            node.drop_tree()
        texts[str(page.relative_to(built_site))] = " ".join(tree.text_content().split())
    return texts


def test_no_double_hyphen_between_digits_on_any_page(built_site):
    found = {page: re.findall(r".{20}\d--\d.{20}", text) for page, text in _page_texts(built_site).items()}
    assert {page: hits for page, hits in found.items() if hits} == {}


def test_verification_notes_print_tex_dashes_as_en_dashes():
    assert scholarly.tex_text("Partly verified: pages 13--15 not seen") == "Partly verified: pages 13\u201315 not seen"


@pytest.mark.pdf
def test_no_double_hyphen_between_digits_in_the_pdf(built_site):
    from pypdf import PdfReader

    edition = load_settings(ROOT).edition
    reader = PdfReader(built_site / "downloads" / f"{edition.slug}.pdf")
    hits = [m.group(0) for page in reader.pages for m in re.finditer(r".{0,20}\d--\d.{0,20}", page.extract_text())]
    assert hits == []


def test_one_publisher_stays_one_and_particles_stay_in_citations(built_site):
    bibliography = _page_texts(built_site)["bibliography/index.html"]
    assert "Simon & Schuster" in bibliography and "Simon; Schuster" not in bibliography
    essay = (built_site / "essay" / "index.html").read_text(encoding="utf-8")
    tags = [m.get("content") for m in lxml.html.fromstring(essay).xpath('//meta[@name="citation_reference"]')]
    publishers = [p.split("citation_publisher=", 1)[1].split(";")[0] for t in tags for p in [t] if "citation_publisher=" in t]
    assert "Simon & Schuster" in publishers
    context = _page_texts(built_site)["context/asem-and-migration/index.html"]
    assert "Bersick and van der Velde 2011" in context and "Bersick and Velde" not in context


def test_the_essays_bibtex_export_formats_with_bibtex_plain_style(built_site):
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    edition = load_settings(ROOT).edition
    data = parse_string((built_site / "cite" / f"{edition.slug}.bib").read_text(encoding="utf-8"), "bibtex")
    formatted = [entry.text.render_as("text") for entry in find_plugin("pybtex.style.formatting", "plain")().format_bibliography(data)]
    assert len(formatted) == 1 and edition.essay.title in formatted[0] and str((edition.date or edition.essay.published).year) in formatted[0]


@pytest.mark.pdf
def test_the_epub_carries_the_editions_date(built_site):
    edition = load_settings(ROOT).edition
    with zipfile.ZipFile(built_site / "downloads" / f"{edition.slug}.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    assert f"<dc:date>{(edition.date or edition.essay.published).iso()}</dc:date>" in opf
