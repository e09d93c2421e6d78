"""[8/8] Citations formatted in the background: pages rendered with placeholder tokens read exactly as pages
rendered with the formatted citations in place (same HTML, same search index), whatever the text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from scholarly_edition import deferred
from scholarly_edition.glossary import load_glossary
from scholarly_edition.terms import abbreviation_definitions
from test_batch import build

sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture(scope="session")
def renderer():
    """Python-Markdown with the extensions and abbreviations of the real site (mkdocs.yml, glossary)."""
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    terms, _ = load_glossary(ROOT / "glossary" / "terms.yml", "glossary/terms.yml")
    md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)

    def render(text: str) -> str:
        md.reset()
        return md.convert(text + "\n\n" + abbreviation_definitions(terms))

    return render, [t.abbr for t in terms if t.abbr]


def test_plain_citations_need_no_rendering_and_others_do(renderer):
    _, abbreviations = renderer
    assert deferred.renders_as_itself("(Juego 2010, 3)", abbreviations)
    assert deferred.renders_as_itself("(see Hugo 2005; Kraler 2009, ch. 2)", abbreviations)
    for text in ['("Title" 2010)', "(Asis 2006, 3--4)", "(ASEM 2006)", "1999. Text", "(a_b 2010)", "(Smith 2010...)",
                 "(Smith *et al.* 2010)", " (Juego 2010)", "(O'Neil 2010)", "(A & B 2010)"]:
        assert not deferred.renders_as_itself(text, abbreviations), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("abcXYZ019 ,.;:()-–_'\"*é&<") + ["ASEM", "EU", "--", "...", "1. ", "- "]), max_size=25).map("".join))
def test_text_said_to_render_as_itself_does(renderer, text):
    render, abbreviations = renderer
    if deferred.renders_as_itself(text, abbreviations):
        assert render(text) == f"<p>{text}</p>"


def test_many_texts_are_rendered_in_one_run_as_each_alone(renderer):
    render, abbreviations = renderer
    texts = ['Juego, Bonn. 2010. "Migration in Asia-Europe Relations." *Paper*, 3--4.', "(Juego 2010, 3)",
             "1. Group. 2001. *Title*.", "one\n\ntwo", "<div>raw</div>", "The ASEM process ... 'quoted'", "(Hugo 2005)"]
    calls = []
    out = deferred.render_texts(texts, abbreviations, lambda source: calls.append(source) or render(source))
    assert len(calls) == 1
    for text, html in zip(texts, out):
        alone = render(text).strip()
        single = re.fullmatch(r"<p>(.*)</p>", alone, re.S)
        assert html == (single.group(1) if single and "<p>" not in single.group(1) else None), text
    assert out[2] is None and out[3] is None and out[4] is None and out[0] is not None


def test_headings_with_citations_are_recognised():
    assert deferred.cites_in_heading("# Title\n\n## Migration [@juego2010]\n")
    assert deferred.cites_in_heading("Migration [@juego2010]\n---------------\n")
    assert not deferred.cites_in_heading("# Title\n\nText [@juego2010].\n\n---\n")


def _batch(inline: dict, references: dict) -> deferred.DeferredCitations:
    answer: Future = Future()
    answer.set_result((inline, references))
    batch = deferred.DeferredCitations(list(inline), list(references), answer)
    assert batch.resolve(wait=True)
    return batch


def test_tokens_are_replaced_and_markdown_restored():
    batch = _batch({"[@a]": "([A 2010](#ref-a))", "[@b, p. 3]": "([B 2011, 3](#ref-b))"}, {"b": "B. 2011. *Book*.", "a": "A. 2010. *Paper*."})
    tokens, marks, refs = batch.inline_tokens(), batch.inline_marks(), batch.reference_tokens()
    page = f'Text {marks["[@b, p. 3]"]}.\n\n<div id="ref-b" class="csl-entry" markdown>\n{refs["b"]}\n</div>'
    assert batch.restore_markdown(page) == 'Text ([B 2011, 3](#ref-b)).\n\n<div id="ref-b" class="csl-entry" markdown>\nB. 2011. *Book*.\n</div>'
    html = f'<p>Text <a href="zqx:">{tokens["[@a]"]}</a>.</p><div class="csl-entry" id="ref-a"><p>{refs["a"]}</p></div>'

    def render(texts):
        return [t.replace("*Paper*", "<em>Paper</em>").replace("[A 2010](#ref-a)", '<a href="#ref-a">A 2010</a>') for t in texts]

    assert batch.substitute_html(html, render) == \
        '<p>Text (<a href="#ref-a">A 2010</a>).</p><div class="csl-entry" id="ref-a"><p>A. 2010. <em>Paper</em>.</p></div>'


@pytest.mark.parametrize("where", [
    '<h2 id="heading-{c}">Heading <a href="zqx:">{c}</a></h2>',  # a heading's anchor
    '<img alt="Chart {c}" src="x.png">',  # an image's alt text
    "<figcaption>Source: [{c}](zqx:)</figcaption>",  # raw HTML, where Markdown did not run
    '<p>UN<a href="zqx:">{c}</a></p>',  # glued to a word (an abbreviation would not be found)
    '<p><em>see <a href="zqx:">{c}</a></em></p>',  # inside emphasis, with a formatted text that has markup
])
def test_a_token_outside_prose_asks_for_the_page_to_be_rendered_again(where):
    batch = _batch({"[@a]": "(*Title* 2010)"}, {"a": "A. 2010."})
    html = where.format(c=batch.inline_tokens()["[@a]"])
    assert batch.substitute_html(html, lambda texts: [t.replace("*Title*", "<em>Title</em>") for t in texts]) is None


def test_a_text_that_is_not_one_paragraph_asks_for_the_page_to_be_rendered_again():
    batch = _batch({"[@a]": "(A 2010)"}, {"a": "1. Group. 2010."})
    html = f'<p><a href="zqx:">{batch.inline_tokens()["[@a]"]}</a></p><p>{batch.reference_tokens()["a"]}</p>'
    assert batch.substitute_html(html, lambda texts: [None if t.startswith("1.") else t for t in texts]) is None


def test_reference_list_entries_are_put_in_the_style_order():
    batch = _batch({}, {"b": "B", "c": "C", "a": "A"})
    entries = [f'<div class="csl-entry" id="ref-{k}">\n<p>{k.upper()}</p>\n</div>' for k in "abc"]
    html = '<div class="references">\n' + "\n".join(entries) + "\n</div>"
    assert re.findall(r'id="ref-(\w)"', batch.reorder_entries(html)) == ["b", "c", "a"]


def test_marked_tokens_become_linked_citations():
    batch = _batch({"[@a]": "([A 2010](#ref-a))"}, {"a": "A. 2010."})
    mark = batch.inline_marks()["[@a]"]
    assert mark == f"[{batch.inline_tokens()['[@a]']}](zqx:)"
    assert batch.restore_markdown(f"Text {mark}.") == "Text ([A 2010](#ref-a))."
    html = f'<p>Text <a href="zqx:">{batch.inline_tokens()["[@a]"]}</a>.</p>'
    out = batch.substitute_html(html, lambda texts: [t.replace("([A 2010](#ref-a))", '(<a href="#ref-a">A 2010</a>)') for t in texts])
    assert out == '<p>Text (<a href="#ref-a">A 2010</a>).</p>'
    # a token that is not in its mark (alt text, raw HTML) asks for the page to be rendered again
    assert batch.substitute_html(f'<img alt="Chart {batch.inline_tokens()["[@a]"]}">', lambda texts: texts) is None


def test_an_error_in_the_background_run_is_raised_where_it_is_waited_for():
    def fail():
        raise ValueError("Pandoc failed")

    batch = deferred.DeferredCitations(["[@a]"], ["a"], deferred.in_background(fail))
    with pytest.raises(ValueError, match="Pandoc failed"):
        batch.resolve(wait=True)


TRICKY_BIB = """
@misc{group2001,
  author = {{1. Group}},
  title = {A Report by a Numbered Group},
  year = {2001},
  verifiedat = {synthetic},
  confidence = {verified}
}

