"""The editorial apparatus: notes keyed to markers at their phrases, beside the essay or opened in place."""

from __future__ import annotations

import json
import re

import lxml.html
import pytest

from scholarly_edition import notes
from scholarly_edition.copytext import essay_paragraphs as source_paragraphs

from conftest import ROOT, mkdocs_build


def admonition(title: str, body: str = "<p>The editors' words.</p>") -> str:
    return f'<div class="admonition note">\n<p class="admonition-title">{title}</p>\n{body}\n</div>'


def essay(inner: str, n: int = 1) -> str:
    return f'<p class="essay-text" id="p-{n}">{inner}</p>'


def words(fragment: str) -> str:
    """The paragraph's words without the note markers."""
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for sup in tree.xpath('.//sup[@class="note-ref"]'):
        sup.drop_tree()
    return " ".join(tree.text_content().split())


# -- the pure function, on HTML ------------------------------------------------------------------------

def test_the_phrase_is_wrapped_and_followed_by_a_marker_and_the_note_becomes_an_aside():
    page = essay("Asia is home of the top three sending countries, it says.") + "\n" + admonition("Editorial note 1: “the top three sending countries”")
    html, found, unkeyed = notes.key_notes(page)
    assert unkeyed == []
    assert [(n.number, n.phrase, n.paragraph, n.at_phrase) for n in found] == [(1, "the top three sending countries", "p-1", True)]
    assert '<span class="noted" id="noted-1">the top three sending countries</span><sup class="note-ref" id="note-ref-1"' in html
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    aside = tree.xpath('//aside[@id="note-1"]')[0]
    assert aside.get("class") == "editorial-note" and aside.get("role") == "note" and aside.get("data-paragraph") == "p-1"
    assert "data-search-exclude" in aside.attrib
    assert aside.xpath('string(.//a[@class="editorial-note__permalink"]/@href)') == "#note-1"
    assert " ".join(aside.xpath('string(.//p[@class="editorial-note__label"])').split()) == "Editors’ note 1: “the top three sending countries”"
    assert tree.xpath('//sup[@id="note-ref-1"]/a/@href') == ["#note-1"]
    assert "admonition" not in html
    assert words(html.split("<aside")[0]) == "Asia is home of the top three sending countries, it says."


def test_several_notes_after_one_paragraph_are_each_keyed_to_their_own_phrase_across_inline_tags():
    text = 'The <abbr title="Asia-Europe Meeting">ASEM</abbr> Migration Experts Group met; over 60 million live there.'
    page = essay(text) + admonition("Editorial note 1: “over 60 million”") + admonition("Editorial note 2: “the ASEM Migration Experts Group”")
    html, found, unkeyed = notes.key_notes(page)
    assert [n.at_phrase for n in found] == [True, False]  # "The" is not "the": the words must be the essay's
    assert [u.code for u in unkeyed] == ["notes.phrase_not_found"]
    page = page.replace("The <abbr", "the <abbr")
    html, found, unkeyed = notes.key_notes(page)
    assert [n.at_phrase for n in found] == [True, True]
    assert [(u.number, u.code) for u in unkeyed] == [(1, "notes.order")]  # read 2, 1: numbered against the text
    assert "after note 2's" in unkeyed[0].message
    assert '<span class="noted" id="noted-2">the <abbr title="Asia-Europe Meeting">ASEM</abbr> Migration Experts Group</span><sup class="note-ref" id="note-ref-2"' in html
    assert '<span class="noted" id="noted-1">over 60 million</span>' in html
    assert html.index("note-ref-2") < html.index("note-ref-1")  # markers stand where the phrases are
    assert words(html.split("<aside")[0]) == words(essay(text.replace("The <abbr", "the <abbr")))


def test_a_title_that_describes_rather_than_quotes_puts_the_marker_at_the_paragraphs_end():
    page = essay("Words in ‘quotation marks.’") + admonition("Editorial note 6: the quoted list of initiatives")
    html, found, unkeyed = notes.key_notes(page)
    assert found[0].phrase is None and not found[0].at_phrase
    assert [u.code for u in unkeyed] == ["notes.paraphrase"]
    assert re.search(r'marks\.’<sup class="note-ref" id="note-ref-6"[^>]*><a href="#note-6"[^>]*>6</a></sup></p>', html)
    assert 'class="noted"' not in html


