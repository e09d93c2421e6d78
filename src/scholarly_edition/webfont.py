"""The web edition's text face, subset at build time to the characters the built site shows."""

from __future__ import annotations

import base64
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
    chars = set()
    for page_html in pages:
        chars |= page_characters(page_html)
    return font_characters(chars)


def font_characters(chars: set[str]) -> str:
    """``chars`` plus printable ASCII, sorted, without white space and control characters: what a subset keeps."""
    return "".join(sorted(c for c in set(ALWAYS) | chars if c == " " or (c.isprintable() and not c.isspace())))


# The faces the pages use travel inside the stylesheet (data: URLs), so the first paint, which waits for the
# stylesheets, has them: the text is drawn in its own face from the start and never swaps, even on a slow first
# visit. Preloaded as separate files, they came after the stylesheets there (150 ms, 9 Mbit/s: about 100 ms
# after the first paint), and swapping them in moved the page by 0.02-0.06. Upright regular and bold are on
# every page (text, headings); the italic when some page sets italics. A face no page uses (the bold italic)
# stays a file, fetched only if a page ever needs it; the fallback faces below stand in while it comes.
UPRIGHT_FACES = ("latin-400-normal", "latin-700-normal")
ITALIC_FACE = "latin-400-italic"
_ITALIC = re.compile(r'<(?:em|i|cite)\b|class="[^"]*\b(?:essay-occasion|author-note|verification-note)\b', re.I)
_FONT_URL = re.compile(r"""url\((["']?)([^)"']+\.woff2)\1\)""")
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)
_DISPLAY = re.compile(r"font-display\s*:\s*[a-z]+", re.I)


def faces_used(pages: list[str]) -> list[str]:
    """The faces the built pages use: upright regular and bold, and the italic when a page sets italics."""
    return faces(any(sets_italics(page) for page in pages))


def sets_italics(page_html: str) -> bool:
    """The page (its body, or the whole text for a part of a page) sets something in italics."""
    return bool(_ITALIC.search(body.group(0) if (body := _BODY.search(page_html)) else page_html))


def faces(italic: bool) -> list[str]:
    return [*UPRIGHT_FACES, *([ITALIC_FACE] if italic else [])]


class SiteText:
    """What the web font needs from the built site, gathered page by page as the pages are written: the
    characters shown and whether any page sets italics. A part made once per build and repeated on many pages
    (a nav item, the list of pages) is read once, by whoever makes it, and each page is read without its parts:
    its share stays the same whatever the number of pages. Reading every built page back at the end was 300 MB
    at 1,000 pages, every page carrying the whole nav ([6/6])."""

    def __init__(self) -> None:
        self.characters: set[str] = set()
        self.italic = False

    def read_part(self, html: str) -> bool:
        """A part of pages, read once; whether it sets italics (keep it with the part)."""
        self.characters |= page_characters(html)
        italic = sets_italics(html)
        self.italic = self.italic or italic
        return italic

    def add_page(self, page_html: str, parts: list[tuple[str, bool]] = ()) -> list[str]:
        """A written page, read without the parts it carries (each with whether it sets italics, from
        read_part); the faces the page uses."""
        own, italic = page_html, False
        for part, part_italic in parts:
            own = own.replace(part, "", 1)
            italic = italic or part_italic
        italic = sets_italics(own) or italic
        self.characters |= page_characters(own)
        self.italic = self.italic or italic
        return faces(italic)

    def font_characters(self) -> str:
        return font_characters(self.characters)


def embed_faces(css: str, css_path: Path, faces: list[str]) -> str:
    """``css`` with each ``@font-face`` of a face in ``faces`` given its file (``url(...woff2)`` resolved from
    ``css_path``'s folder, the built file) as a data: URL, and ``font-display: block``: the face is already
    there, and "block" makes the first paint wait the few milliseconds it takes to decode, where "swap" drew that
    paint in the fallback and moved the text a frame later. Other rules, and files not there, are left alone."""
    def embed(rule: re.Match) -> str:
        url = _FONT_URL.search(rule.group(0))
        target = css_path.parent / url.group(2) if url else None
        if target is None or not target.is_file() or not any(target.name.endswith(f"-{face}.woff2") for face in faces):
            return rule.group(0)
        data = f'url("data:font/woff2;base64,{base64.b64encode(target.read_bytes()).decode("ascii")}")'
        body = _DISPLAY.sub("font-display:block", rule.group(0).replace(url.group(0), data))
        return body if _DISPLAY.search(body) else body.replace("{", "{font-display:block;", 1)
    return _FONT_FACE.sub(embed, css)


