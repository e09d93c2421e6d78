"""The edition's MkDocs events: the pure package wired into a build.

An edition's ``hooks/edition.py`` only binds these events (``EditionHooks().events()``). Only translation between
MkDocs objects and plain data lives here; the checks are in :mod:`scholarly_edition.checks` and run the same way
standalone (``python -m scholarly_edition check``). Everything one build knows is one :class:`Build`, made in
``on_config``: ``mkdocs serve`` reuses the hook between rebuilds, and nothing of one build leaks into the next.
Every contact with mkdocs-bibtex goes through :mod:`scholarly_edition.bibtex_adapter`.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority

from . import assets, bibliography, book, deferred, guard, pages, problempages, scholarly, webfont, webpage
from . import notes as editorial_notes
from .bibtex_adapter import BibtexPlugin, citation_blocks, quiet_unknown_keys
from .checks import CheckSession, settings_from_config
from .deferred import DeferredCitations
from .citations import find_citations
from .config import CONFIG_FILE, RELEASE_ENV, EditionConfig, read_config, released, unreadable
from .diagnostics import GROUP_AFTER, Problem, grouped, list_all_from_env, root_cause_first, skipped_note
from .glossary import render_glossary_markdown
from .rendered import check_rendered_html
from .terms import abbreviation_definitions, backlinks_markdown, rewrite_term_links, stable_heading_ids

# Under the 'mkdocs' logger, so --strict counts our warnings (a plain getLogger(__name__) would not);
# not get_plugin_logger, whose "hooks/edition: " prefix would stop editors from jumping to path:line:col.
log = logging.getLogger("mkdocs.plugins.scholarly_edition")

PACKAGE = Path(__file__).parent
THEME = PACKAGE / "theme"  # templates, stylesheets and scripts, before Material's and after an edition's custom_dir
STYLESHEETS = ["stylesheets/edition.css", "stylesheets/cite.css", "stylesheets/notes.css", "stylesheets/citations.css"]
SCRIPTS = ["javascripts/edition.js", "javascripts/cite.js", "javascripts/notes.js", "javascripts/citations.js"]
OFFLINE_WORKER_SHIM = "assets/javascripts/vendor/iframe-worker-shim.js"  # theme/, iframe-worker 1.0.4
SEARCH_SEPARATOR = r"[\s\-\u2010-\u2015\u2018\u2019\u201a\u201c\u201d\u201e\u00ab\u00bb]+"
WEB_FONT = "fonts/source-serif-4"  # the text face's WOFF2 files (package and site); the site gets them subset


@dataclass
class Build:
    """What one build knows: made in ``on_config``, dropped at its end."""

    command: str  # 'serve' keeps serving with problems listed; 'build' fails on them
    root: Path
    session: CheckSession
    bibtex: BibtexPlugin
    csl: Path
    edition: EditionConfig | None
    preview: bool  # the preview read from disk (make preview): pages as files
    batch_mode: str  # see batch_mode()
    bib_paths: list[Path]
    bib_text: str
    aliases: dict[str, str]  # key as written -> the key mkdocs-bibtex reads
    notes: dict[str, str]  # alias -> the entry's verification note
    known: set[str]  # the keys mkdocs-bibtex reads (the aliases' values), once per build
    docs_prefix: str
    abbreviations_start: str  # the comment before the glossary's abbreviations, appended to every page's Markdown
    csl_json: Path | None = None
    batch: DeferredCitations | None = None  # the one Pandoc run for every citation, and its placeholder tokens
    pending: set[str] = field(default_factory=set)  # pages rendered with tokens, finished in on_page_context
    with_tokens: int = 0
    rerendered: int = 0
    author_date: bool = False
    files: Any = None  # MkDocs' Files: a page rendered with tokens in the wrong place is rendered again
    to_report: list[Problem] = field(default_factory=list)
    reported_links: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    unknown_keys: set[str] = field(default_factory=set)
    page_keys: dict[str, list[str]] = field(default_factory=dict)
    style_order: dict[str, int] | None = None
    essay_cited: list[str] = field(default_factory=list)
    note_entries: list = field(default_factory=list)
    citations: scholarly.Citations | None = None
    # `make serve`, and a preview built with EDITION_SHOW_PROBLEMS=true: the build goes on with errors and shows
    # each problem on the page it concerns (problempages); every problem reported is kept for that
    show_problems: bool = False
    reported: list[Problem] = field(default_factory=list)
    # Parts of pages made once per build and depth of page ([6/6]), each with whether it sets italics
    site_maps: dict[str, tuple[str, bool]] = field(default_factory=dict)  # base_url -> the foot's list of pages
    nav_items: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)  # (nav path, base_url) -> an item
    # What the web font needs, gathered as pages are written (webfont.SiteText), the pages read for it, and the
    # parts of the page being rendered, which it reads once, not on every page.
    site_text: webfont.SiteText = field(default_factory=webfont.SiteText)
    read_for_font: set[str] = field(default_factory=set)
    page_parts: list[tuple[str, bool]] = field(default_factory=list)


class _DropMkDocsDuplicates(logging.Filter):
    """MkDocs' own link, anchor and nav validation stays on as a safety net, but where our checks already
    reported the page with path:line:col, MkDocs' place-less line for the same page is dropped."""

    def __init__(self, hooks: "EditionHooks"):
        super().__init__()
        self.hooks = hooks

    def filter(self, record: logging.LogRecord) -> bool:
        build = self.hooks.build
        if build is None:
            return True
        message = record.getMessage()
        page = re.match(r"Doc file '([^']+)' contains a link", message)
        if page and build.docs_prefix + page.group(1) in build.reported_links:
            return False
        if message.startswith("The following pages exist in the docs directory"):
            listed = [line.strip().lstrip("- ").strip() for line in message.splitlines()[1:] if line.strip()]
            return not listed or not all(build.docs_prefix + src in build.reported_links for src in listed)
        return True


