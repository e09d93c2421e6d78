"""MkDocs hook: wires the pure ``juego_edition`` package into the build.

Only translation between MkDocs objects and plain data lives here; the checks are in
``juego_edition.checks`` and run the same way standalone (``python -m juego_edition check``).
Hook modules are loaded once per process (``mkdocs serve`` reuses them), so all state is rebuilt in
``on_config``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import posixpath
import re
import tempfile
from pathlib import Path

from juego_edition import assets, bibliography, book, deferred, guard, pages, scholarly, webfont, webpage
from juego_edition import notes as editorial_notes
from juego_edition.bibdata import plain
from juego_edition.checks import CheckSession, settings_from_config, smarty_enabled
from juego_edition.citations import find_citations
from juego_edition.deferred import DeferredCitations
from juego_edition.diagnostics import Problem, root_cause_first, skipped_note
from juego_edition.glossary import render_glossary_markdown
from juego_edition.rendered import check_rendered_html
from juego_edition.styles import StyleNotFound, resolve_csl_style
from juego_edition.terms import abbreviation_definitions, backlinks_markdown, rewrite_term_links, stable_heading_ids
from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority

# Under the 'mkdocs' logger, so --strict counts our warnings (a plain getLogger(__name__) would not);
# not get_plugin_logger, whose "hooks/edition: " prefix would stop editors from jumping to path:line:col.
log = logging.getLogger("mkdocs.plugins.juego_edition")
state: dict = {"command": "build", "preview": False}


class _DropBibtexUnknownKey(logging.Filter):
    """mkdocs-bibtex says 'Citing unknown reference key X' with no file or line; ours says where."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "unknown reference key" not in record.getMessage()


_BIBTEX_LOG = logging.getLogger("mkdocs.plugins.mkdocs-bibtex")
if not any(isinstance(f, _DropBibtexUnknownKey) for f in _BIBTEX_LOG.filters):
    _BIBTEX_LOG.addFilter(_DropBibtexUnknownKey())


class _DropMkDocsDuplicates(logging.Filter):
    """MkDocs' own link, anchor and nav validation stays on as a safety net, but where our checks already
    reported the page with path:line:col, MkDocs' place-less line for the same page is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        reported = state.get("reported_links") or set()
        prefix = state.get("docs_prefix", "docs/")
        page = re.match(r"Doc file '([^']+)' contains a link", message)
        if page and prefix + page.group(1) in reported:
            return False
        if message.startswith("The following pages exist in the docs directory"):
            listed = [line.strip().lstrip("- ").strip() for line in message.splitlines()[1:] if line.strip()]
            return not listed or not all(prefix + src in reported for src in listed)
        return True


for _name in ("mkdocs.structure.pages", "mkdocs.structure.nav"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _DropMkDocsDuplicates) for f in _logger.filters):
        _logger.addFilter(_DropMkDocsDuplicates())


def _workdir() -> Path:
    """One scratch folder per process (``mkdocs serve`` rebuilds reuse it), removed when MkDocs exits."""
    if "workdir" not in _process:
        _process["workdir"] = Path(tempfile.mkdtemp(prefix="edition-"))
    return _process["workdir"]


_process: dict = {}


def on_shutdown():
    import shutil

    if "workdir" in _process:
        shutil.rmtree(_process.pop("workdir"), ignore_errors=True)


def report(problems: list[Problem]) -> None:
    """Problems are kept until the build ends (``flush_report``), so they are listed sorted by file and line,
    unreadable files first, whichever event found them."""
    state.setdefault("to_report", []).extend(problems)


def flush_report() -> int:
    """Log every problem kept by ``report``; return how many were logged as errors."""
    shown, skipped = root_cause_first(state.pop("to_report", []))
    for problem in shown:
        if problem.severity == "error":
            log.warning(str(problem))  # a warning, so --strict counts it; on_post_build fails the build
        else:
            log.info(f"warning: {problem}")
    if skipped:
        log.info(skipped_note(skipped))
    return sum(p.severity == "error" for p in shown)


def on_build_error(error):
    flush_report()  # a build that stops early still lists what was found


def on_startup(command, dirty):
    state["command"] = command  # 'serve' keeps serving with problems listed; 'build' fails on them


def _feeds(session: CheckSession, workdir: Path) -> tuple[Path, Path, str, dict[str, str]]:
    """What the build hands on, all from the one bibliography model: the .bib text for Pandoc (every file
    as written, entries that cannot be formatted blanked, keys mkdocs-bibtex cannot read aliased), a
    keys-only file for mkdocs-bibtex's pybtex (which only checks that a key exists), and the aliases."""
    bib = session.bibliography
    aliases = {key: guard.bibtex_alias(key) for key in session.entries}
    texts = list(bib.texts)
    for index in range(len(texts)):
        spans = {k: e.span for k, e in session.entries.items() if e.file_index == index and e.span[1] > e.span[0]}
        texts[index] = guard.aliased_text(texts[index], spans, aliases)
    bib_text = "\n".join(texts)
    feed = workdir / "edition.bib"
    feed.write_text(bib_text + "\n", encoding="utf-8")
    keys = workdir / "keys.bib"
    keys.write_text(guard.keys_only_bib(aliases.values()), encoding="utf-8")
    return feed, keys, bib_text, aliases


