"""The copy-text is compared with the essay as the page renders it: with smarty on, '--', '---', '...' and
straight quotes are shown as dashes, an ellipsis and curly quotes, so a copy-text holding them as written is
word for word on the page only where they are escaped; and a copy-text with curly quotes matches a page that
writes straight ones, as the reader sees curly ones."""

from __future__ import annotations

import markdown
import pytest

from scholarly_edition.checks import smarty_enabled
from scholarly_edition.copytext import _rendered_tokens, check_copy_text

STRAIGHT = "He said \"no\" -- twice... and don't --- ever."
RENDERED = "He said \u201cno\u201d \u2013 twice\u2026 and don\u2019t \u2014 ever."
ESCAPED = "He said \\\"no\\\" \\-\\- twice\\.\\.\\. and don\\'t \\-\\-\\- ever."


def page(paragraph: str) -> str:
    return f"# Essay\n\n{paragraph}\n{{: .essay-text #p-1 }}\n"


def check(tmp_path, copy_text: str, paragraph: str, smarty: bool):
    copy = tmp_path / "copy.txt"
    copy.write_text(copy_text + "\n", encoding="utf-8")
    return [str(p) for p in check_copy_text(page(paragraph), "docs/essay.md", copy, "sources/copy.txt", smarty=smarty)]


def test_the_rendered_tokens_are_what_smarty_shows():
    shown = markdown.Markdown(extensions=["smarty"]).convert(STRAIGHT)
    assert "&ldquo;no&rdquo; &ndash; twice&hellip;" in shown and "&mdash;" in shown  # smarty's own output
    assert [t for t, _ in _rendered_tokens(STRAIGHT, 0)] == ["He", "said", "\u201c", "no", "\u201d", "\u2013", "twice", "\u2026",
                                                               "and", "don", "\u2019", "t", "\u2014", "ever", "."]
    offsets = dict((t, at) for t, at in _rendered_tokens(STRAIGHT, 100))
    assert offsets["\u2013"] == 100 + STRAIGHT.index("--") and offsets["\u2014"] == 100 + STRAIGHT.index("---")


def test_a_copy_text_with_straight_quotes_and_hyphens_is_not_word_for_word_under_smarty(tmp_path):
    problems = check(tmp_path, STRAIGHT, STRAIGHT, smarty=True)
    assert problems == ["docs/essay.md:3:9: the essay's text differs from the copy-text here: the page shows '\u201c' (smarty renders "
                        "'\"' so) where sources/copy.txt:1:9 has '\"' (\u2026He said\" no\"-\u2026); write \\\" to show the copy-text's "
                        "characters [essay.changed]"]


def test_escaped_they_stay_as_written_and_pass(tmp_path):
    assert check(tmp_path, STRAIGHT, ESCAPED, smarty=True) == []
    shown = markdown.Markdown(extensions=["smarty"]).convert(ESCAPED)
    assert '"no" -- twice... and don\'t --- ever.' in shown  # and the page does show them as written


def test_a_dash_written_as_hyphens_is_named_with_its_escape(tmp_path):
    copy = STRAIGHT.replace('"no"', "\u201cno\u201d")
    problems = check(tmp_path, copy, STRAIGHT.replace('"no"', "\u201cno\u201d"), smarty=True)
    assert len(problems) == 1 and problems[0].startswith("docs/essay.md:3:14: ")
    assert "the page shows '\u2013' (smarty renders '--' so)" in problems[0] and "write \\-\\- to show" in problems[0]


def test_a_copy_text_with_curly_quotes_matches_straight_ones_that_render_curly(tmp_path):
    assert check(tmp_path, RENDERED, STRAIGHT, smarty=True) == []
    assert check(tmp_path, RENDERED, STRAIGHT, smarty=False) != []  # without smarty the page shows them straight


def test_without_smarty_the_source_is_the_page(tmp_path):
    assert check(tmp_path, STRAIGHT, STRAIGHT, smarty=False) == []


def test_a_changed_word_is_still_reported_as_one(tmp_path):
    problems = check(tmp_path, RENDERED, STRAIGHT.replace("twice", "thrice"), smarty=True)
    assert len(problems) == 1 and "the page has 'thrice' where sources/copy.txt:1:" in problems[0]
    assert "restore the copy-text's words" in problems[0]


@pytest.mark.parametrize(("extensions", "on"), [
    (["toc", "smarty"], True), ([{"smarty": {"smart_angled_quotes": True}}], True),
    (["markdown.extensions.smarty"], True), (["toc", "attr_list"], False), (None, False),
])
def test_smarty_is_read_from_markdown_extensions(extensions, on):
    assert smarty_enabled(extensions) is on
