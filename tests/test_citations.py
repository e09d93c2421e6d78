"""Citation scanning follows Pandoc's syntax and leaves code, comments, URLs and e-mail alone."""

from __future__ import annotations

import pytest

from scholarly_edition.citations import find_citations
from scholarly_edition.guard import AT_STANDIN, defuse_unknown_keys, protect_non_prose, restore_non_prose
from scholarly_edition.source import LineIndex, prose_mask


def keys(text: str) -> list[str]:
    return [use.key for use in find_citations(text)[0] if not use.in_front_matter and not use.in_link_definition]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[@a]", ["a"]),
        ("[@a; @b, p. 3]", ["a", "b"]),
        ("[see @a, ch. 2]", ["a"]),
        ("[-@a]", ["a"]),
        ("As @a argues.", ["a"]),
        ("@a [p. 33] says", ["a"]),
        ("[@castles:2009.x-y]", ["castles:2009.x-y"]),
        ("end of sentence @a.", ["a"]),
        ("[@a]: a link reference definition", []),
        ("[text](https://x.org/@user)", []),
        ("write to jane@example.org today", []),
        ("see https://x.org/@a and www.y.org/@b", []),
        ("`[@a]` in code", []),
        ("``[@a] ` b`` in code", []),
        ("<!-- [@a]\n@b -->", []),
        ("```\n[@a]\n```\n", []),
        ("~~~~ md\n[@a]\n~~~~\n", []),
        ("text\n\n    [@a] indented code\n", []),
        ("!!! note\n\n    [@a] in an admonition\n", ["a"]),
        ("- item\n\n    [@a] in a list item\n", ["a"]),
        ("---\ntitle: '@a'\n---\n[@b]\n", ["b"]),  # '@a' in the front matter is found, and reported (see test_gate_units)
        ("\\@a escaped", []),
        ("```\nunclosed [@a]\n", []),
    ],
)
def test_citation_scanning(text, expected):
    assert keys(text) == expected


def test_positions_are_those_of_the_source_file():
    text = "---\ntitle: x\n---\n\nline [@first] and\n  `code` then @second.\n"
    uses = find_citations(text)[0]
    assert [(u.key, u.line, u.col) for u in uses] == [("first", 5, 7), ("second", 6, 15)]


def test_empty_citations_are_found():
    assert find_citations("a [@] b [ @ ; x]")[1] == [(1, 3), (1, 9)]


def test_prose_mask_keeps_length_and_lines():
    text = "a `b` c\n```\nd\n```\n<!-- e\nf -->g https://h.i/j\n"
    masked = prose_mask(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert masked.split() == ["a", "c", "g"]


def test_line_index():
    index = LineIndex("ab\ncd\n\nef")
    assert [index.position(o) for o in (0, 1, 3, 6, 7, 8)] == [(1, 1), (1, 2), (2, 1), (3, 1), (4, 1), (4, 2)]


def test_at_signs_in_code_and_urls_are_hidden_from_mkdocs_bibtex_and_restored():
    text = "Cite [@a]. `[@b]` <https://x.org/@c>\n```\n@d\n```\n"
    hidden = protect_non_prose(text)
    assert hidden.count("@") == 1 and hidden.count(AT_STANDIN) == 3
    assert restore_non_prose(hidden) == text


def test_unknown_keys_are_shown_not_formatted():
    text = "A [@good; @bad2001, p. 2] and `@bad2001` and @bad2001x and @bad2001:2."
    assert defuse_unknown_keys(text, {"bad2001"}) == (
        'A [@good; <strong class="citation-unknown">bad2001?</strong>, p. 2] and `@bad2001` and @bad2001x and @bad2001:2.')


def test_a_stray_backtick_does_not_hide_later_paragraphs():
    assert keys("Don`t stop.\n\nAs shown [@smith2010].\n\nUse `code` here.") == ["smith2010"]


def test_bold_text_ending_in_a_question_mark_is_not_an_unknown_citation():
    from scholarly_edition.rendered import check_rendered_html

    html = '<p><strong>Why?</strong> and <strong class="citation-unknown">bad2001?</strong> and <strong>smith2010?</strong></p>'
    found = check_rendered_html(html, "**Why?** [@bad2001] @smith2010", "docs/x.md")
    assert sorted(p.message.split("'")[1] for p in found) == ["bad2001", "smith2010"]


def test_citations_in_image_alt_text_are_found_and_others_not():
    from scholarly_edition.citations import in_image_alt

    text = ("![A chart [@a]](chart.svg) and ![Map [see @b, p. 2]][map]\n\n"
            "A link [text [@c]](https://example.org), a sentence [@d], `![code [@e]](x)`.\n")
    uses, _ = find_citations(text)
    assert [u.key for u in in_image_alt(text, uses)] == ["a", "b"]
    assert {u.key for u in uses} >= {"a", "b", "c", "d"}
