"""The 'Versions and corrections' page: what changed from one release to the next, read from git."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from scholarly_edition import changes
from scholarly_edition.changes import Layout, read_history, render_markdown, versions

from conftest import ROOT, mkdocs_build

FORGE = "https://forge.example.org/editors/edition"
ENV = dict(os.environ, GIT_AUTHOR_NAME="Editor", GIT_AUTHOR_EMAIL="editor@example.org", GIT_COMMITTER_NAME="Editor",
           GIT_COMMITTER_EMAIL="editor@example.org", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
# The parts a build reads (the whole project, with tools/, would be 200 MB to commit for nothing).
PARTS = ("mkdocs.yml", "docs", "bib", "glossary", "sources", "hooks", "CITATION.cff")
OLD = "The essay's \"Migration of Migratory Flows\" is kept as written."
NEW = "The essay's \"Migration of Migratory Flows\" is kept as received; it is the author's slip."
# a term the pages already use (an unused one would fail the build)
NEW_TERM = "- term: Migrant Voice\n  definition: >-\n    A blog that also published the essay.\n  cite: [juego2010migrantvoice]\n"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], env=ENV, check=True, capture_output=True, text=True).stdout.strip()


def project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for part in PARTS:
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, dest / part)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", ".")
    git(dest, "commit", "-q", "-m", "The edition")
    return dest


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """Released as 1.0; then one note corrected and a glossary term added, committed (1.1 is being built)."""
    repo = project(tmp_path_factory.mktemp("changes") / "edition")
    git(repo, "tag", "v1.0")
    essay = repo / "docs" / "essay.md"
    text = essay.read_text(encoding="utf-8")
    assert text.count(OLD.replace('"', "\"")) == 1
    essay.write_text(text.replace(OLD, NEW), encoding="utf-8")
    with (repo / "glossary" / "terms.yml").open("a", encoding="utf-8") as out:
        out.write("\n" + NEW_TERM)
    git(repo, "commit", "-q", "-am", "Correct note 3; add a term")
    return repo


def test_the_release_being_built_lists_the_corrected_note_and_the_new_term(repo):
    found = versions(repo, "1.1", FORGE + ".git/")
    assert [(v.name, v.rev, v.previous) for v in found] == [("1.0", "v1.0", None), ("1.1", "HEAD", "1.0")]
    first, latest = found
    assert first.first and first.changes == () and first.compare_url is None
    assert latest.compare_url == f"{FORGE}/compare/v1.0...v1.1"
    head = git(repo, "rev-parse", "HEAD")
    commit = (changes.Commit(head, git(repo, "log", "-1", "--format=%cs"), "Correct note 3; add a term", f"{FORGE}/commit/{head}"),)
    assert [(c.area, c.kind, c.name) for c in latest.changes] == [("note", "changed", "3"), ("glossary", "added", "Migrant Voice")]
    note, term = latest.changes
    assert note.old.endswith("is kept as written.") and note.new.endswith("is kept as received; it is the author's slip.")
    assert note.old.startswith("The conference's name was the ASEM Ministerial Conference on Cooperation for the Management of")  # *Management*: plain text
    assert note.label.startswith("“the Ministerial Conference")
    assert note.commits == commit and term.commits == commit
    assert (term.old, term.new) == (None, "A blog that also published the essay.")


def test_the_page_gives_old_and_new_wording_links_and_the_unchanged_checksum(repo):
    history = read_history(repo, "1.1", FORGE)
    page = render_markdown(history, here="versions.md", pages={"essay.md", "versions.md"})
    head = git(repo, "rev-parse", "HEAD")
    checksum = hashlib.sha256((repo / "sources" / "essay-as-received.txt").read_bytes()).hexdigest()
    assert page.index("## Version 1.1, ") < page.index("## Version 1.0, ")  # newest first
    assert f"[See the exact change]({FORGE}/compare/v1.0...v1.1)" in page
    assert ("- [Editors’ note 3](essay.md), on “the Ministerial Conference on Cooperation for the Migration of Migratory Flows”, was "
            "corrected: ‘written’ became ‘received; it is the author's slip’. "
            f"Commit: [{head[:7]}]({FORGE}/commit/{head}).") in page
    assert "    It read: ‘The conference's name" in page and page.count("is kept as written.’") == 1
    assert "    It now reads: ‘The conference's name" in page and "is kept as received; it is the author's slip.’" in page
    # the note's citations as the editors wrote them, in code: neither formatted against today's bibliography
    # (an old key may be gone) nor left as an unformatted citation
    assert "Asia `[@iom_asem_dg]`. It met" in page and page.count("[@") == page.count("`[@") == 4
    assert "- The term ‘Migrant Voice’ was added: ‘A blog that also published the essay.’" in page
    assert f"The essay's text did not change. The copy-text, `sources/essay-as-received.txt`, has the SHA-256 checksum `{checksum}`" in page
    assert "The essay's text is the same in every version" in page
    assert "The first release." in page
    assert "Context pages" not in page and "Bibliography" not in page


@pytest.mark.builds
def test_the_built_page_of_release_1_1_shows_the_corrected_note(repo, tmp_path, monkeypatch):
    """The issue's case through a real build: 1.0 tagged, a note corrected and committed, 1.1 being built."""
    import lxml.html

    monkeypatch.setenv("EDITION_RELEASE", "1.1")
    done = mkdocs_build(repo, tmp_path / "site")
    assert done.returncode == 0, done.stderr[-3000:]
    article = lxml.html.parse(str(tmp_path / "site" / "versions" / "index.html")).xpath("//article")[0]
    text = " ".join(article.text_content().split())
    repo_url = "https://github.com/aepf8-edition/migration-in-asia-europe-relations"  # mkdocs.yml's repo_url
    head = git(repo, "rev-parse", "HEAD")
    assert "Version 1.1, " in text and "Editors’ note 3, on “the Ministerial Conference" in text
    assert "It read: ‘The conference’s name" in text and "is kept as written.’" in text
    assert "It now reads: ‘The conference’s name" in text and "is kept as received; it is the author’s slip.’" in text
    assert article.xpath(".//code[.='[@iom_asem_dg]']")  # the note's citation as written, not formatted
    links = article.xpath(".//a/@href")
    assert f"{repo_url}/compare/v1.0...v1.1" in links and f"{repo_url}/commit/{head}" in links and "../essay/" in links
    checksum = hashlib.sha256((repo / "sources" / "essay-as-received.txt").read_bytes()).hexdigest()
    assert f"The essay’s text did not change. The copy-text, sources/essay-as-received.txt, has the SHA-256 checksum {checksum}" in text


