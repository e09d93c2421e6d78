"""The hook's own logic (hooks/edition.py), imported without a build: what it hands MkDocs' logger, how it
reads its settings, how it wires the pure package's functions into MkDocs' events. The whole-build behaviour
is tested through real builds elsewhere; these fail on the hook's own mistakes, in a fraction of a second."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

import edition


@pytest.fixture
def state(monkeypatch):
    """A fresh build state for one test (the hook keeps it at module level, rebuilt in on_config)."""
    fresh = {"command": "build", "preview": False}
    monkeypatch.setattr(edition, "state", fresh)
    return fresh


def record(name: str, message: str) -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, message, None, None)


def test_importing_the_hook_builds_nothing_and_keeps_no_problems():
    assert callable(edition.on_config) and callable(edition.on_post_build)
    assert "to_report" not in edition.state and "session" not in edition.state


@pytest.mark.parametrize(("value", "mode"), [(None, "true"), ("wait", "wait"), ("DEFERRED", "deferred"), ("False", "false")])
def test_the_batch_mode_is_read_from_the_environment(monkeypatch, value, mode):
    if value is None:
        monkeypatch.delenv("EDITION_BATCH_CITATIONS", raising=False)
    else:
        monkeypatch.setenv("EDITION_BATCH_CITATIONS", value)
    assert edition._batch_mode() == mode


def test_problems_are_logged_root_cause_first_sorted_and_counted(state, caplog):
    from juego_edition.diagnostics import Problem

    later = Problem("docs/b.md", 9, 1, "unknown citation key 'x'; fix the key", "cite.unknown_key")
    earlier = Problem("docs/a.md", 3, 2, "term link '[[y]]' names no glossary term; fix the link", "glossary.unknown_term")
    warning = Problem("bib/a.bib", 1, 1, "not UTF-8; save it as UTF-8", "bib.not_utf8", "warning")
    cause = Problem("glossary/terms.yml", 4, 1, "YAML syntax error", "glossary.yaml", unreadable=True)
    edition.report([later, earlier])
    edition.report([warning, cause])
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.juego_edition"):
        errors = edition.flush_report()
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    # the unreadable glossary first; the glossary finding that may follow from it is left out and counted
    assert messages == [("WARNING", str(cause)), ("INFO", f"warning: {warning}"), ("WARNING", str(later)),
                        ("INFO", "note: 1 further problem(s) not listed, as they may follow from the unreadable file(s) above; "
                                 "fix those first and run again")]
    assert errors == 2  # the errors shown; the warning does not fail the build
    assert "to_report" not in state and edition.flush_report() == 0, "reported once"


def test_mkdocs_place_less_link_lines_are_dropped_only_for_pages_already_reported(state):
    state.update(reported_links={"docs/about.md"}, docs_prefix="docs/")
    drop = edition._DropMkDocsDuplicates()
    assert not drop.filter(record("mkdocs.structure.pages", "Doc file 'about.md' contains a link 'x.md', but the target is not found"))
    assert drop.filter(record("mkdocs.structure.pages", "Doc file 'index.md' contains a link 'x.md', but the target is not found"))
    listed = "The following pages exist in the docs directory, but are not included in the \"nav\" configuration:\n  - about.md\n"
    assert not drop.filter(record("mkdocs.structure.nav", listed))
    assert drop.filter(record("mkdocs.structure.nav", listed + "  - notes.md\n")), "a page we did not report stays listed"


def test_mkdocs_bibtex_unknown_key_line_is_dropped_for_ours():
    drop = edition._DropBibtexUnknownKey()
    assert not drop.filter(record("mkdocs.plugins.mkdocs-bibtex", "Citing unknown reference key juego2010"))
    assert drop.filter(record("mkdocs.plugins.mkdocs-bibtex", "Pandoc version 3.9"))
    assert any(isinstance(f, edition._DropBibtexUnknownKey) for f in logging.getLogger("mkdocs.plugins.mkdocs-bibtex").filters)


def test_toc_titles_are_read_at_every_depth():
    item = lambda title, *children: SimpleNamespace(title=title, children=list(children))  # noqa: E731
    toc = [item("One", item("One.a", item("One.a.i"))), item("Two")]
    assert edition._toc_titles(toc) == ["One", "One.a", "One.a.i", "Two"]


def test_keys_are_written_under_their_aliases_only_where_they_differ(state):
    state["aliases"] = {"juego2010migration": "juego2010migration"}
    text = "As [@juego2010migration] says."
    assert edition._aliased(text) is text  # nothing to alias: the page is left as it is
    state["aliases"] = {"doi:10.1000/xyz": "doi-10-1000-xyz", "juego2010migration": "juego2010migration"}
    assert edition._aliased("See [@doi:10.1000/xyz, p. 2] and [@juego2010migration].") == \
        "See [@doi-10-1000-xyz, p. 2] and [@juego2010migration]."


def test_narrative_citations_are_left_to_mkdocs_bibtex_without_a_batch(state):
    state["aliases"] = {"juego2010migration": "juego2010migration"}
    assert edition._narrative_citations("As @juego2010migration argues.") == ("As @juego2010migration argues.", [])


@pytest.mark.parametrize(("command", "protected"), [("build", True), ("serve", False)])
def test_template_pages_get_the_content_security_policy_except_when_serving(state, command, protected):
    state["command"] = command
    page = '<!doctype html><html><head><meta charset="utf-8"><title>Not found</title></head><body></body></html>'
    out = edition.on_post_template(page, "404.html", SimpleNamespace())
    assert ('http-equiv="Content-Security-Policy"' in out) is protected
    assert edition.on_post_template(page, "sitemap.xml", SimpleNamespace()) == page
