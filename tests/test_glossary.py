"""[4/8] Glossary: defined once, tooltips on every abbreviation, checked everywhere, linked both ways."""

from __future__ import annotations

import json
import re
from pathlib import Path
import posixpath
from urllib.parse import urldefrag

import lxml.html
import pytest

from conftest import mkdocs_build
from scholarly_edition.glossary import load_glossary
from scholarly_edition.terms import TermIndex, glossary_duplicates, rewrite_term_links, scan_page
from corpus import CASES, project  # noqa: F401  (fixture)


def article(built_site: Path, page: str):
    tree = lxml.html.fromstring((built_site / page / "index.html").read_text(encoding="utf-8"))
    return tree.xpath("//article")[0]


@pytest.mark.parametrize("word", ["ASEM", "AEPF"])
def test_every_asem_and_aepf_in_the_essay_carries_the_tooltip(built_site, word):
    body = article(built_site, "essay")
    with_tooltip = [a for a in body.xpath(".//abbr[@title]") if re.search(rf"\b{word}\b", a.text_content())]
    assert len(with_tooltip) >= 3
    bare = []
    for node in body.xpath(".//text()[not(ancestor::abbr) and not(ancestor::code) and not(ancestor::script)]"):
        if re.search(rf"(?<![\w-]){word}(?![\w])", node):
            bare.append(str(node).strip()[:80])
    assert bare == []


def test_glossary_page_has_entries_with_backlinks_that_resolve(built_site):
    page = built_site / "glossary" / "index.html"
    tree = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    entries = tree.xpath('//h2[contains(@class, "glossary-term")]')
    assert len(entries) >= 25
    titles = [" ".join(e.text_content().replace("¶", "").split()) for e in entries]
    assert titles == sorted(titles, key=str.casefold)
    backlinks = tree.xpath('//p[contains(@class, "glossary-backlinks")]')
    assert len(backlinks) == len(entries), "every term is used somewhere and says where"
    checked = 0
    for paragraph in backlinks:
        for href in paragraph.xpath(".//a/@href"):
            path, anchor = urldefrag(href)
            target = posixpath.normpath(posixpath.join("glossary", path))
            target_file = built_site / ("" if target == "." else target) / "index.html"
            assert target_file.is_file(), href
            if anchor:
                ids = set(lxml.html.fromstring(target_file.read_text(encoding="utf-8")).xpath("//@id"))
                assert anchor in ids, href
            checked += 1
    assert checked >= 50


def test_glossary_entries_are_found_by_site_search(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"] for doc in index["docs"]}
    for anchor in ("brain-drain", "asem", "social-pillar", "aepf-8"):
        assert f"glossary/#{anchor}" in locations


def test_term_links_point_at_the_entry_with_its_definition(built_site):
    body = article(built_site, "context/aepf")
    links = body.xpath('.//a[contains(@class, "glossary-link")]')
    assert links and links[0].get("href") == "../../glossary/#decent-work"
    assert links[0].get("title", "").startswith("Work that is productive")


def test_glossary_data_checks_are_exact(tmp_path):
    path = tmp_path / "terms.yml"
    path.write_text("- term: Asia-Europe Meeting\n  abbr: ASEM\n  definition: d\n- term: Other\n  abbr: asem\n  definition: d\n", encoding="utf-8")
    terms, _ = load_glossary(path, "g.yml")
    assert [str(p) for p in glossary_duplicates(terms, "g.yml")] == [
        "g.yml:4:1: abbreviation 'asem' of 'Other' is already defined by 'Asia-Europe Meeting' (line 1); merge the entries or rename one [glossary.duplicate]"]


def test_code_urls_ids_and_front_matter_are_not_scanned(tmp_path):
    path = tmp_path / "terms.yml"
    path.write_text("- term: Brain drain\n  definition: d\n", encoding="utf-8")
    terms, _ = load_glossary(path, "g")
    source = ("---\ntitle: ABCD page\n---\n# Heading { #XYZW }\n\n`QRST` and https://x.org/LMNO and [link](KLMN.md)\n\n"
              "```\nEFGH\n```\n\nBrain drain and PQRS.\n")
    result = scan_page(source, "p.md", TermIndex(terms), set(), expand_first_use=True)
    assert [str(p).split(": ", 1)[1][:6] for p in result.problems] == ["'PQRS'"]
    assert [(u.term.term, u.line, u.section) for u in result.uses] == [("Brain drain", 12, "XYZW")]


def test_term_link_rewriting_is_relative_and_leaves_code_alone(tmp_path):
    path = tmp_path / "terms.yml"
    path.write_text("- term: Social pillar\n  definition: A \"strand\".\n", encoding="utf-8")
    terms, _ = load_glossary(path, "g")
    out = rewrite_term_links("See [[social pillar|the pillar]] and `[[social pillar]]`.", TermIndex(terms), "context/aepf.md", "glossary.md")
    assert out == "See [the pillar](../glossary.md#social-pillar \"A 'strand'.\"){ .glossary-link } and `[[social pillar]]`."


def test_essay_words_survive_glossary_processing(built_site):
    # the fidelity test of [2/8] runs on the same build; this guards that abbr tags changed no text
    from test_edition import SOURCE, essay_paragraphs, tokens

    html = (built_site / "essay" / "index.html").read_text(encoding="utf-8")
    assert "<abbr" in html
    assert tokens(" ".join(essay_paragraphs(html))) == tokens(SOURCE.read_text(encoding="utf-8"))


def test_serve_build_and_check_agree(project, tmp_path):  # noqa: F811
    for name in ("undefined_acronym", "unknown_term_link", "duplicate_term", "unused_term", "unexpanded_abbreviation"):
        CASES[name](project)
    from scholarly_edition.checks import run_check

    standalone = {str(p) for p in run_check(project) if p.code.startswith("glossary.")}
    result = mkdocs_build(project, tmp_path / "site")
    built = {line.split(" -  ", 1)[1] for line in result.stderr.splitlines() if "[glossary." in line}
    assert standalone == built and len(standalone) >= 5
