"""`make release VERSION=x.y` in a copy of the repository, twice, as the issue asks: release 1.0, commit a change
to one editorial note, release 1.1. Real git, real mike, real builds (without the PDF/EPUB, which a release makes
as `make build` does), and Chromium for Material's banner on the older version."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import lxml.html
import pytest

from conftest import ROOT, copy_project

pytestmark = pytest.mark.builds
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org", "NO_MKDOCS_2_WARNING": "1", "EDITION_EXPORT": "false"}


def _run(project, *args, check=True):
    env = dict(os.environ, **GIT_ENV)
    result = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    if check:
        assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-3000:])
    return result


def _release(project, version, check=True):
    return _run(project, sys.executable, "-m", "scholarly_edition", "release", version, ".", check=check)


def _show(project, path) -> str:
    return _run(project, "git", "show", f"gh-pages:{path}").stdout


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("release") / "edition")
    shutil.copy2(ROOT / ".gitignore", project / ".gitignore")
    _run(project, "git", "init", "-q", "-b", "main")
    _run(project, "git", "add", "-A")
    _run(project, "git", "commit", "-qm", "The edition")
    _release(project, "1.0")
    essay_10 = _show(project, "1.0/essay/index.html")
    essay_md = project / "docs" / "essay.md"
    text = essay_md.read_text(encoding="utf-8")
    changed = text.replace("The three countries named are the", "The three countries the essay names are the", 1)
    assert changed != text
    essay_md.write_text(changed, encoding="utf-8")
    _run(project, "git", "commit", "-qam", "Editors' note 1: clearer wording")
    _release(project, "1.1")
    return project, essay_10


def test_two_releases_each_in_its_folder_latest_on_the_second(released):
    project, essay_10 = released
    versions = json.loads(_show(project, "versions.json"))
    assert [(v["version"], v["aliases"]) for v in versions] == [("1.1", ["latest"]), ("1.0", [])]
    tree = _run(project, "git", "ls-tree", "gh-pages").stdout
    assert re.search(r"^120000 blob \w+\tlatest$", tree, re.M) and _show(project, "latest") == "1.1"  # a link to 1.1
    assert _show(project, "1.0/essay/index.html") == essay_10  # byte for byte what 1.0 published
    assert "The three countries named are the" in essay_10
    assert "The three countries the essay names are the" in _show(project, "1.1/essay/index.html")
    tags = _run(project, "git", "tag", "--list", "v*").stdout.split()
    assert tags == ["v1.0", "v1.1"]


def test_the_second_release_lists_the_corrected_note_with_its_old_and_new_wording(released):
    project, _ = released
    page = lxml.html.fromstring(_show(project, "1.1/versions/index.html"))
    text = " ".join(page.xpath("string(//article)").split())
    assert "1.1" in text and "1.0" in text
    assert "The three countries named are the" in text and "The three countries the essay names are the" in text, text[:3000]
    links = page.xpath("//article//a/@href")
    assert any("/compare/v1.0...v1.1" in href for href in links), links
    assert re.search(r"SHA-256|sha256|checksum", text, re.I)


def test_every_citation_of_a_release_names_its_version_and_permanent_address(released):
    project, _ = released
    page = _show(project, "1.1/essay/index.html")
    address = re.search(r'<link rel="canonical" href="([^"]+)"', page).group(1)
    assert address.endswith("/1.1/essay/"), address
    tree = lxml.html.fromstring(page)
    box = " ".join(tree.xpath('string(//p[@id="cite-formatted"])').split())
    assert "version 1.1" in box and address in box, box
    latest = tree.xpath('//p[@class="cite-latest"]/a/@href')
    assert latest and latest[0].endswith("/latest/essay/")
    paragraph = tree.xpath('string(//template[@id="cite-paragraph-template"])')
    assert "version 1.1" in paragraph and f"{address}#p-" in paragraph
    assert tree.xpath('//meta[@name="citation_public_url"]/@content') == [address]
    graph = json.loads(tree.xpath('string(//script[@type="application/ld+json"])'))
    assert graph["isPartOf"]["version"] == "1.1" and graph["url"] == address if "url" in graph else graph["isPartOf"]["version"] == "1.1"
    slug = "migration-in-asia-europe-relations"
    bib = _show(project, f"1.1/cite/{slug}.bib")
    assert "version      = {1.1}" in bib and f"url          = {{{address}}}" in bib
    ris = _show(project, f"1.1/cite/{slug}.ris")
    assert f"UR  - {address}" in ris and "version 1.1" in ris
    csl = json.loads(_show(project, f"1.1/cite/{slug}.json"))
    assert csl[0]["version"] == "1.1" and csl[0]["URL"] == address


def test_a_release_on_a_dirty_tree_or_of_an_existing_version_is_one_line_and_publishes_nothing(released):
    project, _ = released
    before = _run(project, "git", "rev-parse", "gh-pages").stdout
    again = _release(project, "1.1", check=False)
    assert again.returncode == 1 and again.stderr.strip().count("\n") == 0 and "[release.exists]" in again.stderr
    (project / "docs" / "about.md").write_text((project / "docs" / "about.md").read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    dirty = _release(project, "1.2", check=False)
    assert dirty.returncode == 1 and dirty.stderr.strip().count("\n") == 0 and "[release.dirty]" in dirty.stderr
    assert "docs/about.md" in dirty.stderr
    _run(project, "git", "checkout", "--", "docs/about.md")
    assert _run(project, "git", "rev-parse", "gh-pages").stdout == before  # nothing published
    assert "v1.2" not in _run(project, "git", "tag").stdout


def test_the_older_version_shows_materials_banner_to_the_latest(released, browser, tmp_path):
    from browsing import serve

    project, _ = released
    site = tmp_path / "gh-pages"
    _run(project, "git", "worktree", "add", "-q", str(site), "gh-pages")
    server, base = serve(site)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "1.0/essay/")
        banner = page.locator(".md-banner")
        banner.wait_for(state="visible", timeout=10000)
        assert "earlier version" in banner.inner_text()
        assert banner.locator("a").get_attribute("href")
        page.goto(base + "1.1/essay/")
        page.locator(".md-version").wait_for(state="attached", timeout=10000)  # Material has read versions.json
        assert "1.1" in page.locator(".md-version").inner_text()
        page.wait_for_timeout(300)
        assert not page.locator(".md-banner").is_visible()
        context.close()
    finally:
        server.shutdown()
        _run(project, "git", "worktree", "remove", "--force", str(site), check=False)


def test_the_books_title_pages_name_the_release_and_its_address():
    """The PDF's and the EPUB's title pages print BookMeta.edition and cite with the site's citation (tested on
    the cite box above); a release's statement names its version and its address is the version's folder."""
    from scholarly_edition import book
    from scholarly_edition.checks import load_settings
    from scholarly_edition.config import released

    edition, address = released(load_settings(ROOT).edition, "https://example.org/edition/", "2.0")
    meta = book.book_meta(edition, address, "Cited, version 2.0.")
    assert meta.edition.endswith(", version 2.0") and meta.site_url == "https://example.org/edition/2.0/"
    assert edition.version == "2.0" and released(edition, "", "2.0")[1] == ""