def test_a_phrase_not_in_the_paragraph_is_reported_and_marked_at_the_end():
    page = essay("Something else entirely.", 3) + admonition("Editorial note 2: “a missing phrase”")
    html, found, unkeyed = notes.key_notes(page)
    assert [(u.number, u.code) for u in unkeyed] == [(2, "notes.phrase_not_found")]
    assert "p-3" in unkeyed[0].message and "a missing phrase" in unkeyed[0].message
    assert 'entirely.<sup class="note-ref" id="note-ref-2"' in html


def test_markers_read_out_of_numerical_order_are_reported():
    page = (essay("Alpha beta gamma delta.", 1) + admonition("Editorial note 1: “Alpha”") + admonition("Editorial note 3: “gamma”")
            + essay("Epsilon zeta.", 2) + admonition("Editorial note 2: “zeta”") + admonition("Editorial note 4: “Epsilon”"))
    _, _, unkeyed = notes.key_notes(page)
    assert [(u.number, u.code) for u in unkeyed] == [(2, "notes.order")]  # read 1, 3, 4, 2
    page = page.replace("Editorial note 3:", "Editorial note X:").replace("Editorial note 2:", "Editorial note 3:").replace("Editorial note X:", "Editorial note 2:")
    _, _, unkeyed = notes.key_notes(page)
    assert [(u.number, u.code) for u in unkeyed] == [(3, "notes.order")]  # read 1, 2, 4, 3: zeta (3) after Epsilon (4)
    assert notes.reading_order('<sup class="note-ref" id="note-ref-1"></sup><sup class="note-ref" id="note-ref-2"></sup>') == []


def test_a_phrase_crossing_an_elements_edge_is_marked_but_not_wrapped():
    page = essay("one <em>two three</em> four") + admonition("Editorial note 1: “three four”")
    html, found, unkeyed = notes.key_notes(page)
    assert found[0].at_phrase and unkeyed == []
    assert 'class="noted"' not in html  # a span here would be mis-nested
    assert 'four<sup class="note-ref" id="note-ref-1"' in html
    lxml.html.fragment_fromstring(html, create_parent="div")  # still well formed


def test_entities_in_the_paragraph_are_matched_as_text():
    page = essay("trade &amp; aid, and <q>more</q>") + admonition("Editorial note 1: “trade &amp; aid”")
    html, found, _ = notes.key_notes(page)
    assert found[0].phrase == "trade & aid" and found[0].at_phrase
    assert '<span class="noted" id="noted-1">trade &amp; aid</span>' in html


def test_other_admonitions_and_text_outside_essay_paragraphs_are_left_alone():
    page = '<p>An ordinary paragraph.</p>' + admonition("How to read this edition") + essay("x") + admonition("Editorial note 1: “x”")
    html, found, _ = notes.key_notes(page)
    assert [n.number for n in found] == [1]
    assert admonition("How to read this edition") in html and "<p>An ordinary paragraph.</p>" in html
    page = admonition("Editorial note 1: “x”") + essay("x")  # a note before any essay paragraph
    html, found, unkeyed = notes.key_notes(page)
    assert [u.code for u in unkeyed] == ["notes.no_paragraph"] and 'id="note-1"' in html and "note-ref" not in html


def test_search_entries_are_the_editors_and_added_after_their_page_once():
    page = essay("the phrase here") + admonition("Editorial note 1: “the phrase”", '<p>Their words<sup id="fnref:a"><a class="footnote-ref" href="#fn:a">1</a></sup>.</p>')
    _, found, _ = notes.key_notes(page)
    entries = notes.search_entries(found, "essay/")
    assert entries == [{"location": "essay/#note-1", "title": "Editors’ note 1: “the phrase”", "text": "Their words."}]
    index = {"config": {}, "docs": [{"location": "", "title": "Home", "text": ""}, {"location": "essay/", "title": "E", "text": ""},
                                    {"location": "essay/#essay", "title": "Essay", "text": "the phrase here"},
                                    {"location": "about/", "title": "About", "text": ""}]}
    once = notes.add_search_entries(index, entries)
    assert [d["location"] for d in once["docs"]] == ["", "essay/", "essay/#essay", "essay/#note-1", "about/"]
    assert notes.add_search_entries(once, entries) == once


# -- the real site -------------------------------------------------------------------------------------

NOTE_TITLE = re.compile(r'^!!! note "Editorial note (\d+): (.*)"$', re.M)


