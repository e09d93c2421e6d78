"""[1/4] The gate on files nobody here wrote: real Markdown and real .bib files from public repositories
(tests/realworld/, with a manifest of repository, commit, path and licence), checked against Pandoc as the
oracle. Pandoc's answers are cached in tests/realworld/oracle/ (``tools/realworld-oracle`` makes them), so
the tests run offline; the gate's own reading still runs Pandoc here, as the build does."""

from __future__ import annotations

import csv
import json
import pytest

from conftest import ROOT
from scholarly_edition.bibcheck import check_entries
from scholarly_edition.bibdata import load_bibliography
from scholarly_edition.citations import broken_citations, find_citations

CORPUS = ROOT / "tests" / "realworld"
MARKDOWN = json.loads((CORPUS / "oracle" / "markdown.json").read_text(encoding="utf-8"))
BIB = json.loads((CORPUS / "oracle" / "bib.json").read_text(encoding="utf-8"))
LICENCES = {"MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "ISC", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0",
            "LPPL-1.3c", "GPL-2.0-or-later", "GPL-2.0-only", "GPL-3.0-or-later", "GPL-3.0-only", "LGPL-3.0-or-later",
            "LGPL-2.1-or-later", "Artistic-2.0", "Unlicense", "0BSD", "CC-BY-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later",
            "MPL-2.0", "GPL-2.0", "GPL-3.0"}

# Where our keys differ from Pandoc's reader on purpose, and why. The gate reads pages as Python-Markdown
# renders them (MkDocs), and Pandoc's own reader differs from it in these places:
KNITR_FENCE = "a knitr chunk fence ```{r} opens code for Quarto, R Markdown and Python-Markdown's superfences, but not for Pandoc's own reader, which then reads the fences the other way round"
DELIBERATE: dict[str, str] = {
    "md/quarto-dev__quarto-cli/tests__docs__crossrefs__v1.4__figure-crossrefs.qmd": KNITR_FENCE,
    "md/rstudio__bookdown/inst__examples__index.Rmd": KNITR_FENCE,  # r['CRAN'] == '@CRAN@' in the setup chunk
}
# Codes that call an entry wrong (as opposed to reporting a gap in it, like bib.missing_field)
REJECTING = {"bib.syntax", "bib.unknown_type", "bib.bad_date", "bib.bad_year", "bib.bad_doi", "bib.bad_url",
             "bib.unprotected_caps", "bib.crossref_cycle", "bib.duplicate_key"}


