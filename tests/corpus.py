"""A corpus of contributor mistakes: each case changes a copy of the real site and returns the exact lines
`make check` and `make build` must print for it (path:line:col: message [code])."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, copy_project

LINE = re.compile(r"^(?:warning: )?(?P<path>[\w./-]+):(?P<line>\d+):(?P<col>\d+): .+ \[(?P<code>[a-z]+\.[a-z0-9_]+)\]$")


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
    return [f"bib/references.bib:{n + 2}:1: entry 'broken2001' is never closed: a brace or quote opened in it is left open, so Pandoc, which formats the citations, cannot tell where it ends; close it [bib.syntax]"]


def plant_duplicate_key_across_files(p: Path) -> list[str]:
    (p / "bib" / "extra.bib").write_text("% another file\n@misc{Rosenberg2006,\n  title = {Another},\n  verifiedat = {here}, confidence = {verified}\n}\n", encoding="utf-8")
    # files are read in name order, so the entry in references.bib is the one reported and left out
    line = next(i for i, l in enumerate((p / "bib" / "references.bib").read_text(encoding="utf-8").splitlines(), 1) if l.startswith("@article{rosenberg2006,"))
    return [f"bib/references.bib:{line}:1: key differs only in case from 'Rosenberg2006' 'rosenberg2006' (first defined at bib/extra.bib:2); rename or merge one [bib.duplicate_key]"]


def plant_missing_field(p: Path) -> list[str]:
    bib = p / "bib" / "references.bib"
    n = line_count(bib)
    append(bib, "\n@article{nojournal2001,\n  author = {Doe, Jane},\n  title = {A Title},\n  year = {2001}\n}\n")
    return [f"bib/references.bib:{n + 2}:1: @article 'nojournal2001' lacks required field 'journaltitle' or 'journal'; add it, or use a type that fits the work [bib.missing_field]",
            f"bib/references.bib:{n + 2}:1: entry 'nojournal2001' is never cited; cite it where it supports the text, or remove it [bib.unused_entry]"]


def plant_bad_year_doi_url(p: Path) -> list[str]:
    bib = p / "bib" / "references.bib"
    text = bib.read_text(encoding="utf-8")
    text = text.replace("  doi        = {10.1177/1354066106067345},", "  doi        = {https://doi.org/10.1177/1354066106067345},")
    text = text.replace("  year       = {2001},\n  verifiedat = {EconPapers (RePEc)},", "  date       = {c. 2001},\n  verifiedat = {EconPapers (RePEc)},")
    text = text.replace("  url        = {https://dawn.com/news/amp/406426},", "  url        = {dawn.com/news/amp/406426},")
    bib.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    doi = next(i for i, l in enumerate(lines, 1) if "https://doi.org/10.1177" in l)
    year = next(i for i, l in enumerate(lines, 1) if "c. 2001" in l)  # a date Pandoc cannot read
    url = next(i for i, l in enumerate(lines, 1) if "{dawn.com/news" in l)
    # in the order `check` lists them (by line): the url's entry comes first in the file
    return [f"bib/references.bib:{url}:1: url 'dawn.com/news/amp/406426' of 'dawn2002asem' is not a full address, so its link would be broken; write it with its scheme, e.g. https:// [bib.bad_url]",
            f"bib/references.bib:{doi}:1: doi 'https://doi.org/10.1177/1354066106067345' of 'rosenberg2006' is not a DOI, so its link would be broken; write the bare DOI, e.g. 10.1177/1354066106067345 (no https://doi.org/ or doi:) [bib.bad_doi]",
            f"bib/references.bib:{year}:1: date 'c. 2001' of 'beine2001brain' is not a date Pandoc can read, so no date would be shown; write biblatex's ISO 8601 form: 2010, 2010-11, 2010-11-10, a range 2010-10-02/2010-10-05, ~ or ? for approximate or uncertain [bib.bad_date]"]


def plant_unprotected_caps_in_sentence_case_style(p: Path) -> list[str]:
    # Chicago keeps "Asian" as written; APA sentence-cases titles and lowers it, so only then is it a problem.
    config = p / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("csl_file: chicago-author-date", "csl_file: apa"), encoding="utf-8")
    bib = p / "bib" / "references.bib"
    text = bib.read_text(encoding="utf-8").replace("{{EU}, {Asian} states moving closer on immigration}", "{{EU}, Asian states moving closer on immigration}")
    bib.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "{EU}, Asian states" in l)
    key = next(l for l in reversed(text.splitlines()[:line]) if l.startswith("@")).split("{", 1)[1].rstrip(",")
    return [f"bib/references.bib:{line}:1: title of '{key}': the citation style lower-cases 'Asian' (it changes titles to sentence case); write {{Asian}} to keep it [bib.unprotected_caps]"]


def plant_unused_entry(p: Path) -> list[str]:
    (p / "bib" / "uncited.bib").write_text("@book{uncited1999,\n  author = {Doe, Jane},\n  title = {Never Cited},\n  publisher = {Nobody},\n  year = {1999},\n  verifiedat = {here}, confidence = {verified}\n}\n", encoding="utf-8")
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


def plant_citation_in_image_alt(p: Path) -> list[str]:
    page = p / "docs" / "index.md"
    (p / "docs" / "figure.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n', encoding="utf-8")
    n = line_count(page)
    append(page, "\n![Migration flows [@juego2010migration]](figure.svg)\n")
    return [f"docs/index.md:{n + 2}:20: citation 'juego2010migration' in an image's alt text cannot be formatted there and breaks the image; cite the source in the sentence or caption next to the image [cite.in_image]"]


def plant_undefined_acronym(p: Path) -> list[str]:
    page = p / "docs" / "context" / "author.md"
    n = line_count(page)
    append(page, "\nHe later wrote for the XYZQ-2 network.\n")
    return [f"docs/context/author.md:{n + 2}:24: 'XYZQ-2' looks like an acronym but the glossary does not define it; add it to glossary/terms.yml (abbr) or to extra.checks.acronym_allowlist in mkdocs.yml [glossary.undefined_acronym]"]


def plant_unknown_term_link(p: Path) -> list[str]:
    page = p / "docs" / "about.md"
    n = line_count(page)
    append(page, "\nSee [[brain drian]] for the term.\n")
    return [f"docs/about.md:{n + 2}:5: term link '[[brain drian]]' names no glossary term; did you mean 'Brain drain'? add the term to glossary/terms.yml or fix the link [glossary.unknown_term]"]


def plant_duplicate_term(p: Path) -> list[str]:
    glossary = p / "glossary" / "terms.yml"
    n = line_count(glossary)
    append(glossary, "\n- term: brain drain\n  definition: The same term again.\n")
    first = next(i for i, l in enumerate(glossary.read_text(encoding="utf-8").splitlines(), 1) if l == "- term: Brain drain")
    return [f"glossary/terms.yml:{n + 2}:1: term 'brain drain' of 'brain drain' is already defined by 'Brain drain' (line {first}); merge the entries or rename one [glossary.duplicate]"]


def plant_unused_term(p: Path) -> list[str]:
    glossary = p / "glossary" / "terms.yml"
    n = line_count(glossary)
    append(glossary, "\n- term: Zygomorphic remittance corridor\n  definition: A term no page uses.\n")
    return [f"glossary/terms.yml:{n + 2}:1: term 'Zygomorphic remittance corridor' is used on no page; use it where it helps readers, or remove it [glossary.unused_term]"]


def plant_unexpanded_abbreviation(p: Path) -> list[str]:
    page = p / "docs" / "index.md"
    text = page.read_text(encoding="utf-8").replace("the Asia-Europe Meeting (ASEM)", "ASEM", 1)
    page.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "governments meeting in ASEM" in l)
    col = text.splitlines()[line - 1].index("ASEM") + 1
    return [f"docs/index.md:{line}:{col}: first use of 'ASEM' on this page is not expanded; write 'Asia-Europe Meeting (ASEM)' here, or set 'expand_abbreviations: false' in the page's front matter [glossary.unexpanded_abbreviation]"]


def make(project: Path, target: str) -> subprocess.CompletedProcess:
    """``make TARGET`` in a copy with the repository's .venv, whose install stamp is taken as up to date (-o): were
    requirements.txt newer than it, make would `pip install -e .` from the copy into the shared .venv, and every
    later test would run the copy's package (seen on 7 December)."""
    return subprocess.run(["make", "--no-print-directory", "-C", str(project), "-o", f"{ROOT / '.venv'}/.installed", target,
                           f"VENV={ROOT / '.venv'}"], capture_output=True, text=True, timeout=600)


