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
from scholarly_edition.checks import run_check



REFERENCE_CASES = ["unknown_key", "in_text_unknown_key", "bib_syntax_error", "duplicate_key_across_files", "missing_field",
                   "bad_year_doi_url", "unprotected_caps_in_sentence_case_style", "unused_entry", "glossary_unknown_key", "empty_citation"]


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
    result = subprocess.run([sys.executable, "-m", "scholarly_edition", "check", str(ROOT)], capture_output=True, text=True,
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
    code = ("import sys; from pathlib import Path; from scholarly_edition.checks import run_check; "
            "run_check(Path(sys.argv[1])); "
            "bad = sorted(m for m in sys.modules if m == 'mkdocs' or m.startswith('mkdocs.') or m.startswith('mkdocs_') or m.startswith('material')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT / "hooks"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_documents_every_check_code():
    import glob

    codes = set()
    for path in glob.glob(str(ROOT / "src" / "**" / "*.py"), recursive=True):
        codes |= set(re.findall(r'"((?:cite|bib|glossary|render|page|config|link|content|essay|notes|citation)\.[a-z_]+)"', Path(path).read_text(encoding="utf-8")))
        codes |= set(re.findall(r"\[((?:cite|bib|glossary|render|page|config|link|content|essay|notes|citation)\.[a-z_]+)\]", Path(path).read_text(encoding="utf-8")))
    codes = {c for c in codes if c.rsplit(".", 1)[1] not in {"md", "yml", "bib", "py", "opf", "xhtml", "css"}}  # file names, not codes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(codes) >= 15
    assert sorted(c for c in codes if f"`{c}`" not in readme) == []
    # and the other way round: the table lists no code the checks do not have
    table = set(re.findall(r"^\| `([a-z]+\.[a-z_]+)`(?: / `([a-z]+\.[a-z_]+)`)?", readme, re.M))
    listed = {c for pair in table for c in pair if c}
    assert sorted(listed - codes) == []


# Valid input that others write: macros, crossref inheritance, biblatex types, dates and name parts, and Pandoc
# keys with colons and URLs. Each must pass `make check` and build, and render what Pandoc makes of it.
VALID_BIB = r"""
@string{unpress = "United Nations Press"}

@book{macrobook2009,
  editor     = {Doe, Jane},
  title      = {The Macro Book},
  publisher  = unpress # ", New York",
  year       = {2009},
  month      = {01},
  verifiedat = {test fixture},
  confidence = {verified}
}

@collection{xrefbook2009,
  editor     = {Poe, Ann},
  title      = {The Collected Volume},
  publisher  = {Springer},
  location   = {Berlin},
  date       = {2009},
  verifiedat = {test fixture},
  confidence = {verified}
}

@incollection{xrefchapter2009,
  author     = {Roe, Richard},
  title      = {A Chapter That Inherits},
  crossref   = {xrefbook2009},
  pages      = {1--10},
  verifiedat = {test fixture},
  confidence = {verified}
}

@online{url:https://example.org/edtf,
  author     = {family=Oord, given=Aaron, prefix=van den, useprefix=true},
  title      = {An Online Resource},
  date       = {2011-05-25~/2012-06-26~},
  urldate    = {2016-01-01T00:00:00},
  url        = {https://example.org/edtf},
  verifiedat = {test fixture},
  confidence = {verified}
}

@report{un:TB1-1-2,
  author      = {{United Nations}},
  title       = {A Report With a Colon Key},
  type        = {Technical Report},
  institution = {United Nations},
  date        = {2010-10},
  verifiedat  = {test fixture},
  confidence  = {verified}
}
"""


def test_valid_biblatex_and_pandoc_input_builds_and_renders(project, tmp_path):
    (project / "bib" / "valid.bib").write_text(VALID_BIB, encoding="utf-8")
    append(project / "docs" / "about.md",
           "\nMacros [@macrobook2009], inheritance [@xrefchapter2009, 5], a biblatex online resource "
           "[@url:https://example.org/edtf] and a key with a colon [see @un:TB1-1-2]: all formatted.\n")
    check = make(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    html = (tmp_path / "site" / "about" / "index.html").read_text(encoding="utf-8")
    html = re.sub(r'<a class="citation" href="#ref-[^"]+" data-ref="[^"]+">(.*?)</a>', r"\1", html)  # as read
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "(Doe 2009)" in text and "United Nations Press, New York" in text  # @string and '#'
    assert "(Roe 2009, 5)" in text and "The Collected Volume" in text and "Springer" in text  # crossref
    assert "(van den Oord [2011" in text and "An Online Resource" in text  # name parts, an approximate EDTF range
    assert "(see United Nations 2010)" in text  # a key with a colon, which mkdocs-bibtex alone cuts at ':'
    assert "TB1-1-2" not in text  # keys are never shown (nor read as acronyms by the glossary check)
    for key in ("@macrobook2009", "@xrefchapter2009", "@url:", "@un:"):
        assert key not in text