def manifest() -> list[dict]:
    with open(CORPUS / "manifest.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_the_corpus_is_large_real_and_licensed():
    rows = {row["local_path"]: row for row in manifest()}
    files = sorted(p.relative_to(CORPUS).as_posix() for sub in ("md", "bib", "large") for p in (CORPUS / sub).rglob("*") if p.is_file())
    assert sorted(set(files) - set(rows)) == [], "every file is in the manifest"
    for path in files:
        row = rows[path]
        assert len(row["commit"]) == 40 and "/" in row["repo"] and row["path"], row
        assert any(choice in LICENCES for choice in row["licence"].split(" OR ")), row  # an SPDX expression
        assert (CORPUS / "licences" / f"{row['repo'].replace('/', '__')}.txt").is_file(), row["repo"]
    with_citations = [p for p, keys in MARKDOWN.items() if isinstance(keys, list) and keys]
    entries = sum(len(v["entries"]) for v in BIB.values())
    # with texlive-bibtex-extra's files (test below): 265 .bib files, about 19,900 entries
    assert len(with_citations) >= 150 and len([p for p in BIB if p.startswith("bib/")]) >= 60 and entries >= 2000


def test_citation_keys_agree_with_pandocs_reader():
    agree, differ = [], {}
    for path, keys in sorted(MARKDOWN.items()):
        if not isinstance(keys, list):
            continue
        text = (CORPUS / path).read_text(encoding="utf-8")
        ours = sorted({use.key for use in find_citations(text)[0]})
        broken_citations(text, path)  # never raises on real input
        if ours == sorted(keys):
            agree.append(path)
        else:
            differ[path] = {"only ours": sorted(set(ours) - set(keys)), "only Pandoc's": sorted(set(keys) - set(ours))}
    unexplained = {p: d for p, d in differ.items() if p not in DELIBERATE}
    assert unexplained == {}, "differences from Pandoc's reader that are not listed as deliberate"
    stale = sorted(p for p in DELIBERATE if p not in differ)
    assert stale == [], "listed as deliberate but no longer different: remove them from DELIBERATE"
    assert len(agree) / (len(agree) + len(differ)) >= 0.99


@pytest.mark.parametrize("path", sorted(p for p in BIB))
def test_bib_files_are_read_as_pandoc_reads_them(path):
    _read_as_pandoc_reads_it(CORPUS / path, path, BIB[path])


# Debian's texlive-bibtex-extra, unpacked by tools/ensure-texlive-bib (make test runs it): 174 more real files,
# 17,774 entries (the TUGboat bibliography, biblatex styles' examples and tests), with Pandoc's reading of each.
TEXLIVE = ROOT / ".cache" / "texlive-bibtex-extra"
TEXLIVE_ORACLE = json.loads((TEXLIVE / "oracle.json").read_text(encoding="utf-8")) if (TEXLIVE / "oracle.json").is_file() else {}


@pytest.mark.corpus
def test_texlive_corpus_is_there():
    assert len(TEXLIVE_ORACLE) >= 150, "run tools/ensure-texlive-bib (make test does): it unpacks texlive-bibtex-extra's .bib files"
    assert sum(len(v["entries"]) for v in TEXLIVE_ORACLE.values()) >= 15000


@pytest.mark.corpus
@pytest.mark.parametrize("path", sorted(TEXLIVE_ORACLE))
def test_texlive_bib_files_are_read_as_pandoc_reads_them(path, tmp_path):
    # with a cache, as make check reads: the second reading (from the cache) must give the same answer
    first = _read_as_pandoc_reads_it(TEXLIVE / "files" / path, path, TEXLIVE_ORACLE[path], tmp_path)
    again = load_bibliography([(TEXLIVE / "files" / path, path)], tmp_path)
    assert ([str(p) for p in again.problems], sorted(again.entries)) == ([str(p) for p in first.problems], sorted(first.entries))


def _read_as_pandoc_reads_it(full, path, oracle, cache=None):
    bibliography = load_bibliography([(full, path)], cache)  # never a traceback, never a hang
    problems = bibliography.problems + check_entries(bibliography.entries.values())
    ours = set(bibliography.entries)
    pandoc = set(oracle["entries"])
    failing = {k for k in oracle.get("failing_entries") or [] if not k.startswith("@")}  # '@comment', '@string:x': not entries
    if oracle.get("failing_entries"):  # Pandoc fails on the file: so must the check, at the place it names
        assert any(p.code == "bib.syntax" for p in bibliography.problems)
    if oracle["error"] == "timeout":  # Pandoc hangs on the whole file: a cycle, which we report and leave out
        assert any(p.code == "bib.crossref_cycle" for p in problems)
        return bibliography
    # 0 valid entries rejected, 0 entries accepted that make Pandoc fail
    assert sorted(pandoc - ours) == [] and sorted(ours & (failing - pandoc)) == []  # (a key may have a refused block and a read one)
    assert sorted(failing - pandoc - set(bibliography.broken)) == []
    assert sorted(k for k in ours - pandoc if bibliography.entries[k].entry_type != "xdata") == []
    repeated = {p.message.split("'")[-2] for p in problems if p.code == "bib.duplicate_key"}
    for key in pandoc - repeated:  # the entries we hand citeproc are the ones Pandoc reads (of a repeated key, Pandoc keeps the last, BibTeX and we the first)
        mine, theirs = bibliography.entries[key].csl or {}, oracle["entries"][key]
        assert (mine.get("type"), mine.get("title"), mine.get("container-title"), mine.get("publisher"), len(mine.get("author") or [])) == \
            (theirs["type"], theirs["title"], theirs["container-title"], theirs["publisher"], theirs["author_count"]), key
    for problem in problems:
        assert problem.path == path and problem.line >= 1
        if problem.code in REJECTING and problem.severity == "error":
            key = _key_of(problem, ours | failing)
            # an error on an entry Pandoc reads must be one about what Pandoc makes of it
            if key in pandoc and key not in failing:  # (not about a refused block of the same key)
                assert problem.code in {"bib.bad_date", "bib.bad_doi", "bib.bad_url", "bib.unknown_type", "bib.duplicate_key"}, str(problem)
                if problem.code == "bib.bad_date" and "date '" in problem.message and problem.message.startswith("date "):
                    assert oracle["entries"][key]["year"] is None, str(problem)  # Pandoc really has no date
    return bibliography


def _key_of(problem, keys: set[str]) -> str | None:
    for part in problem.message.split("'")[1::2]:
        if part in keys:
            return part
    return None
