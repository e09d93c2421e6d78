"""`make new-edition DEST=...` makes a second edition that builds and passes the generator's tests with no
further edit, and holds no word of this edition: the generator is one, the editions are many."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, built_once

pytestmark = [pytest.mark.builds, pytest.mark.pdf]

# What belongs to this edition alone (the words of the issue that asked for a second edition).
THIS_EDITION = re.compile(r"\b(Juego|AEPF|ASEM|Aalborg|VBN)\b|migration-in-asia-europe-relations", re.I)


def _make(*args: str, cwd: Path, timeout: int = 1500) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def new_edition(tmp_path_factory) -> Path:
    """`make new-edition`, then `make build` and `make test` in the new folder (with this checkout's .venv: the
    same pinned stack, so nothing is downloaded again; DEST's own .venv is made by its Makefile elsewhere)."""

    def make(folder: Path) -> None:
        dest = folder / "my-edition"
        made = _make("-o", ".venv/.installed", "new-edition", f"DEST={dest}", cwd=ROOT)  # never reinstall the shared .venv
        assert made.returncode == 0, made.stdout + made.stderr
        (dest / ".venv").symlink_to(ROOT / ".venv")
        (dest / "results").mkdir()
        for target in ("build", "test"):
            result = _make("-o", ".venv/.installed", target, cwd=dest)  # never pip-install into this checkout's .venv
            (dest / "results" / f"{target}.log").write_text(result.stdout + result.stderr, encoding="utf-8")
            (dest / "results" / f"{target}.rc").write_text(str(result.returncode), encoding="utf-8")
        archived = _make("-o", ".venv/.installed", "-o", "build", "archive", cwd=dest)  # the site just built, archived
        (dest / "results" / "archive.log").write_text(archived.stdout + archived.stderr, encoding="utf-8")
        (dest / "results" / "archive.rc").write_text(str(archived.returncode), encoding="utf-8")

    return built_once(tmp_path_factory, "new-edition", make) / "my-edition"


def test_the_new_edition_builds_and_passes_the_generators_tests(new_edition):
    for target in ("build", "test"):
        log = (new_edition / "results" / f"{target}.log").read_text(encoding="utf-8")
        assert (new_edition / "results" / f"{target}.rc").read_text() == "0", log[-4000:]
    log = (new_edition / "results" / "test.log").read_text(encoding="utf-8")
    assert re.search(r"\b\d+ passed\b", log) and not re.search(r"\b\d+ (failed|error)", log)


def test_the_new_edition_archives_its_site_with_no_further_edit(new_edition):
    """`make archive` in the new edition: its own WACZ, validated (tests/test_archive.py replays one)."""
    log = (new_edition / "results" / "archive.log").read_text(encoding="utf-8")
    assert (new_edition / "results" / "archive.rc").read_text() == "0", log[-4000:]
    assert "Validation succeeded, the passed WACZ is valid" in log
    archived = list((new_edition / "archive").glob("*.wacz"))
    assert len(archived) == 1 and zipfile.is_zipfile(archived[0]), log[-4000:]
    with zipfile.ZipFile(archived[0]) as z:
        assert "pages/pages.jsonl" in z.namelist() and "datapackage.json" in z.namelist()


def test_the_new_edition_holds_no_word_of_this_one(new_edition):
    from pypdf import PdfReader

    site = new_edition / "site"
    found = []
    texts = {p: p.read_text(encoding="utf-8") for p in site.rglob("*") if p.suffix in {".html", ".bib", ".ris", ".json", ".css", ".js", ".xml"}
             and "assets" not in p.relative_to(site).parts and "search" not in p.relative_to(site).parts}
    texts[new_edition / "CITATION.cff"] = (new_edition / "CITATION.cff").read_text(encoding="utf-8")
    for pdf in (site / "downloads").glob("*.pdf"):
        reader = PdfReader(pdf)
        texts[pdf] = "\n".join(page.extract_text() for page in reader.pages) + str(dict(reader.metadata or {}))
    for epub in (site / "downloads").glob("*.epub"):
        with zipfile.ZipFile(epub) as archive:
            texts[epub] = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith((".xhtml", ".opf", ".css")))
    for path, text in texts.items():
        for match in THIS_EDITION.finditer(text):
            found.append(f"{path.relative_to(new_edition)}: {match.group(0)}")
    assert len(texts) > 15 and found == []


def test_the_new_edition_has_the_files_for_archives_with_its_own_title(new_edition):
    import json

    from lxml import etree

    from scholarly_edition.checks import load_settings
    from test_archive_exports import cffconvert_validate, jats_problems, zenodo_problems

    edition = load_settings(new_edition).edition
    downloads = new_edition / "site" / "downloads"
    jats = (downloads / edition.download(".jats.xml")).read_bytes()
    assert jats_problems(jats) == []
    assert etree.fromstring(jats).findtext("front/article-meta/title-group/article-title") == edition.essay.title
    zenodo = json.loads((new_edition / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["title"] == edition.title and zenodo_problems(zenodo) == []
    assert (downloads / ".zenodo.json").read_text(encoding="utf-8") == (new_edition / ".zenodo.json").read_text(encoding="utf-8")
    result = cffconvert_validate(downloads / "CITATION.cff")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_new_edition_pins_the_generator_in_one_line_and_copies_no_code(new_edition):
    requirements = (new_edition / "requirements.txt").read_text(encoding="utf-8")
    assert len([line for line in requirements.splitlines() if line.startswith("scholarly-edition")]) == 1
    python = sorted(str(p.relative_to(new_edition)) for p in new_edition.rglob("*.py") if ".venv" not in p.parts and "site" not in p.parts)
    assert python == ["hooks/edition.py", "tests/test_edition.py"]


def test_the_generator_line_can_be_chosen(tmp_path):
    line = "scholarly-edition @ git+https://example.org/generator.git@v0.2.0"
    result = _make("-o", ".venv/.installed", "new-edition", f"DEST={tmp_path / 'e'}", f"GENERATOR={line}", cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    pins = [p for p in (tmp_path / "e" / "requirements.txt").read_text(encoding="utf-8").splitlines() if p.startswith("scholarly-edition")]
    assert pins == [f"{line}   # the generator (scholarly-edition): upgrade the edition by changing this one pin"]


def test_new_edition_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = _make("new-edition", f"DEST={tmp_path}", cwd=ROOT, timeout=120)
    assert result.returncode != 0 and "not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
