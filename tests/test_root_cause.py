"""One root cause, one message: a source file that cannot be read is reported first, the problems that would
only follow from it are counted in one line, and every run lists its problems by file and line. And the
glossary's "Used in" links to a heading that cites a source give the heading's words and resolve."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project, mkdocs_build
from corpus import (CASES, LINE, make, plant_bib_syntax_error, plant_cite_latex_only_citation,  # noqa: F401  (project: fixture)
                    plant_cite_stray_space_only_citation, plant_duplicate_term, plant_empty_citation,
                    plant_glossary_indentation_slip, plant_unknown_key, plant_unused_entry, project)
from scholarly_edition.__main__ import main
from scholarly_edition.diagnostics import Problem, root_cause_first, skipped_note
from scholarly_edition.glossary import Term
from scholarly_edition.terms import TermIndex, heading_title, scan_page, stable_heading_ids


def problem_lines(output: str) -> list[str]:
    """Our problem lines, in the order printed (the build's log prefix removed)."""
    lines = [l.split(" -  ", 1)[-1].strip() for l in output.splitlines()]
    return [l.removeprefix("warning: ") for l in lines if LINE.match(l)]


def place(line: str) -> tuple[str, int, int]:
    m = LINE.match(line)
    return m["path"], int(m["line"]), int(m["col"])


def note_lines(output: str) -> list[str]:
    return [l for l in output.splitlines() if "further problem(s) not listed" in l]


# ------------------------------------------------------------------ pure parts


def test_unreadable_files_come_first_and_their_consequences_are_counted():
    cause = Problem("glossary/terms.yml", 23, 2, "YAML syntax error", "glossary.syntax", unreadable=True)
    acronym = Problem("docs/a.md", 3, 1, "'ASEM' looks like an acronym", "glossary.undefined_acronym")
    unused = Problem("bib/references.bib", 9, 1, "never cited", "bib.unused_entry")
    own = Problem("bib/references.bib", 4, 1, "never closed", "bib.syntax")
    page = Problem("docs/a.md", 1, 1, "unknown key", "cite.unknown_key")
    shown, skipped = root_cause_first([page, acronym, unused, own, cause])
    assert shown == [cause, own, page] and skipped == 2
    assert "2 further problem(s)" in skipped_note(skipped) and skipped_note(0) == ""


def test_without_an_unreadable_file_everything_is_listed_by_place():
    a, b, c = (Problem("docs/b.md", 2, 1, "x", "cite.empty"), Problem("bib/r.bib", 7, 1, "y", "bib.syntax"),
               Problem("docs/b.md", 1, 5, "z", "glossary.undefined_acronym"))
    assert root_cause_first([a, b, c]) == ([b, c, a], 0)


def test_a_heading_title_has_no_citation_footnote_mark_or_markup():
    assert heading_title("Migration and *ASEM*[^1] [@juego2010migration, p. 2]") == "Migration and ASEM"
    assert heading_title("The [[social pillar|pillar]] and [the forum](aepf.md) [see @a; @b]") == "The pillar and the forum"


def test_a_heading_that_cites_keeps_the_id_of_its_words():
    source = "# Page\n\n## Migration and ASEM [@juego2010migration]\n\n## Plain\n\n```\n## Not [@a] a heading\n```\n"
    out = stable_heading_ids(source)
    assert "## Migration and ASEM [@juego2010migration] { #migration-and-asem }\n" in out
    assert "## Plain\n" in out and "## Not [@a] a heading\n" in out  # no id where none is needed, none in code
    assert stable_heading_ids("## On ASEM [@k] { .wide }\n") == "## On ASEM [@k] { #on-asem .wide }\n"
    assert stable_heading_ids("## On ASEM [@k] { #mine }\n") == "## On ASEM [@k] { #mine }\n"


def test_a_term_in_a_cited_heading_is_used_in_that_section():
    index = TermIndex([Term("Asia-Europe Meeting", "A dialogue.", abbr="ASEM")])
    found = scan_page("# Page\n\n## Migration and ASEM[^n] [@juego2010migration]\n\nText.\n", "docs/p.md", index, set(), False)
    assert [(u.section, u.section_title) for u in found.uses] == [("migration-and-asem", "Migration and ASEM")]


# ------------------------------------------------------------------ real runs


def test_a_glossary_indentation_slip_is_one_error_first_in_check_and_build(project):  # noqa: F811
    expected = plant_glossary_indentation_slip(project)[0]
    others = plant_bib_syntax_error(project) + plant_unknown_key(project) + plant_empty_citation(project)
    for target in ("check", "build"):
        result = make(project, target)
        output = result.stdout + result.stderr
        assert result.returncode != 0 and "Traceback" not in output, output
        lines = problem_lines(output)
        assert lines and lines[0].startswith(expected), f"make {target}: the YAML error is not first:\n{output}"
        assert not [l for l in lines if "acronym" in l or "[glossary.unused_term]" in l or "[glossary.unknown_term]" in l], output
        assert len(note_lines(output)) <= 1, output
        for line in others:  # problems of their own are still listed, after the cause, by file and line
            assert line in lines, f"make {target}: expected\n  {line}\nin\n{output}"
        assert [place(l) for l in lines[1:]] == sorted(place(l) for l in lines[1:]), output


def test_several_problems_in_several_files_are_listed_by_file_and_line(project):  # noqa: F811
    # the build finds the glossary's problem before the pages and the unused entry after them; both are listed by place
    expected = plant_unknown_key(project) + plant_empty_citation(project) + plant_duplicate_term(project) + plant_unused_entry(project)
    for target in ("check", "build"):
        result = make(project, target)
        output = result.stdout + result.stderr
        assert result.returncode != 0 and "Traceback" not in output, output
        lines = problem_lines(output)
        assert set(expected) <= set(lines), output
        assert [place(l) for l in lines] == sorted(place(l) for l in lines), f"make {target} is not sorted:\n{output}"
        assert not note_lines(output), output


def test_an_unparsable_mkdocs_yml_is_one_line_with_its_place(project):  # noqa: F811
    config = project / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, l in enumerate(lines) if l.startswith("repo_url:"))
    lines.insert(n + 1, "  stray: value\n")
    config.write_text("".join(lines), encoding="utf-8")
    result = make(project, "check")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output, output
    first = problem_lines(output)[0]
    assert first.startswith(f"mkdocs.yml:{n + 2}:") and first.endswith("[config.unreadable]"), output
    assert "YAML syntax error" in first, output
    build = make(project, "build")
    assert build.returncode != 0 and "Traceback" not in build.stdout + build.stderr, build.stderr


