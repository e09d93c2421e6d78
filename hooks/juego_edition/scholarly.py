"""Scholarly metadata and citation formats for the essay, all made from one record (``extra.edition.essay``).

Highwire Press ``citation_*`` tags (Google Scholar, Zotero), Dublin Core, Open Graph and schema.org JSON-LD in
the page head; BibTeX, RIS and CSL-JSON downloads; the formatted citation comes from Pandoc with the site's CSL
style. Nothing here is typed twice: every format is generated from the same record.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass

from .bibdata import BibEntry, plain


@dataclass
class EssayRecord:
    title: str
    family: str
    given: str
    affiliation: str
    published: dt.date
    conference: str  # the forum its author took part in (not a conference the essay was written for)
    conference_start: dt.date
    conference_end: dt.date
    place: str
    record_url: str  # the essay's stable record (Aalborg University research portal)
    record_id: str
    page: str  # docs-relative source of the essay page
    bib_key: str
    edition_title: str  # the site as a container ("... : An Annotated Edition")
    edition_note: str
    language: str = "en"

    @property
    def author(self) -> str:
        return f"{self.given} {self.family}"


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def essay_record(extra: dict) -> EssayRecord:
    edition = extra["edition"]
    essay = edition["essay"]
    conference = essay["forum"]
    record = essay.get("record") or {}
    return EssayRecord(record_url=str(record.get("url", "")), record_id=str(record.get("id", "")),
        title=essay["title"], family=essay["author"]["family"], given=essay["author"]["given"],
        affiliation=essay["affiliation"], published=_date(essay["published"]), conference=conference["name"],
        conference_start=_date(conference["start"]), conference_end=_date(conference["end"]), place=conference["place"],
        page=essay["page"], bib_key=essay["bib_key"], edition_title=edition["site_title"],
        edition_note=edition["edition"], language=edition.get("language", "en"),
    )


def _meta(name: str, content: str, attr: str = "name") -> str:
    return f'<meta {attr}="{html.escape(name)}" content="{html.escape(content)}">'


def _reference(entry: BibEntry) -> str:
    """Google Scholar's convention for one cited work: 'citation_title=...; citation_author=...; ...'."""
    fields = entry.fields
    parts = [f"citation_title={plain(fields.get('title', ''))}"]
    for author in plain(fields.get("author", "")).split(" and "):
        if author:
            parts.append(f"citation_author={author}")
    if fields.get("year"):
        parts.append(f"citation_publication_date={plain(fields['year'])}")
    for field, tag in (("journal", "citation_journal_title"), ("volume", "citation_volume"), ("number", "citation_issue"),
                       ("doi", "citation_doi"), ("publisher", "citation_publisher"), ("url", "citation_public_url")):
        if fields.get(field):
            parts.append(f"{tag}={plain(fields[field])}")
    return "; ".join(p.replace(";", ",") if i else p for i, p in enumerate(parts))


def head_tags(record: EssayRecord, page_url: str, pdf_url: str, description: str, cited: list[BibEntry], licence_url: str) -> str:
    """Everything an indexer reads from the essay page's head."""
    tags = [
        _meta("citation_title", record.title),
        _meta("citation_author", f"{record.family}, {record.given}"),
        _meta("citation_author_institution", record.affiliation),
        _meta("citation_publication_date", record.published.strftime("%Y/%m/%d")),
        _meta("citation_language", record.language),
        _meta("citation_public_url", page_url),
        _meta("citation_pdf_url", pdf_url),
        *[_meta("citation_reference", _reference(entry)) for entry in cited],
        _meta("DC.title", record.title),
        _meta("DC.creator", f"{record.family}, {record.given}"),
        _meta("DC.date", record.published.isoformat()),
        _meta("DC.language", record.language),
        _meta("DC.type", "Text"),
        _meta("DC.rights", f"Copyright {record.published.year} {record.author}"),
        _meta("og:type", "article", "property"),
        _meta("og:title", record.title, "property"),
        _meta("og:description", description, "property"),
        _meta("og:url", page_url, "property"),
        _meta("og:site_name", record.edition_title, "property"),
        _meta("og:locale", "en_GB", "property"),
        _meta("article:author", record.author, "property"),
        _meta("article:published_time", record.published.isoformat(), "property"),
    ]
    data = json_ld(record, page_url, pdf_url, description, cited, licence_url)
    # JSON-LD is a data block, not a script the browser runs, so the CSP needs no hash for it.
    payload = json.dumps(data, ensure_ascii=False, indent=None).replace("</", "<\\/")
    tags.append(f'<script type="application/ld+json">{payload}</script>')
    return "\n".join(tags)


