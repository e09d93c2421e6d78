"""[#15] The PDF as a press page: measure, mirrored margins, references once, paragraph numbers, glossary page
references, shipped fonts only. Every figure is read back from the typeset PDF's text layer (pypdf)."""

from __future__ import annotations

import io
import re
import statistics
from pathlib import Path

import lxml.html
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from conftest import ROOT, built_once, PKG
from test_book import SLUG, letters

MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture(scope="session")
def pdf(built_site) -> PdfReader:
    return PdfReader(built_site / "downloads" / f"{SLUG}.pdf")


@pytest.fixture(scope="session")
def letter_pdf(built_site, tmp_path_factory) -> PdfReader:
    """The same book set on US Letter (``make pdf PAPER=letter``), from the same built site."""
    from scholarly_edition import book
    from mkdocs.config import load_config

    def render(folder: Path) -> None:
        from scholarly_edition.checks import load_settings

        config = load_config(str(ROOT / "mkdocs.yml"))
        meta = book.book_meta(load_settings(ROOT).edition, config.site_url or "")
        html = book.assemble_book(built_site, meta, (PKG / "book" / "print.css").read_text(encoding="utf-8"))
        book.render_pdf(html, PKG / "book", folder / "book.pdf", "letter")

    return PdfReader(built_once(tmp_path_factory, "letter-pdf", render) / "book.pdf")


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def chapter_pages(texts: list[str], title: str, next_title: str) -> range:
    """Indexes of the pages of one chapter, found by its title and the next chapter's title at a page's top."""
    def starts(t: str, heading: str) -> bool:
        return letters(heading) in letters("\n".join(t.split("\n")[:3]))
    first = next(i for i, t in enumerate(texts) if i > 1 and starts(t, title))
    last = next(i for i, t in enumerate(texts) if i > first and starts(t, next_title))
    return range(first, last)