def makeable_copy(dest: Path) -> Path:
    """A copy of the project that `make check` and `make build` run in (with the repository's .venv: make())."""
    project = copy_project(dest)
    shutil.copy2(ROOT / "Makefile", project / "Makefile")
    shutil.copy2(ROOT / "requirements.txt", project / "requirements.txt")
    return project


@pytest.fixture
def project(tmp_path) -> Path:
    return makeable_copy(tmp_path / "project")




# ------------------------------------------------------------------ more malformed .bib files


def plant_bib_unclosed_at_end(p: Path) -> list[str]:
    bib = p / "bib" / "references.bib"
    n = line_count(bib)
    append(bib, "\n@book{lastentry2001,\n  author = {Doe, Jane},\n  title = {Never closed},\n")
    return [f"bib/references.bib:{n + 2}:1: entry 'lastentry2001' is never closed: a brace or quote opened in it is left open, so Pandoc, which formats the citations, cannot tell where it ends; close it [bib.syntax]"]


def plant_bib_missing_comma(p: Path) -> list[str]:
    (p / "bib" / "comma.bib").write_text("@misc{nocomma2001,\n  title = {A}\n  year = {2001}\n}\n", encoding="utf-8")
    return ["bib/comma.bib:3:3: Pandoc, which formats the citations, cannot read entry 'nocomma2001': unexpected 'y'; a comma is probably missing at the end of line 2 [bib.syntax]"]


