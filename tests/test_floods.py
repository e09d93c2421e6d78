"""A flood of one kind of problem stays readable: 3,000 .bib entries with one cited gave 5,999 lines (bib.provenance,
bib.unused_entry), a job summary GitHub refused (1,186,324 bytes, over its 1 MiB) and a build that ran Pandoc for
minutes before failing with the lines `make check` gave in seconds. Now beyond the first 20 problems of a code
the rest are counted in one line per file (EDITION_ALL_PROBLEMS=1 or `check --all` lists every one), and the build
stops after the source checks, before anything is rendered. The time itself is measured by `make bench`
(BENCH_ONLY=flood: bench/results-flood.md); here, what the build did."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, mkdocs_build
from scholarly_edition.diagnostics import GROUP_AFTER, Problem, grouped

ENTRIES = 3000
CODES = ("bib.provenance", "bib.unused_entry")
MORE = re.compile(r"^bib/flood\.bib:(\d+):1: ([\d,]+) more of the same \((bib\.[a-z_]+)\) in this file, .*"
                  r"run EDITION_ALL_PROBLEMS=1 make check \(or make build\) \[(bib\.[a-z_]+)\]$")


def flood_bib(entries: int) -> str:
    """Entries that parse and are complete but do not say how they were verified (no verifiedat/confidence)."""
    return "".join(f"@book{{flood{n:04d},\n  author = {{Doe, Jane}},\n  title = {{Book {n}}},\n  publisher = {{Nobody}},\n"
                   f"  year = {{2001}}\n}}\n\n" for n in range(entries))


@pytest.fixture(scope="module")
def flooded(tmp_path_factory) -> dict:
    """A copy of the site with 3,000 more entries, one of them cited; check (grouped and --all) and build run once."""
    root = tmp_path_factory.mktemp("flood")
    project = copy_project(root / "project")
    (project / "bib" / "flood.bib").write_text(flood_bib(ENTRIES), encoding="utf-8")
    page = project / "docs" / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne of them [@flood0007].\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "EDITION_ALL_PROBLEMS"}

    def check(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "scholarly_edition", "check", str(project), *extra],
                              capture_output=True, text=True, timeout=300, env=env)

    return {"root": root, "check": check(), "all": check("--all"), "build": mkdocs_build(project, root / "site", "--strict"),
            "site": root / "site"}


def lines_of(output: str) -> list[str]:
    return [line.split(" -  ", 1)[-1] for line in output.splitlines() if "[bib." in line]


def test_beyond_20_of_a_code_the_check_counts_the_rest_in_one_line(flooded):
    check = flooded["check"]
    assert check.returncode == 1, check.stderr
    lines = lines_of(check.stdout)
    assert len(lines) == 2 * (GROUP_AFTER + 1), check.stdout
    counted = {}
    for line in lines:
        match = MORE.match(line)
        if match:
            assert match[3] == match[4]
            counted[match[3]] = int(match[2].replace(",", ""))
    assert counted == {"bib.provenance": ENTRIES - GROUP_AFTER, "bib.unused_entry": ENTRIES - 1 - GROUP_AFTER}, lines
    for code in CODES:
        assert sum(line.endswith(f"[{code}]") for line in lines) == GROUP_AFTER + 1
    assert "5999 error(s), 0 warning(s)" in check.stderr  # every error counted, listed or not


def test_check_all_lists_every_one(flooded):
    every = flooded["all"]
    assert every.returncode == 1
    lines = lines_of(every.stdout)
    assert len(lines) == 2 * ENTRIES - 1 and not any(MORE.match(line) for line in lines)


def test_the_build_stops_after_the_source_checks_with_the_same_grouped_lines(flooded):
    build, check = flooded["build"], flooded["check"]
    assert build.returncode != 0 and "Traceback" not in build.stderr, build.stderr
    assert lines_of(build.stderr) == lines_of(check.stdout), build.stderr
    assert "5999 problem(s) in the sources" in build.stderr and "the site was not rendered" in build.stderr
    # nothing was rendered, so Pandoc never formatted a citation: no page, no reference list
    assert not list(flooded["site"].rglob("*.html")), "the build went on to render pages"


def test_the_job_summary_stays_under_1_mib_and_grouped(flooded, tmp_path):
    logs = []
    for name, text in (("check", flooded["check"].stdout + flooded["check"].stderr), ("build", flooded["build"].stderr),
                       ("all", flooded["all"].stdout)):  # a log with every line too (EDITION_ALL_PROBLEMS=1 in CI)
        (tmp_path / f"{name}.log").write_text(text, encoding="utf-8")
        logs.append(str(tmp_path / f"{name}.log"))
    summary = tmp_path / "summary.md"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "ci-summary"), "--outcome", "make check=failure", *logs],
                            env=dict(os.environ, GITHUB_STEP_SUMMARY=str(summary)), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 1024 * 1024, len(text.encode("utf-8"))
    rows = [row for row in text.splitlines() if row.startswith("| error |")]
    assert len(rows) <= 2 * (GROUP_AFTER + 1), len(rows)
    assert sum("more of the same not shown here" in row for row in text.splitlines()) == 2, text

    grouped_only = tmp_path / "grouped.md"  # the usual CI run: the logs as make check and make build print them
    subprocess.run([sys.executable, str(ROOT / "tools" / "ci-summary"), *logs[:2]], env=dict(os.environ, GITHUB_STEP_SUMMARY=str(grouped_only)),
                   capture_output=True, text=True, timeout=120, check=True)
    rows = [row for row in grouped_only.read_text(encoding="utf-8").splitlines() if row.startswith("| error |")]
    assert len(rows) == 2 * (GROUP_AFTER + 1) and sum("more of the same (bib." in row for row in rows) == 2, rows


def test_grouping_keeps_severity_and_counts_per_file():
    problems = [Problem(f"bib/{name}.bib", n, 1, "x; fix", "bib.provenance", severity) for name, severity in (("a", "error"), ("b", "warning"))
                for n in range(1, 16)]
    listed = grouped(problems, 20)
    assert listed[:20] == problems[:20]
    [rest] = listed[20:]
    assert (rest.path, rest.line, rest.severity, rest.code) == ("bib/b.bib", 6, "warning", "bib.provenance")
    assert rest.message.startswith("10 more of the same (bib.provenance) in this file")
    assert grouped(problems, None) == problems
