"""[7/8] The contributor flow: pre-commit, templates, CI shape."""

from __future__ import annotations

import os
import subprocess

import yaml

from conftest import ROOT


def test_pre_commit_passes_on_the_clean_repository(tmp_path):
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit"))
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "pre-commit"), "run", "--all-files"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "edition checks" in result.stdout


def test_pre_commit_hooks_are_local_only():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]


def test_issue_and_pull_request_templates_exist_and_parse():
    folder = ROOT / ".github" / "ISSUE_TEMPLATE"
    forms = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in folder.glob("*.yml") if p.stem != "config"}
    assert set(forms) == {"correction", "new-source", "new-term"}
    for form in forms.values():
        assert form["name"] and form["description"] and form["body"]
    assert "essay's own words are unchanged" in (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")


def test_ci_runs_check_build_test_pdf_and_uploads_the_site_deploying_only_from_main():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    steps = [s.get("run", s.get("uses", "")) for s in workflow["jobs"]["test"]["steps"]]
    order = [next(i for i, s in enumerate(steps) if needle in s) for needle in ("make check", "make build", ".ci/run")]
    assert order == sorted(order)
    # the preview is made by the checks job, whose steps run even when the checks fail: every pull request has one,
    # with the problems shown on their pages (SHOW_PROBLEMS=1); it does not wait for the tests
    checks = workflow["jobs"]["checks"]["steps"]
    preview = next(i for i, s in enumerate(checks) if "make preview" in s.get("run", ""))
    assert "SHOW_PROBLEMS=1" in checks[preview]["run"] and "!cancelled()" in checks[preview]["if"]
    uploads = [(i, s) for i, s in enumerate(checks) if "upload-artifact@" in s.get("uses", "")]
    assert [(s["with"]["name"], s["with"]["path"]) for _, s in uploads] == [("edition-preview", "preview")] and uploads[0][0] > preview
    assert "!cancelled()" in uploads[0][1]["if"]
    assert not any("upload-artifact@" in s.get("uses", "") for s in workflow["jobs"]["test"]["steps"])
    triggers = workflow.get("on") or workflow.get(True)
    assert "pull_request" in triggers and "deploy" not in workflow["jobs"]  # publishing is releasing (pages.yml)
    pages = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    assert (pages.get("on") or pages.get(True))["push"]["branches"] == ["gh-pages"]
    deploy = pages["jobs"]["deploy"]
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["with"]["ref"] == "gh-pages" and any("deploy-pages@" in s.get("uses", "") for s in deploy["steps"])


def test_contributing_covers_what_a_contributor_needs():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for needle in ("make serve", "Zotero", "glossary/terms.yml", "[[", "editorial note", "[@", "README.md#the-checks"):
        assert needle in text, needle
