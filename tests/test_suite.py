"""The suite's own shape: what counts as heavy for `make test-quick`."""

from __future__ import annotations

import pytest

from conftest import HEAVY_FIXTURES, NEEDS, _heavy


@pytest.mark.parametrize("command", [
    ["/work/.venv/bin/python", "-m", "mkdocs", "build", "--site-dir", "/tmp/x"],
    ["/work/.venv/bin/mkdocs", "serve"],
    ["make", "--no-print-directory", "-C", "/tmp/p", "check", "VENV=/work/.venv"],
    ["make", "-o", ".venv/.installed", "preview"],
    ["/usr/bin/chromium", "--headless"],
    ["/usr/bin/python3", "-c", 'import runpy; runpy.run_module("mkdocs", run_name="__main__")'],
])
def test_builds_and_browsers_are_heavy(command):
    assert _heavy(command)


@pytest.mark.parametrize("command", [
    ["make", "serve", "-n"],  # a dry run
    ["make", "--no-print-directory", "serve", "ADDR=127.0.0.1:1"],  # a busy port: one line, no build
    ["git", "log", "--format=%an"],
    ["/work/.venv/bin/pre-commit", "run", "--all-files"],
    "node -e 1",
])
def test_other_commands_are_not(command):
    assert _heavy(command) is None


def test_quick_means_no_heavy_fixture(request):
    session = request.session
    quick = [item for item in session.items if item.get_closest_marker("quick")]
    assert quick, "some tests are quick"
    for item in quick:
        assert not set(item.fixturenames) & set(HEAVY_FIXTURES), item.nodeid
        assert not {m.name for m in item.iter_markers()} & set(NEEDS), item.nodeid