def plant_bib_not_utf8(p: Path) -> list[str]:
    (p / "bib" / "latin1.bib").write_bytes("@misc{latin2001, title = {Pa\xeds}, verifiedat = {here}, confidence = {verified}}\n".encode("latin-1"))
    # Pandoc reads a file that is not UTF-8 as Latin-1 (with a warning): so does the check; what fails is the entry never cited
    return ["bib/latin1.bib:1:29: this .bib file is not UTF-8 (byte 0xed here): Pandoc, which formats the citations, reads it as Latin-1 (ISO 8859-1), so check that its accented letters come out right, and save it as UTF-8 [bib.not_utf8]",
            "bib/latin1.bib:1:1: entry 'latin2001' is never cited; cite it where it supports the text, or remove it [bib.unused_entry]"]


# ------------------------------------------------------------------ citations Pandoc would not format, real-world .bib syntax


def _cite_line(p: Path, text: str) -> tuple[int, str]:
    page = p / "docs" / "about.md"
    n = line_count(page)
    append(page, "\n" + text + "\n")
    return n + 2, text


def plant_cite_stray_space(p: Path) -> list[str]:
    line, text = _cite_line(p, "As the essay's record shows [@ juego2010migration], the date holds.")
    return [f"docs/about.md:{line}:{text.index('@') + 1}: '@ juego2010migration' has a space after '@', so it is no citation and would be printed as written; write @juego2010migration [cite.stray_space]"]


def plant_cite_latex_command(p: Path) -> list[str]:
    line, text = _cite_line(p, "A LaTeX habit \\citep{juego2010migration} slips in.")
    return [f"docs/about.md:{line}:{text.index(chr(92)) + 1}: '\\citep{{juego2010migration}}' is a LaTeX citation, which this site does not format (it would be printed as written); write [@juego2010migration] [cite.latex]"]