@book{same2005a,
  author = {Same, Anna},
  title = {First Book on "Quoted" Things -- and Dashes},
  publisher = {Synthetic Press},
  year = {2005},
  verifiedat = {synthetic},
  confidence = {verified}
}

@book{same2005b,
  author = {Same, Anna},
  title = {Second Book on the {ASEM} Process},
  publisher = {Synthetic Press},
  year = {2005},
  verifiedat = {synthetic},
  confidence = {verified}
}
"""

TRICKY_BIB += """
@manual{handbook2010,
  title = {Anonymous Handbook},
  year = {2010},
  verifiedat = {synthetic},
  confidence = {verified}
}
"""

TRICKY_PAGE = """---
title: Tricky
expand_abbreviations: false
---

# Tricky

A numbered group [@group2001] and two works of one author in one year [@same2005a, 3; @same2005b].
"Quoted" text before a citation [see @same2005b, ch. 2].
As @same2005a [p. 4] argues, narrative citations read as Pandoc gives them.

| Work | Source |
|---|---|
| table cell | [@same2005a, 7] |

!!! note "A note"

    Text in the note [@same2005a, 9].
"""

# Pages whose tokens are not in prose: each must be rendered again from its Markdown (one case per page).
OUTSIDE_PROSE = {
    "note-heading.md": '# Note\n\n!!! note "A note"\n\n    ## A heading in a note [@same2005b]\n\n    Text.\n',
    "quote-heading.md": "# Quote\n\n> ## A heading in a quotation [@group2001]\n",
    "emphasis.md": "# Emphasis\n\n*Emphasis around a citation with an italic title [see @handbook2010, 12]*.\n",
    "glued.md": "# Glued\n\nThe work[@same2005b]s glued to words on both sides.\n",
}
# Glued to an abbreviation: the token's mark starts with "[" as the formatted text starts with "(", so the
# abbreviation is found either way and the page needs no second rendering (its HTML is compared all the same).
IN_PROSE = {"abbr-glued.md": "---\nexpand_abbreviations: false\n---\n\n# Glued\n\nThe EU[@same2005b] glued to an abbreviation.\n"}

HEADING_PAGE = """# Last page