def source_notes() -> dict[int, str]:
    return {int(n): about for n, about in NOTE_TITLE.findall((ROOT / "docs" / "essay.md").read_text(encoding="utf-8"))}


@pytest.fixture(scope="session")
def essay_tree(built_site):
    return lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))


def test_every_note_of_the_source_is_an_aside_with_an_id_and_a_marker_in_its_paragraph(essay_tree):
    expected = source_notes()
    assert len(expected) >= 8
    asides = essay_tree.xpath('//aside[contains(@class, "editorial-note")]')
    assert sorted(int(a.get("data-note")) for a in asides) == sorted(expected)
    assert not essay_tree.xpath('//div[contains(@class, "admonition")][contains(., "Editorial note")]')
    for aside in asides:
        n = int(aside.get("data-note"))
        assert aside.get("id") == f"note-{n}" and aside.get("role") == "note"
        refs = essay_tree.xpath(f'//p[@class="essay-text"][@id="{aside.get("data-paragraph")}"]//sup[@id="note-ref-{n}"]/a[@href="#note-{n}"]')
        assert len(refs) == 1, n
        quoted = re.fullmatch(r"“(.*)”", expected[n])
        noted = essay_tree.xpath(f'//span[@class="noted"][@id="noted-{n}"]')
        if quoted:  # the marker follows the very phrase the note's title quotes
            assert len(noted) == 1 and " ".join(noted[0].text_content().split()) == quoted.group(1), n
            assert noted[0].getnext().get("id") == f"note-ref-{n}"
        else:
            assert noted == [], n


def test_the_essays_words_in_the_page_are_still_the_sources(essay_tree):
    source = (ROOT / "docs" / "essay.md").read_text(encoding="utf-8")
    expected = [" ".join(re.sub(r"\\(.)", r"\1", text).split()) for _, text in source_paragraphs(source)]
    rendered = []
    for p in essay_tree.xpath('//p[contains(concat(" ", @class, " "), " essay-text ")]'):
        p = lxml.html.fromstring(lxml.html.tostring(p))
        for extra in p.xpath('.//sup | .//*[contains(@class, "web-only")]'):
            extra.drop_tree()
        rendered.append(" ".join(p.text_content().split()))
    assert rendered == expected


def plain(fragment: str) -> str:
    return " ".join(lxml.html.fromstring(f"<div>{fragment}</div>").text_content().split())


def test_search_keeps_the_notes_out_of_the_essay_and_finds_them_as_the_editors(built_site):
    docs = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    essay_section = [d for d in docs if d["title"] == "Essay"]
    assert len(essay_section) == 1 and "passive robots" in essay_section[0]["text"]
    entries = {d["location"]: d for d in docs if d["location"].startswith("essay/#note-")}
    assert sorted(entries) == sorted(f"essay/#note-{n}" for n in source_notes())
    for n, about in source_notes().items():
        entry = entries[f"essay/#note-{n}"]
        assert entry["title"] == f"Editors’ note {n}: {about}"
        sentence = re.split(r"(?<=\.) ", entry["text"])[0]
        assert len(sentence) > 30
        assert all(sentence not in plain(d["text"]) for d in docs if d is not entry), (n, sentence)
    assert "Trotsky" in entries["essay/#note-8"]["text"]


# -- in Chromium -----------------------------------------------------------------------------------------

playwright_api = pytest.importorskip("playwright.sync_api")
from browsing import LAYOUT_SHIFTS, TALL_NARROW, TALL_WIDE, late, settle  # noqa: E402  (the browser and server fixtures: conftest.py)

WIDE, NARROW = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


def open_essay(browser, base_url, viewport, scheme, touch=False):
    context = browser.new_context(viewport=viewport, has_touch=touch, is_mobile=touch)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(base_url + "essay/")
    page.wait_for_load_state("networkidle")
    page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)
    return context, page


def rgba(colour: str) -> tuple[list[float], float]:
    values = [float(v) for v in re.findall(r"[\d.]+", colour)]
    return values[:3], values[3] if len(values) > 3 else 1.0


