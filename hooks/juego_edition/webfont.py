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
