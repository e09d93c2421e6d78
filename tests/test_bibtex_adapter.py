"""Every contact with mkdocs-bibtex is in scholarly_edition.bibtex_adapter; these tests read the attributes it
touches on mkdocs-bibtex's real classes, so an upgrade that renames one fails here instead of passing unnoticed."""

from __future__ import annotations

import importlib
import subprocess
from types import SimpleNamespace


from conftest import ROOT
from scholarly_edition import bibtex_adapter
from scholarly_edition.bibtex_adapter import BibtexPlugin


def _registry(inline: bool):
    module, name = bibtex_adapter.REGISTRY_CLASS
    registry_class = getattr(importlib.import_module(module), name)
    registry = registry_class.__new__(registry_class)  # without reading files or calling Pandoc
    registry.footnote_format = "{key}"
    registry._inline_cache, registry._reference_cache, registry._is_inline = {}, {"a": "A. 2010."}, inline
    return registry


def _plugin(registry):
    return SimpleNamespace(registry=registry, config=SimpleNamespace(bib_by_default=True, csl_file="x.csl", bib_command="\\bibliography",
                                                                    bib_file=None, bib_dir="bib"))


def test_the_private_parts_the_adapter_touches_exist_upstream():
    """PandocRegistry's caches are set in its __init__: read them from the source as a new instance gets them."""
    import inspect

    module, name = bibtex_adapter.REGISTRY_CLASS
    registry_class = getattr(importlib.import_module(module), name)
    init = inspect.getsource(registry_class.__init__)
    for attribute in ("_inline_cache", "_reference_cache", "_is_inline"):
        assert f"self.{attribute}" in init, f"mkdocs-bibtex no longer sets {attribute}"
    assert "bib_data_bibtex" in dir(registry_class) and callable(registry_class.inline_text)
    from mkdocs_bibtex.plugin import BibTexPlugin

    assert "self.registry" in inspect.getsource(BibTexPlugin.on_config), "mkdocs-bibtex no longer keeps its registry on the plugin"
    options = dict(BibTexPlugin.config_scheme)
    for option in ("csl_file", "bib_dir", "bib_file", "bib_command", "bib_by_default"):
        assert option in options, f"mkdocs-bibtex no longer has the option {option}"


def test_author_date_keeps_the_in_text_form_only_on_a_real_registry():
    registry = _registry(inline=True)
    block = bibtex_adapter.citation_blocks("Text [@a].")[0]
    registry._inline_cache[str(block)] = "([A 2010](#ref-a))"
    assert registry.inline_text(block) == "([A 2010](#ref-a))[^a]"  # what the plugin does by itself
    plugin = _plugin(registry)
    assert BibtexPlugin(plugin).author_date_only() is True
    assert registry.inline_text(block) == "([A 2010](#ref-a))" and plugin.config.bib_by_default is False
    assert type(registry).inline_text is not registry.inline_text  # the class itself is left alone


def test_a_note_style_keeps_mkdocs_bibtex_footnotes():
    plugin = _plugin(_registry(inline=False))
    assert BibtexPlugin(plugin).author_date_only() is False and plugin.config.bib_by_default is True


def test_filled_caches_and_the_bib_text_are_what_mkdocs_bibtex_reads():
    registry = _registry(inline=True)
    adapter = BibtexPlugin(_plugin(registry))
    adapter.fill({"[@b]": "(B 2001)"}, {"b": "B. 2001."})
    block = bibtex_adapter.citation_blocks("See [@b].")[0]
    adapter.author_date_only()
    assert registry.inline_text(block) == "(B 2001)" and registry.reference_text(SimpleNamespace(key="b")) == "B. 2001."
    adapter.hand_pandoc("@book{b, title = {B}, year = {2001}}")
    assert registry.bib_data_bibtex == "@book{b, title = {B}, year = {2001}}"
    adapter.read_only("keys.bib")
    assert adapter.plugin.config.bib_file == "keys.bib" and adapter.plugin.config.bib_dir is None


def test_only_the_adapter_reaches_into_mkdocs_bibtex():
    found = subprocess.run(["grep", "-rlnI", r"_inline_cache\|_reference_cache\|__dict__\[\|_is_inline\|bib_data_bibtex\|mkdocs_bibtex\|\.registry\b",
                            "src", "hooks", "--include=*.py"], cwd=ROOT,
                           capture_output=True, text=True).stdout.split()
    assert found == ["src/scholarly_edition/bibtex_adapter.py"], found
