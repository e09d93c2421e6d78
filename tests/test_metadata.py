"""[6/8] Scholarly metadata and citation downloads, read back with real parsers."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys

import lxml.html
import pytest

from conftest import ROOT

SITE = "https://aepf8-edition.github.io/migration-in-asia-europe-relations/"


@pytest.fixture(scope="session")
def essay_html(built_site) -> str:
    return (built_site / "essay" / "index.html").read_text(encoding="utf-8")


def test_json_ld_open_graph_and_dublin_core_parse_with_extruct(essay_html):
    import extruct

    data = extruct.extract(essay_html, base_url=SITE + "essay/", syntaxes=["json-ld", "opengraph", "dublincore"], uniform=True)
    article = next(d for d in data["json-ld"] if d.get("@type") == "ScholarlyArticle")
    assert article["headline"] == "Migration in Asia-Europe Relations"
    assert article["author"]["name"] == "Bonn Juego" and "Aalborg University" in article["author"]["affiliation"]["name"]
    assert article["datePublished"] == "2010-11-10"
    assert "about" not in article  # the essay is not a paper of the forum: no source says it was written for it
    assert article["sameAs"].startswith("http://vbn.aau.dk/") and article["identifier"] == "a3b5009e-738f-49a7-a3e4-4533b33b1ba7"
    assert len(article["citation"]) >= 10 and article["license"].startswith(SITE)
    og = data["opengraph"][0]
    assert og["@type"] == "article" and og["og:url"] == SITE + "essay/"
    assert og["og:description"].startswith("The full text of Bonn Juego")
    names = {e["name"].lower(): e["content"] for e in data["dublincore"][0]["elements"]}
    assert names.get("dc.title") == "Migration in Asia-Europe Relations" and names.get("dc.creator") == "Juego, Bonn"


def test_highwire_tags_for_google_scholar(essay_html, built_site):
    tree = lxml.html.fromstring(essay_html)
    meta = {}
    for element in tree.xpath('//meta[starts-with(@name, "citation_")]'):
        meta.setdefault(element.get("name"), []).append(element.get("content"))
    assert meta["citation_title"] == ["Migration in Asia-Europe Relations"]
    assert meta["citation_author"] == ["Juego, Bonn"]
    assert meta["citation_publication_date"] == ["2010/11/10"]
    assert "citation_conference_title" not in meta  # not a conference paper
    pdf_url = meta["citation_pdf_url"][0]
    assert pdf_url.startswith(SITE) and (built_site / pdf_url[len(SITE):]).is_file()
    cited = set(re.findall(r'<a class="citation" href="#ref-([^"]+)"', essay_html))
    assert len(meta["citation_reference"]) == len(cited) >= 10
    assert all(r.startswith("citation_title=") for r in meta["citation_reference"])


def test_citation_downloads_parse_with_real_parsers(built_site, essay_html):
    import rispy
    from citeproc.source.json import CiteProcJSON
    from pybtex.database import parse_string

    tree = lxml.html.fromstring(essay_html)
    links = {a.text_content().strip(): a.get("href") for a in tree.xpath('//p[@class="cite-downloads"]/a')}
    assert set(links) == {"BibTeX", "RIS", "CSL-JSON"}
    files = {label: (built_site / "essay" / href).resolve() for label, href in links.items()}
    bib = parse_string(files["BibTeX"].read_text(encoding="utf-8"), "bibtex")
    entry = next(iter(bib.entries.values()))
    assert str(entry.persons["author"][0]) == "Juego, Bonn" and entry.fields["url"] == SITE + "essay/"
    assert files["RIS"].read_text(encoding="utf-8").startswith("TY  - ")  # no record number before TY
    ris = rispy.loads(files["RIS"].read_text(encoding="utf-8"))[0]
    assert ris["authors"] == ["Juego, Bonn"] and ris["title"] == "Migration in Asia-Europe Relations"
    csl = CiteProcJSON(json.loads(files["CSL-JSON"].read_text(encoding="utf-8")))
    item = next(iter(csl.values()))
    assert str(item["title"]) == "Migration in Asia-Europe Relations"
    formatted = tree.xpath('string(//p[@id="cite-formatted"])')
    # the edition's citation carries its own date and the essay's as the original (Chicago: "(2010) 2026")
    assert formatted.startswith("Juego, Bonn. (2010) 2026.") and SITE + "essay/" in formatted


def test_every_page_has_a_csp_that_allows_only_its_own_scripts(built_site):
    pages = sorted(built_site.rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
        assert policy, page
        directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";") if d.strip())
        assert directives["default-src"] == "'self'" and "http" not in policy.group(1)
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>(.*?)</script>", html, re.S):
            digest = base64.b64encode(hashlib.sha256(match.group(1).encode("utf-8")).digest()).decode()
            assert f"'sha256-{digest}'" in directives["script-src"], page


def test_paragraph_ids_are_written_in_the_source_so_they_stay_stable():
    source = (ROOT / "docs" / "essay.md").read_text(encoding="utf-8")
    ids = re.findall(r"\{: \.essay-text #(p-\d+) \}", source)
    assert ids == [f"p-{n}" for n in range(1, len(ids) + 1)] and len(ids) == 6


def test_record_dates_no_reading_time_and_no_edit_link(essay_html):
    # The essay is verbatim (2010): its record's dates instead of a build date, and no edit button
    # (tests/test_reading.py checks the details and the other pages' edit links).
    assert "essay-record" in essay_html and "md-source-file__fact" not in essay_html
    assert "reading-time" not in essay_html and "minutes to read" not in essay_html  # no reading time: apparatus
    assert "/edit/main/docs/essay.md" not in essay_html


def test_citation_cff_is_valid():
    result = subprocess.run([sys.executable, "-m", "cffconvert", "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    if result.returncode != 0 and "No module named cffconvert.__main__" in result.stderr:
        from shutil import which

        result = subprocess.run([which("cffconvert") or str(ROOT / ".venv" / "bin" / "cffconvert"), "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_citation_cff_agrees_with_the_essay_record():
    import yaml

    from scholarly_edition.cff import cff_problems
    from scholarly_edition.checks import load_settings

    record = load_settings(ROOT).edition
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["preferred-citation"]
    essay = record.essay
    assert cff["title"] == essay.title
    assert (cff["authors"][0]["family-names"], cff["authors"][0]["given-names"]) == (essay.authors[0].family, essay.authors[0].given)
    assert str(cff["date-published"]) == essay.published.iso()
    assert cff["notes"].startswith(essay.occasion)
    assert cff["identifiers"][0]["value"] == essay.record_id and cff["url"] == essay.record_url
    assert cff_problems(ROOT, record, "https://aepf8-edition.github.io/migration-in-asia-europe-relations/",
                        "https://github.com/aepf8-edition/migration-in-asia-europe-relations") == []
