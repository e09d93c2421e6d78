"""[7/8] Every contributor mistake in the corpus fails `make check` and `make build` with its exact line, no
traceback, and leaves the previous site/ exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from corpus import CASES, LINE, make, project  # noqa: F401  (fixture)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", sorted(CASES))
def test_mistake_fails_check_and_build_and_keeps_the_last_site(project, case):  # noqa: F811
    last_good = project / "site"
    (last_good / "downloads").mkdir(parents=True)
    (last_good / "index.html").write_text("<p>the last good build</p>", encoding="utf-8")
    (last_good / "downloads" / "edition.pdf").write_bytes(b"%PDF-1.7 last good")
    before = tree_digest(last_good)
    sources_before = tree_digest(project / "docs") + tree_digest(project / "bib") + tree_digest(project / "glossary")
    expected = CASES[case](project)
    after_plant = tree_digest(project / "docs") + tree_digest(project / "bib") + tree_digest(project / "glossary")
    assert after_plant != sources_before
    for target in ("check", "build"):
        result = make(project, target)
        output = result.stdout + result.stderr
        assert result.returncode != 0, f"make {target} passed with {case}:\n{output}"
        assert "Traceback" not in output, output
        for line in expected:
            assert line in output, f"make {target}: expected\n  {line}\nin\n{output}"
        ours = [l.split(" -  ", 1)[-1] for l in output.splitlines() if LINE.match(l.split(" -  ", 1)[-1])]
        assert ours, output
    assert tree_digest(last_good) == before, "a failed build must leave the last good site/ untouched"
    assert tree_digest(project / "docs") + tree_digest(project / "bib") + tree_digest(project / "glossary") == after_plant, "checks never modify sources"
