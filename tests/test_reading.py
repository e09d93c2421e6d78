"""The reading edition: its text face, measure, first screen, dark scheme, reading time, edit links and 404."""

from __future__ import annotations

import gzip
import posixpath
import re
import statistics
import sys
from pathlib import Path
from urllib.parse import urlparse

import lxml.html
import pytest

from conftest import ROOT, PKG
from scholarly_edition import webfont, webpage

FACE = "Source Serif 4"
FONT_DIR = "fonts/source-serif-4"


def _config() -> dict:
    from scholarly_edition.config import read_config

    return read_config(ROOT / "mkdocs.yml").data


def _tree(built_site: Path, page: str):
    return lxml.html.fromstring((built_site / page / "index.html").read_text(encoding="utf-8"))


# --- pure functions -------------------------------------------------------------------------------------------

def test_only_the_first_abbreviation_in_running_text_is_marked():
    html = ('<h2 id="a"><abbr title="Asia-Europe Meeting">ASEM</abbr> group</h2>'
            '<p>The <abbr title="Asia-Europe Meeting">ASEM</abbr> and <abbr title="European Union">EU</abbr>, '
            'again <abbr title="Asia-Europe Meeting">ASEM</abbr>.</p>'
            '<div class="csl-entry" id="ref-x"><abbr title="International Organization for Migration">IOM</abbr></div>'
            '<p><abbr title="International Organization for Migration">IOM</abbr></p>')
    out = webpage.mark_first_abbreviations(html)
    marked = re.findall(r'<abbr class="first-use" title="([^"]+)">', out)
    assert marked == ["Asia-Europe Meeting", "European Union", "International Organization for Migration"]
    assert out.startswith('<h2 id="a"><abbr title=')  # not in the heading
    assert '<div class="csl-entry" id="ref-x"><abbr title=' in out  # not in a bibliography entry


def test_edit_url_none_for_verbatim_data_file_for_generated_pages():
    repo, edit_uri = "https://github.com/o/r", "edit/main/docs/"
    generated = {"glossary.md": "glossary/terms.yml", "bibliography.md": "bib/refs.bib"}
    args = (repo, edit_uri, {"essay.md"}, generated)
    assert webpage.edit_url("essay.md", f"{repo}/edit/main/docs/essay.md", *args) is None
    assert webpage.edit_url("glossary.md", f"{repo}/edit/main/docs/glossary.md", *args) == f"{repo}/edit/main/glossary/terms.yml"
    assert webpage.edit_url("bibliography.md", None, *args) == f"{repo}/edit/main/bib/refs.bib"
    assert webpage.edit_url("about.md", f"{repo}/edit/main/docs/about.md", *args) is None  # a reading page: no pencil
    assert webpage.edit_url("glossary.md", "x", None, edit_uri, set(), generated) == "x"  # no repository: as MkDocs says


def test_site_characters_are_the_visible_text():
    page = '<html><head><title>Ω</title></head><body><p class="x">é &amp; “q”</p><script>var ж=1</script><svg><text>ψ</text></svg></body></html>'
    chars = webfont.site_characters([page])
    assert {"é", "&", "“", "”", "q", "A", "z"} <= set(chars)
    assert not {"ж", "ψ", "Ω", "\n"} & set(chars)


def test_subset_keeps_exactly_the_asked_characters(tmp_path):
    from fontTools.ttLib import TTFont

    source = PKG / FONT_DIR / "source-serif-4-latin-400-normal.woff2"
    target = tmp_path / "out.woff2"
    webfont.subset_woff2(source, target, "Ab é", cache=tmp_path)
    font = TTFont(target)
    assert font.flavor == "woff2"
    assert set(font.getBestCmap()) == {ord(c) for c in "Ab é"}
    assert target.stat().st_size < source.stat().st_size
    names = {r.nameID: r.toUnicode() for r in font["name"].names}
    assert "Adobe" in names[0] and "scripts.sil.org/OFL" in names[14]  # copyright and licence URL kept (OFL)
    again = tmp_path / "again.woff2"
    webfont.subset_woff2(source, again, "Ab é", cache=tmp_path)  # from the cache: the same bytes
    assert again.read_bytes() == target.read_bytes()


