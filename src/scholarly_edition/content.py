"""Page structure, links and content security: what a contributor's page may contain and link to."""

from __future__ import annotations

import glob
import posixpath
import re
from pathlib import Path

import yaml

from .diagnostics import Problem, closest, did_you_mean, yaml_error_place
from .source import FENCE_OPEN, LineIndex, code_block_spans, prose_mask
from .terms import heading_sections

RAW_TAG = re.compile(r"<(?P<tag>script|iframe|object|embed|frame|frameset|applet|base|meta|link|form)\b", re.I)
EVENT_ATTR = re.compile(r"<[a-zA-Z][^>]*?\s(?P<attr>on[a-z]+)\s*=", re.I)
UNSAFE_URL = re.compile(r"(?:\]\(\s*<?|(?:href|src|action|formaction|xlink:href)\s*=\s*[\"']?)\s*(?P<url>(?:javascript|data|vbscript)\s*:[^\s)\"'>]*)", re.I)
MD_LINK = re.compile(r"(?P<image>!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
HTML_SRC = re.compile(r"<img\b[^>]*\ssrc\s*=\s*[\"'](?P<target>[^\"']+)[\"']", re.I)
HTML_ID = re.compile(r"\sid\s*=\s*[\"'](?P<id>[^\"']+)[\"']")
ATTR_ID = re.compile(r"\{[:\s][^}\n]*#(?P<id>[\w-]+)[^}\n]*\}")
FRONT_OPEN = re.compile(r"\A---[ \t]*\n")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif"}


def page_anchors(text: str) -> set[str]:
    """Ids a page's source defines: headings as MkDocs' toc makes them, attribute lists, raw HTML ids."""
    prose = prose_mask(text)
    anchors = {anchor for _, anchor, _ in heading_sections(prose)}
    anchors |= {m.group("id") for m in ATTR_ID.finditer(prose)}
    anchors |= {m.group("id") for m in HTML_ID.finditer(prose)}
    return anchors


def front_matter_problems(text: str, shown: str) -> list[Problem]:
    if not FRONT_OPEN.match(text):
        return []
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.M)
    if end is None:
        return [Problem(shown, 1, 1, "front matter opened with '---' is never closed; end it with a line '---'", "page.front_matter")]
    block = text[4:4 + end.start()]
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        line, col, what = yaml_error_place(exc)
        return [Problem(shown, line + 1, col, f"front matter: {what}", "page.front_matter")]
    if data is not None and not isinstance(data, dict):
        return [Problem(shown, 2, 1, "front matter must be 'key: value' lines", "page.front_matter")]
    return []


