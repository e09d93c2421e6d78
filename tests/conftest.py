"""Shared helpers: real MkDocs builds of the real site or of a copy of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("mkdocs.yml", "docs", "bib", "glossary", "hooks", "sources", "overrides", "book", "fonts", "tools")

# The files `make test-quick` runs (marker "quick"): tests of pure functions and of the contributor's path, no site
# build, no Chromium, no PDF. Kept in one list here rather than a marker in every file, so that moving a file in
# or out is one line.
QUICK_TEST_FILES = frozenset({
    "test_citations.py", "test_gate_units.py", "test_units.py", "test_contributor_path.py",
})


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in QUICK_TEST_FILES:
            item.add_marker(pytest.mark.quick)


def mkdocs_build(project: Path, site_dir: Path, *extra: str, export: bool = False) -> subprocess.CompletedProcess:
    """Run a real ``mkdocs build`` in ``project`` (strict comes from mkdocs.yml).

    The PDF/EPUB export is off unless asked for: only the tests of the offline edition need it.
    """
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1", EDITION_EXPORT=str(export).lower())
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site_dir), *extra],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )


def copy_project(dest: Path) -> Path:
    """A copy of the site's sources, to change without touching the real ones."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__", "node_modules", "report", "report.json"))
        else:
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once per test session in strict mode into a temporary folder."""
    site = tmp_path_factory.mktemp("real-site")
    result = mkdocs_build(ROOT, site, export=True)
    assert result.returncode == 0, f"strict build of the real site failed:\n{result.stderr}"
    return site


@pytest.fixture
def project_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


def make_serve(*make_args: str) -> tuple[int, str, str]:
    """Run `make serve` on a free port until / answers, then stop it: (status, body of /, server output)."""
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["make", "--no-print-directory", *make_args, "serve", f"ADDR=127.0.0.1:{port}"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    status, body = None, ""
    try:
        deadline = time.monotonic() + 120
        while status is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    status, body = response.status, response.read().decode("utf-8")
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    return status, body, output
