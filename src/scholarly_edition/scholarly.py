"""Scholarly metadata and citation formats for the essay, all made from one record (``extra.edition.essay``).

Highwire Press ``citation_*`` tags (Google Scholar, Zotero), Dublin Core, Open Graph and schema.org JSON-LD in
the page head; BibTeX, RIS and CSL-JSON downloads; the formatted citation comes from Pandoc with the site's CSL
style. Nothing here is typed twice: every format is generated from the same record.
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .bibdata import BibEntry, plain
from .config import EditionConfig, Name


def _meta(name: str, content: str, attr: str = "name") -> str:
    return f'<meta {attr}="{html.escape(name)}" content="{html.escape(content)}">'


_TEX = [("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("\\$", "$"), ("\\&", "&"),
        ("\\%", "%"), ("\\#", "#"), ("\\_", "_"), ("~", " ")]


def tex_text(value: str) -> str:
    """A BibTeX field as a reader sees it: TeX dashes, quotes and escapes made characters, emphasis and braces dropped."""
    value = re.sub(r"\\(?:emph|textit|textbf|textsc|textup|mkbibquote)\s*\{", "{", value)
    for tex, char in _TEX:
        value = value.replace(tex, char)
    return plain(value)


def _dashes(value: str) -> str:
    """Number ranges with an en dash (Pandoc's CSL JSON writes '113-144')."""
    return re.sub(r"(?<=\w)\s*-{1,2}\s*(?=\w)", "\u2013", value)


def csl_names(item: dict, role: str = "author") -> list[dict]:
    """Names as Pandoc read them: a corporate author ({{United Nations, ...}}) stays one literal name."""
    return [name for name in item.get(role) or [] if name.get("literal") or name.get("family")]


def name_text(name: dict, inverted: bool = True) -> str:
    if name.get("literal"):
        return name["literal"]
    family = " ".join(filter(None, [name.get("non-dropping-particle"), name.get("family")]))
    given = name.get("given", "")
    if not given:
        return family
    return f"{family}, {given}" if inverted else f"{given} {family}"


def _year(item: dict) -> str:
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    return str(parts[0][0]) if parts and parts[0] else ""


def _reference(entry: BibEntry) -> str:
    """Google Scholar's convention for one cited work: 'citation_title=...; citation_author=...; ...'.

    Names, dates, pages and containers come from Pandoc's reading of the entry (``entry.csl``), the reading the
    citations are formatted from; the title is the field as written (Pandoc sentence-cases English titles), with
    its TeX made plain.
    """
    item = entry.csl or {}
    title = tex_text(entry.fields["title"]) if entry.fields.get("title") else item.get("title", "")
    parts = [f"citation_title={title}"]
    parts += [f"citation_author={name_text(name)}" for name in csl_names(item)]
    if _year(item):
        parts.append(f"citation_publication_date={_year(item)}")
    kind = item.get("type", "")
    if kind.startswith("article") and item.get("container-title"):
        parts.append(f"citation_journal_title={item['container-title']}")
    elif item.get("container-title"):
        parts.append(f"citation_inbook_title={item['container-title']}")
    for field, tag in (("volume", "citation_volume"), ("issue", "citation_issue"), ("DOI", "citation_doi"),
                       ("publisher", "citation_publisher"), ("URL", "citation_public_url")):
        if item.get(field):
            parts.append(f"{tag}={item[field]}")
    if item.get("number"):
        parts.append(f"{'citation_technical_report_number' if kind == 'report' else 'citation_issue'}={item['number']}")
    if item.get("page"):
        first, _, last = _dashes(str(item["page"])).partition("\u2013")
        parts.append(f"citation_firstpage={first}")
        if last:
            parts.append(f"citation_lastpage={last}")
    return "; ".join(p.replace(";", ",") if i else p for i, p in enumerate(parts))


def head_tags(record: EditionConfig, page_url: str, pdf_url: str, description: str, cited: list[BibEntry], licence_url: str) -> str:
    """Everything an indexer reads from the essay page's head; the page is the essay as a chapter of the edition
    (:func:`edition_item`), so the tags name the edition and its editors as the Cite box does."""
    essay = record.essay
    item = edition_item(record, page_url)
    tags = [
        _meta("citation_title", essay.title),
        *[_meta("citation_author", name.inverted()) for name in essay.authors],
        *([_meta("citation_author_institution", essay.affiliation)] if essay.affiliation else []),
        _meta("citation_inbook_title", item["container-title"]),
        *[_meta("citation_editor", name.inverted()) for name in record.editors],
        _meta("citation_publication_date", essay.published.slashed()),
        _meta("citation_language", record.language),
        _meta("citation_public_url", page_url),
        _meta("citation_pdf_url", pdf_url),
        *[_meta("citation_reference", _reference(entry)) for entry in cited],
        _meta("DC.title", essay.title),
        *[_meta("DC.creator", name.inverted()) for name in essay.authors],
        _meta("DC.date", essay.published.iso()),
        _meta("DC.language", record.language),
        _meta("DC.type", "Text"),
        *([_meta("DC.rights", essay.rights_statement)] if essay.rights_statement else []),
        _meta("og:type", "article", "property"),
        _meta("og:title", essay.title, "property"),
        _meta("og:description", description, "property"),
        _meta("og:url", page_url, "property"),
        _meta("og:site_name", record.title, "property"),
        _meta("og:locale", _og_locale(record.language), "property"),
        *[_meta("article:author", name.text(), "property") for name in essay.authors],
        _meta("article:published_time", essay.published.iso(), "property"),
    ]
    data = json_ld(record, page_url, pdf_url, description, cited, licence_url)
    # JSON-LD is a data block, not a script the browser runs, so the CSP needs no hash for it.
    payload = json.dumps(data, ensure_ascii=False, indent=None).replace("</", "<\\/")
    tags.append(f'<script type="application/ld+json">{payload}</script>')
    return "\n".join(tags)


def _og_locale(language: str) -> str:
    """Open Graph's locale (language_TERRITORY) from the edition's BCP 47 tag; English is written en_GB."""
    parts = language.replace("-", "_").split("_")
    if len(parts) > 1:
        return f"{parts[0].lower()}_{parts[1].upper()}"
    return {"en": "en_GB"}.get(parts[0].lower(), f"{parts[0].lower()}_{parts[0].upper()}")


def _person(name: Name, **extra) -> dict:
    if name.literal:
        return {"@type": "Organization", "name": name.literal, **extra}
    return {"@type": "Person", "name": name.text(), "familyName": name.family, **({"givenName": name.given} if name.given else {}), **extra}


def json_ld(record: EditionConfig, page_url: str, pdf_url: str, description: str, cited: list[BibEntry], licence_url: str) -> dict:
    essay = record.essay
    citations = []
    for entry in cited:
        item = entry.csl or {}
        work = {"@type": "CreativeWork", "name": tex_text(entry.fields["title"]) if entry.fields.get("title") else item.get("title", "")}
        authors = csl_names(item)
        if authors:
            work["author"] = [{"@type": "Organization", "name": a["literal"]} if a.get("literal")
                              else {"@type": "Person", "name": name_text(a, inverted=False)} for a in authors]
        if _year(item):
            work["datePublished"] = _year(item)
        if item.get("DOI"):
            work["sameAs"] = f"https://doi.org/{item['DOI']}"
        elif item.get("URL"):
            work["url"] = item["URL"]
        citations.append(work)
    affiliation = {"affiliation": {"@type": "Organization", "name": essay.affiliation}} if essay.affiliation else {}
    authors = [_person(name, **({} if name.literal else affiliation)) for name in essay.authors]
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": essay.title,
        "name": essay.title,
        "description": description,
        "inLanguage": record.language,
        "url": page_url,
        "datePublished": essay.published.iso(),
        "author": authors[0] if len(authors) == 1 else authors,
    }
    if essay.record_url:
        data["sameAs"] = essay.record_url  # the stable record of the essay
    if essay.record_id:
        data["identifier"] = essay.record_id
    data["isPartOf"] = {"@type": "WebSite", "name": record.title, "editor": [{"name": n.text()} for n in record.editors]}
    if record.version:
        data["isPartOf"]["version"] = record.version
    data["encoding"] = {"@type": "MediaObject", "contentUrl": pdf_url, "encodingFormat": "application/pdf"}
    if essay.copyright_year:
        holders = [{"@type": "Organization" if name.literal else "Person", "name": name.text()} for name in essay.copyright_holders]
        data["copyrightHolder"] = holders[0] if len(holders) == 1 else holders
        data["copyrightYear"] = essay.copyright_year
    data["license"] = licence_url
    data["citation"] = citations
    return data


