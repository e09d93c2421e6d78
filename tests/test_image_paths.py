"""A picture written with the right name from the wrong folder: the message gives the path that works."""

from __future__ import annotations

from pathlib import Path

import pytest

from scholarly_edition.content import link_problems

PAGES = {"index.md", "essay.md", "context/aepf.md", "context/author.md"}


@pytest.fixture
def docs(tmp_path) -> Path:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "poster.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "context").mkdir()
    return tmp_path



@pytest.mark.parametrize("src, written, works", [
    ("context/aepf.md", "images/poster.png", "../images/poster.png"),   # the case: a context page
    ("index.md", "../images/poster.png", None),                          # outside docs/: its own message
    ("context/aepf.md", "poster.png", "../images/poster.png"),
    ("index.md", "img/poster.png", "images/poster.png"),
])
def test_a_missing_image_names_the_path_that_works(docs, src, written, works):
    found = link_problems(f"![A poster]({written})\n", f"docs/{src}", src, docs, PAGES, {}, 500)
    assert len(found) == 1
    if works is None:
        assert "outside docs/" in found[0].message
        return
    assert found[0].code == "link.image_missing"
    assert f"docs/images/poster.png exists: from this page write '{works}'" in found[0].message
    # and the path it suggests really is found from that page
    assert link_problems(f"![A poster]({works})\n", f"docs/{src}", src, docs, PAGES, {}, 500) == []


@pytest.mark.parametrize("src, written", [("index.md", "images/poster.png"), ("context/aepf.md", "../images/poster.png")])
def test_an_image_that_exists_is_not_reported(docs, src, written):
    assert link_problems(f"![A poster]({written})\n", f"docs/{src}", src, docs, PAGES, {}, 500) == []


def test_a_missing_image_with_no_file_of_that_name_says_only_fix_the_path(docs):
    (found,) = link_problems("![A map](images/map.png)\n", "docs/context/aepf.md", "context/aepf.md", docs, PAGES, {}, 500)
    assert found.message == "image 'images/map.png' points to 'context/images/map.png', which does not exist; fix the path"


def test_a_page_linked_from_the_wrong_folder_gets_the_same_help(docs):
    (found,) = link_problems("[the essay](essay.md)\n", "docs/context/aepf.md", "context/aepf.md", docs, PAGES, {}, 500)
    assert found.code == "link.not_found"
    assert "docs/essay.md exists: from this page write '../essay.md'" in found.message


def test_the_closest_page_is_suggested_as_the_link_must_be_written_from_the_page(docs):
    (found,) = link_problems("[the author](autor.md)\n", "docs/context/aepf.md", "context/aepf.md", docs, PAGES, {}, 500)
    assert "did you mean 'author.md'?" in found.message  # not 'context/author.md', which would point to context/context/
    (found,) = link_problems("[the essay](essey.md)\n", "docs/context/aepf.md", "context/aepf.md", docs, PAGES, {}, 500)
    assert "did you mean '../essay.md'?" in found.message
