""".zenodo.json, from the edition's record: the metadata Zenodo gives a GitHub release's archive (and its DOI).

Zenodo's GitHub integration reads ``.zenodo.json`` at the repository's root when a release is published, and
prefers it to CITATION.cff; both are written from the same block of mkdocs.yml by ``make citation`` and say the
same (title, version, licence, date, the editors), and every build puts a copy beside the PDF in
``site/downloads/``. The fields are those of Zenodo's deposit metadata (its legacy JSON schema, which the tests
validate against):

- creators: the edition's editors, as CITATION.cff's authors; ``Family, Given`` for a person.
- contributors: the editors again as ``Editor`` (their role) and the essay's authors as ``Other`` (DataCite has no
  author role for a contributor; the description and ``related_identifiers`` name the essay they wrote).
- upload_type ``publication``, publication_type ``other``: an edition is a publication but neither an article of a
  journal nor a book.
- license: the SPDX identifier of the edition's own material (``licence_id``), which Zenodo accepts as written.
- publication_date: the edition's date when it names a day (Zenodo wants a day; otherwise the release's date).
- related_identifiers: the online edition (``isVariantFormOf``: the same edition as a website) and the essay's
  record (``isDerivedFrom``).
- version: when the record has one; otherwise Zenodo takes the release's tag.
Zenodo's ``language`` wants an ISO 639-3 code ("eng") and the record holds a BCP 47 tag ("en"): left out rather
than guessed. Zenodo's GitHub integration reads this file first (CITATION.cff only when there is none), then
fills what is missing from the release (its date, its tag as the version).
"""

from __future__ import annotations

import json
from pathlib import Path

from .config import EditionConfig, Name
from .cff import CFF_FILE, citation_cff, generated_file_problems
from .diagnostics import Problem

ZENODO_FILE = ".zenodo.json"


def _name(name: Name) -> str:
    return name.literal or ", ".join(filter(None, [name.family, name.given]))


def zenodo_metadata(edition: EditionConfig, site_url: str) -> dict:
    essay = edition.essay
    authors = " and ".join(n.text() for n in essay.authors)
    description = (f"<p>{_escape(edition.description)}</p>"
                   f"<p>{_escape(edition.statement)}, of “{_escape(essay.title)}” by {_escape(authors)} "
                   f"(first published {essay.published.text()}).</p>")
    data: dict = {
        "title": edition.title,
        "upload_type": "publication",
        "publication_type": "other",
        "description": description,
        "creators": [{"name": _name(n)} for n in edition.editors],
        "contributors": [{"name": _name(n), "type": "Editor"} for n in edition.editors]
                        + [{"name": _name(n), "type": "Other", **({"affiliation": essay.affiliation} if essay.affiliation and not n.literal else {})}
                           for n in essay.authors],
        "access_right": "open",
    }
    if edition.licence_id:
        data["license"] = edition.licence_id
    if edition.version:
        data["version"] = edition.version
    if edition.date and edition.date.day:
        data["publication_date"] = edition.date.iso()
    if edition.keywords:
        data["keywords"] = list(edition.keywords)
    related = []
    if site_url:
        related.append({"identifier": site_url.rstrip("/") + "/", "relation": "isVariantFormOf", "scheme": "url"})
    if essay.record_url:
        related.append({"identifier": essay.record_url, "relation": "isDerivedFrom", "scheme": "url"})
    if related:
        data["related_identifiers"] = related
    if edition.licence:
        data["notes"] = " ".join(edition.licence)
    return data


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def zenodo_json(edition: EditionConfig, site_url: str) -> str:
    return json.dumps(zenodo_metadata(edition, site_url), ensure_ascii=False, indent=2) + "\n"


def zenodo_problems(root: Path, edition: EditionConfig, site_url: str) -> list[Problem]:
    """A .zenodo.json that no longer says what mkdocs.yml says: a warning, as for CITATION.cff."""
    return generated_file_problems(root, ZENODO_FILE, zenodo_json(edition, site_url), "citation.zenodo_stale")


def citation_files(edition: EditionConfig, site_url: str, repo_url: str) -> dict[str, str]:
    """What `make citation` writes at the repository's root (and the books' export into downloads/), by name."""
    return {CFF_FILE: citation_cff(edition, site_url, repo_url), ZENODO_FILE: zenodo_json(edition, site_url)}
