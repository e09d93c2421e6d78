"""The glossary: one YAML source, loaded with line numbers, rendered as Markdown for the glossary page."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .diagnostics import Problem, yaml_error_place

KNOWN_KEYS = {"term", "abbr", "variants", "definition", "cite", "see_also"}


@dataclass
class Term:
    term: str
    definition: str
    abbr: str | None = None
    variants: list[str] = field(default_factory=list)
    cite: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    line: int = 1  # 1-based line of the entry in the source file

    @property
    def anchor(self) -> str:
        return slugify(self.abbr or self.term)

    @property
    def label(self) -> str:
        return f"{self.term} ({self.abbr})" if self.abbr else self.term


def slugify(text: str) -> str:
    """Stable, readable anchors: 'WHO-5' -> 'who-5', 'Social pillar' -> 'social-pillar'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping, so problems point into the file."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = {key.value: key.start_mark.line + 1 for key, _ in node.value if hasattr(key, "value")}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _string_list(value) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def load_glossary(path: Path, display_path: str) -> tuple[list[Term], list[Problem]]:
    """Parse the glossary file; return the terms that are usable and every problem found."""
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(display_path, 1, 1, f"cannot read the glossary ({exc}); save it as UTF-8 text", "glossary.unreadable", unreadable=True)]
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        line, col, message = yaml_error_place(exc)
        return [], [Problem(display_path, line, col, message, "glossary.syntax", unreadable=True)]
    if data is None:
        data = []
    if not isinstance(data, list):
        return [], [Problem(display_path, 1, 1, "the glossary must be a YAML list of entries ('- term: ...')", "glossary.syntax", unreadable=True)]
    terms: list[Term] = []
    for item in data:
        if not isinstance(item, dict):
            problems.append(Problem(display_path, 1, 1, "a glossary entry must be a mapping with 'term' and 'definition'", "glossary.syntax"))
            continue
        line = item.pop("__line__", 1)
        key_lines = item.pop("__lines__", {})
        unknown = sorted(set(item) - KNOWN_KEYS)
        for key in unknown:
            hint = "; if this is the text of the definition, indent it under 'definition: >-'" if " " in str(key) else ""
            problems.append(Problem(display_path, key_lines.get(key, line), 1, f"unknown field '{key}' in a glossary entry; allowed: {', '.join(sorted(KNOWN_KEYS))}{hint}", "glossary.field"))
        name = item.get("term")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(display_path, line, 1, "glossary entry without a 'term'; add 'term: <the term>'", "glossary.field"))
            continue
        definition = item.get("definition")
        if not isinstance(definition, str) or not definition.strip():
            problems.append(Problem(display_path, line, 1, f"term '{name}' has an empty definition; write one or two sentences", "glossary.empty_definition"))
            definition = ""
        lists = {}
        for key in ("variants", "cite", "see_also"):
            value = _string_list(item.get(key))
            if value is None:
                problems.append(Problem(display_path, line, 1, f"'{key}' of term '{name}' must be a list of strings", "glossary.field"))
                value = []
            lists[key] = value
        abbr = item.get("abbr")
        if abbr is not None and not isinstance(abbr, str):
            problems.append(Problem(display_path, line, 1, f"'abbr' of term '{name}' must be a string", "glossary.field"))
            abbr = None
        terms.append(Term(term=name.strip(), definition=" ".join(definition.split()), abbr=abbr, line=line, **lists))
    return terms, problems


def render_glossary_markdown(terms: list[Term], used_in: dict[str, str] | None = None, resolve=None) -> str:
    """Alphabetical entries, each a heading with a stable anchor, its definition, sources, 'see also'
    and (``used_in``, by term) the Markdown line listing the pages that use it."""
    by_name = {t.term.casefold(): t for t in terms}
    # ``resolve`` (TermIndex.lookup) accepts what the check accepts: abbreviations and variants too
    resolve = resolve or (lambda name: by_name.get(name.casefold()))
    blocks = []
    for term in sorted(terms, key=lambda t: t.term.casefold()):
        lines = [f"## {term.label} {{ #{term.anchor} .glossary-term }}", "", term.definition]
        if term.cite:
            lines += ["", "Sources: [" + "; ".join(f"@{key}" for key in term.cite) + "]"]
        related = [found for found in map(resolve, term.see_also) if found is not None]
        if related:
            lines += ["", "See also: " + ", ".join(f"[{r.label}](#{r.anchor})" for r in related) + "."]
        if used_in and used_in.get(term.term):
            lines += ["", used_in[term.term] + "\n{ .glossary-backlinks }"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
