"""The hook's own logic (scholarly_edition.hook, bound by hooks/edition.py), without a build: what it hands
MkDocs' logger, how it keeps one build's state, how it wires the pure package's functions into MkDocs' events.
The whole-build behaviour is tested through real builds elsewhere; these fail on the hook's own mistakes."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

import edition
from scholarly_edition.checks import CheckSession, settings_from_config
from scholarly_edition.hook import Build, EditionHooks, _DropMkDocsDuplicates, batch_mode, toc_titles


@pytest.fixture
def hooks(tmp_path):
    """An instance with a minimal build state, as on_config would make it."""
    instance = EditionHooks()
    instance.build = Build(command="build", root=tmp_path, session=CheckSession(settings_from_config(tmp_path)), bibtex=None,
                           csl=tmp_path / "style.csl", edition=None, preview=False, batch_mode="true", bib_paths=[], bib_text="",
                           aliases={}, notes={}, known=set(), docs_prefix="docs/", abbreviations_start="\n<!-- abbreviations -->\n")
    return instance


def record(name: str, message: str) -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, message, None, None)


def test_the_hook_file_binds_every_event_and_keeps_no_state_of_its_own():
    names = {n for n in dir(edition) if n.startswith("on_")}
    assert {"on_config", "on_files", "on_page_markdown", "on_page_content", "on_post_page", "on_post_build"} <= names
    owner = edition.on_config.__self__
    assert isinstance(owner, EditionHooks) and owner.build is None  # importing builds nothing
    source = Path(edition.__file__).read_text(encoding="utf-8")
    assert len([line for line in source.splitlines() if line.strip() and not line.startswith(("#", '"""'))]) < 12


def test_every_build_starts_from_a_fresh_state(tmp_path):
    """on_config makes a new Build each time (mkdocs serve calls it for every rebuild): nothing leaks across."""
    from mkdocs.config import load_config

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "a.bib").write_text("@book{a, title = {A}, author = {Doe, Jane}, publisher = {P}, year = {2001},\n"
                                            "  verifiedat = {here}, confidence = {verified}}\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: T\nplugins:\n  - bibtex:\n      bib_dir: bib\n      csl_file: chicago-author-date\n",
                                         encoding="utf-8")
    instance = EditionHooks()
    first_config = load_config(str(tmp_path / "mkdocs.yml"))
    instance.on_config(first_config)
    first = instance.build
    first.to_report.append("left over")
    first.unknown_keys.add("x")
    instance.on_config(load_config(str(tmp_path / "mkdocs.yml")))
    second = instance.build
    assert second is not first and isinstance(second, Build)
    assert "left over" not in second.to_report and second.unknown_keys == set() and list(second.session.entries) == ["a"]
    assert [p.code for p in second.to_report] == ["glossary.unreadable"]  # this build's own finding: no glossary here
    assert str(first_config.theme.dirs).count("scholarly_edition") == 1  # the generator's theme, once


def test_problems_are_logged_root_cause_first_sorted_and_counted(hooks, caplog):
    from scholarly_edition.diagnostics import Problem

    later = Problem("docs/b.md", 9, 1, "unknown citation key 'x'; fix the key", "cite.unknown_key")
    earlier = Problem("docs/a.md", 3, 2, "term link '[[y]]' names no glossary term; fix the link", "glossary.unknown_term")
    warning = Problem("bib/a.bib", 1, 1, "not UTF-8; save it as UTF-8", "bib.not_utf8", "warning")
    cause = Problem("glossary/terms.yml", 4, 1, "YAML syntax error", "glossary.yaml", unreadable=True)
    hooks.report([later, earlier])
    hooks.report([warning, cause])
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.scholarly_edition"):
        errors = hooks.flush_report()
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    # the unreadable glossary first; the glossary finding that may follow from it is left out and counted
    assert messages == [("WARNING", str(cause)), ("INFO", f"warning: {warning}"), ("WARNING", str(later)),
                        ("INFO", "note: 1 further problem(s) not listed, as they may follow from the unreadable file(s) above; "
                                 "fix those first and run again")]
    assert errors == 2  # the errors shown; the warning does not fail the build
    assert hooks.build.to_report == [] and hooks.flush_report() == 0, "reported once"


