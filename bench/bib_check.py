#!/usr/bin/env python3
"""Time the .bib check on one real file: read (bibtexparser + Pandoc's biblatex reader) and field checks.

``bench/bib_check.py REPEATS LABEL FILE...`` reads the files as one bibliography (as the site reads bib/) and
prints one line: label, entries, cold seconds (no cache: Pandoc reads every entry), warm seconds (Pandoc's
reading of the unchanged files taken from the cache), both medians, and the number of problems. Run by
``make bench``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hooks"))

from juego_edition.bibcheck import check_entries  # noqa: E402
from juego_edition.bibdata import load_bibliography  # noqa: E402


def once(paths: list[Path], cache: Path | None) -> tuple[float, int, int]:
    start = time.perf_counter()
    bibliography = load_bibliography([(path, path.name) for path in paths], cache)
    problems = bibliography.problems + check_entries(bibliography.entries.values())
    return time.perf_counter() - start, len(bibliography.entries) + len(bibliography.broken), len(problems)


def main() -> None:
    repeats, label, paths = int(sys.argv[1]), sys.argv[2], [Path(p) for p in sys.argv[3:]]
    cold = [once(paths, None) for _ in range(repeats)]
    with tempfile.TemporaryDirectory(prefix="edition-bibcache-") as tmp:
        once(paths, Path(tmp))  # fills the cache
        warm = [once(paths, Path(tmp)) for _ in range(repeats)]
    print(f"{label}\t{cold[0][1]}\t{statistics.median(c[0] for c in cold):.2f}\t{statistics.median(w[0] for w in warm):.2f}\t{cold[0][2]}")


if __name__ == "__main__":
    main()
