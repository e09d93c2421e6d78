"""[1/4] Unit tests of the gate on real scholarly input: the bibliography model and Pandoc's citation syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from scholarly_edition.bibcheck import case_candidates, check_entries
from scholarly_edition.bibdata import evaluate, load_bibliography, scan_blocks
from scholarly_edition.citations import broken_citations, find_citations
from scholarly_edition.copytext import check_copy_text
from scholarly_edition.guard import alias_citations, bibtex_alias


def load(tmp_path: Path, text: str, name: str = "x.bib"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_bibliography([(path, f"bib/{name}")])


def codes(problems) -> list[str]:
    return sorted(p.code for p in problems)


# ------------------------------------------------------------------ values, blocks


def test_values_join_macros_numbers_and_months():
    macros = {"pub": "Springer", "jan": "1"}
    assert evaluate('pub # " Verlag"', macros) == ("Springer Verlag", [])
    assert evaluate('"10~" # jan', macros) == ("10~1", [])
    assert evaluate("{A {B} c}", macros) == ("A {B} c", [])
    assert evaluate("2001", macros) == ("2001", [])
    assert evaluate("nosuch", macros) == ("nosuch", ["nosuch"])


def test_blocks_and_comments_as_pandoc_splits_them():
    text = "%@article{commented, title={C}}\n@article{a, % a comment {\n  title = {A %not a comment}}\n@comment{ @misc{x, title={y}} }\n"
    blocks, comments = scan_blocks(text)
    assert [b.kind for b in blocks] == ["article", "comment"]
    assert comments == {0}  # the comment inside the entry is skipped too: its brace does not count
    assert text[blocks[0].start:blocks[0].end].endswith("comment}}")


# ------------------------------------------------------------------ the model


def test_string_macros_crossref_and_biblatex_data_are_valid(tmp_path):
    bib = load(tmp_path, """@string{pub = "Springer"}
