"""Citations formatted in the background while pages render.

The one Pandoc run that formats every citation of the site takes seconds on a large site. Instead of
waiting for it before the first page, pages are rendered with a placeholder token where each formatted
citation or reference goes; when Pandoc has answered, each token is replaced by its formatted text,
rendered by the same Markdown pipeline. Pages rendered after Pandoc has answered get the real text
directly. Nothing here imports MkDocs: the hook passes in the Markdown renderer and the Pandoc call.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from functools import lru_cache

# Tokens are letters and digits only (c: citation, r: reference; s: separator in join_for_rendering), which
# Markdown, smarty and abbreviations leave alone and no source contains.
TOKEN = re.compile(r"zqx([cr])(\d+)xqz")
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t].*@", re.M)
_SETEXT = re.compile(r"^.*@.*\n {0,3}(?:=+|-+)[ \t]*$", re.M)


def _token(kind: str, index: int) -> str:
    return f"zqx{kind}{index}xqz"


# Where the formatted text goes in prose. An in-text citation's token is written as a Markdown link to the
# scheme "zqx:" (never validated by MkDocs, never in a source), so it comes out as <a href="zqx:">token</a>
# only where Markdown renders inline text; a reference's token is the paragraph of a reference-list entry.
# A token anywhere else (a heading's anchor, an image's alt text, raw HTML, glued to a word) could render
# differently there, so its page is rendered again from its Markdown instead.
MARK_HREF = "zqx:"
_MARKED = re.compile(r'<a href="zqx:">(zqxc\d+xqz)</a>')
_MARKED_MARKDOWN = re.compile(r"\[(zqxc\d+xqz)\]\(zqx:\)")
_IN_PROSE = re.compile(r'(?<!\w)<a href="zqx:">zqxc\d+xqz</a>(?!\w)|(?<=<p>)zqxr\d+xqz(?=</p>)')
_ENTRY = re.compile(r'<div class="csl-entry" id="ref-([^"]+)">.*?</div>', re.S)


# Text Markdown renders as itself: letters, digits, spaces and punctuation no extension reacts to (no
# quote, dash pair, ellipsis, emphasis, link, HTML or entity), not starting like a list item. This holds for
# the extensions in mkdocs.yml (tests/test_deferred.py checks it against them); one that reacts to these
# characters, e.g. pymdownx.smartsymbols' "(c)", would need them added here.
_PLAIN = re.compile(r"(?!\d+[.)](?:\s|$))(?![-+*:]\s)(?:[^\W_]|[ ,.;:()\-\u2013])+")


def renders_as_itself(text: str, abbreviations: list[str]) -> bool:
    """True if Python-Markdown (with smarty, abbr and the rest) would output ``text`` unchanged, so it need
    not be rendered: most in-text citations, e.g. "(Doe 1998, 3)"."""
    if not _PLAIN.fullmatch(text) or "--" in text or ".." in text or "  " in text or text != text.strip():
        return False
    pattern = _abbreviations(tuple(abbreviations))
    return pattern is None or not pattern.search(text)


@lru_cache(maxsize=8)
def _abbreviations(abbreviations: tuple[str, ...]) -> re.Pattern | None:
    """Any of the abbreviations, found as Python-Markdown's abbr extension finds them (markdown/extensions/abbr.py)."""
    if not abbreviations:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(abbreviations, key=len, reverse=True))) + r")\b")


def render_texts(texts: list[str], abbreviations: list[str], render: Callable[[str], str]) -> list[str | None]:
    """Each formatted text as inline HTML, None where it is not a single paragraph. The texts Markdown would
    change are rendered together by ``render`` (one Markdown run for all of them)."""
    out: list[str | None] = [text if renders_as_itself(text, abbreviations) else None for text in texts]
    todo = [i for i, text in enumerate(out) if text is None]
    if todo:
        for i, html in zip(todo, split_rendered(render(join_for_rendering([texts[i] for i in todo])), len(todo))):
            out[i] = html
    return out


def done(value) -> Future:
    """A result that is already there, in the form ``in_background`` gives."""
    future: Future = Future()
    future.set_result(value)
    return future


def in_background(call: Callable, *args) -> Future:
    """Run ``call(*args)`` in a daemon thread (Pandoc runs as a subprocess, so Python goes on meanwhile);
    a build that fails before it needs the result does not wait for it to exit."""
    future: Future = Future()

    def run() -> None:
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(call(*args))
            except BaseException as exc:  # handed to whoever waits for the result
                future.set_exception(exc)

    threading.Thread(target=run, name="edition-pandoc", daemon=True).start()
    return future


def split_rendered(html: str, count: int) -> list[str | None]:
    """The output of ``join_for_rendering``: each text's inline HTML, or None where it was not a single
    paragraph (a list, a raw HTML block, two paragraphs)."""
    parts = re.split(r"\s*<p>zqxs\d+xqz</p>\s*", html.strip())
    if len(parts) != count + 1:
        return [None] * count
    found = [re.fullmatch(r"<p>(.*)</p>", part, re.S) for part in parts[:count]]
    return [m.group(1) if m and "<p>" not in m.group(1) else None for m in found]


def join_for_rendering(texts: list[str]) -> str:
    """Many Markdown texts as one document, each its own paragraph, so one Markdown run renders them all."""
    return "".join(f"{text}\n\n{_token('s', i)}\n\n" for i, text in enumerate(texts))


