"""Problems where the change is: the GitHub problem matcher reads our real `make check` and `make build` output,
tools/ci-summary lists every problem with its fix, and the workflow runs both for fork pull requests with a
read-only token."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import corpus
from conftest import ROOT, built_once

MATCHER = ROOT / ".github" / "problem-matchers" / "edition.json"
WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"
MKDOCS_PREFIX = re.compile(r"^(?:DEBUG|INFO|WARNING|ERROR) +-  ")  # MkDocs' log level, as its formatter prints it

# A few real mistakes, at least one of each kind the issue names, and one that is only a warning.
PLANTS = (corpus.plant_unknown_key, corpus.plant_in_text_unknown_key, corpus.plant_bib_syntax_error,
          corpus.plant_glossary_unknown_key, corpus.plant_unused_term, corpus.plant_bib_not_utf8)


def matcher() -> tuple[re.Pattern[str], dict]:
    entry = json.loads(MATCHER.read_text(encoding="utf-8"))["problemMatcher"]
    assert len(entry) == 1 and entry[0]["owner"] == "edition" and entry[0]["severity"] == "error"
    pattern = entry[0]["pattern"]
    assert len(pattern) == 1, "one line per problem: a single-line pattern"
    # GitHub's runner compiles it with .NET's RegexOptions.ECMAScript, JavaScript's rules: \d and \w are ASCII
    return re.compile(pattern[0]["regexp"], re.ASCII), pattern[0]


def parse(line: str) -> dict | None:
    """What GitHub would read from the line: file, line, column, message, code, severity (None = the default)."""
    regexp, groups = matcher()
    match = regexp.match(line)
    if not match:
        return None
    return {name: match.group(groups[name]) for name in ("file", "line", "column", "message", "code", "severity")}


def expected_fields(problem: str) -> dict:
    """The fields of one of corpus.py's exact lines, taken apart by hand rather than by a regular expression."""
    severity = None
    if problem.startswith("warning: "):
        severity, problem = "warning", problem[len("warning: "):]
    path, line, col, rest = problem.split(":", 3)
    message, code = rest[1:].rsplit(" [", 1)
    return {"file": path, "line": line, "column": col, "message": message, "code": code[:-1], "severity": severity}


def looks_like_a_problem(line: str) -> bool:
    """Our definition of a problem line, by hand: path:line:col: message [area.code], perhaps after 'warning: '."""
    line = line.removeprefix("warning: ")
    parts = line.split(":", 3)
    if len(parts) < 4 or not parts[0] or parts[0] != parts[0].strip() or not (parts[1].isdigit() and parts[2].isdigit()):
        return False
    message, _, code = parts[3].rpartition(" [")
    area, dot, name = code.removesuffix("]").partition(".")
    return (parts[3].startswith(" ") and len(message) > 1 and code.endswith("]") and bool(dot)
            and all(part and part.replace("_", "").replace(".", "").isalnum() and part.islower() for part in (area, name)))


def test_the_pattern_stays_in_a_regex_subset_github_also_reads():
    regexp, groups = matcher()
    # Numbered groups, classes and anchors read the same in .NET (ECMAScript mode), JavaScript and Python.
    for feature in ("(?P", "(?<", "(?=", "(?!", "(?#", "\\A", "\\Z", "\\z", "*+", "++", "?+"):
        assert feature not in regexp.pattern, feature
    assert not re.search(r"\(\?[a-zA-Z]", regexp.pattern), "no inline flags"
    assert sorted(groups[k] for k in ("severity", "file", "line", "column", "message", "code")) == list(range(1, regexp.groups + 1))