# The text face's metrics and those of the serifs a reader's system has instead (units per em, ascent, descent,
# line gap, and the mean advance width of running text in each face: regular, bold, italic, bold italic). Source
# Serif 4: from the shipped files (fontTools), which @capsizecss/metrics 4.3.0 gives too (ascent 1036, descent
# -335, line gap 0; widths 479, 494, 441 and 478 of 1,000). Georgia and Times New Roman: @capsizecss/metrics 4.3.0
# (npm), widths weighted by English character frequencies. DejaVu Serif (Linux): its own file's ascent and
# descent; its widths as measured in Chromium, which shapes the text (kerning): the essay's paragraphs in each face
# of both families at the same size (Source Serif 4 over DejaVu Serif: 0.92315 regular, 0.86073 bold, 0.84980
# italic, 0.83137 bold italic; Debian's fonts-dejavu-core has no italic, so the browser slants the upright).
# Scaled for the regular face alone, the bold fallback was 7 % too wide (the essay's title took two lines) and the
# italic one 15 % (the occasion and the author's note took a line more) until the face came.
FACES = ((400, "normal"), (700, "normal"), (400, "italic"), (700, "italic"))
TEXT_FACE_METRICS = {"units": 1000, "ascent": 1036, "descent": -335, "line_gap": 0, "widths": (479, 494, 441, 478)}
FALLBACK_METRICS = {
    "Georgia": ({"units": 2048, "ascent": 1878, "descent": -449, "line_gap": 0, "widths": (913, 1062, 931, 1082)},
                ("Georgia", "Georgia Bold", "Georgia Italic", "Georgia Bold Italic")),
    # widths: Source Serif 4's over the measured ratios of the two
    "DejaVu Serif": ({"units": 2048, "ascent": 1901, "descent": -483, "line_gap": 0,
                      "widths": tuple(2048 * w / 1000 / r for w, r in zip((479, 494, 441, 478), (0.92315, 0.86073, 0.84980, 0.83137)))},
                     ("DejaVu Serif", "DejaVu Serif Bold", "DejaVu Serif Italic", "DejaVu Serif Bold Italic")),
    "Times New Roman": ({"units": 2048, "ascent": 1825, "descent": -443, "line_gap": 87, "widths": (832, 886, 836, 857)},
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
    (local()), scaled face by face by :func:`fallback_overrides`; listed after the text face in the font stack."""
    rules = []
    for name, (metrics, locals_) in FALLBACK_METRICS.items():
        regular, bold = locals_[0], locals_[1]
        for index, ((weight, style), local) in enumerate(zip(FACES, locals_)):
            scaled = fallback_overrides({**TEXT_FACE_METRICS, "width": TEXT_FACE_METRICS["widths"][index]},
                                        {**metrics, "width": metrics["widths"][index]})
            overrides = "; ".join(f"{key}: {value * 100:.2f}%" for key, value in scaled.items())
            # an italic the system lacks: its upright face, slanted by the browser, rather than an unscaled serif
            sources = [local] + ([bold if weight == 700 else regular] if style == "italic" else [])
            src = ", ".join(f'local("{s}")' for s in sources)
            rules.append(f'@font-face {{ font-family: "{family} {name}"; font-style: {style}; font-weight: {weight}; '
                         f'src: {src}; {overrides}; }}')
    return "\n".join(rules) + "\n"


# A script at the end of the head, after the stylesheets (it runs once they are in): it asks for the faces the page
# uses at once, so that they are decoded while the page is parsed. Left to the layout, the italic was asked for only
# when the layout reached the first italic line, came a frame after the first paint on a slowed phone, and the lines
# it sets moved (0.038 in Lighthouse's mobile run).
def load_faces_script(faces: list[str], family: str = "Source Serif 4") -> str:
    specs = [f'{"italic " if face.endswith("italic") else ""}{face.split("-")[1]} 1em \\"{family}\\"' for face in faces]
    calls = "".join(f'document.fonts.load("{spec}");' for spec in specs)
    return f"<script>if(document.fonts){{{calls}}}</script>"


def add_load_faces_script(page_html: str, faces: list[str]) -> str:
    return page_html.replace("</head>", load_faces_script(faces) + "\n</head>", 1)


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
