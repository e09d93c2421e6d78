"""The edition's configuration block (scholarly_edition.config): one reader of mkdocs.yml, typed keys with
defaults, and for each wrong key one line at its place."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from conftest import ROOT
from scholarly_edition import __version__
from scholarly_edition.config import PartialDate, read_config, reference_markdown
from scholarly_edition.checks import load_settings

MINIMAL = """site_name: "A Test Edition"
site_url: !ENV [TEST_SITE_URL, "https://example.org/t/"]
extra:
  edition:
    slug: test-edition
    statement: Test edition
    editors: [{family: Roe, given: Richard}, A Collective]
    description: A test.
    pages: [essay.md]
    export: !ENV [TEST_EXPORT, true]
    essay:
      page: essay.md
      bib_key: doe1998
      title: On Tests
      authors: [{family: Doe, given: Jane}]
      published: 1998
"""


@pytest.mark.parametrize(("value", "iso", "text"), [(1998, "1998", "1998"), ("1998-05", "1998-05", "May 1998"),
                                                    (dt.date(1998, 5, 17), "1998-05-17", "17 May 1998")])
def test_a_date_may_be_a_year_a_month_or_a_day(value, iso, text):
    date = PartialDate.parse(value)
    assert date.iso() == iso and date.text() == text and date.parts() == [int(p) for p in iso.split("-")]


@pytest.mark.parametrize("value", ["someday", "1998-13", "1998-02-30", "98", True])
def test_a_date_that_is_not_one_is_refused(value):
    with pytest.raises(ValueError):
        PartialDate.parse(value)


def test_the_one_reader_resolves_env_and_knows_every_key_s_line(tmp_path, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text(MINIMAL, encoding="utf-8")
    monkeypatch.setenv("TEST_EXPORT", "false")
    source = read_config(tmp_path / "mkdocs.yml")
    assert source.data["extra"]["edition"]["export"] is False  # the old second reader turned !ENV into None
    assert source.data["site_url"] == "https://example.org/t/"
    assert source.places[("extra", "edition", "essay", "published")] == (16, 7)
    edition = load_settings(tmp_path).edition
    assert edition.export is False and edition.essay.published == PartialDate(1998)
    assert [n.text() for n in edition.editors] == ["Richard Roe", "A Collective"] and edition.editors[1].literal


def test_an_unknown_key_names_the_closest_one(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(MINIMAL.replace("    statement:", "    statment:"), encoding="utf-8")
    found = [str(p) for p in load_settings(tmp_path).problems if p.code.startswith("config.")]
    assert "mkdocs.yml:6:5: extra.edition.statment: unknown key; did you mean 'statement'? [config.unknown]" in found
    assert any(p.startswith("mkdocs.yml:4:3: extra.edition: 'statement' is missing") for p in found)


def test_a_year_only_essay_date_is_cited_as_a_year(tmp_path):
    from scholarly_edition import scholarly

    (tmp_path / "mkdocs.yml").write_text(MINIMAL, encoding="utf-8")
    edition = load_settings(tmp_path).edition
    item = scholarly.edition_item(edition, "https://example.org/t/essay/")
    assert item["issued"] == {"date-parts": [[1998]]} and "original-date" not in item
    tags = scholarly.head_tags(edition, "https://example.org/t/essay/", "x.pdf", "", [], "l")
    assert '<meta name="citation_publication_date" content="1998">' in tags and '<meta name="DC.date" content="1998">' in tags
    assert "DC.rights" not in tags  # no rights declared: none invented
    assert re.search(r"date\s+= \{1998\}", scholarly.bibtex(edition, "https://example.org/t/essay/"))


def test_the_readme_has_the_configuration_reference_as_generated():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert reference_markdown() in readme, "run python -m scholarly_edition config-reference and paste it into README.md"


def test_the_package_version_is_the_project_version():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^version = "([^"]+)"', text, re.M).group(1) == __version__


def test_the_example_edition_pins_what_the_generator_pins():
    ours = [line for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines() if line and not line.startswith(("#", "-e"))]
    example = (ROOT / "src/scholarly_edition/example/requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in example if line and not line.startswith(("#", "{"))] == ours


def test_no_code_template_or_stylesheet_holds_a_word_of_this_edition():
    words = r"juego\|aepf\|asem\|aalborg\|vbn\|migration-in-asia-europe-relations"
    found = subprocess.run(["grep", "-rniI", words, "src", "hooks", "--include=*.py", "--include=*.html", "--include=*.css",
                            "--include=*.js", "--include=*.yml", "--include=*.md", "--include=*.txt", "--include=Makefile"],
                           cwd=ROOT, capture_output=True, text=True).stdout
    assert found == ""


def test_pages_mkdocs_keeps_out_of_the_nav_are_not_reported(tmp_path):
    """MkDocs' ``not_in_nav`` (gitignore-style lines) keeps pages out of the nav without a word; the checks read it
    as MkDocs does. A page neither in the nav nor matched is still reported."""
    from scholarly_edition.checks import CheckSession

    (tmp_path / "mkdocs.yml").write_text("site_name: T\nnav:\n  - index.md\nnot_in_nav: |\n  /drafts/\n  extra-*.md\n", encoding="utf-8")
    session = CheckSession(load_settings(tmp_path))
    pages = {src: (f"docs/{src}", "# A page\n\nSome text.\n") for src in ("index.md", "drafts/one.md", "notes/extra-a.md", "notes/other.md")}
    found = [str(p) for p in session.check_pages(pages) if p.code == "page.not_in_nav"]
    assert found == ["docs/notes/other.md:1:1: page 'notes/other.md' is not in the nav; add it to 'nav:' in mkdocs.yml (or remove the file) [page.not_in_nav]"]