def json_ld(record: EssayRecord, page_url: str, pdf_url: str, description: str, cited: list[BibEntry], licence_url: str) -> dict:
    citations = []
    for entry in cited:
        work = {"@type": "CreativeWork", "name": plain(entry.fields.get("title", ""))}
        authors = [a for a in plain(entry.fields.get("author", "")).split(" and ") if a]
        if authors:
            work["author"] = [{"@type": "Person" if "," in a else "Organization", "name": a} for a in authors]
        if entry.fields.get("year"):
            work["datePublished"] = plain(entry.fields["year"])
        if entry.fields.get("doi"):
            work["sameAs"] = f"https://doi.org/{plain(entry.fields['doi'])}"
        elif entry.fields.get("url"):
            work["url"] = plain(entry.fields["url"])
        citations.append(work)
    return {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": record.title,
        "name": record.title,
        "description": description,
        "inLanguage": record.language,
        "url": page_url,
        "datePublished": record.published.isoformat(),
        "author": {"@type": "Person", "name": record.author, "familyName": record.family, "givenName": record.given,
                   "affiliation": {"@type": "Organization", "name": record.affiliation}},
        "sameAs": record.record_url,  # the stable record of the essay
        "identifier": record.record_id,
        "isPartOf": {"@type": "WebSite", "name": record.edition_title},
        "encoding": {"@type": "MediaObject", "contentUrl": pdf_url, "encodingFormat": "application/pdf"},
        "copyrightHolder": {"@type": "Person", "name": record.author},
        "copyrightYear": record.published.year,
        "license": licence_url,
        "citation": citations,
    }


def bibtex(record: EssayRecord, page_url: str) -> str:
    key = f"{record.family.lower()}{record.published.year}edition"
    return (
        f"@online{{{key},\n"
        f"  author       = {{{record.family}, {record.given}}},\n"
        f"  title        = {{{_protect(record.title)}}},\n"
        f"  date         = {{{record.published.isoformat()}}},\n"
        f"  year         = {{{record.published.year}}},\n"
        f"  organization = {{{_protect(record.edition_title)}}},\n"
        f"  note         = {{{_protect(occasion(record))}. {record.edition_note}}},\n"
        f"  url          = {{{page_url}}},\n"
        f"  langid       = {{english}}\n"
        "}\n"
    )


def occasion(record: EssayRecord) -> str:
    """What the sources support: the author took part in the forum; the essay's stable record."""
    text = f"By a participant in the {record.conference}, {record.place}"
    if record.record_id:
        text += f". Stable record: Aalborg University research portal (VBN), {record.record_id}, {record.record_url}"
    return text


def _protect(text: str) -> str:
    """Brace acronyms and capitalised words so styles keep them (our own check asks the same of bib/)."""
    import re

    return re.sub(r"\b([A-Z][\w’'-]*)", r"{\1}", text)


def csl_json(record: EssayRecord, page_url: str) -> list[dict]:
    return [{
        "id": f"{record.family.lower()}{record.published.year}edition",
        "type": "webpage",
        "title": record.title,
        "author": [{"family": record.family, "given": record.given}],
        "issued": {"date-parts": [[record.published.year, record.published.month, record.published.day]]},
        "container-title": record.edition_title,
        "note": f"{occasion(record)}. {record.edition_note}",
        "URL": page_url,
        "language": record.language,
    }]


def ris(record: EssayRecord, page_url: str) -> str:
    import rispy

    entry = {
        "type_of_reference": "ELEC",
        "authors": [f"{record.family}, {record.given}"],
        "title": record.title,
        "secondary_title": record.edition_title,
        "year": str(record.published.year),
        "date": record.published.strftime("%Y/%m/%d"),
        "notes": [f"{occasion(record)}. {record.edition_note}"],
        "urls": [page_url],
        "language": record.language,
    }
    return rispy.dumps([entry])


def formatted_citation(record: EssayRecord, page_url: str, csl_file: str) -> str:
    """The citation in the site's CSL style, as HTML (one Pandoc run on the CSL-JSON record)."""
    import tempfile
    from pathlib import Path

    import pypandoc

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp, "record.json")
        data.write_text(json.dumps(csl_json(record, page_url)), encoding="utf-8")
        doc = f"---\nnocite: '@{csl_json(record, page_url)[0]['id']}'\n---\n"
        out = pypandoc.convert_text(doc, "html", format="markdown",
                                    extra_args=["--citeproc", "--bibliography", str(data), "--csl", csl_file])
    import re

    found = re.search(r'<div id="ref-[^"]+" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', out, re.S)
    return " ".join(found.group(1).split()) if found else ""
