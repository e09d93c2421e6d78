"""A chapter whose crossref parent has the wrong type: the message says what to change, not only 'add it'."""

from __future__ import annotations

from scholarly_edition.bibcheck import check_entries
from scholarly_edition.bibdata import BibEntry


def entry(key: str, kind: str, **fields: str) -> BibEntry:
    return BibEntry(key=key, entry_type=kind, fields=dict(fields), path="bib/references.bib", line=1, written=dict(fields))


def missing(parent_type: str, child_type: str) -> list[str]:
    parent = entry("parent2012", parent_type, editor="Smith, Jane", title="A Book of Chapters", publisher="Press", year="2012")
    chapter = entry("chapter2012", child_type, author="Brown, Bob", title="A Chapter", crossref="parent2012",
                    publisher="Press", year="2012", editor="Smith, Jane")
    return [p.message for p in check_entries([parent, chapter]) if p.code == "bib.missing_field"]


def test_an_incollection_under_a_book_is_told_what_to_change():
    (message,) = missing("book", "incollection")
    assert message.startswith("@incollection 'chapter2012' lacks required field 'booktitle'; its crossref 'parent2012' is a @book")
    assert "make the parent @collection" in message and "this entry @inbook" in message and "write booktitle" in message


def test_a_booktitle_missing_without_a_crossref_keeps_the_plain_advice():
    chapter = entry("chapter2012", "incollection", author="Brown, Bob", title="A Chapter", publisher="Press", year="2012", editor="Smith, Jane")
    (message,) = [p.message for p in check_entries([chapter]) if p.code == "bib.missing_field"]
    assert message.endswith("lacks required field 'booktitle'; add it, or use a type that fits the work")