@collection{book, editor = {Poe, Ann}, title = {The Volume}, publisher = pub # " Verlag", date = {2009}}
@incollection{chapter, author = {Roe, R.}, title = {A Chapter}, crossref = {book}}
@online{web, author = {family=Oord, given=Aaron, prefix=van den, useprefix=true}, title = {T},
  date = {2011-05-25~/2012-06-26~}, urldate = {2016-01-01T00:00:00}, url = {https://example.org}, month = {01}}
@dataset{data, author = {A, B}, title = {D}, year = {forthcoming}}
@software{soft, author = {A, B}, title = {S}, date = {2020}}
""")
    assert bib.problems == [] and check_entries(bib.entries.values()) == []
    chapter = bib.entries["chapter"]
    assert chapter.fields["booktitle"] == "The Volume" and chapter.fields["publisher"] == "Springer Verlag"  # biblatex: title -> booktitle
    # what Pandoc formats (its CSL JSON keeps titles in sentence case; title-case styles restore the capitals)
    assert chapter.csl["container-title"] == "The volume" and chapter.csl["publisher"] == "Springer Verlag"
    assert bib.entries["web"].csl["author"][0]["family"] == "Oord"


def test_pandoc_is_the_authority_on_syntax(tmp_path):
    bib = load(tmp_path, "@misc{good, title = {G}}\n@misc(paren,\n  title = {P})\n@misc{after, title = {A}}\n")
    assert sorted(bib.entries) == ["after", "good"] and list(bib.broken) == ["paren"]
    [problem] = bib.problems
    assert (problem.line, problem.col, problem.code) == (2, 6, "bib.syntax") and "parentheses" in problem.message


def test_every_unreadable_entry_is_listed_in_one_run(tmp_path):
    bib = load(tmp_path, "@misc{a, title = {A}}\n@misc{b,\n  title = {B}\n  year = {2001}\n}\n@misc(c, title = {C})\n@misc{d, title = {D}}\n")
    assert sorted(bib.entries) == ["a", "d"] and sorted(bib.broken) == ["b", "c"]
    assert [(p.line, p.code) for p in bib.problems] == [(4, "bib.syntax"), (6, "bib.syntax")]
    assert "comma is probably missing at the end of line 3" in bib.problems[0].message


def test_unclosed_entry_is_the_root_cause(tmp_path):
    bib = load(tmp_path, "@misc{open,\n  title = {Unclosed,\n  year = {2001}\n\n@misc{next, title = {N}}\n")
    [problem] = bib.problems  # the unclosed entry, not the one it swallows: that one is read once it is left out
    assert problem.line == 1 and "'open' is never closed" in problem.message
    assert list(bib.entries) == ["next"]


def test_a_crossref_cycle_is_an_error_not_a_hang(tmp_path):
    bib = load(tmp_path, "@book{a, title = {A},\n  crossref = {b}}\n@book{b, title = {B},\n  crossref = {a}}\n@book{c, title = {C}}\n")
    assert sorted(bib.entries) == ["c"] and sorted(bib.broken) == ["a", "b"]
    assert [(p.line, p.code) for p in sorted(bib.problems)] == [(2, "bib.crossref_cycle"), (4, "bib.crossref_cycle")]


def test_a_commented_out_entry_is_no_entry(tmp_path):
    bib = load(tmp_path, "%@article{old, title = {Old}}\n  % @misc{older, title = {Older}}\n@misc{new, title = {New}}\n")
    assert sorted(bib.entries) == ["new"] and bib.problems == []


def test_duplicate_fields_are_valid_and_duplicate_keys_are_not(tmp_path):
    bib = load(tmp_path, "@misc{a, title = {A}, title = {Again}}\n@misc{b, title = {B}}\n@misc{B, title = {B2}}\n")
    assert sorted(bib.entries) == ["a", "b"]
    assert codes(bib.problems) == ["bib.duplicate_key"]


def test_large_files_read_in_chunks_keep_crossref_inheritance(tmp_path):
    entries = [f"@book{{b{i}, editor = {{E, F}}, title = {{Book {i}}}, publisher = {{P{i}}}, year = {{2000}}}}" for i in range(400)]
    entries += [f"@inbook{{c{i}, author = {{A, B}}, title = {{Ch {i}}}, crossref = {{b{i}}}, pages = {{1}}}}" for i in range(400)]
    bib = load(tmp_path, "\n".join(entries))  # 800 entries: several Pandoc runs; parents and children far apart
    assert len(bib.entries) == 800 and bib.problems == []
    assert all(bib.entries[f"c{i}"].csl.get("publisher") == f"P{i}" for i in range(400))


def test_the_caches_never_answer_for_a_changed_entry(tmp_path):
    cache, path = tmp_path / "cache", tmp_path / "big.bib"
    entries = [f"@article{{k{i}, author = {{A, B}}, title = {{Title {i}}}, journal = {{J}}, year = {{2000}}}}" for i in range(700)]
    path.write_text("@string{jn = {Journal N}}\n" + "\n".join(entries), encoding="utf-8")
    first = load_bibliography([(path, "bib/big.bib")], cache)
    assert first.entries["k350"].csl["title"] == "Title 350" and first.problems == []
    # an edited entry, a broken one, and a changed macro: each read afresh, the rest from the cache
    entries[350] = "@article{k350, author = {A, B}, title = {Edited title}, journal = jn, year = {2000}}"
    entries[600] = "@article{k600, author = {A, B}, title = {Broken, journal = {J}, year = {2000}}"
    path.write_text("@string{jn = {Journal N}}\n" + "\n".join(entries), encoding="utf-8")
    second = load_bibliography([(path, "bib/big.bib")], cache)
    assert second.entries["k350"].csl["title"] == "Edited title" and second.entries["k350"].fields["journal"] == "Journal N"
    assert "k600" in second.broken and codes(second.problems) == ["bib.syntax"]
    assert second.problems[0].line == 602  # the @string line, then one line an entry
    path.write_text("@string{jn = {Another journal}}\n" + "\n".join(entries), encoding="utf-8")
    third = load_bibliography([(path, "bib/big.bib")], cache)
    assert third.entries["k350"].csl["container-title"] == "Another journal"
    assert [str(p) for p in load_bibliography([(path, "bib/big.bib")], cache).problems] == [str(p) for p in third.problems]


def test_a_latin1_file_is_read_as_pandoc_reads_it(tmp_path):
    path = tmp_path / "latin1.bib"
    path.write_bytes("@misc{l2001,\n  title = {Pa\xeds},\n  year = {2001}\n}\n".encode("latin-1"))
    bib = load_bibliography([(path, "bib/latin1.bib")])
    assert bib.entries["l2001"].csl["title"] == "País"
    assert [(p.code, p.severity, p.line, p.col) for p in bib.problems] == [("bib.not_utf8", "warning", 2, 14)]


def test_line_breaks_before_the_brace_are_valid(tmp_path):
    bib = load(tmp_path, "@book\n{lb2001,\n  title = {T},\n  publisher = {P},\n  year = {2001}\n}\n")
    assert set(bib.entries) == {"lb2001"} and bib.problems == []


# ------------------------------------------------------------------ field checks


def test_field_checks_follow_either_data_model(tmp_path):
    bib = load(tmp_path, """@book{biblatexbook, author = {A, B}, title = {No Publisher}, date = {2001}}
@unpublished{bibtexunpub, author = {A, B}, title = {U}, note = {Manuscript}}
@article{nojournal, author = {A, B}, title = {T}, year = {2001}}
@artcle{typo, title = {T}}
@legmaterial{styletype, title = {T}}
@misc{baddate, title = {T}, date = {sometime}}
@misc{baddoi, title = {T}, doi = {https://doi.org/10.1/x}, url = {example.org/x}}
@misc{macro, title = {T}, note = undefinedmacro}
@misc{twourls, title = {T}, url = {http://arxiv.org/abs/1 http://dx.doi.org/10.1/x}}
""")
    found = {(p.code, p.message.split("'")[1]) for p in check_entries(bib.entries.values()) if p.severity == "error"}
    warned = {(p.code, p.message.split("'")[1]) for p in check_entries(bib.entries.values()) if p.severity == "warning"}
    assert warned == {("bib.undefined_macro", "macro"), ("bib.unknown_type", "styletype")}
    assert found == {("bib.missing_field", "nojournal"), ("bib.unknown_type", "typo"), ("bib.bad_date", "sometime"),
                     ("bib.bad_doi", "https://doi.org/10.1/x"), ("bib.bad_url", "example.org/x"), ("bib.bad_url", "twourls")}


def test_case_check_names_only_words_a_style_can_change(tmp_path):
    bib = load(tmp_path, "@article{t, author = {A, B}, journal = {J}, year = {2000},\n  title = {Asia and {Europe} and the NASA iPhone in Asia}}\n")
    found = [(word) for _, _, word in case_candidates(bib.entries.values(), ["Asia", "Europe", "NASA"])]
    assert found == ["Asia"]  # the first word cannot change; braced and all-capital words are kept


# ------------------------------------------------------------------ citations


@pytest.mark.parametrize("text, keys", [
    ("A claim [@key]: mid sentence.", ["key"]),
    ("Manubot [@doi:10.1000/182; @url:https://example.org/a/b].", ["doi:10.1000/182", "url:https://example.org/a/b"]),
    ("Braced @{https://example.org/x?a=1&b=2} key.", ["https://example.org/x?a=1&b=2"]),
    ("Internal punctuation [@Welland:TB1-1-2, p. 3] and [-@smith.2004].", ["Welland:TB1-1-2", "smith.2004"]),
    ("Ends a sentence @key. And @key2, then.", ["key", "key2"]),
    ("An e-mail someone@example.org and a handle foo@bar.", []),
    ("- item\n\n        @font-face { font-family: x; }\n", []),
    ('<span title="see @x">text</span> and {: data-x="@y" }', []),
    ("Code `[@x]` and\n\n```\n[@y]\n```\n", []),
    ("[@ref]: https://example.org\n", ["ref"]),  # found, as Pandoc finds it, and reported: MkDocs hides the line
])
def test_citation_keys_as_pandoc_reads_them(text, keys):
    assert [u.key for u in find_citations(text)[0]] == keys
    assert all(u.in_link_definition == text.startswith("[@ref]:") for u in find_citations(text)[0])


@pytest.mark.parametrize("text, code, col", [
    ("A stray [@ key] space.", "cite.stray_space", 10),
    ("LaTeX \\cite{a,b} habit.", "cite.latex", 7),
    ("Comma [@a, @b] instead.", "cite.separator", 12),
    ("Unclosed [@a; @b. And on.", "cite.unclosed", 10),
])
def test_near_misses_are_errors_at_their_place(text, code, col):
    [problem] = broken_citations(text, "docs/x.md")
    assert (problem.code, problem.line, problem.col) == (code, 1, col)


def test_valid_citations_are_no_near_misses():
    text = "[@a; @b], [see @a, pp. 3-4; also @b], [-@a], @a [p. 3], [@a, chap. 2], [a link](https://x.org/@y), ![img](p.png)"
    assert broken_citations(text, "docs/x.md") == []


def test_citations_in_the_front_matter_are_found_as_pandoc_finds_them(tmp_path):
    text = "---\ntitle: On migration [@a]\n# a comment @b\nnocite: |\n  @c\n---\n\nText [@d].\n"
    uses = find_citations(text)[0]
    assert [(u.key, u.in_front_matter) for u in uses] == [("a", True), ("c", True), ("d", False)]


def test_keys_mkdocs_bibtex_cannot_read_get_an_alias():
    assert bibtex_alias("juego2010migration") == "juego2010migration"
    alias = bibtex_alias("doi:10.1000/182")
    assert alias.startswith("doi-10-1000-182-") and bibtex_alias("doi:10.1000/182") == alias
    text = "See [@doi:10.1000/182, p. 3] and @{doi:10.1000/182}."
    out = alias_citations(text, find_citations(text)[0], {"doi:10.1000/182": alias})
    assert out == f"See [@{alias}, p. 3] and @{alias}."


# ------------------------------------------------------------------ the copy-text


def test_the_first_changed_word_or_comma_is_named(tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_text("One two, three four.\nFive six.", encoding="utf-8")
    page = "# Title\n\nOne two, three four.\n{: .essay-text }\n\n!!! note\n    Not the essay.\n\nFive six.\n{: .essay-text }\n"
    assert check_copy_text(page, "docs/e.md", copy, "copy.txt") == []
    [changed] = check_copy_text(page.replace("three", "tree"), "docs/e.md", copy, "copy.txt")
    assert (changed.line, changed.col) == (3, 10) and "'tree' where copy.txt:1:10 has 'three'" in changed.message
    [comma] = check_copy_text(page.replace("two,", "two"), "docs/e.md", copy, "copy.txt")
    assert (comma.line, comma.col) == (3, 9) and "has ','" in comma.message


def test_citation_keys_are_never_read_as_glossary_terms():
    from scholarly_edition.terms import TermIndex, scan_page

    page = "A source [@Welland:TB1-1-2, p. 3] and @UN:DESA-2009 say so; the NATO figure is not defined.\n"
    problems = scan_page(page, "docs/x.md", TermIndex([]), set(), expand_first_use=False).problems
    assert [p.message.split("'")[1] for p in problems if p.code == "glossary.undefined_acronym"] == ["NATO"]


def test_an_entry_left_open_at_the_end_of_one_file_is_the_one_root_cause(tmp_path):
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    first.write_text("\n".join(f"@misc{{a{i}, title={{T{i}}}, year={{2000}}}}" for i in range(10)) + "\n@misc{broken, title={T, year={2000}\n", encoding="utf-8")
    second.write_text("@misc{b1, title={B}, year={2001}}\n", encoding="utf-8")
    bib = load_bibliography([(first, "bib/a.bib"), (second, "bib/b.bib")])  # read joined: the open entry runs into b.bib
    assert [(p.path, p.line, p.code) for p in bib.problems] == [("bib/a.bib", 11, "bib.syntax")]
    assert "never closed" in bib.problems[0].message and sorted(bib.entries) == [f"a{i}" for i in range(10)] + ["b1"]
