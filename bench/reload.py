"""How long an edit takes to reach the page under `mkdocs serve` (what `make serve` runs), on a copy of the real
edition: a prose edit in a context page, a .bib edit (an entry's title) and a glossary edit (a definition).

For each kind, the time from the file's save to the moment the served page (the page the edit shows on) carries
the new words, polled every 20 ms; the median of REPEATS edits, on an idle machine. Run by `make bench`
(BENCH_ONLY=reload for this alone); the figures go to bench/results-reload.md and the README."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("mkdocs.yml", "docs", "bib", "glossary", "hooks", "sources", "src", "pyproject.toml", "CITATION.cff", "tools")
REPEATS = int(os.environ.get("BENCH_RELOAD_REPEATS", "5"))


def _copy(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for part in PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _edits(project: Path):
    """(kind, make_edit(n) -> the word the page must show, page path); each edit starts from the file as it was."""
    page = project / "docs" / "context" / "aepf.md"
    bib = sorted((project / "bib").glob("*.bib"))[0]
    glossary = project / "glossary" / "terms.yml"
    originals = {path: path.read_text(encoding="utf-8") for path in (page, bib, glossary)}

    def prose(n):
        page.write_text(originals[page].rstrip("\n") + f"\n\nReloadmarker{n}x here.\n", encoding="utf-8")
        return f"Reloadmarker{n}x"

    def bib_title(n):
        bib.write_text(re.sub(r"(\btitle\s*=\s*\{)", rf"\g<1>Bibmarker{n}x ", originals[bib], count=1), encoding="utf-8")
        return f"Bibmarker{n}x"

    def gloss(n):
        glossary.write_text(re.sub(r"(\n  definition: >-\n    )", rf"\g<1>Glossmarker{n}x ", originals[glossary], count=1), encoding="utf-8")
        return f"Glossmarker{n}x"

    return [("prose edit (a context page)", prose, "context/aepf/"), (".bib edit (an entry's title)", bib_title, "bibliography/"),
            ("glossary edit (a definition)", gloss, "glossary/")]


def measure() -> list[tuple[str, list[float]]]:
    with tempfile.TemporaryDirectory(prefix="bench-reload-") as tmp:
        project = _copy(Path(tmp) / "project")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
        serve = [sys.executable, "-m", "mkdocs", "serve", "--no-strict", "-a", f"127.0.0.1:{port}",
                 *os.environ.get("BENCH_SERVE_ARGS", "").split()]
        proc = subprocess.Popen(serve, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            base = None
            deadline = time.monotonic() + 300
            while base is None and time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as home:
                        base = home.geturl().rstrip("/") + "/"
                except OSError:
                    time.sleep(0.3)
            if base is None:
                raise SystemExit("mkdocs serve did not answer in 300 s")
            results = []
            for n, (kind, edit, path) in enumerate(_edits(project)):
                times = []
                for k in range(REPEATS + 1):  # the first edit of a kind warms up, and is not counted
                    time.sleep(1.5)  # the watcher settles
                    start = time.monotonic()
                    word = edit(n * 100 + k)
                    while time.monotonic() - start < 60:
                        body = _get(base + path)
                        if body and word in body:
                            break
                        time.sleep(0.02)
                    else:
                        raise SystemExit(f"{kind}: the page never showed the edit")
                    if k:
                        times.append(time.monotonic() - start)
                results.append((kind, times))
            return results
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def main() -> int:
    results = measure()
    lines = [f"# Reload under mkdocs serve ({time.strftime('%Y-%m-%d')})", "",
             f"Machine: {os.cpu_count()} cores. Median of {REPEATS} edits each (after one to warm up), from the save to the "
             "served page showing the new words, polled every 20 ms.", "",
             "| edit | median (s) | min-max (s) |", "|---|---:|---|"]
    for kind, times in results:
        lines.append(f"| {kind} | {statistics.median(times):.2f} | {min(times):.2f}-{max(times):.2f} |")
        print(f"{kind}: median {statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})")
    (ROOT / "bench" / "results-reload.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
