"""[5/8] The offline edition: a typeset, tagged PDF and a valid EPUB, built with the site."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from pypdf import PdfReader

from conftest import ROOT
from scholarly_edition.bibdata import load_bib_files, plain
from scholarly_edition.glossary import load_glossary
from test_edition import SOURCE

SLUG = "migration-in-asia-europe-relations"


def letters(text: str) -> str:
    """Compare text across line breaks, hyphenation and typographic quotes: letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


@pytest.fixture(scope="session")
def pdf(built_site) -> PdfReader:
    path = built_site / "downloads" / f"{SLUG}.pdf"
    assert path.is_file(), "the normal build writes the PDF"
    return PdfReader(path)


@pytest.fixture(scope="session")
def pdf_text(pdf) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


def test_pdf_contains_title_and_first_and_last_sentence(pdf_text):
    source = SOURCE.read_text(encoding="utf-8")
    body = source.split("Denmark. ", 1)[1]
    first = body.split(". ")[0] + "."
    last = re.split(r"(?<=[.’])(?=[A-Z])|(?<=\.) ", source)[-1]
    assert first.startswith("Migration is an issue") and last.startswith("It is only when")
    for needle in ("Migration in Asia-Europe Relations", first, last):
        assert letters(needle) in letters(pdf_text), needle


def test_pdf_contains_every_editorial_note(built_site, pdf_text):
    tree = lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))
    titles = [" ".join(t.text_content().split()) for t in tree.xpath('//aside[@class="editorial-note"]/p[@class="editorial-note__label"]') if "Editors’ note" in t.text_content()]
    assert len(titles) >= 5
    for title in titles:
        assert letters(title) in letters(pdf_text), title


def test_pdf_contains_every_reference_and_every_glossary_term(pdf_text):
    entries, _ = load_bib_files([(p, p.name) for p in sorted((ROOT / "bib").glob("*.bib"))])
    flat = letters(pdf_text)
    missing = [k for k, e in entries.items() if letters(plain(e.fields["title"]))[:60] not in flat]
    assert missing == []
    terms, _ = load_glossary(ROOT / "glossary" / "terms.yml", "g")
    assert [t.term for t in terms if letters(t.term) not in flat] == []


def test_parity_every_cited_work_and_used_term_on_the_site_is_in_the_pdf(built_site, pdf_text):
    entries, _ = load_bib_files([(p, p.name) for p in sorted((ROOT / "bib").glob("*.bib"))])
    cited, used_terms = set(), set()
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        cited |= set(re.findall(r'<a class="citation" href="#ref-([^"]+)"', html))
        used_terms |= set(re.findall(r'<abbr title="([^"]+)"', html))
    assert len(cited) >= 30 and len(used_terms) >= 10
    flat = letters(pdf_text)
    assert [k for k in cited if letters(plain(entries[k].fields["title"]))[:60] not in flat] == []
    assert [t for t in used_terms if letters(t) not in flat] == []


def test_pdf_metadata_outline_fonts_and_tags(pdf):
    info = pdf.metadata
    assert info.title == "Migration in Asia-Europe Relations: An Annotated Edition"  # the edition's title (site_name)
    assert info.author == "Bonn Juego"
    assert "migration" in (info.subject or "").lower() and "ASEM" in (info.get("/Keywords") or "")
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root and root["/StructTreeRoot"].get_object()["/K"]
    top = [item.title for item in pdf.outline if not isinstance(item, list)]
    for part in ("Migration in Asia-Europe Relations", "The Asia-Europe People’s Forum and AEPF-8", "ASEM and migration, 1996-2011",
                 "The author", "Glossary", "Bibliography", "About this edition"):
        assert part in top, top
    fonts = {}
    for page in pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts
    assert any("Libertine" in name for name in fonts)


