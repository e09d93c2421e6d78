"""[6/8] Citing the essay: one record behind every form, editors from git, paragraph citations, files and tags."""

from __future__ import annotations

import json
import os
import re
import subprocess

import lxml.html
import pytest
import yaml

from conftest import ROOT
from scholarly_edition import scholarly
from scholarly_edition.bibdata import BibEntry
from scholarly_edition.styles import resolve_csl_style

SITE = "https://aepf8-edition.github.io/migration-in-asia-europe-relations/"
ESSAY_URL = SITE + "essay/"


def _record():
    from scholarly_edition.checks import load_settings

    return load_settings(ROOT).edition


def _edited_by(*names: str):
    import dataclasses

    from scholarly_edition.config import Name

    return dataclasses.replace(_record(), editors=[Name(literal=n) for n in names])


def _csl() -> str:
    return str(resolve_csl_style("chicago-author-date", ROOT))


def _text(fragment: str) -> str:
    return scholarly.text_of(fragment)


# ---------------------------------------------------------------------------------------- declared editors

def test_the_editors_are_declared_in_the_configuration_not_read_from_git():
    record = _record()
    assert record.editors, "mkdocs.yml declares the edition's editors"
    item = scholarly.edition_item(record, ESSAY_URL)
    assert item["editor"] == [name.csl() for name in record.editors]
    assert "maintainers" not in str(item["editor"])  # no placeholder from a commit's author field


# ---------------------------------------------------------------------------------------- the paragraph citation

def test_paragraph_citation_replaces_the_final_address_and_keeps_one_full_stop():
    cites = scholarly.Citations(essay="", url="https://example.org/essay/",
                                edition='Juego, Bonn. 2010. “Migration.” Edition, November 10. '
                                        '<a href="https://example.org/essay/">https://example.org/essay/</a>.')
    assert cites.paragraph(2) == ('Juego, Bonn. 2010. “Migration.” Edition, November 10, para. 2. '
                                  '<a href="https://example.org/essay/#p-2">https://example.org/essay/#p-2</a>.')


def test_paragraph_citation_in_the_sites_style_is_punctuated_right():
    cites = scholarly.citations(_edited_by("Ana Editor", "Ben Scholar"), ESSAY_URL, _csl(), None)
    edition, para = _text(cites.edition), _text(cites.paragraph(4))
    assert "edited by Ana Editor and Ben Scholar" in edition
    assert edition.endswith(f". {ESSAY_URL}.")
    assert para == edition[: -len(f". {ESSAY_URL}.")] + f", para. 4. {ESSAY_URL}#p-4."
    assert not re.search(r"[.,]\s*, para\.", para) and para.count("para.") == 1


# ---------------------------------------------------------------------------------------- files and tags, unit

def test_ris_starts_with_ty_and_names_the_editors():
    import rispy

    text = scholarly.ris(_edited_by("Ana Editor"), ESSAY_URL)
    assert text.startswith("TY  - CHAP\n")
    entry = rispy.loads(text)[0]
    assert entry["authors"] == ["Juego, Bonn"] and entry["secondary_authors"] == ["Ana Editor"]


def test_highwire_reference_keeps_a_corporate_author_whole_and_cleans_tex():
    entry = BibEntry(key="un", entry_type="techreport", path="bib/x.bib", line=1,
                     fields={"title": r"Stock, 5--7 {December}: {\$}325{B} ---{WB}",
                             "author": "{{United Nations, Department of Economic and Social Affairs, Population Division}}"},
                     csl={"id": "un", "type": "article-journal", "title": "Stock", "page": "5-7", "container-title": "Journal",
                          "author": [{"literal": "United Nations, Department of Economic and Social Affairs, Population Division"},
                                     {"family": "Yeo", "given": "Lay Hwee"}], "issued": {"date-parts": [[2009, 7]]}})
    parts = [p.split("=", 1) for p in scholarly._reference(entry).split("; ")]
    assert ["citation_title", "Stock, 5–7 December: $325B —WB"] in parts
    assert [v for k, v in parts if k == "citation_author"] == [
        "United Nations, Department of Economic and Social Affairs, Population Division", "Yeo, Lay Hwee"]
    assert ["citation_firstpage", "5"] in parts and ["citation_lastpage", "7"] in parts


# ---------------------------------------------------------------------------------------- the built site

@pytest.fixture(scope="session")
def essay_tree(built_site):
    return lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def about_tree(built_site):
    return lxml.html.fromstring((built_site / "about" / "index.html").read_text(encoding="utf-8"))


def _inner(element) -> str:
    return (element.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in element)


def test_built_meta_tags_parse_to_the_right_authors(essay_tree):
    meta = [(m.get("name"), m.get("content")) for m in essay_tree.xpath('//meta[starts-with(@name, "citation_")]')]
    references = [dict(p.split("=", 1) for p in content.split("; ")) | {"authors": [p.split("=", 1)[1] for p in content.split("; ") if p.startswith("citation_author=")]}
                  for name, content in meta if name == "citation_reference"]
    un = next(r for r in references if r["citation_title"].startswith("Trends in International Migrant Stock"))
    assert un["authors"] == ["United Nations, Department of Economic and Social Affairs, Population Division"]
    assert not any(a.endswith((" Economic", "Economic")) or a.startswith("Social Affairs") for r in references for a in r["authors"])
    for name, content in meta:
        assert "--" not in content and "\\" not in content and "{" not in content, (name, content)
    dated = next(r for r in references if "Nusa Dua" in r["citation_title"])
    assert "5–7 December 2005" in dated["citation_title"]


