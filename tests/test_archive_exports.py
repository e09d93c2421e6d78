"""[5/6] The exports for archives beside the PDF and EPUB: the essay as JATS XML, validated against the NISO JATS 1.1
Archiving DTD (NCBI's, tests/schemas), and .zenodo.json and CITATION.cff from the same record, validated against
Zenodo's deposit schema and by cffconvert."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
import yaml
from lxml import etree

from conftest import ROOT

SCHEMAS = Path(__file__).parent / "schemas"
JATS_DTD = SCHEMAS / "jats-archiving-1.1" / "JATS-archivearticle1.dtd"
ZENODO_SCHEMA = SCHEMAS / "zenodo-legacyrecord.json"
XLINK = "{http://www.w3.org/1999/xlink}"


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="session")
def record():
    from scholarly_edition.checks import load_settings

    settings = load_settings(ROOT)
    return settings.edition, str(settings.source.data.get("site_url") or ""), str(settings.source.data.get("repo_url") or "")


def jats_problems(xml: bytes) -> list[str]:
    """The DTD's complaints about a JATS file, one line each (lxml/libxml2, the official DTD and its modules)."""
    dtd = etree.DTD(str(JATS_DTD))
    document = etree.fromstring(xml)
    if dtd.validate(document):
        return []
    return [f"{e.line}: {e.message}" for e in dtd.error_log.filter_from_errors()]


def zenodo_problems(data: dict) -> list[str]:
    import jsonschema

    schema = json.loads(ZENODO_SCHEMA.read_text(encoding="utf-8"))
    # Zenodo loads deposit metadata with its marshmallow schema (records/serializers/schemas/common.py,
    # CommonMetadataSchemaV1, same commit), which accepts two strings the older JSON schema does not list.
    schema["properties"].update({"version": {"type": "string"}, "language": {"type": "string"}})
    validator = jsonschema.Draft4Validator(schema)
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(data)]


def cffconvert_validate(path: Path) -> subprocess.CompletedProcess:
    from shutil import which

    command = which("cffconvert") or str(Path(sys.executable).parent / "cffconvert")
    return subprocess.run([command, "--validate", "-i", str(path)], capture_output=True, text=True)


# ---------------------------------------------------------------------------------------- the real site

@pytest.fixture(scope="session")
def jats(built_site, record):
    edition = record[0]
    path = built_site / "downloads" / edition.download(".jats.xml")
    assert path.is_file(), sorted(p.name for p in (built_site / "downloads").iterdir())
    return path.read_bytes()


@pytest.fixture(scope="session")
def essay_article(built_site, record):
    from scholarly_edition.publication import page_url

    tree = lxml.html.fromstring((built_site / page_url(record[0].essay.page) / "index.html").read_text(encoding="utf-8"))
    article = tree.xpath("//article")[0]
    for tools in article.xpath('.//*[contains(@class, "para-tools")]'):
        tools.drop_tree()
    return article


def test_the_jats_file_is_valid_against_the_jats_1_1_archiving_dtd(jats):
    assert jats.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving')
    assert jats_problems(jats) == []


def test_the_dtd_finds_a_broken_jats_file(jats):
    """The validation can fail: the same file without its front matter, with an element JATS does not have, or
    with a call of a note that is not there (the DTD checks IDREFs; title-group is optional in Archiving, so the
    front-matter test below asks for the title itself)."""
    headless = re.sub(rb"<front>.*?</front>", b"", jats, flags=re.S)
    assert any("Element article content does not follow the DTD" in p for p in jats_problems(headless))
    stray = jats.replace(b"<body>", b"<body><div>not JATS</div>", 1)
    assert any("No declaration for element div" in p for p in jats_problems(stray))
    dangling = re.sub(rb'ref-type="fn" rid="[^"]+"', b'ref-type="fn" rid="nowhere"', jats, count=1)
    assert any('unknown ID "nowhere"' in p for p in jats_problems(dangling))


def test_the_jats_front_matter_is_the_record(jats, record):
    edition, site_url, _ = record
    essay = edition.essay
    root = etree.fromstring(jats)
    meta = root.find("front/article-meta")
    assert meta.findtext("title-group/article-title") == essay.title
    authors = meta.findall('contrib-group/contrib[@contrib-type="author"]')
    assert [(a.findtext("name/surname"), a.findtext("name/given-names")) for a in authors] == [(n.family, n.given) for n in essay.authors]
    editors = meta.findall('contrib-group/contrib[@contrib-type="editor"]')
    assert [e.findtext("collab") or f"{e.findtext('name/given-names')} {e.findtext('name/surname')}" for e in editors] == \
        [n.text() for n in edition.editors]
    dates = {d.get("date-type"): d.get("iso-8601-date") for d in meta.findall("pub-date")}
    assert dates["original-publication"] == essay.published.iso()
    assert dates.get("pub") == (edition.date.iso() if edition.date else None)
    licence = meta.find("permissions/license")
    assert [p.text for p in licence.findall("license-p")] == list(edition.licence)
    assert licence.findtext("{http://www.niso.org/schemas/ali/1.0/}license_ref") == f"https://spdx.org/licenses/{edition.licence_id}.html"
    assert meta.find("self-uri").get(f"{XLINK}href") == site_url.rstrip("/") + "/essay/"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == edition.language


