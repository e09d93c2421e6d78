"""The one Pandoc run for every citation of the site (scholarly_edition.citation_run): tricky citations read as
Pandoc formats them, and a failing run ends the build with one line. Placeholder tokens while Pandoc ran were
removed: `make bench` showed no gain worth their machinery (bench/results-tokens.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest

from conftest import ROOT
from scholarly_edition.citation_run import CitationRun, in_background
from test_batch import build

sys.path.insert(0, str(ROOT / "bench"))


def test_an_error_in_the_background_run_is_raised_where_it_is_waited_for():
    def fail():
        raise ValueError("Pandoc failed")

    run = CitationRun(["[@a]"], in_background(fail))
    with pytest.raises(ValueError, match="Pandoc failed"):
        run.wait()
    answer: Future = Future()
    answer.set_result(({"[@a]": "(A 2010)"}, {"a": "A. 2010."}))
    run = CitationRun(["[@a]"], answer)
    assert not run.ready and run.wait() == ({"[@a]": "(A 2010)"}, {"a": "A. 2010."}) and run.ready


TRICKY_BIB = """
@misc{group2001,
  author = {{1. Group}},
  title = {A Report by a Numbered Group},
  year = {2001},
  verifiedat = {synthetic},
  confidence = {verified}
}

@book{same2005a,
  author = {Same, Anna},
  title = {First Book on "Quoted" Things -- and Dashes},
  publisher = {Synthetic Press},
  year = {2005},
  verifiedat = {synthetic},
  confidence = {verified}
}

@book{same2005b,
  author = {Same, Anna},
  title = {Second Book on the {ASEM} Process},
  publisher = {Synthetic Press},
  year = {2005},
  verifiedat = {synthetic},
  confidence = {verified}
}
"""

TRICKY_BIB += """
@manual{handbook2010,
  title = {Anonymous Handbook},
  year = {2010},
  verifiedat = {synthetic},
  confidence = {verified}
}
"""

TRICKY_PAGE = """---
title: Tricky
expand_abbreviations: false
---

# Tricky

A numbered group [@group2001] and two works of one author in one year [@same2005a, 3; @same2005b].
"Quoted" text before a citation [see @same2005b, ch. 2].
As @same2005a [p. 4] argues, narrative citations read as Pandoc gives them.

| Work | Source |
|---|---|
| table cell | [@same2005a, 7] |

!!! note "A note"

    Text in the note [@same2005a, 9].
"""

HEADING_PAGE = """# Last page

## Heading with a citation [@same2005a]

Its text is the title, the table of contents entry and the anchor, so its anchor comes from its own words.
"""


@pytest.mark.builds
def test_tricky_citations_read_as_pandoc_formats_them_in_one_run(tmp_path):
    import run as bench

    site = bench.generate(tmp_path / "site", 4, entries=30)
    with (site / "bib" / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(TRICKY_BIB)
    (site / "docs" / "tricky.md").write_text(TRICKY_PAGE, encoding="utf-8")
    (site / "docs" / "zz-heading.md").write_text(HEADING_PAGE, encoding="utf-8")
    out = tmp_path / "out"
    result = build(site, out)
    assert result.returncode == 0, result.stderr[-3000:]
    tricky = (out / "tricky" / "index.html").read_text(encoding="utf-8")
    assert "2005a" in tricky and "2005b" in tricky and "1. Group. 2001." in tricky.split('class="references"')[1]
    assert 'id="heading-with-a-citation"' in (out / "zz-heading" / "index.html").read_text(encoding="utf-8")
    assert 'As Same (<a class="citation" href="#ref-same2005a" data-ref="same2005a">2005a, 4</a>) argues' in tricky
    assert "[@" not in tricky  # every citation formatted


@pytest.mark.builds
def test_a_failing_pandoc_run_ends_the_build_with_one_line(tmp_path):
    import pypandoc

    import run as bench

    site = bench.generate(tmp_path / "site", 3, entries=20)
    wrapper = tmp_path / "pandoc"
    wrapper.write_text(f'#!/bin/sh\ncase "$*" in *--citeproc*) echo "citeproc: out of memory" >&2; exit 83;; esac\n'
                       f'exec "{pypandoc.get_pandoc_path()}" "$@"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", EDITION_EXPORT="false", PYPANDOC_PANDOC=str(wrapper))
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "out")], cwd=site,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "Pandoc could not format the citations" in result.stderr and "out of memory" in result.stderr
    assert "Traceback" not in result.stderr
