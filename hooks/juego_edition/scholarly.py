"""Scholarly metadata and citation formats for the essay, all made from one record (``extra.edition.essay``).

Highwire Press ``citation_*`` tags (Google Scholar, Zotero), Dublin Core, Open Graph and schema.org JSON-LD in
the page head; BibTeX, RIS and CSL-JSON downloads; the formatted citation comes from Pandoc with the site's CSL
style. Nothing here is typed twice: every format is generated from the same record.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

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


def head_tags(record: EssayRecord, page_url: str, pdf_url: str, description: str, cited: list[BibEntry], licence_url: str,
              editors: list[str] = ()) -> str:
    """Everything an indexer reads from the essay page's head; the page is the essay as a chapter of the edition
    (:func:`edition_item`), so the tags name the edition and its editors as the Cite box does."""
    item = edition_item(record, page_url, list(editors))
    tags = [
        _meta("citation_title", record.title),
        _meta("citation_author", f"{record.family}, {record.given}"),
        _meta("citation_author_institution", record.affiliation),
        _meta("citation_inbook_title", item["container-title"]),
        *[_meta("citation_editor", name["literal"]) for name in item["editor"]],
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
    data = json_ld(record, page_url, pdf_url, description, cited, licence_url, editors)
    # JSON-LD is a data block, not a script the browser runs, so the CSP needs no hash for it.
    payload = json.dumps(data, ensure_ascii=False, indent=None).replace("</", "<\\/")
    tags.append(f'<script type="application/ld+json">{payload}</script>')
    return "\n".join(tags)


def json_ld(record: EssayRecord, page_url: str, pdf_url: str, description: str, cited: list[BibEntry], licence_url: str,
            editors: list[str] = ()) -> dict:
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
        "isPartOf": {"@type": "WebSite", "name": record.edition_title,
                     "editor": [{"name": e["literal"]} for e in edition_item(record, page_url, list(editors))["editor"]]},
        "encoding": {"@type": "MediaObject", "contentUrl": pdf_url, "encodingFormat": "application/pdf"},
        "copyrightHolder": {"@type": "Person", "name": record.author},
        "copyrightYear": record.published.year,
        "license": licence_url,
        "citation": citations,
    }


# ---------------------------------------------------------------------------------------- the edition's editors

UNNAMED_EDITORS = "the contributors to the edition's repository"


def editors_from_git(root: Path, git: str = "git") -> tuple[list[str], str]:
    """The edition's editors: the authors of the repository's commits, in the order of their first commit.

    Names are git's (``%aN``, so a ``.mailmap`` can merge or correct them); bots are left out. Returns the names
    and, when none can be given, why: no git, no repository, or a shallow clone whose history would name only
    the last few authors. The citations then name :data:`UNNAMED_EDITORS` instead of a wrong, short list.
    """
    import subprocess

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([git, "-C", str(root), *args], capture_output=True, text=True, timeout=30)

    try:
        shallow = run("rev-parse", "--is-shallow-repository")
        if shallow.returncode != 0:
            return [], f"{root} is not a git repository"
        if shallow.stdout.strip() == "true":
            return [], "the git history is shallow (fetch it whole, e.g. actions/checkout with fetch-depth: 0)"
        log = run("log", "--reverse", "--format=%aN")
    except (OSError, subprocess.SubprocessError) as exc:
        return [], f"git could not be run ({exc.__class__.__name__})"
    if log.returncode != 0:
        return [], "the repository has no commits yet"
    names = [n.strip() for n in log.stdout.splitlines() if n.strip() and not n.strip().endswith("[bot]")]
    names = list(dict.fromkeys(names))
    return names, "" if names else "no commit names an author"


# ---------------------------------------------------------------------------------------- one record, every form

@dataclass(frozen=True)
class Citations:
    """The citations every form shows (Cite box, about page, PDF title page), as HTML in the site's CSL style."""

    essay: str  # the essay's publication of record (its .bib entry: the research portal)
    edition: str  # the essay in this edition, naming the edition's editors
    url: str  # the essay page in the edition

    def paragraph(self, n: int | str) -> str:
        """The edition's citation of one paragraph: '..., para. N.' and the paragraph's own address (#p-N)."""
        link = re.search(r"[.,]?\s*<a href=\"" + re.escape(html.escape(self.url)) + r"\">[^<]*</a>\.?\s*$", self.edition)
        here = f"{self.url}#p-{n}"
        anchor = f'<a href="{html.escape(here)}">{html.escape(here)}</a>'
        body = self.edition[:link.start()] if link else re.sub(r"[.,]?\s*$", "", self.edition)
        return f"{body}, para. {n}. {anchor}."


