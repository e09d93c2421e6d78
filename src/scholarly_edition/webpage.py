"""Reader-facing additions to rendered pages: paragraph permalinks, 'Cite this', edit links, CSP."""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import json
import posixpath
import re
from urllib.parse import urlsplit

ESSAY_PARAGRAPH = re.compile(r'<p class="essay-text" id="p-(\d+)">(.*?)</p>', re.S)


def add_paragraph_tools(page_html: str) -> str:
    """A permalink and a 'cite this paragraph' button at the end of every numbered essay paragraph."""

    def tools(match: re.Match) -> str:
        n = match.group(1)
        return (
            f'<p class="essay-text" id="p-{n}">{match.group(2)}'
            f'<span class="para-tools web-only">'
            f'<a class="para-link" href="#p-{n}" aria-label="Permanent link to paragraph {n}">¶{n}</a>'
            f'<button type="button" class="para-cite" data-para="{n}" aria-label="Cite paragraph {n}">Cite</button>'
            f"</span></p>"
        )

    return ESSAY_PARAGRAPH.sub(tools, page_html)


def cite_block(citations, downloads: dict[str, str]) -> str:
    """The 'Cite this essay' section and the dialog the paragraph buttons fill (see cite.js).

    ``citations`` is a :class:`scholarly.Citations`; the paragraph citation is made here in Python (a template
    with ``{n}`` for the number) so the dialog says exactly what the about page says for a paragraph.
    """
    links = " · ".join(f'<a href="{htmllib.escape(href)}" download>{htmllib.escape(label)}</a>' for label, href in downloads.items())
    record = f'<p class="cite-record">Its publication of record: {citations.essay}</p>' if citations.essay else ""
    if citations.latest:  # a released version: its own address is permanent; the latest is elsewhere
        latest = htmllib.escape(citations.latest)
        record += (f'\n<p class="cite-latest">This citation is of this version, at its permanent address. The latest '
                   f'version is at <a href="{latest}">{latest}</a>.</p>')
    return f"""
<section class="cite-this web-only" id="cite-this" aria-labelledby="cite-this-title" data-url="{htmllib.escape(citations.url)}">
<h2 id="cite-this-title">Cite this essay</h2>
<p class="cite-formatted" id="cite-formatted">{citations.edition}</p>
{record}
<p class="cite-downloads">Download the reference: {links}</p>
<template id="cite-paragraph-template">{citations.paragraph("{n}")}</template>
<dialog id="cite-dialog" aria-labelledby="cite-dialog-title">
<h2 id="cite-dialog-title">Cite this paragraph</h2>
<p id="cite-dialog-text"></p>
<p class="cite-dialog-actions"><button type="button" class="md-button md-button--primary" id="cite-dialog-copy">Copy</button> <button type="button" class="md-button" id="cite-dialog-close">Close</button></p>
<p class="cite-dialog-status" id="cite-dialog-status" role="status" aria-live="polite"></p>
</dialog>
</section>
"""


def citing_section(citations, record_label: str | None = None) -> str:
    """The about page's 'How to cite': the same citations as the Cite box and the PDF's title page."""
    parts = []
    if citations.essay:
        where = f", the entry in the {record_label}" if record_label else ""
        parts.append(("The essay", f"Its publication of record{where}:", citations.essay))
    parts.append(("This edition", "The essay as read here, with the edition's editors:", citations.edition))
    parts.append(("One paragraph", "Every paragraph of the essay has a number and an address of its own; the second, for example:",
                  citations.paragraph(2)))
    return "\n".join(f'<p><strong>{label}.</strong> {lead}</p>\n<blockquote class="cite-form"><p>{text}</p></blockquote>'
                     for label, lead, text in parts)


def typographic_quotes(text: str) -> str:
    """Straight double quotes to curly ones. Material writes page descriptions into attributes unescaped,
    so a straight quote in front matter would end the attribute and break the page's head."""
    return re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text).replace('"', "\u201d")


_ABBR = re.compile(r'<abbr title="([^"]*)"')
# headings, reference entries and folded details (a first use hidden in a closed box would be the one marked)
_NO_UNDERLINE = re.compile(r'<(h[1-6])\b.*?</\1>|<div class="csl-entry".*?</div>|<details\b.*?</details>', re.S)


def mark_first_abbreviations(page_html: str) -> str:
    """class="first-use" on the first <abbr> of each expansion in the page's running text, so only that one
    is underlined (the others keep their tooltip). Headings and bibliography entries are never marked."""
    skipped = [m.span() for m in _NO_UNDERLINE.finditer(page_html)]
    seen: set[str] = set()

    def mark(match: re.Match) -> str:
        start, title = match.start(), match.group(1)
        if title in seen or any(a <= start < b for a, b in skipped):
            return match.group(0)
        seen.add(title)
        return f'<abbr class="first-use" title="{title}"'

    return _ABBR.sub(mark, page_html)


def edit_url(src_uri: str, current: str | None, repo_url: str | None, edit_uri: str | None, verbatim: set[str],
             generated_from: dict[str, str]) -> str | None:
    """Where a page's edit button leads (None: no button). Reading pages have none (the essay is verbatim; the
    editors' pages are changed through pull requests, as CONTRIBUTING.md says); a page generated from data leads
    to the data it is made from (``generated_from``: page -> path in the repository), where contributors add a
    source or a term."""
    if src_uri in verbatim or src_uri not in generated_from:
        return None
    if not repo_url:
        return current
    action_and_branch = (edit_uri or "edit/main/").strip("/").split("/")[:2]  # "edit/main/docs/" -> edit, main
    return "/".join([repo_url.rstrip("/"), *action_and_branch, generated_from[src_uri].lstrip("/")])


