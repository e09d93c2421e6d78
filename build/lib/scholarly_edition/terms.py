"""Glossary use in pages: term links, abbreviations, undefined acronyms, first-use expansion, backlinks."""

from __future__ import annotations

import difflib
import posixpath
import re
from dataclasses import dataclass, field

from .citations import citation_key_spans
from .diagnostics import Problem
from .glossary import Term, slugify
from .source import LineIndex, prose_mask

# An acronym-like token: two or more capitals and no lower case, with an optional number ("WHO-5",
# "G20", "CNCD-11.11.11"). Hyphenated words and mixed case ("PhD") are not acronyms.
ACRONYM = re.compile(r"(?<![\w-])[A-Z][A-Z0-9&]*[A-Z][A-Z0-9]*(?:[-.]\d+)*(?![\w])(?!-[A-Za-z])")
TERM_LINK = re.compile(r"\[\[(?P<name>[^\[\]|\n]+?)(?:\|(?P<text>[^\[\]\n]+?))?\]\]")
HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<text>.+?)[ \t]*(?:\{(?P<attrs>[^}\n]*)\})?[ \t]*#*[ \t]*$", re.M)
# Not prose for the glossary: link targets, attribute lists, HTML tags, abbreviation definitions.
NOT_PROSE = re.compile(r"\]\([^)\n]*\)|\{[:#.][^}\n]*\}|\{ *[#.][^}\n]*\}|<[^>\n]*>|^\*\[[^\]]+\]:.*$", re.M)


@dataclass
class TermUse:
    term: Term
    line: int
    col: int
    offset: int
    section: str | None  # heading anchor of the section the use is in
    section_title: str | None


@dataclass
class PageTerms:
    uses: list[TermUse] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class TermIndex:
    """Every way a term can appear in text, compiled once per build into one pattern."""

    def __init__(self, terms: list[Term]):
        self.terms = terms
        self.by_name: dict[str, Term] = {}
        self.abbrs: dict[str, Term] = {}
        for term in terms:
            for name in [term.term, *term.variants]:
                self.by_name.setdefault(" ".join(name.casefold().split()), term)
            self.by_name.setdefault(term.anchor, term)
            if term.abbr:
                self.abbrs.setdefault(term.abbr, term)
                self.by_name.setdefault(term.abbr.casefold(), term)
        names = sorted({n for t in terms for n in [t.term, *t.variants]}, key=len, reverse=True)
        parts = [r"\s+".join(map(re.escape, n.split())) for n in names]
        self.name_pattern = re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])", re.I) if parts else None
        abbrs = sorted(self.abbrs, key=len, reverse=True)
        self.abbr_pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, abbrs)) + r")(?![\w])") if abbrs else None
        self.known_tokens = set(self.abbrs) | {n for t in terms for n in [t.term, *t.variants]}
        self.known_tokens |= {word for a in self.abbrs for word in a.split()}  # "UN DESA" defines "DESA" in it

    def lookup(self, name: str) -> Term | None:
        return self.by_name.get(" ".join(name.casefold().split())) or self.by_name.get(slugify(name))

    def suggest(self, name: str) -> str:
        close = difflib.get_close_matches(" ".join(name.casefold().split()), list(self.by_name), n=1, cutoff=0.6)
        return f"did you mean '{self.by_name[close[0]].term}'? " if close else ""


def glossary_duplicates(terms: list[Term], shown: str) -> list[Problem]:
    """The same term, variant or abbreviation defined twice (case-insensitive)."""
    seen: dict[str, Term] = {}
    problems = []
    for term in terms:
        names = [("term", term.term), *[("variant", v) for v in term.variants]] + ([("abbreviation", term.abbr)] if term.abbr else [])
        own = set()
        for kind, name in names:
            folded = " ".join(name.casefold().split())
            if folded in own:
                continue
            own.add(folded)
            first = seen.get(folded)
            if first is not None and first is not term:
                problems.append(Problem(shown, term.line, 1, f"{kind} '{name}' of '{term.term}' is already defined by '{first.term}' (line {first.line}); merge the entries or rename one", "glossary.duplicate"))
            else:
                seen[folded] = term
    return problems