def test_a_heading_with_a_citation_and_a_term_gets_a_working_used_in_link(project, tmp_path):  # noqa: F811
    page = project / "docs" / "context" / "author.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n## Migration and the Asia-Europe Meeting (ASEM)[^heading] [@juego2010migration]\n\n"
                    "The essay was written for the forum held alongside the summit.[^heading]\n\n[^heading]: A planted note.\n",
                    encoding="utf-8")
    site = tmp_path / "site"
    result = mkdocs_build(project, site, "--strict")
    assert result.returncode == 0, result.stderr
    glossary = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="\.\./context/author/#([^"]+)">(.*?)</a>', glossary)
    target = [(anchor, text) for anchor, text in links if "Migration and" in text]
    assert target, "no 'Used in' link to the planted heading"
    for anchor, text in target:
        words = html.unescape(re.sub(r"<[^>]+>", "", text))
        assert words == "Migration and the Asia-Europe Meeting (ASEM)", words
        assert "[@" not in text and "<sup" not in text and "footnote" not in text
        author = (site / "context" / "author" / "index.html").read_text(encoding="utf-8")
        assert f'id="{anchor}"' in author, f"the anchor '#{anchor}' is not on the author page"
        heading = re.search(rf'<h2 id="{re.escape(anchor)}">(.*?)</h2>', author, re.S).group(1)
        assert 'class="citation"' in heading, "the heading should still show its citation"


# ------------------------------------------------------------------ the root cause is the first line, case by case


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_planted_mistake_alone_is_the_first_line_of_the_check(case, tmp_path, capsys):
    """Planted alone, every case's root cause (its first expected line) is the first line `check` prints, and no
    knock-on advises removing an entry that a citation on a page names."""
    project = copy_project(tmp_path / "project")
    expected = CASES[case](project)
    status = main(["check", str(project)])
    output = capsys.readouterr().out
    lines = problem_lines(output)
    assert status != 0 and lines, output
    assert lines[0].startswith(expected[0]), f"{case}: the first line is not the root cause:\n{output}"
    named = {key for line in lines if "[cite." in line for key in re.findall(r"@ ?\{?([\w:.\-/]+)", line)}
    for line in lines:
        if "[bib.unused_entry]" in line and line.endswith("or remove it [bib.unused_entry]"):
            key = re.search(r"entry '([^']+)'", line).group(1)
            assert key not in named, f"{case}: advises removing an entry a citation names:\n{output}"


@pytest.mark.builds
def test_a_malformed_only_citation_leaves_its_entry_alone_in_check_and_build(tmp_path):
    """The issue's two cases, planted together: each citation is the first line of its kind, the entries they name
    are not called unused, and the build stops after the source checks with the same lines, first to first."""
    project = copy_project(tmp_path / "project")
    expected = plant_cite_stray_space_only_citation(project) + plant_cite_latex_only_citation(project)
    check = problem_lines(subprocess.run([sys.executable, "-m", "scholarly_edition", "check", str(project)],
                                         capture_output=True, text=True, timeout=120).stdout)
    build = mkdocs_build(project, tmp_path / "site")
    built = problem_lines(build.stderr)
    assert build.returncode != 0 and "Traceback" not in build.stderr, build.stderr
    for lines in (check, built):
        assert lines == expected, "\n".join(lines)
    assert "the site was not rendered" in build.stderr and not (tmp_path / "site" / "index.html").exists()


def test_a_knock_on_comes_right_after_its_cause():
    cause = Problem("docs/a.md", 9, 3, "unknown citation key 'smith200'", "cite.unknown_key")
    knock_on = Problem("bib/r.bib", 4, 1, "entry 'smith2001' is never cited; the citation 'smith200' at docs/a.md:9 looks like a typo",
                       "bib.unused_entry", follows=cause.place)
    other = Problem("docs/a.md", 20, 1, "x", "cite.empty")
    own = Problem("bib/r.bib", 2, 1, "y", "bib.syntax")
    assert root_cause_first([other, knock_on, own, cause]) == ([own, cause, knock_on, other], 0)
    orphan = Problem("bib/r.bib", 4, 1, "z", "bib.unused_entry", follows="docs/gone.md:1:1")  # its cause not listed
    assert root_cause_first([other, orphan, own]) == ([own, orphan, other], 0)


def test_an_entrys_own_problem_comes_before_its_never_cited_on_the_same_line():
    unused = Problem("bib/latin1.bib", 1, 1, "entry 'latin2001' is never cited", "bib.unused_entry")
    encoding = Problem("bib/latin1.bib", 1, 29, "not UTF-8", "bib.not_utf8", "warning")
    assert root_cause_first([unused, encoding]) == ([encoding, unused], 0)
