"""The pull request's preview: `make preview`, zipped and unzipped as the CI artifact is, read from file://
in Chromium (Playwright) with its navigation, its search and its Content Security Policy."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, built_once, PKG
from scholarly_edition import webpage

playwright_api = pytest.importorskip("playwright.sync_api")

from browsing import rendered_faces  # noqa: E402  (the browser fixture: conftest.py)

SITE_TITLE = "Migration in Asia-Europe Relations: An Annotated Edition"
SHIM = PKG / "theme/assets/javascripts/vendor/iframe-worker-shim.js"


def _make_preview(work: Path) -> None:
    built = work / "built"
    # -o: never reinstall the environment from a test; BIN: the mkdocs of the Python running the tests
    run = subprocess.run(["make", "-o", ".venv/.installed", "preview", f"PREVIEW={built}", f"BIN={Path(sys.executable).parent}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    archive = shutil.make_archive(str(work / "edition-preview"), "zip", built)
    with zipfile.ZipFile(archive) as z:
        z.extractall(work / "unzipped")


@pytest.fixture(scope="session")
def preview(tmp_path_factory) -> Path:
    """The real `make preview` into a temporary folder, then zipped and unzipped like the artifact (once per run)."""
    return built_once(tmp_path_factory, "preview", _make_preview) / "unzipped"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []  # console errors (CSP violations among them), script errors, requests off the disk
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:")) else page.problems.append(r.url))
    yield page
    context.close()


def open_file(page, preview: Path, path: str) -> None:
    page.goto((preview / path).as_uri())
    page.wait_for_load_state("load")


def test_the_preview_is_made_of_html_files_with_the_search_index_as_a_script(preview):
    assert (preview / "index.html").is_file() and (preview / "essay.html").is_file()
    assert (preview / "context" / "aepf.html").is_file()
    assert (preview / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index = ")
    home = (preview / "index.html").read_text(encoding="utf-8")
    assert "unpkg.com" not in home and 'src="assets/javascripts/vendor/iframe-worker-shim.js"' in home
    essay = (preview / "essay.html").read_text(encoding="utf-8")  # the published address, not a file's
    assert '<link rel="canonical" href="https://aepf8-edition.github.io/migration-in-asia-europe-relations/essay/">' in essay


def test_navigation_from_disk_reaches_the_essay_and_the_glossary(page, preview):
    open_file(page, preview, "index.html")
    assert page.title() == f"Home - {SITE_TITLE}"
    page.locator("nav.md-nav--primary a.md-nav__link", has_text="The essay").first.click()
    page.wait_for_load_state("load")
    assert page.url == (preview / "essay.html").as_uri()
    assert page.title() == f"Migration in Asia-Europe Relations - {SITE_TITLE}"
    assert page.locator("article p.essay-text").count() >= 5  # the essay itself, not an error page
    # the essay page hides the sidebar (its notes take the margin): a link to the glossary in what shows
    page.locator('a[href="glossary.html"]:visible, a[href^="glossary.html#"]:visible').first.click()
    page.wait_for_load_state("load")
    assert page.url.split("#")[0] == (preview / "glossary.html").as_uri()
    assert page.title() == f"Glossary - {SITE_TITLE}"
    page.locator("nav.md-nav--primary a.md-nav__link", has_text="The Asia-Europe People's Forum").first.click()
    page.wait_for_load_state("load")
    assert page.url == (preview / "context" / "aepf.html").as_uri()
    page.locator("nav.md-nav--primary a.md-nav__link", has_text="Home").first.click()  # back up from a subfolder
    page.wait_for_load_state("load")
    assert page.url == (preview / "index.html").as_uri()
    assert page.problems == []


def test_the_essay_links_to_its_citation_files_on_disk(page, preview):
    open_file(page, preview, "essay.html")
    hrefs = page.eval_on_selector_all(".cite-downloads a", "links => links.map(a => a.href)")
    assert hrefs and all(h.startswith(preview.as_uri() + "/cite/") for h in hrefs), hrefs
    assert all(Path(h.removeprefix("file://")).is_file() for h in hrefs), hrefs
    assert page.problems == []


@pytest.mark.parametrize(("start", "query", "expected", "title"), [
    ("index.html", "casualisation", "glossary.html", "Glossary"),
    ("context/aepf.html", "passive robots", "essay.html", "Migration in Asia-Europe Relations"),  # from a subfolder
])
def test_search_from_disk_finds_and_opens_the_page(page, preview, start, query, expected, title):
    open_file(page, preview, start)
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    first = page.locator(".md-search-result__item a").first
    assert first.get_attribute("href").split("?")[0].split("#")[0] == (preview / expected).as_uri()
    first.click()
    page.wait_for_load_state("load")
    assert page.url.split("?")[0].split("#")[0] == (preview / expected).as_uri()
    assert page.title() == f"{title} - {SITE_TITLE}"
    assert page.problems == []  # the worker shim's iframe script runs under the page's policy


def test_the_preview_shows_the_text_face(page, preview):
    """Read from disk, a page could not preload its faces (Chromium refuses a CORS-mode preload of a file://
    URL), and with font-display: optional the essay stayed in the fallback (DejaVu Serif here) on every load;
    the faces now come inside the stylesheet, there as on the site."""
    assert "data:font/woff2;base64," in (preview / "stylesheets" / "edition.css").read_text(encoding="utf-8")
    open_file(page, preview, "essay.html")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(200)
    rendered = rendered_faces(page, "#p-1")
    assert rendered and rendered[0] == "Source Serif 4", rendered
    assert not page.problems, page.problems


# The pure functions the preview relies on.

def test_the_shim_script_is_read_from_the_vendored_shim_and_hashed_into_the_policy():
    script = webpage.iframe_worker_script(SHIM.read_text(encoding="utf-8"), "../assets/w.js")
    assert script.startswith("postMessage=function c(") and 'filename:"../assets/w.js"' in script
    assert "${" not in script
    page = '<meta charset="utf-8"><script id="__config" type="application/json">{"search": "../assets/w.js"}</script>'
    assert webpage.search_worker_url(page) == "../assets/w.js"
    assert webpage._sha256(script) in webpage.content_security_policy(page, (script,))
    assert webpage._sha256(script) not in webpage.content_security_policy(page)


def test_a_changed_shim_fails_loudly():
    with pytest.raises(ValueError, match="iframe template"):
        webpage.iframe_worker_script("window.Worker=1", "w.js")


@pytest.mark.parametrize(("target", "page_url", "expected"), [
    ("cite/a.bib", "essay/", "../cite/a.bib"),
    ("cite/a.bib", "essay.html", "cite/a.bib"),
    ("cite/a.bib", "context/aepf.html", "../cite/a.bib"),
    ("cite/a.bib", "", "cite/a.bib"),
])
def test_site_href_for_folder_and_file_urls(target, page_url, expected):
    assert webpage.site_href(target, page_url) == expected


def test_hand_written_links_to_downloads_follow_file_urls():
    html = '<a href="../downloads/x.pdf" download><a href="../other/">'
    assert webpage.folder_hrefs_to_files(html, "essay/", "essay.html") == '<a href="downloads/x.pdf" download><a href="../other/">'
    assert webpage.folder_hrefs_to_files('<a href="../../cite/a.ris">', "context/aepf/", "context/aepf.html") == '<a href="../cite/a.ris">'
