"""The edition's configuration: one block of mkdocs.yml (``extra.edition``, and the gate's ``extra.checks``), read
once and validated as MkDocs validates its own options: typed keys with defaults, and for a missing, mistyped or
unknown key one line ``mkdocs.yml:LINE:COL: key: what is wrong; what is allowed [code]``, never a traceback.

Every word that belongs to one edition (titles, the essay's record, dates, editors, rights, download names) lives
in this block or in the content; the generator's code, templates and stylesheets hold none.

:data:`EDITION` and :data:`CHECKS` are the schema; the README's configuration reference is generated from them
(``python -m scholarly_edition config-reference``) and a test keeps the two equal.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .diagnostics import Problem, yaml_error_place

CONFIG_FILE = "mkdocs.yml"


# ---------------------------------------------------------------------------------------- the one reader

class _Loader(yaml.SafeLoader):
    """mkdocs.yml as MkDocs reads it: ``!ENV`` resolved from the environment (MkDocs' own tag library,
    pyyaml_env_tag), ``!relative`` and ``!!python/name:`` (used by Markdown extensions' options) kept as text."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    from yaml_env_tag import construct_env_tag

    return construct_env_tag(loader, node)


_Loader.add_constructor("!ENV", _env)
_Loader.add_constructor("!relative", lambda loader, node: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: f"!!python/{suffix}")
_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


@dataclass
class ConfigFile:
    """mkdocs.yml's values and, for each key path, where it is written (line, column; 1-based)."""

    data: dict
    places: dict[tuple, tuple[int, int]]
    path: str = CONFIG_FILE

    def at(self, keys: tuple, fallback: tuple = ()) -> tuple[int, int]:
        """The place of a key; of its nearest written parent when the key itself is missing."""
        while keys:
            if keys in self.places:
                return self.places[keys]
            keys = keys[:-1]
        return self.places.get(fallback, (1, 1))


def read_config(path: Path) -> ConfigFile:
    """Read mkdocs.yml once: values (with ``!ENV`` resolved as MkDocs does) and the place of every key.
    Raises OSError, UnicodeDecodeError or yaml.YAMLError; :func:`unreadable` turns them into one line."""
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        places: dict[tuple, tuple[int, int]] = {}
        if node is not None:
            _walk(node, (), places)
        data = loader.construct_document(node) if node is not None else {}
    finally:
        loader.dispose()
    return ConfigFile(data if isinstance(data, dict) else {}, places, path.name)


def _walk(node: yaml.Node, keys: tuple, places: dict) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                here = (*keys, key_node.value)
                places[here] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                _walk(value_node, here, places)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            places[(*keys, index)] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _walk(item, (*keys, index), places)


def unreadable(exc: Exception, name: str = CONFIG_FILE) -> Problem:
    """mkdocs.yml that cannot be read or parsed, as one line at the place YAML names."""
    mark = getattr(exc, "problem_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if isinstance(exc, yaml.YAMLError):
        line, col, what = yaml_error_place(exc)
        message = f"cannot read {name}: {what}"
    elif isinstance(exc, UnicodeDecodeError):
        message = f"cannot read {name}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
    else:
        message = f"cannot read {name}: {exc.__class__.__name__}: {exc}; check that the file exists and is readable"
    return Problem(name, line, col, message, "config.unreadable", unreadable=True)


# ---------------------------------------------------------------------------------------- values

@dataclass(frozen=True, order=True)
class PartialDate:
    """A date as precise as its source: a year, a year and month, or a day (biblatex and CSL allow all three)."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        return "-".join([f"{self.year:04d}", *(f"{p:02d}" for p in (self.month, self.day) if p)])

    def parts(self) -> list[int]:
        """CSL's date-parts."""
        return [p for p in (self.year, self.month, self.day) if p]

    def slashed(self) -> str:
        """Highwire's citation_publication_date: 2010/11/10, 2010/11 or 2010."""
        return self.iso().replace("-", "/")

    def text(self) -> str:
        """As a reader reads it: '10 November 2010', 'November 2010', '2010'."""
        month = calendar.month_name[self.month] if self.month else ""
        return " ".join(str(p) for p in (self.day, month, self.year) if p)

    @classmethod
    def parse(cls, value: Any) -> "PartialDate":
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
        if not match or isinstance(value, bool):
            raise ValueError
        year, month, day = (int(p) if p else None for p in match.groups())
        if day:
            dt.date(year, month, day)  # raises ValueError for 2010-02-30
        elif month and not 1 <= month <= 12:
            raise ValueError
        return cls(year, month, day)


@dataclass(frozen=True)
class Name:
    """A person (family and given names) or a name taken whole (an organisation, a collective)."""

    family: str = ""
    given: str = ""
    literal: str = ""

    def text(self) -> str:
        return self.literal or " ".join(filter(None, [self.given, self.family]))

    def inverted(self) -> str:
        return self.literal or ", ".join(filter(None, [self.family, self.given]))

    def csl(self) -> dict:
        return {"literal": self.literal} if self.literal else {"family": self.family, "given": self.given}


# ---------------------------------------------------------------------------------------- the schema

class Invalid(ValueError):
    """A value of the wrong kind; the message says what is allowed."""


@dataclass(frozen=True)
class Option:
    """One key: its kind, whether it must be written, its default, what it is for and an example."""

    kind: str  # as the reference shows it
    convert: Callable[[Any], Any]
    help: str
    example: str = ""
    required: bool = False
    default: Any = None


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)) or value is None or isinstance(value, bool):
        raise Invalid("write a text")
    text = " ".join(str(value).split())
    if not text:
        raise Invalid("write a text, not an empty value")
    return text


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise Invalid("write a list of texts, e.g. [a, b]")
    return [_text(v) for v in value]