def luminance(channels: list[float]) -> float:
    linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(page, selector: str) -> float:
    """WCAG contrast of an element's text on the page's background (a translucent colour blended onto it)."""
    fg, alpha = rgba(page.eval_on_selector(selector, "e => getComputedStyle(e).color"))
    bg, bg_alpha = rgba(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert bg_alpha == 1.0, "the page has no background colour of its own"
    seen = [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg)]
    high, low = sorted((luminance(seen), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def focus_by_tab(page, selector: str) -> None:
    """Focus the element before the marker in tab order, then press Tab: the marker must be next."""
    page.evaluate("""sel => {
        const target = document.querySelector(sel);
        const all = [...document.querySelectorAll('a[href], button, input, [tabindex]')]
            .filter(e => e.tabIndex >= 0 && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden');
        const before = all[all.indexOf(target) - 1];
        target.scrollIntoView({block: 'center'});
        before.focus();
    }""", selector)
    page.keyboard.press("Tab")
    assert page.evaluate("sel => document.activeElement === document.querySelector(sel)", selector), selector


def activate(page, n: int, how: str) -> None:
    selector = f"#note-ref-{n} a"
    if how == "click":
        page.click(selector)
    elif how == "tap":
        page.tap(selector)
    else:
        focus_by_tab(page, selector)
        page.keyboard.press("Enter" if how == "enter" else " ")
    settle(page)  # the margin notes move with a short transition (0.15 s): to its end


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("how", ["click", "enter", "space"])
def test_wide_screen_notes_stand_in_the_margin_beside_their_markers(browser, base_url, scheme, how):
    context, page = open_essay(browser, base_url, WIDE, scheme)
    numbers = sorted(source_notes())
    for n in numbers:
        activate(page, n, how)
        note = page.locator(f"#note-{n}")
        assert note.is_visible() and "is-open" in note.get_attribute("class"), n
        assert page.get_attribute(f"#note-ref-{n} a", "aria-expanded") == "true"
        marker, box = page.locator(f"#note-ref-{n}").bounding_box(), note.bounding_box()
        paragraph = page.locator("#" + note.get_attribute("data-paragraph")).bounding_box()
        line = float(page.eval_on_selector(f"#note-ref-{n}", "e => parseFloat(getComputedStyle(e.closest('p')).lineHeight)"))
        assert abs(box["y"] - marker["y"]) <= line, (n, box, marker)  # level with its marker
        assert box["x"] >= paragraph["x"] + paragraph["width"], (n, box, paragraph)  # in the margin
        assert box["x"] + box["width"] <= WIDE["width"]
        # the whole opened note is readable, not folded
        assert page.eval_on_selector(f"#note-{n} .editorial-note__body", "e => e.scrollHeight <= e.clientHeight + 1")
    assert contrast(page, f"#note-{numbers[0]} .editorial-note__body") >= 4.5
    assert contrast(page, f"#note-ref-{numbers[0]} a") >= 3
    font = page.eval_on_selector(f"#note-{numbers[0]}", "e => getComputedStyle(e).fontSize")
    assert float(font.rstrip("px")) >= 14
    assert page.errors == []
    context.close()


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("how", ["click", "enter", "tap"])
def test_narrow_screen_notes_are_hidden_and_open_in_place(browser, base_url, scheme, how):
    context, page = open_essay(browser, base_url, NARROW, scheme, touch=how == "tap")
    for n in sorted(source_notes()):
        note = page.locator(f"#note-{n}")
        assert not note.is_visible(), n
        activate(page, n, how)
        assert note.is_visible(), n
        marker, box = page.locator(f"#note-ref-{n}").bounding_box(), note.bounding_box()
        assert 0 <= box["y"] - (marker["y"] + marker["height"]) <= 60, (n, box, marker)  # just below its line
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]
        assert contrast(page, f"#note-{n} .editorial-note__body") >= 4.5
        close = page.locator(f"#note-{n} .editorial-note__close")
        if how == "tap":
            close.tap()
        elif how == "enter":
            close.focus()
            page.keyboard.press("Enter")
        else:
            close.click()
        assert not note.is_visible(), n
    assert page.errors == []
    context.close()


def test_escape_closes_a_note_and_gives_the_focus_back_to_its_marker(browser, base_url):
    context, page = open_essay(browser, base_url, NARROW, "default")
    activate(page, 2, "enter")
    assert page.locator("#note-2").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#note-2").is_visible()
    assert page.evaluate("document.activeElement === document.querySelector('#note-ref-2 a')")
    context.close()


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["wide", "narrow"])
def test_a_link_to_a_note_opens_it(browser, base_url, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(base_url + "essay/#note-3")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)
    note = page.locator("#note-3")
    assert note.is_visible() and "is-open" in note.get_attribute("class")
    assert page.locator("#note-1").is_visible() == (viewport is WIDE)
    context.close()