@pytest.mark.parametrize("line", [
    "site/ updated",
    "build failed: site/ left as it was",
    "8 error(s), 1 warning(s)",
    "make: *** [Makefile:41: check] Error 1",
    ".venv/bin/python -m scholarly_edition check .",
    "INFO    -  Building documentation to directory: /tmp/site",
    "INFO    -  Documentation built in 3.21 seconds",
    "ERROR   -  8 problem(s) in the sources (listed above); fix them and build again",
    "Aborted with a BuildError!",
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3.11/runpy.py", line 198, in _run_module_as_main',
    "docs/x.md:3: a line without a column [cite.unknown_key]",
    "docs/x.md:3:5: a message without a code",
    "  docs/x.md:3:5: indented, so part of something else [cite.unknown_key]",
])
def test_lines_that_are_not_problems_do_not_match(line):
    assert parse(line) is None


@pytest.mark.parametrize("line, severity", [
    ("docs/x.md:3:5: unknown citation key 'a'; fix the key [cite.unknown_key]", None),
    ("warning: bib/a b.bib:12:1: a path with a space [bib.not_utf8]", "warning"),
    ("WARNING -  docs/x.md:3:5: unknown citation key 'a'; fix the key [cite.unknown_key]", None),
    ("INFO    -  warning: docs/x.md:3:5: year of 'a' is empty [bib.bad_year]", "warning"),
    ("ERROR   -  mkdocs.yml:7:1: a problem logged as an error [config.invalid]", None),
])
def test_each_form_of_a_problem_line_gives_its_fields(line, severity):
    fields = parse(line)
    assert fields is not None, line
    bare = MKDOCS_PREFIX.sub("", line)
    assert fields == expected_fields(bare) and fields["severity"] == severity


def _plant_and_run(root: Path) -> None:
    project = corpus.makeable_copy(root / "project")
    expected = [line for plant in PLANTS for line in plant(project)]
    outputs = {}
    for target in ("check", "build"):
        result = corpus.make(project, target)
        assert result.returncode != 0, f"make {target} passed with the planted problems"
        outputs[target] = result.stdout + result.stderr
    (root / "outcome.json").write_text(json.dumps([expected, outputs]), encoding="utf-8")


@pytest.fixture(scope="session")
def real_output(tmp_path_factory) -> tuple[list[str], dict[str, str]]:
    """The planted problems' exact lines, and the real output of `make check` and `make build` on them."""
    expected, outputs = json.loads((built_once(tmp_path_factory, "ci-annotations", _plant_and_run) / "outcome.json").read_text(encoding="utf-8"))
    return expected, outputs


@pytest.mark.parametrize("target", ["check", "build"])
def test_every_problem_line_of_real_output_matches_with_its_fields(real_output, target):
    expected, outputs = real_output
    output = outputs[target]
    seen = []
    for line in output.splitlines():
        bare = MKDOCS_PREFIX.sub("", line) if target == "build" else line
        is_problem = looks_like_a_problem(bare)
        fields = parse(line)
        assert (fields is not None) == is_problem, f"make {target}: the matcher {'missed' if is_problem else 'took'}\n  {line}"
        if fields:
            assert fields == expected_fields(bare), line
            seen.append(bare.removeprefix("warning: "))
    assert len(seen) >= len(expected), output
    for problem in expected:
        assert problem in seen, f"make {target}: expected\n  {problem}\nin\n{output}"
    assert any(parse(line)["severity"] == "warning" for line in output.splitlines() if parse(line)), "a warning is read as one"
    if target == "build":
        assert any(line.startswith("WARNING -  ") for line in output.splitlines() if parse(line))
        assert any(line.startswith("INFO    -  warning: ") for line in output.splitlines() if parse(line))