def test_every_form_carries_the_same_citation(built_site, essay_tree, about_tree):
    """Cite box, about page, PDF title page and the CSL-JSON download (formatted again) say the same."""
    box = essay_tree.xpath('//p[@id="cite-formatted"]')[0]
    box_html, box_text = " ".join(_inner(box).split()), " ".join(box.text_content().split())
    forms = about_tree.xpath('//blockquote[@class="cite-form"]/p')
    about = [" ".join(f.text_content().split()) for f in forms]
    assert len(about) == 3 and about[1] == box_text
    record_line = " ".join(essay_tree.xpath('string(//p[@class="cite-record"])').split())
    assert about[0] and record_line.endswith(about[0])  # the essay's publication of record, in both places
    csl_item = json.loads((built_site / "cite" / "migration-in-asia-europe-relations.json").read_text(encoding="utf-8"))[0]
    assert " ".join(scholarly._format(csl_item, _csl()).split()) == box_html
    tag = lambda name: [m.get("content") for m in essay_tree.xpath(f'//meta[@name="{name}"]')]
    assert tag("citation_editor") == [e["literal"] for e in csl_item["editor"]]  # the head names whom the box names
    assert tag("citation_inbook_title") == [csl_item["container-title"]] and tag("citation_title") == [csl_item["title"]]
    from pypdf import PdfReader

    first = PdfReader(built_site / "downloads" / "migration-in-asia-europe-relations.pdf").pages[0].extract_text()
    squeeze = lambda s: re.sub(r"\s+", "", s)  # the PDF breaks lines (and the address) where it likes
    assert squeeze(box_text) in squeeze(first)


def test_downloads_describe_the_cited_record(built_site):
    import rispy
    from pybtex.database import parse_string

    csl_item = json.loads((built_site / "cite" / "migration-in-asia-europe-relations.json").read_text(encoding="utf-8"))[0]
    editors = [e["literal"] for e in csl_item["editor"]]
    ris_text = (built_site / "cite" / "migration-in-asia-europe-relations.ris").read_text(encoding="utf-8")
    assert ris_text.startswith("TY  - ")
    ris = rispy.loads(ris_text)[0]
    assert ris["secondary_authors"] == editors and ris["secondary_title"] == csl_item["container-title"]
    bib = next(iter(parse_string((built_site / "cite" / "migration-in-asia-europe-relations.bib").read_text(encoding="utf-8"), "bibtex").entries.values()))
    assert [str(p) for p in bib.persons["editor"]] == editors or [p.last_names[0].strip("{}") for p in bib.persons["editor"]] == editors
    assert bib.fields["url"] == csl_item["URL"] == ESSAY_URL


def test_the_declared_editors_are_named_in_the_box_the_about_page_and_citation_cff(essay_tree, about_tree):
    names = [name.text() for name in _record().editors]
    box = " ".join(essay_tree.xpath('string(//p[@id="cite-formatted"])').split())
    about = " ".join(about_tree.xpath('string(//main)').split())
    for name in names:
        assert name in box and name in about
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert [a.get("name") or f"{a['given-names']} {a['family-names']}" for a in cff["authors"]] == names


def test_paragraph_citation_in_the_box_matches_the_about_page(essay_tree, about_tree):
    template = _inner(essay_tree.xpath('//template[@id="cite-paragraph-template"]')[0])
    example = " ".join(about_tree.xpath('//blockquote[@class="cite-form"]/p')[2].text_content().split())
    assert _text(template.replace("{n}", "2")) == example
    assert re.search(r"[^.,], para\. 2\. https://\S+/essay/#p-2\.$", example), example


# ---------------------------------------------------------------------------------------- in Chromium

def test_copy_says_copied_and_puts_the_paragraph_citation_on_the_clipboard(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    page = context.new_page()
    page.goto(base_url + "essay/")
    page.locator('button.para-cite[data-para="2"]').focus()
    page.keyboard.press("Enter")
    page.locator("#cite-dialog").wait_for(state="visible")
    copy = page.locator("#cite-dialog-copy")
    assert copy.evaluate("b => b.tagName") == "BUTTON" and page.locator("#cite-dialog-close").evaluate("b => b.tagName") == "BUTTON"
    look = copy.evaluate("b => { const s = getComputedStyle(b); return [s.borderTopWidth, s.borderTopStyle, s.paddingLeft, s.outlineStyle, s.outlineWidth]; }")
    assert float(look[0][:-2]) > 0 and look[1] != "none" and float(look[2][:-2]) > 0, look  # a bordered button
    assert look[3] != "none" and float(look[4][:-2]) >= 2, look  # keyboard focus is visible
    status = page.locator("#cite-dialog-status")
    assert status.get_attribute("aria-live") == "polite" and status.inner_text().strip() == ""
    page.keyboard.press("Enter")  # Copy has the focus
    page.locator("#cite-dialog-status", has_text="Copied").wait_for()  # a selector: a polled string would be eval'd, which the page's CSP forbids
    assert copy.inner_text() == "Copied" and status.is_visible()
    text = " ".join(page.locator("#cite-dialog-text").inner_text().split())
    assert re.search(r", para\. 2\. \S+/essay/#p-2\.$", text) and ", para." in text and "., para." not in text
    assert " ".join(page.evaluate("navigator.clipboard.readText()").split()) == text
    context.close()
