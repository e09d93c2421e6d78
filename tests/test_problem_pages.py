"""Problems shown where the contributor looks: a preview built with EDITION_SHOW_PROBLEMS=true (CI's preview of
a pull request whose checks fail) and `make serve` go on with errors and put each problem in a box on the page it
concerns, and all of them on the home page. A normal strict build still stops."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import lxml.html
import pytest

from conftest import mkdocs_build
from scholarly_edition import problempages
from scholarly_edition.diagnostics import Problem


def _plant(project):
    """An unknown citation key in a context page and a YAML mistake in the glossary: (page line, glossary line)."""
    page = project / "docs" / "context" / "aepf.md"
    text = page.read_text(encoding="utf-8").rstrip("\n") + "\n\nAs argued elsewhere [@nosuchkey2099].\n"
    page.write_text(text, encoding="utf-8")
    return text.count("\n")


def _boxes(html: str) -> list[str]:
    tree = lxml.html.fromstring(html)
    return [" ".join(b.text_content().split()) for b in tree.xpath('//article//div[contains(@class, "edition-problems")]')]


def test_a_preview_with_problems_is_built_and_shows_them_on_their_pages(project_copy, tmp_path):
    line = _plant(project_copy)
    out = tmp_path / "preview"
    env = dict(os.environ, EDITION_SHOW_PROBLEMS="true", EDITION_OFFLINE="true", EDITION_EXPORT="false", NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--no-strict", "--site-dir", str(out)], cwd=project_copy,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"docs/context/aepf.md:{line}:" in result.stderr and "nosuchkey2099" in result.stderr  # the output lists it too
    page = _boxes((out / "context" / "aepf.html").read_text(encoding="utf-8"))
    assert len(page) == 1 and f"docs/context/aepf.md:{line}:" in page[0] and "nosuchkey2099" in page[0], page
    home = lxml.html.fromstring((out / "index.html").read_text(encoding="utf-8"))
    assert "nosuchkey2099" in " ".join(_boxes(lxml.html.tostring(home, encoding="unicode")))
    assert home.xpath('//div[contains(@class, "edition-problems")]//a[@href="context/aepf.html"]')  # to the page
    assert _boxes((out / "context" / "author.html").read_text(encoding="utf-8")) == []  # pages without problems: none
    strict = mkdocs_build(project_copy, tmp_path / "strict")  # without the switch, the build stops as before
    assert strict.returncode != 0 and not (tmp_path / "strict" / "index.html").exists()


def test_make_serve_shows_a_glossary_mistake_on_the_glossary_page(project_copy):
    """Under `mkdocs serve` a YAML mistake in the glossary emptied the glossary page with no word on it."""
    glossary = project_copy / "glossary" / "terms.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("\n  definition:", "\n definition:", 1), encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", EDITION_EXPORT="false")
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--no-strict", "--no-livereload", "-a", f"127.0.0.1:{port}"],
                            cwd=project_copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    body = None
    try:
        deadline = time.monotonic() + 180
        while body is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as home:  # to site_url's path
                    base = home.geturl()
                with urllib.request.urlopen(base.rstrip("/") + "/glossary/", timeout=5) as response:
                    body = response.read().decode("utf-8")
            except OSError:
                time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert body is not None, output[-3000:]
    boxes = _boxes(body)
    assert len(boxes) == 1 and re.search(r"glossary/terms\.yml:\d+:\d+: YAML syntax error", boxes[0]), (boxes, output[-2000:])


@pytest.mark.quick
def test_problems_go_to_their_page_or_the_home_page():
    problems = [Problem("docs/context/aepf.md", 3, 1, "a", "x"), Problem("bib/references.bib", 9, 1, "b", "y", "warning"),
                Problem("mkdocs.yml", 1, 1, "c", "z"), Problem("docs/gone.md", 1, 1, "d", "x"),
                Problem("docs/context/aepf.md", 3, 1, "a", "x")]  # reported twice: shown once
    found = problempages.by_page(problems, "docs/", {"index.md", "context/aepf.md", "bibliography.md"}, {"bib/references.bib": "bibliography.md"})
    assert {k: [p.message for p in v] for k, v in found.items()} == {"context/aepf.md": ["a"], "bibliography.md": ["b"], "index.md": ["d", "c"]}
    elsewhere = problempages.by_page(problems, "docs/", {"README.md", "context/aepf.md"}, {}, home="README.md")
    assert sorted(elsewhere) == ["README.md", "context/aepf.md"]  # a home page that is not index.md gets the rest
    box = problempages.box(found["bibliography.md"], problempages.title(found["bibliography.md"]))
    assert 'class="admonition warning edition-problems" role="alert"' in box and "1 warning in the sources of this page" in box
    assert problempages.title(problems[:3] + problems[:1], whole_build=True) == "3 errors, 1 warning in the sources of this edition"
    html = '<html><body><article class="md-content__inner md-typeset"><h1>T</h1></article></body></html>'
    boxed = problempages.add_box(html, "<div>B</div>")
    assert boxed.index("<div>B</div>") < boxed.index("<h1>") and problempages.add_box("<p>no article</p>", "<div>B</div>") == "<p>no article</p>"
    many = [Problem("docs/a.md", n, 1, "<m>", "x") for n in range(1, 61)]
    listed = problempages.box(many, "t")
    assert listed.count("<li>") == problempages.LISTED and "and 10 more" in listed and "&lt;m&gt;" in listed