def _install_filter(hooks: "EditionHooks") -> None:
    for name in ("mkdocs.structure.pages", "mkdocs.structure.nav"):
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, _DropMkDocsDuplicates)]:
            logger.removeFilter(old)  # a hook module loaded again (mkdocs serve) replaces its filter
        logger.addFilter(_DropMkDocsDuplicates(hooks))


class EditionHooks:
    """The MkDocs events of an edition; one instance per hook module (see :meth:`events`)."""

    def __init__(self) -> None:
        self.command = "build"
        self.build: Build | None = None
        self._workdir: Path | None = None
        self.latest = ""  # in a release build (make release): the latest version's address
        self._rooted_urls = False  # a nav item rendered for every page at its depth (_nav_items)
        quiet_unknown_keys()
        _install_filter(self)
        self.on_page_markdown = CombinedEvent(self._generate_and_guard, self._restore_hidden_at)

    def events(self) -> dict[str, Any]:
        """The ``on_*`` names MkDocs looks for in a hook module, bound to this instance."""
        return {name: getattr(self, name) for name in dir(self) if name.startswith("on_")}

    # ------------------------------------------------------------------------------------ reporting

    def report(self, problems: list[Problem]) -> None:
        """Problems are kept until the build ends (``flush_report``), so they are listed sorted by file and line,
        unreadable files first, whichever event found them."""
        if self.build is not None:
            self.build.to_report.extend(problems)
            self.build.reported.extend(problems)

    def flush_report(self) -> int:
        """Log every problem kept by ``report``; return how many were logged as errors."""
        if self.build is None:
            return 0
        found, self.build.to_report = self.build.to_report, []
        return _log_problems(found)

    # ------------------------------------------------------------------------------------ events

    def on_startup(self, command, dirty):
        self.command = command

    def on_shutdown(self):
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def on_env(self, env, config, files):
        if self.command == "serve":  # a rebuild reads the theme's templates compiled by the build before
            env.bytecode_cache = SERVE_TEMPLATES
        env.globals["edition_site_map"] = self._site_map  # partials/copyright.html
        env.globals["edition_nav_items"] = jinja2.pass_context(lambda context, render, items: self._nav_items(context, render, items))  # partials/nav.html
        env.filters["url"] = self._url_filter(env.filters["url"])
        return env

    def _url_filter(self, page_relative):
        """MkDocs' ``url`` filter, which makes a link relative to the page; while a nav item is rendered for every
        page at its depth, relative to the site's root instead, as MkDocs does where there is no page."""
        from mkdocs.utils import normalize_url

        def url(context, value):
            if self._rooted_urls:
                rooted = normalize_url(str(value), None, context["base_url"])
                return rooted[:-2] if rooted.endswith("/.") else rooted  # the home page: '..', not '../.'
            return page_relative(context, value)

        return jinja2.pass_context(url)

    def _nav_items(self, context, render, items) -> str:
        """The nav's top-level items (partials/nav.html) with Material's own macro: the item that holds the page
        as it renders it, every other item once per build and depth of page (``base_url``), its links from the
        site's root, not walked again on each page ([6/6])."""
        page, base = context.get("page"), context.get("base_url")
        cache = self.build.nav_items if self.build is not None else {}
        if self.build is None:
            return "\n".join(str(render(item, f"__nav_{index}", 1)) for index, item in enumerate(items, 1))
        out, italic = [], False
        for index, item in enumerate(items, 1):
            path = f"__nav_{index}"
            if page is None or item.active:
                live = str(render(item, path, 1))
                out.append(live)
                italic = self.build.site_text.read_part(live) or italic
                continue
            key = (path, base)
            if key not in self.build.nav_items:
                self._rooted_urls = True
                try:
                    html = str(render(item, path, 1))
                finally:
                    self._rooted_urls = False
                self.build.nav_items[key] = (html, self.build.site_text.read_part(html))
            html, item_italic = self.build.nav_items[key]
            out.append(html)
            italic = italic or item_italic
        return self._in_page("\n".join(out), italic)

    def _in_page(self, part: str, italic: bool) -> str:
        """``part`` (already read for the web font) goes into the page being rendered: on_post_page reads the
        page without it."""
        self.build.page_parts.append((part, italic))
        return part

    def _read_for_font(self, output: str, page) -> list[str]:
        """The page as it is written, read for the web font without the parts read once per build; the faces it
        uses."""
        build = self.build
        parts, build.page_parts = build.page_parts, []
        build.read_for_font.add(os.path.normpath(page.file.abs_dest_path))
        return build.site_text.add_page(output, parts)

    def _site_map(self, nav, base_url: str) -> str:
        """The foot's list of the edition's pages, made once per build for each depth of page."""
        if self.build is None:
            return webpage.site_map(webpage.site_map_entries(nav), base_url)
        maps = self.build.site_maps
        if base_url not in maps:
            html = webpage.site_map(webpage.site_map_entries(nav), base_url)
            maps[base_url] = (html, self.build.site_text.read_part(html))
        return self._in_page(*maps[base_url])

    def on_serve(self, server, config, builder):
        _poll_often(server, SERVE_POLL)
        if hasattr(server, "build_delay"):  # MkDocs waits this long after a change for more of them (0.1 s)
            server.build_delay = SERVE_POLL
        return server

    def on_build_error(self, error):
        self.flush_report()  # a build that stops early still lists what was found

    def _scratch(self) -> Path:
        """One scratch folder per process (``mkdocs serve`` rebuilds reuse it), removed when MkDocs exits."""
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="edition-"))
        return self._workdir

    @event_priority(100)  # before mkdocs-bibtex's on_config, which reads csl_file and the .bib files
    def on_config(self, config):
        self.build = None
        root = Path(config.config_file_path).parent
        bibtex = BibtexPlugin.of(config.plugins)
        if bibtex is None:
            raise PluginError(f"{CONFIG_FILE}: the 'bibtex' plugin (mkdocs-bibtex) is required by the edition's hook; add it under plugins")
        try:
            source = read_config(Path(config.config_file_path))  # the one reader of the edition's block
        except Exception as exc:  # MkDocs read it a moment ago; this can only be a race with an editor saving
            raise PluginError(str(unreadable(exc))) from None
        settings = settings_from_config(root, source)
        config_errors = [p for p in settings.problems if p.code.startswith("config.")]
        if config_errors:  # the configuration is wrong: one line per key, then stop, before anything is built
            shown, _ = root_cause_first(config_errors)
            raise PluginError("\n".join(str(p) for p in shown))
        if not bibtex.csl_file:
            raise PluginError(f"{CONFIG_FILE}: plugins.bibtex.csl_file is not set; name a CSL style, e.g. csl_file: chicago-author-date [config.csl_style]")
        csl = settings.csl_file  # resolved by the settings; an unknown name stopped the build above
        bibtex.csl_file = str(csl)  # an unknown name was reported above, at its line (config.csl_style)
        edition = settings.edition
        release = os.environ.get(RELEASE_ENV, "").strip()
        self.latest = ""
        if release and edition is not None:  # `make release`: this version, at its own address (mike's folder)
            self.latest = (config.site_url or "").rstrip("/") + "/latest/" if config.site_url else ""
            edition, site_url = released(edition, config.site_url or "", release)
            if os.environ.get("MIKE_DOCS_VERSION") != release:  # under mike, its own plugin puts the version there
                config.site_url = site_url
            settings.edition = edition
            # Material's version selector and, on a version that is not the latest, its banner (theme/main.html)
            config.extra["version"] = {"provider": "mike", "default": "latest", **(config.extra.get("version") or {})}
        self._wire_theme(config, edition)
        if self.command == "serve":
            _list_theme_files_once(config.theme)
        search = config.plugins.get("material/search") or config.plugins.get("search")
        if search is not None and not search.config.separator:
            # Material's English default, [\s\-]+, keeps a curly quote on the word after it ("‘disposable"), so the
            # word itself is not found; curly quotes and dashes separate words too.
            search.config.separator = SEARCH_SEPARATOR
        offline = config.plugins.get("material/offline") or config.plugins.get("offline")
        preview = offline is not None and offline.config.enabled
        if preview:
            config.use_directory_urls = False  # what the offline plugin sets too, but after this hook has run
            # Material's offline plugin would add the worker shim from unpkg.com; a local copy is added instead
            # (the plugin adds nothing when a polyfill named iframe-worker is already there).
            config.extra["polyfills"] = [*config.extra.get("polyfills", []), OFFLINE_WORKER_SHIM]
        session = CheckSession(settings)
        found = session.load_data()
        feed, keys, bib_text, aliases = _feeds(session, self._scratch())
        bibtex.read_only(str(keys))
        self.build = build = Build(
            command=self.command, root=root, session=session, bibtex=bibtex, csl=csl, edition=edition, preview=preview,
            batch_mode=batch_mode(),
            bib_paths=[feed],  # only entries that parse; a broken one is reported, not a Pandoc crash
            bib_text=bib_text, aliases=aliases, known=set(aliases.values()),
            # the note as a reader reads it: TeX's "13--15" as "13–15", as Pandoc prints the other fields
            notes=bibliography.verification_notes({aliases[k]: {"note": scholarly.tex_text(e.fields.get("note", ""))}
                                                   for k, e in session.entries.items()}),
            docs_prefix=settings.shown(settings.docs_dir).rstrip("/") + "/",
            abbreviations_start=f"\n\n<!-- abbreviations from {settings.shown(settings.glossary_file)} -->\n",
            show_problems=self.command == "serve" or os.environ.get("EDITION_SHOW_PROBLEMS", "").lower() in ("1", "true", "yes"),
        )
        self.report(found)
        if build.batch_mode != "false":  # the CSL JSON for the one citeproc run: Pandoc's reading of the model
            handle, name = tempfile.mkstemp(suffix=".json", dir=self._scratch())  # its own file: serve rebuilds overlap
            os.close(handle)
            build.csl_json = Path(name)
            items = [dict(item, id=aliases.get(item.get("id"), item.get("id"))) for item in session.bibliography.csl_items]
            build.csl_json.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        return config

    def _wire_theme(self, config, edition: EditionConfig | None) -> None:
        """The generator's templates, stylesheets and scripts, under the edition's own (custom_dir, extra_css)."""
        dirs = config.theme.dirs
        if str(THEME) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(THEME))
        config.extra_css[:0] = [s for s in STYLESHEETS if s not in config.extra_css]
        scripts = {str(s) for s in config.extra_javascript}
        config.extra_javascript[:0] = [s for s in SCRIPTS if s not in scripts]
        config.extra["edition_view"] = _template_view(edition)

    def on_files(self, files, config):
        # Every page's sources are checked here, before any page renders: the glossary page lists where each
        # term is used, so it needs all pages scanned first. One pass per page keeps the checks linear.
        build = self.build
        session = build.session
        found, sources = [], {}
        for file in files.documentation_pages():
            shown = session.settings.shown(Path(file.abs_src_path))
            try:
                sources[file.src_uri] = (shown, file.content_string)
            except UnicodeDecodeError as exc:
                found.append(Problem(shown, 1, 1, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", "page.encoding"))
                build.unreadable.add(file.src_uri)
        session.problems += found
        build.bibtex.hand_pandoc(build.bib_text)
        # One citation system: author-date in the text, linked to a reference list per page; no footnotes.
        build.author_date = build.bibtex.author_date_only()
        build.files = files
        # The source checks run before the one Pandoc run starts (they take about as long as `make check`): when
        # they fail a build, it stops here with what `make check` lists, instead of formatting every citation
        # first (minutes for a large .bib). `mkdocs serve` goes on, to keep serving with the problems listed.
        found += session.check_pages(sources)
        build.reported_links = {p.path for p in found if p.code.startswith(("link.", "page.not_in_nav"))}
        self.report(found)
        if session.errors and not build.show_problems:  # a preview with problems goes on, to show them on the pages
            self.report(session.finish())  # the cross-page totals too, so the list is the one `make check` gives
            listed = self.flush_report()
            raise PluginError(f"{listed} problem(s) in the sources (listed above); fix them and build again "
                              "(the site was not rendered: the source checks failed first)")
        if build.batch_mode != "false":
            self._start_citation_run(sources)  # in the background, while the pages render
        # A page MkDocs cannot decode would end the build with a traceback; it is reported above instead.
        for src in build.unreadable:
            files.remove(files.get_file_from_path(src))
        return files

    def _start_citation_run(self, sources: dict) -> None:
        """One Pandoc run per build instead of mkdocs-bibtex's one per page: every citation of every page (and of
        the glossary) and every entry for the bibliography page, formatted in the background. Until it answers,
        mkdocs-bibtex's caches hold placeholder tokens, which pages render with; ``_take_batch`` then puts the
        formatted texts in the caches and ``_put_citations_in`` in the pages rendered with tokens (`make bench`
        measured what this overlap gains: bench/results-tokens.md). Citations are also labelled consistently
        across the whole site (e.g. "2010a" everywhere, as in the bibliography), which one run per page cannot
        do. Unknown keys are left out: they are reported and never reach mkdocs-bibtex."""
        build = self.build
        session = build.session
        if not build.bibtex.has_registry or not session.entries:
            return
        text = "\n".join(body for _, body in sources.values()) + "\n" + render_glossary_markdown(session.terms)
        known = build.known
        blocks, seen = [], set()
        guarded = guard.protect_non_prose(self._aliased(text))
        for block in citation_blocks(guarded):
            if str(block) in seen or any(c.key not in known for c in block.citations):
                continue
            seen.add(str(block))
            blocks.append(block)
        for _, _, narrative, _ in guard.narrative_citations(guarded, find_citations(guarded)[0], known):
            if narrative not in seen:  # "@key" in running text: Pandoc's "Author (2010)"
                seen.add(narrative)
                blocks.append(narrative)
        csl_json, csl, texts = build.csl_json, build.csl, [str(block) for block in blocks]
        run = deferred.in_background(lambda: bibliography.format_citation_blocks(texts, csl_json, csl))
        batch = DeferredCitations(blocks, sorted(known), run)
        build.bibtex.fill(batch.inline_marks(), batch.reference_tokens())
        build.batch = batch

    def _take_batch(self, wait: bool) -> bool:
        """Install Pandoc's answer in mkdocs-bibtex's caches once it has come; True when citations are final."""
        build = self.build
        batch = build.batch
        if batch is None or batch.ready:
            return True
        if not wait and build.batch_mode == "deferred":
            return False
        wait = wait or build.batch_mode == "wait"
        try:
            if not batch.resolve(wait):
                return False
        except Exception as exc:  # Pandoc missing or failing: one line, not a traceback
            raise PluginError(f"Pandoc could not format the citations: {exc.__class__.__name__}: {' '.join(str(exc).split())[:300]}") from None
        build.bibtex.fill(batch.inline, batch.references)
        return True

    @event_priority(50)  # generated Markdown and our guards come before mkdocs-bibtex formats citations
    def _generate_and_guard(self, markdown, page, config, files):
        build = self.build
        session = build.session
        if not self._take_batch(wait=False) and deferred.cites_in_heading(markdown):
            self._take_batch(wait=True)  # a heading's text is the title, TOC entry and anchor: no token there
        if isinstance(page.meta.get("description"), str):
            page.meta["description"] = webpage.typographic_quotes(page.meta["description"])
        glossary_page = session.settings.glossary_page
        markdown = rewrite_term_links(stable_heading_ids(markdown), session.index, page.file.src_uri, glossary_page)
        if pages.GLOSSARY_MARKER in markdown:
            used_in = {t.term: backlinks_markdown(t, session.term_uses, session.titles, glossary_page) for t in session.terms}
            markdown = markdown.replace(pages.GLOSSARY_MARKER, render_glossary_markdown(session.terms, used_in, session.index.lookup))
        if pages.BIBLIOGRAPHY_MARKER in markdown:
            batch = build.batch
            # in the style's order once Pandoc has answered; until then tokens, put in that order afterwards
            texts = None if batch is None else batch.references if batch.ready else batch.reference_tokens()
            known = build.known
            if texts and set(texts) >= known:
                listing = pages.reference_list_from_texts({k: v for k, v in texts.items() if k in known})
            else:  # citations not in one run: one more Pandoc run for the list
                listing = pages.reference_list_markdown(bibliography.render_reference_list(build.bib_paths, build.csl))
            markdown = markdown.replace(pages.BIBLIOGRAPHY_MARKER, listing)
        if pages.VERSIONS_MARKER in markdown:  # read from git at every build: a release is HEAD, tagged after it
            from . import changes

            layout = changes.layout_from(session.settings)
            history = changes.read_history(build.root, os.environ.get(RELEASE_ENV) or None, config.repo_url, layout)
            shown = changes.render_markdown(history, layout, page.file.src_uri, {f.src_uri for f in files.documentation_pages()})
            markdown = markdown.replace(pages.VERSIONS_MARKER, shown)
        # Generated parts (glossary sources) may cite keys too; unknown ones are reported where they are
        # written (page or glossary file) and must not reach mkdocs-bibtex.
        unknown = {use.key for use in find_citations(markdown)[0] if use.key not in session.entries}
        build.unknown_keys |= unknown
        markdown = guard.protect_non_prose(self._aliased(guard.defuse_unknown_keys(markdown, unknown)))
        if build.author_date:
            markdown, narrative_keys = self._narrative_citations(markdown)
            markdown = self._note_page_references(markdown, page, narrative_keys)
        # Every abbreviation gets its tooltip from the glossary source (Python-Markdown's abbr extension).
        return markdown + build.abbreviations_start + abbreviation_definitions(session.terms) + "\n"

    def _aliased(self, markdown: str) -> str:
        """Keys mkdocs-bibtex cannot read whole (``@doi:10.1/x``, ``@{https://...}``) under their aliases."""
        aliases = self.build.aliases
        if all(k == a for k, a in aliases.items()):
            return markdown
        return guard.alias_citations(markdown, find_citations(markdown)[0], aliases)

    def _narrative_citations(self, markdown: str) -> tuple[str, list[str]]:
        """Narrative citations ("@key", "@key [p. 3]") put in as Pandoc formats them, before mkdocs-bibtex would
        print the full reference there; the keys, for the page's reference list. Left to mkdocs-bibtex when it
        formats each page itself (EDITION_BATCH_CITATIONS=false)."""
        batch = self.build.batch
        if batch is None or "@" not in markdown:
            return markdown, []
        texts = batch.inline if batch.ready else batch.inline_marks()
        found = guard.narrative_citations(markdown, find_citations(markdown)[0], self.build.known)
        spans = [(start, end, texts[text]) for start, end, text, _ in found if text in texts]
        return guard.replace_spans(markdown, spans), [key for _, _, text, key in found if text in texts]

    def _note_page_references(self, markdown: str, page, also: list[str]) -> str:
        """Remember the sources the page cites (as mkdocs-bibtex will read them), for its reference list; where
        the page writes mkdocs-bibtex's bibliography command, the list goes there instead of at the end."""
        known = self.build.known
        cited = [c.key for block in citation_blocks(markdown) for c in block.citations] + also
        self.build.page_keys[page.file.src_uri] = list(dict.fromkeys(k for k in cited if k in known))
        return markdown.replace(self.build.bibtex.bib_command, pages.PAGE_REFERENCES_MARKER)

    def _page_reference_texts(self, keys: list[str]) -> dict[str, str]:
        """The formatted reference of each cited key, in the style's order (tokens, put in that order when Pandoc
        answers, if it has not yet)."""
        build = self.build
        wanted = set(keys)
        batch = build.batch
        if batch is not None:
            if batch.ready:
                return {k: text for k, text in batch.references.items() if k in wanted}
            tokens = batch.reference_tokens()
            return {k: tokens[k] for k in sorted(wanted) if k in tokens}
        # mkdocs-bibtex formatted the page itself (EDITION_BATCH_CITATIONS=false): its cache has the texts, and one
        # more Pandoc run per build gives the style's order
        cache = build.bibtex.reference_texts()
        if build.style_order is None:
            build.style_order = bibliography.style_order(build.bib_paths, build.csl)
        order = build.style_order
        return {k: cache[k] for k in sorted(wanted, key=lambda k: order.get(k, len(order))) if k in cache}

    @event_priority(-100)  # after mkdocs-bibtex: the page's reference list; put back the '@' hidden in code and URLs
    def _restore_hidden_at(self, markdown, page, config, files):
        keys = self.build.page_keys.pop(page.file.src_uri, None)
        if keys is not None:
            heading = None if pages.PAGE_REFERENCES_MARKER in markdown else pages.REFERENCES_HEADING
            markdown = pages.place_page_references(markdown, pages.page_references_markdown(self._page_reference_texts(keys), heading))
        return guard.restore_non_prose(markdown)

    def on_page_content(self, html, page, config, files):
        if deferred.TOKEN.search(html):
            if not self._take_batch(wait=False):
                self.build.pending.add(page.file.src_uri)  # finished in on_page_context, when Pandoc has answered
                return html
            html = self._put_citations_in(html, page, config)
        return self._finish_content(html, page, config)

    def _put_citations_in(self, html: str, page, config) -> str:
        """A page rendered with tokens gets its formatted citations; it then reads exactly as if it had been
        rendered with them (its Markdown too, which the search index and the checks read)."""
        build = self.build
        batch = build.batch
        build.with_tokens += 1
        page.markdown = batch.restore_markdown(page.markdown)
        result = batch.substitute_html(html, lambda texts: self._render_many(texts, config))
        if result is None or any(deferred.TOKEN.search(title) for title in toc_titles(page.toc)):
            # a token outside prose (a heading, raw HTML, inside emphasis, glued to a word) or a text that is not
            # one paragraph: render the page again from its restored Markdown, exactly as without tokens
            page.render(config, build.files)
            result = page.content
            build.rerendered += 1
        return batch.reorder_entries(result)  # a reference list written with tokens was in key order

    def _render_many(self, texts: list[str], config) -> list[str | None]:
        """Formatted citations in Markdown as pages render them (same extensions, same abbreviations), as inline
        HTML; None for a text that is not a single paragraph."""
        import markdown

        terms = self.build.session.terms
        definitions = abbreviation_definitions(terms)
        key = (tuple(texts), definitions, repr(config.markdown_extensions), repr(config.mdx_configs))
        if key not in _RENDERED:  # once per process for the same texts: `mkdocs serve` rebuilds after most edits
            md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
            if len(_RENDERED) > 8:
                _RENDERED.clear()
            _RENDERED[key] = deferred.render_texts(texts, [t.abbr for t in terms if t.abbr], lambda source: md.convert(source + definitions))
        return list(_RENDERED[key])

    def _finish_content(self, html: str, page, config) -> str:
        build = self.build
        session = build.session
        shown = session.settings.shown(Path(page.file.abs_src_path))
        found = check_rendered_html(html, page.file.content_string, shown, build.unknown_keys)
        session.problems += found
        self.report(found)
        html = bibliography.link_citations(bibliography.unescape_entry_dollars(bibliography.unescape_link_text(html)))
        html = bibliography.mark_partly_verified(html, build.notes)
        html = webpage.mark_first_abbreviations(html)
        if not page.url.endswith("/") and page.url:  # pages as files (the preview): raw HTML links were written for folders
            html = webpage.folder_hrefs_to_files(html, book.page_url(page.file.src_uri), page.url)
        edition = build.edition
        if edition is not None and page.file.src_uri == edition.essay.page:
            build.essay_cited = list(dict.fromkeys(re.findall(r'class="csl-entry" id="ref-([^"]+)"', html)))
            downloads = {label: webpage.site_href(f"cite/{name}", page.url) for label, name in cite_files(edition).items()}
            html = html.replace("<!-- cite:this -->", webpage.cite_block(self._citations(config), downloads))
            html = self._key_editorial_notes(html, page, shown)
            html = webpage.add_paragraph_tools(html)
        if edition is not None and "<!-- cite:about -->" in html:
            html = html.replace("<!-- cite:about -->", webpage.citing_section(self._citations(config), edition.essay.record_label))
        return html

    def _citations(self, config) -> scholarly.Citations:
        """Every citation of the essay, from its record and its .bib entry, once per build (box, about page, PDF)."""
        build = self.build
        if build.citations is None:
            edition = build.edition
            entry = build.session.entries.get(edition.essay.bib_key)
            latest = self.latest + book.page_url(edition.essay.page) if self.latest else ""
            build.citations = scholarly.citations(edition, essay_url(config, edition), str(build.csl), entry.csl if entry else None, latest)
        return build.citations

    def _key_editorial_notes(self, html: str, page, shown: str) -> str:
        """Editorial notes keyed to markers in the essay's text, as asides (scholarly_edition.notes); their search
        entries are added to the index in on_post_build."""
        html, notes, unkeyed = editorial_notes.key_notes(html)
        html = editorial_notes.add_switch(html)
        self.build.note_entries = editorial_notes.search_entries(notes, page.url)
        source = page.file.content_string
        for item in unkeyed:
            if item.code == "notes.paraphrase":
                continue  # a title that describes, not quotes: the marker at the paragraph's end is meant
            at = source.find(f"Editorial note {item.number}:")
            line = source.count("\n", 0, at) + 1 if at != -1 else 1
            problem = Problem(shown, line, 1, item.message, item.code, "error" if item.code == "notes.order" else "warning")
            self.build.session.problems.append(problem)  # an error counts in session.errors: no books from it
            self.report([problem])
        return html

    @event_priority(100)  # before the search plugin indexes the page
    def on_page_context(self, context, page, config, nav):
        build = self.build
        if page.file.src_uri in build.pending:
            build.pending.discard(page.file.src_uri)
            self._take_batch(wait=True)
            page.content = self._finish_content(self._put_citations_in(page.content, page, config), page, config)
        if build.preview and config.site_url:
            # the preview's pages are files on disk; the address they name as theirs is the published one
            page.canonical_url = config.site_url.rstrip("/") + "/" + book.page_url(page.file.src_uri)
        page.edit_url = webpage.edit_url(page.file.src_uri, page.edit_url, config.repo_url, config.edit_uri, *self._edit_targets())
        return context

    def _edit_targets(self) -> tuple[set[str], dict[str, str]]:
        """No edit button on the verbatim essay; the generated pages' buttons open the data they are made from."""
        settings = self.build.session.settings
        bibs = settings.bib_files
        bib = settings.shown(bibs[0]) if len(bibs) == 1 else posixpath.commonpath([settings.shown(b) for b in bibs] or ["bib"]) + "/"
        edition = self.build.edition
        return ({edition.essay.page} if edition else set()), {settings.glossary_page: settings.shown(settings.glossary_file),
                                                               settings.bibliography_page: bib}

    def on_post_page(self, output, page, config):
        build = self.build
        edition = build.edition
        if edition is not None and page.file.src_uri == edition.essay.page:
            session = build.session
            keys = {alias: key for key, alias in build.aliases.items()}
            cited = [session.entries[keys[k]] for k in build.essay_cited if keys.get(k) in session.entries]
            site = (config.site_url or "").rstrip("/") + "/"
            tags = scholarly.head_tags(edition, page.canonical_url or "", f"{site}downloads/{edition.download('.pdf')}",
                                       page.meta.get("description", ""), cited, f"{site}about/#licences")
            output = webpage.inject_head(output, tags)
        output = webfont.add_load_faces_script(output, self._read_for_font(output, page))  # decoded while parsing
        output = editorial_notes.mark_article(editorial_notes.add_head_script(output))
        if self.command != "serve":  # the live-reload script of `mkdocs serve` is inline and unhashed
            output = webpage.add_csp(output, self._worker_shim_scripts(output))
        return output

    def _worker_shim_scripts(self, output: str) -> tuple[str, ...]:
        """In the preview, the inline script the worker shim writes into its iframe, for the page's policy."""
        url = webpage.search_worker_url(output)
        if self.build is None or not self.build.preview or not url:
            return ()
        shim = (THEME / OFFLINE_WORKER_SHIM).read_text(encoding="utf-8")
        return (webpage.iframe_worker_script(shim, url),)

    def on_post_template(self, output_content, template_name, config):
        if self.build is not None:  # 404.html is read whole in on_post_build; its parts are not a page's
            self.build.page_parts = []
        # Pages made from templates alone (404.html) get the same Content Security Policy.
        if template_name.endswith(".html") and self.command != "serve":
            output_content = webpage.add_csp(output_content, self._worker_shim_scripts(output_content))
        return output_content

    def on_post_build(self, config):
        build = self.build
        site_dir = Path(config.site_dir)
        self._index_editorial_notes(site_dir)  # after the search plugin has written its index
        if build.batch is not None:  # `mkdocs build -v` shows how the one Pandoc run overlapped the pages
            log.debug(f"citations: one Pandoc run; {build.with_tokens} page(s) rendered before it answered, "
                      f"{build.rerendered} of them rendered again")
        # Cross-page totals, after MkDocs has validated links and anchors, so one run lists everything.
        session = build.session
        self.report(session.finish())
        listed = self.flush_report()
        errors = session.errors
        if build.show_problems:
            self._show_problems()
        if errors and not build.show_problems:
            raise PluginError(f"{listed} problem(s) in the sources (listed above); fix them and build again")
        faces = self._subset_web_font(site_dir)
        stylesheets = [str(getattr(f, "path", f)) for f in config.extra_css]
        assets.minify_files(site_dir, [*stylesheets, *(str(getattr(f, "path", f)) for f in config.extra_javascript)])
        for name in stylesheets:  # the faces inside the stylesheets: drawn from the first paint (webfont.py)
            css = site_dir / name
            if css.is_file():
                css.write_text(webfont.embed_faces(css.read_text(encoding="utf-8"), css, faces), encoding="utf-8")
        edition = build.edition
        if edition is None:
            return
        url = essay_url(config, edition)
        cite_dir = site_dir / "cite"
        cite_dir.mkdir(parents=True, exist_ok=True)
        names = cite_files(edition)
        (cite_dir / names["BibTeX"]).write_text(scholarly.bibtex(edition, url), encoding="utf-8")
        (cite_dir / names["RIS"]).write_text(scholarly.ris(edition, url), encoding="utf-8")
        (cite_dir / names["CSL-JSON"]).write_text(json.dumps(scholarly.csl_json(edition, url), ensure_ascii=False, indent=2), encoding="utf-8")
        # The offline edition is made from the pages just built, so it reads exactly as the site. Skipped in
        # `serve` (seconds per rebuild); `make build` and `make pdf` always make it.
        if edition.export and self.command != "serve" and not errors:
            meta = book.book_meta(edition, config.site_url or "", self._citations(config).edition, session.settings.bibliography_page,
                                  config.repo_url or "")
            try:
                written = book.export_book(site_dir, meta, edition.paper)
            except Exception as exc:  # WeasyPrint/Pandoc failures: one line, not a traceback
                raise PluginError(f"the PDF/EPUB export failed: {exc.__class__.__name__}: {' '.join(str(exc).split())[:300]}") from None
            for path in written:
                log.info(f"wrote {path.relative_to(site_dir)} ({path.stat().st_size // 1024} KiB)")

    def _show_problems(self) -> None:
        """Each problem reported in a box on the page it concerns, and all of them on the home page."""
        build = self.build
        if not build.reported or build.files is None:
            return
        settings = build.session.settings
        routes = {settings.shown(settings.glossary_file): settings.glossary_page,
                  **{settings.shown(b): settings.bibliography_page for b in settings.bib_files}}
        pages = {f.src_uri: f for f in build.files.documentation_pages()}
        home = next((src for src, f in pages.items() if f.url in ("", "index.html")), problempages.HOME)  # whatever its file
        everything, _ = root_cause_first(build.reported)  # the causes; what may follow from them is left out
        found = problempages.by_page(everything, build.docs_prefix, set(pages), routes, home)
        where = {p: (pages[src].url or "./") for src, listed in found.items() if src != home for p in listed}
        for src, page in pages.items():
            listed = everything if src == home else found.get(src)
            path = Path(page.abs_dest_path)
            if listed and path.is_file():
                box = problempages.box(listed, problempages.title(listed, src == home), where if src == home else None)
                build.site_text.read_part(box)
                path.write_text(problempages.add_box(path.read_text(encoding="utf-8"), box), encoding="utf-8")

    def _index_editorial_notes(self, site_dir: Path) -> None:
        path = site_dir / "search" / "search_index.json"
        if self.build.note_entries and path.is_file():
            index = editorial_notes.add_search_entries(json.loads(path.read_text(encoding="utf-8")), self.build.note_entries)
            path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    def _subset_web_font(self, site: Path) -> list[str]:
        """The text face subset to the site's characters; returns the faces the pages use. The pages were read as
        they were written (_read_for_font); what else is HTML (404.html, pages copied as they are) is read here."""
        text = self.build.site_text
        for path in site.rglob("*.html"):
            if os.path.normpath(path) not in self.build.read_for_font:
                text.add_page(path.read_text(encoding="utf-8"))
        for source in sorted((PACKAGE / WEB_FONT).glob("*.woff2")):
            webfont.subset_woff2(source, site / WEB_FONT / source.name, text.font_characters(), cache=self._scratch())
        return webfont.faces(text.italic)


# ---------------------------------------------------------------------------------------- plain helpers

SERVE_POLL = 0.05  # seconds between looks at the watched files under `mkdocs serve` (MkDocs: 0.5)


class _TemplatesInMemory(jinja2.BytecodeCache):
    """Compiled templates kept for the life of `mkdocs serve`: each rebuild makes a new Jinja environment, which
    parsed and compiled Material's templates again (about 0.1 s of every rebuild). Jinja checks each template's
    source against its checksum, so an edited template is compiled again."""

    def __init__(self):
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket):
        self.codes[bucket.key] = bucket.bytecode_to_string()


SERVE_TEMPLATES = _TemplatesInMemory()
_THEME_FILES: dict[tuple, list[str]] = {}


def _list_theme_files_once(theme) -> None:
    """Under `mkdocs serve`, the theme's static files listed once for the life of the server: every rebuild
    listed and filtered Material's folders again (more than 14,000 fnmatch calls, about 0.1 s), before any event
    a plugin could use. The listing is the same while the theme's folders are (a theme file added while serving
    is seen after a restart)."""
    get_env = theme.get_env

    def env_listing_once():
        env = get_env()
        list_templates = env.list_templates

        def listed(extensions=None, filter_func=None):
            if extensions is not None or filter_func is None:
                return list_templates(extensions, filter_func)
            code = getattr(filter_func, "__code__", None)  # MkDocs' own filter, made again for each build
            key = (tuple(theme.dirs), tuple(sorted(theme.static_templates)), code and (code.co_filename, code.co_firstlineno))
            if key not in _THEME_FILES:
                _THEME_FILES[key] = list_templates(None, filter_func)
            return list(_THEME_FILES[key])

        env.list_templates = listed
        return env

    theme.get_env = env_listing_once


_RENDERED: dict[tuple, list[str | None]] = {}  # formatted citations as HTML, by what they were rendered from


def _poll_often(server, interval: float) -> None:
    """`mkdocs serve` looks for changed files every 0.5 s (watchdog's PollingObserver, made by MkDocs with no option
    to change it), a quarter of a second's wait on average before an edit is even seen. The watched folders are
    small (the pages, the .bib files, the glossary), so they are looked at every ``interval`` s. Private attributes
    of watchdog: where they are not there, MkDocs' own interval stays."""
    observer = getattr(server, "observer", None)
    if observer is None or not hasattr(observer, "_timeout"):
        return
    observer._timeout = interval  # for the folders watched from now on (mkdocs.yml's watch:)
    for emitter in getattr(observer, "emitters", ()):  # and those watched already (docs/, mkdocs.yml)
        if hasattr(emitter, "_timeout"):
            emitter._timeout = interval


def batch_mode() -> str:
    """EDITION_BATCH_CITATIONS: 'true' (default: one background Pandoc run; pages rendered before it answers get
    tokens), 'wait' (the same run, waited for before the first page: no tokens), 'deferred' (every page rendered
    with tokens), 'false' (mkdocs-bibtex's own Pandoc run for every page). The last three are there to compare
    outputs in tests and in `make bench`."""
    return os.environ.get("EDITION_BATCH_CITATIONS", "true").lower()


def toc_titles(items) -> list[str]:
    return [text for item in items for text in (item.title, *toc_titles(item.children))]


def _log_problems(problems: list[Problem]) -> int:
    shown, skipped = root_cause_first(problems)
    for problem in grouped(shown, None if list_all_from_env() else GROUP_AFTER):
        if problem.severity == "error":
            log.warning(str(problem))  # a warning, so --strict counts it; on_post_build fails the build
        else:
            log.info(f"warning: {problem}")
    if skipped:
        log.info(skipped_note(skipped))
    return sum(p.severity == "error" for p in shown)


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


def cite_files(edition: EditionConfig) -> dict[str, str]:
    """The essay's citation downloads (site/cite/), named from the edition's slug."""
    return {"BibTeX": edition.download(".bib"), "RIS": edition.download(".ris"), "CSL-JSON": edition.download(".json")}


def essay_url(config, edition: EditionConfig) -> str:
    return (config.site_url or "").rstrip("/") + "/" + book.page_url(edition.essay.page)


def _template_view(edition: EditionConfig | None) -> dict | None:
    """What the templates show of the edition (partials/source-file.html), as plain values."""
    if edition is None:
        return None
    essay = edition.essay
    return {"essay_page": essay.page, "published": essay.published.text(), "published_is_day": essay.published.day is not None,
            "record_url": essay.record_url, "record_label": essay.record_label, "statement": edition.statement,
            "branch": edition.repository_branch}