def items(page) -> list[tuple[str, float, float]]:
    """Text runs of one page with their start (x, y) in points."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text, tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return runs


def body_lines(text: str) -> list[str]:
    """Lines of running text: not the running head or the folio, not headings or bare numbers."""
    return [line for line in text.split("\n")[1:] if len(line.strip()) > 1 and not line.strip().isdigit()]


def test_every_full_reference_is_printed_once_in_the_bibliography_only(built_site, pdf):
    tree = lxml.html.fromstring((built_site / "bibliography" / "index.html").read_text(encoding="utf-8"))
    # the essay's own reference is also its citation, on the title page and under "How to cite" (one record)
    full = [letters(e.text_content()) for e in tree.xpath('//div[contains(@class, "csl-entry")]') if e.get("id") != "ref-juego2010migration"]
    entries = [entry[:80] for entry in full]  # past the author's name, into year and title
    assert len(entries) >= 30
    texts = page_texts(pdf)
    bibliography = chapter_pages(texts, "Bibliography", "About this edition")
    inside = letters("".join(texts[i] for i in bibliography))
    outside = letters("".join(t for i, t in enumerate(texts) if i not in bibliography))
    # before #15 each citation was a footnote repeating the full reference: 13 notes on one page, 5 sources
    assert [e for e in entries if inside.count(e) != "".join(full).count(e)] == []  # entries may start alike
    assert [e for e in entries if e in outside] == []


def test_in_text_citations_link_to_their_bibliography_entry(pdf):
    targets = [str(annot.get_object().get("/Dest")) for page in pdf.pages for annot in page.get("/Annots") or []]
    cited = [t for t in targets if t.startswith("bibliography--ref-")]
    named = pdf.trailer["/Root"]["/Names"]["/Dests"].get_object()
    names = set()
    stack = [named]
    while stack:
        node = stack.pop()
        names |= {str(n) for n in (node.get("/Names") or [])[::2]}
        stack += [kid.get_object() for kid in node.get("/Kids") or []]
    assert len(cited) >= 100
    assert [t for t in cited if t not in names] == []


@pytest.mark.pdf  # the fixture is chosen at run time (pdf or letter_pdf)
@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_measure_is_a_press_measure(request, paper):
    reader = request.getfixturevalue("pdf" if paper == "A4" else "letter_pdf")
    texts = page_texts(reader)
    essay = chapter_pages(texts, "Migration in Asia-Europe Relations", "The Asia-Europe People’s Forum")
    # full lines only; pypdf widens justified word spaces into runs of spaces, counted here as one
    lengths = [len(re.sub(r"\s+", " ", line.strip())) for i in essay for line in body_lines(texts[i]) if len(line) >= 40]
    assert len(lengths) >= 100
    median = statistics.median(lengths)
    assert 55 <= median <= 75, median


def test_margins_are_mirrored_inner_narrower_than_outer(pdf):
    width = float(pdf.pages[2].mediabox.width)
    lefts, rights = {}, {}
    for number, page in enumerate(pdf.pages[2:], start=3):
        starts = [x for text, x, _ in items(page) if len(text.strip()) > 25]
        if len(starts) >= 10:
            (rights if number % 2 else lefts)[number] = min(starts)
    assert len(lefts) >= 5 and len(rights) >= 5
    right_page_inner = statistics.median(rights.values())  # a right-hand page binds on its left
    left_page_outer = statistics.median(lefts.values())
    assert left_page_outer - right_page_inner > 20 * MM, (left_page_outer / MM, right_page_inner / MM)
    assert right_page_inner < width / 2 - 60 * MM


def test_paragraph_numbers_stand_in_the_margin_beside_the_site_paragraphs(built_site, pdf):
    tree = lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))
    paragraphs = {p.get("id")[2:]: " ".join(p.text_content().split()) for p in tree.xpath('//p[starts-with(@id, "p-")]')}
    assert len(paragraphs) >= 5
    texts = page_texts(pdf)
    essay = chapter_pages(texts, "Migration in Asia-Europe Relations", "The Asia-Europe People’s Forum")
    found = {}
    for i in essay:
        runs = items(pdf.pages[i])
        body_left = min(x for text, x, _ in runs if len(text.strip()) > 25)
        for text, x, y in runs:
            if text.strip().isdigit() and x < body_left - 3 * MM:
                beside = "".join(t for t, tx, ty in runs if abs(ty - y) < 5 and tx >= body_left - 1)
                found[text.strip()] = beside
    assert sorted(found, key=int) == sorted(paragraphs, key=int)
    for number, beside in found.items():
        first_words = letters(paragraphs[number])[:12]
        assert letters(beside).startswith(first_words), (number, beside)


def test_glossary_gives_page_references_and_no_source_file(pdf):
    texts = page_texts(pdf)
    glossary = chapter_pages(texts, "Glossary", "Bibliography")
    text = " ".join(" ".join(texts[i].split()) for i in glossary)
    assert "terms.yml" not in " ".join(texts)
    uses = re.findall(r"([^(),;]+), p\.\s?(\d+)", text)  # "Used in: Page (Section, p. 3; Other, p. 9)"
    assert len(uses) >= 30
    wrong = [(section, page) for section, page in uses if letters(section) not in letters(texts[int(page) - 1])]
    assert wrong == []


def test_pdf_uses_only_the_shipped_fonts_all_embedded(pdf):
    shipped = {TTFont(path)["name"].getDebugName(6) for path in sorted((PKG / "fonts").glob("*.otf"))}
    assert len(shipped) >= 6
    used = {}
    for page in pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            program = next((descriptor[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor), None)
            assert program is not None, f"{font['/BaseFont']} is not embedded"
            try:
                name = TTFont(io.BytesIO(program.get_object().get_data()))["name"].getDebugName(6)
            except Exception:  # a bare CFF or Type 1 program: not one of ours, which are OpenType
                name = str(font["/BaseFont"])
            used[str(font["/BaseFont"])] = name
    assert used and {name for name in used.values() if name not in shipped} == set(), used
    assert not any("DejaVu" in base for base in used)


# --- the book's article transform on small pages: today's footnote markup and the author-date markup to come ---

BOOK_URLS = {"essay/": "essay", "bibliography/": "bibliography"}
REFERENCES = {"juego2010": "bibliography--ref-juego2010", "ep2000": "bibliography--ref-ep2000",
              "susanti2004": "bibliography--ref-susanti2004"}


def transform(body: str, src: str = "essay.md", bibliography: bool = False) -> str:
    from scholarly_edition.book import article_for_book
    from lxml import etree

    section = article_for_book(f"<html><body><article>{body}</article></body></html>", src, BOOK_URLS,
                               "https://example.org/", REFERENCES, bibliography=bibliography)
    return etree.tostring(section, encoding="unicode", method="html")


FOOTNOTES = """<div class="footnote"><ol>
<li id="fn:juego2010"><p>Juego, Bonn. 2010. Migration in Asia-Europe Relations.</p></li>
<li id="fn:ep2000"><p>European Parliament. 2000. Speech.</p></li>
<li id="fn:susanti2004"><p>Susanti. 2004. Forum.</p></li></ol></div>"""


def test_reference_footnotes_are_dropped_and_each_work_is_linked():
    html = transform('<p id="p-1">It says so (European Parliament 2000; Susanti 2004)<sup id="fnref:ep2000">'
                     '<a class="footnote-ref" href="#fn:ep2000">1</a></sup> <sup id="fnref:susanti2004">'
                     '<a class="footnote-ref" href="#fn:susanti2004">2</a></sup>. Then (Juego 2010)'
                     '<sup id="fnref:juego2010"><a class="footnote-ref" href="#fn:juego2010">3</a></sup>.</p>' + FOOTNOTES)
    assert "Juego, Bonn" not in html and "footnote" not in html
    text = " ".join(lxml.html.fromstring(html).text_content().split())
    assert "(European Parliament 2000; Susanti 2004). Then (Juego 2010)." in text
    links = re.findall(r'<a class="citation" href="#([^"]+)">([^<]+)</a>', html)
    assert links == [("bibliography--ref-ep2000", "European Parliament 2000"),
                     ("bibliography--ref-susanti2004", "Susanti 2004"), ("bibliography--ref-juego2010", "Juego 2010")]


def test_a_citation_holding_markup_is_linked_whole_to_its_first_work():
    html = transform('<p>Sources: (<abbr title="Asia-Europe Meeting">ASEM</abbr> 2000; Susanti 2004)'
                     '<sup id="fnref:ep2000"><a class="footnote-ref" href="#fn:ep2000">1</a></sup> '
                     '<sup id="fnref:susanti2004"><a class="footnote-ref" href="#fn:susanti2004">2</a></sup></p>' + FOOTNOTES)
    assert "footnote" not in html
    assert re.search(r'\(<a class="citation" href="#bibliography--ref-ep2000"><abbr[^>]*>ASEM</abbr> 2000; Susanti 2004</a>\)', html), html


def test_author_date_markup_links_to_the_book_bibliography_and_page_reference_lists_go():
    body = ('<p id="p-2">As argued <a class="citation" href="#ref-juego2010">(Juego 2010)</a>.</p>'
            '<section class="references"><div id="ref-juego2010" class="csl-entry">Juego, Bonn. 2010.</div></section>')
    html = transform(body)
    assert 'href="#bibliography--ref-juego2010"' in html and "Juego, Bonn" not in html
    kept = transform('<div class="references"><div id="ref-juego2010" class="csl-entry"><p>Juego, Bonn. 2010.</p></div></div>',
                     "bibliography.md", bibliography=True)
    assert 'id="bibliography--ref-juego2010"' in kept and "Juego, Bonn" in kept


def test_editorial_note_is_called_after_the_words_its_title_quotes():
    html = transform('<p class="essay-text" id="p-1">Asia is home of the top three sending countries and more.</p>'
                     '<div class="admonition note"><p class="admonition-title">Editorial note 1: “the top three sending '
                     'countries”</p><p>The three named are recipients.</p></div>')
    assert re.search(r'the top three sending countries<a class="note-call" href="#essay--editorial-note-1">1</a> and more', html), html
    assert 'id="essay--editorial-note-1"' in html and "The three named are recipients." in html


def test_paragraph_numbers_and_no_source_path_sentence():
    html = transform('<p class="essay-text" id="p-12">Text.</p>'
                     '<p>Short definitions. The glossary is generated from one source file, <code>glossary/terms.yml</code>.</p>')
    assert '<span class="para-number" aria-hidden="true">12</span>Text.' in html
    assert "terms.yml" not in html and "Short definitions." in html


def test_web_only_parts_go_and_pdf_only_parts_are_shown_in_the_book():
    # each medium its own reading instructions: the site's box is .web-only, the PDF's a .pdf-only twin that the
    # HTML hidden attribute keeps off the site (and out of the EPUB) and the book shows
    html = transform('<div class="admonition abstract web-only"><p class="admonition-title">How to read</p>'
                     '<p>On a small screen, select the number to open it.</p></div>'
                     '<div class="pdf-only" hidden data-search-exclude><div class="admonition abstract">'
                     '<p class="admonition-title">How to read</p><p>The note follows its paragraph.</p></div></div>')
    assert "small screen" not in html
    shown = lxml.html.fromstring(html).xpath('//*[contains(@class, "pdf-only")]')
    assert len(shown) == 1 and shown[0].get("hidden") is None
    assert "The note follows its paragraph." in shown[0].text_content()