# What a heading's source holds that its title, TOC entry and anchor must not: citations ("[@key]",
# "[see @key, p. 3]"), footnote marks ("[^1]"), and the Markdown around link and term-link texts.
_HEADING_CITATION = re.compile(r"[ \t]*\[[^\[\]\n]*-?@[^\[\]\n]*\](?!\()")
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\n]+\]")


def heading_title(text: str) -> str:
    """A heading's source text as its words read: no citations, footnote marks, link targets or markup."""
    text = _FOOTNOTE_MARK.sub("", _HEADING_CITATION.sub("", text))
    text = TERM_LINK.sub(lambda m: m.group("text") or m.group("name"), text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>\n]*>|[*_`]", "", text)
    return " ".join(text.split())


def heading_anchor(title: str) -> str:
    """The id MkDocs' toc extension gives a heading with this title."""
    from markdown.extensions.toc import slugify as toc_slugify  # Python-Markdown, not MkDocs

    return toc_slugify(title, "-")


def heading_sections(text: str) -> list[tuple[int, str, str]]:
    """(offset, anchor, title) of every heading, anchors as the rendered page has them (``stable_heading_ids``)."""
    found = []
    for match in HEADING.finditer(text):
        title = heading_title(match.group("text"))
        explicit = re.search(r"#([\w-]+)", match.group("attrs") or "")
        found.append((match.start(), explicit.group(1) if explicit else heading_anchor(title), title))
    return found


def stable_heading_ids(markdown: str) -> str:
    """A heading that cites a source or carries a footnote mark gets the id of its words alone, written as an
    attribute list: otherwise its id would be made from the formatted citation ("... (Doe 1998)"), which
    changes with the style and the bibliography, and the glossary's links to it would not resolve."""
    prose = prose_mask(markdown)
    out, pos = [], 0
    for match in HEADING.finditer(prose):
        text, attrs = match.group("text"), match.group("attrs")
        if attrs and "#" in attrs or not (_HEADING_CITATION.search(text) or _FOOTNOTE_MARK.search(text)):
            continue
        anchor = heading_anchor(heading_title(text))
        if not anchor:
            continue
        if attrs is None:
            end = match.end("text")
            out += [markdown[pos:end], f" {{ #{anchor} }}"]
        else:  # '{ .wide }' or '{: .wide}' -> '{ #anchor .wide }'
            end = match.end("attrs")
            out += [markdown[pos:match.start("attrs")], f" #{anchor} {attrs.strip().lstrip(':').strip()} "]
        pos = end
    out.append(markdown[pos:])
    return "".join(out)


def scan_page(source: str, shown: str, index: TermIndex, allowlist: set[str], expand_first_use: bool) -> PageTerms:
    """Uses of glossary terms in one page source, and the page's glossary problems."""
    result = PageTerms()
    prose = prose_mask(source)
    headings = heading_sections(prose)  # before the keys are blanked: a heading's title is made without its citations
    keys = citation_key_spans(source)  # '@Welland:TB1-1-2' is a key, not an acronym 'TB1-1-2'
    if keys:
        chars = list(prose)
        for start, end in keys:
            chars[start:end] = [c if c == "\n" else " " for c in chars[start:end]]
        prose = "".join(chars)
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    # Headings and link texts are labels (often other pages' titles), not the running text in which
    # an abbreviation is first explained.
    running = NOT_PROSE.sub(blank, re.sub(r"^#{1,6}[ \t].*$|\[[^\[\]]*\](?=\()", blank, prose, flags=re.M))
    prose = NOT_PROSE.sub(blank, prose)
    lines = LineIndex(source)

    def section_at(offset: int) -> tuple[str | None, str | None]:
        current = (None, None)
        for start, anchor, title in headings:
            if start > offset:
                break
            current = (anchor, title)
        return current

    links = list(TERM_LINK.finditer(prose))
    for link in links:
        name = link.group("name").strip()
        term = index.lookup(name)
        line, col = lines.position(link.start())
        if term is None:
            result.problems.append(Problem(shown, line, col, f"term link '[[{name}]]' names no glossary term; {index.suggest(name)}add the term to glossary/terms.yml or fix the link", "glossary.unknown_term"))
        else:
            result.uses.append(TermUse(term, line, col, link.start(), *section_at(link.start())))
    if index.name_pattern is not None:
        for match in index.name_pattern.finditer(prose):
            term = index.lookup(match.group(0))
            if term is not None:
                result.uses.append(TermUse(term, *lines.position(match.start()), match.start(), *section_at(match.start())))
    first_abbr: dict[str, int] = {}
    if index.abbr_pattern is not None:
        for match in index.abbr_pattern.finditer(prose):
            term = index.abbrs[match.group(0)]
            if running[match.start()] != " ":
                first_abbr.setdefault(term.abbr, match.start())
            result.uses.append(TermUse(term, *lines.position(match.start()), match.start(), *section_at(match.start())))
    for match in ACRONYM.finditer(prose):
        token = match.group(0)
        if token in index.known_tokens or token in allowlist:
            continue
        line, col = lines.position(match.start())
        result.problems.append(Problem(shown, line, col, f"'{token}' looks like an acronym but the glossary does not define it; add it to glossary/terms.yml (abbr) or to extra.checks.acronym_allowlist in mkdocs.yml", "glossary.undefined_acronym"))
    if expand_first_use:
        for abbr, offset in first_abbr.items():
            term = index.abbrs[abbr]
            if not _expanded_near(running, offset, term):
                line, col = lines.position(offset)
                result.problems.append(Problem(shown, line, col, f"first use of '{abbr}' on this page is not expanded; write '{term.term} ({abbr})' here, or set 'expand_abbreviations: false' in the page's front matter", "glossary.unexpanded_abbreviation"))
    result.uses.sort(key=lambda u: u.offset)
    return result


def _expanded_near(prose: str, offset: int, term: Term) -> bool:
    """The full term (or a variant) appears before the first use, or within the next 100 characters."""
    names = [" ".join(n.split()).casefold() for n in [term.term, *term.variants] if n != term.abbr]
    before = " ".join(prose[:offset].split()).casefold()
    after = " ".join(prose[offset:offset + 100].split()).casefold()
    return any(n in before or n in after for n in names)


def rewrite_term_links(markdown: str, index: TermIndex, page_src: str, glossary_src: str) -> str:
    """``[[term]]`` / ``[[term|text]]`` -> a Markdown link to the term's entry, with its definition as title."""
    target_dir = posixpath.dirname(page_src)
    relative = posixpath.relpath(glossary_src, target_dir or ".")

    def link(match: re.Match) -> str:
        term = index.lookup(match.group("name").strip())
        text = (match.group("text") or match.group("name")).strip()
        if term is None:
            return text
        title = term.definition.replace('"', "'")
        return f'[{text}]({relative}#{term.anchor} "{title}"){{ .glossary-link }}'

    prose = prose_mask(markdown)
    out, pos = [], 0
    for match in TERM_LINK.finditer(prose):
        out += [markdown[pos:match.start()], link(match)]
        pos = match.end()
    out.append(markdown[pos:])
    return "".join(out)


def abbreviation_definitions(terms: list[Term]) -> str:
    """Python-Markdown abbreviation definitions for every abbreviation, made from the glossary source."""
    lines = []
    for term in terms:
        if term.abbr:
            lines.append(f"*[{term.abbr}]: {term.term}")
    return "\n".join(lines)


def backlinks_markdown(term: Term, uses_by_page: dict[str, list[TermUse]], titles: dict[str, str], glossary_src: str) -> str:
    """'Used in' line for one term: every page and section that uses it, relative to the glossary page."""
    items = []
    base = posixpath.dirname(glossary_src) or "."
    for page, uses in uses_by_page.items():
        sections: dict[str | None, str | None] = {}
        for use in uses:
            if use.term is term:
                sections.setdefault(use.section, use.section_title)
        if not sections:
            continue
        target = posixpath.relpath(page, base)
        parts = []
        for anchor, title in sections.items():
            if anchor and title and title != titles.get(page):
                parts.append(f"[{title}]({target}#{anchor})")
        label = f"[{titles.get(page, page)}]({target})"
        items.append(label + (" (" + ", ".join(parts) + ")" if parts else ""))
    return "Used in: " + "; ".join(items) + "." if items else ""