def citations(record: EssayRecord, page_url: str, csl_file: str, editors: list[str], essay_item: dict | None) -> Citations:
    """The one source of every citation of the essay: its .bib entry (as Pandoc read it) and the edition's record
    (:func:`edition_item`, also the CSL JSON download), each formatted by Pandoc with the site's CSL style."""
    essay = _format(dict(essay_item, id="essay"), csl_file) if essay_item else ""
    return Citations(essay=essay, edition=_format(edition_item(record, page_url, editors), csl_file), url=page_url)


def text_of(fragment: str) -> str:
    """Plain text of a citation's HTML (what Copy puts on the clipboard)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def edition_item(record: EssayRecord, page_url: str, editors: list[str]) -> dict:
    """The essay as a chapter of this edition, in CSL JSON: the record the box, the files and the PDF cite."""
    return {
        "id": edition_key(record),
        "type": "chapter",
        "title": record.title,
        "author": [{"family": record.family, "given": record.given}],
        "editor": [{"literal": name} for name in editors or [UNNAMED_EDITORS]],
        "container-title": record.edition_title,
        "medium": record.edition_note,
        "issued": {"date-parts": [[record.published.year, record.published.month, record.published.day]]},
        "URL": page_url,
        "language": record.language,
    }


def edition_key(record: EssayRecord) -> str:
    return f"{record.family.lower()}{record.published.year}edition"


def _format(item: dict, csl_file: str) -> str:
    """One CSL JSON item as its bibliography entry in the style (HTML), one Pandoc run."""
    import tempfile

    import pypandoc

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp, "record.json")
        data.write_text(json.dumps([item], ensure_ascii=False), encoding="utf-8")
        out = pypandoc.convert_text(f"---\nnocite: '@{item['id']}'\n---\n", "html", format="markdown",
                                    extra_args=["--citeproc", "--bibliography", str(data), "--csl", csl_file])
    found = re.search(r'<div id="ref-[^"]+" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', out, re.S)
    return " ".join(found.group(1).split()) if found else ""


# ---------------------------------------------------------------------------------------- downloadable files

def csl_json(record: EssayRecord, page_url: str, editors: list[str]) -> list[dict]:
    return [edition_item(record, page_url, editors)]


def bibtex(record: EssayRecord, page_url: str, editors: list[str]) -> str:
    item = edition_item(record, page_url, editors)
    names = " and ".join(f"{{{e['literal']}}}" for e in item["editor"])  # braced: taken whole, as git writes them
    return (
        f"@incollection{{{item['id']},\n"
        f"  author       = {{{record.family}, {record.given}}},\n"
        f"  title        = {{{_protect(record.title)}}},\n"
        f"  booktitle    = {{{_protect(record.edition_title)}}},\n"
        f"  editor       = {{{names}}},\n"
        f"  date         = {{{record.published.isoformat()}}},\n"
        f"  howpublished = {{{record.edition_note}}},\n"
        f"  note         = {{{_protect(occasion(record))}}},\n"
        f"  url          = {{{page_url}}},\n"
        f"  langid       = {{english}}\n"
        "}\n"
    )


def ris(record: EssayRecord, page_url: str, editors: list[str]) -> str:
    import rispy

    class Writer(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""  # rispy numbers records ('1.') before TY by default; RIS readers expect TY first

    item = edition_item(record, page_url, editors)
    entry = {
        "type_of_reference": "CHAP",
        "authors": [f"{record.family}, {record.given}"],
        "secondary_authors": [e["literal"] for e in item["editor"]],  # A2: the editors of the book
        "title": record.title,
        "secondary_title": record.edition_title,
        "year": str(record.published.year),
        "date": record.published.strftime("%Y/%m/%d"),
        "type_of_work": record.edition_note,
        "notes": [occasion(record)],
        "urls": [page_url],
        "language": record.language,
    }
    return rispy.dumps([entry], implementation=Writer)


def occasion(record: EssayRecord) -> str:
    """What the sources support: the author took part in the forum; the essay's stable record."""
    text = f"By a participant in the {record.conference}, {record.place}"
    if record.record_id:
        text += f". Stable record: Aalborg University research portal (VBN), {record.record_id}, {record.record_url}"
    return text


def _protect(text: str) -> str:
    """Brace acronyms and capitalised words so styles keep them (our own check asks the same of bib/)."""
    return re.sub(r"\b([A-Z][\w’'-]*)", r"{\1}", text)


