"""Every example CONTRIBUTING.md gives does what its text says.

The examples and the promised results are read from CONTRIBUTING.md itself (its code blocks and the phrases
around them), so a change to the guide that no longer matches what the checks and the build do fails here.
One copy of the project: the examples and, beside them, the mistakes the guide describes are planted, one
`check` run reads them all; then the mistakes are taken out again and one strict build shows what readers get.
"""

from __future__ import annotations

import html
import posixpath
import re
import subprocess
import sys
import textwrap
import zlib
import struct
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, mkdocs_build

pytestmark = pytest.mark.builds

GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of the guide's '## title' section, up to the next '## ' heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", GUIDE, re.S | re.M)
    assert match, f"CONTRIBUTING.md has no section '## {title}'"
    return match.group(1)


def blocks(text: str, lang: str) -> list[str]:
    """The fenced code blocks of one language, dedented (the .bib example sits inside a numbered list)."""
    return [textwrap.dedent(m.group(2)) for m in re.finditer(rf"^([ \t]*)```{lang}\n(.*?)^\1```", text, re.S | re.M)]


def said(text: str) -> str:
    """The guide's prose with its line breaks as spaces, to read a promise that runs over two lines."""
    return " ".join(text.split())


def visible(page_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page_html)).split())


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00")) + chunk(b"IEND", b""))


# ------------------------------------------------------------------------------------------ the examples
CITING = section("Citing a source")
(CITATION_EXAMPLE,) = blocks(CITING, "markdown")
SHOWN_FOR_FIRST = re.search(r'The site shows "([^"]+)"', said(CITING)).group(1)
BARE_KEY, BARE_SHOWN = re.search(r'`(@[\w-]+)` gives "([^"]+)"', said(CITING)).groups()

ADDING = section("Adding a reference")
(BIB_EXAMPLE,) = blocks(ADDING, "bibtex")
BIB_KEY = re.search(r"@\w+\{([^,]+),", BIB_EXAMPLE).group(1)
ENGLISH_WRITTEN, ENGLISH_SHOWN = re.search(r"a title written `([^`]+)` is shown as \"([^\"]+)\"", said(ADDING)).groups()
LANGID, FOREIGN_TITLE, FOREIGN_WITHOUT = re.search(
    r"with `(langid = \{\w+\})` .*?\"([^\"]+)\" is shown as written; without it, as \"([^\"]+)\"", said(ADDING)).groups()

GLOSSARY = section("Adding a glossary term")
(TERM_EXAMPLE,) = blocks(GLOSSARY, "yaml")
TERM = re.search(r"term: (.+)", TERM_EXAMPLE).group(1).strip()
TERM_ANCHOR = re.search(r"its abbreviation if it has one \(`#([\w-]+)`\)", said(GLOSSARY)).group(1)
TERM_LINKS = re.findall(r"`(\[\[[^`]+\]\])`", GLOSSARY)
TERM_EXPLAINED = re.search(r'the first time you use it: "([^"]+)"', said(GLOSSARY)).group(1)

(NOTE_EXAMPLE,) = blocks(section("Adding an editorial note"), "markdown")
# note 8 quotes "the combined and uneven character of development" in paragraph 6; note 9 quotes what follows
NOTE_PHRASE, NOTE_KEY = "a qualitative improvement to the lives of all", "iom2008wmr"

PICTURES = section("Pictures")
PICTURE_IN_DOCS, PICTURE_IN_CONTEXT = blocks(PICTURES, "markdown")
IMAGE = re.search(r"\]\(([^)]+)\)", PICTURE_IN_DOCS).group(1)
IMAGE_FROM_CONTEXT = re.search(r"\]\(([^)]+)\)", PICTURE_IN_CONTEXT).group(1)

CHECKS = section("What the checks say")
(EXAMPLE_LINE,) = [b.strip() for b in blocks(CHECKS, "text")]
TYPO_FOLLOWS = re.search(r'names it \("([^"]+)"\)', said(CHECKS)).group(1)

MAKE_CHECK_COVERS = re.search(r"make check +# the source checks: ([^(]+)\(", GUIDE).group(1).strip().split(", ")

# A mistake for each thing the guide says `make check` checks, with the code that must then be reported.
CHECK_COVERS = {
    "citations": "cite.unknown_key",
    ".bib files": "bib.provenance",
    "glossary": "glossary.uncited_fact",
    "links": "link.not_found",
    "anchors": "link.anchor_not_found",
    "pictures": "link.image_missing",
    "the essay's words": "essay.changed",
}

