"""Search finds the essay's words as the page shows them, including words after curly quotes (‘disposable’),
which Material's English separator ([\\s\\-]+) left glued to the quote; in Chromium, on the built site."""

from __future__ import annotations

import re

import lxml.html
import pytest

from scholarly_edition.hook import SEARCH_SEPARATOR

pytestmark = pytest.mark.browser

QUOTES = "\u2018\u201c"


def _essay_words(built_site) -> list[str]:
    """20 words of the rendered essay: every word right after an opening curly quote, then others spread over
    the paragraphs (long words, so that the stop-word filter keeps them)."""
    tree = lxml.html.fromstring((built_site / "essay" / "index.html").read_text(encoding="utf-8"))
    text = " ".join(" ".join(p.text_content().split()) for p in tree.xpath('//p[contains(@class, "essay-text")]'))
    quoted = list(dict.fromkeys(m.group(1) for m in re.finditer(rf"[{QUOTES}]([A-Za-z]{{4,}})", text)))
    others = [w for w in dict.fromkeys(re.findall(r"(?<![\w\u2018\u201c])[a-z]{9,}(?![\w])", text)) if w not in quoted]
    words = quoted[:10] + others[:: max(1, len(others) // (20 - len(quoted[:10])))]
    return words[:20]


def test_the_separator_splits_at_curly_quotes_and_dashes():
    pattern = re.compile(SEARCH_SEPARATOR)
    assert pattern.split("a ‘disposable’ “commodity”—labour–market") == ["a", "disposable", "commodity", "labour", "market"]


def test_search_finds_twenty_words_of_the_essay_including_words_after_curly_quotes(browser, base_url, built_site):
    words = _essay_words(built_site)
    assert len(words) == 20 and sum(1 for w in words if re.search(rf"[{QUOTES}]{w}", (built_site / "essay" / "index.html").read_text(encoding="utf-8"))) >= 3
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(base_url + "essay/")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    missed = []
    for word in words:
        page.fill("input.md-search__input", "")
        page.keyboard.type(word)  # Material searches on key events, not on a filled value
        page.wait_for_function(
            """(word) => { const meta = document.querySelector('.md-search-result__meta');
                           return document.querySelector('input.md-search__input').value === word && meta
                                  && /matching/.test(meta.textContent); }""", arg=word, timeout=10000)
        page.wait_for_timeout(300)  # the worker answers per keystroke; let the answer to the last one land
        links = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(a => a.getAttribute('href'))")
        if not any(f"essay/?h={word}#" in (href or "") for href in links):  # a hit opens at its section
            missed.append(word)
    context.close()
    assert missed == [], f"not found on the essay page: {missed} (of {words})"
