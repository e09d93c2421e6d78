"""``python -m juego_edition check [ROOT]``: the reference gate without building the site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .checks import run_check
from .diagnostics import root_cause_first, skipped_note


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m juego_edition", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check citations, the bibliography and the glossary")
    check.add_argument("root", nargs="?", default=".", type=Path, help="project folder holding mkdocs.yml")
    args = parser.parse_args(argv)
    problems, skipped = root_cause_first(run_check(args.root))
    for problem in problems:
        print(("" if problem.severity == "error" else "warning: ") + str(problem))
    if skipped:
        print(skipped_note(skipped))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
