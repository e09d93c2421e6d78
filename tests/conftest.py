"""Shared helpers: real MkDocs builds of the real site or of a copy of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: 120 examples in make test; make test-quick passes --hypothesis-profile=quick for fewer.
settings.register_profile("full", max_examples=120)
settings.register_profile("quick", max_examples=25)
settings.load_profile("full")

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "scholarly_edition"  # the generator: theme, book stylesheets, fonts
PROJECT_PARTS = ("mkdocs.yml", "docs", "bib", "glossary", "hooks", "sources", "src", "pyproject.toml", "CITATION.cff", ".zenodo.json", "tools")

# `make test-quick` runs the tests marked quick: those that need no site build, no browser and no PDF. The mark
# follows what a test needs, not the file it is in:
# - a fixture that builds, drives Chromium or reads the PDF/EPUB (found in the test's whole fixture closure);
# - a test that runs a build, `make check/build/serve` or Chromium itself says so with @pytest.mark.builds
#   (or .browser); under `-m quick` a guard fails any test that starts mkdocs, make or Chromium unmarked;
# - the tests of the .bib corpus that `make test` fetches from Debian's archive are marked corpus: make
#   test-quick fetches nothing (and they take longer than all the quick tests together).
HEAVY_FIXTURES = {
    "built_site": "builds", "project": "builds", "project_copy": "builds", "preview": "builds", "real_output": "builds",
    "planted": "builds", "both_ways": "builds", "browser": "browser", "base_url": "browser", "pdf": "pdf", "letter_pdf": "pdf", "epub_path": "pdf",
}
NEEDS = ("builds", "browser", "pdf", "corpus")


def pytest_configure(config):
    for name, what in (("builds", "runs a real site build, make check/build/serve or a copy of the project"),
                       ("browser", "drives Debian's Chromium"), ("pdf", "reads the PDF or EPUB of a real build"),
                       ("corpus", "reads the .bib corpus make test fetches from Debian's archive (tools/ensure-texlive-bib)")):
        config.addinivalue_line("markers", f"{name}: {what} (not in make test-quick)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        needs = {HEAVY_FIXTURES[f] for f in item.fixturenames if f in HEAVY_FIXTURES}
        needs |= {m.name for m in item.iter_markers() if m.name in NEEDS}
        for name in needs:
            item.add_marker(getattr(pytest.mark, name))
        if not needs:
            item.add_marker(pytest.mark.quick)
    # The slow tests first and the quick ones last, so that at the end of a run the two xdist workers share
    # out many short tests rather than one waiting for the other's long one (the order is the same in both).
    items.sort(key=lambda item: item.get_closest_marker("quick") is not None)


_HEAVY_COMMANDS = ("mkdocs", "chromium", "chrome", "lighthouse")
_HEAVY_MAKE_TARGETS = {"build", "check", "preview", "pdf", "test", "lighthouse"}  # serve: only on a free port (marked)


def _heavy(args) -> str | None:
    """What a command line starts, if it is a build, a browser or make running one."""
    words = [str(a) for a in (args if isinstance(args, (list, tuple)) else [args])]
    text = " ".join(words)
    if any(Path(w).name in _HEAVY_COMMANDS for w in words) or "-m mkdocs" in text or "run_module(\"mkdocs\"" in text:
        return text
    if words and Path(words[0]).name == "make" and _HEAVY_MAKE_TARGETS & set(words[1:]) and "-n" not in words:  # -n: a dry run
        return text
    return None


@pytest.fixture(autouse=True)
def _quick_stays_quick(request, monkeypatch):
    """Under `make test-quick`, a test marked quick that starts a build, make or Chromium fails, naming the
    marker it lacks, so the quick set cannot silently grow slow."""
    if request.config.getoption("markexpr", "") != "quick" or not request.node.get_closest_marker("quick"):
        yield
        return
    real = subprocess.Popen.__init__

    def guarded(self, args, *rest, **kwargs):
        started = _heavy(args)
        if started:
            raise AssertionError(f"{request.node.nodeid} is marked quick but runs `{started[:120]}`: "
                                 "mark it @pytest.mark.builds (or use a fixture that builds)")
        return real(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", guarded)
    yield


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


def built_once(tmp_path_factory, name: str, build) -> Path:
    """A folder made by ``build(folder)`` once per test run. `make test` runs two pytest-xdist workers, each
    with a session of its own, and spreads the tests over them one by one (a module's tests may land on
    both): the first worker to ask builds, under a file lock, and the other waits and reuses the folder (a
    failed build fails both with its message). Expensive fixtures are session-scoped and built through this."""
    if name in _BUILT:
        return _BUILT[name]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        _BUILT[name] = folder
        return folder
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, above the workers' own
    folder, outcome = shared / name, shared / f"{name}.outcome"
    with FileLock(str(shared / f"{name}.lock")):
        if not outcome.exists():
            try:
                folder.mkdir()
                build(folder)
            except BaseException as error:
                outcome.write_text(f"failed in {worker}: {error}", encoding="utf-8")
                raise
            outcome.write_text("built", encoding="utf-8")
    result = outcome.read_text(encoding="utf-8")
    assert result == "built", result
    _BUILT[name] = folder
    return folder


_BUILT: dict[str, Path] = {}  # what this process has built or found built, by name


def _build_real_site(site: Path) -> None:
    result = mkdocs_build(ROOT, site, export=True)
    assert result.returncode == 0, f"strict build of the real site failed:\n{result.stderr}"


def site_is_current() -> bool:
    """site/ was built by `make build` from exactly these sources, commit and settings (tools/inputs-digest)."""
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "inputs-digest"), "--check", str(ROOT / ".cache" / "site.inputs")],
                           capture_output=True, timeout=60)
    return check.returncode == 0


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site with its PDF and EPUB, built strictly: site/ when `make build` made it from these very
    sources (make test builds it first, CI has just built it), else built once per test run into a temporary
    folder. Every test that only reads a build shares it: read-only by convention (a test that writes gets a
    copy)."""
    if site_is_current():
        return ROOT / "site"
    return built_once(tmp_path_factory, "real-site", _build_real_site)


@pytest.fixture(scope="session")
def base_url(built_site):
    """The real built site on a static server of 127.0.0.1, one per test session (tests only read it)."""
    from browsing import serve

    server, url = serve(built_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, started once per test session (one per xdist worker: the browser
    tests wait on pages, so the two workers wait side by side); each test opens its own context (and closes
    it), so no test sees another's pages, cookies or storage."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    from browsing import CHROMIUM, CHROMIUM_ARGS

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