def _page_edit(p: Path, page: str, old: str, new: str) -> tuple[int, int]:
    """Replace the one occurrence of ``old`` in a page; the line and column where it was."""
    path = p / "docs" / page
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    at = text.index(old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


def plant_cite_stray_space_only_citation(p: Path) -> list[str]:
    # the issue's own case: the entry's one citation is malformed, so the entry only looks unused; the citation
    # is the cause, and no line may tell the scholar to remove the entry
    line, col = _page_edit(p, "context/aepf.md", "[@gilson2007structuring]", "[@ gilson2007structuring]")
    return [f"docs/context/aepf.md:{line}:{col + 1}: '@ gilson2007structuring' has a space after '@', so it is no citation and would be printed as written; write @gilson2007structuring [cite.stray_space]"]


def plant_cite_latex_only_citation(p: Path) -> list[str]:
    line, col = _page_edit(p, "context/asem-and-migration.md", "[@yeo2000asem]", "\\cite{yeo2000asem}")
    return [f"docs/context/asem-and-migration.md:{line}:{col}: '\\cite{{yeo2000asem}}' is a LaTeX citation, which this site does not format (it would be printed as written); write [@yeo2000asem] [cite.latex]"]


def plant_cite_typo_only_citation(p: Path) -> list[str]:
    # an unknown key close to an entry cited nowhere else: the entry's "never cited" is a knock-on, listed right
    # after the citation (it comes first by file name), naming it and asking to fix it, not to remove the entry
    line, col = _page_edit(p, "context/aepf.md", "[@gilson2007structuring]", "[@gilson2007structurin]")
    entry = next(i for i, l in enumerate((p / "bib" / "references.bib").read_text(encoding="utf-8").splitlines(), 1)
                 if l.startswith("@techreport{gilson2007structuring,"))
    return [f"docs/context/aepf.md:{line}:{col + 1}: unknown citation key 'gilson2007structurin'; did you mean 'gilson2007structuring'? add the entry to bib/ or fix the key [cite.unknown_key]",
            f"bib/references.bib:{entry}:1: entry 'gilson2007structuring' is never cited; the citation 'gilson2007structurin' at docs/context/aepf.md:{line} looks like a typo of this key; fix the citation [bib.unused_entry]"]


def plant_cite_comma_separator(p: Path) -> list[str]:
    line, text = _cite_line(p, "Two sources [@juego2010migration, @dawn2002asem] in one bracket.")
    return [f"docs/about.md:{line}:{text.index('@dawn') + 1}: '@dawn2002asem' follows '@juego2010migration' without ';', so Pandoc reads it as part of that citation's locator and it is not cited; separate citations with ';': [@juego2010migration; @dawn2002asem] [cite.separator]"]


def plant_cite_unclosed_bracket(p: Path) -> list[str]:
    line, text = _cite_line(p, "An unclosed citation [@juego2010migration; @dawn2002asem. The sentence goes on.")
    return [f"docs/about.md:{line}:{text.index('[') + 1}: this '[' opens a citation that is never closed, so it would be printed as written; close it with ']' before the paragraph ends [cite.unclosed]"]


def plant_cite_as_link_definition(p: Path) -> list[str]:
    # Manubot's citation tags look like this; Python-Markdown takes the line for a link definition and hides it
    line, text = _cite_line(p, "[@juego2010migration]: the essay's record in the research portal")
    return [f"docs/about.md:{line}:2: '[@juego2010migration]:' at the start of a line is a link definition for MkDocs, so the line is not shown (Pandoc and Manubot would read a citation); cite the source in a sentence, or move the bracket away from the line start [cite.link_definition]"]


def _essay_edit(p: Path, old: str, new: str) -> tuple[int, int]:
    page = p / "docs" / "essay.md"
    text = page.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    at = text.index(old)
    page.write_text(text.replace(old, new), encoding="utf-8")
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


def _copy_at(word_before: str) -> str:
    source = (ROOT / "sources" / "essay-as-received.txt").read_text(encoding="utf-8")
    at = source.index(word_before)
    return f"{source.count(chr(10), 0, at) + 1}:{at - source.rfind(chr(10), 0, at)}"


def plant_essay_changed_word(p: Path) -> list[str]:
    line, col = _essay_edit(p, "Migration is an issue of common interest", "Migration is a issue of common interest")
    return [f"docs/essay.md:{line}:{col + len('Migration is ')}: the essay's text differs from the copy-text here: the page has 'a' where sources/essay-as-received.txt:{_copy_at('an issue of common interest')} has 'an' (\u2026. Migration is an issue of common\u2026); restore the copy-text's words and put a correction in an editorial note [essay.changed]"]


def plant_essay_removed_comma(p: Path) -> list[str]:
    line, col = _essay_edit(p, "in the world, and home of the top three", "in the world and home of the top three")
    return [f"docs/essay.md:{line}:{col + len('in the world ')}: the essay's text differs from the copy-text here: the page has 'and' where sources/essay-as-received.txt:{_copy_at(', and home of the top three')} has ','"]


def plant_copy_text_hyphens_shown_as_a_dash(p: Path) -> list[str]:
    """A copy-text that writes a dash as '--', and a page that copies it: smarty shows an en dash, so the page is
    not the copy-text's characters (the check compares the page as rendered)."""
    source = p / "sources" / "essay-as-received.txt"
    text = source.read_text(encoding="utf-8")
    assert text.count("countries — China") == 1
    source.write_text(text.replace("countries — China", "countries -- China"), encoding="utf-8")
    line, col = _essay_edit(p, "countries — China", "countries -- China")
    at = source.read_text(encoding="utf-8").index("countries -- China") + len("countries ")
    copy = source.read_text(encoding="utf-8")
    where = f"{copy.count(chr(10), 0, at) + 1}:{at - copy.rfind(chr(10), 0, at)}"
    return [f"docs/essay.md:{line}:{col + len('countries ')}: the essay's text differs from the copy-text here: the page shows '\u2013' "
            f"(smarty renders '--' so) where sources/essay-as-received.txt:{where} has '-' (\u2026three sending countries-- China,\u2026); "
            "write \\-\\- to show the copy-text's characters [essay.changed]"]


def plant_bib_parenthesised_entry(p: Path) -> list[str]:
    # valid BibTeX, but Pandoc (which formats the citations) reads only braces: an error at its line
    (p / "bib" / "paren.bib").write_text("@misc(paren2001,\n  title = {In Parentheses},\n  year = {2001}\n)\n", encoding="utf-8")
    _cite_line(p, "Cited [@paren2001].")
    return ["bib/paren.bib:1:6: Pandoc, which formats the citations, cannot read entry 'paren2001': unexpected '('; write @type{key, ...}: Pandoc, which formats the citations, reads no parentheses around an entry [bib.syntax]"]


def plant_bib_crossref_cycle(p: Path) -> list[str]:
    (p / "bib" / "cycle.bib").write_text(
        "@book{loopa2001,\n  title = {A},\n  crossref = {loopb2001}\n}\n\n@book{loopb2001,\n  title = {B},\n  crossref = {loopa2001}\n}\n",
        encoding="utf-8")
    _cite_line(p, "Cited [@loopa2001].")
    return ["bib/cycle.bib:3:1: 'loopa2001' inherits from itself through crossref (loopa2001 -> loopb2001 -> loopa2001); remove the crossref that closes the loop [bib.crossref_cycle]",
            "bib/cycle.bib:8:1: 'loopb2001' inherits from itself through crossref (loopb2001 -> loopa2001 -> loopb2001); remove the crossref that closes the loop [bib.crossref_cycle]"]


# ------------------------------------------------------------------ pages: links, images, structure


def _append_line(p: Path, page: str, text: str) -> tuple[int, Path]:
    path = p / "docs" / page
    n = line_count(path)
    append(path, "\n" + text + "\n")
    return n + 2, path


def plant_broken_link(p: Path) -> list[str]:
    line, _ = _append_line(p, "about.md", "See [the notes](notes-on-sources.md).")
    return [f"docs/about.md:{line}:17: link 'notes-on-sources.md' points to 'notes-on-sources.md', which does not exist; fix the path [link.not_found]"]


def plant_broken_anchor(p: Path) -> list[str]:
    line, _ = _append_line(p, "context/author.md", "See [the third paragraph](../essay.md#p-33).")
    return [f"docs/context/author.md:{line}:27: link '../essay.md#p-33': 'essay.md' has no anchor '#p-33'; did you mean 'p-3'? link to an existing heading [link.anchor_not_found]"]


def plant_missing_image(p: Path) -> list[str]:
    line, _ = _append_line(p, "about.md", "![The forum's poster](images/poster.png)")
    return [f"docs/about.md:{line}:23: image 'images/poster.png' points to 'images/poster.png', which does not exist; fix the path [link.image_missing]"]


def plant_oversized_image(p: Path) -> list[str]:
    (p / "docs" / "images").mkdir()
    (p / "docs" / "images" / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(700 * 1024))
    line, _ = _append_line(p, "about.md", "![A scan of the essay](images/scan.png)")
    return [f"docs/about.md:{line}:24: image 'images/scan.png' is 700 KB (limit 500 KB); resize or compress it [content.image_too_large]"]


def plant_malformed_front_matter(p: Path) -> list[str]:
    page = p / "docs" / "context" / "author.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title: The author\n", "title: The author: Bonn Juego: 2010\n", 1), encoding="utf-8")
    return ["docs/context/author.md:2:18: front matter: YAML syntax error (mapping values are not allowed here); a value here contains ': '; put the whole value in quotes, or write it under 'key: >-' [page.front_matter]"]