def test_every_essay_paragraph_is_in_the_jats_body_word_for_word(jats, essay_article):
    root = etree.fromstring(jats)
    body = {p.get("id"): p for p in root.iterfind("body//p") if p.get("id")}
    paragraphs = essay_article.xpath('.//p[contains(concat(" ", @class, " "), " essay-text ") and starts-with(@id, "p-")]')
    assert len(paragraphs) >= 3
    for paragraph in paragraphs:
        for marker in paragraph.xpath('.//sup[contains(@class, "note-ref")]'):
            marker.drop_tree()
        jats_p = body[paragraph.get("id")]
        for xref in jats_p.iterfind('.//xref[@ref-type="fn"]'):
            xref.text = ""
        assert _words("".join(jats_p.itertext())) == _words(paragraph.text_content()), paragraph.get("id")
    assert list(body) == [p.get("id") for p in paragraphs]  # in the page's order, and nothing else numbered


def test_every_editorial_note_is_a_jats_footnote_called_from_its_phrase(jats, essay_article):
    root = etree.fromstring(jats)
    notes = essay_article.xpath('.//aside[contains(@class, "editorial-note")]')
    footnotes = root.findall('back/fn-group[@content-type="editorial-notes"]/fn')
    assert [fn.get("id") for fn in footnotes] == [n.get("id") for n in notes] and notes
    for note, fn in zip(notes, footnotes):
        body = note.xpath('.//div[contains(@class, "editorial-note__body")]')[0]
        assert _words(" ".join("".join(p.itertext()) for p in fn.findall("p")[1:])) == _words(body.text_content())
        calls = root.findall(f'body//xref[@ref-type="fn"][@rid="{fn.get("id")}"]')
        assert len(calls) == 1 and calls[0].text == fn.findtext("label")


def test_every_reference_of_the_page_is_in_the_ref_list_and_every_citation_resolves(jats, essay_article):
    root = etree.fromstring(jats)
    entries = essay_article.xpath('.//div[contains(@class, "csl-entry")]')
    refs = root.findall("back/ref-list/ref")
    assert [r.get("id") for r in refs] == [e.get("id") for e in entries] and entries
    for entry, ref in zip(entries, refs):
        assert _words("".join(ref.find("mixed-citation").itertext())) == _words(entry.text_content())
    ids = {r.get("id") for r in refs}
    cited = root.findall('.//xref[@ref-type="bibr"]')
    assert cited and {x.get("rid") for x in cited} <= ids


def test_the_downloads_hold_zenodo_json_and_citation_cff_as_at_the_repository_root(built_site):
    for name in (".zenodo.json", "CITATION.cff"):
        assert (built_site / "downloads" / name).read_text(encoding="utf-8") == (ROOT / name).read_text(encoding="utf-8"), name


def test_zenodo_json_is_valid_and_agrees_with_the_record_and_citation_cff(record):
    edition, site_url, _ = record
    data = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo_problems(data) == []
    assert data["title"] == edition.title
    assert data["license"] == edition.licence_id
    assert data.get("version") == edition.version
    assert data.get("publication_date") == (edition.date.iso() if edition.date and edition.date.day else None)
    assert [c["name"] for c in data["creators"]] == [n.inverted() for n in edition.editors]
    assert {c["name"] for c in data["contributors"] if c["type"] == "Other"} == {n.inverted() for n in edition.essay.authors}
    assert data["keywords"] == list(edition.keywords)
    assert {r["identifier"] for r in data["related_identifiers"]} == {site_url, edition.essay.record_url}
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["title"], cff["license"], cff.get("version"), str(cff.get("date-released")) if "date-released" in cff else None) == \
        (data["title"], data["license"], data.get("version"), data.get("publication_date"))
    assert [a.get("name") or f"{a['family-names']}, {a.get('given-names', '')}".rstrip(", ") for a in cff["authors"]] == \
        [c["name"] for c in data["creators"]]


def test_citation_cff_in_the_downloads_is_valid(built_site):
    result = cffconvert_validate(built_site / "downloads" / "CITATION.cff")
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------------------- units (no build)

def _edition(**changes):
    from scholarly_edition.config import EditionConfig, EssayConfig, Name, PartialDate

    essay = EssayConfig(page="essay.md", bib_key="doe1998", title="On Examples", authors=[Name("Doe", "Jane")],
                        published=PartialDate(1998, 5), affiliation="Example University",
                        record_url="https://example.org/record/1", record_label="Example repository")
    base = EditionConfig(title="On Examples: An Edition", slug="on-examples", editors=[Name("Roe", "Richard"), Name(literal="The Example Society")],
                         statement="Annotated edition, May 2026", description="An edition of an example.", pages=["essay.md"],
                         essay=essay, date=PartialDate(2026, 5, 17), version="1.0", keywords=["examples"],
                         licence=["Notes: CC BY 4.0."], licence_id="CC-BY-4.0")
    return dataclasses.replace(base, **changes)


