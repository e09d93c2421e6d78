"""A build that grows in a straight line ([6/6]): work counted, not timed.

`make bench` times the builds (bench/results.md); these tests count what a build does, which does not depend on
the machine or its load. A step that does more per page on a bigger site (a scan of every bracket for every
citation over the whole site's text, a walk of the whole nav on every page) is quadratic: its count grows 25x
for 5x the pages, where a linear step's grows 5x.
"""

from __future__ import annotations

import os
import pstats
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PKG, ROOT

sys.path.insert(0, str(ROOT / "bench"))

SMALL, LARGE = 10, 50  # pages; LARGE = 5 x SMALL
GROWTH = LARGE / SMALL * 1.1  # at most 10 % more per page, as `make bench` asks of the build's time
SLACK = 60  # calls a step may make once per build whatever the site's size (a few more lines of the .bib read)


def profiled_build(tmp_path: Path, pages: int) -> dict[str, int]:
    """Calls of each function of the generator (its Python modules, the hook, its theme's compiled templates)
    in a real strict build of a synthetic site (bench/run.py's pages, citations and glossary terms) under
    cProfile, in a process of its own (nothing cached from another build)."""
    import run as bench

    site = bench.generate(tmp_path / f"site{pages}", pages, entries=200)
    profile = tmp_path / f"build{pages}.prof"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", EDITION_EXPORT="false")
    result = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "mkdocs", "build", "--strict", "-q",
                             "-d", str(tmp_path / f"out{pages}")], cwd=site, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    ours = (str(PKG), str(site / "hooks"))
    counts: dict[str, int] = {}
    for (filename, line, name), (_, calls, *_rest) in pstats.Stats(str(profile)).stats.items():
        if filename.startswith(ours):
            where = f"{Path(filename).relative_to(PKG) if filename.startswith(str(PKG)) else Path(filename).name}:{line}({name})"
            counts[where] = counts.get(where, 0) + calls
    return counts


@pytest.mark.builds
def test_no_step_of_the_build_does_more_per_page_on_a_bigger_site(tmp_path):
    small = profiled_build(tmp_path, SMALL)
    large = profiled_build(tmp_path, LARGE)
    assert any(name.startswith("hook.py") for name in large), "the profile holds none of the generator's functions"
    assert any(name.startswith("theme/") for name in large), "the profile holds none of the theme's templates"
    grew = {name: (small.get(name, 0), calls) for name, calls in large.items() if calls > GROWTH * small.get(name, 0) + SLACK}
    assert grew == {}, f"calls at {SMALL} and {LARGE} pages, more than {GROWTH:.1f}x + {SLACK}: {grew}"
