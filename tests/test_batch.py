"""[8/8] Citations are formatted in one Pandoc run per build, with the same output as per-page formatting
(apart from year suffixes such as 2010a, which only the whole-site run can assign consistently)."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from conftest import ROOT, built_once

sys.path.insert(0, str(ROOT / "bench"))


def build(project: Path, out: Path, verbose: bool = False, **env) -> subprocess.CompletedProcess:
    full = dict(os.environ, NO_MKDOCS_2_WARNING="1", EDITION_EXPORT="false", **env)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-v" if verbose else "-q", "-d", str(out)], cwd=project, env=full,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    return result


CITATION_LINK = re.compile(r'<a class="citation" href="#ref-([^"]+)" data-ref="\1">(.*?)</a>', re.S)


def normalised(html: str) -> str:
    # mkdocs-bibtex's own Pandoc run asks for no links (link-citations: false), so per page the in-text
    # citations are plain text; the links of the batched site are checked in test_citation_system.py
    html = CITATION_LINK.sub(r"\2", html)
    html = re.sub(r"\bn\.d\.-[a-z]\.", "n.d.", html)  # "n.d.-a." -> "n.d." (the style does not double the period after "n.d.")
    html = re.sub(r"\b(\d{4}|n\.d\.)-?[a-z]\b", r"\1", html)  # 2010a -> 2010, n.d.-b -> n.d.
    return html


@pytest.fixture(scope="session")
def both_ways(built_site, tmp_path_factory):
    """The real site batched (the shared build: batching is the default, and the export adds only downloads)
    and built again with mkdocs-bibtex's own Pandoc run for every page."""
    return built_site, built_once(tmp_path_factory, "per-page-site", lambda out: build(ROOT, out, EDITION_BATCH_CITATIONS="false"))


def test_real_site_is_the_same_built_both_ways(both_ways):
    batched, per_page = both_ways
    assert len(CITATION_LINK.findall((batched / "essay" / "index.html").read_text(encoding="utf-8"))) >= 10
    pages = sorted(p.relative_to(batched) for p in batched.rglob("*.html"))
    assert pages == sorted(p.relative_to(per_page) for p in per_page.rglob("*.html"))
    different = [str(p) for p in pages if p.parts[0] != "bibliography"
                 and normalised((batched / p).read_text(encoding="utf-8")) != normalised((per_page / p).read_text(encoding="utf-8"))]
    assert different == []


def test_bibliography_lists_the_same_references_in_the_same_order(both_ways):
    texts = []
    for site in both_ways:
        tree = lxml.html.fromstring((site / "bibliography" / "index.html").read_text(encoding="utf-8"))
        entries = tree.xpath('//div[contains(@class, "csl-entry")]')
        texts.append([(e.get("id"), re.sub(r"[^a-z0-9]", "", e.text_content().casefold())) for e in entries])
    assert [i for i, _ in texts[0]] == [i for i, _ in texts[1]] and len(texts[0]) >= 30
    assert [t for _, t in texts[0]] == [t for _, t in texts[1]]


def test_whole_site_year_suffixes_match_the_bibliography(both_ways):
    batched, _ = both_ways
    bibliography = (batched / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert "Transnational Institute. 2010a." in bibliography
    aepf = (batched / "context" / "aepf" / "index.html").read_text(encoding="utf-8")
    assert "Transnational Institute 2010a" in aepf


@pytest.mark.builds
def test_pandoc_citeproc_runs_once_per_build_whatever_the_number_of_pages(tmp_path):
    import pypandoc

    import run as bench

    log = tmp_path / "pandoc.log"
    wrapper = tmp_path / "pandoc"
    wrapper.write_text(f'#!/bin/sh\ncase "$*" in *--citeproc*) echo run >> "{log}";; esac\nexec "{pypandoc.get_pandoc_path()}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    counts = {}
    for pages in (5, 40):
        site = bench.generate(tmp_path / f"site{pages}", pages, entries=200)
        if log.exists():
            log.unlink()
        build(site, tmp_path / f"out{pages}", PYPANDOC_PANDOC=str(wrapper))
        counts[pages] = log.read_text().count("run")
    assert counts == {5: 1, 40: 1}
    shutil.rmtree(tmp_path / "site40")