def test_the_essay_can_be_read_alone_and_the_choice_is_remembered(browser, base_url):
    context, page = open_essay(browser, base_url, WIDE, "default")
    visible = "() => [...document.querySelectorAll('aside.editorial-note, sup.note-ref')].filter(e => e.getClientRects().length).length"
    assert page.evaluate(visible) == 2 * len(source_notes())
    page.click("text=Read the essay alone")
    assert page.evaluate(visible) == 0
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(visible) == 0
    assert page.get_attribute(".notes-toggle button", "aria-pressed") == "true"
    page.click("text=Show the editors’ notes")
    assert page.evaluate(visible) == 2 * len(source_notes())
    context.close()


def test_the_editorial_headings_look_like_labels_not_like_the_essays_headings(browser, base_url):
    context, page = open_essay(browser, base_url, WIDE, "default")
    label = page.eval_on_selector("h2.editorial-heading", "e => [getComputedStyle(e).textTransform, parseFloat(getComputedStyle(e).fontSize)]")
    heading = page.eval_on_selector("h2:not(.editorial-heading)", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert label[0] == "uppercase" and label[1] < heading * 0.75
    context.close()


# -- nothing moves while the page loads (the layout is in place before the first paint) --------------------

@pytest.mark.parametrize("viewport", [TALL_WIDE, TALL_NARROW], ids=["1366", "390"])
def test_nothing_moves_while_the_essay_page_loads(browser, base_url, viewport):
    """The notes' layout and the "read alone" switch are in the page before its first paint (head script,
    the switch and the article's class from the build): the scripts move nothing. The CPU is slowed 4x, as
    Lighthouse's phone is, and the scripts come late, so that they run after the first paint. The screens are
    tall, so that the notes and the first paragraphs are in view (a shift is only counted there). Without the head
    script: 0.42 at 390 px, 0.09 at 1366 px."""
    narrow = viewport is TALL_NARROW
    context = browser.new_context(viewport=viewport, is_mobile=narrow, has_touch=narrow)
    page = context.new_page()
    page.route("**/*.js", late(0.4))  # the scripts arrive after the first paint, as on a slow connection
    page.add_init_script(LAYOUT_SHIFTS)
    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.goto(base_url + "essay/")
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(500)
    shifts = page.evaluate("window.__shifts")
    assert page.evaluate("performance.getEntriesByType('paint').length") and page.evaluate("document.documentElement.classList.contains('js')")
    assert sum(s["value"] for s in shifts) < 0.01, shifts
    assert page.evaluate("document.documentElement.classList.contains('notes-placed')") == (not narrow)
    position = page.evaluate("getComputedStyle(document.getElementById('note-1')).position")
    assert position == ("static" if narrow else "absolute")  # in the flow on a phone, in the margin on a desktop
    context.close()


def test_the_switch_is_in_the_built_page_and_hidden_where_scripts_do_not_run(built_site, browser, base_url):
    tree = lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))
    switch = tree.xpath('//p[contains(@class, "notes-toggle")]')
    assert len(switch) == 1 and "web-only" in switch[0].get("class")
    assert switch[0].getnext().get("id") == "p-1"  # just before the essay's first paragraph
    assert tree.xpath('//article[contains(@class, "md-content__inner") and contains(@class, "has-editorial-notes")]')
    head = tree.xpath("//head/script[contains(., 'notes-js')]")
    assert head and head[0].getnext() is not None  # in the head, before the stylesheets
    assert tree.xpath("//head/script[contains(., 'notes-js')]/following-sibling::link[@rel='stylesheet']")
    context = browser.new_context(viewport=WIDE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "essay/")
    assert not page.locator(".notes-toggle").is_visible()
    assert page.locator("#note-1").is_visible()  # after its paragraph, in the flow
    assert page.evaluate("getComputedStyle(document.getElementById('note-1')).position") == "static"
    context.close()


