"""[6/8] The reader's experience in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

from browsing import PAGES  # noqa: E402


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.requests = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


def search(page, base_url, query: str) -> list[str]:
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    return [a.get_attribute("href") for a in page.query_selector_all(".md-search-result__item a")]


@pytest.mark.parametrize(("query", "expected"), [
    ("passive robots", "/essay/"),               # a phrase from the essay
    ("casualisation", "/glossary/"),             # a glossary term
    ("Rosenberg", "/bibliography/"),             # a referenced author
])
def test_search_finds_the_right_page(page, base_url, query, expected):
    hrefs = search(page, base_url, query)
    assert any(urlparse(h).path == expected for h in hrefs), hrefs


def test_citation_hover_and_focus_show_the_reference(page, base_url):
    page.goto(base_url + "essay/")
    ref = page.locator('article a.citation[data-ref="iom2008wmr"]').first
    preview = page.locator("#citation-preview")
    ref.hover()  # mouse
    preview.wait_for(state="visible", timeout=5000)
    assert preview.inner_text().startswith("International Organization for Migration. 2008.")
    assert ref.get_attribute("aria-describedby") == "citation-preview"
    page.mouse.move(0, 0)
    preview.wait_for(state="hidden", timeout=5000)
    # keyboard: Tab from the element before the citation
    page.evaluate("""key => {
        const links = [...document.querySelectorAll('article a[href], article button')];
        const i = links.indexOf(document.querySelector(`article a.citation[data-ref="${key}"]`));
        links[i - 1].focus();
    }""", "juego2010migration")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.ref") == "juego2010migration"
    preview.wait_for(state="visible", timeout=5000)
    assert preview.inner_text().startswith("Juego, Bonn. 2010.")
    page.keyboard.press("Escape")
    preview.wait_for(state="hidden", timeout=5000)


def test_one_tap_on_a_citation_previews_it_without_jumping(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(base_url + "essay/")
    ref = page.locator('article .essay-occasion a.citation[data-ref="juego2010migration"]').first  # in the text, not in a folded note
    ref.scroll_into_view_if_needed()
    before = page.evaluate("[window.scrollY, location.hash]")
    ref.tap()
    preview = page.locator("#citation-preview")
    preview.wait_for(state="visible", timeout=5000)
    assert preview.inner_text().startswith("Juego, Bonn. 2010.")
    assert page.evaluate("[window.scrollY, location.hash]") == before  # the page did not jump to the list
    box, width = preview.bounding_box(), page.evaluate("document.documentElement.clientWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # fits on the phone's screen
    page.keyboard.press("Escape")
    preview.wait_for(state="hidden", timeout=5000)
    ref.tap()
    preview.wait_for(state="visible", timeout=5000)
    page.locator("article h1").tap()  # a tap elsewhere closes it
    preview.wait_for(state="hidden", timeout=5000)
    context.close()


def test_term_tooltips_by_mouse_keyboard_and_touch(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "essay/")
    tooltip = page.locator("#term-tooltip")
    page.locator('p.essay-text abbr[title="Asia-Europe Meeting"]').first.hover()  # mouse (not one in the folded guide)
    tooltip.wait_for(state="visible", timeout=5000)
    assert tooltip.inner_text() == "Asia-Europe Meeting"
    page.keyboard.press("Escape")
    tooltip.wait_for(state="hidden")
    page.goto(base_url + "context/aepf/")
    page.locator("a.glossary-link").first.focus()  # keyboard
    tooltip.wait_for(state="visible", timeout=5000)
    assert tooltip.inner_text().startswith("Work that is productive")
    page.locator("xpath=//article//abbr[not(ancestor::a)]").nth(2).tap()  # touch
    tooltip.wait_for(state="visible", timeout=5000)
    context.close()


def test_paragraph_permalink_scrolls_to_its_paragraph(page, base_url):
    page.goto(base_url + "essay/#p-5")
    page.wait_for_load_state("networkidle")
    box = page.locator("#p-5").bounding_box()
    assert box is not None and 0 <= box["y"] < 900 / 2, box
    href = page.locator("#p-5 a.para-link").get_attribute("href")
    assert href == "#p-5"


def test_cite_this_paragraph_by_keyboard(page, base_url):
    page.goto(base_url + "essay/")
    button = page.locator('button.para-cite[data-para="3"]')
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#cite-dialog")
    dialog.wait_for(state="visible")
    text = page.locator("#cite-dialog-text").inner_text()
    assert "Juego, Bonn" in text and "para. 3" in text and text.endswith("/essay/#p-3.")  # the style ends with a full stop
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")


@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean_in_the_browser(page, base_url, path):
    """No console error and no request to another host (axe-core: test_every_page_passes_axe_...)."""
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []
    foreign = sorted({r for r in page.requests if urlparse(r).hostname not in ("127.0.0.1",) and not r.startswith("data:")})
    assert foreign == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)], ids=["390", "1366"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_passes_axe_in_both_schemes_at_both_widths_with_a_note_open(browser, base_url, path, scheme, width, height):
    """WCAG 2.2 AA and axe's best practices in the light and the dark scheme, on a phone and a desktop; on the
    essay page with a note open (a phone shows it in place, a desktop beside the text)."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == ("slate" if scheme == "dark" else "default")
        marker = page.locator("sup.note-ref a").first
        if marker.count():
            marker.click()
            page.wait_for_selector(".editorial-note.is-open", timeout=5000)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
        violations = [(v["id"], len(v["nodes"]), v["nodes"][0]["target"], v["nodes"][0].get("any", [{}])[0].get("message", "")[:160])
                      for v in results.response["violations"]]
        assert violations == []
    finally:
        context.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768), (1920, 1080)])
def test_every_page_is_reachable_from_the_essay_page_at_every_width(browser, base_url, built_site, width, height):
    """The essay page hides both sidebars for its notes, and from 1220 px Material hides the menu too: the foot
    of every page lists the edition's pages, visible at every width."""
    pages = sorted("" if p.parent == built_site else p.parent.relative_to(built_site).as_posix() + "/"
                   for p in built_site.rglob("index.html"))
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(base_url + "essay/")
        page.wait_for_load_state("networkidle")
        visible = set()
        for link in page.locator("a[href]").all():
            if link.is_visible():
                target = page.evaluate("(a) => a.href", link.element_handle())
                if target.startswith(base_url):
                    visible.add(target[len(base_url):].split("#")[0].split("?")[0])
        assert [p for p in pages if p not in visible] == []
    finally:
        context.close()
