"""Unit tests of the pure package: good and bad input side by side."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scholarly_edition.bibdata import load_bib_files, plain
from scholarly_edition.bibliography import mark_partly_verified, unescape_link_text, verification_notes
from scholarly_edition.glossary import load_glossary, render_glossary_markdown, slugify
from scholarly_edition.pages import reference_list_markdown
from scholarly_edition.styles import StyleNotFound, resolve_csl_style


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_style_name_resolves_to_an_installed_csl_file(tmp_path):
    path = resolve_csl_style("chicago-author-date", tmp_path)
    assert path.name == "chicago-author-date.csl" and path.is_file()
    assert 'citation-format="author-date"' in path.read_text(encoding="utf-8")


def test_style_path_in_the_project_wins(tmp_path):
    own = write(tmp_path, "house.csl", "<style/>")
    assert resolve_csl_style("house.csl", tmp_path) == own.resolve()


def test_unknown_style_is_reported_not_raised_as_traceback(tmp_path):
    with pytest.raises(StyleNotFound, match="chicago-author-date"):
        resolve_csl_style("chicago-autor-date", tmp_path)


def test_bib_entries_carry_lines_and_plain_values(tmp_path):
    bib = write(tmp_path, "a.bib", "% c\n@book{k1,\n  title = {The {ASEM} Story},\n  year = {2001}\n}\n")
    entries, problems = load_bib_files([(bib, "bib/a.bib")])
    assert problems == []
    assert entries["k1"].line == 2 and entries["k1"].field_lines["title"] == 3
    assert plain(entries["k1"].fields["title"]) == "The ASEM Story"


def test_bib_syntax_error_and_duplicates_are_problems_with_lines(tmp_path):
    a = write(tmp_path, "a.bib", "@book{k1, title={x}}\n@book{k2, title={unclosed\n}\n@book{k3, title={y}}\n")
    b = write(tmp_path, "b.bib", "@book{K1, title={z}}\n")
    entries, problems = load_bib_files([(a, "bib/a.bib"), (b, "bib/b.bib")])
    assert "k3" in entries and "K1" not in entries
    rendered = [str(p) for p in problems]
    assert any(r.startswith("bib/a.bib:2:1: entry 'k2' is never closed") and r.endswith("[bib.syntax]") for r in rendered), rendered
    assert any(r.startswith("bib/b.bib:1:1: key differs only in case from 'k1'") for r in rendered), rendered


def test_glossary_loads_with_lines(tmp_path):
    path = write(tmp_path, "terms.yml", "- term: Asia-Europe Meeting\n  abbr: ASEM\n  definition: A dialogue.\n  cite: [k1]\n"
                                         "- term: Brain drain\n  definition: >-\n    Emigration of\n    skilled people.\n")
    terms, problems = load_glossary(path, "glossary/terms.yml")
    assert problems == []
    assert [(t.term, t.line) for t in terms] == [("Asia-Europe Meeting", 1), ("Brain drain", 5)]
    assert terms[1].definition == "Emigration of skilled people."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- term: X\n  definition: ''\n", "glossary/terms.yml:1:1: term 'X' has an empty definition; write one or two sentences [glossary.empty_definition]"),
        ("- term: X\n  definition: d\n  colour: red\n", "glossary/terms.yml:3:1: unknown field 'colour' in a glossary entry; allowed: abbr, cite, definition, see_also, term, variants [glossary.field]"),
        ("- term: X\n  definition: [unclosed\n", None),
        ("term: X\n", "glossary/terms.yml:1:1: the glossary must be a YAML list of entries ('- term: ...') [glossary.syntax]"),
    ],
)
def test_glossary_problems(tmp_path, text, expected):
    path = write(tmp_path, "terms.yml", text)
    _, problems = load_glossary(path, "glossary/terms.yml")
    assert problems, "a bad glossary must report a problem"
    if expected is None:
        assert problems[0].code == "glossary.syntax" and problems[0].line == 3
    else:
        assert str(problems[0]) == expected


def test_glossary_renders_alphabetically_with_anchors_and_sources(tmp_path):
    path = write(tmp_path, "terms.yml", "- term: Social pillar\n  definition: S.\n  see_also: [Asia-Europe Meeting]\n"
                                         "- term: Asia-Europe Meeting\n  abbr: ASEM\n  definition: A.\n  cite: [k1, k2]\n")
    terms, _ = load_glossary(path, "g")
    markdown = render_glossary_markdown(terms)
    assert markdown.index("## Asia-Europe Meeting (ASEM) { #asem") < markdown.index("## Social pillar { #social-pillar")
    assert "Sources: [@k1; @k2]" in markdown
    assert "See also: [Asia-Europe Meeting (ASEM)](#asem)." in markdown


@pytest.mark.parametrize(("text", "slug"), [("AEPF-8", "aepf-8"), ("Asia-Europe People’s Forum", "asia-europe-peoples-forum"), ("Brain gain", "brain-gain")])
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_partly_verified_note_goes_into_footnotes_and_reference_list():
    notes = verification_notes({"a": {"note": "Partly verified: no date seen"}, "b": {"note": "US edition"}})
    assert notes == {"a": "Partly verified: no date seen"}
    footnote = '<li id="fn:a"><p>Ref A.&#160;<a class="footnote-backref" href="#fnref:a">↩</a></p></li><li id="fn:b"><p>B.</p></li>'
    marked = mark_partly_verified(footnote, notes)
    assert marked.index("Partly verified") < marked.index("footnote-backref")
    assert marked.count("verification-note") == 1
    listing = '<div class="csl-entry" id="ref-a"><p>Ref A.</p></div>'
    assert 'Ref A. <span class="verification-note">[Partly verified: no date seen]</span></p>' in mark_partly_verified(listing, notes)


def test_escaped_underscores_in_link_text_are_removed():
    html = '<a href="https://x.org/a_b">https://x.org/a\\_b</a> keep \\_ outside'
    assert unescape_link_text(html) == '<a href="https://x.org/a_b">https://x.org/a_b</a> keep \\_ outside'


def test_reference_list_keeps_every_anchor():
    pandoc = ('<div id="refs" class="references csl-bib-body" role="list">\n<div id="ref-a" class="csl-entry" role="listitem">\nA.\n</div>\n'
              '<div id="ref-b_2" class="csl-entry" role="listitem">\nB\n<em>b</em>.\n</div>\n</div>')
    markdown = reference_list_markdown(pandoc)
    assert '<div id="ref-a" class="csl-entry" markdown>\nA.\n</div>' in markdown
    assert '<div id="ref-b_2" class="csl-entry" markdown>\nB <em>b</em>.\n</div>' in markdown


def test_the_list_of_pages_links_where_mkdocs_url_filter_links_from_every_page():
    """webpage.site_map is made once per depth of page ([6/6]), its links from the site's root; from every kind of
    page (home, folder, nested, file URLs) each link must lead where MkDocs' own ``url`` filter leads, and
    external, absolute and anchor links stay as written."""
    from urllib.parse import urljoin

    from mkdocs.utils import get_relative_url, normalize_url

    from scholarly_edition import webpage

    class Page:
        def __init__(self, url):
            self.url = url

    targets = ["", "essay/", "context/aepf/", "context/author/", "essay.html", "context/aepf.html",
               "https://example.org/x/", "/elsewhere/", "#top"]
    site = "https://example.org/edition/"
    for url in ("", "essay/", "context/author/", "index.html", "essay.html", "context/author.html"):
        page = Page(url)
        html = webpage.site_map([(f"T{i}", t) for i, t in enumerate(targets)], get_relative_url(".", url))
        hrefs = re.findall(r'href="([^"]*)"', html)
        here = urljoin(site, url)
        assert [urljoin(here, h) for h in hrefs] == [urljoin(here, normalize_url(t, page)) for t in targets], url


def test_site_text_reads_a_page_with_its_parts_as_the_whole_page():
    """webfont.SiteText reads a part carried by many pages once and each page without it: the characters and the
    faces come out as if every page had been read whole."""
    from scholarly_edition import webfont

    nav = '<li><a href="../x/">Ñandú <i>Übersicht</i></a></li>'
    pages = [f"<html><body><nav>{nav}</nav><p>Page {n}: café</p></body></html>" for n in range(3)]
    text = webfont.SiteText()
    italic = text.read_part(nav)
    assert italic
    faces = [text.add_page(page, [(nav, italic)]) for page in pages]
    assert text.font_characters() == webfont.site_characters(pages)
    assert faces == [webfont.faces_used([page]) for page in pages] and text.italic


def test_the_list_of_pages_reads_a_real_nav_with_sections_inside_sections_and_links():
    """The nav of Material for MkDocs' own documentation (its mkdocs.yml, shortened): sections inside sections
    (which MkDocs' Section has no url for), a link to another site, pages at three depths."""
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import get_navigation
    from mkdocs.config.defaults import MkDocsConfig

    from scholarly_edition import webpage

    nav = [{"Home": "index.md"}, {"Getting started": [{"Installation": "getting-started.md"},
           {"Contributing": ["contributing/index.md", {"Reporting a bug": "contributing/reporting-a-bug.md"},
                             {"Asking a question": "https://github.com/squidfunk/mkdocs-material/discussions"}]}]},
           {"Setup": ["setup/index.md", {"Extensions": ["setup/extensions/index.md"]}]}]
    config = MkDocsConfig()
    config.load_dict({"site_name": "T", "nav": nav, "docs_dir": "docs"})
    config.validate()
    files = Files([File(p, "docs", "site", True) for p in ("index.md", "getting-started.md", "contributing/index.md",
                   "contributing/reporting-a-bug.md", "setup/index.md", "setup/extensions/index.md")])
    entries = webpage.site_map_entries(get_navigation(files, config).items)
    # the pages one level down; a section inside a section is left out (the old template linked its title to ".")
    assert [url for _, url in entries] == ["", "getting-started/", "setup/"]