TEST_ENTRIES = f"""
% Verified at: https://example.org/english (test entry)
@article{{testenglish2000,
  author = {{Lowe, Ann}}, title = {{{ENGLISH_WRITTEN}}}, journal = {{Contemporary Southeast Asia}},
  volume = {{22}}, pages = {{1--2}}, year = {{2000}}, verifiedat = {{example.org}}, confidence = {{verified}}
}}

% Verified at: https://example.org/french (test entry)
@article{{testfrench2011,
  author = {{Dupont, Jean}}, title = {{{FOREIGN_TITLE}}}, journal = {{Revue}},
  volume = {{3}}, pages = {{5--9}}, year = {{2011}}, verifiedat = {{example.org}}, confidence = {{verified}}
}}

% Verified at: https://example.org/french-langid (test entry)
@article{{testfrenchlangid2011,
  author = {{Durand, Marie}}, title = {{{FOREIGN_TITLE}}}, journal = {{Revue}}, {LANGID},
  volume = {{3}}, pages = {{5--9}}, year = {{2011}}, verifiedat = {{example.org}}, confidence = {{verified}}
}}

% Verified at: https://example.org/parent (test entry)
@PARENTTYPE{{testparent2012,
  editor = {{Smith, Jane}}, title = {{A Book of Chapters}}, publisher = {{Press}}, address = {{London}},
  year = {{2012}}, verifiedat = {{example.org}}, confidence = {{verified}}
}}

% Verified at: https://example.org/chapter (test entry)
@incollection{{testchapter2012,
  author = {{Brown, Bob}}, title = {{A Chapter}}, crossref = {{testparent2012}}, pages = {{10--20}},
  verifiedat = {{example.org}}, confidence = {{verified}}
}}
"""
TEST_CITES = "Test entries [@testenglish2000; @testfrench2011; @testfrenchlangid2011] and [@testchapter2012].\n"


def with_term(glossary: str, entry: str) -> str:
    """The glossary with an entry put in alphabetical order, as the guide asks."""
    lines = glossary.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("- term: ")]
    name = re.search(r"term: (.+)", entry).group(1).strip().casefold()
    at = next((i for i in starts if lines[i][len("- term: "):].strip().casefold() > name), len(lines))
    return "".join(lines[:at]) + entry.rstrip("\n") + "\n\n" + "".join(lines[at:])


