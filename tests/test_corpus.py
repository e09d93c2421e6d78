"""[7/8] Every contributor mistake in the corpus fails `make check` and `make build` with its exact line, no
traceback, and leaves the previous site/ exactly as it was.

The mistakes are planted in groups: several in one copy of the site, then one `make check` and one
`make build` per group, and each case still asserts its own lines in both outputs. A group holds mistakes
that leave each other visible: a glossary that cannot be read hides every glossary finding (the root cause
first), a code fence left open turns the rest of its page into code, a .bib entry never closed swallows what
follows it in its file; so those stand in groups where nothing depends on what they hide."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import built_once
from corpus import CASES, LINE, make, makeable_copy

# Planted in this order within a group: edits in the middle of a file before appends to its end, a
# mistake that swallows the rest of its file last.
GROUPS = {
    "bib": ["bad_year_doi_url", "bib_crossref_cycle", "bib_missing_comma", "bib_not_utf8", "bib_parenthesised_entry",
            "missing_field", "unused_entry", "bib_without_provenance", "cite_stray_space_only_citation",
            "glossary_uncited_fact", "copy_text_hyphens_shown_as_a_dash", "bib_syntax_error"],
    "citations": ["unknown_key", "in_text_unknown_key", "empty_citation", "citation_in_image_alt", "cite_stray_space",
                  "cite_latex_command", "cite_comma_separator", "cite_unclosed_bracket", "cite_as_link_definition",
                  "unprotected_caps_in_sentence_case_style", "page_missing_from_nav", "duplicate_key_across_files",
                  "cite_latex_only_citation", "bib_unclosed_at_end"],
    "glossary": ["glossary_empty_definition", "glossary_unknown_key", "duplicate_term", "unused_term",
                 "glossary_dangling_see_also", "undefined_acronym", "unknown_term_link", "unexpanded_abbreviation",
                 "cite_typo_only_citation"],
    "pages-and-a-broken-glossary": ["glossary_yaml_error", "broken_link", "broken_anchor", "missing_image",
                                    "oversized_image", "raw_script", "iframe", "event_attribute", "javascript_link",
                                    "data_url", "remote_image", "essay_changed_word", "page_not_utf8"],
    "structure-and-a-slipped-glossary": ["glossary_indentation_slip", "malformed_front_matter", "empty_page",
                                         "essay_removed_comma", "unclosed_code_fence"],
}
GROUP_OF = {case: group for group, cases in GROUPS.items() for case in cases}


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def sources_digest(project: Path) -> str:
    """What a contributor edits: the pages, the .bib files, the glossary and the configuration."""
    parts = [tree_digest(project / part) for part in ("docs", "bib", "glossary")]
    return "".join(parts) + hashlib.sha256((project / "mkdocs.yml").read_bytes()).hexdigest()


def plant_and_run(root: Path, group: str) -> None:
    """One group's copy of the site with its mistakes and a last good site/, then the real `make check` and
    `make build`; what the tests read is kept in root/outcome.json."""
    project = makeable_copy(root / "project")
    last_good = project / "site"
    (last_good / "downloads").mkdir(parents=True)
    (last_good / "index.html").write_text("<p>the last good build</p>", encoding="utf-8")
    (last_good / "downloads" / "edition.pdf").write_bytes(b"%PDF-1.7 last good")
    outcome = {"site_before": tree_digest(last_good), "expected": {}, "changed": {}}
    for case in GROUPS[group]:
        before = sources_digest(project)
        outcome["expected"][case] = CASES[case](project)
        outcome["changed"][case] = sources_digest(project) != before
    outcome["planted"] = sources_digest(project)
    results = {target: make(project, target) for target in ("check", "build")}
    outcome["returncodes"] = {target: r.returncode for target, r in results.items()}
    outcome["outputs"] = {target: r.stdout + r.stderr for target, r in results.items()}
    (root / "outcome.json").write_text(json.dumps(outcome), encoding="utf-8")


class Planted:
    """A group's outcome, read back: the copy (``project``) and what check and build printed."""

    def __init__(self, root: Path):
        self.project = root / "project"
        self.__dict__.update(json.loads((root / "outcome.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def planted(tmp_path_factory):
    """A group's copy and outputs, made once per test run (shared by the xdist workers)."""
    def get(group: str) -> Planted:
        return Planted(built_once(tmp_path_factory, f"planted-{group}", lambda root: plant_and_run(root, group)))
    return get


def test_the_corpus_is_large_enough_and_every_case_is_in_one_group():
    assert len(CASES) >= 30
    placed = [case for cases in GROUPS.values() for case in cases]
    assert sorted(placed) == sorted(CASES), "each case of corpus.py in exactly one group"


@pytest.mark.parametrize("case", sorted(CASES))
def test_mistake_fails_check_and_build_with_its_own_lines(planted, case):
    group = planted(GROUP_OF[case])
    assert group.changed[case], f"planting {case} changed no source"
    for target in ("check", "build"):
        output = group.outputs[target]
        assert group.returncodes[target] != 0, f"make {target} passed with {case}:\n{output}"
        assert "Traceback" not in output, output
        for line in group.expected[case]:
            assert line in output, f"make {target}: expected\n  {line}\nin\n{output}"
        ours = [l.split(" -  ", 1)[-1] for l in output.splitlines() if LINE.match(l.split(" -  ", 1)[-1])]
        assert ours, output


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_a_failed_check_and_build_keep_the_last_site_and_the_sources(planted, group):
    planted_group = planted(group)
    assert tree_digest(planted_group.project / "site") == planted_group.site_before, "a failed build must leave the last good site/ untouched"
    assert sources_digest(planted_group.project) == planted_group.planted, "checks never modify sources"
    leftovers = [p.name for p in planted_group.project.iterdir() if p.name.startswith((".site-", "site.old"))]
    assert leftovers == [], "a failed build leaves no half-built folder behind"
