"""Load BibTeX files with line numbers (bibtexparser) so every problem can point into the file."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser

from .diagnostics import Problem


@dataclass
class BibEntry:
    key: str
    entry_type: str
    fields: dict[str, str]
    path: str  # display path, relative to the project root
    line: int  # 1-based line of '@type{key,'
    field_lines: dict[str, int] = field(default_factory=dict)
    raw: str = ""  # the entry's source text, to hand well-formed entries to other tools


def plain(value: str) -> str:
    """Field text without BibTeX braces and with whitespace collapsed (for messages and notes)."""
    return " ".join(re.sub(r"[{}]", "", value).replace("~", " ").split())


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _parse(text: str):
    """Parse with bibtexparser, keeping the reasons it logs for failed blocks (it stores none on them)."""
    logger = logging.getLogger("bibtexparser")
    collect = _Collect()
    logger.addHandler(collect)
    propagate, logger.propagate = logger.propagate, False
    try:
        library = bibtexparser.parse_string(text)
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
    reasons = {}
    for message in collect.messages:
        found = re.search(r"block \(line (\d+)\) aborted on line (\d+)[^:]*:\s*(.*)", message, re.S)
        if found:
            detail = " ".join(found.group(3).split()).rstrip(". ")
            reasons[int(found.group(1))] = f"entry not closed before line {int(found.group(2)) + 1} ({detail})"
    return library, reasons


def load_bib_files(paths: list[tuple[Path, str]]) -> tuple[dict[str, BibEntry], list[Problem]]:
    """Parse every (path, display_path); return entries by key and the problems found in all files."""
    entries: dict[str, BibEntry] = {}
    folded: dict[str, BibEntry] = {}
    problems: list[Problem] = []
    for path, shown in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown, 1, 1, f"cannot read this .bib file ({exc.__class__.__name__}); save it as UTF-8", "bib.unreadable"))
            continue
        library, reasons = _parse(text)
        for block in library.failed_blocks:
            line = block.start_line + 1
            kind = block.__class__.__name__
            if kind == "DuplicateBlockKeyBlock":
                problems.append(Problem(shown, line, 1, f"duplicate key '{block.key}'; give each entry its own key", "bib.duplicate_key"))
            else:
                reason = reasons.get(block.start_line) or " ".join(str(getattr(block, "error", "") or "").split()) or "the entry cannot be read"
                problems.append(Problem(shown, line, 1, f"BibTeX syntax error: {reason}; check braces, commas and quotes of this entry", "bib.syntax"))
        for entry in library.entries:
            line = entry.start_line + 1
            item = BibEntry(
                key=entry.key,
                entry_type=entry.entry_type.lower(),
                fields={f.key.lower(): str(f.value) for f in entry.fields},
                path=shown,
                line=line,
                field_lines={f.key.lower(): (f.start_line + 1 if getattr(f, "start_line", None) is not None else line) for f in entry.fields},
                raw=entry.raw,
            )
            previous = folded.get(entry.key.casefold())
            if previous is not None:
                same = previous.key == entry.key
                what = "duplicate key" if same else f"key differs only in case from '{previous.key}'"
                problems.append(Problem(shown, line, 1, f"{what} '{entry.key}' (first defined at {previous.path}:{previous.line}); rename or merge one", "bib.duplicate_key"))
                continue
            folded[entry.key.casefold()] = item
            entries[entry.key] = item
    return entries, problems


def formatter_problems(entries: dict[str, BibEntry]) -> list[Problem]:
    """Entries that pybtex (the parser mkdocs-bibtex formats with) refuses, e.g. a missing comma between
    fields, which bibtexparser reads leniently. Removes them from ``entries``; one pybtex run when all is well."""
    from pybtex.database import parse_string  # a dependency of mkdocs-bibtex, not of MkDocs

    def refused(text: str) -> str | None:
        try:
            parse_string(text, "bibtex")
        except Exception as exc:  # pybtex raises several error types for malformed input
            return " ".join(str(exc).split())
        return None

    if refused("\n\n".join(e.raw for e in entries.values())) is None:
        return []
    problems = []
    for key, entry in list(entries.items()):
        reason = refused(entry.raw)
        if reason is None:
            continue
        found = re.search(r"line (\d+)", reason)
        line = entry.line + (int(found.group(1)) - 1 if found else 0)
        detail = re.sub(r"^.*?syntax error in line \d+:\s*", "", reason)
        if "expected" in detail and line > entry.line:  # the parser notices a missing comma on the next line
            detail = f"a comma is probably missing at the end of line {line - 1} ({detail} here)"
        problems.append(Problem(entry.path, line, 1, f"BibTeX syntax error: {detail} (entry '{key}'); check the braces and the commas between fields", "bib.syntax"))
        del entries[key]
    return problems