def test_javascript_reads_real_output_as_python_does(real_output):
    """The runner compiles the pattern with JavaScript's rules: Node's own engine must agree with Python's, group by group."""
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        pytest.skip("no Node.js here (.ci/run installs it)")
    regexp, _ = matcher()
    lines = [line for text in real_output[1].values() for line in text.splitlines()]
    lines += ["warning: docs/é.md:1:2: a path with an accent [cite.unknown_key]", "docs/x.md:١:2: Arabic-Indic digit [cite.unknown_key]"]
    script = ("const {regexp, lines} = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "const re = new RegExp(regexp);"
              "console.log(JSON.stringify(lines.map(l => { const m = re.exec(l); return m ? Array.from(m).slice(1).map(g => g ?? null) : null; })));")
    result = subprocess.run([node, "-e", script], input=json.dumps({"regexp": regexp.pattern, "lines": lines}),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    in_javascript = json.loads(result.stdout)
    in_python = [list(m.groups()) if (m := regexp.match(line)) else None for line in lines]
    assert in_javascript == in_python
    assert sum(m is not None for m in in_python) >= len(real_output[0]) + 1


def run_summary(tmp_path: Path, outputs: dict[str, str], *outcomes: str, **env: str) -> tuple[list[str], str]:
    logs = [arg for outcome in outcomes for arg in ("--outcome", outcome)]
    for target, text in outputs.items():
        (tmp_path / f"{target}.log").write_text(text, encoding="utf-8")
        logs.append(str(tmp_path / f"{target}.log"))
    summary = tmp_path / "summary.md"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "ci-summary"), *logs, str(tmp_path / "never-ran.log")],
                            env=dict(os.environ, GITHUB_STEP_SUMMARY=str(summary), **env), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines(), summary.read_text(encoding="utf-8")


def test_the_summary_lists_every_problem_once_sorted_with_its_fix(real_output, tmp_path):
    expected, outputs = real_output
    printed, summary = run_summary(tmp_path, outputs, "make check=failure", "make build=failure",
                                   GITHUB_SERVER_URL="https://github.com", GITHUB_REPOSITORY="o/r", GITHUB_SHA="abc123")
    assert "`make check`: failure · `make build`: failure" in summary
    # printed again for the matcher: each problem once, though check and build both report it
    assert len(printed) == len(set(printed))
    bare = [line.removeprefix("warning: ") for line in printed]
    for problem in expected:
        assert bare.count(problem) == 1, f"{problem}\nnot once in\n" + "\n".join(printed)
    assert [line for line in printed if line.startswith("warning: ")] == [f"warning: {expected[-2]}"], "the .bib file not in UTF-8 is a warning, the rest errors"
    assert all(parse(line) for line in printed)
    keys = [(f["file"], int(f["line"]), int(f["column"])) for f in map(parse, printed)]
    assert keys == sorted(keys)
    every = {MKDOCS_PREFIX.sub("", l) for text in outputs.values() for l in text.splitlines() if parse(l)}
    assert set(printed) == every, "every problem of either command, no other"

    rows = [row for row in summary.splitlines() if row.startswith("| error |") or row.startswith("| warning |")]
    assert len(rows) == len(printed)
    for row, line in zip(rows, printed):
        fields = expected_fields(line)
        what, sep, fix = fields["message"].rpartition("; ")
        if not sep:  # e.g. bib.not_utf8: "..., and save it as UTF-8"
            what, fix = fields["message"], "(in the problem's own words)"
        assert row.startswith("| warning |" if fields["severity"] else "| error |"), row
        assert f"[`{fields['file']}:{fields['line']}:{fields['column']}`](https://github.com/o/r/blob/abc123/{fields['file']}#L{fields['line']})" in row
        assert f"| {what} | {fix} | `{fields['code']}` |" in row, row
    unknown = next(r for r in rows if "juego2010migratoin" in r)
    assert "| did you mean 'juego2010migration'? add the entry to bib/ or fix the key |" in unknown
    assert re.search(r"\b\d+ error\(s\), 1 warning\(s\)", summary)


def test_the_summary_says_so_when_nothing_is_wrong(tmp_path):
    clean = {"check": "0 error(s), 0 warning(s)\n", "build": "INFO    -  Documentation built\nsite/ updated\n"}
    printed, summary = run_summary(tmp_path, clean, "make check=success", "make build=success")
    assert printed == []
    assert "No problems" in summary and "|" not in summary


