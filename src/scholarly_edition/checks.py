"""The reference gate: one checking session shared by the MkDocs hook and the standalone checker.

A session loads the data once, checks each page as it comes, and reports cross-page totals at the end,
so ``mkdocs build``, ``mkdocs serve`` and ``python -m scholarly_edition check`` find the same problems.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
import pathspec
import yaml

from .config import CONFIG_FILE, ConfigFile, EditionConfig, check_options, edition_config, read_config, unreadable
from .bibcheck import case_problems, check_entries
from .bibdata import Bibliography, BibEntry, load_bibliography
from .citations import find_citations, in_image_alt, near_miss_citations
from .copytext import check_copy_text
from .content import front_matter_problems, link_problems, nav_pages, page_anchors, security_problems, structure_problems
from .diagnostics import Problem, did_you_mean
from .glossary import Term, load_glossary
from .source import FRONT_MATTER
from .terms import ACRONYM, TermIndex, TermUse, glossary_duplicates, scan_page

CACHE = Path(".cache") / "scholarly-edition" / "bib"  # Pandoc's readings of unchanged .bib files, reused


@dataclass
class Settings:
    root: Path
    docs_dir: Path
    bib_files: list[Path]
    glossary_file: Path
    unused_entries: str = "error"
    unused_terms: str = "error"
    proper_nouns: list[str] = field(default_factory=list)
    acronym_allowlist: set[str] = field(default_factory=set)
    glossary_page: str = "glossary.md"
    bibliography_page: str = "bibliography.md"
    nav: set[str] | None = None  # pages listed in mkdocs.yml's nav; None when there is no nav
    not_in_nav: pathspec.gitignore.GitIgnoreSpec | None = None  # MkDocs' not_in_nav: pages meant to stay out of the nav
    max_image_kb: int = 500
    csl_file: Path | None = None  # the configured CSL style, resolved (the case check asks it)
    essay_page: str | None = None  # docs-relative page holding the essay, checked against its copy-text
    copy_text: Path | None = None
    problems: list[Problem] = field(default_factory=list)  # problems in the settings themselves
    smarty: bool = False  # pages are rendered with smarty (curly quotes, dashes): the copy-text is compared as rendered
    edition: EditionConfig | None = None  # extra.edition, validated (None when absent or wrong: its problems are listed)
    source: ConfigFile | None = None  # mkdocs.yml as read once (values and the place of every key)

    def shown(self, path: Path) -> str:
        """Paths in messages are relative to the project root, so editors can jump to them."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def smarty_enabled(markdown_extensions) -> bool:
    """Whether mkdocs.yml's markdown_extensions turn on smarty (a name, or a mapping with it as the key)."""
    names = [next(iter(e)) if isinstance(e, dict) and e else e for e in (markdown_extensions or [])]
    return any(str(name).split(".")[-1] in {"smarty", "SmartyExtension"} for name in names)


def settings_from_config(root: Path, source: ConfigFile | None = None) -> Settings:
    """The gate's settings from mkdocs.yml as :func:`config.read_config` read it (the one reader, shared by the
    hook and the standalone checker): the bibtex plugin's files, the nav, smarty, ``extra.checks`` and the
    edition's block, each validated with its line (``mkdocs.yml:LINE:COL: key: ...``)."""
    problems: list[Problem] = []
    data = source.data if source else {}
    source = source or ConfigFile({}, {})
    bibtex = {}
    for plugin in data.get("plugins") or []:
        if isinstance(plugin, dict) and "bibtex" in plugin:
            bibtex = plugin["bibtex"] or {}
    extra = data.get("extra")
    checks = check_options(extra, source, problems)
    edition = edition_config(extra, source, problems)
    if bibtex.get("bib_file"):
        bibs = [root / bibtex["bib_file"]]
    else:
        bibs = sorted((root / (bibtex.get("bib_dir") or "bib")).rglob("*.bib"))
    csl = None
    if bibtex.get("csl_file"):
        from .styles import StyleNotFound, resolve_csl_style

        try:
            csl = resolve_csl_style(str(bibtex["csl_file"]), root)
        except StyleNotFound as exc:
            index = next(i for i, p in enumerate(data.get("plugins") or []) if isinstance(p, dict) and "bibtex" in p)
            line, col = source.at(("plugins", index, "bibtex", "csl_file"))
            problems.append(Problem(source.path, line, col, str(exc), "config.csl_style"))
    essay_page = edition.essay.page if edition else None
    if edition is not None:
        from .cff import cff_problems

        problems += cff_problems(root, edition, str(data.get("site_url") or ""), str(data.get("repo_url") or ""))
        from .zenodo import zenodo_problems

        problems += zenodo_problems(root, edition, str(data.get("site_url") or ""))
    nav = data.get("nav")
    return Settings(root=root, docs_dir=root / str(data.get("docs_dir") or "docs"), bib_files=bibs, glossary_file=root / checks["glossary"],
                    unused_entries=checks["unused_entries"], unused_terms=checks["unused_terms"],
                    proper_nouns=checks["proper_nouns"], acronym_allowlist=set(checks["acronym_allowlist"]),
                    glossary_page=checks["glossary_page"], bibliography_page=checks["bibliography_page"],
                    nav=nav_pages(nav) if nav else None, not_in_nav=not_in_nav_patterns(data.get("not_in_nav")),
                    max_image_kb=checks["max_image_kb"], csl_file=csl,
                    essay_page=essay_page, copy_text=root / checks["copy_text"] if essay_page else None, problems=problems,
                    smarty=smarty_enabled(data.get("markdown_extensions")), edition=edition, source=source)


