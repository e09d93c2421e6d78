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


# The faces a page uses, fetched with its stylesheets rather than after them, so that they are nearly always there
# at the first paint. When they come later (a slow connection), font-display: swap shows them when they come, and
# the fallback faces below, scaled to the text face's metrics, keep the text from moving when they do. Upright
# regular and bold are on every page (text, headings); the italic where the page sets something in italics.
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


# The text face's metrics and those of the serifs a reader's system has instead (units per em, ascent, descent,
# line gap, mean advance width of running text). Source Serif 4 Regular: from the shipped file (fontTools), which
# @capsizecss/metrics 4.3.0 gives too (ascent 1036, descent -335, line gap 0, mean width 479 of 1,000). Georgia and
# Times New Roman: @capsizecss/metrics 4.3.0 (npm), widths weighted by English character frequencies. DejaVu Serif
# (Linux): its own file's ascent and descent; its width as measured in Chromium, which shapes the text (kerning):
# six paragraphs of English running text (59,319 px in Source Serif 4 against 64,257 px in DejaVu Serif at the
# same size, a ratio of 0.92315; fontTools' advance widths alone gave 0.9306, and the text then still moved).
TEXT_FACE_METRICS = {"units": 1000, "ascent": 1036, "descent": -335, "line_gap": 0, "width": 479}
FALLBACK_METRICS = {
    "Georgia": ({"units": 2048, "ascent": 1878, "descent": -449, "line_gap": 0, "width": 913},
                ("Georgia", "Georgia Bold", "Georgia Italic", "Georgia Bold Italic")),
    # width: Source Serif 4's 479 over the measured ratio of the two
    "DejaVu Serif": ({"units": 2048, "ascent": 1901, "descent": -483, "line_gap": 0, "width": 2048 * 0.479 / 0.92315},
                     ("DejaVu Serif", "DejaVu Serif Bold", "DejaVu Serif Italic", "DejaVu Serif Bold Italic")),
    "Times New Roman": ({"units": 2048, "ascent": 1825, "descent": -443, "line_gap": 87, "width": 832},
                        ("Times New Roman", "Times New Roman Bold", "Times New Roman Italic", "Times New Roman Bold Italic")),
}


def fallback_overrides(target: dict, fallback: dict) -> dict[str, float]:
    """The @font-face descriptors that make ``fallback`` take the room ``target`` takes (the method of fontaine
    and Next.js): scaled to the same mean width, and the target's ascent, descent and line gap at that scale."""
    size = (target["width"] / target["units"]) / (fallback["width"] / fallback["units"])
    return {"size-adjust": size, "ascent-override": target["ascent"] / target["units"] / size,
            "descent-override": abs(target["descent"]) / target["units"] / size,
            "line-gap-override": target["line_gap"] / target["units"] / size}


def fallback_faces_css(family: str = "Source Serif 4") -> str:
    """One fallback family per system serif ("Source Serif 4 Georgia", ...), each face from the system's own file
    (local()), scaled by :func:`fallback_overrides`; listed after the text face in the font stack."""
    rules = []
    for name, (metrics, locals_) in FALLBACK_METRICS.items():
        overrides = "; ".join(f"{key}: {value * 100:.2f}%" for key, value in fallback_overrides(TEXT_FACE_METRICS, metrics).items())
        regular, bold = locals_[0], locals_[1]
        for (weight, style), local in zip(((400, "normal"), (700, "normal"), (400, "italic"), (700, "italic")), locals_):
            # an italic the system lacks: its upright face, slanted by the browser, rather than an unscaled serif
            sources = [local] + ([bold if weight == 700 else regular] if style == "italic" else [])
            src = ", ".join(f'local("{s}")' for s in sources)
            rules.append(f'@font-face {{ font-family: "{family} {name}"; font-style: {style}; font-weight: {weight}; '
                         f'src: {src}; {overrides}; }}')
    return "\n".join(rules) + "\n"


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