def structure_problems(text: str, shown: str) -> list[Problem]:
    """Unclosed code fences and empty pages."""
    problems = []
    lines = LineIndex(text)
    for start, end in code_block_spans(text):
        if end == len(text) and FENCE_OPEN.match(text[start:]):
            block = text[start:end].splitlines()
            fence = FENCE_OPEN.match(text[start:]).group("fence")
            closed = any(line.strip().startswith(fence[0] * len(fence)) and line.strip() == line.strip()[0] * len(line.strip()) for line in block[1:])
            if not closed:
                line, col = lines.position(start)
                problems.append(Problem(shown, line, col, f"code block opened with '{fence}' is never closed; add a line '{fence}' after the code", "page.unclosed_fence"))
    body = re.sub(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*\n?", "", text, count=1, flags=re.S)
    if not re.sub(r"<!--.*?-->", "", body, flags=re.S).strip():
        problems.append(Problem(shown, 1, 1, "the page is empty; write its content or remove it from docs/ and the nav", "page.empty"))
    return problems


def security_problems(text: str, shown: str) -> list[Problem]:
    """Raw scripts, frames, event handlers, script/data URLs and remote images are refused in contributions."""
    unmasked = prose_mask(text, urls=False)
    lines = LineIndex(text)
    problems = []
    for match in RAW_TAG.finditer(unmasked):
        tag = match.group("tag").lower()
        code = "content.raw_script" if tag == "script" else "content.embed"
        line, col = lines.position(match.start())
        problems.append(Problem(shown, line, col, f"raw <{tag}> is not allowed in a page; describe or link the content instead", code))
    for match in EVENT_ATTR.finditer(unmasked):
        line, col = lines.position(match.start("attr"))
        problems.append(Problem(shown, line, col, f"event attribute '{match.group('attr')}' is not allowed (it runs script); remove it", "content.event_handler"))
    for match in UNSAFE_URL.finditer(unmasked):
        line, col = lines.position(match.start("url"))
        scheme = match.group("url").split(":", 1)[0].lower()
        problems.append(Problem(shown, line, col, f"'{scheme}:' link or source is not allowed; link to a page or an https:// address", "content.unsafe_url"))
    for match in list(MD_LINK.finditer(unmasked)) + list(HTML_SRC.finditer(unmasked)):
        is_image = "image" not in match.groupdict() or match.group("image") == "!"
        target = match.group("target")
        if is_image and re.match(r"^(?:https?:)?//", target, re.I):
            line, col = lines.position(match.start("target"))
            problems.append(Problem(shown, line, col, f"remote image '{target}' would be fetched from another host; save the image under docs/ and link it there", "content.remote_image"))
    return problems


def link_problems(text: str, shown: str, src: str, docs_dir: Path, pages: set[str], anchors: dict[str, set[str]],
                  max_image_kb: int) -> list[Problem]:
    """Relative links and images: the target page or file exists, the anchor exists, images are not huge."""
    unmasked = prose_mask(text, urls=False)
    lines = LineIndex(text)
    problems = []
    base = posixpath.dirname(src)
    for match in list(MD_LINK.finditer(unmasked)) + list(HTML_SRC.finditer(unmasked)):
        target = match.group("target")
        is_image = "image" not in match.groupdict() or match.group("image") == "!"
        if re.match(r"^[a-z][a-z0-9+.-]*:|^//", target, re.I):
            continue  # external, mailto:, and unsafe schemes (reported by the security checks)
        line, col = lines.position(match.start("target"))
        path, _, fragment = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(base, path)) if path else src
        if path and (resolved.startswith("../") or resolved == ".."):
            problems.append(Problem(shown, line, col, f"link '{target}' points outside docs/; link to a page inside docs/", "link.not_found"))
            continue
        if path and resolved not in pages and not (docs_dir / resolved).is_file():
            what = "image" if is_image else "link"
            # a page is never the picture meant, so only links get the closest page as a guess
            close = same_name_elsewhere(path, base, docs_dir, pages) or ("" if is_image else closest_page(path, base, pages))
            problems.append(Problem(shown, line, col, f"{what} '{target}' points to '{resolved}', which does not exist; {close}fix the path", "link.image_missing" if is_image else "link.not_found"))
            continue
        if fragment and resolved in anchors and fragment not in anchors[resolved]:
            close = did_you_mean(fragment, anchors[resolved])
            problems.append(Problem(shown, line, col, f"link '{target}': '{resolved}' has no anchor '#{fragment}'; {close}link to an existing heading", "link.anchor_not_found"))
        if is_image and path and (docs_dir / resolved).is_file():
            size_kb = (docs_dir / resolved).stat().st_size // 1024
            if Path(resolved).suffix.lower() in IMAGE_SUFFIXES and size_kb > max_image_kb:
                problems.append(Problem(shown, line, col, f"image '{target}' is {size_kb} KB (limit {max_image_kb} KB); resize or compress it", "content.image_too_large"))
    return problems


def same_name_elsewhere(path: str, base: str, docs_dir: Path, pages: set[str]) -> str:
    """"docs/X exists: from this page write 'Y'; " when a file of the same name is elsewhere under docs/.

    A path is read from the page's own folder, so `images/a.png` written on docs/context/x.md means
    docs/context/images/a.png; the usual mistake is a right name from the wrong folder, and the fix is the
    exact path that works from the page (`../images/a.png`), which a similarity guess does not give.
    """
    name = posixpath.basename(path)
    if not name:
        return ""
    found = {page for page in pages if posixpath.basename(page) == name}
    if docs_dir.is_dir():
        found |= {file.relative_to(docs_dir).as_posix() for file in docs_dir.rglob(glob.escape(name)) if file.is_file()}
    if not found:
        return ""
    # the nearest one: fewest folders between it and the page, then alphabetical
    best = min(found, key=lambda f: (posixpath.relpath(f, base or ".").count("/"), f))
    return f"docs/{best} exists: from this page write '{posixpath.relpath(best, base or '.')}'; "


def closest_page(written: str, base: str, pages: set[str]) -> str:
    """"did you mean 'x'? " for the page closest to what was written, as the link must be written from the
    page's own folder (from docs/context/, 'author.md' and '../essay.md', never 'context/author.md')."""
    page = closest(written, {posixpath.relpath(page, base or ".") for page in pages})
    return f"did you mean '{page}'? " if page else ""


def nav_pages(nav) -> set[str]:
    """Every page path listed in mkdocs.yml's nav (None: no nav, so every page is in it)."""
    found: set[str] = set()

    def walk(item):
        if isinstance(item, str):
            if not re.match(r"^[a-z]+://", item):
                found.add(item)
        elif isinstance(item, list):
            for x in item:
                walk(x)
        elif isinstance(item, dict):
            for x in item.values():
                walk(x)

    walk(nav)
    return found