def plant_unclosed_code_fence(p: Path) -> list[str]:
    line, _ = _append_line(p, "about.md", "```text\nan example that never ends")
    return [f"docs/about.md:{line}:1: code block opened with '```' is never closed; add a line '```' after the code [page.unclosed_fence]"]


def plant_page_not_utf8(p: Path) -> list[str]:
    (p / "docs" / "notes.md").write_bytes("# Notes\n\nA caf\xe9 in Brussels.\n".encode("latin-1"))
    _add_to_nav(p, "notes.md")
    return ["docs/notes.md:1:1: not UTF-8 text (byte 14); save the file as UTF-8 [page.encoding]"]


def _add_to_nav(p: Path, page: str) -> None:
    config = p / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("  - About this edition: about.md\n", f"  - About this edition: about.md\n  - Notes: {page}\n", 1)
    config.write_text(text, encoding="utf-8")


def plant_empty_page(p: Path) -> list[str]:
    (p / "docs" / "notes.md").write_text("---\ntitle: Notes\n---\n\n", encoding="utf-8")
    _add_to_nav(p, "notes.md")
    return ["docs/notes.md:1:1: the page is empty; write its content or remove it from docs/ and the nav [page.empty]"]


def plant_page_missing_from_nav(p: Path) -> list[str]:
    (p / "docs" / "notes.md").write_text("# Notes\n\nA short note on the sources.\n", encoding="utf-8")
    return ["docs/notes.md:1:1: page 'notes.md' is not in the nav; add it to 'nav:' in mkdocs.yml (or remove the file) [page.not_in_nav]"]


