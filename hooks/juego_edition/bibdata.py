"""Load BibTeX files with line numbers (bibtexparser) so every problem can point into the file."""

from __future__ import annotations

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


def plain(value: str) -> str:
    """Field text without BibTeX braces and with whitespace collapsed (for messages and notes)."""
    return " ".join(re.sub(r"[{}]", "", value).replace("~", " ").split())


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
        library = bibtexparser.parse_string(text)
        for block in library.failed_blocks:
            line = block.start_line + 1
            kind = block.__class__.__name__
            if kind == "DuplicateBlockKeyBlock":
                problems.append(Problem(shown, line, 1, f"duplicate key '{block.key}'; give each entry its own key", "bib.duplicate_key"))
            else:
                reason = " ".join(str(getattr(block, "error", "") or "syntax error").split())
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