def test_without_a_forge_the_commits_are_short_shas(repo):
    page = render_markdown(read_history(repo, "1.1", ""))
    head = git(repo, "rev-parse", "HEAD")
    assert f"Commit: `{head[:7]}`." in page and "See the exact change" not in page
    assert "[Editors’ note 3]" not in page  # the essay page is linked only when the build has it


def test_a_normal_build_lists_head_as_not_yet_released_then_the_tagged_release(repo, tmp_path):
    found = versions(repo, None, FORGE)
    head = git(repo, "rev-parse", "HEAD")
    assert [v.name for v in found] == ["1.0", None]
    assert found[-1].compare_url == f"{FORGE}/compare/v1.0...{head}"
    assert "## Not yet released, " in render_markdown(read_history(repo, None, FORGE))
    # Once 1.1 is tagged (annotated), then a context page and an entry are changed: the next build shows both.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], env=ENV, check=True, capture_output=True)
    git(clone, "tag", "-a", "v1.1", "-m", "1.1")
    assert [v.name for v in versions(clone, None, FORGE)] == ["1.0", "1.1"]  # HEAD is 1.1: nothing unreleased
    assert [v.name for v in versions(clone, "1.1", FORGE)] == ["1.0", "1.1"]  # rebuilding the tagged release
    page = clone / "docs" / "context" / "author.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Every statement is dated", "Every statement here is dated"), encoding="utf-8")
    bib = clone / "bib" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("  title        = {Bonn {Juego}: Migration", "  title        = {Bonn {Juego}: Migrations", 1),
                   encoding="utf-8")
    git(clone, "commit", "-q", "-am", "Revise a page and an entry")
    latest = versions(clone, None, FORGE)[-1]
    assert [(c.area, c.kind, c.name, c.details) for c in latest.changes] == [
        ("context", "changed", "context/author.md", ("1 word",)),
        ("bibliography", "changed", "juego2010migrantvoice",
         ("title: ‘Bonn Juego: Migration in Asia-Europe Relations’ → ‘Bonn Juego: Migrations in Asia-Europe Relations’",)),
    ]
    shown = render_markdown(read_history(clone, None, FORGE), pages={"context/author.md"})
    assert "- The page [The author](context/author.md) (docs/context/author.md) was revised: 1 word changed." in shown
    assert "- The entry `juego2010migrantvoice` (‘Bonn Juego: Migrations in Asia-Europe Relations’) was corrected: title: " in shown
    assert f"Changes since version 1.1. [See the exact change]({FORGE}/compare/v1.1...{git(clone, 'rev-parse', 'HEAD')})." in shown


def test_with_no_tag_the_first_version_is_the_release_being_built(tmp_path):
    repo = project(tmp_path / "edition")
    (only,) = versions(repo, "1.0", FORGE)
    assert (only.name, only.first, only.changes) == ("1.0", True, ())
    page = render_markdown(read_history(repo, "1.0", FORGE))
    assert "## Version 1.0, " in page and "The first release." in page
    (unreleased,) = versions(repo, None, FORGE)
    assert unreleased.name is None and "The edition has not been released yet." in render_markdown(read_history(repo, None, FORGE))


def test_a_changed_copy_text_is_said_plainly(tmp_path):
    repo = project(tmp_path / "edition")
    git(repo, "tag", "v1.0")
    copy = repo / "sources" / "essay-as-received.txt"
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    copy.write_text(copy.read_text(encoding="utf-8") + "\nA line that was never the author's.\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Change the copy-text")
    after = hashlib.sha256(copy.read_bytes()).hexdigest()
    page = render_markdown(read_history(repo, "1.1", FORGE))
    assert f"**The essay's copy-text changed in this version.** `sources/essay-as-received.txt` had the SHA-256 checksum `{before}`; it now has `{after}`." in page
    assert "**The essay's copy-text is not the same in every version**" in page
    assert "The essay's text is the same in every version" not in page


@pytest.mark.parametrize("case, reason", [
    ("no git", "git is not installed where the site was built"),
    ("not a repository", "the site was not built from a git repository"),
    ("no commit", "the repository has no commit yet"),
])
def test_when_git_cannot_say_the_page_says_so_in_one_line(tmp_path, monkeypatch, case, reason):
    folder = tmp_path / "edition"
    folder.mkdir()
    if case == "no git":
        monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    elif case == "no commit":
        git(folder, "init", "-q")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # tmp_path may sit inside some repository
    history = read_history(folder, "1.0", FORGE)
    assert (history.versions, history.unknown) == ([], reason)
    assert render_markdown(history) == f"The versions of this edition are not known here: {reason}.\n"
    assert versions(folder, None) == []


def test_editorial_notes_are_read_from_the_markdown_as_plain_text():
    source = ('Text.\n\n!!! note "Editorial note 2: “a *phrase*”"\n    See [the page](context/a.md) and *this*\n    word [@key].\n\n'
              'Next paragraph.\n\n!!! note "Editorial note 10: on the title"\n    Only line.\n')
    assert changes.editorial_notes(source) == {2: ("“a phrase”", "See the page and this word [@key]."), 10: ("on the title", "Only line.")}


def test_wording_is_shown_as_text_with_citations_as_written():
    shown = changes._esc("Asia [@iom]. See @key2, a@b.org, [see @wmr, 439], *x*, [^1] and {#id}")
    assert shown == r"Asia `[@iom]`. See `@key2`, a&#64;b.org, `[see @wmr, 439]`, \*x\*, `[^1]` and \{\#id\}"


def snap(notes: dict[int, tuple[str, str]]) -> changes.Snapshot:
    return changes.Snapshot(notes=notes, context={}, glossary={}, bib={}, copy_text_sha256=None)


def test_a_note_inserted_before_others_renumbers_them_and_nothing_else():
    before = snap({1: ("“a”", "First."), 2: ("“b”", "Second."), 3: ("“c”", "Third.")})
    after = snap({1: ("“a”", "First."), 2: ("“new”", "Inserted."), 3: ("“b”", "Second."), 4: ("“c”", "Third, corrected.")})
    found = changes.compare(before, after, lambda item: ())
    assert [(c.kind, c.name, c.label, c.old, c.new, c.details) for c in found] == [
        ("added", "2", "“new”", None, "Inserted.", ()),
        ("renumbered", "3", "“b”", "Second.", "Second.", ("2",)),
        ("changed", "4", "“c”", "Third.", "Third, corrected.", ("3",)),  # the same title: renumbered and corrected
    ]
    page = render_markdown(changes.History([changes.Version("1.0", "v1.0", "2026-01-01", None, None, None, None, None),
                                            changes.Version("1.1", "HEAD", "2026-02-01", "1.0", None, None, None, None, tuple(found))]))
    assert "- Editors’ note 2, on “b”, is now Editors’ note 3; its wording did not change." in page
    assert "- Editors’ note 3, on “c”, is now Editors’ note 4 and was corrected: ‘Third’ became ‘Third, corrected’." in page
    assert "    It read: ‘Third.’" in page and "    It now reads: ‘Third, corrected.’" in page


def test_words_changed_are_found_passage_by_passage():
    assert changes.word_changes("a b c d", "a x c d e") == [("b", "x"), ("", "e")]


def test_the_layout_follows_the_checks_settings():
    from scholarly_edition.checks import load_settings

    layout = changes.layout_from(load_settings(ROOT))
    assert layout == Layout(docs="docs", essay="essay.md", context="context", glossary="glossary/terms.yml", bib=("bib",),
                            copy_text="sources/essay-as-received.txt")
