"""[4/6] A real 10,000-line library Pandoc refuses in 624 places: Better BibTeX's test fixture for its issue 873
("Some bibtex entries quietly discarded on import from bib file", tests/realworld/bib/retorquere__zotero-better-bibtex/,
MIT, see the manifest). 594 of its entries are written ``@type(key, ...)`` and 30 comments ``@Comment text`` with
no braces; Pandoc's reader stops at each (it reads neither), BibTeX reads both. The check must read the other
entries as Pandoc does, report each refused block once at its own place and nothing else, and do it in seconds:
it took 244 s and raised 5,000 false alarms when every refusal cost a reading of everything again."""

from __future__ import annotations

import json
import re
import time

import pytest

from conftest import ROOT
from scholarly_edition.bibdata import load_bibliography, scan

CORPUS = ROOT / "tests" / "realworld"
LOCAL = "bib/retorquere__zotero-better-bibtex/test__fixtures__import__Some bibtex entries quietly discarded on import from bib file #873.bib"
FIXTURE = CORPUS / LOCAL
ORACLE = json.loads((CORPUS / "oracle" / "bib.json").read_text(encoding="utf-8"))[LOCAL]


@pytest.fixture(scope="module")
def cold(tmp_path_factory):
    """The fixture read once with an empty cache: (bibliography, seconds)."""
    start = time.perf_counter()
    bibliography = load_bibliography([(FIXTURE, LOCAL)], tmp_path_factory.mktemp("bib-cache"))
    return bibliography, time.perf_counter() - start


def test_the_fixture_is_read_cold_in_seconds(cold):
    # 1.0 s on the 2-core machine (bench/results-bib.md); 30 s leaves room for a busy machine, and is still
    # far below the 244 s of one Pandoc run per refused block
    assert cold[1] < 30


def test_the_entries_are_the_ones_pandoc_reads(cold):
    bibliography, _ = cold
    # Pandoc's reading (tools/realworld-oracle), with the blocks it refuses taken out one by one
    assert len(ORACLE["entries"]) == 392 and len(ORACLE["failing_entries"]) == 624
    assert sorted(bibliography.entries) == sorted(ORACLE["entries"])
    # of a key written twice in braces Pandoc keeps the last entry, BibTeX and the check the first (reported as a
    # duplicate); a key written first in parentheses, then in braces, is the one in braces for both
    in_braces = re.findall(r"(?m)^[ \t]*@[A-Za-z]+[ \t]*\{[ \t]*([^,\s]+)\s*,", FIXTURE.read_text(encoding="utf-8"))
    twice = {key for key in in_braces if in_braces.count(key) > 1}
    assert len(twice) == 2 and {"Etzioni:Softbots", "Sandewall:92"} <= set(bibliography.entries)
    for key, theirs in ORACLE["entries"].items():
        if key in twice:
            continue
        mine = bibliography.entries[key].csl
        assert (mine["type"], mine.get("title"), len(mine.get("author") or [])) == (theirs["type"], theirs["title"], theirs["author_count"]), key


def test_each_refused_block_is_reported_once_at_its_place_and_nothing_else(cold):
    bibliography, _ = cold
    text = FIXTURE.read_text(encoding="utf-8")
    syntax = [p for p in bibliography.problems if p.code == "bib.syntax"]
    # each entry in parentheses at its '(', each comment without braces where Pandoc wanted its '{' (found here
    # with plain patterns, not with the scanner under test)
    def place(offset: int) -> tuple[int, int]:
        return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)

    parens = [place(m.end() - 1) for m in re.finditer(r"(?m)^[ \t]*@[A-Za-z]+\(", text)]
    bare = [place(m.end()) for m in re.finditer(r"@[Cc][Oo][Mm][Mm][Ee][Nn][Tt](?:\s|%[^\n]*)*(?=[^\s{%])", text)]
    assert len(parens) == 594 and len(bare) == 30
    expected = parens + bare
    assert sorted((p.line, p.col) for p in syntax) == sorted(expected)
    assert len(syntax) == 594 + 30 == len(ORACLE["failing_entries"])
    in_parens = [p for p in syntax if "unexpected '('" in p.message]
    assert len(in_parens) == 594 and all("reads no parentheses around an entry" in p.message for p in in_parens)
    comments = [p for p in syntax if p not in in_parens]
    assert all("Pandoc reads a comment only in braces" in p.message for p in comments), [str(p) for p in comments]
    # the false alarms of the old reading: none
    assert not [p for p in syntax if "never closed" in p.message or "did not read" in p.message]
    assert sorted(bibliography.broken) == sorted({k for k in ORACLE["failing_entries"] if not k.startswith("@")} - set(ORACLE["entries"]))


