"""One problem, one line: ``path:line:col: message [code]``."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int  # 1-based
    col: int  # 1-based
    message: str
    code: str
    severity: str = "error"  # "error" or "warning"
    unreadable: bool = field(default=False, compare=False)  # the whole file could not be read (root_cause_first)
    follows: str = field(default="", compare=False)  # 'path:line:col' of the problem this one is a knock-on of

    @property
    def place(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message} [{self.code}]"


def closest(value: str, known: Iterable[str]) -> str | None:
    """The closest known value (also one differing only in case), or None."""
    known = sorted(known)
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if not close:
        folded = {k.casefold(): k for k in known}
        close = [folded[value.casefold()]] if value.casefold() in folded else []
    return close[0] if close else None


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """"did you mean 'x'? " for the closest known value (also one differing only in case), else ""."""
    close = closest(value, known)
    return f"did you mean '{close}'? " if close else ""


def yaml_error_place(exc: Exception) -> tuple[int, int, str]:
    """(line, col, what to do) for a YAML syntax error, at the mistake itself. PyYAML's problem mark is where the
    parser gave up, often the line after the mistake (a line that is not 'key: value' is named by the next one);
    while scanning a key or a quoted value, its context mark is where that key or quote began."""
    context, problem = getattr(exc, "context", None) or "", getattr(exc, "problem", None) or ""
    mark = getattr(exc, "problem_mark", None)
    if context.startswith("while scanning") and getattr(exc, "context_mark", None) is not None:
        mark = exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if "simple key" in context:
        advice = "this line is not 'key: value': indent it under the key it continues, or add the missing ':'"
    elif "quoted scalar" in context:
        advice = "a quotation opened here is never closed: close it with the same quote mark"
    elif "mapping values are not allowed" in problem:
        advice = "a value here contains ': '; put the whole value in quotes, or write it under 'key: >-'"
    elif "\\t" in problem:
        advice = "a tab is used for indentation; indent with spaces"
    elif "block end" in problem or "block end" in context:
        advice = "this line's indentation does not match the lines around it; align it with its neighbours"
    else:
        advice = "fix the indentation or quoting here"
    reason = " ".join(filter(None, [context, problem])) or str(exc).splitlines()[0]
    return line, col, f"YAML syntax error ({reason}); {advice}"


# A source file that cannot be read at all (``Problem.unreadable``): its error comes first, and the checks
# that depend on the file are not reported: their findings would be consequences of the one cause.
FOLLOWS = {  # by the area of the unreadable file's error: the codes it makes meaningless ('x.' is a prefix)
    "glossary": ("glossary.", "bib.unused_entry"),  # no terms: every acronym looks undefined, cited entries unused
    "bib": ("cite.unknown_key", "bib.unused_entry"),  # no entries: every key looks unknown
    "config": ("",),  # the options, paths and nav are guesses: anything else may follow
}


# Cross-page totals: on a line that also has a problem of its own (an entry that cannot be read, say), the
# remark that the thing is unused comes after it, whatever the columns: the entry's own problem is the cause.
TOTALS = ("bib.unused_entry", "glossary.unused_term")


def place_order(problem: Problem) -> tuple:
    """By file, line and column; a cross-page total after the other problems of its line."""
    return (problem.path, problem.line, problem.code in TOTALS, problem.col, problem.code, problem.message, problem.severity)


def root_cause_first(problems: list[Problem]) -> tuple[list[Problem], int]:
    """Problems sorted by file, line and column, unreadable files first; problems that may follow from an
    unreadable file are left out and counted (the second value). A knock-on (``follows``: the place of its
    cause) comes right after its cause, so the first line read is the one to fix; a knock-on whose cause is
    not listed keeps its own place."""
    causes = sorted({p for p in problems if p.unreadable})
    follows = tuple(prefix for cause in causes for prefix in FOLLOWS.get(cause.code.split(".")[0], ()))
    rest = sorted({p for p in problems if not p.unreadable} - set(causes), key=place_order)
    shown = [p for p in rest if not any(p.code == f or f.endswith(".") and p.code.startswith(f) or not f for f in follows)]
    listed = causes + shown
    places = {p.place for p in listed if not p.follows}
    after: dict[str, list[Problem]] = {}
    for p in listed:
        if p.follows in places:
            after.setdefault(p.follows, []).append(p)
    ordered = []
    for p in listed:
        if p.follows in places:
            continue
        ordered.append(p)
        if not p.follows:
            ordered += after.pop(p.place, [])
    return ordered, len(rest) - len(shown)


# Beyond this many problems of one code in one run, the rest are summed up in one line per file (a .bib file of
# 3,000 unchecked entries gave 6,000 lines: a log nobody reads and a job summary GitHub refuses).
GROUP_AFTER = 20
LIST_ALL = "EDITION_ALL_PROBLEMS"  # set to 1 to list every problem (`EDITION_ALL_PROBLEMS=1 make check`)


def list_all_from_env() -> bool:
    return os.environ.get(LIST_ALL, "").strip().lower() not in ("", "0", "false", "no")


def grouped(problems: list[Problem], limit: int | None = GROUP_AFTER) -> list[Problem]:
    """The problems as listed: the first ``limit`` of each code, then one line per code and file counting the
    rest exactly, at the place of the first one left out (``limit`` None: every problem). The lines that sum
    up keep the severity of what they count, so errors still fail the run."""
    if limit is None:
        return list(problems)
    seen: dict[str, int] = {}
    rest: dict[tuple[str, str, str], list[Problem]] = {}
    out: list[Problem | tuple[str, str, str]] = []
    for p in problems:
        seen[p.code] = seen.get(p.code, 0) + 1
        if seen[p.code] <= limit:
            out.append(p)
            continue
        group = (p.code, p.path, p.severity)
        if group not in rest:
            rest[group] = []
            out.append(group)
        rest[group].append(p)
    listed = []
    for item in out:
        if isinstance(item, Problem):
            listed.append(item)
            continue
        code, path, severity = item
        first = rest[item][0]
        listed.append(Problem(path, first.line, 1, f"{len(rest[item]):,} more of the same ({code}) in this file, from this line on; "
                              f"the first {limit} of the run are listed above: to list every one, run "
                              f"{LIST_ALL}=1 make check (or make build)", code, severity))
    return listed


def skipped_note(count: int) -> str:
    """The one line that counts what ``root_cause_first`` left out ("" when nothing was)."""
    if not count:
        return ""
    return (f"note: {count} further problem(s) not listed, as they may follow from the unreadable file(s) above; "
            "fix those first and run again")
