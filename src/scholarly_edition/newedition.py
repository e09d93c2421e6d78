"""``python -m scholarly_edition new-edition DEST``: a new edition's repository, from the example edition.

DEST gets the example edition (its essay, a few example .bib entries marked as examples, glossary terms, one
editorial note, one context page), its README with the two commands, its Makefile and CI, the generator's tests
wired to run against it, a CITATION.cff and a .zenodo.json written from its mkdocs.yml, and a requirements.txt
that pins the generator in one line. Nothing is written when DEST exists and is not empty.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parent / "example"


def generator_requirement() -> str:
    """How DEST installs this generator: from the repository it was made from (a local checkout here; change
    the line to a git URL with a tag, e.g. scholarly-edition @ git+https://.../repo@v0.2.0, to publish)."""
    home = Path(__file__).resolve().parent.parent.parent
    if (home / "pyproject.toml").is_file():
        return f"scholarly-edition @ {home.as_uri()}"
    from . import __version__

    return f"scholarly-edition=={__version__}"


def create(dest: Path, generator: str | None = None) -> int:
    """Write the new edition; ``generator`` is the requirement line that installs the generator (e.g.
    ``scholarly-edition @ git+https://github.com/OWNER/REPO@v0.2.0``), by default this copy's checkout."""
    dest = dest.resolve()
    if dest.exists() and any(dest.iterdir()):
        print(f"{dest}: exists and is not empty; choose a new folder (nothing was written)", file=sys.stderr)
        return 1
    shutil.copytree(EXAMPLE, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    requirements = dest / "requirements.txt"
    requirements.write_text(requirements.read_text(encoding="utf-8").replace("{generator}", generator or generator_requirement()),
                            encoding="utf-8")
    from .checks import load_settings
    from .zenodo import citation_files

    settings = load_settings(dest)
    data = settings.source.data
    for name, text in citation_files(settings.edition, str(data.get("site_url") or ""), str(data.get("repo_url") or "")).items():
        (dest / name).write_text(text, encoding="utf-8")
    print(f"new edition in {dest}\n  cd {dest}\n  make serve   # set up and serve the site\n  make test    # set up, build and test it")
    return 0