def _batch_mode() -> str:
    """EDITION_BATCH_CITATIONS: 'true' (default: one background run; pages rendered before it answers get
    tokens), 'wait' (the same run, waited for before the first page: no tokens), 'deferred' (every page
    rendered with tokens), 'false' (mkdocs-bibtex's own Pandoc run for every page). The last three are
    there to compare outputs in tests."""
    return os.environ.get("EDITION_BATCH_CITATIONS", "true").lower()


@event_priority(100)  # before mkdocs-bibtex's on_config, which reads csl_file and the .bib files
def on_config(config):
    state["to_report"] = []  # serve rebuilds reuse this module: nothing left over from the last build
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

    offline = config.plugins.get("material/offline") or config.plugins.get("offline")
    state["preview"] = offline is not None and offline.config.enabled  # the preview read from disk (make preview)
    if state["preview"]:
        config.use_directory_urls = False  # what the offline plugin sets too, but after this hook has run
        # Material's offline plugin would add the worker shim from unpkg.com; a local copy is added instead
        # (the plugin adds nothing when a polyfill named iframe-worker is already there).
        config.extra["polyfills"] = [*config.extra.get("polyfills", []), OFFLINE_WORKER_SHIM]
    settings = settings_from_config(root, config.docs_dir, bibtex.config.bib_dir, bibtex.config.bib_file, config.extra, config.nav, csl,
                                    smarty_enabled(config.markdown_extensions))
    session = CheckSession(settings)
    found = session.load_data()
    workdir = _workdir()
    feed, keys, bib_text, aliases = _feeds(session, workdir)
    report(found)
    bibtex.config.bib_file, bibtex.config.bib_dir = str(keys), None

    state.update(
        session=session,
        csl=csl,
        root=root,
        bib_paths=[feed],  # only entries that parse; a broken one is reported, not a Pandoc crash
        notes=bibliography.verification_notes({aliases[k]: {"note": plain(e.fields.get("note", ""))} for k, e in session.entries.items()}),
        aliases=aliases,
        unknown_keys=set(),
        unreadable=set(),
        essay_cited=[],
        author_date=False,
        page_keys={},
        style_order=None,
        docs_prefix=settings.shown(settings.docs_dir).rstrip("/") + "/",
        bib_text=bib_text,
        batch_mode=_batch_mode(),
        batch=None,
        csl_json=None,
        pending=set(),
        with_tokens=0,
        rerendered=0,
        config=config,
        reported_links=set(),
        note_entries=[],
        essay=scholarly.essay_record(config.extra) if "essay" in (config.extra.get("edition") or {}) else None,
        citations=None,  # scholarly.Citations, made once per build by _citations()
    )
    if state["batch_mode"] != "false":  # the CSL JSON for the one citeproc run: Pandoc's reading of the model
        handle, name = tempfile.mkstemp(suffix=".json", dir=workdir)  # its own file: serve rebuilds overlap
        os.close(handle)
        target = Path(name)
        items = [dict(item, id=aliases.get(item.get("id"), item.get("id"))) for item in session.bibliography.csl_items]
        target.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        state["csl_json"] = deferred.done(target)
    return config


