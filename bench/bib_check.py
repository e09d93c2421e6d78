#!/usr/bin/env python3
"""Time the .bib check on one real file: read (bibtexparser + Pandoc's biblatex reader) and field checks.

``bench/bib_check.py REPEATS LABEL FILE...`` reads the files as one bibliography (as the site reads bib/) and
prints one line: label, entries, cold seconds (no cache: bibtexparser and Pandoc read every entry), warm
seconds (the files unchanged: every reading taken from the cache), edited seconds (one word added to the title
of the entry in the middle of the largest file, as a contributor's edit: that entry's block and its chunk are
read again, the rest comes from the cache), all medians, and the number of problems. Run by ``make bench``.
"""

from __future__ import annotations

import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


from scholarly_edition.bibcheck import check_entries  # noqa: E402
from scholarly_edition.bibdata import load_bibliography  # noqa: E402


def once(paths: list[Path], cache: Path | None) -> tuple[float, int, int]:
    start = time.perf_counter()
    bibliography = load_bibliography([(path, path.name) for path in paths], cache)
    problems = bibliography.problems + check_entries(bibliography.entries.values())
    return time.perf_counter() - start, len(bibliography.entries) + len(bibliography.broken), len(problems)


def main() -> None:
    repeats, label, paths = int(sys.argv[1]), sys.argv[2], [Path(p) for p in sys.argv[3:]]
    cold = [once(paths, None) for _ in range(repeats)]
    with tempfile.TemporaryDirectory(prefix="edition-bibcache-") as tmp:
        work = Path(tmp, "files")
        work.mkdir()
        copies = [work / f"{i}-{p.name}" for i, p in enumerate(paths)]
        for path, copy in zip(paths, copies):
            shutil.copyfile(path, copy)
        cache = Path(tmp, "cache")
        once(copies, cache)  # fills the cache
        warm = [once(copies, cache) for _ in range(repeats)]
        edited = []
        target = max(copies, key=lambda c: c.stat().st_size)  # the largest file, as one edits one's library
        text = target.read_text(encoding="utf-8", errors="surrogateescape")
        titles = [m for m in re.finditer(r"(?im)^\s*title\s*=\s*[{\"]", text)]
        middle = titles[len(titles) // 2].end()
        for i in range(repeats):
            target.write_text(text[:middle] + f"Edited{i} " + text[middle:], encoding="utf-8", errors="surrogateescape")
            edited.append(once(copies, cache))
    print(f"{label}\t{cold[0][1]}\t{statistics.median(c[0] for c in cold):.2f}\t{statistics.median(w[0] for w in warm):.2f}"
          f"\t{statistics.median(e[0] for e in edited):.2f}\t{cold[0][2]}")


if __name__ == "__main__":
    main()