def test_the_text_handed_to_pandoc_reads_whole(cold, tmp_path):
    """What the build gives Pandoc (refused blocks blanked, lines kept) reads without an error, every entry."""
    import subprocess

    from scholarly_edition.bibdata import pandoc_path

    bibliography, _ = cold
    handed = tmp_path / "handed.bib"
    handed.write_text(bibliography.texts[0], encoding="utf-8")
    done = subprocess.run([pandoc_path(), "-f", "biblatex", "-t", "csljson", str(handed)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted({item["id"] for item in json.loads(done.stdout)}) == sorted(bibliography.entries)


# ---------------------------------------------------------------------------------------- the reading, unit


@pytest.mark.parametrize(
    ("text", "strays", "kinds"),
    [
        # each checked against Pandoc 3.9: an '@' outside a block starts one, whatever follows it
        ("@article{a, title={x}}\n\n@Comment Len Schubert\n\n@article{b, title={y}}\n", [(3, 10, "@Comment")], ["article", "article"]),
        ("@article{a, title={x}}\n@Comment %%GRAEME HIRST\n@article{b, title={y}}\n", [(3, 1, "@Comment")], ["article", "article"]),
        ("@article{a, title={x}}\n   e-mail: beebe@math.utah.edu\n", [(2, 22, "@math")], ["article"]),
        ("@article{a, title={x}}\n@article_x{c, title={x}}\n", [(2, 9, "@article")], ["article"]),
        ("@article{a, title={x}}\n @ Comment{x}\n", [(2, 3, "@")], ["article"]),
        # blocks, not strays: braces after white space or a line break, '@' inside a value or a commented line
        ("@ARTICLE {b, title={y}}\n@Comment\n{x}\n@misc{c, note={mail beebe@math.utah.edu}}\n% @misc{x, title={t}}\n", [], ["article", "comment", "misc"]),
    ],
)
def test_stray_at_signs_are_found_where_pandoc_stops(text, strays, kinds):
    blocks, _, found = scan(text)
    assert [b.kind for b in blocks] == kinds
    assert [(text.count("\n", 0, s.at) + 1, s.at - text.rfind("\n", 0, s.at), text[s.start:s.end]) for s in found] == strays


def test_a_comment_without_braces_is_one_problem_and_the_entries_around_it_are_read(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("@article{a, title={X}, author={Doe, Jane}, year=2001}\n\n@Comment Len Schubert\n\n"
                    "@article{b, title={Y}, author={Roe, Ann}, year=2002}\n", encoding="utf-8")
    bibliography = load_bibliography([(path, "bib/refs.bib")])
    assert sorted(bibliography.entries) == ["a", "b"]
    assert [str(p) for p in bibliography.problems] == [
        "bib/refs.bib:3:10: Pandoc, which formats the citations, cannot read this: unexpected 'L'; Pandoc reads a comment "
        "only in braces: write @comment{...}, or leave out the '@' [bib.syntax]"]
    assert "@Comment" not in bibliography.texts[0] and bibliography.texts[0].count("\n") == path.read_text().count("\n")


def test_entries_in_parentheses_cost_one_pandoc_run_not_one_each(tmp_path, monkeypatch):
    from scholarly_edition import bibdata

    runs = []
    real = bibdata._run_pandoc_uncached
    monkeypatch.setattr(bibdata, "_run_pandoc_uncached", lambda text: runs.append(text) or real(text))
    path = tmp_path / "refs.bib"
    path.write_text("".join(f"@book(p{i},\n  title = \"P{i}\", year = 1990)\n\n" for i in range(5))
                    + "@book{b, title = {B}, year = 1991}\n@article(b, title = {Again}, year = 1992)\n", encoding="utf-8")
    bibliography = load_bibliography([(path, "refs.bib")])
    assert sorted(bibliography.entries) == ["b"] and sorted(bibliography.broken) == [f"p{i}" for i in range(5)]
    places = [(p.line, p.col) for p in bibliography.problems if p.code == "bib.syntax"]
    assert places == [(1, 6), (4, 6), (7, 6), (10, 6), (13, 6), (17, 9)]  # each at its own '('
    assert len(runs) == 2  # the entries in braces, and the first block in parentheses