def test_the_font_licence_is_shipped_beside_the_font():
    text = (PKG / FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL Open Font License, Version 1.1" in text and "Adobe" in text
    sums = (PKG / FONT_DIR / "SHA256SUMS").read_text(encoding="utf-8")
    import hashlib

    for line in sums.splitlines():
        digest, name = line.split()
        assert hashlib.sha256((PKG / FONT_DIR / name).read_bytes()).hexdigest() == digest, name


# --- the built site -------------------------------------------------------------------------------------------

def test_served_font_covers_every_character_of_the_pages(built_site):
    from fontTools.ttLib import TTFont

    fonts = sorted((built_site / FONT_DIR).glob("*.woff2"))
    assert len(fonts) == len(list((PKG / FONT_DIR).glob("*.woff2"))) == 4
    cmap = set(TTFont(fonts[0]).getBestCmap())
    for page in ["essay", "glossary", "bibliography", "about", "context/aepf"]:
        article = _tree(built_site, page).xpath("//article")[0]
        for bad in article.xpath(".//svg|.//script"):
            bad.drop_tree()
        missing = {c for c in article.text_content() if not c.isspace() and ord(c) not in cmap} - {"↩"}
        assert missing == set(), page


@pytest.mark.parametrize("page", ["", "essay", "glossary", "about", "context/aepf"])
def test_reading_pages_carry_no_reading_time_and_no_theme_credit(built_site, page):
    """The apparatus a reader does not need at the top of a page: no "About N minutes to read" (the glossary
    said 24), no "Made with Material for MkDocs" in the footer (the about page credits the tools)."""
    tree = _tree(built_site, page)
    assert not tree.xpath('//*[contains(@class, "reading-time")]') and "minutes to read" not in tree.text_content()
    assert "Made with" not in " ".join(tree.xpath("//footer")[0].text_content().split())


def test_essay_page_has_no_build_date_and_no_edit_button(built_site):
    tree = _tree(built_site, "essay")
    assert tree.xpath('//a[@rel="edit"]') == []
    assert tree.xpath('//*[contains(@class, "md-source-file__fact")]') == []
    record = tree.xpath('//*[contains(@class, "essay-record")]')[0].text_content()
    assert "10 November 2010" in record
    assert tree.xpath('//*[contains(@class, "essay-record")]//a[contains(@href, "CONTRIBUTING.md")]')
    # the other reading pages keep their last-updated date, and have no edit button either (only the pages made
    # from data have one: test_generated_pages_edit_their_data_files)
    about = _tree(built_site, "about")
    assert about.xpath('//a[@rel="edit"]') == [] and about.xpath('//*[contains(@class, "md-source-file__fact")]')


def test_generated_pages_edit_their_data_files(built_site):
    repo = _config()["repo_url"].rstrip("/")
    bibs = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "bib").rglob("*.bib"))
    expected = {"glossary": f"{repo}/edit/main/glossary/terms.yml",
                "bibliography": f"{repo}/edit/main/{bibs[0]}" if len(bibs) == 1 else f"{repo}/edit/main/bib/"}
    for page, url in expected.items():
        assert _tree(built_site, page).xpath('//a[@rel="edit"]/@href') == [url]


def test_not_found_page_offers_search_and_the_main_pages(built_site):
    tree = lxml.html.fromstring((built_site / "404.html").read_text(encoding="utf-8"))
    article = tree.xpath("//article")[0]
    assert article.xpath('.//form[@role="search"]//input[@name="q"]')
    links = article.xpath(".//a/@href")
    for target in ("essay/", "context/aepf/", "glossary/", "bibliography/"):
        assert any(href.endswith("/" + target) for href in links), target
    # served at any address, so its links start from the site's root, and each one reaches a built page
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    root = urlparse(config.site_url).path
    targets = links + article.xpath(".//form/@action")
    for href in targets:
        assert href.startswith(root) and "//" not in href, href
        page = posixpath.normpath(href[len(root):]) if href[len(root):] else "."
        assert (built_site / page / "index.html").is_file(), href
    # the edition's pages as its nav lists them (another edition's 404 page lists its own)
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation

    nav = get_navigation(get_files(config), config)
    listed = {posixpath.normpath(h[len(root):]) for h in links}
    assert listed == {posixpath.normpath(p.url or ".") for p in nav.pages}


