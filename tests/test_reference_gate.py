"""[3/8] The reference gate: planted mistakes fail `make build` and `make check` with path:line:col and a code."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, mkdocs_build
from juego_edition.checks import run_check

LINE = re.compile(r"^(?:warning: )?(?P<path>[\w./-]+):(?P<line>\d+):(?P<col>\d+): .+ \[(?P<code>[a-z]+\.[a-z_]+)\]$")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def line_count(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n")


def plant_unknown_key(p: Path) -> list[str]:
    page = p / "docs" / "context" / "author.md"
    n = line_count(page)
    append(page, "\nAs the essay says [@juego2010migratoin, p. 2].\n")
    return [f"docs/context/author.md:{n + 2}:20: unknown citation key 'juego2010migratoin'; did you mean 'juego2010migration'? add the entry to bib/ or fix the key [cite.unknown_key]"]


def plant_in_text_unknown_key(p: Path) -> list[str]:
    page = p / "docs" / "about.md"
    n = line_count(page)
    append(page, "\nAs @castlesmiler2009 argue.\n")
    return [f"docs/about.md:{n + 2}:4: unknown citation key 'castlesmiler2009'; did you mean 'castlesmiller2009'? add the entry to bib/ or fix the key [cite.unknown_key]"]


def plant_bib_syntax_error(p: Path) -> list[str]:
    bib = p / "bib" / "references.bib"
    n = line_count(bib)
    append(bib, "\n@book{broken2001,\n  title = {Unclosed,\n  year = {2001}\n\n@misc{after2001, title = {After}}\n")
    return [f"bib/references.bib:{n + 2}:1: BibTeX syntax error"]


def plant_duplicate_key_across_files(p: Path) -> list[str]:
    (p / "bib" / "extra.bib").write_text("% another file\n@misc{Rosenberg2006,\n  title = {Another}\n}\n", encoding="utf-8")
    # files are read in name order, so the entry in references.bib is the one reported and left out
    line = next(i for i, l in enumerate((p / "bib" / "references.bib").read_text(encoding="utf-8").splitlines(), 1) if l.startswith("@article{rosenberg2006,"))
    return [f"bib/references.bib:{line}:1: key differs only in case from 'Rosenberg2006' 'rosenberg2006' (first defined at bib/extra.bib:2); rename or merge one [bib.duplicate_key]"]


def plant_missing_field(p: Path) -> list[str]:
    bib = p / "bib" / "references.bib"
    n = line_count(bib)
    append(bib, "\n@article{nojournal2001,\n  author = {Doe, Jane},\n  title = {A Title},\n  year = {2001}\n}\n")
    return [f"bib/references.bib:{n + 2}:1: @article 'nojournal2001' lacks required field 'journal' or 'journaltitle'; add it, or use a type that fits the work [bib.missing_field]",
            f"bib/references.bib:{n + 2}:1: entry 'nojournal2001' is never cited; cite it where it supports the text, or remove it [bib.unused_entry]"]


def plant_bad_year_doi_url(p: Path) -> list[str]:
    bib = p / "bib" / "references.bib"
    text = bib.read_text(encoding="utf-8")
    text = text.replace("  doi        = {10.1177/1354066106067345},", "  doi        = {https://doi.org/10.1177/1354066106067345},")
    text = text.replace("  year       = {2001},\n  verifiedat = {EconPapers (RePEc)},", "  year       = {c. 2001},\n  verifiedat = {EconPapers (RePEc)},")
    text = text.replace("  url        = {https://dawn.com/news/amp/406426},", "  url        = {dawn.com/news/amp/406426},")
    bib.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    doi = next(i for i, l in enumerate(lines, 1) if "https://doi.org/10.1177" in l)
    year = next(i for i, l in enumerate(lines, 1) if "c. 2001" in l)
    url = next(i for i, l in enumerate(lines, 1) if "{dawn.com/news" in l)
    return [f"bib/references.bib:{doi}:1: doi 'https://doi.org/10.1177/1354066106067345' of 'rosenberg2006' is not a DOI; write the bare DOI, e.g. 10.1177/1354066106067345 (no https://doi.org/) [bib.bad_doi]",
            f"bib/references.bib:{year}:1: year 'c. 2001' of 'beine2001brain' is not a four-digit year; write e.g. year = {{2010}} (or use date = {{2010-11-10}}) [bib.bad_year]",
            f"bib/references.bib:{url}:1: url 'dawn.com/news/amp/406426' of 'dawn2002asem' is not an http(s) address; write the full address starting with https:// [bib.bad_url]"]


def plant_unprotected_acronym(p: Path) -> list[str]:
    bib = p / "bib" / "references.bib"
    text = bib.read_text(encoding="utf-8").replace("title      = {{ASEM}: Looking Back, Looking Forward},", "title      = {ASEM: Looking Back, Looking Forward},")
    bib.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "{ASEM: Looking Back" in l)
    return [f"bib/references.bib:{line}:1: title of 'yeo2000asem' has 'ASEM' outside braces; CSL styles may lower-case it: write {{ASEM}} [bib.unprotected_caps]"]


def plant_unused_entry(p: Path) -> list[str]:
    (p / "bib" / "uncited.bib").write_text("@book{uncited1999,\n  author = {Doe, Jane},\n  title = {Never Cited},\n  publisher = {Nobody},\n  year = {1999}\n}\n", encoding="utf-8")
    return ["bib/uncited.bib:1:1: entry 'uncited1999' is never cited; cite it where it supports the text, or remove it [bib.unused_entry]"]


def plant_glossary_unknown_key(p: Path) -> list[str]:
    glossary = p / "glossary" / "terms.yml"
    text = glossary.read_text(encoding="utf-8").replace("beine2001brain]", "beine2001brian]", 1)
    assert "beine2001brian" in text
    glossary.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, l in enumerate(lines, 1) if "beine2001brian" in l)
    start = max(i for i, l in enumerate(lines[:at], 1) if l.startswith("- term:"))
    term = lines[start - 1].split(":", 1)[1].strip()
    return [f"glossary/terms.yml:{start}:1: term '{term}' cites unknown key 'beine2001brian'; did you mean 'beine2001brain'? add the entry to bib/ or fix the key [cite.unknown_key]"]


def plant_empty_citation(p: Path) -> list[str]:
    page = p / "docs" / "index.md"
    n = line_count(page)
    append(page, "\nA claim [@].\n")
    return [f"docs/index.md:{n + 2}:9: empty citation '[@]'; write a key after '@' or remove the brackets [cite.empty]"]


PLANTS = {f.__name__.removeprefix("plant_"): f for f in [
    plant_unknown_key, plant_in_text_unknown_key, plant_bib_syntax_error, plant_duplicate_key_across_files,
    plant_missing_field, plant_bad_year_doi_url, plant_unprotected_acronym, plant_unused_entry,
    plant_glossary_unknown_key, plant_empty_citation]}


def make(project: Path, target: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(project), target, f"VENV={ROOT / '.venv'}"],
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def project(tmp_path) -> Path:
    project = copy_project(tmp_path / "project")
    shutil.copy2(ROOT / "Makefile", project / "Makefile")
    shutil.copy2(ROOT / "requirements.txt", project / "requirements.txt")
    return project


@pytest.mark.parametrize("kind", sorted(PLANTS))
def test_planted_mistake_fails_build_and_check_with_its_line(project, kind):
    expected = PLANTS[kind](project)
    for target in ("check", "build"):
        result = make(project, target)
        output = result.stdout + result.stderr
        assert result.returncode != 0, f"make {target} passed with {kind}:\n{output}"
        assert "Traceback" not in output
        for line in expected:
            assert line in output, f"make {target}: expected\n  {line}\nin\n{output}"
    assert not (project / "site").exists(), "a failed build must not publish site/"


def test_every_reported_line_has_the_contributor_format(project):
    for plant in PLANTS.values():
        plant(project)
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
    import os
    import signal
    import socket
    import time
    import urllib.request

    plant_unknown_key(project)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["make", "--no-print-directory", "-C", str(project), "serve", f"ADDR=127.0.0.1:{port}", f"VENV={ROOT / '.venv'}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        status = None
        deadline = time.monotonic() + 120
        while status is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    status = response.status
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.5)
        assert status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
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
        codes |= set(re.findall(r'"((?:cite|bib|glossary|render|page|config)\.[a-z_]+)"(?:,|\))', Path(path).read_text(encoding="utf-8")))
        codes |= set(re.findall(r"\[((?:cite|bib|glossary|render|page|config)\.[a-z_]+)\]", Path(path).read_text(encoding="utf-8")))
    codes = {c for c in codes if c.rsplit(".", 1)[1] not in {"md", "yml", "bib", "py"}}  # file names, not codes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(codes) >= 15
    assert sorted(c for c in codes if f"`{c}`" not in readme) == []
