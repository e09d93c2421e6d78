"""A YAML mistake is named at its own line, with advice for that mistake (the glossary, mkdocs.yml, front matter).
PyYAML's problem mark is often the line after the mistake: a continuation line that is not 'key: value' was
reported one line late, with generic advice."""

from __future__ import annotations

import pytest
import yaml

from scholarly_edition.diagnostics import yaml_error_place
from scholarly_edition.glossary import load_glossary

pytestmark = pytest.mark.quick

CASES = [
    # (YAML, the mistake's line, a word of the advice)
    ("- term: ASEM\n  definition: >-\n    A forum.\n  A line that lost its indentation\n- term: EU\n  definition: A union.\n", 4, "indent it"),
    ("- term: ASEM\n  definition: \"A forum that never closes\n- term: EU\n  definition: A union.\n", 2, "never closed"),
    ("- term: ASEM\n  definition: The ASEM: a forum\n", 2, "quotes"),
    ("- term: ASEM\n\tdefinition: A forum\n", 2, "spaces"),
]


def _error(text: str) -> Exception:
    with pytest.raises(yaml.YAMLError) as info:
        yaml.safe_load(text)
    return info.value


@pytest.mark.parametrize(("text", "line", "advice"), CASES)
def test_the_yaml_mistake_is_named_at_its_own_line(text, line, advice):
    found, col, message = yaml_error_place(_error(text))
    assert (found, advice in message) == (line, True), (found, col, message)
    assert message.startswith("YAML syntax error (") and col >= 1


def test_the_glossary_reports_the_continuation_line_itself(tmp_path):
    path = tmp_path / "terms.yml"
    path.write_text(CASES[0][0], encoding="utf-8")
    terms, problems = load_glossary(path, "glossary/terms.yml")
    assert terms == [] and len(problems) == 1
    assert str(problems[0]).startswith("glossary/terms.yml:4:3: YAML syntax error") and problems[0].code == "glossary.syntax", str(problems[0])
