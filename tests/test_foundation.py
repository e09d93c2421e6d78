"""[1/8] The site builds strictly, requests nothing from other hosts, and the README's commands exist."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from conftest import ROOT, make_serve, mkdocs_build

# Elements whose URL the browser fetches by itself (as opposed to <a href>, which the reader follows).
FETCHING = {("link", "href"), ("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"),
            ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("img", "srcset")}


class _Fetches(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in FETCHING and value:
                for part in value.split(","):
                    self.urls.append((tag, part.strip().split(" ")[0]))


def fetched_urls(html: str) -> list[tuple[str, str]]:
    parser = _Fetches()
    parser.feed(html)
    return parser.urls


def own_host() -> str:
    from scholarly_edition.config import read_config

    return urlparse(read_config(ROOT / "mkdocs.yml").data["site_url"]).hostname


def test_real_site_builds_strict_into_a_temporary_folder(built_site):
    assert (built_site / "index.html").is_file()
    assert (built_site / "essay" / "index.html").is_file()
    assert "strict: true" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_fetch_scanner_sees_third_party_urls():
    html = '<link href="https://fonts.googleapis.com/css"><script src="//cdn.example/x.js"></script><a href="https://x.org">'
    hosts = {urlparse(u).hostname for _, u in fetched_urls(html)}
    assert hosts == {"fonts.googleapis.com", "cdn.example"}


def test_built_pages_request_nothing_from_another_host(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 7
    foreign = []
    for page in pages:
        for tag, url in fetched_urls(page.read_text(encoding="utf-8")):
            host = urlparse(url).hostname
            if host and host != own_host():
                foreign.append(f"{page.relative_to(built_site)}: <{tag}> {url}")
    assert foreign == []


def test_no_web_fonts_in_css(built_site):
    for css in built_site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, css


def test_readme_top_commands_are_makefile_targets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    commands = re.findall(r"^(make \w+)", first_block, re.M)
    assert commands == ["make serve", "make test"]
    for command in commands:
        dry = subprocess.run([*command.split(), "-n"], cwd=ROOT, capture_output=True, text=True)
        assert dry.returncode == 0, dry.stderr
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_broken_link_fails_the_build_naming_the_page(project_copy, tmp_path):
    page = project_copy / "docs" / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [a missing page](no-such-page.md).\n", encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert "about.md" in result.stderr and "no-such-page.md" in result.stderr


def test_broken_anchor_fails_the_build(project_copy, tmp_path):
    page = project_copy / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [the notes](essay.md#no-such-anchor).\n", encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert "index.md" in result.stderr and "no-such-anchor" in result.stderr


def test_workflows_pass_actionlint():
    import shutil

    actionlint = shutil.which("actionlint") or str(Path(__import__("sys").executable).parent / "actionlint")
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run([actionlint, *map(str, workflows)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_have_least_privilege_permissions():
    for path in (ROOT / ".github" / "workflows").glob("*.yml"):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow.get("permissions") == {"contents": "read"}, path
        for name, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                uses = step.get("uses", "")
                if uses:
                    assert re.search(r"@[0-9a-f]{40}$", uses), f"{path.name}:{name}: pin {uses} to a commit"


@pytest.mark.builds
def test_make_serve_answers_on_its_address():
    status, body, output = make_serve()
    assert status == 200, output
    assert "Migration in Asia-Europe Relations" in body