def cites_in_heading(markdown: str) -> bool:
    """True if a heading may hold a citation: its text becomes the page title, table of contents and
    anchor, which a token must not stand in for (such a page waits for Pandoc instead)."""
    return bool(_HEADING.search(markdown) or _SETEXT.search(markdown))


_INLINE_TAGS = "a|abbr|b|cite|code|del|em|i|ins|mark|q|s|small|span|strong|sub|sup|u"
_TAG_OR_TOKEN = re.compile(rf"<(/?)(?:{_INLINE_TAGS})(?=[\s>/])[^>]*>|zqxc\d+xqz")


def _tokens_inside_inline_elements(html: str) -> set[int]:
    """Start offsets of the citation tokens that lie inside an inline element (<em>, <a>, ...)."""
    depth, inside = 0, set()
    for m in _TAG_OR_TOKEN.finditer(html):
        if m.group(0).startswith("zqx"):
            if depth > 0:
                inside.add(m.start())
        elif m.group(0).endswith("/>"):
            continue
        else:
            depth = max(0, depth + (-1 if m.group(1) else 1))
    return inside


class DeferredCitations:
    """Every citation block (by its source text) and every entry key, and the pending result of formatting
    them: ``(inline, references)``, formatted Markdown by block text and by key, the references in the
    style's bibliography order (as mkdocs-bibtex's Pandoc registry gives them).
    """

    def __init__(self, blocks: list, keys: list[str], result: Future):
        self.blocks = [str(block) for block in blocks]
        self.keys = list(keys)
        self.inline: dict[str, str] | None = None
        self.references: dict[str, str] | None = None
        self._html: dict[str, str | None] = {}
        self._future = result
        # Made once: pages ask for them one by one, and a new dict of every block of the site for each page grew
        # with the square of the pages ([6/6]). Callers read them, never change them.
        self._inline_tokens = {block: _token("c", i) for i, block in enumerate(self.blocks)}
        self._inline_marks = {block: f"[{token}]({MARK_HREF})" for block, token in self._inline_tokens.items()}
        self._reference_tokens = {key: _token("r", i) for i, key in enumerate(self.keys)}

    def inline_tokens(self) -> dict[str, str]:
        return self._inline_tokens

    def inline_marks(self) -> dict[str, str]:
        """What a page shows for each citation block until Pandoc answers: its token as a marked link."""
        return self._inline_marks

    def reference_tokens(self) -> dict[str, str]:
        return self._reference_tokens

    @property
    def ready(self) -> bool:
        return self.inline is not None

    def resolve(self, wait: bool) -> bool:
        """Take Pandoc's answer if it has come (or wait for it); an error in the call is raised here."""
        if self.inline is None and (wait or self._future.done()):
            self.inline, self.references = self._future.result()
        return self.ready

    def markdown_for(self, token: re.Match) -> str:
        """The formatted Markdown a token stands for; a block Pandoc did not answer stays as written, so
        the rendered-page check reports it as it would without tokens."""
        kind, index = token.group(1), int(token.group(2))
        if kind == "c":
            block = self.blocks[index]
            return self.inline.get(block, block)
        return self.references.get(self.keys[index], "")

    def restore_markdown(self, text: str) -> str:
        """The Markdown as it would have been with the formatted citations in place of the tokens."""
        text = _MARKED_MARKDOWN.sub(lambda m: self.markdown_for(TOKEN.fullmatch(m.group(1))), text)
        return TOKEN.sub(self.markdown_for, text)

    def substitute_html(self, html: str, render_many: Callable[[list[str]], list[str | None]]) -> str | None:
        """Replace every token in rendered HTML by its formatted text as inline HTML. ``render_many`` renders
        all formatted texts at once (one Markdown run) and gives None for a text that is not a single
        paragraph. None if a token is not where formatted text goes in prose, or its text is not one
        paragraph: the caller then renders the page again from ``restore_markdown``."""
        if len(_IN_PROSE.findall(html)) != len(TOKEN.findall(html)):
            return None
        html = _MARKED.sub(r"\1", html)  # the marks have served: the formatted text brings its own links
        if not self._html:
            tokens = [*self.inline_tokens().values(), *self.reference_tokens().values()]
            texts = [self.markdown_for(TOKEN.fullmatch(token)) for token in tokens]
            self._html = dict(zip(tokens, render_many(texts)))
        missing, nested = False, _tokens_inside_inline_elements(html)

        def replace(token: re.Match) -> str:
            nonlocal missing
            found = self._html.get(token.group(0))
            if found is None or ("<" in found and token.start() in nested):
                missing = True  # e.g. "*see [@a]*" with an italic title in the citation: nesting differs
                return token.group(0)
            return found

        result = TOKEN.sub(replace, html)
        return None if missing else result

    def reorder_entries(self, html: str) -> str:
        """Reference-list entries written in key order (with tokens) put into the style's order."""
        order = {key: i for i, key in enumerate(self.references or {})}
        matches = list(_ENTRY.finditer(html))
        if len(matches) < 2:
            return html
        first, last = matches[0].start(), matches[-1].end()
        gaps = {html[a.end():b.start()] for a, b in zip(matches, matches[1:])}
        if len(gaps) != 1 or gaps.pop().strip():
            return html  # not one run of entries: leave it as written
        gap = html[matches[0].end():matches[1].start()]
        ordered = sorted(matches, key=lambda m: order.get(m.group(1), len(order)))
        return html[:first] + gap.join(m.group(0) for m in ordered) + html[last:]