def test_abbreviations_underlined_once_and_never_in_headings_or_references(built_site):
    for page in ["essay", "glossary", "bibliography", "context/aepf"]:
        tree = _tree(built_site, page)
        marked = tree.xpath('//article//abbr[contains(@class, "first-use")]')
        titles = [a.get("title") or a.get("data-title") for a in marked]
        assert len(titles) == len(set(titles)), page
        assert tree.xpath('//article//*[self::h1 or self::h2 or self::h3]//abbr[contains(@class, "first-use")]') == []
        assert tree.xpath('//article//*[contains(@class, "csl-entry")]//abbr[contains(@class, "first-use")]') == []
        every = tree.xpath("//article//abbr[@title]")
        assert len(every) > len(marked) or page == "bibliography", page  # the others keep their tooltip


# --- in the browser -------------------------------------------------------------------------------------------

playwright_api = pytest.importorskip("playwright.sync_api")
from browsing import LAYOUT_SHIFTS, TALL_NARROW, TALL_WIDE, late, rendered_faces  # noqa: E402  (the browser and server fixtures: conftest.py)

MEASURE = """() => {
  const counts = [];
  for (const p of document.querySelectorAll('p.essay-text[id^="p-"]')) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT,
      {acceptNode: n => n.parentElement.closest('.para-tools, sup, .editorial-note') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    // characters in text order; a new line starts where a character sits lower by half a line or more
    // (a wrapped phrase or a marker may sit a pixel off its line's baseline)
    const half = parseFloat(getComputedStyle(p).lineHeight) / 2 || 10, range = document.createRange();
    const perLine = [];
    let lineTop = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.length; i++) {
        range.setStart(n, i); range.setEnd(n, i + 1);
        const box = range.getClientRects()[0];
        if (!box) continue;
        if (lineTop === null || box.top >= lineTop + half) { perLine.push(0); lineTop = box.top; }
        perLine[perLine.length - 1] += 1;
      }
    }
    counts.push(...perLine.slice(0, -1));  // a paragraph's last line is short by nature
  }
  return counts;
}"""