# ------------------------------------------------------------------ content security


def plant_raw_script(p: Path) -> list[str]:
    line, _ = _append_line(p, "about.md", "<script>alert('hello')</script>")
    return [f"docs/about.md:{line}:1: raw <script> is not allowed in a page; describe or link the content instead [content.raw_script]"]


def plant_iframe(p: Path) -> list[str]:
    line, _ = _append_line(p, "about.md", '<iframe src="https://video.example.org/forum"></iframe>')
    return [f"docs/about.md:{line}:1: raw <iframe> is not allowed in a page; describe or link the content instead [content.embed]"]


def plant_event_attribute(p: Path) -> list[str]:
    line, _ = _append_line(p, "about.md", '<span onmouseover="steal()">Hover me</span>')
    return [f"docs/about.md:{line}:7: event attribute 'onmouseover' is not allowed (it runs script); remove it [content.event_handler]"]


def plant_javascript_link(p: Path) -> list[str]:
    line, _ = _append_line(p, "about.md", "[Click here](javascript:alert(1))")
    return [f"docs/about.md:{line}:14: 'javascript:' link or source is not allowed; link to a page or an https:// address [content.unsafe_url]"]


def plant_data_url(p: Path) -> list[str]:
    line, _ = _append_line(p, "about.md", '<a href="data:text/html;base64,PHNjcmlwdD4=">a file</a>')
    return [f"docs/about.md:{line}:10: 'data:' link or source is not allowed; link to a page or an https:// address [content.unsafe_url]"]