def test_zenodo_metadata_names_people_family_first_and_is_valid():
    from scholarly_edition.zenodo import zenodo_metadata

    data = zenodo_metadata(_edition(), "https://example.org/on-examples/")
    assert zenodo_problems(data) == []
    assert data["creators"] == [{"name": "Roe, Richard"}, {"name": "The Example Society"}]
    assert {"name": "Doe, Jane", "type": "Other", "affiliation": "Example University"} in data["contributors"]
    assert (data["version"], data["publication_date"], data["license"]) == ("1.0", "2026-05-17", "CC-BY-4.0")
    assert "“On Examples” by Jane Doe (first published May 1998)" in data["description"]


@pytest.mark.parametrize("changes, absent", [
    ({"version": None}, "version"),  # Zenodo then takes the release's tag
    ({"date": None}, "publication_date"),
    ({"date": __import__("scholarly_edition.config", fromlist=["PartialDate"]).PartialDate(2026, 5)}, "publication_date"),  # no day
    ({"licence_id": None}, "license"),
])
def test_zenodo_metadata_leaves_out_what_the_record_does_not_say(changes, absent):
    from scholarly_edition.zenodo import zenodo_metadata

    data = zenodo_metadata(_edition(**changes), "https://example.org/on-examples/")
    assert absent not in data and zenodo_problems(data) == []


def test_the_zenodo_schema_refuses_what_zenodo_refuses():
    from scholarly_edition.zenodo import zenodo_metadata

    data = zenodo_metadata(_edition(), "https://example.org/")
    assert zenodo_problems(dict(data, upload_type="essay")) and zenodo_problems(dict(data, editors=["Roe, Richard"]))
    assert zenodo_problems(dict(data, creators=[{"name": "Roe, Richard", "role": "editor"}]))
    assert zenodo_problems(dict(data, related_identifiers=[{"identifier": "x", "relation": "isEditionOf"}]))


def test_a_stale_zenodo_json_is_one_warning_at_its_first_changed_line(tmp_path):
    from scholarly_edition.zenodo import zenodo_json, zenodo_problems as stale

    edition = _edition()
    assert [p.code for p in stale(tmp_path, edition, "https://example.org/")] == ["citation.zenodo_stale"]
    (tmp_path / ".zenodo.json").write_text(zenodo_json(edition, "https://example.org/"), encoding="utf-8")
    assert stale(tmp_path, edition, "https://example.org/") == []
    problems = stale(tmp_path, dataclasses.replace(edition, title="Another Title"), "https://example.org/")
    assert [(p.line, p.severity) for p in problems] == [(2, "warning")]


def test_jats_of_a_small_page_is_valid_and_keeps_notes_and_references():
    from scholarly_edition.jats import jats_article

    page = """<html><body><article><h1>On Examples</h1>
<h2 class="editorial-heading" id="essay">Essay</h2>
<p class="essay-text" id="p-1">A <em>first</em> paragraph with <span class="noted" id="noted-1">a phrase</span><sup class="note-ref"
 id="note-ref-1"><a href="#note-1">1</a></sup> and a <a href="../glossary/#term">term</a>.<span class="para-tools web-only">¶1</span></p>
<aside class="editorial-note" id="note-1" data-note="1"><p class="editorial-note__label"><a class="editorial-note__permalink"
 href="#note-1">Editors’ note 1</a><span class="editorial-note__about">: “a phrase”</span></p>
<div class="editorial-note__body"><p>See <a class="citation" href="#ref-2000:odd">Roe 2000</a>.</p></div></aside>
<section class="references"><div class="csl-entry" id="ref-2000:odd"><p>Roe, Richard. 2000. <em>Odd Keys</em>.
 <span class="verification-note">[Verified]</span></p></div></section>
<div class="web-only">Download</div></article></body></html>"""
    xml = jats_article(page, _edition(), "https://example.org/on-examples/").encode()
    assert jats_problems(xml) == []
    root = etree.fromstring(xml)
    assert root.find("body/sec/title").text == "Essay"
    assert _words("".join(root.find("body/sec/p").itertext())) == "A first paragraph with a phrase1 and a term."
    assert root.find(".//ext-link").get(f"{XLINK}href") == "https://example.org/on-examples/glossary/#term"
    assert root.find("back/fn-group/title").text == "Editors’ notes"
    assert root.find(".//fn//xref").get("rid") == root.find("back/ref-list/ref").get("id") == "ref-2000-odd"
    assert root.findtext(".//mixed-citation/comment") == "[Verified]"
    assert b"Download" not in xml