def _open(browser, base_url, width, height, scheme, path="essay/", routes=(), init_script=None, revisit=False, **options):
    """A new context at this size and scheme, the page loaded with its fonts; ``routes``: (pattern, handler)
    pairs for Playwright, ``init_script``: run before the page's own scripts. ``revisit``: load it a second
    time, with the faces in the browser's cache, for what is measured in the text face: with font-display:
    optional, whether a first visit's face comes before the first paint depends on how busy the machine is
    (two test workers on two cores: sometimes not), and a page set in the fallback measures other lines."""
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme, **options)
    page = context.new_page()
    for pattern, handler in routes:
        page.route(pattern, handler)
    if init_script:
        page.add_init_script(init_script)
    for _ in range(2 if revisit else 1):
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
    if revisit:
        assert rendered_faces(page, "#p-1" if path == "essay/" else "article p")[0] == FACE, "measured in the fallback face"
    return context, page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_essay_is_set_in_the_shipped_serif(browser, base_url, width, height, scheme):
    """The text face is drawn, not only asked for. With font-display: optional, a face that comes after the
    first paint is never swapped in, and on a first visit whether it comes in time depends on how busy the
    machine is (two pytest workers on two cores: it sometimes did not); so the page is read on a second visit,
    with the face in the browser's cache. That every page asks for its faces before the first paint is
    test_each_page_preloads_exactly_the_faces_it_uses'; that a late face moves nothing, test_a_late_text_face_moves_nothing."""
    context, page = _open(browser, base_url, width, height, scheme, revisit=True)
    try:
        family = page.evaluate("getComputedStyle(document.getElementById('p-1')).fontFamily")
        assert family.strip('"\'').startswith(FACE), family
        assert rendered_faces(page, "#p-1")[0] == FACE  # drawn with it, not only asked for (font-display: optional)
        loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => [f.family.replace(/\"/g, ''), f.weight, f.style])")
        assert [FACE, "400", "normal"] in loaded, loaded
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == ("slate" if scheme == "dark" else "default")
        title, text = page.evaluate("[document.querySelector('article h1'), document.getElementById('p-1')].map(e => getComputedStyle(e))"
                                    ".map(c => [c.fontWeight, c.color])")
        assert int(title[0]) >= 600 and title[1] == text[1], (title, text)  # the title as dark as the text, bold
    finally:
        context.close()


PAGES_WITH_FACES = ["", "essay/", "glossary/", "bibliography/", "about/", "context/aepf/", "context/asem-and-migration/",
                    "context/author/"]


def test_every_page_is_checked_for_its_faces(built_site):
    folders = [p.parent.relative_to(built_site) for p in built_site.rglob("index.html")]
    assert sorted(PAGES_WITH_FACES) == sorted("" if f == Path(".") else f.as_posix() + "/" for f in folders)


def test_the_built_site_swaps_its_faces_in_over_matched_fallbacks(built_site):
    """The text face is swapped in when it comes (font-display: swap: a first visit sees it), over fallback faces
    scaled to its metrics (webfont.fallback_faces_css, kept equal here), named after it in the font stack."""
    css = (built_site / "stylesheets" / "edition.css").read_text(encoding="utf-8")
    faces = [f for f in re.findall(r"@font-face\s*\{[^}]*\}", css) if re.search(r'font-family:\s*"?Source Serif 4"?;', f)]
    assert len(faces) == 4 and all(re.search(r"font-display:\s*swap", face) for face in faces), faces
    source = (PKG / "theme" / "stylesheets" / "edition.css").read_text(encoding="utf-8")
    assert webfont.fallback_faces_css() in source, "paste webfont.fallback_faces_css() into edition.css"
    stack = re.search(r"--md-text-font-family:([^;]+);", source).group(1)
    assert [f.strip().strip('"') for f in stack.split(",")][:4] == [FACE, *(f"{FACE} {name}" for name in webfont.FALLBACK_METRICS)]


def test_fallback_overrides_give_the_fallback_the_text_faces_room():
    """A fallback as wide as the text face needs no scaling; one 10 % narrower is scaled up by 10 %, and the text
    face's ascent and descent are kept at that scale."""
    target = {"units": 1000, "ascent": 1000, "descent": -300, "line_gap": 0, "width": 500}
    same = webfont.fallback_overrides(target, {"units": 2048, "ascent": 1, "descent": -1, "line_gap": 0, "width": 1024})
    assert same == {"size-adjust": 1.0, "ascent-override": 1.0, "descent-override": 0.3, "line-gap-override": 0.0}
    narrow = webfont.fallback_overrides(target, {"units": 1000, "ascent": 1, "descent": -1, "line_gap": 0, "width": 450})
    assert abs(narrow["size-adjust"] - 500 / 450) < 1e-9 and abs(narrow["ascent-override"] * narrow["size-adjust"] - 1.0) < 1e-9


@pytest.mark.parametrize("path", PAGES_WITH_FACES)
def test_each_page_preloads_exactly_the_faces_it_uses(built_site, browser, base_url, path):
    """The faces a page uses are asked for before its stylesheets have found them. With font-display:
    optional, a face that is not preloaded is, on a first visit, lost for the whole page (the fallback stays);
    a preload that is never used costs a phone bandwidth for nothing, and Chromium warns about it. So the two
    sets must be equal, at a phone's width and a desktop's."""
    html = (built_site / path / "index.html").read_text(encoding="utf-8")
    links = lxml.html.fromstring(html).xpath("//head/link[@rel='preload'][@as='font']")
    assert len(links) >= 2
    assert all(link.get("crossorigin") is not None and link.get("type") == "font/woff2" for link in links)
    folder = built_site / path
    for link in links:
        assert (folder / link.get("href")).resolve().is_file(), link.get("href")
    preloaded = {re.search(r"-(\d+-(?:normal|italic))\.woff2$", link.get("href")).group(1) for link in links}
    for width, height in ((390, 844), (1366, 768)):
        context, page = _open(browser, base_url, width, height, "light", path=path)
        try:
            page.wait_for_timeout(300)
            used = page.evaluate(f"[...document.fonts].filter(f => f.family.replace(/\"/g, '') === '{FACE}' && f.status !== 'unloaded')"
                                 ".map(f => f.weight + '-' + f.style)")
            assert set(used) == preloaded, (width, sorted(used), sorted(preloaded))
        finally:
            context.close()


def test_faces_swap_in_only_where_they_cannot_be_preloaded():
    """The preview's stylesheets (pages read from disk cannot preload) swap the faces in when they come."""
    assert webfont.swap_where_not_preloaded("@font-face{font-display:optional;src:url(a.woff2)}") == "@font-face{font-display:swap;src:url(a.woff2)}"
    assert webfont.swap_where_not_preloaded("a{font-display: OPTIONAL}") == "a{font-display:swap}"
    assert webfont.swap_where_not_preloaded("a{font-display:block}") == "a{font-display:block}"


def test_the_italic_is_preloaded_only_where_the_page_sets_italics():
    assert "400-italic" in webfont.preload_links('<html><body><p>An <em>emphasis</em>.</p></body></html>', "fonts")
    assert "400-italic" in webfont.preload_links('<body><p class="essay-occasion">For AEPF-8</p></body>', "fonts")
    plain = webfont.preload_links('<head><style>em{}</style></head><body><p>Roman only.</p></body>', "f")
    assert "400-italic" not in plain and plain.count("<link") == 2 and 'href="f/source-serif-4-latin-700-normal.woff2"' in plain


@pytest.mark.parametrize("viewport", [TALL_WIDE, TALL_NARROW], ids=["1366", "390"])
def test_a_late_text_face_is_swapped_in_and_moves_nothing(browser, base_url, viewport):
    """The faces are preloaded, but on a slow connection they can still come after the first paint. Then they are
    swapped in when they come, over a fallback scaled to the text face's metrics. Swapping over an unscaled
    fallback moved the page by up to 0.2 of the screen (this is why the faces were once "optional", which hid them
    from first-time readers); over the scaled one, some lines still break at other words, and the page moved by
    0.016-0.05 here (2026-12-07): under 0.1, "good" for Web Vitals, not yet the 0.01 the issue asks for. The
    screens are tall, so that the first paragraphs are in view."""
    context, page = _open(browser, base_url, viewport["width"], viewport["height"], "light",
                          routes=[("**/*.woff2", late(0.6))], init_script=LAYOUT_SHIFTS)
    try:
        page.wait_for_timeout(500)
        assert page.evaluate("performance.getEntriesByType('paint').length")
        assert rendered_faces(page, "#p-1")[0] == FACE, "the late face is shown once it has come"
        assert sum(s["value"] for s in page.evaluate("window.__shifts")) < 0.1, page.evaluate("window.__shifts")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [TALL_WIDE, TALL_NARROW], ids=["1366", "390"])