def test_pdf_has_title_page_contents_with_page_numbers_and_author_date_citations(pdf):
    first = pdf.pages[0].extract_text()
    for needle in ("Bonn Juego", "Eighth Asia-Europe People", "2–5 October 2010", "How to cite", "Open Font License"):
        assert needle in first, needle
    contents = pdf.pages[1].extract_text()
    assert re.search(r"Glossary\s*\.+\s*\d+", contents) or re.search(r"Glossary[ .]*\d+", contents), contents
    essay_pages = "\n".join(pdf.pages[i].extract_text() for i in range(2, 6))
    # [#15] citations stay author-date in the text; the full reference is in the bibliography, not in a footnote
    assert "(Juego 2010)" in essay_pages
    assert not re.search(r"^\d+\. Juego, Bonn\. 2010\.", essay_pages, re.M), "no footnote repeats a full reference"


def test_web_only_parts_never_reach_the_pdf(pdf_text):
    for needle in ("Edit this page", "¶", "Download the PDF", "Jump back", "Sources of the editorial notes"):
        assert needle not in pdf_text


def test_internal_links_in_the_pdf_point_inside_the_document(pdf):
    external, internal = 0, 0
    for page in pdf.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is None:
                internal += 1  # /Dest: a link inside the document
            elif "/URI" in action:
                uri = str(action["/URI"])
                assert not uri.startswith("../") and "/index.html" not in uri, uri
                external += 1
    assert internal >= 50 and external >= 10


def test_essay_page_links_pdf_and_epub_and_both_resolve(built_site):
    tree = lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))
    hrefs = [h for h in tree.xpath("//a/@href") if "/downloads/" in h]
    assert {Path(h).suffix for h in hrefs} == {".pdf", ".epub"}
    for href in hrefs:
        assert (built_site / "essay" / href).resolve().is_file(), href


# The EPUB's tests (EPUBCheck, Ace, links, notes, fonts) are in test_epub.py.


def test_no_stranded_single_word_lines_in_the_pdf(pdf):
    # a typesetting regression: WeasyPrint once left "of" alone on a line in an editorial note
    lonely = [(i + 1, line) for i, page in enumerate(pdf.pages) for line in page.extract_text().split("\n")
              if re.fullmatch(r"[a-z]{1,4}", line.strip())]
    assert lonely == []


# [2/4] No source says the essay was written for AEPF-8; its author's note says he took part in it. The only
# sentence allowed to use the words is the one on the about page that says no source supports them.
WRITTEN_FOR = re.compile(r"written\s+for\s+(?:the\s+)?(?:Eighth|8th|AEPF)", re.I)
ALLOWED = re.compile(r"No\s+source\s+consulted\s+says\s+that\s+the\s+essay\s+was\s+written\s+for\s+the\s+Eighth", re.I)


def test_nothing_says_the_essay_was_written_for_the_forum(built_site, pdf_text):
    texts = {"PDF": pdf_text, "CITATION.cff": (ROOT / "CITATION.cff").read_text(encoding="utf-8"),
             "mkdocs.yml": (ROOT / "mkdocs.yml").read_text(encoding="utf-8")}
    texts |= {str(p.relative_to(built_site)): p.read_text(encoding="utf-8") for p in built_site.rglob("*.html")}
    texts |= {str(p.relative_to(built_site)): p.read_text(encoding="utf-8") for p in (built_site / "cite").iterdir()}
    texts["PDF"] = re.sub(r"\u2010\s+", "", pdf_text)  # a word hyphenated at a line's end is read back whole
    claims = {name: m.group(0) for name, text in texts.items() for m in WRITTEN_FOR.finditer(ALLOWED.sub("", " ".join(text.split())))}
    assert claims == {}
    assert "By a participant in the Eighth Asia-Europe People" in " ".join(pdf_text.split())


def test_the_pdf_gives_its_own_reading_instructions(pdf_text):
    """The PDF's "How to read this edition" (a .pdf-only twin), not the EPUB's (.epub-only) nor the site's."""
    flat = " ".join(pdf_text.split())
    assert "How to read this edition" in flat and "in the margin" in flat
    assert "at the end of this chapter" not in flat and "select the number" not in flat
