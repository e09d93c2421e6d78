"""The PDF's typography, read back from the typeset PDF (pypdf, with each run's font and size): no heading or
note label alone at the foot of a page, the editorial notes on a measure of 70 characters at most, even leading
with superscripts, sparing English hyphenation, no running head on an opening page."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

import lxml.html
import pyphen
import pytest
from pypdf import PdfReader

from conftest import ROOT, PKG
from test_book import letters
from test_pdf import MM, chapter_pages, page_texts, pdf  # noqa: F401  (pdf: the real book's PDF, a fixture)

pytestmark = pytest.mark.pdf

ESSAY, AFTER_ESSAY = "Migration in Asia-Europe Relations", "The Asia-Europe People’s Forum"
HYPHENS = ("\u2010", "-", "\xad")  # WeasyPrint's hyphenate-character, and a hard hyphen ending a line


def runs(page) -> list[dict]:
    """The text runs of a page: text, start (x, y) in points, font size in points, font name."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = abs(tm[0] * cm[0]) or 1
            found.append({"text": text, "x": tm[4] * cm[0] + cm[4], "y": tm[5] * cm[3] + cm[5],
                          "size": round(size * scale, 2), "font": str((font or {}).get("/BaseFont", ""))})

    page.extract_text(visitor_text=visit)
    return found


def lines(page, size: float) -> list[dict]:
    """The lines set at ``size`` (text faces, not the sans of headings and margin numbers), top to bottom, each
    with its baseline and text; a smaller run raised above a line (a superscript) is part of it (``sup``)."""
    page_runs = [r for r in runs(page) if "Biolinum" not in r["font"]]
    rows: dict[float, list[dict]] = {}
    for r in page_runs:
        if abs(r["size"] - size) < 0.05:
            rows.setdefault(round(r["y"], 1), []).append(r)
    raised = {y: False for y in rows}
    for r in page_runs:
        if r["size"] < size - 0.05:
            below = [y for y in rows if 0 < r["y"] - y < 0.6 * size]
            if below:
                rows[max(below)].append(r)
                raised[max(below)] = True
    return [{"y": y, "sup": raised[y], "text": re.sub(r"\s+", " ", "".join(r["text"] for r in sorted(rows[y], key=lambda r: r["x"]))).strip()}
            for y in sorted(rows, reverse=True)]


def body_size(reader: PdfReader, pages) -> float:
    """The running text's size: the size most characters of these pages are set in."""
    sizes = Counter()
    for i in pages:
        for r in runs(reader.pages[i]):
            sizes[r["size"]] += len(r["text"].strip())
    return sizes.most_common(1)[0][0]


def essay_lines(reader: PdfReader) -> tuple[list[int], float, list[list[dict]]]:
    pages = list(chapter_pages(page_texts(reader), ESSAY, AFTER_ESSAY))
    size = body_size(reader, pages)
    return pages, size, [lines(reader.pages[i], size) for i in pages]


def book_pages(built_site: Path) -> list[lxml.html.HtmlElement]:
    from scholarly_edition.checks import load_settings
    from scholarly_edition.publication import page_url

    edition = load_settings(ROOT).edition
    return [lxml.html.fromstring((built_site / page_url(src) / "index.html").read_text(encoding="utf-8")).xpath("//article")[0]
            for src in edition.pages]


# --- headings and note labels keep their text ---

def page_foot(page) -> list[dict]:
    """The runs of the last line of the page's text block (above the folio; not a number in the margin)."""
    height = float(page.mediabox.height)
    inside = [r for r in runs(page) if 15 * MM < r["y"] < height - 20 * MM and not r["text"].strip().isdigit()]
    if not inside:
        return []
    low = min(r["y"] for r in inside)
    return sorted((r for r in inside if abs(r["y"] - low) < 2), key=lambda r: r["x"])


def test_no_heading_or_note_label_stands_alone_at_the_foot_of_a_page(built_site, pdf):
    # "Editors' note 8" stood at the foot of p. 7 with its four lines on p. 8. Headings are set in the sans
    # (Biolinum); a note's label is known by its words.
    labels = [letters(e.text_content()) for article in book_pages(built_site)
              for e in article.xpath('.//*[contains(@class, "editorial-note__label")]')]
    assert len(labels) >= 5
    stranded = []
    for number, page in enumerate(pdf.pages[2:], start=3):
        foot = page_foot(page)
        text = "".join(r["text"] for r in foot)
        if foot and ("Biolinum" in foot[0]["font"] or any(len(letters(text)) >= 4 and label.startswith(letters(text)) for label in labels)):
            stranded.append((number, text))
    assert stranded == [], stranded


