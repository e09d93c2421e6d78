"""Checks of the bibliography itself: required fields, field shapes, unprotected capitals in titles."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .bibdata import BibEntry
from .bibliography import PARTLY_VERIFIED_PREFIX
from .diagnostics import Problem

# BibTeX's required fields (btxdoc), with biblatex's types and its 'date' for 'year'.
# A tuple means "one of these"; 'author' may be replaced by 'editor' where BibTeX allows it.
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "article": [("author",), ("title",), ("journal", "journaltitle"), ("year", "date")],
    "book": [("author", "editor"), ("title",), ("publisher",), ("year", "date")],
    "booklet": [("title",)],
    "inbook": [("author", "editor"), ("title",), ("chapter", "pages"), ("publisher",), ("year", "date")],
    "incollection": [("author",), ("title",), ("booktitle",), ("publisher",), ("year", "date")],
    "inproceedings": [("author",), ("title",), ("booktitle",), ("year", "date")],
    "conference": [("author",), ("title",), ("booktitle",), ("year", "date")],
    "manual": [("title",)],
    "mastersthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "phdthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "thesis": [("author",), ("title",), ("type",), ("institution", "school"), ("year", "date")],
    "techreport": [("author",), ("title",), ("institution",), ("year", "date")],
    "report": [("author",), ("title",), ("type",), ("institution",), ("year", "date")],
    "online": [("author", "editor"), ("title",), ("year", "date"), ("url",)],
    "misc": [],
    "unpublished": [("author",), ("title",), ("note",)],
    "proceedings": [("title",), ("year", "date")],
    "collection": [("editor",), ("title",), ("year", "date")],
}

YEAR = re.compile(r"^\d{4}$")
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?(/(\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?)?)?$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
URL = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?(/\S*)?$")
MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"} | {str(i) for i in range(1, 13)}
ACRONYM = re.compile(r"\b[A-Za-z]*[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*\b")
TITLE_FIELDS = ("title", "booktitle")


def _strip_outer(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}" and _balanced(value[1:-1]):
        return value[1:-1]
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def unprotected_words(title: str, proper_nouns: Iterable[str]) -> list[str]:
    """Acronyms (two or more capitals) and listed proper nouns that stand outside braces in a title."""
    title = _strip_outer(title)
    outside = []
    depth = 0
    for char in title:
        if char == "{":
            depth += 1
            outside.append(" ")
        elif char == "}":
            depth = max(0, depth - 1)
            outside.append(" ")
        else:
            outside.append(char if depth == 0 else " ")
    bare = "".join(outside)
    found = [m.group(0) for m in ACRONYM.finditer(bare)]
    nouns = set(proper_nouns)
    found += [w for w in re.findall(r"[^\W\d_]+", bare) if w in nouns]
    return list(dict.fromkeys(found))


def check_entries(entries: Iterable[BibEntry], proper_nouns: Iterable[str] = ()) -> list[Problem]:
    problems: list[Problem] = []
    nouns = list(proper_nouns)
    for entry in entries:
        fields = {name: _strip_outer(value) for name, value in entry.fields.items()}
        required = REQUIRED.get(entry.entry_type)
        if required is None:
            problems.append(Problem(entry.path, entry.line, 1, f"entry '{entry.key}' has unknown type '@{entry.entry_type}'; use a BibTeX or biblatex type such as @article, @book, @misc", "bib.unknown_type"))
            required = []
        # 'knownmissing' names required fields the editors could not verify; the gap must be explained
        # to readers in a "Partly verified:" note rather than filled with a guess.
        known_missing = set(re.split(r"[\s,]+", fields.get("knownmissing", "").strip().lower())) - {""}
        if known_missing and not " ".join(fields.get("note", "").split()).startswith(PARTLY_VERIFIED_PREFIX):
            problems.append(Problem(entry.path, entry.field_lines.get("knownmissing", entry.line), 1, f"'{entry.key}' declares knownmissing but has no note starting 'Partly verified:'; say there what could not be verified", "bib.missing_field"))
        for options in required:
            if known_missing & set(options):
                continue
            if not any(fields.get(name, "").strip() for name in options):
                wanted = " or ".join(f"'{o}'" for o in options)
                problems.append(Problem(entry.path, entry.line, 1, f"@{entry.entry_type} '{entry.key}' lacks required field {wanted}; add it, or use a type that fits the work", "bib.missing_field"))

        def at(name: str) -> tuple[str, int, int]:
            return entry.path, entry.field_lines.get(name, entry.line), 1

        if "year" in fields and not YEAR.match(fields["year"].strip()):
            problems.append(Problem(*at("year"), f"year '{fields['year']}' of '{entry.key}' is not a four-digit year; write e.g. year = {{2010}} (or use date = {{2010-11-10}})", "bib.bad_year"))
        if "date" in fields and not DATE.match(fields["date"].strip()):
            problems.append(Problem(*at("date"), f"date '{fields['date']}' of '{entry.key}' is not an ISO 8601 date; write YYYY, YYYY-MM or YYYY-MM-DD", "bib.bad_date"))
        if "month" in fields and fields["month"].strip().lower()[:3] not in MONTHS:
            problems.append(Problem(*at("month"), f"month '{fields['month']}' of '{entry.key}' is not a month; write month = nov (or 11)", "bib.bad_date"))
        if "doi" in fields and not DOI.match(fields["doi"].strip()):
            problems.append(Problem(*at("doi"), f"doi '{fields['doi']}' of '{entry.key}' is not a DOI; write the bare DOI, e.g. 10.1177/1354066106067345 (no https://doi.org/)", "bib.bad_doi"))
        if "url" in fields and not URL.match(fields["url"].strip()):
            problems.append(Problem(*at("url"), f"url '{fields['url']}' of '{entry.key}' is not an http(s) address; write the full address starting with https://", "bib.bad_url"))
        for name in TITLE_FIELDS:
            if name in entry.fields:
                words = unprotected_words(entry.fields[name], nouns)
                if words:
                    shown = ", ".join(f"'{w}'" for w in words)
                    problems.append(Problem(*at(name), f"{name} of '{entry.key}' has {shown} outside braces; CSL styles may lower-case it: write {{{words[0]}}}", "bib.unprotected_caps"))
    return problems
