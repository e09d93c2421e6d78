"""``python -m scholarly_edition check [ROOT]``: the reference gate without building the site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .checks import run_check
from .diagnostics import GROUP_AFTER, LIST_ALL, Problem, grouped, list_all_from_env, root_cause_first, skipped_note


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scholarly_edition", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check citations, the bibliography and the glossary")
    check.add_argument("root", nargs="?", default=".", type=Path, help="project folder holding mkdocs.yml")
    check.add_argument("--all", action="store_true", help=f"list every problem (by default, beyond the first {GROUP_AFTER} "
                       f"of one kind the rest are counted in one line per file; {LIST_ALL}=1 does the same)")
    citation = sub.add_parser("citation", help="write CITATION.cff and .zenodo.json from mkdocs.yml's edition block")
    citation.add_argument("root", nargs="?", default=".", type=Path, help="project folder holding mkdocs.yml")
    sub.add_parser("config-reference", help="print the reference of the edition's configuration keys (Markdown)")
    new = sub.add_parser("new-edition", help="create a new edition's repository from the example edition")
    new.add_argument("dest", type=Path, help="the new edition's folder (must not exist, or be empty)")
    new.add_argument("--generator", default=None, help="the requirement line that installs the generator (default: this copy)")
    rel = sub.add_parser("release", help="publish this commit as a version with mike into the local gh-pages branch")
    rel.add_argument("version", help="the version, e.g. 1.0")
    rel.add_argument("root", nargs="?", default=".", type=Path, help="project folder holding mkdocs.yml")
    arc = sub.add_parser("archive", help="the built site as a WACZ web archive (archive/SLUG.wacz), checked with wacz validate")
    arc.add_argument("root", nargs="?", default=".", type=Path, help="project folder holding mkdocs.yml")
    arc.add_argument("--site", type=Path, default=None, help="the built site (default: ROOT/site)")
    arc.add_argument("--output", "-o", type=Path, default=None, help="the .wacz to write (default: ROOT/archive/SLUG.wacz)")
    args = parser.parse_args(argv)
    if args.command == "archive":
        from .webarchive import archive

        return archive(args.root, args.site, args.output)
    if args.command == "release":
        from .release import release

        return release(args.root, args.version)
    if args.command == "citation":
        return _write_citation(args.root)
    if args.command == "config-reference":
        from .config import reference_markdown

        print(reference_markdown(), end="")
        return 0
    if args.command == "new-edition":
        from .newedition import create

        return create(args.dest, args.generator)
    problems, skipped = root_cause_first(run_check(args.root))
    for problem in grouped(problems, None if args.all or list_all_from_env() else GROUP_AFTER):
        print(("" if problem.severity == "error" else "warning: ") + str(problem))
    if skipped:
        print(skipped_note(skipped))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def _write_citation(root: Path) -> int:
    from .cff import CFF_FILE
    from .checks import load_settings
    from .zenodo import ZENODO_FILE, citation_files

    settings = load_settings(root)
    edition = settings.edition
    config_problems = [p for p in settings.problems if p.code.startswith("config.")]
    if edition is None or config_problems:
        for problem in config_problems or [Problem("mkdocs.yml", 1, 1, "no extra.edition block to write CITATION.cff from; add one", "config.missing")]:
            print(problem)
        return 1
    data = settings.source.data
    for name, text in citation_files(edition, str(data.get("site_url") or ""), str(data.get("repo_url") or "")).items():
        (root / name).write_text(text, encoding="utf-8")
    print(f"wrote {CFF_FILE} and {ZENODO_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
