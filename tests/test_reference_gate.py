"""[3/8] The reference gate: planted mistakes fail `make build` and `make check` with path:line:col and a code."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, make_serve, mkdocs_build
from corpus import (CASES, LINE, append, line_count, make, plant_unknown_key, project)  # noqa: F401  (fixture)
from juego_edition.checks import run_check



REFERENCE_CASES = ["unknown_key", "in_text_unknown_key", "bib_syntax_error", "duplicate_key_across_files", "missing_field",
                   "bad_year_doi_url", "unprotected_acronym", "unused_entry", "glossary_unknown_key", "empty_citation"]


def test_every_reported_line_has_the_contributor_format(project):
    for name in REFERENCE_CASES:
        CASES[name](project)
    problems = run_check(project)
    assert len(problems) >= 12
    for problem in problems:
        assert LINE.match(str(problem)), str(problem)
    paths = {p.path for p in problems}
    assert {"docs/context/author.md", "bib/references.bib", "bib/extra.bib", "glossary/terms.yml", "docs/index.md"} <= paths


def test_the_clean_site_passes_the_standalone_check():
    result = subprocess.run([sys.executable, "-m", "juego_edition", "check", str(ROOT)], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT / "hooks"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s), 0 warning(s)" in result.stderr


def test_unknown_key_fails_even_without_strict(project, tmp_path):
    plant_unknown_key(project)
    result = mkdocs_build(project, tmp_path / "site", "--no-strict")
    assert result.returncode != 0
    assert "[cite.unknown_key]" in result.stderr and "Traceback" not in result.stderr
    assert "Citing unknown reference key" not in result.stderr  # mkdocs-bibtex's place-less line is replaced by ours


def test_citation_syntax_in_code_renders_literally(project, tmp_path):
    append(project / "docs" / "about.md",
           "\nWrite `[@juego2010migration]` in a page.\n\n```markdown\nSee [@juego2010migration, p. 3] and @juego2010migration.\n```\n")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert "<code>[@juego2010migration]</code>" in html
    fenced = re.sub(r"<[^>]+>", "", html.split('<div class="highlight">')[1].split("</pre>")[0])
    assert "See [@juego2010migration, p. 3] and @juego2010migration." in fenced


def test_unformatted_footnote_is_caught_after_rendering(project, tmp_path):
    page = project / "docs" / "about.md"
    n = line_count(page)
    append(page, "\nA note marker with no note[^nonote].\n")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode != 0
    assert f"docs/about.md:{n + 2}:27: a footnote reference was left unformatted ('[^...]'): '[^nonote]'; check the brackets and the key [render.unformatted_citation]" in result.stderr


def test_serve_lists_problems_and_keeps_serving(project):
    plant_unknown_key(project)
    status, _, output = make_serve("-C", str(project), f"VENV={ROOT / '.venv'}")
    assert status == 200, output
    assert "[cite.unknown_key]" in output


def test_standalone_checker_imports_no_mkdocs():
    code = ("import sys; from pathlib import Path; from juego_edition.checks import run_check; "
            "run_check(Path(sys.argv[1])); "
            "bad = sorted(m for m in sys.modules if m == 'mkdocs' or m.startswith('mkdocs.') or m.startswith('mkdocs_') or m.startswith('material')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT / "hooks"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_documents_every_check_code():
    import glob

    codes = set()
    for path in glob.glob(str(ROOT / "hooks" / "**" / "*.py"), recursive=True):
        codes |= set(re.findall(r'"((?:cite|bib|glossary|render|page|config|link|content)\.[a-z_]+)"(?:,|\))', Path(path).read_text(encoding="utf-8")))
        codes |= set(re.findall(r"\[((?:cite|bib|glossary|render|page|config|link|content)\.[a-z_]+)\]", Path(path).read_text(encoding="utf-8")))
    codes = {c for c in codes if c.rsplit(".", 1)[1] not in {"md", "yml", "bib", "py"}}  # file names, not codes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(codes) >= 15
    assert sorted(c for c in codes if f"`{c}`" not in readme) == []
