"""The web edition's text face, subset at build time to the characters the built site shows."""

from __future__ import annotations

import hashlib
import html as htmllib
import re
import shutil
from pathlib import Path

# Printable ASCII is always kept, so a search query or a new page never falls back for a plain letter.
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))
_SKIPPED = re.compile(r"<(script|style|svg)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_BODY = re.compile(r"<body\b.*", re.S | re.I)


def page_characters(page_html: str) -> set[str]:
    """Characters a reader can see in a page's body (no markup, scripts, styles or icons)."""
    body = _BODY.search(page_html)
    text = _TAG.sub(" ", _SKIPPED.sub(" ", body.group(0) if body else page_html))
    return set(htmllib.unescape(text))


def site_characters(pages: list[str]) -> str:
    """The sorted characters of all pages plus printable ASCII, without white space and control characters."""
    chars = set(ALWAYS)
    for page_html in pages:
        chars |= page_characters(page_html)
    return "".join(sorted(c for c in chars if c == " " or (c.isprintable() and not c.isspace())))


# The faces a page uses, fetched with its stylesheets rather than after them. They are font-display: optional
# (edition.css), so a face that is not ready at the first paint is not used on that visit (a face swapped in
# later moved the text): the preload is what gets the faces used at all. Upright regular and bold are on every
# page (text, headings); the italic where the page sets something in italics.
PRELOAD_FACES = ("latin-400-normal", "latin-700-normal")
ITALIC_FACE = "latin-400-italic"
_ITALIC = re.compile(r'<(?:em|i|cite)\b|class="[^"]*\b(?:essay-occasion|author-note|verification-note)\b', re.I)


def preload_links(page_html: str, font_href: str, family_file: str = "source-serif-4") -> str:
    """``<link rel=preload>`` tags for the faces the page uses first; ``font_href`` is the font folder as the
    page links it ("../fonts/source-serif-4"). Fonts are fetched in CORS mode, so the preload is too."""
    body = _BODY.search(page_html)
    italic = _ITALIC.search(body.group(0) if body else page_html)
    faces = [*PRELOAD_FACES, *([ITALIC_FACE] if italic else [])]
    return "".join(f'<link rel="preload" href="{font_href}/{family_file}-{face}.woff2" as="font" type="font/woff2" crossorigin>'
                   for face in faces)


def add_preloads(page_html: str, font_href: str) -> str:
    """The preload tags at the end of the head: asked for with the stylesheets, after them (a face asked for
    first takes bandwidth from the stylesheets, which the first paint waits for)."""
    return page_html.replace("</head>", preload_links(page_html, font_href) + "\n</head>", 1)


_OPTIONAL = re.compile(r"font-display\s*:\s*optional", re.I)


def swap_where_not_preloaded(css: str) -> str:
    """The stylesheet for pages that cannot preload their faces (the preview read from disk: Chromium refuses
    a CORS-mode preload of a file:// URL). font-display: optional keeps the fallback when a face was not
    ready at the first paint, which without a preload is nearly always; "swap" shows the face when it comes."""
    return _OPTIONAL.sub("font-display:swap", css)


def subset_woff2(source: Path, target: Path, text: str, cache: Path | None = None) -> None:
    """``source`` reduced to the glyphs of ``text`` (kerning and ligatures kept, hinting dropped), as WOFF2.
    With ``cache``, a subset made before from the same file and text is copied instead of made again."""
    key = hashlib.sha256(source.read_bytes() + text.encode("utf-8")).hexdigest()[:16]
    cached = cache / f"{source.stem}-{key}.woff2" if cache else None
    target.parent.mkdir(parents=True, exist_ok=True)
    if cached and cached.is_file():
        shutil.copyfile(cached, target)
        return
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.layout_features = ["kern", "liga"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright, names and licence fields (OFL)
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    subset.save_font(font, str(target), options)
    if cached:
        shutil.copyfile(target, cached)