def test_mkdocs_place_less_link_lines_are_dropped_only_for_pages_already_reported(hooks):
    hooks.build.reported_links = {"docs/about.md"}
    drop = _DropMkDocsDuplicates(hooks)
    assert not drop.filter(record("mkdocs.structure.pages", "Doc file 'about.md' contains a link 'x.md', but the target is not found"))
    assert drop.filter(record("mkdocs.structure.pages", "Doc file 'index.md' contains a link 'x.md', but the target is not found"))
    listed = "The following pages exist in the docs directory, but are not included in the \"nav\" configuration:\n  - about.md\n"
    assert not drop.filter(record("mkdocs.structure.nav", listed))
    assert drop.filter(record("mkdocs.structure.nav", listed + "  - notes.md\n")), "a page we did not report stays listed"
    hooks.build = None
    assert drop.filter(record("mkdocs.structure.pages", "Doc file 'about.md' contains a link 'x.md', but the target is not found"))


@pytest.mark.parametrize(("value", "mode"), [(None, "true"), ("wait", "wait"), ("DEFERRED", "deferred"), ("False", "false")])
def test_the_batch_mode_is_read_from_the_environment(monkeypatch, value, mode):
    if value is None:
        monkeypatch.delenv("EDITION_BATCH_CITATIONS", raising=False)
    else:
        monkeypatch.setenv("EDITION_BATCH_CITATIONS", value)
    assert batch_mode() == mode


def test_toc_titles_are_read_at_every_depth():
    item = lambda title, *children: SimpleNamespace(title=title, children=list(children))  # noqa: E731
    toc = [item("One", item("One.a", item("One.a.i"))), item("Two")]
    assert toc_titles(toc) == ["One", "One.a", "One.a.i", "Two"]


def test_mkdocs_bibtex_unknown_key_line_is_dropped_for_ours():
    from scholarly_edition.bibtex_adapter import LOGGER, _DropUnknownKey

    drop = _DropUnknownKey()
    assert not drop.filter(record(LOGGER, "Citing unknown reference key juego2010"))
    assert drop.filter(record(LOGGER, "Pandoc version 3.9"))
    assert any(isinstance(f, _DropUnknownKey) for f in logging.getLogger(LOGGER).filters)


def test_keys_are_written_under_their_aliases_only_where_they_differ(hooks):
    hooks.build.aliases = {"smith2010": "smith2010"}
    text = "As [@smith2010] says."
    assert hooks._aliased(text) is text  # nothing to alias: the page is left as it is
    hooks.build.aliases = {"doi:10.1000/xyz": "doi-10-1000-xyz", "smith2010": "smith2010"}
    assert hooks._aliased("See [@doi:10.1000/xyz, p. 2] and [@smith2010].") == "See [@doi-10-1000-xyz, p. 2] and [@smith2010]."


def test_narrative_citations_are_left_to_mkdocs_bibtex_without_a_batch(hooks):
    hooks.build.aliases, hooks.build.known = {"smith2010": "smith2010"}, {"smith2010"}
    assert hooks._narrative_citations("As @smith2010 argues.") == ("As @smith2010 argues.", [])


@pytest.mark.parametrize(("command", "protected"), [("build", True), ("serve", False)])
def test_template_pages_get_the_content_security_policy_except_when_serving(hooks, command, protected):
    hooks.command = command
    page = '<!doctype html><html><head><meta charset="utf-8"><title>Not found</title></head><body></body></html>'
    out = hooks.on_post_template(page, "404.html", SimpleNamespace())
    assert ('http-equiv="Content-Security-Policy"' in out) is protected
    assert hooks.on_post_template(page, "sitemap.xml", SimpleNamespace()) == page
