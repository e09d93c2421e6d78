"""Lighthouse (mobile) on the essay page of the real build. tools/lighthouse/run serves the site with gzip
from 127.0.0.1, drives Debian's Chromium (the pinned npm package: make test installs it first) and calibrates
the CPU slowdown to this machine as Lighthouse's docs/throttling.md says.

One run here: Accessibility, Best Practices and SEO do not vary from run to run and must be 100, and nothing
may move while the page loads. The performance score is noise on 2 cores (single runs 82-98 on one build),
so it is reported, not gated; `make lighthouse` keeps the median of three runs for that figure."""

from __future__ import annotations

import json
import subprocess

from conftest import ROOT

HERE = ROOT / "tools" / "lighthouse"


def test_lighthouse_mobile_on_the_essay_page(built_site, record_property):
    result = subprocess.run([str(HERE / "run"), "--runs", "1", "--calibration-runs", "1", str(built_site), "essay/"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = json.loads((HERE / "runs.json").read_text(encoding="utf-8"))
    assert len(runs["runs"]) == 1 and runs["cpuSlowdownMultiplier"] in (1, 2, 4)
    scores = runs["runs"][0]
    assert set(scores) == {"performance", "accessibility", "best-practices", "seo"}
    assert {k: v for k, v in scores.items() if k != "performance"} == dict.fromkeys(("accessibility", "best-practices", "seo"), 100), result.stdout
    # Measured, not simulated: nothing on the page moves while it loads (the faces inside the stylesheet, the
    # notes' layout set before the first paint). With late faces swapped in, 2 runs in 10 measured 0.11-0.17.
    assert len(runs["metrics"]) == 1
    assert runs["metrics"][0]["cumulative-layout-shift"] < 0.01, result.stdout
    # Reported (pytest -rA and the JUnit XML show it), not gated.
    record_property("lighthouse_performance", scores["performance"])
    print(f"Lighthouse performance (one run, {runs['cpuSlowdownMultiplier']}x CPU slowdown): {scores['performance']}")
