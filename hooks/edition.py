"""MkDocs hook: wires the pure ``juego_edition`` package into the build.

Only translation between MkDocs objects and plain data lives here; the work is in ``juego_edition``.
Hook modules are loaded once per process (``mkdocs serve`` reuses them), so all state is rebuilt in
``on_config``.
"""

from __future__ import annotations

from pathlib import Path

from juego_edition import bibliography, pages
from juego_edition.bibdata import load_bib_files, plain
from juego_edition.glossary import load_glossary, render_glossary_markdown
from juego_edition.styles import StyleNotFound, resolve_csl_style
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger

log = get_plugin_logger(__name__)

GLOSSARY_FILE = "glossary/terms.yml"
state: dict = {}


def _report(problems) -> None:
    for problem in problems:
        (log.warning if problem.severity == "error" else log.info)(str(problem))


@event_priority(100)  # before mkdocs-bibtex's on_config, which reads csl_file
def on_config(config):
    root = Path(config.config_file_path).parent
    bibtex = config.plugins.get("bibtex")
    if bibtex is None:
        raise PluginError("mkdocs.yml: the 'bibtex' plugin is required by hooks/edition.py")
    style = bibtex.config.csl_file
    if not style:
        raise PluginError("mkdocs.yml: set plugins.bibtex.csl_file to a CSL style name, e.g. chicago-author-date")
    try:
        csl = resolve_csl_style(style, root)
    except StyleNotFound as exc:
        raise PluginError(f"mkdocs.yml: {exc} [config.csl_style]") from None
    bibtex.config.csl_file = str(csl)

    bib_dir = root / (bibtex.config.bib_dir or "bib")
    bib_paths = sorted(bib_dir.rglob("*.bib"))
    entries, problems = load_bib_files([(p, p.relative_to(root).as_posix()) for p in bib_paths])
    terms, glossary_problems = load_glossary(root / GLOSSARY_FILE, GLOSSARY_FILE)
    _report(problems + glossary_problems)
    state.clear()
    state.update(
        root=root,
        csl=csl,
        bib_paths=bib_paths,
        entries=entries,
        notes=bibliography.verification_notes({k: {"note": plain(e.fields.get("note", ""))} for k, e in entries.items()}),
        terms=terms,
    )
    return config


@event_priority(50)  # generated Markdown must exist before mkdocs-bibtex formats citations
def on_page_markdown(markdown, page, config, files):
    if pages.GLOSSARY_MARKER in markdown:
        markdown = markdown.replace(pages.GLOSSARY_MARKER, render_glossary_markdown(state["terms"]))
    if pages.BIBLIOGRAPHY_MARKER in markdown:
        listing = bibliography.render_reference_list(state["bib_paths"], state["csl"])
        markdown = markdown.replace(pages.BIBLIOGRAPHY_MARKER, pages.reference_list_markdown(listing))
    return markdown


def on_page_content(html, page, config, files):
    html = bibliography.unescape_link_text(html)
    return bibliography.mark_partly_verified(html, state["notes"])
