"""One citation system on the web (issue #15): author-date in the text, each source linked to its entry in
the page's own reference list, no numbered footnote repeating a reference."""

from __future__ import annotations

import re

import lxml.html
import pytest

from scholarly_edition import bibliography, guard, pages

# ---------------------------------------------------------------------------------------------- pure parts


def test_citation_links_are_marked_with_their_key():
    html = '<p>(<a href="#ref-a">A 2010</a>; <a href="#ref-b-2">B 2011, 3</a>) and <a href="#refs">not one</a></p>'
    assert bibliography.link_citations(html) == (
        '<p>(<a class="citation" href="#ref-a" data-ref="a">A 2010</a>; '
        '<a class="citation" href="#ref-b-2" data-ref="b-2">B 2011, 3</a>) and <a href="#refs">not one</a></p>')


def test_a_reference_shows_a_dollar_sign_pandoc_escaped():
    html = '<p>US\\$5 in text</p><div class="csl-entry" id="ref-a">\n<p>AFP. 2010. <em>Home \\$325B</em>.</p>\n</div>'
    assert bibliography.unescape_entry_dollars(html) == \
        '<p>US\\$5 in text</p><div class="csl-entry" id="ref-a">\n<p>AFP. 2010. <em>Home $325B</em>.</p>\n</div>'


def test_citation_links_do_not_count_as_words():
    text = "As ([Juego 2010](#ref-juego2010migration); [IOM 2008, 439](#ref-iom)) say, see [the essay](essay.md)."
    assert bibliography.without_citation_links(text) == "As (Juego 2010; IOM 2008, 439) say, see [the essay](essay.md)."


def test_a_page_reference_list_has_one_entry_per_source_under_its_heading():
    listing = pages.page_references_markdown({"b": "B. 2011.\n *Book*.", "a": "A. 2010."})
    assert listing.startswith('<section class="references" markdown>') and "## References" in listing
    assert re.findall(r'<div id="ref-(\w)" class="csl-entry" markdown>\n([^\n]*)', listing) == [("b", "B. 2011. *Book*."), ("a", "A. 2010.")]
    assert pages.page_references_markdown({}) == ""
    assert "##" not in pages.page_references_markdown({"a": "A."}, heading=None)


def test_the_list_goes_where_the_page_asks_for_it_or_at_the_end():
    listing = pages.page_references_markdown({"a": "A."}, heading=None)
    asked = pages.place_page_references(f"Text.\n\n## Sources\n\n{pages.PAGE_REFERENCES_MARKER}\n\nAfter.", listing)
    assert asked.index("## Sources") < asked.index('id="ref-a"') < asked.index("After.")
    assert pages.PAGE_REFERENCES_MARKER not in asked
    assert pages.place_page_references("Text.", listing).rstrip().endswith("</section>")
    assert pages.place_page_references(f"Text. {pages.PAGE_REFERENCES_MARKER}", "") == "Text. "


def test_a_built_page_list_renders_with_ids_markdown_can_see(renderer_md):
    html = renderer_md.convert(pages.page_references_markdown({"a": "A. 2010. *Title*."}))
    tree = lxml.html.fromstring(f"<div>{html}</div>")
    entry = tree.xpath('//section[@class="references"]/div[@class="csl-entry"][@id="ref-a"]')
    assert len(entry) == 1 and entry[0].xpath("string(.//em)") == "Title"
    assert tree.xpath('//section[@class="references"]/h2/text()') == ["References"]


@pytest.fixture
def renderer_md():
    import markdown

    return markdown.Markdown(extensions=["md_in_html", "attr_list", "toc"])


def test_narrative_citations_are_found_with_their_locators():
    from scholarly_edition.citations import find_citations

    text = "As @a [p. 3] argues, @b [see the note](x.md) and [@c] differ; @zz is unknown, `@a` is code."
    found = guard.narrative_citations(text, find_citations(text)[0], {"a", "b", "c"})
    assert [(t, k) for _, _, t, k in found] == [("@a [p. 3]", "a"), ("@b", "b")]
    assert guard.replace_spans(text, [(s, e, "X") for s, e, _, _ in found]) == \
        "As X argues, X [see the note](x.md) and [@c] differ; @zz is unknown, `@a` is code."


def test_pandoc_links_each_source_of_a_citation_to_its_entry(tmp_path):
    import json

    from scholarly_edition.styles import resolve_csl_style

    from conftest import ROOT

    items = [{"id": "a", "type": "book", "title": "Migration", "author": [{"family": "Juego", "given": "Bonn"}], "issued": {"date-parts": [[2010]]}},
             {"id": "b", "type": "book", "title": "Report", "author": [{"literal": "International Organization for Migration"}],
              "issued": {"date-parts": [[2008]]}}]
    data = tmp_path / "items.json"
    data.write_text(json.dumps(items), encoding="utf-8")
    csl = resolve_csl_style("chicago-author-date", ROOT)
    inline, references = bibliography.format_citation_blocks(["[@a]", "[see @b, 439]", "[@a; @b]", "[-@a]", "@a [p. 3]"], data, csl)
    assert inline == {"[@a]": "([Juego 2010](#ref-a))",
                      "[see @b, 439]": "(see [International Organization for Migration 2008, 439](#ref-b))",
                      "[@a; @b]": "([Juego 2010](#ref-a); [International Organization for Migration 2008](#ref-b))",
                      "[-@a]": "([2010](#ref-a))",
                      "@a [p. 3]": "Juego ([2010, 3](#ref-a))"}  # narrative
    assert list(references) == ["b", "a"]  # the style's order: by author