def plant_line(text: str, line: int, col: int, citation: str) -> str:
    """Put `citation` on line `line` so that its key starts at column `col` (as the example line names it)."""
    lines = text.split("\n")
    lines.insert(line - 1, "x" * (col - 1 - citation.index("@") - 1) + " " + citation)
    return "\n".join(lines)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """(lines of one `check` run with examples and mistakes planted, the site built with the examples alone)."""
    project = copy_project(tmp_path_factory.mktemp("contributing") / "project")
    docs = project / "docs"
    (docs / "images").mkdir(exist_ok=True)
    (docs / "images" / posixpath.basename(IMAGE)).write_bytes(tiny_png())
    originals = {path: (project / path).read_text(encoding="utf-8") for path in
                 ("docs/context/aepf.md", "docs/context/author.md", "docs/context/asem-and-migration.md", "docs/about.md",
                  "docs/essay.md", "bib/references.bib", "glossary/terms.yml")}

    note = NOTE_EXAMPLE.replace("the words of the essay you discuss", NOTE_PHRASE).replace("[@key]", f"[@{NOTE_KEY}]")
    essay = originals["docs/essay.md"].replace("    either work.\n", "    either work.\n\n" + note, 1)
    assert "Editorial note 9" in essay
    good_aepf = (originals["docs/context/aepf.md"] + "\n" + CITATION_EXAMPLE + f"\nAs {BARE_KEY} wrote, it was so.\n\n"
                 + PICTURE_IN_CONTEXT + f"\nA new source [@{BIB_KEY}]. " + TEST_CITES)
    term_use = f"\n{TERM_EXPLAINED}s talk. Linked: {TERM_LINKS[0]}, and {TERM_LINKS[1]}.\n"
    good = {
        "docs/context/aepf.md": good_aepf + term_use,
        "docs/about.md": originals["docs/about.md"] + "\n" + PICTURE_IN_DOCS,
        "docs/essay.md": essay,
        "bib/references.bib": originals["bib/references.bib"] + "\n" + BIB_EXAMPLE + TEST_ENTRIES.replace("PARENTTYPE", "collection"),
        "glossary/terms.yml": with_term(originals["glossary/terms.yml"], TERM_EXAMPLE),
    }

    # the mistakes the guide describes, beside the examples
    place = re.match(r"(docs/[^:]+):(\d+):(\d+): unknown citation key '([^']+)'", EXAMPLE_LINE)
    example_page, example_line, example_col, example_key = place.group(1), int(place.group(2)), int(place.group(3)), place.group(4)
    assert example_page == "docs/context/aepf.md"
    bad_aepf = plant_line(good_aepf, example_line, example_col, f"[@{example_key}]")
    bad_aepf = bad_aepf.replace("[@gilson2007structuring]", "[@gilson2007structurin]")  # its only citation, mistyped
    bad_aepf += "\nA broken [link](nowhere.md) and [anchor](../glossary.md#no-such-term).\n"
    uncited = BIB_EXAMPLE.replace(BIB_KEY, BIB_KEY + "b")
    unprovenanced = re.sub(r"\n\s*(verifiedat|confidence)\s*=[^\n]*", "", BIB_EXAMPLE.replace(BIB_KEY, BIB_KEY + "c")).replace("},\n}", "}\n}")
    bad = {
        "docs/context/aepf.md": bad_aepf + f"\n[@{BIB_KEY}c]\n",  # the term is not used: glossary.unused_term
        "docs/context/author.md": originals["docs/context/author.md"] + "\nMalformed [@ vanrompuy2010asem8].\n\n" + PICTURE_IN_DOCS,
        "docs/context/asem-and-migration.md": re.sub(r"\[@castlesmiller2009[^\]]*\]", r"\\cite{castlesmiller2009}",
                                                     originals["docs/context/asem-and-migration.md"]),
        "docs/essay.md": essay.replace(" to effectively manage migration ", " to effectively manage migrations ", 1),
        "bib/references.bib": good["bib/references.bib"].replace("@collection{testparent2012", "@book{testparent2012")
                              + "\n" + uncited + "\n" + unprovenanced,
        "glossary/terms.yml": with_term(good["glossary/terms.yml"], "- term: Zz dated body\n  definition: >-\n    Founded in 1996 by 12 states.\n"),
    }
    assert bad["docs/essay.md"] != essay and bad["docs/context/asem-and-migration.md"] != originals["docs/context/asem-and-migration.md"]
    for path, text in {**good, **bad}.items():
        (project / path).write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "scholarly_edition", "check", str(project)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]

    for path in bad:
        (project / path).write_text(good.get(path, originals[path]), encoding="utf-8")
    site = project.parent / "site"
    built = mkdocs_build(project, site, "--strict")
    assert built.returncode == 0, built.stdout + built.stderr
    return lines, site


def page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------- check
def test_the_example_message_is_word_for_word_what_check_prints(outcome):
    lines, _ = outcome
    assert EXAMPLE_LINE in lines


def test_make_check_finds_everything_the_guide_says_it_checks(outcome):
    lines, _ = outcome
    assert set(MAKE_CHECK_COVERS) <= set(CHECK_COVERS), f"no planted mistake for {set(MAKE_CHECK_COVERS) - set(CHECK_COVERS)}"
    for item in MAKE_CHECK_COVERS:
        assert any(line.endswith(f"[{CHECK_COVERS[item]}]") for line in lines), f"make check does not report {item}"


def test_a_typo_is_followed_by_the_entry_it_left_uncited_which_names_it(outcome):
    lines, _ = outcome
    at = next(i for i, line in enumerate(lines) if "'gilson2007structurin'" in line and line.endswith("[cite.unknown_key]"))
    follower = lines[at + 1]
    assert follower.endswith("[bib.unused_entry]") and "'gilson2007structuring' is never cited" in follower
    before, after = TYPO_FOLLOWS.split("...")
    assert before.strip() in follower and after.strip() in follower and "docs/context/aepf.md:" in follower


@pytest.mark.parametrize("key, code", [("vanrompuy2010asem8", "cite.stray_space"), ("castlesmiller2009", "cite.latex")])
def test_a_malformed_citation_is_one_line_and_its_entry_is_not_called_unused(outcome, key, code):
    lines, _ = outcome
    assert len([line for line in lines if key in line]) == 1
    assert any(key in line and line.endswith(f"[{code}]") for line in lines)


def test_the_bib_example_passes_and_the_two_fields_and_a_citation_are_required(outcome):
    lines, _ = outcome
    assert not [line for line in lines if f"'{BIB_KEY}'" in line], "the guide's own .bib example is reported"
    assert "bib.provenance" in ADDING and "bib.unused_entry" in ADDING
    assert any(f"'{BIB_KEY}c'" in line and line.endswith("[bib.provenance]") for line in lines)
    assert any(f"'{BIB_KEY}b'" in line and line.endswith("[bib.unused_entry]") for line in lines)


