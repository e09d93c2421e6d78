"""The editorial apparatus: each editors' note keyed to a marker at the phrase it concerns.

In the Markdown source a note is an admonition, ``!!! note "Editorial note N: “phrase”"``, placed after the
essay paragraph it concerns; the essay's paragraphs stay word for word as received (see ``copytext``), so
nothing is written into them there. Here, on the rendered page, each note's phrase is found in the essay
paragraph before it, wrapped in ``<span class="noted">`` and followed by a numbered marker, and the note
becomes an ``<aside>`` with a stable id (``note-N``) and a permalink. Where the title quotes no phrase, or
the phrase is not in the paragraph, the marker goes at the end of the paragraph and a problem says so.

The markup (what notes.js, notes.css and the PDF/EPUB export rely on)::

    <p class="essay-text" id="p-1">... <span class="noted" id="noted-1">the top three sending countries</span><sup
      class="note-ref" id="note-ref-1" data-search-exclude><a href="#note-1" aria-label="Editors’ note 1">1</a></sup> ...</p>
    <aside class="editorial-note" id="note-1" role="note" aria-labelledby="note-1-label" data-note="1"
      data-paragraph="p-1" data-search-exclude>
    <p class="editorial-note__label" id="note-1-label"><a class="editorial-note__permalink" href="#note-1">Editors’ note 1</a><span
      class="editorial-note__about">: “the top three sending countries”</span></p>
    <div class="editorial-note__body"><p>...</p></div>
    </aside>

The notes are left out of the page's search sections (``data-search-exclude``: Material would index them
under the essay's heading, as the author's words) and are indexed on their own by ``search_entries``.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

ADMONITION = re.compile(r'<div class="admonition note">\s*<p class="admonition-title">(?P<title>.*?)</p>(?P<body>.*?)</div>', re.S)
TITLE = re.compile(r"^\s*Editorial note (?P<n>\d+)\s*:\s*(?P<about>.*?)\s*$", re.S)
QUOTED = re.compile(r"^\u201c(?P<phrase>.+)\u201d$", re.S)
PARAGRAPH = re.compile(r'<p class="essay-text" id="(?P<id>p-\d+)">(?P<inner>.*?)</p>', re.S)
PIECE = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);|[^<&]+|&", re.S)
TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*?(/?)>")
VOID = {"br", "img", "wbr", "hr", "input"}
LABEL = "Editors\u2019 note"


@dataclass(frozen=True)
class Note:
    number: int
    about: str  # the title after "Editorial note N:", as plain text (“phrase” or a description)
    phrase: str | None  # the quoted phrase, None where the title describes rather than quotes
    paragraph: str | None  # id of the essay paragraph the note concerns
    at_phrase: bool  # the marker stands after the phrase (False: at the end of the paragraph)
    text: str  # the note's words, as plain text (for the search index)


@dataclass(frozen=True)
class Unkeyed:
    """A note whose marker could not be put after its phrase: ``code`` says why."""

    number: int
    message: str
    code: str


def _plain(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def text_offsets(fragment: str) -> tuple[str, list[tuple[int, int]]]:
    """The text of an HTML fragment (entities decoded, tags dropped) and, for each character, the span of
    the fragment it comes from."""
    text, spans = [], []
    for piece in PIECE.finditer(fragment):
        chunk = piece.group(0)
        if chunk.startswith("<"):
            continue
        if chunk.startswith("&") and len(chunk) > 1:
            decoded = htmllib.unescape(chunk)
            text.append(decoded)
            spans += [(piece.start(), piece.end())] * len(decoded)
        else:
            text.append(chunk)
            spans += [(piece.start() + i, piece.start() + i + 1) for i in range(len(chunk))]
    return "".join(text), spans


def _balanced(fragment: str) -> bool:
    stack = []
    for match in TAG.finditer(fragment):
        closing, name, selfclosing = match.group(1), match.group(2).lower(), match.group(3)
        if selfclosing or name in VOID:
            continue
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def marker(number: int) -> str:
    return (f'<sup class="note-ref" id="note-ref-{number}" data-search-exclude>'
            f'<a href="#note-{number}" aria-label="{LABEL} {number}">{number}</a></sup>')


def _key_in(inner: str, number: int, phrase: str | None, taken: list[tuple[int, int]]) -> tuple[str, bool]:
    """The paragraph's inner HTML with the phrase wrapped and the marker after it (True), or with the
    marker at its end (False) where the phrase is not there whole."""
    if phrase:
        text, spans = text_offsets(inner)
        start = 0
        while (found := text.find(phrase, start)) != -1:
            begin, end = spans[found][0], spans[found + len(phrase) - 1][1]
            start = found + 1
            if any(begin < b and a < end for a, b in taken):
                continue  # inside a phrase already keyed to another note
            if _balanced(inner[begin:end]):
                wrapped = f'<span class="noted" id="noted-{number}">{inner[begin:end]}</span>{marker(number)}'
            else:  # the phrase crosses the edge of an element: mark it, without wrapping
                wrapped = inner[begin:end] + marker(number)
            taken.append((begin, end))
            return inner[:begin] + wrapped + inner[end:], True
    tools = inner.find('<span class="para-tools')
    at = tools if tools != -1 else len(inner.rstrip())
    return inner[:at] + marker(number) + inner[at:], False


def aside(number: int, about_html: str, body: str, paragraph: str | None) -> str:
    about = f'<span class="editorial-note__about">: {about_html}</span>' if about_html else ""
    where = f' data-paragraph="{paragraph}"' if paragraph else ""
    return (f'<aside class="editorial-note" id="note-{number}" role="note" aria-labelledby="note-{number}-label" '
            f'data-note="{number}"{where} data-search-exclude>\n'
            f'<p class="editorial-note__label" id="note-{number}-label"><a class="editorial-note__permalink" '
            f'href="#note-{number}" title="Permanent link to this note">{LABEL} {number}</a>{about}</p>\n'
            f'<div class="editorial-note__body">{body.strip()}</div>\n</aside>')


def key_notes(page_html: str) -> tuple[str, list[Note], list[Unkeyed]]:
    """Every "Editorial note N" admonition of the page as an aside keyed to a marker in the essay paragraph
    before it; the notes found; and the notes whose marker stands at the end of the paragraph, not after
    a quoted phrase (a title that paraphrases, a phrase not found), so that the editors can say which."""
    notes: list[Note] = []
    unkeyed: list[Unkeyed] = []
    paragraphs = {m.group("id"): m.group("inner") for m in PARAGRAPH.finditer(page_html)}
    taken: dict[str, list[tuple[int, int]]] = {}
    pieces, last, current = [], 0, None
    for match in re.finditer(f"{PARAGRAPH.pattern}|{ADMONITION.pattern}", page_html, re.S):
        if match.group("id"):
            current = match.group("id")
            continue
        title = TITLE.match(_plain(match.group("title")))
        if not title:
            continue  # an ordinary note box, not an editorial note
        number = int(title.group("n"))
        about_html = re.sub(r"^\s*Editorial note \d+\s*:\s*", "", match.group("title").strip())
        about = title.group("about")
        quoted = QUOTED.match(about)
        phrase = quoted.group("phrase") if quoted else None
        at_phrase = False
        if current is None:
            unkeyed.append(Unkeyed(number, f"editorial note {number} follows no essay paragraph; it has no marker in the text", "notes.no_paragraph"))
        else:
            paragraphs[current], at_phrase = _key_in(paragraphs[current], number, phrase, taken.setdefault(current, []))
            if not at_phrase:
                why = (f"the title quotes no phrase ({about!r})" if phrase is None else
                       f"its phrase \u201c{phrase}\u201d is not in paragraph {current}")
                unkeyed.append(Unkeyed(number, f"editorial note {number}: {why}; its marker is at the end of the paragraph",
                                       "notes.paraphrase" if phrase is None else "notes.phrase_not_found"))
        words = _plain(re.sub(r"<sup\b[^>]*>.*?</sup>", "", match.group("body"), flags=re.S))  # no citation numbers
        notes.append(Note(number, about, phrase, current, at_phrase, words))
        pieces += [page_html[last:match.start()], aside(number, about_html, match.group("body"), current)]
        last = match.end()
    pieces.append(page_html[last:])
    result = PARAGRAPH.sub(lambda m: f'<p class="essay-text" id="{m.group("id")}">{paragraphs.get(m.group("id"), m.group("inner"))}</p>', "".join(pieces))
    return result, notes, unkeyed + reading_order(result)


def reading_order(page_html: str) -> list[Unkeyed]:
    """The notes whose markers are read after a marker with a higher number (a reader meets 5, 7, 6): the
    numbers should follow the markers' order in the text, in every medium."""
    order = [int(n) for n in re.findall(r'<sup class="note-ref" id="note-ref-(\d+)"', page_html)]
    return [Unkeyed(number, f"editorial note {number}'s marker is read after note {before}'s; number the notes in "
                            f"the order their markers stand in the text (move the note, or quote a phrase that comes "
                            f"before note {before}'s)", "notes.order")
            for before, number in zip(order, order[1:]) if number < before]