def plant_remote_image(p: Path) -> list[str]:
    line, _ = _append_line(p, "about.md", "![Logo](https://www.tni.org/logo.png)")
    return [f"docs/about.md:{line}:9: remote image 'https://www.tni.org/logo.png' would be fetched from another host; save the image under docs/ and link it there [content.remote_image]"]


# ------------------------------------------------------------------ glossary file


def plant_glossary_yaml_error(p: Path) -> list[str]:
    glossary = p / "glossary" / "terms.yml"
    n = line_count(glossary)
    append(glossary, "\n- term: Broken entry\n  definition: [unclosed\n")
    return [f"glossary/terms.yml:{n + 4}:1: YAML syntax error"]


def plant_glossary_indentation_slip(p: Path) -> list[str]:
    """One key of an early entry indented a space too little: the file no longer parses at all."""
    glossary = p / "glossary" / "terms.yml"
    lines = glossary.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, l in enumerate(lines) if l.startswith("  definition:"))
    lines[n] = lines[n][1:]
    glossary.write_text("".join(lines), encoding="utf-8")
    return [f"glossary/terms.yml:{n + 1}:2: YAML syntax error"]


def plant_glossary_empty_definition(p: Path) -> list[str]:
    glossary = p / "glossary" / "terms.yml"
    text = glossary.read_text(encoding="utf-8")
    start = text.index("- term: Casualisation")
    end = text.index("\n- term:", start + 1)
    entry = text[start:end]
    new = re.sub(r"  definition: >-\n(?:    .*\n?)+", "  definition: ''\n", entry + "\n").rstrip("\n")
    glossary.write_text(text[:start] + new + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    return [f"glossary/terms.yml:{line}:1: term 'Casualisation' has an empty definition; write one or two sentences [glossary.empty_definition]"]


def plant_bib_without_provenance(p: Path) -> list[str]:
    bib = p / "bib" / "references.bib"
    n = line_count(bib)
    append(bib, "\n@book{unsourced1999,\n  author = {Doe, Jane},\n  title = {Where From},\n  publisher = {Nobody},\n  year = {1999}\n}\n")
    page = p / "docs" / "about.md"
    append(page, "\nA new claim [@unsourced1999].\n")
    return [f"bib/references.bib:{n + 2}:1: entry 'unsourced1999' does not say how it was verified (no verifiedat or confidence); add verifiedat = {{where you saw it}} and confidence = {{verified}} or {{partly verified (...)}} [bib.provenance]"]


def plant_glossary_dangling_see_also(p: Path) -> list[str]:
    glossary = p / "glossary" / "terms.yml"
    n = line_count(glossary)
    append(glossary, "\n- term: Zero-hours contract\n  definition: A contract that guarantees no hours of work.\n  see_also: [Casualization]\n")
    page = p / "docs" / "about.md"
    append(page, "\nNot a zero-hours contract.\n")
    return [f"glossary/terms.yml:{n + 2}:1: 'see_also' of 'Zero-hours contract' names 'Casualization', which is not a term; did you mean 'Casualisation'? use the exact term [glossary.unknown_term]"]


def plant_glossary_uncited_fact(p: Path) -> list[str]:
    glossary = p / "glossary" / "terms.yml"
    n = line_count(glossary)
    append(glossary, "\n- term: Zero-hours contract\n  definition: A contract without guaranteed hours, common in Britain since 2013.\n")
    append(p / "docs" / "about.md", "\nNot a zero-hours contract.\n")
    return [f"glossary/terms.yml:{n + 2}:1: definition of 'Zero-hours contract' states a date or figure but cites nothing; add cite: [key] [glossary.uncited_fact]"]


CASES = {name.removeprefix("plant_"): f for name, f in sorted(globals().items()) if name.startswith("plant_") and callable(f)}