def _date(value: Any) -> PartialDate:
    try:
        return PartialDate.parse(value)
    except (ValueError, TypeError):
        raise Invalid("write a year (2010), a month (2010-11) or a day (2010-11-10)") from None


def _url(value: Any) -> str:
    text = _text(value)
    if not re.match(r"https?://\S+$", text):
        raise Invalid("write a web address starting with https:// or http://")
    return text


def _slug(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", text):
        raise Invalid("write lower-case letters, digits and hyphens, e.g. my-essay (it names the downloads)")
    return text


def _name(value: Any) -> Name:
    if isinstance(value, str) and value.strip():
        return Name(literal=" ".join(value.split()))
    if isinstance(value, dict):
        unknown = set(value) - {"family", "given", "literal", "name"}
        if unknown:
            raise Invalid(f"a name has 'family' and 'given', or 'name' for a name taken whole; not '{sorted(unknown)[0]}'")
        whole = value.get("literal") or value.get("name")
        if whole:
            return Name(literal=_text(whole))
        if value.get("family"):
            return Name(family=_text(value["family"]), given=_text(value["given"]) if value.get("given") else "")
    raise Invalid("write a name as {family: Woolf, given: Virginia}, or a name taken whole as a text (an organisation)")


def _names(value: Any) -> list[Name]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list) or not value:
        raise Invalid("write a list of names: {family: ..., given: ...} for a person, a text for a name taken whole")
    return [_name(v) for v in value]


def _choice(*allowed: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = str(value).strip()
        for choice in allowed:
            if text.lower() == choice.lower():
                return choice
        raise Invalid("use " + " or ".join(f"'{a}'" for a in allowed))
    return convert


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "on", "1"}:
        return True
    if text in {"false", "no", "off", "0", "none", ""}:
        return False
    raise Invalid("write true or false")