def _has_notes(page_html: str) -> bool:
    return 'class="editorial-note"' in page_html


def add_switch(page_html: str) -> str:
    """The "read the essay alone" switch, before the essay's first paragraph, on a page with notes: in the page
    from the start, so that nothing moves when notes.js starts (it used to make the switch itself)."""
    if not _has_notes(page_html) or 'class="notes-toggle' in page_html:
        return page_html
    first = PARAGRAPH.search(page_html)
    at = first.start() if first else 0
    return page_html[:at] + TOGGLE + page_html[at:]


# "Read the essay alone": the button notes.js works. Web only (the PDF and the EPUB drop .web-only); shown only
# where the head script has run (html.notes-js), so that a reader without scripts is not offered a dead button.
TOGGLE = ('<p class="notes-toggle web-only"><button type="button" aria-pressed="false">'
          'Read the essay alone</button></p>\n')

# Run in the head, before the stylesheets and before the page is first drawn: the notes' layout (notes.css,
# keyed to html.notes-js and the article's class) and a remembered "read the essay alone" apply from the first
# paint, not when notes.js starts after the body, which moved the text (layout shift). Allowed by its hash in
# the page's Content Security Policy (webpage.add_csp).
STORE = "edition-notes-hidden"  # the same key as in notes.js
HEAD_SCRIPT = ('<script>(function(r){r.classList.add("notes-js");'
               f'try{{if(localStorage.getItem("{STORE}")==="1"){{r.classList.add("notes-hidden")}}}}catch(e){{}}'
               '})(document.documentElement)</script>')