def test_the_switch_and_the_head_script_go_only_where_there_are_notes():
    html, _, _ = notes.key_notes(essay("x y z") + admonition("Editorial note 1: “y”"))
    page = "<html><head><meta charset='utf-8'><link rel=\"stylesheet\" href=\"a.css\"></head><body>" + notes.add_switch(html) + "</body></html>"
    assert page.index('class="notes-toggle web-only"') < page.index('id="p-1"')
    assert notes.add_switch(page) == page  # once
    with_script = notes.add_head_script(page)
    assert with_script.index(notes.HEAD_SCRIPT) < with_script.index('<link rel="stylesheet"')
    assert notes.add_head_script(with_script) == with_script
    article = '<article class="md-content__inner md-typeset">' + page + "</article>"
    marked = notes.mark_article(article)
    assert marked.startswith('<article class="md-content__inner md-typeset has-editorial-notes">')
    assert notes.mark_article(marked) == marked  # once
    bare = "<html><head></head><body>" + essay("no notes") + "</body></html>"
    assert notes.add_switch(bare) == bare and notes.add_head_script(bare) == bare
    assert notes.mark_article('<article class="md-content__inner md-typeset">' + bare + "</article>").count("has-editorial-notes") == 0


def test_note_markers_run_in_reading_order_each_at_a_quoted_phrase(built_site):
    """The markers in the essay's text read 1, 2, 3, ... (note 6 stood after note 7, at a paragraph's end, as its
    title quoted no phrase); every note's title quotes the words its marker stands at."""
    import lxml.html

    tree = lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))
    numbers = [int(n) for n in tree.xpath('//p[contains(@class, "essay-text")]//sup[contains(@class, "note-ref")]//text()') if n.strip().isdigit()]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 8, numbers
    source = (ROOT / "docs" / "essay.md").read_text(encoding="utf-8")
    titles = re.findall(r'^!!! note "Editorial note (\d+): (.*)"$', source, re.M)
    assert titles and all(title.startswith("\u201c") for _, title in titles), [t for t in titles if not t[1].startswith("\u201c")]


NOTE_GEOMETRY = """() => {
  const textRight = Math.max(...[...document.querySelectorAll('p.essay-text[id^="p-"]')].map(p => p.getBoundingClientRect().right));
  const line = parseFloat(getComputedStyle(document.getElementById('p-1')).lineHeight);
  const em = parseFloat(getComputedStyle(document.getElementById('p-1')).fontSize);
  const notes = [...document.querySelectorAll('aside.editorial-note')].map(n => {
    const m = document.getElementById('note-ref-' + n.id.replace('note-', '')); const r = n.getBoundingClientRect();
    return {left: r.left, top: r.top, bottom: r.bottom, marker: m.getBoundingClientRect().top,
            cue: getComputedStyle(n, '::after').content}; });
  return {textRight, line, em, notes}; }"""


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_notes_stand_beside_their_phrase(browser, base_url, width, height):
    """With no note open: the gutter between the text and the notes is at most 3 em; each note's top is within
    one line of its marker unless the note before it fills that space; a folded note says how to read the rest."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(base_url + "essay/")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("document.documentElement.classList.contains('notes-placed')")
        g = page.evaluate(NOTE_GEOMETRY)
        assert 0 < g["notes"][0]["left"] - g["textRight"] <= 3 * g["em"], g
        previous_bottom = None
        for n in g["notes"]:
            allowed = n["marker"] + g["line"]
            if previous_bottom is not None:
                allowed = max(allowed, previous_bottom + g["line"])
            assert n["top"] <= allowed + 1, (n, previous_bottom)
            previous_bottom = n["bottom"]
            assert n["cue"] not in ("none", "normal", ""), "a folded note shows that it goes on"
    finally:
        context.close()


def test_a_build_with_notes_numbered_against_the_text_stops_at_the_note(project_copy, tmp_path):
    """Notes 2 and 3 swapped in docs/essay.md: the markers read 1, 3, 2, ...; the build stops with one line at
    note 2's title, naming the note read before it."""
    essay_md = project_copy / "docs" / "essay.md"
    text = essay_md.read_text(encoding="utf-8")
    assert "Editorial note 2:" in text and "Editorial note 3:" in text
    essay_md.write_text(text.replace("Editorial note 2:", "Editorial note @:").replace("Editorial note 3:", "Editorial note 2:")
                        .replace("Editorial note @:", "Editorial note 3:"), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    line = essay_md.read_text(encoding="utf-8")[:essay_md.read_text(encoding="utf-8").index("Editorial note 2:")].count("\n") + 1
    problems = [l for l in result.stderr.splitlines() if "[notes.order]" in l]
    assert len(problems) == 1 and f"docs/essay.md:{line}:1: editorial note 2" in problems[0] and "after note 3's" in problems[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr
