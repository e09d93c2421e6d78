"""Checks of the bibliography itself, on the resolved entries (macros, crossref and xdata applied) and on
Pandoc's reading of them: entry types, required fields, dates, DOIs, URLs, capitals a style would change.

Valid data is never called wrong: an entry is complete when it satisfies BibTeX's *or* biblatex's data
model, and a date, year or month is wrong only when the formatter (Pandoc) cannot read it.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from pathlib import Path

from .bibdata import BibEntry
from .bibliography import PARTLY_VERIFIED_PREFIX
from .diagnostics import Problem

A = tuple[str, ...]  # "one of these fields"
# BibTeX's required fields (btxdoc, "Entry Types").
BIBTEX: dict[str, list[A]] = {
    "article": [("author",), ("title",), ("journal",), ("year",)],
    "book": [("author", "editor"), ("title",), ("publisher",), ("year",)],
    "booklet": [("title",)],
    "inbook": [("author", "editor"), ("title",), ("chapter", "pages"), ("publisher",), ("year",)],
    "incollection": [("author",), ("title",), ("booktitle",), ("publisher",), ("year",)],
    "inproceedings": [("author",), ("title",), ("booktitle",), ("year",)],
    "conference": [("author",), ("title",), ("booktitle",), ("year",)],
    "manual": [("title",)],
    "mastersthesis": [("author",), ("title",), ("school",), ("year",)],
    "phdthesis": [("author",), ("title",), ("school",), ("year",)],
    "misc": [],
    "proceedings": [("title",), ("year",)],
    "techreport": [("author",), ("title",), ("institution",), ("year",)],
    "unpublished": [("author",), ("title",), ("note",)],
}
_AUTHOR_TITLE_DATE: list[A] = [("author",), ("title",), ("year", "date")]
_EDITOR_TITLE_DATE: list[A] = [("editor",), ("title",), ("year", "date")]
_EITHER_TITLE_DATE: list[A] = [("author", "editor"), ("title",), ("year", "date")]
_IN_BOOK: list[A] = [("author",), ("title",), ("booktitle",), ("year", "date")]
# biblatex's required fields (its manual, 2.1.1 "Regular Types"); BibTeX's names are biblatex's aliases.
BIBLATEX: dict[str, list[A]] = {
    "article": [("author",), ("title",), ("journaltitle", "journal"), ("year", "date")],
    "book": _AUTHOR_TITLE_DATE, "mvbook": _AUTHOR_TITLE_DATE,
    "inbook": _IN_BOOK, "bookinbook": _IN_BOOK, "suppbook": _IN_BOOK,
    "booklet": _EITHER_TITLE_DATE,
    "collection": _EDITOR_TITLE_DATE, "mvcollection": _EDITOR_TITLE_DATE,
    "incollection": _IN_BOOK, "suppcollection": _IN_BOOK,
    "dataset": _EITHER_TITLE_DATE, "manual": _EITHER_TITLE_DATE, "misc": _EITHER_TITLE_DATE, "software": _EITHER_TITLE_DATE,
    "online": [("author", "editor"), ("title",), ("year", "date"), ("doi", "eprint", "url")],
    "patent": [("author",), ("title",), ("number",), ("year", "date")],
    "periodical": _EDITOR_TITLE_DATE,
    "suppperiodical": [("author",), ("title",), ("journaltitle", "journal"), ("year", "date")],
    "proceedings": [("title",), ("year", "date")], "mvproceedings": [("title",), ("year", "date")],
    "inproceedings": _IN_BOOK,
    "reference": _EDITOR_TITLE_DATE, "mvreference": _EDITOR_TITLE_DATE, "inreference": _IN_BOOK,
    "report": [("author",), ("title",), ("type",), ("institution",), ("year", "date")],
    "set": [("entryset",)],
    "thesis": [("author",), ("title",), ("type",), ("institution", "school"), ("year", "date")],
    "unpublished": _AUTHOR_TITLE_DATE,
    "xdata": [],
    # biblatex's aliases
    "conference": _IN_BOOK, "electronic": [("author", "editor"), ("title",), ("year", "date"), ("doi", "eprint", "url")],
    "mastersthesis": [("author",), ("title",), ("institution", "school"), ("year", "date")],
    "phdthesis": [("author",), ("title",), ("institution", "school"), ("year", "date")],
    "techreport": [("author",), ("title",), ("institution",), ("year", "date")],
    "www": [("author", "editor"), ("title",), ("year", "date"), ("doi", "eprint", "url")],
}
# Types biblatex knows but its standard styles do not support (manual 2.1.3), and custom types: no fields required.
UNSUPPORTED = {"artwork", "audio", "bibnote", "commentary", "image", "jurisdiction", "legislation", "legal", "letter",
               "movie", "music", "performance", "review", "standard", "video"} | {f"custom{c}" for c in "abcdef"}
TYPES = set(BIBTEX) | set(BIBLATEX) | UNSUPPORTED

# Where Pandoc puts each BibTeX/biblatex field in its CSL reading, to tell whether a field is there after
# inheritance and aliases (a field is present when it is written, inherited, or in Pandoc's reading).
CSL_OF = {"author": ("author",), "editor": ("editor",), "title": ("title",), "journal": ("container-title",),
          "journaltitle": ("container-title",), "booktitle": ("container-title",), "publisher": ("publisher",),
          "institution": ("publisher",), "school": ("publisher",), "year": ("issued",), "date": ("issued",),
          "url": ("URL",), "doi": ("DOI",), "number": ("number",), "type": ("genre",), "note": ("note",),
          "chapter": ("chapter-number",), "pages": ("page",), "eprint": ("URL",)}
DATE_FIELDS = {"date": "issued", "urldate": "accessed", "eventdate": "event-date", "origdate": "original-date"}
DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
MONTH = re.compile(r"^\s*(?:0?[1-9]|1[0-2])\s*$|\b(?:" + "|".join(m[:3] for m in MONTH_NAMES) + r")[a-z]*\.?", re.I)
TITLE_FIELDS = ("title", "booktitle")


def _strip_outer(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}" and _balanced(value[1:-1]):
        return value[1:-1]
    return value


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def present(entry: BibEntry, name: str) -> bool:
    if entry.fields.get(name, "").strip():
        return True
    csl = entry.csl or {}
    return any(csl.get(variable) not in (None, "", [], {}) for variable in CSL_OF.get(name, ()))


def _unmet(entry: BibEntry, model: list[A], known_missing: set[str]) -> list[A]:
    return [options for options in model if not known_missing & set(options) and not any(present(entry, o) for o in options)]


# biblatex passes a parent's title on as the child's booktitle only between these types (its manual, appendix
# B; Pandoc follows it): a chapter of a @book is an @inbook, a chapter of an edited @collection an @incollection.
BOOKTITLE_FROM = {"incollection": ("collection", "reference", "mvcollection", "mvreference"), "inreference": ("collection", "reference", "mvcollection", "mvreference"),
                  "suppcollection": ("collection", "reference", "mvcollection", "mvreference"), "inbook": ("book", "mvbook"),
                  "bookinbook": ("book", "mvbook"), "suppbook": ("book", "mvbook"), "inproceedings": ("proceedings", "mvproceedings")}


def missing_booktitle_advice(entry: BibEntry, by_key: dict[str, BibEntry]) -> str:
    """What to change when a crossref's parent has the title but is of a type that does not pass it on."""
    parent = by_key.get(entry.written.get("crossref", "").strip())
    fits = BOOKTITLE_FROM.get(entry.entry_type, ())
    if parent is None or not fits or parent.entry_type in fits or not parent.fields.get("title", "").strip():
        return ""
    # the type a chapter should have under this parent, if there is one
    child_type = next((child for child, parents in BOOKTITLE_FROM.items() if parent.entry_type in parents and child.startswith("in")), "")
    change = f"make this entry @{child_type}" if child_type else f"make the parent @{fits[0]}"
    if entry.entry_type == "incollection" and parent.entry_type == "book":
        change = "make the parent @collection (an edited book of chapters by several authors) or this entry @inbook (a chapter of a book by one author)"
    return (f"its crossref '{parent.key}' is a @{parent.entry_type}, whose title is passed on as booktitle only to "
            f"@{', @'.join(c for c, ps in BOOKTITLE_FROM.items() if parent.entry_type in ps) or 'no type'} (biblatex's rule, which Pandoc follows); "
            f"{change}, or write booktitle in this entry")


def check_entries(entries: Iterable[BibEntry]) -> list[Problem]:
    problems: list[Problem] = []
    entries = list(entries)
    by_key = {entry.key: entry for entry in entries}
    for entry in entries:
        def at(name: str) -> tuple[str, int, int]:
            return entry.path, entry.field_lines.get(name, entry.line), 1

        fields = {name: _strip_outer(value) for name, value in entry.fields.items()}
        kind = entry.entry_type
        if kind not in TYPES:
            close = difflib.get_close_matches(kind, TYPES, n=1, cutoff=0.8)
            if close:  # a typo: an error
                problems.append(Problem(entry.path, entry.line, 1, f"entry '{entry.key}' has unknown type '@{kind}'; did you mean '@{close[0]}'? Pandoc, which formats the citations, would format it as an item of no type", "bib.unknown_type"))
            else:  # a style's own type (biblatex-apa's @legmaterial, say): valid biblatex, but Pandoc does not know it
                problems.append(Problem(entry.path, entry.line, 1, f"entry '{entry.key}' has type '@{kind}', which is neither a BibTeX nor a standard biblatex type (perhaps a biblatex style's own); Pandoc, which formats the citations, formats it as an item of no type: use @article, @book, @online, @report, @misc ... if the reference should read as one", "bib.unknown_type", "warning"))
        # 'knownmissing' names required fields the editors could not verify; the gap must be explained
        # to readers in a "Partly verified:" note rather than filled with a guess.
        known_missing = set(re.split(r"[\s,]+", fields.get("knownmissing", "").strip().lower())) - {""}
        if known_missing and not " ".join(fields.get("note", "").split()).startswith(PARTLY_VERIFIED_PREFIX):
            problems.append(Problem(*at("knownmissing"), f"'{entry.key}' declares knownmissing but has no note starting 'Partly verified:'; say there what could not be verified", "bib.missing_field"))
        models = [m for m in (BIBTEX.get(kind), BIBLATEX.get(kind)) if m is not None]
        unmet = [_unmet(entry, model, known_missing) for model in models]
        if unmet and all(unmet):  # complete under neither model
            for options in unmet[-1]:
                wanted = " or ".join(f"'{o}'" for o in options)
                advice = missing_booktitle_advice(entry, by_key) if "booktitle" in options else ""
                problems.append(Problem(entry.path, entry.line, 1, f"@{kind} '{entry.key}' lacks required field {wanted}; " + (advice or "add it, or use a type that fits the work"), "bib.missing_field"))
        csl = entry.csl or {}
        for name, variable in DATE_FIELDS.items():
            value = fields.get(name, "").strip()
            if value and not (csl.get(variable) or {}).get("date-parts") and not (csl.get(variable) or {}).get("literal"):
                problems.append(Problem(*at(name), f"{name} '{value}' of '{entry.key}' is not a date Pandoc can read, so no date would be shown; write biblatex's ISO 8601 form: 2010, 2010-11, 2010-11-10, a range 2010-10-02/2010-10-05, ~ or ? for approximate or uncertain", "bib.bad_date"))
        if "year" in fields and not fields["year"].strip():
            problems.append(Problem(*at("year"), f"year of '{entry.key}' is empty, so the citation shows no date; write the year, or remove the field", "bib.bad_year", "warning"))
        if fields.get("month", "").strip() and not MONTH.search(fields["month"]):
            problems.append(Problem(*at("month"), f"month '{fields['month']}' of '{entry.key}' is not a month; write month = nov (or 11)", "bib.bad_date"))
        doi = fields.get("doi", "").strip()
        if doi and not DOI.match(doi):
            problems.append(Problem(*at("doi"), f"doi '{doi}' of '{entry.key}' is not a DOI, so its link would be broken; write the bare DOI, e.g. 10.1177/1354066106067345 (no https://doi.org/ or doi:)", "bib.bad_doi"))
        url = fields.get("url", "").strip()
        if url and not URL.match(url):
            several = url.split()
            if len(several) > 1 and all(URL.match(u) for u in several):  # Mendeley and others export lists
                problems.append(Problem(*at("url"), f"url of '{entry.key}' holds {len(several)} addresses separated by spaces, so its link would be broken; keep one (biblatex and CSL take a single address) and put the others in a note", "bib.bad_url"))
            else:
                problems.append(Problem(*at("url"), f"url '{url}' of '{entry.key}' is not a full address, so its link would be broken; write it with its scheme, e.g. https://", "bib.bad_url"))
        for name, macro in entry.undefined_macros:
            problems.append(Problem(*at(name), f"{name} of '{entry.key}' uses '{macro}', which no @string defines (Pandoc prints the name itself); define @string{{{macro} = {{...}}}} or put the value in braces", "bib.undefined_macro", "warning"))
    return problems


# ---------------------------------------------------------------------------------------- case


def _outside_braces(title: str) -> str:
    title = _strip_outer(title)
    out, depth = [], 0
    for char in title:
        if char == "{":
            depth += 1
            out.append(" ")
        elif char == "}":
            depth = max(0, depth - 1)
            out.append(" ")
        else:
            out.append(char if depth == 0 else " ")
    return "".join(out)


def case_candidates(entries: Iterable[BibEntry], proper_nouns: Iterable[str]) -> list[tuple[BibEntry, str, str]]:
    """(entry, field, word): listed proper nouns written in title case outside braces in a title, past its
    first word: the only words a CSL style can change (sentence case lowers them; all-capital and mixed-case
    words such as NASA or iPhone are kept as written by Pandoc's citeproc)."""
    nouns = {n for n in proper_nouns if n[:1].isupper() and n[1:] == n[1:].lower()}
    found = []
    for entry in entries:
        for name in TITLE_FIELDS:
            value = entry.written.get(name)
            if not value or not nouns:
                continue
            words = [(m.start(), m.group(0)) for m in re.finditer(r"[^\W\d_]+", _outside_braces(value))]
            first = min((m.start() for m in re.finditer(r"[^\W\d_]", _strip_outer(value))), default=0)
            for start, word in words:
                if word in nouns and start > first:
                    found.append((entry, name, word))
    unique = {(entry.key, name, word): (entry, name, word) for entry, name, word in found}
    return list(unique.values())


def case_problems(entries: Iterable[BibEntry], proper_nouns: Iterable[str], csl_file: Path | None) -> list[Problem]:
    """Ask the configured style: the candidate titles are formatted by Pandoc's citeproc with the style, and a
    proper noun that comes out lower-cased is reported. Styles that keep titles as written cost no run."""
    candidates = case_candidates(entries, proper_nouns)
    if not candidates or csl_file is None:
        return []
    import json
    import subprocess
    import tempfile

    from .bibdata import pandoc_path

    items = {}
    for entry, _, _ in candidates:
        if entry.csl:
            items[entry.key] = entry.csl
    if not items:
        return []
    with tempfile.TemporaryDirectory(prefix="edition-case-") as tmp:
        data = Path(tmp, "items.json")
        data.write_text(json.dumps(list(items.values())), encoding="utf-8")
        doc = Path(tmp, "doc.md")
        doc.write_text("---\nnocite: '@*'\n---\n", encoding="utf-8")
        done = subprocess.run([pandoc_path(), str(doc), "--citeproc", "--bibliography", str(data), "--csl", str(csl_file), "-t", "html"],
                              capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        return []
    rendered = {m.group(1): html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
                for m in re.finditer(r'<div id="ref-([^"]+)"[^>]*>(.*?)</div>', done.stdout, re.S)}
    problems = []
    for entry, name, word in candidates:
        text = rendered.get(entry.key)
        if text is None or re.search(r"\b" + re.escape(word) + r"\b", text):
            continue
        if re.search(r"\b" + re.escape(word.lower()) + r"\b", text):
            problems.append(Problem(entry.path, entry.field_lines.get(name, entry.line), 1, f"{name} of '{entry.key}': the citation style lower-cases '{word}' (it changes titles to sentence case); write {{{word}}} to keep it", "bib.unprotected_caps"))
    return problems