def test_a_note_label_at_the_foot_goes_over_with_its_text(tmp_path: Path):
    """Wherever a note falls near the foot of a page, its label is on the page of its first lines."""
    from scholarly_edition import book

    stylesheet = (PKG / "book" / "print.css").read_text(encoding="utf-8")
    body = " ".join(["The note's text runs on over several lines of the narrower measure."] * 6)
    parts = "".join(
        f'<section class="book-part"><div style="height: {height}pt"></div>'
        f'<aside class="editorial-note"><p class="editorial-note__label"><a class="editorial-note__permalink">Label {n}</a>'
        f'<span>: “some words”</span></p><div class="editorial-note__body"><p>Body{n} {body}</p></div></aside></section>'
        for n, height in enumerate(range(630, 700, 5)))
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title><style>{stylesheet}</style>'
            f'</head><body>{parts}</body></html>')
    target = tmp_path / "notes.pdf"
    book.render_pdf(html, PKG / "book", target)
    texts = [letters(page.extract_text()) for page in PdfReader(target).pages]
    apart = [n for n in range(14) if next(i for i, t in enumerate(texts) if f"label{n}some" in t)
             != next(i for i, t in enumerate(texts) if f"body{n}the" in t)]
    assert apart == []


# --- the notes' measure ---

def test_editorial_notes_are_set_at_most_70_characters_a_line(built_site, pdf):
    essay = lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))
    notes = essay.xpath('//*[contains(@class, "editorial-note__body")]')
    assert len(notes) >= 5
    note_text = letters(" ".join(n.text_content() for n in notes))
    pages, size, _ = essay_lines(pdf)
    note_sizes = {r["size"] for i in pages for r in runs(pdf.pages[i]) if r["size"] < size - 1}
    lengths = [len(line["text"]) for i in pages for s in note_sizes for line in lines(pdf.pages[i], s)
               if len(letters(line["text"])) >= 30 and letters(line["text"]) in note_text]
    full = sorted(n for n in lengths if n >= 40)
    assert len(full) >= 50, full
    # before: 8.5 pt across the essay's 110 mm, 86 characters a line (median), up to 91
    assert max(full) <= 70 and statistics.median(full) <= 66, (statistics.median(full), full[-5:])


# --- even leading ---

def test_a_line_with_a_superscript_keeps_the_texts_leading(pdf):
    _, size, pages = essay_lines(pdf)
    gaps = [(round(above["y"] - below["y"], 1), below["sup"]) for page in pages for above, below in zip(page, page[1:])]
    leading = statistics.median(g for g, _ in gaps)
    within = [(g, sup) for g, sup in gaps if g < 1.35 * leading]  # not across a paragraph break or a note
    with_sup = [g for g, sup in within if sup]
    assert len(with_sup) >= 5 and len(within) >= 80
    # before: 19.2 pt under a line with a note's marker against the text's 16.1 pt (11.5 pt x 1.4)
    assert [g for g, _ in within if abs(g - leading) > 0.2] == [], Counter(within)
    assert abs(leading - size * 1.4) < 0.2


# --- hyphenation ---

def test_the_essay_is_hyphenated_sparingly_and_by_english_patterns(pdf):
    _, _, pages = essay_lines(pdf)
    text = [line["text"] for page in pages for line in page]
    assert len(text) >= 100
    ends = [line.endswith(HYPHENS) and line[-2:-1].isalpha() for line in text]
    run = longest = 0
    for hyphenated in ends:
        run = run + 1 if hyphenated else 0
        longest = max(longest, run)
    # before: 39 of 126 lines (31 %) ended in a hyphen, three in a row
    assert sum(ends) / len(text) <= 0.08, [line for line, end in zip(text, ends) if end]
    assert longest <= 2
    american = pyphen.Pyphen(lang="en_US")
    wrong = []
    for line, following in zip(text, text[1:]):
        if line.endswith("\u2010"):
            head = re.search(r"(\w+)\u2010$", line).group(1)
            tail = re.match(r"\W*(\w+)", following).group(1)
            if len(head) not in american.positions(head + tail) or min(len(head), len(tail)) < 3:
                wrong.append(f"{head}-{tail}")
    assert wrong == []  # before: be-nefit, polit-ical, commod-ities, domest-ic (pyphen's British patterns)


# --- running heads ---

def test_no_running_head_on_an_opening_page(pdf):
    texts = page_texts(pdf)
    contents = re.findall(r"^(.+?)[ .]*?\s(\d+)$", texts[1], re.M)
    openings = {int(number) - 1 for _, number in contents}
    assert len(openings) >= 5

    def head(i: int) -> str:
        page = pdf.pages[i]
        return "".join(r["text"] for r in runs(page) if r["y"] > float(page.mediabox.height) - 20 * MM).strip()

    # before: the essay's first page was headed by its own title, the contents page by the book's
    assert [(i + 1, head(i)) for i in sorted(openings | {0, 1}) if head(i)] == []
    others = [i for i in range(2, len(pdf.pages)) if i not in openings]
    assert sum(1 for i in others if head(i)) == len(others)


# --- each medium its own reading instructions ---

def test_the_pdf_reading_instructions_are_the_pdfs(pdf):
    texts = page_texts(pdf)
    text = " ".join(" ".join(texts[i] for i in chapter_pages(texts, ESSAY, AFTER_ESSAY)).split())
    assert "How to read this edition" in text
    assert "small screen" not in text and "select the number" not in text