def site_map_entries(nav_items) -> list[tuple[str, str]]:
    """(title, site path) of the pages the foot of every page lists: the nav's pages, a section's pages in its
    place (MkDocs' nav items: ``title``, ``url``, ``children``)."""
    return [(page.title, page.url) for item in nav_items for page in (item.children or [item])
            if getattr(page, "url", None) is not None]  # a section inside a section has no url: its pages are not listed


def site_map(entries: list[tuple[str, str]], base: str) -> str:
    """The list of the edition's pages at the foot of a page whose way to the site's root is ``base`` (MkDocs'
    ``base_url``: '.', '..', '../..'). Pages at the same depth share it: the hook makes it once per depth and
    build, not once per page, which was a walk of the whole nav on every page ([6/6])."""
    root = base.rstrip("/") or base or "."  # '/' (the 404 page of a site without a path) stays '/'
    home = root if root.endswith("/") else root + "/"

    def href(url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith(("/", "#")):  # as MkDocs' url filter: left as written
            return url
        return (url if root == "." else posixpath.join(root, url)) if url else home

    items = "".join(f'\n    <li><a href="{href(url)}">{title}</a></li>' for title, url in entries)
    return f"<ul>{items}\n  </ul>"


def site_href(target: str, page_url: str) -> str:
    """A link from the page at ``page_url`` to ``target`` (both site paths), for folder URLs ('essay/') and
    file URLs ('essay.html') alike."""
    folder = page_url if page_url.endswith("/") else posixpath.dirname(page_url)
    return posixpath.relpath(target, folder.rstrip("/") or ".")


_SITE_FILE_HREF = re.compile(r'href="((?:\.\./)+)((?:downloads|cite)/[^"#?]*)"')


def folder_hrefs_to_files(page_html: str, folder_url: str, file_url: str) -> str:
    """Links to the site's generated files (downloads/, cite/) written by hand in a page's raw HTML assume
    folder URLs ('../downloads/x.pdf' from 'essay/'); the same targets from the page built as ``file_url``."""

    def fix(match: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(folder_url or ".", match.group(1) + match.group(2)))
        return f'href="{site_href(target, file_url)}"' if not target.startswith("..") else match.group(0)

    return _SITE_FILE_HREF.sub(fix, page_html)


def inject_head(page_html: str, tags: str) -> str:
    return page_html.replace("</head>", tags + "\n</head>", 1)


INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s+[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)


def content_security_policy(page_html: str, extra_scripts: tuple[str, ...] = ()) -> str:
    """Only the site's own resources; inline scripts allowed by their SHA-256 hashes, nothing else.
    ``extra_scripts``: inline scripts the page's own code writes later (the worker shim's), by their text."""
    hashes = [_sha256(body) for body in extra_scripts]
    for match in INLINE_SCRIPT.finditer(page_html):
        attrs = match.group("attrs") or ""
        if "src=" in attrs:
            continue
        kind = re.search(r'type="([^"]+)"', attrs)
        if kind and kind.group(1) not in ("text/javascript", "module"):
            continue  # JSON and JSON-LD data blocks are never executed
        hashes.append(_sha256(match.group("body")))
    scripts = " ".join(["'self'", *sorted(set(hashes))])
    return (
        "default-src 'self'; "
        f"script-src {scripts}; "
        "style-src 'self' 'unsafe-inline'; "  # Material sets style attributes from its own script
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def search_worker_url(page_html: str) -> str | None:
    """The search worker's address as Material's script reads it from the page (relative to the page)."""
    block = re.search(r'<script id="__config" type="application/json">(.*?)</script>', page_html, re.S)
    try:
        return json.loads(block.group(1)).get("search") if block else None
    except ValueError:
        return None


def iframe_worker_script(shim_js: str, worker_url: str) -> str:
    """The inline script that the iframe-worker shim writes into its iframe for ``worker_url``. The iframe
    inherits the page's Content Security Policy, so the policy must allow this script by its hash. Read from
    the shim's own source: its template, with the functions it pastes in as their source text."""
    template = re.search(r"document\.write\(`<html><body><script>(.*?)<\\/script>", shim_js, re.S)
    if template is None:
        raise ValueError("iframe-worker shim: its iframe template was not found (a new version of the shim?)")

    def value(match: re.Match) -> str:
        name = match.group(1)
        start = re.search(r"function " + re.escape(name) + r"\(", shim_js)
        return _function_source(shim_js, start.start()) if start else worker_url  # the only other one: the URL

    return re.sub(r"\$\{(\w+)\}", value, template.group(1))


def _function_source(js: str, start: int) -> str:
    """``function name(...){...}`` from ``start``, to its matching closing brace."""
    depth, i = 0, js.index("{", start)
    while True:
        depth += {"{": 1, "}": -1}.get(js[i], 0)
        if depth == 0:
            return js[start:i + 1]
        i += 1


def add_csp(page_html: str, extra_scripts: tuple[str, ...] = ()) -> str:
    policy = content_security_policy(page_html, extra_scripts)
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return re.sub(r'(<meta charset="utf-8">)', r"\1\n" + tag.replace("\\", "\\\\"), page_html, count=1, flags=re.I)
