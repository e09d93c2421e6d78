"""One problem, one line: ``path:line:col: message [code]``."""

from __future__ import annotations

import difflib
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

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message} [{self.code}]"


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """"did you mean 'x'? " for the closest known value (also one differing only in case), else ""."""
    known = sorted(known)
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if not close:
        folded = {k.casefold(): k for k in known}
        close = [folded[value.casefold()]] if value.casefold() in folded else []
    return f"did you mean '{close[0]}'? " if close else ""


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


def root_cause_first(problems: list[Problem]) -> tuple[list[Problem], int]:
    """Problems sorted by file, line and column, unreadable files first; problems that may follow from an
    unreadable file are left out and counted (the second value)."""
    causes = sorted({p for p in problems if p.unreadable})
    follows = tuple(prefix for cause in causes for prefix in FOLLOWS.get(cause.code.split(".")[0], ()))
    rest = sorted({p for p in problems if not p.unreadable} - set(causes))
    shown = [p for p in rest if not any(p.code == f or f.endswith(".") and p.code.startswith(f) or not f for f in follows)]
    return causes + shown, len(rest) - len(shown)


def skipped_note(count: int) -> str:
    """The one line that counts what ``root_cause_first`` left out ("" when nothing was)."""
    if not count:
        return ""
    return (f"note: {count} further problem(s) not listed, as they may follow from the unreadable file(s) above; "
            "fix those first and run again")
