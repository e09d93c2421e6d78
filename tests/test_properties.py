"""[7/8] Property-based tests: random and mutated Markdown, BibTeX and glossary input never crash the checks.

Every parser the checks use is fed text that a contributor could plausibly produce (a real file with random
edits) as well as arbitrary text; the result must be a list of problems, never an exception.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from scholarly_edition.bibcheck import check_entries
from scholarly_edition.bibdata import load_bib_files
from scholarly_edition.checks import CheckSession, Settings
from scholarly_edition.citations import broken_citations, find_citations
from scholarly_edition.content import front_matter_problems, page_anchors, security_problems, structure_problems
from scholarly_edition.diagnostics import Problem
from scholarly_edition.glossary import load_glossary, render_glossary_markdown
from scholarly_edition.source import prose_mask
from scholarly_edition.terms import TermIndex, scan_page

ESSAY = (ROOT / "docs" / "essay.md").read_text(encoding="utf-8")
ABOUT = (ROOT / "docs" / "about.md").read_text(encoding="utf-8")
BIB = (ROOT / "bib" / "references.bib").read_text(encoding="utf-8")
GLOSSARY = (ROOT / "glossary" / "terms.yml").read_text(encoding="utf-8")
MARKDOWN_BITS = ["[@", "]", "[", "@", "`", "```", "~~~", "\n", "    ", "---\n", "<!--", "-->", "{ #x }", "[[", "]]",
                 "|", "(", ")", "![a](", "<script>", "<a href=\"", "javascript:", "#", "*", ":", "\"", "\\", "ASEM", "é"]
BIB_BITS = ["@", "{", "}", ",", "=", "\"", "%", "\n", "@misc{", "title = {", "author", "and", "--", "\\", "é"]
YAML_BITS = ["- term:", "\n", "  ", ":", "[", "]", "{", "}", "'", "\"", "#", "- ", "definition: ", "cite: [", "&a", "*a", "\t"]
# max_examples comes from the profile conftest.py loads: 120 in make test, fewer in make test-quick
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw, base: str, bits: list[str]) -> str:
    """A real file with a few random deletions and insertions, as a contributor's typo would make it."""
    text = base
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + text[at + draw(st.integers(0, 40)):]
        else:
            text = text[:at] + draw(st.one_of(st.sampled_from(bits), st.text(max_size=8))) + text[at:]
    return text


def test_settings_are_sane():
    assert "ASEM" in ESSAY and "@article" in BIB and "- term:" in GLOSSARY


@FAST
@given(st.one_of(mutated(ESSAY, MARKDOWN_BITS), mutated(ABOUT, MARKDOWN_BITS), st.text(max_size=300)))
def test_markdown_scanners_never_crash(text):
    masked = prose_mask(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    uses, empties = find_citations(text)
    for use in uses:
        assert 1 <= use.line <= text.count("\n") + 1 and use.col >= 1
        assert text[use.offset] == "@"
    for problem in broken_citations(text, "docs/x.md"):
        assert problem.path == "docs/x.md" and problem.line >= 1 and problem.code.startswith("cite.")
    for check in (front_matter_problems, structure_problems, security_problems):
        assert all(isinstance(p, Problem) for p in check(text, "docs/x.md"))
    assert isinstance(page_anchors(text), set)


@FAST
@given(st.one_of(mutated(BIB, BIB_BITS), st.text(max_size=300)))
def test_bibtex_loading_never_crashes(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("bib") / "x.bib"
    path.write_text(text, encoding="utf-8")
    entries, problems = load_bib_files([(path, "bib/x.bib")])
    problems += check_entries(entries.values())
    for problem in problems:
        assert problem.path == "bib/x.bib" and problem.line >= 1 and problem.code.startswith("bib.")


@FAST
@given(st.one_of(mutated(GLOSSARY, YAML_BITS), st.text(max_size=300)))
def test_glossary_loading_never_crashes(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("glossary") / "terms.yml"
    path.write_text(text, encoding="utf-8")
    terms, problems = load_glossary(path, "glossary/terms.yml")
    assert all(p.code.startswith("glossary.") for p in problems)
    render_glossary_markdown(terms)
    index = TermIndex(terms)
    scan_page(ABOUT, "docs/about.md", index, set(), expand_first_use=True)


@settings(max_examples=max(10, settings.default.max_examples // 3), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated(ESSAY, MARKDOWN_BITS), mutated(GLOSSARY, YAML_BITS))
def test_a_whole_session_never_crashes(tmp_path_factory, page, glossary):
    root = tmp_path_factory.mktemp("site")
    (root / "bib").mkdir()
    (root / "bib" / "references.bib").write_text(BIB, encoding="utf-8")
    (root / "terms.yml").write_text(glossary, encoding="utf-8")
    settings_ = Settings(root=root, docs_dir=root / "docs", bib_files=[root / "bib" / "references.bib"], glossary_file=root / "terms.yml")
    session = CheckSession(settings_)
    session.load_data()
    session.check_pages({"essay.md": ("docs/essay.md", page), "about.md": ("docs/about.md", ABOUT)})
    session.finish()
    assert all(str(p).startswith(("docs/", "bib/", "terms.yml")) for p in session.problems)
    assert Path(root / "bib" / "references.bib").read_text(encoding="utf-8") == BIB  # checks never write sources


@FAST
@given(st.text(alphabet="[]ab\\\n", max_size=300))
def test_innermost_brackets_are_the_spans_that_hold_no_other_span(text):
    """The linear _innermost ([6/6]: it was a scan of every span for every span) keeps exactly the matched
    brackets that hold no other bracket, as the quadratic definition does, on any text of brackets."""
    from scholarly_edition.citations import _brackets, _innermost

    spans, _ = _brackets(text)
    expected = sorted((s, e) for s, e in spans if not any(s < s2 and e2 < e for s2, e2 in spans))
    assert _innermost(spans) == expected


def test_innermost_compares_each_bracket_with_one_other_only():
    """Work counted, not timed: on 2,000 brackets in a row the spans are looked at a constant number of times each
    (the old scan made 4 million comparisons)."""
    from scholarly_edition import citations

    class Counted(tuple):
        looks = 0

        def __getitem__(self, index):
            Counted.looks += 1
            return tuple.__getitem__(self, index)

        def __iter__(self):  # unpacking a span (s, e) is a look too
            Counted.looks += 1
            return tuple.__iter__(self)

    spans = [Counted((2 * i, 2 * i + 2)) for i in range(2000)] + [Counted((0, 4001))]
    inner = citations._innermost(spans)
    assert len(inner) == 2000 and (0, 4001) not in inner
    assert Counted.looks <= 4 * len(spans), Counted.looks


@FAST
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=12), st.integers(-2, 80), st.booleans())
def test_disjoint_spans_answer_as_a_scan_of_every_span_would(pieces, at, after_start):
    """citations.Disjoint ([6/6]: one bisection where a scan of every span was quadratic on the whole site's text)
    answers ``start <= at < end`` (``start < at < end`` with after_start) exactly as the scan does, on any spans
    that do not overlap, at their edges too."""
    from scholarly_edition.citations import Disjoint

    spans, end = [], 0
    for gap, length in pieces:  # spans that never overlap, given in any order
        spans.append((end + gap, end + gap + length))
        end += gap + length
    spans.reverse()
    scan = any((s < at if after_start else s <= at) and at < e for s, e in spans)
    assert Disjoint(spans).holds(at, after_start=after_start) == scan
