"""One problem, one line: ``path:line:col: message [code]``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int  # 1-based
    col: int  # 1-based
    message: str
    code: str
    severity: str = "error"  # "error" or "warning"

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