def _positive(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise Invalid("write a whole number above 0, e.g. 500")


def _page(value: Any) -> str:
    text = _text(value)
    if not text.endswith(".md") or text.startswith("/"):
        raise Invalid("write a page's path inside docs/, e.g. essay.md")
    return text


def _pages(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise Invalid("write a list of pages inside docs/, in book order, e.g. [essay.md, about.md]")
    return [_page(v) for v in value]


def _version(value: Any) -> str:
    if isinstance(value, float):  # YAML reads 1.10 as the number 1.1
        raise Invalid(f'quote it, e.g. version: "{value}", so that YAML keeps it as written')
    return _text(value)


ESSAY_RECORD = {
    "url": Option("URL", _url, "The essay's stable record elsewhere (a repository, a journal, an archive).",
                  "https://example.org/record/1234", required=True),
    "label": Option("text", _text, "What that record is, as readers should read it: the link's text and the citation's note.",
                    "University research repository", required=True),
    "id": Option("text", _text, "The record's identifier there, if it has one.", "1234"),
}

ESSAY_COPYRIGHT = {
    "year": Option("year", lambda v: _date(v).year, "The year of the copyright.", "2010", required=True),
    "holder": Option("names", _names, "Who holds it; the essay's authors when left out.", "[{family: Doe, given: Jane}]"),
}

ESSAY = {
    "page": Option("page", _page, "The essay's page inside docs/ (verbatim, checked against the copy-text).", "essay.md", required=True),
    "bib_key": Option("text", _text, "The essay's own entry in bib/ (its publication of record).", "doe1998essay", required=True),
    "title": Option("text", _text, "The essay's title, as published.", "On Examples", required=True),
    "authors": Option("names", _names, "Its authors: {family, given} for a person, a text for an organisation.",
                      "[{family: Doe, given: Jane}]", required=True),
    "published": Option("date", _date, "When it was first published: a year, a month or a day.", "1998-05", required=True),
    "affiliation": Option("text", _text, "The author's affiliation, as the record gives it.", "Department of Examples, Example University"),
    "occasion": Option("text", _text, "What the essay was written for or how it came about, in one line (title page, citation note).",
                       "Read at the Example Society, May 1998"),
    "rights": Option("text", _text, "The essay's rights statement (Dublin Core rights); written out from copyright when left out.",
                     "Public domain"),
    "copyright": ESSAY_COPYRIGHT,
    "record": ESSAY_RECORD,
}

EDITION = {
    "subtitle": Option("text", _text, "A line under the title on the home and title pages.", "With notes and a glossary", default=""),
    "slug": Option("slug", _slug, "Names the downloads: SLUG.pdf, SLUG.epub and the cite files.", "on-examples", required=True),
    "editors": Option("names", _names, "Who edits the edition (a statement of responsibility: declared, never inferred).",
                      "[{family: Roe, given: Richard}, The Example Society]", required=True),
    "statement": Option("text", _text, "The edition statement: which edition this is, as citations print it.",
                        "Annotated online edition, May 2026", required=True),
    "date": Option("date", _date, "The edition's own date; when given, citations of the edition carry it and the essay's date as the original.",
                   "2026-05"),
    "version": Option("text", _version, "The edition's version (citation files, CITATION.cff).", "1.0"),
    "language": Option("text", _text, "The language of the essay and the edition, as a BCP 47 tag.", "en", default="en"),
    "description": Option("text", _text, "One or two sentences on the edition (metadata of the site and the books).",
                          "An annotated edition of ...", required=True),
    "keywords": Option("texts", _texts, "Subject keywords (metadata of the site and the books).", "[examples, essays]", default=[]),
    "licence": Option("texts", _texts, "The licences that apply, one line each (the title page's verso, the EPUB's rights).",
                      "[\"Essay: public domain.\", \"Notes: CC BY 4.0.\"]", default=[]),
    "licence_id": Option("text", _text, "The SPDX identifier of the edition's own licence (CITATION.cff's license).", "CC-BY-4.0"),
    "pages": Option("pages", _pages, "The pages of the PDF and the EPUB, in book order.", "[essay.md, glossary.md, about.md]", required=True),
    "running_head": Option("text", _text, "The PDF's running head; the essay's title when left out.", "On Examples"),
    "export": Option("true or false", _flag, "Make the PDF and the EPUB at the end of each build (false: tests of other parts).",
                     "!ENV [EDITION_EXPORT, true]", default=True),
    "paper": Option("A4 or letter", _choice("A4", "letter"), "The PDF's page size.", "!ENV [PAPER, A4]", default="A4"),
    "repository_branch": Option("text", _text, "The branch that edit links and the contribution guide point at.", "main", default="main"),
    "essay": ESSAY,
}

CHECKS = {
    "unused_entries": Option("error or warning", _choice("error", "warning"), "A .bib entry no page cites.", "error", default="error"),
    "unused_terms": Option("error or warning", _choice("error", "warning"), "A glossary term no page uses.", "error", default="error"),
    "glossary": Option("path", _text, "The glossary file.", "glossary/terms.yml", default="glossary/terms.yml"),
    "glossary_page": Option("page", _page, "The page the glossary is generated on.", "glossary.md", default="glossary.md"),
    "bibliography_page": Option("page", _page, "The page that lists every reference.", "bibliography.md", default="bibliography.md"),
    "copy_text": Option("path", _text, "The essay as received, which its page must match word for word.",
                        "sources/essay-as-received.txt", default="sources/essay-as-received.txt"),
    "acronym_allowlist": Option("texts", _texts, "Acronym-like words that need no glossary entry.", "[PDF, EPUB]", default=[]),
    "proper_nouns": Option("texts", _texts, "Proper nouns the title-case check watches in .bib titles.", "[Europe, Asia]", default=[]),
    "max_image_kb": Option("number", _positive, "The largest image a page may use, in kilobytes.", "500", default=500),
}


def validate(values: Any, schema: dict, keys: tuple, source: ConfigFile, problems: list[Problem]) -> dict:
    """The block's values, converted, with defaults for what is not written; one problem per wrong key."""
    shown = ".".join(str(k) for k in keys)
    if not isinstance(values, dict):
        line, col = source.at(keys)
        problems.append(Problem(source.path, line, col, f"{shown}: write a block of keys (key: value) here", "config.invalid"))
        values = {}
    result: dict = {}
    for name in values:
        if name not in schema:
            line, col = source.at((*keys, name))
            close = difflib.get_close_matches(str(name), list(schema), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed here: " + ", ".join(schema)
            problems.append(Problem(source.path, line, col, f"{shown}.{name}: unknown key; {hint}", "config.unknown"))
    for name, option in schema.items():
        here = (*keys, name)
        if isinstance(option, dict):
            if values.get(name) is None:
                result[name] = None
                continue
            result[name] = validate(values[name], option, here, source, problems)
            continue
        if values.get(name) is None:
            if option.required:
                line, col = source.at(here)
                problems.append(Problem(source.path, line, col, f"{shown}: '{name}' is missing; add it ({option.help[0].lower() + option.help[1:].rstrip('.')}), "
                                        f"e.g. {name}: {option.example}", "config.missing"))
            result[name] = option.default
            continue
        try:
            result[name] = option.convert(values[name])
        except Invalid as exc:
            line, col = source.at(here)
            problems.append(Problem(source.path, line, col, f"{shown}.{name}: '{_shown(values[name])}' is not {_article(option.kind)}; {exc}", "config.invalid"))
            result[name] = option.default
    return result


def _shown(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _article(kind: str) -> str:
    return ("an " if kind[0] in "aeiouAEI" else "a ") + kind if kind not in {"names", "texts", "pages", "true or false"} else {
        "names": "a list of names", "texts": "a list of texts", "pages": "a list of pages", "true or false": "true or false"}[kind]


# ---------------------------------------------------------------------------------------- the typed result

@dataclass(frozen=True)
class EssayConfig:
    page: str
    bib_key: str
    title: str
    authors: list[Name]
    published: PartialDate
    affiliation: str | None = None
    occasion: str | None = None
    rights: str | None = None
    copyright_year: int | None = None
    copyright_holders: list[Name] = field(default_factory=list)
    record_url: str | None = None
    record_label: str | None = None
    record_id: str | None = None

    @property
    def rights_statement(self) -> str | None:
        if self.rights:
            return self.rights
        if self.copyright_year:
            return f"Copyright {self.copyright_year} " + " and ".join(n.text() for n in self.copyright_holders)
        return None


@dataclass(frozen=True)
class EditionConfig:
    title: str
    slug: str
    editors: list[Name]
    statement: str
    description: str
    pages: list[str]
    essay: EssayConfig
    subtitle: str = ""
    date: PartialDate | None = None
    version: str | None = None
    language: str = "en"
    keywords: list[str] = field(default_factory=list)
    licence: list[str] = field(default_factory=list)
    running_head: str | None = None
    licence_id: str | None = None
    export: bool = True
    paper: str = "A4"
    repository_branch: str = "main"

    def download(self, suffix: str) -> str:
        """The name of a download: the slug and its suffix ('my-essay.pdf', 'my-essay-cite.bib')."""
        return f"{self.slug}{suffix}"

    @property
    def versioned_statement(self) -> str:
        """The edition statement as citations print it, naming the version when there is one."""
        return f"{self.statement}, version {self.version}" if self.version else self.statement


RELEASE_ENV = "EDITION_RELEASE"  # set by `make release VERSION=x.y` while it builds that version


def released(edition: EditionConfig, site_url: str, release: str) -> tuple[EditionConfig, str]:
    """The edition as released under ``release`` (its version) and its permanent address: the site's address
    with the version's folder (``https://example.org/ed/1.0/``), where `mike` publishes it."""
    from dataclasses import replace

    base = site_url.rstrip("/") + "/" if site_url else ""
    return replace(edition, version=release), (f"{base}{release}/" if base else site_url)


def edition_config(extra: Any, source: ConfigFile, problems: list[Problem]) -> EditionConfig | None:
    """``extra.edition`` as a typed object; None when it is absent, or wrong (its problems are added)."""
    if not isinstance(extra, dict) or extra.get("edition") is None:
        return None  # a site with the gate alone: no essay page, no citations of it, no books
    before = len(problems)
    values = validate(extra["edition"], EDITION, ("extra", "edition"), source, problems)
    essay = values.get("essay")
    if essay is None:
        line, col = source.at(("extra", "edition"))
        problems.append(Problem(source.path, line, col, "extra.edition: 'essay' is missing; add the essay's record (page, bib_key, "
                                "title, authors, published)", "config.missing"))
    if len(problems) > before:
        return None
    title = source.data.get("site_name")
    if not isinstance(title, str) or not title.strip():
        line, col = source.at(("site_name",))
        problems.append(Problem(source.path, line, col, "site_name: the edition's title is missing; add it, e.g. site_name: "
                                "\"On Examples: An Annotated Edition\" (pages, books and citations take it from here)", "config.missing"))
        return None
    copyright = essay.get("copyright") or {}
    record = essay.get("record") or {}
    return EditionConfig(
        title=" ".join(title.split()), slug=values["slug"], editors=values["editors"], statement=values["statement"],
        description=values["description"], pages=values["pages"], subtitle=values["subtitle"], date=values["date"],
        version=values["version"], language=values["language"], keywords=values["keywords"], licence=values["licence"],
        running_head=values["running_head"], licence_id=values["licence_id"], export=values["export"], paper=values["paper"],
        repository_branch=values["repository_branch"],
        essay=EssayConfig(
            page=essay["page"], bib_key=essay["bib_key"], title=essay["title"], authors=essay["authors"],
            published=essay["published"], affiliation=essay["affiliation"], occasion=essay["occasion"], rights=essay["rights"],
            copyright_year=copyright.get("year"), copyright_holders=copyright.get("holder") or essay["authors"],
            record_url=record.get("url"), record_label=record.get("label"), record_id=record.get("id"),
        ),
    )


def check_options(extra: Any, source: ConfigFile, problems: list[Problem]) -> dict:
    """``extra.checks`` with defaults for every key not written."""
    values = (extra or {}).get("checks") if isinstance(extra, dict) else None
    if values is None:
        return {name: option.default for name, option in CHECKS.items()}
    return validate(values, CHECKS, ("extra", "checks"), source, problems)


# ---------------------------------------------------------------------------------------- the reference

def reference_markdown() -> str:
    """Every key of the block, with its kind, default and an example: the README's configuration reference."""
    rows = ["| Key | Kind | Required / default | What it is for | Example |", "|---|---|---|---|---|"]

    def add(schema: dict, prefix: str) -> None:
        for name, option in schema.items():
            if isinstance(option, dict):
                rows.append(f"| `{prefix}{name}` | block | optional | see the keys below | |")
                add(option, f"{prefix}{name}.")
                continue
            need = "required" if option.required else f"default `{_default_text(option.default)}`" if option.default not in (None, "", []) else "optional"
            example = option.example.replace("|", "\\|")
            rows.append(f"| `{prefix}{name}` | {option.kind} | {need} | {option.help} | `{example}` |")

    add(EDITION, "extra.edition.")
    add(CHECKS, "extra.checks.")
    return "\n".join(rows) + "\n"


def _default_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