def test_a_first_visit_on_a_slow_connection_shows_the_typeface_without_moving(browser, base_url, viewport):
    """A cold cache at 150 ms and 9 Mbit/s (Chromium's network emulation): once the page has loaded, the essay is
    drawn in the shipped serif, and the text moved less than Web Vitals' "good" 0.1 (0.02-0.04 measured here,
    2026-12-07; the issue's 0.01 is not reached yet: see test_a_late_text_face_is_swapped_in_and_moves_nothing)."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.add_init_script(LAYOUT_SHIFTS)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 150, "downloadThroughput": 9e6 / 8,
                                                  "uploadThroughput": 9e6 / 8})
    try:
        page.goto(base_url + "essay/")
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.wait_for_timeout(300)
        assert rendered_faces(page, "#p-1")[0] == FACE
        assert sum(s["value"] for s in page.evaluate("window.__shifts")) < 0.1, page.evaluate("window.__shifts")
    finally:
        context.close()


def test_only_first_uses_are_underlined_on_screen(browser, base_url):
    context, page = _open(browser, base_url, 1366, 768, "light", path="glossary/")
    try:
        underlined = page.evaluate("[...document.querySelectorAll('article abbr')]"
                                   ".filter(a => getComputedStyle(a).textDecorationLine.includes('underline') || parseFloat(getComputedStyle(a).borderBottomWidth) > 0)"
                                   ".map(a => [a.classList.contains('first-use'), !!a.closest('h1, h2, h3')])")
        print(f"glossary: {len(underlined)} underlined abbreviations")
        assert underlined and all(first and not heading for first, heading in underlined), underlined
    finally:
        context.close()


def test_measure_and_first_screen_on_a_desktop(browser, base_url):
    context, page = _open(browser, base_url, 1366, 768, "light", revisit=True)
    try:
        counts = page.evaluate(MEASURE)
        assert len(counts) > 20
        median = statistics.median(counts)
        print(f"1366 px: median {median} characters a line over {len(counts)} lines")
        assert 60 <= median <= 75, median
        assert page.locator("#p-1").bounding_box()["y"] < 768 - 40  # its first line is on the first screen
    finally:
        context.close()


def test_measure_on_a_phone(browser, base_url):
    context, page = _open(browser, base_url, 390, 844, "light", revisit=True)
    try:
        median = statistics.median(page.evaluate(MEASURE))
        print(f"390 px: median {median} characters a line")
        assert 30 <= median <= 60, median
    finally:
        context.close()


def test_palette_toggle_is_a_visible_keyboard_target(browser, base_url):
    context, page = _open(browser, base_url, 1366, 768, "light")
    try:
        for _ in range(12):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('md-option')"):
                break
        else:
            pytest.fail("the palette toggle is not reachable by Tab")
        box = page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect(); return [r.width, r.height]; })()")
        assert box[0] >= 24 and box[1] >= 24, box
        outline = page.evaluate("getComputedStyle(document.activeElement.nextElementSibling).outlineStyle")
        assert outline not in ("", "none"), outline
        page.locator("label.md-header__button[for^='__palette']:visible").click()
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    finally:
        context.close()


def test_first_tap_on_an_abbreviation_shows_it(browser, base_url):
    context, page = _open(browser, base_url, 390, 844, "light", has_touch=True, is_mobile=True)
    try:
        abbr = page.locator("xpath=//article//p[contains(@class, 'essay-text')]//abbr").first
        abbr.scroll_into_view_if_needed()
        abbr.tap()
        page.wait_for_timeout(300)
        tooltip = page.locator("#term-tooltip")
        assert tooltip.is_visible()
        assert tooltip.inner_text() == (abbr.get_attribute("data-title") or abbr.get_attribute("title"))
    finally:
        context.close()


def test_essay_page_with_its_fonts_weighs_at_most_120_kb_gzipped(browser, base_url, built_site):
    sys.path.insert(0, str(ROOT / "bench"))
    from run import page_weight

    context, page = _open(browser, base_url, 1366, 768, "light")
    try:
        fonts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.woff2'))")
    finally:
        context.close()
    assert fonts, "the page loaded no font"
    files = [built_site / re.sub(r"^https?://[^/]+/", "", url) for url in fonts]
    font_bytes = sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)
    _, packed, _ = page_weight(built_site, "essay")
    print(f"essay page: {packed / 1024:.1f} KiB HTML+CSS+JS gzipped, {font_bytes / 1024:.1f} KiB fonts ({len(files)} files)")
    assert packed + font_bytes <= 120 * 1024, (packed, font_bytes)


FIRST_SENTENCE_BOTTOM = """() => { const p = document.getElementById('p-1');
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT); const range = document.createRange(); let node, started = false;
  while ((node = walker.nextNode())) { const i = node.textContent.indexOf('.');
    if (!started) { range.setStart(node, 0); started = true; }
    if (i >= 0) { range.setEnd(node, i + 1); break; } }
  return range.getBoundingClientRect().bottom; }"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_phone_shows_the_essays_first_sentence_on_the_first_screen(browser, base_url, scheme):
    """At 390 x 844 the essay's first sentence is read without scrolling: the reading guide is one folded line,
    the downloads come after the essay (before "Cite this essay"), and no reading time or edit pencil stands in
    the way."""
    context, page = _open(browser, base_url, 390, 844, scheme)
    try:
        assert page.evaluate(FIRST_SENTENCE_BOTTOM) <= 844
        assert page.evaluate("!document.querySelector('article details.abstract').open")
        assert page.evaluate("document.querySelector('.edition-downloads').getBoundingClientRect().top > "
                             "document.querySelector('p.essay-text:last-of-type').getBoundingClientRect().top")
        assert page.evaluate("document.querySelectorAll('.md-content__button, .reading-time').length") == 0
    finally:
        context.close()


@pytest.mark.parametrize("page_path", ["", "essay/", "about/", "context/aepf/"])
def test_reading_pages_have_no_edit_pencil_and_the_header_is_not_a_coloured_bar(built_site, page_path):
    tree = _tree(built_site, page_path.rstrip("/"))
    assert not tree.xpath('//a[contains(@class, "md-content__button")]')
    body = tree.xpath("//body")[0]
    assert all(option.get("data-md-color-primary") in ("white", "black")
               for option in tree.xpath('//input[@data-md-color-primary]')), "the header takes the page's colours"
    assert body is not None


def test_a_first_use_inside_a_folded_box_is_not_the_one_underlined():
    html = ('<details class="abstract"><summary>How to read</summary><p>See <abbr title="Asia-Europe Meeting">ASEM</abbr>.</p></details>'
            '<p class="essay-text" id="p-1">The <abbr title="Asia-Europe Meeting">ASEM</abbr> met.</p>')
    out = webpage.mark_first_abbreviations(html)
    assert out.count('class="first-use"') == 1 and out.index('class="first-use"') > out.index("</details>")