# -------------------------------------------------------------------------------------------- the real site


def _pages(site):
    return {str(p.relative_to(site).parent): lxml.html.fromstring(p.read_text(encoding="utf-8"))
            for p in sorted(site.rglob("index.html")) if "downloads" not in p.parts}


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@pytest.fixture(scope="session")
def site_pages(built_site):
    return _pages(built_site)


@pytest.fixture(scope="session")
def reference_texts(site_pages):
    """Every reference as the bibliography page shows it, by key, in the style's order."""
    tree = site_pages["bibliography"]
    entries = tree.xpath('//div[contains(@class, "csl-entry")][starts-with(@id, "ref-")]')
    assert len(entries) >= 30
    return {e.get("id")[4:]: _norm(e.text_content().split("[Partly verified")[0]) for e in entries}


def test_no_footnote_repeats_a_reference_on_any_page(site_pages, reference_texts):
    checked = 0
    for name, tree in site_pages.items():
        marks = [a.get("href", "")[len("#fn:"):] for a in tree.xpath('//article//a[@class="footnote-ref"]')]
        assert [k for k in marks if k in reference_texts] == [], name  # no footnote named after a source
        for note in tree.xpath('//article//div[contains(@class, "footnote")]//li'):
            text = _norm(note.text_content())
            assert not any(ref[:60] in text for ref in reference_texts.values()), (name, text[:100])
        for link in tree.xpath('//article//a[@class="citation"]'):
            follower = link.getnext()
            assert follower is None or follower.tag != "sup", (name, link.text_content())
            checked += 1
    assert checked >= 100


def test_every_citation_links_to_an_entry_of_its_own_page_list(site_pages):
    citing = 0
    for name, tree in site_pages.items():
        links = tree.xpath('//article//a[@class="citation"]')
        lists = tree.xpath('//article//section[@class="references"]')
        if name == "bibliography":
            assert links == [] and lists == []
            continue
        if not links:
            assert lists == [], name
            continue
        citing += 1
        assert len(lists) == 1, f"{name}: {len(lists)} reference lists"
        ids = [e.get("id") for e in lists[0].xpath('./div[@class="csl-entry"]')]
        assert len(ids) == len(set(ids)), f"{name}: a source listed twice"
        cited = list(dict.fromkeys(a.get("data-ref") for a in links))
        assert sorted(ids) == sorted(f"ref-{k}" for k in cited), name  # each cited source once, nothing else
        for a in links:
            assert a.get("href") == f"#ref-{a.get('data-ref')}", (name, a.get("href"))
        assert len(tree.xpath(f'//*[@id="{ids[0]}"]')) == 1  # ids are unique on the page
    assert citing >= 5


def test_page_lists_are_in_the_style_order(site_pages, reference_texts):
    order = list(reference_texts)
    for name, tree in site_pages.items():
        listed = [e.get("id")[4:] for e in tree.xpath('//section[@class="references"]/div[@class="csl-entry"]')]
        assert listed == sorted(listed, key=order.index), name
        for entry in tree.xpath('//section[@class="references"]/div[@class="csl-entry"]'):
            assert _norm(entry.text_content().split("[Partly verified")[0]) == reference_texts[entry.get("id")[4:]], name


def _citation_text(tree, key: str) -> list[str]:
    """The whole parenthetical each citation of ``key`` sits in, as the reader sees it."""
    out = []
    for link in tree.xpath(f'//article//a[@class="citation"][@data-ref="{key}"]'):
        text = " ".join(link.getparent().text_content().split())
        link_text = " ".join(link.text_content().split())
        start = text.find(link_text)
        open_ = text.rfind("(", 0, start)
        out.append(text[open_:text.find(")", start) + 1])
    return out


def test_known_citations_read_as_chicago_author_date(site_pages):
    essay = site_pages["essay"]
    assert "(see International Organization for Migration 2008, 439)" in _citation_text(essay, "iom2008wmr")  # a locator and a prefix
    assert "(Juego 2010)" in _citation_text(site_pages["context/aepf"], "juego2010migration")
    assert "(Transnational Institute 2010a)" in _citation_text(site_pages["context/aepf"], "tni2010aepf8")  # the site-wide suffix
    # two sources in one citation: two links inside one pair of parentheses
    both = [p for p in essay.xpath('//article//p[a[@data-ref="dawn2002asem"]]') if p.xpath('a[@data-ref="elpais2002asem"]')]
    assert both, "the Lanzarote sentence cites both sources"
    assert re.search(r"\([^()]*2002; [^()]*2002\)", " ".join(both[0].text_content().split()))


def test_citations_in_editorial_notes_link_to_the_page_list(site_pages):
    essay = site_pages["essay"]
    notes = essay.xpath('//article//*[contains(@class, "admonition") or self::aside]')
    links = [a for n in notes for a in n.xpath('.//a[@class="citation"]')]
    assert len(links) >= 8
    listed = {e.get("id") for e in essay.xpath('//section[@class="references"]/div[@class="csl-entry"]')}
    assert {a.get("href")[1:] for a in links} <= listed


def test_the_preview_script_and_style_are_served(built_site, site_pages):
    head = lxml.html.tostring(site_pages["essay"]).decode()
    assert re.search(r'<script src="[./]*javascripts/citations\.js', head)
    assert re.search(r'href="[./]*stylesheets/citations\.css', head)
    assert "md-default-bg-color" in (built_site / "stylesheets" / "citations.css").read_text(encoding="utf-8")