## Heading with a citation [@same2005a]

Its text is the title, the table of contents entry and the anchor, so this page waits for Pandoc.
"""


@pytest.mark.builds
def test_a_site_built_with_tokens_reads_exactly_as_one_built_without(tmp_path):
    import run as bench

    site = bench.generate(tmp_path / "site", 12, entries=60)
    with (site / "bib" / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(TRICKY_BIB)
    (site / "docs" / "tricky.md").write_text(TRICKY_PAGE, encoding="utf-8")
    (site / "docs" / "zz-heading.md").write_text(HEADING_PAGE, encoding="utf-8")  # rendered last
    for name, text in {**OUTSIDE_PROSE, **IN_PROSE}.items():
        (site / "docs" / name).write_text(text, encoding="utf-8")
    outputs, counts = {}, {}
    for mode in ("wait", "deferred", "fallback"):
        out = tmp_path / mode
        if mode == "fallback":  # as if one formatted reference were not a single paragraph
            result = _build_with_unrenderable(site, out, "Numbered Group")
        else:
            result = build(site, out, verbose=True, EDITION_BATCH_CITATIONS=mode)
        found = re.search(r"(\d+) page\(s\) rendered before it answered, (\d+) of them rendered again", result.stderr)
        assert found, (mode, result.stderr[-3000:])
        counts[mode] = tuple(map(int, found.groups()))
        outputs[mode] = {p.relative_to(out): _stable(p.read_text(encoding="utf-8")) for p in sorted(out.rglob("*"))
                         if p.suffix in (".html", ".json")}
    # Without tokens; with tokens on every page but the last (its heading cites), the pages whose tokens are
    # outside prose rendered again; and again every page that cites the numbered group.
    assert counts["wait"] == (0, 0)
    assert counts["deferred"][0] >= 15 and counts["deferred"][1] == len(OUTSIDE_PROSE)
    assert counts["fallback"][0] == counts["deferred"][0] and counts["fallback"][1] > counts["deferred"][1]
    waited = outputs["wait"]
    for mode in ("deferred", "fallback"):
        assert outputs[mode].keys() == waited.keys() and len(waited) > 15
        assert [str(p) for p in waited if waited[p] != outputs[mode][p]] == [], mode
    tricky = waited[Path("tricky/index.html")]
    assert "2005a" in tricky and "2005b" in tricky and "1. Group. 2001." in tricky.split('class="references"')[1]
    assert 'id="heading-with-a-citation"' in waited[Path("zz-heading/index.html")]  # a heading that cites gets its id from its own words (the citation is not part of it)
    assert 'As Same (<a class="citation" href="#ref-same2005a" data-ref="same2005a">2005a, 4</a>) argues' in tricky
    assert not any(deferred.TOKEN.search(text) for site in outputs.values() for text in site.values())


def _build_with_unrenderable(site: Path, out: Path, marker: str) -> subprocess.CompletedProcess:
    """A real build in which the one-run rendering gives up on texts containing ``marker``, so the pages
    holding them are rendered again from their restored Markdown."""
    script = f"""
import sys, runpy
from scholarly_edition import deferred
split = deferred.split_rendered
deferred.split_rendered = lambda html, count: [None if h and {marker!r} in h else h for h in split(html, count)]
sys.argv = ["mkdocs", "build", "-v", "-d", {str(out)!r}]
runpy.run_module("mkdocs", run_name="__main__")
"""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", EDITION_EXPORT="false", EDITION_BATCH_CITATIONS="deferred")
    result = subprocess.run([sys.executable, "-c", script], cwd=site, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    return result


def _stable(text: str) -> str:
    """Without the build time that Material's last-update date shows for files outside git history."""
    return re.sub(r'title="[^"]*\d\d:\d\d:\d\d[^"]*"', 'title=""', text)


@pytest.mark.builds
def test_a_failing_pandoc_run_ends_the_build_with_one_line(tmp_path):
    import pypandoc

    import run as bench

    site = bench.generate(tmp_path / "site", 3, entries=20)
    wrapper = tmp_path / "pandoc"
    wrapper.write_text(f'#!/bin/sh\ncase "$*" in *--citeproc*) echo "citeproc: out of memory" >&2; exit 83;; esac\n'
                       f'exec "{pypandoc.get_pandoc_path()}" "$@"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", EDITION_EXPORT="false", PYPANDOC_PANDOC=str(wrapper))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "out")], cwd=site,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "Pandoc could not format the citations" in result.stderr and "out of memory" in result.stderr
    assert "Traceback" not in result.stderr
