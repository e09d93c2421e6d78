"""The contributor's path: `make serve` on a busy port says so in one line; CONTRIBUTING names only real targets."""

from __future__ import annotations

import re
import socket
import subprocess

import pytest

from conftest import ROOT

CONTRIBUTING = ROOT / "CONTRIBUTING.md"
MAKE_OWN_LINE = re.compile(r"make(\[\d+\])?: \*\*\* ")  # "make: *** [Makefile:27: serve] Error 1", make[1] when nested


def makefile_targets() -> set[str]:
    """The targets `make help` lists: the ones with a `## ` description, which is what a contributor can see."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):[^=\n]*## ", text, re.M))


def make_commands_in(markdown: str) -> set[str]:
    """Every `make TARGET` the text tells people to run, in code spans or in code blocks."""
    code = re.findall(r"```[a-z]*\n(.*?)```", markdown, re.S) + re.findall(r"`([^`\n]+)`", markdown)
    # A command starts a line or follows && ; | : "apt install git make python3-venv" names no target.
    return {target for snippet in code for target in re.findall(r"(?:^|&&|;|\|)[ \t]*make ([a-z][a-z-]*)", snippet, re.M)}


def make_serve_on(port: int) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "serve", f"ADDR=127.0.0.1:{port}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def busy_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_make_serve_on_a_busy_port_prints_one_line_and_fails(busy_port):
    result = make_serve_on(busy_port)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    ours = [line for line in output.splitlines() if line.strip() and not MAKE_OWN_LINE.match(line)]
    assert len(ours) == 1, output
    assert f"127.0.0.1:{busy_port}" in ours[0] and "in use" in ours[0]
    suggested = re.search(r"make serve ADDR=127\.0\.0\.1:(\d+)", ours[0])
    assert suggested and int(suggested.group(1)) != busy_port, ours[0]


def test_the_free_port_it_suggests_is_free(busy_port):
    line = (make_serve_on(busy_port).stderr.strip().splitlines() or [""])[0]
    port = int(re.search(r"ADDR=127\.0\.0\.1:(\d+)", line).group(1))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


@pytest.mark.parametrize("addr", ["8001", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:70000"])
def test_a_malformed_addr_is_one_line_too(addr):
    result = subprocess.run(["make", "--no-print-directory", "serve", f"ADDR={addr}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip() and not MAKE_OWN_LINE.match(line)]
    assert len(lines) == 1 and "ADDR=127.0.0.1:8001" in lines[0], result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_make_commands_finder_sees_blocks_and_spans():
    text = ("Run `make serve ADDR=127.0.0.1:8001`.\n```sh\nmake check     # quick\ncd x && make build\n```\n`make`\n"
            "`sudo apt install git make python3-venv`\n")
    assert make_commands_in(text) == {"serve", "check", "build"}


def test_contributing_names_only_targets_the_makefile_has():
    named = make_commands_in(CONTRIBUTING.read_text(encoding="utf-8"))
    assert {"serve", "check", "build", "test-quick"} <= named
    assert named - makefile_targets() == set()


def test_readme_and_contributing_document_addr():
    for doc in (ROOT / "README.md", CONTRIBUTING):
        assert "make serve ADDR=127.0.0.1:8001" in doc.read_text(encoding="utf-8"), doc.name


def test_pull_request_template_asks_for_the_strict_build():
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert "make build" in template