# ---------------------------------------------------------------------------------------- one record, every form

@dataclass(frozen=True)
class Citations:
    """The citations every form shows (Cite box, about page, PDF title page), as HTML in the site's CSL style."""

    essay: str  # the essay's publication of record (its .bib entry: the research portal)
    edition: str  # the essay in this edition, naming the edition's editors
    url: str  # the essay page in the edition
    latest: str = ""  # in a released version: the essay page of the latest version

    def paragraph(self, n: int | str) -> str:
        """The edition's citation of one paragraph: '..., para. N.' and the paragraph's own address (#p-N)."""
        link = re.search(r"[.,]?\s*<a href=\"" + re.escape(html.escape(self.url)) + r"\">[^<]*</a>\.?\s*$", self.edition)
        here = f"{self.url}#p-{n}"
        anchor = f'<a href="{html.escape(here)}">{html.escape(here)}</a>'
        body = self.edition[:link.start()] if link else re.sub(r"[.,]?\s*$", "", self.edition)
        return f"{body}, para. {n}. {anchor}."


def citations(record: EditionConfig, page_url: str, csl_file: str, essay_item: dict | None, latest: str = "") -> Citations:
    """The one source of every citation of the essay: its .bib entry (as Pandoc read it) and the edition's record
    (:func:`edition_item`, also the CSL JSON download), each formatted by Pandoc with the site's CSL style."""
    essay = _format(dict(essay_item, id="essay"), csl_file) if essay_item else ""
    return Citations(essay=essay, edition=_format(edition_item(record, page_url), csl_file), url=page_url, latest=latest)