def add_head_script(page_html: str) -> str:
    """The head script, on a page that has editors' notes."""
    if not _has_notes(page_html) or HEAD_SCRIPT in page_html:
        return page_html
    at = page_html.find('<link rel="stylesheet"')  # before the stylesheets: it need not wait for them to load
    return page_html[:at] + HEAD_SCRIPT + "\n" + page_html[at:] if at >= 0 else page_html.replace("</head>", HEAD_SCRIPT + "</head>", 1)


_ARTICLE = re.compile(r'<article class="(?![^"]*\bhas-editorial-notes\b)([^"]*\bmd-content__inner\b[^"]*)"')


def mark_article(page_html: str) -> str:
    """Material's article (``.md-content__inner``) marked ``.has-editorial-notes`` on a page with notes: notes.css
    keeps the margin for them from the first paint, without waiting for notes.js."""
    if not _has_notes(page_html):
        return page_html
    return _ARTICLE.sub(r'<article class="\1 has-editorial-notes"', page_html, count=1)


def search_entries(notes: list[Note], page_url: str) -> list[dict]:
    """One search entry per note, titled as the editors' (Material's index format: location, title, text)."""
    return [{"location": f"{page_url}#note-{n.number}", "title": f"{LABEL} {n.number}: {n.about}",
             "text": n.text} for n in notes]


def add_search_entries(index: dict, entries: list[dict]) -> dict:
    """Material's search index with the notes' entries, each after its page's last entry (replacing any
    entry already there for the same note, so that a rebuild does not add them twice)."""
    locations = {e["location"] for e in entries}
    docs = [d for d in index.get("docs", []) if d.get("location") not in locations]
    for entry in entries:
        page = entry["location"].split("#")[0]
        at = max((i for i, d in enumerate(docs) if d.get("location", "").split("#")[0] == page), default=len(docs) - 1)
        docs.insert(at + 1, entry)
    return dict(index, docs=docs)