def test_an_incollection_under_a_book_says_what_to_change(outcome):
    lines, _ = outcome
    (line,) = [line for line in lines if "'testchapter2012'" in line]
    assert line.endswith("[bib.missing_field]") and "'booktitle'" in line
    assert "make the parent @collection" in line and "@inbook" in line  # the two changes the guide names
    assert "`@collection`" in ADDING and "`@inbook`" in ADDING


def test_the_glossary_example_reads_and_the_guide_s_two_glossary_checks_fire(outcome):
    lines, _ = outcome
    assert not [line for line in lines if line.startswith("glossary/") and "[glossary.syntax]" in line]
    assert any(TERM in line and line.endswith("[glossary.unused_term]") for line in lines)
    assert any("Zz dated body" in line and line.endswith("[glossary.uncited_fact]") for line in lines)


def test_a_picture_written_for_docs_on_a_context_page_is_told_the_context_path(outcome):
    lines, _ = outcome
    (line,) = [line for line in lines if line.startswith("docs/context/author.md") and "[link.image_missing]" in line]
    assert f"write '{IMAGE_FROM_CONTEXT}'" in line


# --------------------------------------------------------------------------------------------- build
def test_a_citation_reads_as_the_guide_shows_with_no_footnote(outcome):
    _, site = outcome
    aepf = page(site, "context/aepf")
    assert SHOWN_FOR_FIRST in visible(aepf)
    first_key = re.search(r"@([\w-]+)", CITATION_EXAMPLE).group(1)  # "the name and year are a link"
    assert re.search(rf'<a class="citation" href="#ref-{first_key}"[^>]*>{re.escape(SHOWN_FOR_FIRST.strip("()"))}</a>', aepf)
    assert 'class="footnote' not in aepf and 'id="fnref' not in aepf  # "There are no footnotes"
    for key in re.findall(r"@([\w-]+)", CITATION_EXAMPLE):  # each linked to the page's own list of references
        assert f'href="#ref-{key}"' in aepf and f'id="ref-{key}"' in aepf
    assert "[@" not in visible(aepf)
    text = visible(aepf)
    assert re.search(r"\(see International Organization for Migration 2008\)", text)  # the prefix
    assert re.search(r"Yeo 2000, 115", text)  # the page
    assert f"As {BARE_SHOWN} wrote" in text  # the key without brackets


def test_titles_read_as_the_guide_says(outcome):
    _, site = outcome
    aepf = page(site, "context/aepf")

    def reference(key: str) -> str:
        return visible(re.search(rf'id="ref-{key}".*?</div>', aepf, re.S).group(0))

    assert ENGLISH_SHOWN in reference("testenglish2000")
    assert FOREIGN_WITHOUT in reference("testfrench2011")
    assert FOREIGN_TITLE in reference("testfrenchlangid2011")
    assert "In A Book of Chapters" in reference("testchapter2012")  # the parent made @collection, as advised


def test_the_pictures_show_from_both_kinds_of_page(outcome):
    _, site = outcome
    for name, written in (("about", IMAGE), ("context/aepf", IMAGE_FROM_CONTEXT)):
        sources = re.findall(r'<img[^>]*\ssrc="([^"]+)"', page(site, name))
        target = posixpath.basename(written)
        found = [src for src in sources if src.endswith(target)]
        assert found, f"no picture on {name}"
        assert (site / name / found[0]).resolve().is_file()


def test_the_glossary_example_gets_its_anchor_links_and_used_in(outcome):
    _, site = outcome
    glossary, aepf = page(site, "glossary"), page(site, "context/aepf")
    assert f'id="{TERM_ANCHOR}"' in glossary
    assert aepf.count(f'glossary/#{TERM_ANCHOR}"') >= len(TERM_LINKS)
    entry = glossary[glossary.index(f'id="{TERM_ANCHOR}"'):][:4000]
    assert "context/aepf/" in entry  # "Used in"


def test_the_editorial_note_example_is_note_9_with_its_marker(outcome):
    _, site = outcome
    essay = page(site, "essay")
    # the note's marker stands at the phrase its title quotes, after note 8's, and its citation is formatted
    assert f'<span class="noted" id="noted-9">{NOTE_PHRASE}</span><sup class="note-ref" id="note-ref-9"' in essay
    assert essay.index('id="note-ref-8"') < essay.index('id="note-ref-9"') and 'id="note-9"' in essay
    assert f'href="#ref-{NOTE_KEY}"' in essay[essay.index('id="note-9"'):]
