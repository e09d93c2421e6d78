"""A build that grows in a straight line ([6/6]): work counted, not timed.

`make bench` times the builds (bench/results.md); these tests count what a build does, which does not depend on
the machine or its load. A step that does more per page on a bigger site (a scan of every bracket for every
citation over the whole site's text, a walk of the whole nav on every page) is quadratic: its count grows 25x
for 5x the pages, where a linear step's grows 5x.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import material
import mkdocs.utils
import pytest

from conftest import PKG, ROOT

sys.path.insert(0, str(ROOT / "bench"))

MATERIAL = Path(material.__file__).parent / "templates"
MKDOCS_UTILS = Path(mkdocs.utils.__file__).parent  # the url filter: one call per link a template writes
SMALL, LARGE = 8, 40  # pages; LARGE = 5 x SMALL
GROWTH = LARGE / SMALL * 1.1  # at most 10 % more per page, as `make bench` asks of the build's time
SLACK = 60  # calls a step may make once per build whatever the site's size (a few more lines of the .bib read)


# cProfile in the build's process; calls summed by (file, line, function): a template compiled twice has two code
# objects of one name, which pstats would keep only one of.
COUNTER = """
import cProfile, json, runpy, sys
profile = cProfile.Profile()
sys.argv = ["mkdocs", *sys.argv[2:]]
profile.enable()
try:
    runpy.run_module("mkdocs", run_name="__main__", alter_sys=True)
except SystemExit as stop:
    status = stop.code
finally:
    profile.disable()
counts = {}
for entry in profile.getstats():
    if not isinstance(entry.code, str):  # built-ins are named by a string
        key = f"{entry.code.co_filename}\\0{entry.code.co_firstlineno}\\0{entry.code.co_name}"
        counts[key] = counts.get(key, 0) + entry.callcount
with open(OUT, "w") as out:
    json.dump(counts, out)
sys.exit(status)
"""


def profiled_build(tmp_path: Path, pages: int, mode: str) -> dict[str, int]:
    """Calls of each function of the generator (its Python modules, the hook, its theme's compiled templates),
    of Material's templates (its nav, rendered whole on every page, was quadratic) and of MkDocs' utils (the url
    filter: one call per link a template writes) in a real strict build of a synthetic site (bench/run.py's
    pages, citations and glossary terms; three pages in a folder) under cProfile, in a process of its
    own (nothing cached from another build). ``mode``: EDITION_BATCH_CITATIONS, so that whether a page is rendered
    before Pandoc answers (with tokens) is not left to timing."""
    import run as bench

    site = bench.generate(tmp_path / f"site{pages}", pages, entries=200)
    # three pages in a folder: a section of the nav and pages at depth 2. Three at any size: Material renders the
    # section that holds the page with the page (_nav_items), so a section's own cost grows with its pages
    (site / "docs" / "part").mkdir()
    for page in sorted((site / "docs").glob("page*.md"))[1:4]:
        page.rename(site / "docs" / "part" / page.name)
    counted = tmp_path / f"calls{pages}.json"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", EDITION_EXPORT="false", EDITION_BATCH_CITATIONS=mode)
    result = subprocess.run([sys.executable, "-c", COUNTER.replace("OUT", repr(str(counted))), "-", "build", "--strict", "-q",
                             "-d", str(tmp_path / f"out{pages}")], cwd=site, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    roots = {str(PKG): PKG, str(site / "hooks"): site, str(MATERIAL): MATERIAL.parent, str(MKDOCS_UTILS): MKDOCS_UTILS.parent.parent}
    counts: dict[str, int] = {}
    for key, calls in json.loads(counted.read_text(encoding="utf-8")).items():
        filename, line, name = key.split("\0")
        root = next((path for prefix, path in roots.items() if filename.startswith(prefix)), None)
        if root is not None:  # e.g. 'hook.py:445(on_page_content)', 'templates/partials/nav-item.html:227(macro)'
            where = f"{Path(filename).relative_to(root).as_posix()}:{line}({name})"
            counts[where] = counts.get(where, 0) + calls
    return counts


@pytest.mark.builds
@pytest.mark.parametrize("mode", ["deferred", "wait"])  # every page rendered with tokens / none: both paths of a page
def test_no_step_of_the_build_does_more_per_page_on_a_bigger_site(tmp_path, mode):
    small = profiled_build(tmp_path, SMALL, mode)
    large = profiled_build(tmp_path, LARGE, mode)
    assert any(name.startswith("hook.py") for name in large), "the profile holds none of the generator's functions"
    assert any(name.startswith("theme/") for name in large), "the profile holds none of the theme's templates"
    assert any(name.startswith("templates/partials/nav-item.html") for name in large), "the profile holds none of Material's nav"
    grew = {name: (small.get(name, 0), calls) for name, calls in large.items() if calls > GROWTH * small.get(name, 0) + SLACK}
    assert grew == {}, f"calls at {SMALL} and {LARGE} pages, more than {GROWTH:.1f}x + {SLACK}: {grew}"


def test_the_nav_template_is_materials_but_for_the_line_that_renders_its_items():
    """theme/partials/nav.html overrides Material's: after an upgrade of Material it must be taken again from it."""
    ours = (PKG / "theme" / "partials" / "nav.html").read_text(encoding="utf-8").split("-#}\n", 1)[1]
    theirs = (MATERIAL / "partials" / "nav.html").read_text(encoding="utf-8").split("-#}\n", 1)[1]
    loop = ('    {% for nav_item in nav.items %}\n      {% set path = "__nav_" ~ loop.index %}\n'
            '      {{ item.render(nav_item, path, 1) }}\n    {% endfor %}\n')
    assert loop in theirs, "Material renders its nav's items differently now: take its partials/nav.html again"
    assert ours == theirs.replace(loop, "    {{ edition_nav_items(item.render, nav.items) }}\n")