def text_of(fragment: str) -> str:
    """Plain text of a citation's HTML (what Copy puts on the clipboard)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def edition_item(record: EditionConfig, page_url: str) -> dict:
    """The essay as a chapter of this edition, in CSL JSON: the record the box, the files and the PDF cite. With
    an edition date, the edition is dated by it and the essay's own date is the original date."""
    essay = record.essay
    item = {
        "id": edition_key(record),
        "type": "chapter",
        "title": essay.title,
        "author": [name.csl() for name in essay.authors],
        "editor": [name.csl() for name in record.editors],
        "container-title": record.title,
        "medium": record.versioned_statement,
        "issued": {"date-parts": [(record.date or essay.published).parts()]},
        "URL": page_url,
        "language": record.language,
    }
    if record.date:
        item["original-date"] = {"date-parts": [essay.published.parts()]}
    if record.version:
        item["version"] = record.version
    return item


def edition_key(record: EditionConfig) -> str:
    first = record.essay.authors[0]
    family = re.sub(r"[^a-z0-9]", "", (first.family or first.literal).lower()) or "essay"
    return f"{family}{(record.date or record.essay.published).year}edition"


def _format(item: dict, csl_file: str) -> str:
    """One CSL JSON item as its bibliography entry in the style (HTML), one Pandoc run; the same item in the same
    style (file and its contents) is formatted once per process, so `mkdocs serve` does not run Pandoc again for
    it on every rebuild."""
    style = Path(csl_file)
    return _format_once(json.dumps([item], ensure_ascii=False, sort_keys=True), csl_file,
                        style.read_bytes() if style.is_file() else b"")


@functools.lru_cache(maxsize=64)
def _format_once(items_json: str, csl_file: str, style: bytes) -> str:
    import tempfile

    import pypandoc

    item = json.loads(items_json)[0]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp, "record.json")
        data.write_text(items_json, encoding="utf-8")
        out = pypandoc.convert_text(f"---\nnocite: '@{item['id']}'\n---\n", "html", format="markdown",
                                    extra_args=["--citeproc", "--bibliography", str(data), "--csl", csl_file])
    found = re.search(r'<div id="ref-[^"]+" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', out, re.S)
    return " ".join(found.group(1).split()) if found else ""


# ---------------------------------------------------------------------------------------- downloadable files

def csl_json(record: EditionConfig, page_url: str) -> list[dict]:
    return [edition_item(record, page_url)]


def _bib_name(name: Name) -> str:
    return f"{{{name.literal}}}" if name.literal else ", ".join(filter(None, [name.family, name.given]))


def bibtex(record: EditionConfig, page_url: str) -> str:
    essay = record.essay
    item = edition_item(record, page_url)
    fields = [
        ("author", " and ".join(_bib_name(n) for n in essay.authors)),
        ("title", _protect(essay.title)),
        ("booktitle", _protect(record.title)),
        ("editor", " and ".join(_bib_name(n) for n in record.editors)),
        ("year", str((record.date or essay.published).year)),  # BibTeX's styles need it; biblatex reads date
        ("date", (record.date or essay.published).iso()),
        *([("origdate", essay.published.iso())] if record.date else []),
        *([("version", record.version)] if record.version else []),
        ("howpublished", record.versioned_statement),
        *([("note", _protect(note(record)))] if note(record) else []),
        ("url", page_url),
        ("langid", _LANGID.get(record.language.split("-")[0].lower(), record.language)),
    ]
    body = ",\n".join(f"  {name:<12} = {{{value}}}" for name, value in fields)
    return f"@incollection{{{item['id']},\n{body}\n}}\n"


_LANGID = {"en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian", "pt": "portuguese", "nl": "dutch"}


def ris(record: EditionConfig, page_url: str) -> str:
    import rispy

    class Writer(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""  # rispy numbers records ('1.') before TY by default; RIS readers expect TY first

    essay = record.essay
    dated = record.date or essay.published
    entry = {
        "type_of_reference": "CHAP",
        "authors": [n.inverted() for n in essay.authors],
        "secondary_authors": [n.inverted() for n in record.editors],  # A2: the editors of the book
        "title": essay.title,
        "secondary_title": record.title,
        "year": str(dated.year),
        "date": dated.slashed(),
        "type_of_work": record.versioned_statement,
        "urls": [page_url],
        "language": record.language,
    }
    if note(record):
        entry["notes"] = [note(record)]
    return rispy.dumps([entry], implementation=Writer)


def note(record: EditionConfig) -> str:
    """The citation's note, from the record alone: the essay's occasion and its stable record."""
    essay = record.essay
    parts = []
    if essay.occasion:
        parts.append(essay.occasion)
    if essay.record_url:
        parts.append(f"Stable record: {essay.record_label}, " + ", ".join(filter(None, [essay.record_id, essay.record_url])))
    return ". ".join(parts)


def _protect(text: str) -> str:
    """Brace acronyms and capitalised words so styles keep them (our own check asks the same of bib/)."""
    return re.sub(r"\b([A-Z][\w’'-]*)", r"{\1}", text)