def test_a_failure_without_problem_lines_is_not_summed_up_as_no_problems(tmp_path):
    crashed = {"check": "0 error(s), 0 warning(s)\n", "build": "Traceback (most recent call last):\nKeyError: 'x'\nbuild failed: site/ left as it was\n"}
    printed, summary = run_summary(tmp_path, crashed, "make check=success", "make build=failure")
    assert printed == []
    assert "No problems" not in summary
    assert "`make build` failed without a problem line of ours" in summary


def test_more_problems_than_github_marks_are_all_in_the_summary(tmp_path):
    many = "".join(f"docs/index.md:{n}:1: unknown citation key 'k{n}'; fix the key [cite.unknown_key]\n" for n in range(1, 13))
    printed, summary = run_summary(tmp_path, {"check": many})
    assert len(printed) == 12 and summary.count("| error |") == 12
    assert "only the first 10" in summary
    assert [int(parse(line)["line"]) for line in printed] == list(range(1, 13)), "by line number, not as text"


def test_contributor_text_stays_plain_text_in_the_summary(tmp_path):
    line = "docs/x.md:1:1: term link '[[a|b]]' <img src=x> names no term; see [here](https://example.org) [glossary.unknown_term]"
    printed, summary = run_summary(tmp_path, {"check": line + "\n"})
    assert printed == [line]
    row = next(r for r in summary.splitlines() if r.startswith("| error |"))
    assert "term link '\\[\\[a\\|b\\]\\]' &lt;img src=x> names no term | see \\[here\\](https://example.org) |" in row, row
    assert len(re.findall(r"(?<!\\)\|", row)) == 6, "the cells stay five"


def test_the_checks_job_runs_for_fork_pull_requests_read_only_with_the_matcher():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    events = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in events and "pull_request_target" not in events, "pull_request_target would hand forks a write token"
    job = workflow["jobs"]["checks"]
    assert job["permissions"] == {"contents": "read"}
    assert "secrets." not in json.dumps(job)
    runs = [step.get("run", "") for step in job["steps"]]
    checkout = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert job["defaults"]["run"]["shell"] == "bash", "pipefail, so `make | tee` fails with make"
    check = next(i for i, r in enumerate(runs) if r.startswith("make check"))
    build = next(i for i, r in enumerate(runs) if r.startswith("make build"))
    annotate = next(i for i, r in enumerate(runs) if "::add-matcher::" in r)
    assert check < build < annotate
    assert "::add-matcher::.github/problem-matchers/edition.json" in runs[annotate] and MATCHER.is_file()
    assert "tools/ci-summary" in runs[annotate] and '"$RUNNER_TEMP/check.log" "$RUNNER_TEMP/build.log"' in runs[annotate]
    assert "$RUNNER_TEMP/check.log" in runs[check] and "$RUNNER_TEMP/build.log" in runs[build]
    assert job["steps"][build]["if"] == job["steps"][annotate]["if"] == "${{ !cancelled() }}", "report even when check fails"
    assert job["steps"][check]["id"] == "check" and job["steps"][build]["id"] == "build"
    assert job["steps"][annotate]["env"] == {"CHECK_OUTCOME": "${{ steps.check.outcome }}", "BUILD_OUTCOME": "${{ steps.build.outcome }}"}
    assert '--outcome "make check=$CHECK_OUTCOME" --outcome "make build=$BUILD_OUTCOME"' in runs[annotate]
    assert "test" in workflow["jobs"] and (ROOT / ".github" / "workflows" / "pages.yml").is_file()  # publishing: pages.yml


def test_the_workflows_pass_actionlint():
    pinned = Path(sys.executable).parent / "actionlint"  # requirements.txt pins it; a system one may differ
    actionlint = str(pinned) if pinned.exists() else shutil.which("actionlint")
    assert actionlint, "actionlint is not installed: `make test` installs it from requirements.txt"
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run([actionlint, "-no-color", *map(str, workflows)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
