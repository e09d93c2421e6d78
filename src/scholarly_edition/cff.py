"""CITATION.cff, generated from the edition's block: GitHub's "Cite this repository" and Zenodo read it.

The file cites the edition (its editors as authors); its preferred citation is the essay's publication of record.
``make citation`` writes it; the gate warns of a CITATION.cff that no longer says what mkdocs.yml says (a warning:
changing mkdocs.yml alone still builds), and the generator's tests fail on it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .config import EditionConfig, Name
from .diagnostics import Problem
from .scholarly import note

CFF_FILE = "CITATION.cff"


def _person(name: Name) -> dict:
    if name.literal:
        return {"name": name.literal}
    return {"family-names": name.family, **({"given-names": name.given} if name.given else {})}


def citation_cff(edition: EditionConfig, site_url: str, repo_url: str) -> str:
    essay = edition.essay
    data: dict = {
        "cff-version": "1.2.0",
        "message": "To cite the essay, use its preferred citation below; to cite this edition, cite it as its "
                   "\"About this edition\" page shows (both are made from the same record in mkdocs.yml).",
        "type": "dataset",
        "title": edition.title,
        "abstract": edition.description,
        "authors": [_person(n) for n in edition.editors],
    }
    if edition.version:
        data["version"] = edition.version
    if edition.date and edition.date.day:
        data["date-released"] = edition.date.iso()
    if site_url:
        data["url"] = site_url
    if repo_url:
        data["repository-code"] = repo_url
    if edition.licence_id:
        data["license"] = edition.licence_id
    if edition.keywords:
        data["keywords"] = list(edition.keywords)
    cited: dict = {"type": "generic", "title": essay.title}
    authors = []
    for name in essay.authors:
        person = _person(name)
        if essay.affiliation and not name.literal:
            person["affiliation"] = essay.affiliation
        authors.append(person)
    cited["authors"] = authors
    if essay.published.day:
        cited["date-published"] = essay.published.iso()
    cited["year"] = essay.published.year
    if essay.published.month:
        cited["month"] = essay.published.month
    if note(edition):
        cited["notes"] = note(edition)
    if essay.record_id:
        cited["identifiers"] = [{"type": "other", "value": essay.record_id, "description": f"Record identifier: {essay.record_label}"}]
    if essay.record_url:
        cited["url"] = essay.record_url
    data["preferred-citation"] = cited
    header = "# Generated from mkdocs.yml (extra.edition) by `make citation`; edit mkdocs.yml, not this file.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def cff_problems(root: Path, edition: EditionConfig, site_url: str, repo_url: str) -> list[Problem]:
    return generated_file_problems(root, CFF_FILE, citation_cff(edition, site_url, repo_url), "citation.cff_stale")


def generated_file_problems(root: Path, name: str, expected: str, code: str) -> list[Problem]:
    """A file `make citation` writes from mkdocs.yml (CITATION.cff, .zenodo.json) that is missing or no longer says
    what mkdocs.yml says: a warning at its first differing line; one that cannot be read: an error."""
    try:
        written = (root / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [Problem(name, 1, 1, f"{name} is missing; run make citation to write it from mkdocs.yml", code, "warning")]
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(name, 1, 1, f"cannot read {name} ({exc.__class__.__name__}); run make citation to write it again", code)]
    if written == expected:
        return []
    old, new = written.splitlines(), expected.splitlines()
    line = next((i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)) + 1)
    return [Problem(name, line, 1, f"{name} no longer says what mkdocs.yml's edition block says; run make citation "
                    "to write it again (edit mkdocs.yml, not this file)", code, "warning")]