def not_in_nav_patterns(value) -> pathspec.gitignore.GitIgnoreSpec | None:
    """MkDocs' ``not_in_nav``: gitignore-style lines naming pages that are meant to stay out of the nav (MkDocs
    then says nothing of them; neither do the checks). None when unset or not text (MkDocs reports that)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return pathspec.gitignore.GitIgnoreSpec.from_lines(value.splitlines())
    except ValueError:
        return None


def load_settings(root: Path) -> Settings:
    try:
        source = read_config(root / CONFIG_FILE)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        settings = settings_from_config(root)
        settings.problems.append(unreadable(exc))
        return settings
    return settings_from_config(root, source)


class CheckSession:
    """State for one build or one standalone run; rebuilt for every run (``mkdocs serve`` reuses hooks)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.entries: dict[str, BibEntry] = {}
        self.bibliography: Bibliography | None = None
        self.terms: list[Term] = []
        self.cited: set[str] = set()
        self.broken_keys: dict[str, Problem] = {}
        self.unknown_uses: dict[str, Problem] = {}  # unknown key -> its first citation's problem
        # key -> the first near-miss naming it ('[@ key]', '\\cite{key}'): the entry is meant to be cited, so it is
        # not reported as never cited (that would advise removing a good reference; the near-miss is the cause)
        self.miscited: dict[str, Problem] = {}
        self.index = TermIndex([])
        self.term_uses: dict[str, list[TermUse]] = {}  # page (docs-relative) -> uses, in page order
        self.titles: dict[str, str] = {}
        self.problems: list[Problem] = list(settings.problems)

    # -- data -------------------------------------------------------------------------------------
    def load_data(self) -> list[Problem]:
        s = self.settings
        found: list[Problem] = list(s.problems)  # options in mkdocs.yml: reported with the rest
        self.problems = []
        if not s.bib_files:
            found.append(Problem(s.shown(s.root / "mkdocs.yml"), 1, 1, "no .bib file found; put BibTeX files in bib/", "bib.unreadable", unreadable=True))
        self.bibliography = load_bibliography([(p, s.shown(p)) for p in s.bib_files], s.root / CACHE)
        self.entries = self.bibliography.entries
        found += self.bibliography.problems
        # keys of entries that exist but cannot be formatted: their citations point at the entry's problem
        self.broken_keys = dict(self.bibliography.broken)
        for entry in self.entries.values():
            missing = [f for f in ("verifiedat", "confidence") if not entry.fields.get(f, "").strip()]
            if missing:
                found.append(Problem(entry.path, entry.line, 1, f"entry '{entry.key}' does not say how it was verified (no {' or '.join(missing)}); add verifiedat = {{where you saw it}} and confidence = {{verified}} or {{partly verified (...)}}", "bib.provenance"))
        found += check_entries(self.entries.values())
        found += case_problems(self.entries.values(), s.proper_nouns, s.csl_file)
        shown_glossary = s.shown(s.glossary_file)
        self.terms, glossary_problems = load_glossary(s.glossary_file, shown_glossary)
        found += glossary_problems + glossary_duplicates(self.terms, shown_glossary)
        self.index = TermIndex(self.terms)
        for term in self.terms:
            for name in term.see_also:
                if self.index.lookup(name) is None:
                    found.append(Problem(shown_glossary, term.line, 1, f"'see_also' of '{term.term}' names '{name}', which is not a term; {self.index.suggest(name)}use the exact term", "glossary.unknown_term"))
            if not term.cite and re.search(r"\b(1[5-9]|20)\d\d\b|\b\d+([.,]\d+)? (million|billion|per cent)\b", term.definition):
                found.append(Problem(shown_glossary, term.line, 1, f"definition of '{term.term}' states a date or figure but cites nothing; add cite: [key]", "glossary.uncited_fact"))
        for term in self.terms:  # definitions are prose on the glossary page: their acronyms need defining too
            for token in ACRONYM.findall(term.definition):
                if token not in self.index.known_tokens and token not in s.acronym_allowlist:
                    found.append(Problem(shown_glossary, term.line, 1, f"definition of '{term.term}' uses '{token}', which the glossary does not define; add it (abbr) or to extra.checks.acronym_allowlist", "glossary.undefined_acronym"))
        known = sorted(self.entries)
        for term in self.terms:
            for key in term.cite:
                if key in self.entries:
                    self.cited.add(key)
                else:
                    problem = Problem(shown_glossary, term.line, 1, f"term '{term.term}' cites unknown key '{key}'; {did_you_mean(key, known)}add the entry to bib/ or fix the key", "cite.unknown_key")
                    self.unknown_uses.setdefault(key, problem)  # a typo here makes its entry look unused too (finish)
                    found.append(problem)
        self.problems += found
        return found

    # -- pages --------------------------------------------------------------------------------------
    def check_page(self, shown_path: str, source: str, page: str | None = None) -> list[Problem]:
        """Citations and glossary use in one Markdown source (front matter included, so lines match the file).

        ``page`` is the path inside docs/ (e.g. ``context/background.md``); glossary uses are recorded under it.
        """
        found: list[Problem] = []
        meta = front_matter(source)
        page = page or shown_path
        self.titles[page] = str(meta.get("title") or page)
        terms = scan_page(source, shown_path, self.index, self.settings.acronym_allowlist,
                          expand_first_use=bool(meta.get("expand_abbreviations", True)))
        found += terms.problems
        if page != self.settings.glossary_page:
            self.term_uses[page] = terms.uses
        uses, empties = find_citations(source)
        known = sorted(self.entries)
        for use in uses:
            if use.in_link_definition:
                found.append(Problem(shown_path, use.line, use.col, f"'[@{use.key}]:' at the start of a line is a link definition for MkDocs, so the line is not shown (Pandoc and Manubot would read a citation); cite the source in a sentence, or move the bracket away from the line start", "cite.link_definition"))
                continue
            if use.in_front_matter:
                found.append(Problem(shown_path, use.line, use.col, f"citation '@{use.key}' in the front matter is never formatted (MkDocs does not read the front matter as Markdown); cite the source in the page's text", "cite.front_matter"))
                continue
            if use.key in self.entries:
                self.cited.add(use.key)
                continue
            broken = self.broken_keys.get(use.key)
            if broken is not None:
                message = f"citation key '{use.key}' names an entry that could not be read (see {broken.path}:{broken.line}); fix that entry"
            else:
                message = f"unknown citation key '{use.key}'; {did_you_mean(use.key, known)}add the entry to bib/ or fix the key"
            problem = Problem(shown_path, use.line, use.col, message, "cite.unknown_key")
            if broken is None:
                self.unknown_uses.setdefault(use.key, problem)
            found.append(problem)
        for line, col in empties:
            found.append(Problem(shown_path, line, col, "empty citation '[@]'; write a key after '@' or remove the brackets", "cite.empty"))
        for problem, keys in near_miss_citations(source, shown_path):
            found.append(problem)
            for key in keys:
                self.miscited.setdefault(key, problem)
        if self.settings.essay_page and page == self.settings.essay_page and self.settings.copy_text is not None:
            found += check_copy_text(source, shown_path, self.settings.copy_text, self.settings.shown(self.settings.copy_text),
                                     smarty=self.settings.smarty)
        for use in in_image_alt(source, uses):
            found.append(Problem(shown_path, use.line, use.col, f"citation '{use.key}' in an image's alt text cannot be formatted there and breaks the image; cite the source in the sentence or caption next to the image", "cite.in_image"))
        self.problems += found
        return found

    # -- totals -------------------------------------------------------------------------------------
    def used_keys(self, cited: set[str] | None = None) -> set[str]:
        """Cited entries (``cited``, by default those cited properly) and every entry they draw on (crossref,
        xref, xdata, entryset), transitively."""
        from .bibdata import links

        used, todo = set(), list(self.cited if cited is None else cited)
        while todo:
            key = todo.pop()
            if key in used or key not in self.entries:
                continue
            used.add(key)
            entry = self.entries[key]
            todo += [target for _, target in links(entry)]
            todo += [k.strip() for k in entry.written.get("entryset", "").split(",") if k.strip()]
        return used

    def finish(self) -> list[Problem]:
        found = []
        used = self.used_keys(self.cited | set(self.miscited))  # a near-miss is the cause, reported at its line
        for key, entry in sorted(self.entries.items(), key=lambda kv: (kv[1].path, kv[1].line)):
            if key not in used and entry.entry_type != "xdata":
                typo = difflib.get_close_matches(key, list(self.unknown_uses), n=1, cutoff=0.8)
                if typo:  # a knock-on of the unknown key: listed right after it (diagnostics.root_cause_first)
                    cause = self.unknown_uses[typo[0]]
                    found.append(Problem(entry.path, entry.line, 1, f"entry '{key}' is never cited; the citation '{typo[0]}' at "
                                         f"{cause.path}:{cause.line} looks like a typo of this key; fix the citation",
                                         "bib.unused_entry", self.settings.unused_entries, follows=cause.place))
                else:
                    found.append(Problem(entry.path, entry.line, 1, f"entry '{key}' is never cited; cite it where it supports the text, or remove it", "bib.unused_entry", self.settings.unused_entries))
        used = {id(use.term) for uses in self.term_uses.values() for use in uses}
        shown_glossary = self.settings.shown(self.settings.glossary_file)
        for term in self.terms:
            if id(term) not in used:
                found.append(Problem(shown_glossary, term.line, 1, f"term '{term.term}' is used on no page; use it where it helps readers, or remove it", "glossary.unused_term", self.settings.unused_terms))
        self.problems += found
        return found

    def check_pages(self, pages: dict[str, tuple[str, str]]) -> list[Problem]:
        """Every page (docs-relative path -> (shown path, source)): structure, security, links, citations, terms.

        Anchors of all pages are collected first, so a link to any page can be checked in one pass.
        """
        anchors = {src: page_anchors(text) for src, (_, text) in pages.items()}
        anchors.setdefault(self.settings.glossary_page, set()).update(t.anchor for t in self.terms)
        anchors.setdefault(self.settings.bibliography_page, set()).update(f"ref-{k}" for k in self.entries)
        found: list[Problem] = []
        for src, (shown, text) in pages.items():
            page_found = front_matter_problems(text, shown) + structure_problems(text, shown) + security_problems(text, shown)
            page_found += link_problems(text, shown, src, self.settings.docs_dir, set(pages), anchors, self.settings.max_image_kb)
            outside = self.settings.not_in_nav is not None and self.settings.not_in_nav.match_file(src)  # as MkDocs reads it
            if self.settings.nav is not None and src not in self.settings.nav and not outside:
                page_found.append(Problem(shown, 1, 1, f"page '{src}' is not in the nav; add it to 'nav:' in mkdocs.yml (or remove the file)", "page.not_in_nav"))
            self.problems += page_found
            found += page_found + self.check_page(shown, text, src)
        config_found = self.edition_references(set(pages))
        self.problems += config_found
        return found + config_found

    def edition_references(self, pages: set[str]) -> list[Problem]:
        """The edition's block names pages and a .bib entry: each must exist, or the essay's checks and the
        books would silently lose it. Reported at the key's own line in mkdocs.yml."""
        edition, source = self.settings.edition, self.settings.source
        if edition is None or source is None:
            return []
        found = []

        def missing(keys: tuple, value: str, known, what: str, fix: str) -> None:
            line, col = source.at(keys)
            found.append(Problem(source.path, line, col, f"{'.'.join(str(k) for k in keys)}: '{value}' is not {what}; "
                                 f"{did_you_mean(value, known)}{fix}", "config.not_found"))

        if edition.essay.page not in pages:
            missing(("extra", "edition", "essay", "page"), edition.essay.page, pages, "a page in docs/", "name the essay's page inside docs/")
        for index, page in enumerate(edition.pages):
            if page not in pages:
                missing(("extra", "edition", "pages", index), page, pages, "a page in docs/", "name a page inside docs/ or remove it from the book")
        if self.entries and edition.essay.bib_key not in self.entries:
            missing(("extra", "edition", "essay", "bib_key"), edition.essay.bib_key, self.entries, "an entry in the .bib files",
                    "name the essay's own entry")
        return found

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def front_matter(source: str) -> dict:
    """The page's YAML front matter as a dict ({} when absent or not a mapping)."""
    match = FRONT_MATTER.match(source)
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1)[3:])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def markdown_files(docs_dir: Path) -> list[Path]:
    return sorted(p for p in docs_dir.rglob("*.md") if p.is_file())


def run_check(root: Path) -> list[Problem]:
    """The standalone gate over docs/, bib/ and the glossary: every problem, sorted by place."""
    settings = load_settings(root)
    session = CheckSession(settings)
    session.load_data()
    pages = {}
    for page in markdown_files(settings.docs_dir):
        shown = settings.shown(page)
        try:
            text = page.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            session.problems.append(Problem(shown, 1, 1, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", "page.encoding"))
            continue
        pages[page.relative_to(settings.docs_dir).as_posix()] = (shown, text)
    session.check_pages(pages)
    session.finish()
    return sorted(set(session.problems))