def on_files(files, config):
    # Every page's sources are checked here, before any page renders: the glossary page lists where each
    # term is used, so it needs all pages scanned first. One pass per page keeps the checks linear.
    session: CheckSession = state["session"]
    found, pages = [], {}
    for file in files.documentation_pages():
        shown = session.settings.shown(Path(file.abs_src_path))
        try:
            pages[file.src_uri] = (shown, file.content_string)
        except UnicodeDecodeError as exc:
            found.append(Problem(shown, 1, 1, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", "page.encoding"))
            state["unreadable"].add(file.src_uri)
    session.problems += found
    registry = getattr(config.plugins.get("bibtex"), "registry", None)
    if registry is not None and "bib_data_bibtex" in dir(type(registry)):
        # mkdocs-bibtex hands Pandoc the .bib as pybtex re-writes it, which turns month = apr into "April"
        # and so loses the month and day of dated items; give Pandoc our entries as written instead.
        registry.__dict__["bib_data_bibtex"] = state["bib_text"]
    # One citation system: author-date in the text, linked to a reference list per page; no footnotes.
    state["author_date"] = guard.author_date_only(config.plugins.get("bibtex"))
    state["files"] = files
    if state["batch_mode"] != "false":
        _start_citation_run(session, pages, config)  # in the background: started before the checks
    found += session.check_pages(pages)
    state["reported_links"] = {p.path for p in found if p.code.startswith(("link.", "page.not_in_nav"))}
    report(found)
    # A page MkDocs cannot decode would end the build with a traceback; it is reported above instead.
    for src in state["unreadable"]:
        files.remove(files.get_file_from_path(src))
    return files


def _start_citation_run(session: CheckSession, pages: dict, config) -> None:
    """One Pandoc run per build instead of mkdocs-bibtex's one per page: every citation of every page (and
    of the glossary) and every entry for the bibliography page, formatted in the background. Until it
    answers, mkdocs-bibtex's caches hold placeholder tokens, which pages render with; ``_take_batch`` then
    puts the formatted texts in the caches and ``_put_citations_in`` in the pages rendered with tokens.
    Citations are also labelled consistently across the whole site (e.g. "2010a" everywhere, as in the
    bibliography), which one run per page cannot do. Unknown keys are left out: they are reported and
    never reach mkdocs-bibtex."""
    from mkdocs_bibtex.citation import CitationBlock

    registry = getattr(config.plugins.get("bibtex"), "registry", None)
    if registry is None or not session.entries:
        return
    text = "\n".join(body for _, body in pages.values()) + "\n" + render_glossary_markdown(session.terms)
    known = set(state["aliases"].values())
    blocks, seen = [], set()
    guarded = guard.protect_non_prose(_aliased(text))
    for block in CitationBlock.from_markdown(guarded):
        if str(block) in seen or any(c.key not in known for c in block.citations):
            continue
        seen.add(str(block))
        blocks.append(block)
    for _, _, narrative, _ in guard.narrative_citations(guarded, find_citations(guarded)[0], known):
        if narrative not in seen:  # "@key" in running text: Pandoc's "Juego (2010)"
            seen.add(narrative)
            blocks.append(narrative)
    csl_json, csl, texts = state["csl_json"], state["csl"], [str(block) for block in blocks]
    run = deferred.in_background(lambda: bibliography.format_citation_blocks(texts, csl_json.result(), csl))
    batch = DeferredCitations(blocks, sorted(known), run)
    registry._inline_cache.update(batch.inline_marks())
    registry._reference_cache.update(batch.reference_tokens())
    state["batch"] = batch


def _take_batch(wait: bool) -> bool:
    """Install Pandoc's answer in mkdocs-bibtex's caches once it has come; True when citations are final."""
    batch: DeferredCitations | None = state.get("batch")
    if batch is None or batch.ready:
        return True
    mode = state["batch_mode"]
    if not wait and mode == "deferred":
        return False
    wait = wait or mode == "wait"
    try:
        if not batch.resolve(wait):
            return False
    except Exception as exc:  # Pandoc missing or failing: one line, not a traceback
        raise PluginError(f"Pandoc could not format the citations: {exc.__class__.__name__}: {' '.join(str(exc).split())[:300]}") from None
    registry = state["config"].plugins.get("bibtex").registry
    registry._inline_cache.update(batch.inline)
    registry._reference_cache.update(batch.references)
    return True


@event_priority(50)  # generated Markdown and our guards come before mkdocs-bibtex formats citations
def _generate_and_guard(markdown, page, config, files):
    session: CheckSession = state["session"]
    if not _take_batch(wait=False) and deferred.cites_in_heading(markdown):
        _take_batch(wait=True)  # a heading's text is the title, TOC entry and anchor: no token there
    if isinstance(page.meta.get("description"), str):
        page.meta["description"] = webpage.typographic_quotes(page.meta["description"])
    glossary_page = session.settings.glossary_page
    markdown = rewrite_term_links(stable_heading_ids(markdown), session.index, page.file.src_uri, glossary_page)
    if pages.GLOSSARY_MARKER in markdown:
        used_in = {t.term: backlinks_markdown(t, session.term_uses, session.titles, glossary_page) for t in session.terms}
        markdown = markdown.replace(pages.GLOSSARY_MARKER, render_glossary_markdown(session.terms, used_in, session.index.lookup))
    if pages.BIBLIOGRAPHY_MARKER in markdown:
        batch: DeferredCitations | None = state.get("batch")
        # in the style's order once Pandoc has answered; until then tokens, put in that order afterwards
        texts = None if batch is None else batch.references if batch.ready else batch.reference_tokens()
        known = set(state["aliases"].values())
        if texts and set(texts) >= known:
            listing = pages.reference_list_from_texts({k: v for k, v in texts.items() if k in known})
        else:  # citations not batched: one more Pandoc run for the list
            listing = pages.reference_list_markdown(bibliography.render_reference_list(state["bib_paths"], state["csl"]))
        markdown = markdown.replace(pages.BIBLIOGRAPHY_MARKER, listing)
    # Generated parts (glossary sources) may cite keys too; unknown ones are reported where they are
    # written (page or glossary file) and must not reach mkdocs-bibtex.
    unknown = {use.key for use in find_citations(markdown)[0] if use.key not in session.entries}
    state["unknown_keys"] |= unknown
    markdown = guard.protect_non_prose(_aliased(guard.defuse_unknown_keys(markdown, unknown)))
    if state["author_date"]:
        markdown, narrative_keys = _narrative_citations(markdown)
        markdown = _note_page_references(markdown, page, config, narrative_keys)
    # Every abbreviation gets its tooltip from the glossary source (Python-Markdown's abbr extension).
    return markdown + ABBREVIATIONS_START + abbreviation_definitions(session.terms) + "\n"


def _aliased(markdown: str) -> str:
    """Keys mkdocs-bibtex cannot read whole (``@doi:10.1/x``, ``@{https://...}``) under their aliases."""
    aliases = state["aliases"]
    if all(k == a for k, a in aliases.items()):
        return markdown
    return guard.alias_citations(markdown, find_citations(markdown)[0], aliases)


def _narrative_citations(markdown: str) -> tuple[str, list[str]]:
    """Narrative citations ("@key", "@key [p. 3]") put in as Pandoc formats them (or their tokens), before
    mkdocs-bibtex would print the full reference there; the keys, for the page's reference list. Left to
    mkdocs-bibtex when it formats each page itself (EDITION_BATCH_CITATIONS=false)."""
    batch: DeferredCitations | None = state.get("batch")
    if batch is None or "@" not in markdown:
        return markdown, []
    texts = batch.inline if batch.ready else batch.inline_marks()
    found = guard.narrative_citations(markdown, find_citations(markdown)[0], set(state["aliases"].values()))
    spans = [(start, end, texts[text]) for start, end, text, _ in found if text in texts]
    return guard.replace_spans(markdown, spans), [key for _, _, text, key in found if text in texts]


def _note_page_references(markdown: str, page, config, also: list[str]) -> str:
    """Remember the sources the page cites (as mkdocs-bibtex will read them), for its reference list; where
    the page writes mkdocs-bibtex's bibliography command, the list goes there instead of at the end."""
    from mkdocs_bibtex.citation import CitationBlock

    known = set(state["aliases"].values())
    cited = [c.key for block in CitationBlock.from_markdown(markdown) for c in block.citations] + also
    state["page_keys"][page.file.src_uri] = list(dict.fromkeys(k for k in cited if k in known))
    return markdown.replace(config.plugins.get("bibtex").config.bib_command, pages.PAGE_REFERENCES_MARKER)


def _page_reference_texts(keys: list[str]) -> dict[str, str]:
    """The formatted reference of each cited key, in the style's order (tokens, put in that order when
    Pandoc answers, if it has not yet)."""
    wanted = set(keys)
    batch: DeferredCitations | None = state.get("batch")
    if batch is not None:
        if batch.ready:
            return {k: text for k, text in batch.references.items() if k in wanted}
        tokens = batch.reference_tokens()
        return {k: tokens[k] for k in sorted(wanted) if k in tokens}
    # mkdocs-bibtex formatted the page itself (EDITION_BATCH_CITATIONS=false): its cache has the texts, and one
    # more Pandoc run per build gives the style's order
    cache = state["config"].plugins.get("bibtex").registry._reference_cache
    if state["style_order"] is None:
        state["style_order"] = bibliography.style_order(state["bib_paths"], state["csl"])
    order = state["style_order"]
    return {k: cache[k] for k in sorted(wanted, key=lambda k: order.get(k, len(order))) if k in cache}


@event_priority(-100)  # after mkdocs-bibtex: the page's reference list; put back the '@' hidden in code and URLs
def _restore_hidden_at(markdown, page, config, files):
    keys = state["page_keys"].pop(page.file.src_uri, None)
    if keys is not None:
        heading = None if pages.PAGE_REFERENCES_MARKER in markdown else pages.REFERENCES_HEADING
        markdown = pages.place_page_references(markdown, pages.page_references_markdown(_page_reference_texts(keys), heading))
    return guard.restore_non_prose(markdown)


on_page_markdown = CombinedEvent(_generate_and_guard, _restore_hidden_at)


def on_page_content(html, page, config, files):
    if deferred.TOKEN.search(html):
        if not _take_batch(wait=False):
            state["pending"].add(page.file.src_uri)  # finished in on_page_context, when Pandoc has answered
            return html
        html = _put_citations_in(html, page, config)
    return _finish_content(html, page)


@event_priority(100)  # before the search plugin indexes the page
def on_page_context(context, page, config, nav):
    if page.file.src_uri in state["pending"]:
        state["pending"].discard(page.file.src_uri)
        _take_batch(wait=True)
        page.content = _finish_content(_put_citations_in(page.content, page, config), page)
    if state["preview"] and config.site_url:
        # the preview's pages are files on disk; the address they name as theirs is the published one
        page.canonical_url = config.site_url.rstrip("/") + "/" + book.page_url(page.file.src_uri)
    page.edit_url = webpage.edit_url(page.file.src_uri, page.edit_url, config.repo_url, config.edit_uri, *_edit_targets())
    return context


def _edit_targets() -> tuple[set[str], dict[str, str]]:
    """No edit button on the verbatim essay; the generated pages' buttons open the data they are made from."""
    settings = state["session"].settings
    bibs = settings.bib_files
    bib = settings.shown(bibs[0]) if len(bibs) == 1 else posixpath.commonpath([settings.shown(b) for b in bibs] or ["bib"]) + "/"
    record = state.get("essay")
    return ({record.page} if record else set()), {settings.glossary_page: settings.shown(settings.glossary_file),
                                                  settings.bibliography_page: bib}


def _put_citations_in(html: str, page, config) -> str:
    """A page rendered with tokens gets its formatted citations; it then reads exactly as if it had been
    rendered with them (its Markdown too, which the reading time counts)."""
    batch: DeferredCitations = state["batch"]
    state["with_tokens"] += 1
    page.markdown = batch.restore_markdown(page.markdown)
    result = batch.substitute_html(html, _render_many)
    if result is None or any(deferred.TOKEN.search(title) for title in _toc_titles(page.toc)):
        # a token outside prose (a heading, raw HTML, inside emphasis, glued to a word) or a text that is not
        # one paragraph: render the page again from its restored Markdown, exactly as without tokens
        page.render(config, state["files"])
        result = page.content
        state["rerendered"] += 1
    return batch.reorder_entries(result)  # a reference list written with tokens was in key order


def _toc_titles(items) -> list[str]:
    return [text for item in items for text in (item.title, *_toc_titles(item.children))]


def _render_many(texts: list[str]) -> list[str | None]:
    """Formatted citations in Markdown as pages render them (same extensions, same abbreviations), as
    inline HTML; None for a text that is not a single paragraph."""
    import markdown

    config = state["config"]
    terms = state["session"].terms
    md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
    return deferred.render_texts(texts, [t.abbr for t in terms if t.abbr], lambda source: md.convert(source + abbreviation_definitions(terms)))


def _finish_content(html: str, page) -> str:
    session: CheckSession = state["session"]
    shown = session.settings.shown(Path(page.file.abs_src_path))
    found = check_rendered_html(html, page.file.content_string, shown, state["unknown_keys"])
    session.problems += found
    report(found)
    html = bibliography.link_citations(bibliography.unescape_entry_dollars(bibliography.unescape_link_text(html)))
    html = bibliography.mark_partly_verified(html, state["notes"])
    html = webpage.mark_first_abbreviations(html)
    html = webpage.add_reading_time(html, webpage.reading_minutes(webpage.reading_text(html, bibliography.without_citation_links(page.markdown.split(ABBREVIATIONS_START)[0]))))
    if not page.url.endswith("/") and page.url:  # pages as files (the preview): raw HTML links were written for folders
        html = webpage.folder_hrefs_to_files(html, book.page_url(page.file.src_uri), page.url)
    record = state.get("essay")
    if record is not None and page.file.src_uri == record.page:
        state["essay_cited"] = list(dict.fromkeys(re.findall(r'class="csl-entry" id="ref-([^"]+)"', html)))
        downloads = {label: webpage.site_href(f"cite/{name}", page.url) for label, name in CITE_FILES.items()}
        html = html.replace("<!-- cite:this -->", webpage.cite_block(_citations(state["config"]), downloads))
        html = _key_editorial_notes(html, page, shown)
        html = webpage.add_paragraph_tools(html)
    if record is not None and "<!-- cite:about -->" in html:
        html = html.replace("<!-- cite:about -->", webpage.citing_section(_citations(state["config"])))
    return html


def _citations(config) -> scholarly.Citations:
    """Every citation of the essay, from its record and its .bib entry, once per build (box, about page, PDF)."""
    if state["citations"] is None:
        record = state["essay"]
        editors, why = scholarly.editors_from_git(state["root"])
        if why:
            log.info(f"edition: the editors are cited as '{scholarly.UNNAMED_EDITORS}': {why}")
        entry = state["session"].entries.get(record.bib_key)
        url = (config.site_url or "").rstrip("/") + "/" + book.page_url(record.page)
        state.update(editors=editors, citations=scholarly.citations(record, url, str(state["csl"]), editors, entry.csl if entry else None))
    return state["citations"]


def _key_editorial_notes(html: str, page, shown: str) -> str:
    """Editorial notes keyed to markers in the essay's text, as asides (juego_edition.notes); their search
    entries are added to the index in on_post_build."""
    html, notes, unkeyed = editorial_notes.key_notes(html)
    html = editorial_notes.add_switch(html)
    state["note_entries"] = editorial_notes.search_entries(notes, page.url)
    source = page.file.content_string
    for item in unkeyed:
        if item.code == "notes.paraphrase":
            continue  # a title that describes, not quotes: the marker at the paragraph's end is meant
        at = source.find(f"Editorial note {item.number}:")
        line = source.count("\n", 0, at) + 1 if at != -1 else 1
        report([Problem(shown, line, 1, item.message, item.code, "warning")])
    return html


def _index_editorial_notes(config) -> None:
    path = Path(config.site_dir) / "search" / "search_index.json"
    if state.get("note_entries") and path.is_file():
        index = editorial_notes.add_search_entries(json.loads(path.read_text(encoding="utf-8")), state["note_entries"])
        path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


ABBREVIATIONS_START = "\n\n<!-- abbreviations from glossary/terms.yml -->\n"
CITE_FILES = {"BibTeX": "juego2010-essay.bib", "RIS": "juego2010-essay.ris", "CSL-JSON": "juego2010-essay.json"}


def on_post_page(output, page, config):
    record = state.get("essay")
    if record is not None and page.file.src_uri == record.page:
        session: CheckSession = state["session"]
        keys = {alias: key for key, alias in state["aliases"].items()}
        cited = [session.entries[keys[k]] for k in state.get("essay_cited", []) if keys.get(k) in session.entries]
        meta, _ = book.book_meta(config.extra, config.site_url or "")
        _citations(config)  # names state["editors"]
        site = (config.site_url or "").rstrip("/") + "/"
        tags = scholarly.head_tags(record, page.canonical_url or "", f"{site}downloads/{meta.slug}.pdf",
                                   page.meta.get("description", ""), cited, f"{site}about/#licences", state["editors"])
        output = webpage.inject_head(output, tags)
    if not state["preview"]:  # from disk (the preview), a CORS-mode
        output = webfont.add_preloads(output, webpage.site_href(WEB_FONT, page.url))  # preload is refused
    output = editorial_notes.mark_article(editorial_notes.add_head_script(output))
    if state["command"] != "serve":  # the live-reload script of `mkdocs serve` is inline and unhashed
        output = webpage.add_csp(output, _worker_shim_scripts(output, config))
    return output


def _worker_shim_scripts(output: str, config) -> tuple[str, ...]:
    """In the preview, the inline script the worker shim writes into its iframe, for the page's policy."""
    url = webpage.search_worker_url(output)
    if not state["preview"] or not url:
        return ()
    shim = (Path(config.theme.custom_dir) / OFFLINE_WORKER_SHIM).read_text(encoding="utf-8")
    return (webpage.iframe_worker_script(shim, url),)


def on_post_template(output_content, template_name, config):
    # Pages made from templates alone (404.html) get the same Content Security Policy.
    if template_name.endswith(".html") and state["command"] != "serve":
        output_content = webpage.add_csp(output_content, _worker_shim_scripts(output_content, config))
    return output_content


OFFLINE_WORKER_SHIM = "assets/javascripts/vendor/iframe-worker-shim.js"  # overrides/, iframe-worker 1.0.4
WEB_FONT = "fonts/source-serif-4"  # the text face's WOFF2 files; the site gets them subset, same names


def _subset_web_font(site: Path) -> None:
    text = webfont.site_characters([p.read_text(encoding="utf-8") for p in site.rglob("*.html")])
    for source in sorted((state["root"] / WEB_FONT).glob("*.woff2")):
        webfont.subset_woff2(source, site / WEB_FONT / source.name, text, cache=_workdir())


def on_post_build(config):
    _index_editorial_notes(config)  # after the search plugin has written its index
    if state.get("batch") is not None:  # `mkdocs build -v` shows how the one Pandoc run overlapped the pages
        log.debug(f"citations: one Pandoc run; {state['with_tokens']} page(s) rendered before it answered, "
                  f"{state['rerendered']} of them rendered again")
    # Cross-page totals, after MkDocs has validated links and anchors, so one run lists everything.
    session: CheckSession = state["session"]
    report(session.finish())
    listed = flush_report()
    errors = session.errors
    if errors and state["command"] != "serve":
        raise PluginError(f"{listed} problem(s) in the sources (listed above); fix them and build again")
    _subset_web_font(Path(config.site_dir))
    stylesheets = [str(getattr(f, "path", f)) for f in config.extra_css]
    assets.minify_files(Path(config.site_dir), [*stylesheets, *(str(getattr(f, "path", f)) for f in config.extra_javascript)])
    if state["preview"]:  # its pages cannot preload the faces (see on_post_page)
        for name in stylesheets:
            css = Path(config.site_dir) / name
            if css.is_file():
                css.write_text(webfont.swap_where_not_preloaded(css.read_text(encoding="utf-8")), encoding="utf-8")
    # The offline edition is made from the pages just built, so it reads exactly as the site. Skipped in
    # `serve` (seconds per rebuild); `make build` and `make pdf` always make it.
    record = state.get("essay")
    if record is not None:
        url = (config.site_url or "").rstrip("/") + "/" + book.page_url(record.page)
        cite_dir = Path(config.site_dir) / "cite"
        cite_dir.mkdir(parents=True, exist_ok=True)
        _citations(config)
        editors = state["editors"]
        (cite_dir / CITE_FILES["BibTeX"]).write_text(scholarly.bibtex(record, url, editors), encoding="utf-8")
        (cite_dir / CITE_FILES["RIS"]).write_text(scholarly.ris(record, url, editors), encoding="utf-8")
        (cite_dir / CITE_FILES["CSL-JSON"]).write_text(json.dumps(scholarly.csl_json(record, url, editors), ensure_ascii=False, indent=2), encoding="utf-8")
    has_edition = "essay" in (config.extra.get("edition") or {})
    meta, enabled = book.book_meta(config.extra, config.site_url or "") if has_edition else (None, False)
    if meta is not None and record is not None:  # the title page cites the edition as the site does
        meta = dataclasses.replace(meta, cite_as=_citations(config).edition)
    if enabled and state["command"] != "serve" and not errors:
        paper = os.environ.get("PAPER", "A4")
        try:
            written = book.export_book(Path(config.site_dir), state["root"], meta, paper)
        except Exception as exc:  # WeasyPrint/Pandoc failures: one line, not a traceback
            raise PluginError(f"the PDF/EPUB export failed: {exc.__class__.__name__}: {' '.join(str(exc).split())[:300]}") from None
        for path in written:
            log.info(f"wrote {path.relative_to(config.site_dir)} ({path.stat().st_size // 1024} KiB)")
