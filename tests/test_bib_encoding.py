"""A .bib file that is not UTF-8: bytes 0x80-0x9F are never text in Latin-1 (they are C1 control characters), so
a file that has them is read as Windows-1252, the encoding that puts text there, or refused; no C1 control
character reaches a page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from conftest import mkdocs_build
from scholarly_edition.bibdata import load_bibliography

C1 = re.compile("[\u0080-\u009f]")

# é (0xE9) and è (0xE8) are the same byte in Latin-1 and Windows-1252; the en dash (0x96) is Windows-1252 only.
CP1252_BIB = ("% saved by an old editor in Windows-1252\n"
              "@book{dupont1999cafe,\n"
              "  author     = {Dupont, Ren\xe9},\n"
              "  title      = {Caf\xe9 cr\xe8me, 1990\u20132000},\n"
              "  publisher  = {Presses de l'\xc9cole},\n"
              "  location   = {Paris},\n"
              "  year       = {1999},\n"
              "  verifiedat = {test fixture},\n"
              "  confidence = {verified}\n"
              "}\n").encode("cp1252")
assert b"\x96" in CP1252_BIB and b"\xe9" in CP1252_BIB and b"\xe8" in CP1252_BIB


def _load(tmp_path: Path, data: bytes, name: str = "x.bib"):
    path = tmp_path / name
    path.write_bytes(data)
    return load_bibliography([(path, f"bib/{name}")])


def _c1_in(folder: Path) -> list[str]:
    """Every C1 control character in a built page, as page:line:col (U+XXXX), in the HTML as written and once its
    character references (&#150;) are read."""
    found = []
    pages = sorted(folder.rglob("*.html"))
    assert pages, f"no built page in {folder}"
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for label, body in (("", text), (" (as a character reference)", html.unescape(text))):
            for match in C1.finditer(body):
                line = body.count("\n", 0, match.start()) + 1
                col = match.start() - body.rfind("\n", 0, match.start())
                found.append(f"{page.relative_to(folder)}:{line}:{col}: U+{ord(match.group()):04X}{label}")
    return found


# ------------------------------------------------------------------ reading the bytes


def test_a_windows_1252_bib_is_read_as_windows_1252_with_one_warning(tmp_path):
    bib = _load(tmp_path, CP1252_BIB)
    entry = bib.entries["dupont1999cafe"]
    assert entry.fields["title"] == "Caf\u00e9 cr\u00e8me, 1990\u20132000"
    assert entry.fields["author"] == "Dupont, Ren\u00e9"
    assert entry.fields["publisher"] == "Presses de l'\u00c9cole"
    assert not any(C1.search(v) for v in entry.fields.values())
    assert not any(C1.search(t) for t in bib.texts)
    assert not C1.search(repr(entry.csl)) and "1990\u20132000" in entry.csl["title"]  # what Pandoc read
    [problem] = [p for p in bib.problems if p.code == "bib.not_utf8"]
    assert (problem.path, problem.line, problem.col, problem.severity) == ("bib/x.bib", 3, 28, "warning")  # the é of René
    assert "Windows-1252" in problem.message and "save it as UTF-8" in problem.message
    assert [p for p in bib.problems if p.severity == "error"] == []


def test_bytes_windows_1252_does_not_define_are_an_error(tmp_path):
    data = "@misc{odd2001,\n  title = {Caf\xe9 \x81 bar},\n  year = {2001}\n}\n".encode("latin-1")
    bib = _load(tmp_path, data)
    [problem] = [p for p in bib.problems if p.code == "bib.not_utf8"]
    assert problem.severity == "error"
    assert (problem.line, problem.col) == (2, 17)  # the 0x81, not the é before it
    assert "0x81" in problem.message and "Windows-1252" in problem.message and "save it as UTF-8" in problem.message
    assert not any(C1.search(t) for t in bib.texts)  # what the build would still hand on has no control character
    assert not any(C1.search(v) for e in bib.entries.values() for v in e.fields.values())


def test_a_latin_1_bib_without_0x80_to_0x9f_is_still_read_as_latin_1(tmp_path):
    bib = _load(tmp_path, "@misc{l2001,\n  title = {Pa\xeds d\xe9j\xe0},\n  year = {2001}\n}\n".encode("latin-1"))
    assert bib.entries["l2001"].fields["title"] == "Pa\u00eds d\u00e9j\u00e0"
    [problem] = bib.problems
    assert (problem.code, problem.severity, problem.line, problem.col) == ("bib.not_utf8", "warning", 2, 14)
    assert "Latin-1" in problem.message and "save it as UTF-8" in problem.message


def test_a_utf8_bib_has_no_encoding_problem(tmp_path):
    bib = _load(tmp_path, CP1252_BIB.decode("cp1252").encode("utf-8"))
    assert bib.entries["dupont1999cafe"].fields["title"] == "Caf\u00e9 cr\u00e8me, 1990\u20132000"
    assert [p for p in bib.problems if p.code == "bib.not_utf8"] == []


# ------------------------------------------------------------------ what is published


@pytest.mark.builds
def test_a_windows_1252_bib_publishes_its_en_dash_and_no_control_character(project_copy, tmp_path):
    (project_copy / "bib" / "cp1252.bib").write_bytes(CP1252_BIB)
    about = project_copy / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nAn old study of the caf\u00e9 [@dupont1999cafe].\n", encoding="utf-8")
    site = tmp_path / "site"
    result = mkdocs_build(project_copy, site)
    assert result.returncode == 0, result.stderr
    assert _c1_in(site) == []
    assert "bib/cp1252.bib:3:28: " in result.stderr and "Windows-1252" in result.stderr  # the warning, with its place
    page = (site / "about" / "index.html").read_text(encoding="utf-8")
    reference = re.search(r'<div [^>]*id="ref-dupont1999cafe".*?</div>', page, re.S)
    assert reference, "the cited entry has no reference on the page"
    text = html.unescape(re.sub(r"<[^>]+>", "", reference.group(0)))
    assert "1990\u20132000" in text and "Caf\u00e9" in text and "Dupont, Ren\u00e9" in text, text


def test_no_page_of_the_built_site_has_a_c1_control_character(built_site):
    assert _c1_in(built_site) == []
