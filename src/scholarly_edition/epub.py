"""The EPUB 3 of the edition, written directly (no Pandoc): every book page as its own XHTML file, in book order.

Why by hand: the notes must carry ``epub:type``/DPUB-ARIA roles and back-links, the package needs the
accessibility metadata of EPUB Accessibility 1.1, and the fonts must be subset to the characters the text
uses; Pandoc's HTML reader drops the first and offers neither of the others.

What happens to a built page: web-only parts go; links to pages (and anchors) that are in the book point to
the book's own files, other links become absolute web links; notes (Python-Markdown footnotes, and any
``<aside id=...>`` that the text links to) become ``epub:type="noteref"`` links and ``epub:type="footnote"``
asides with back-links, gathered at the end of their file; headings never skip a level.
"""

from __future__ import annotations

import copy
import html as htmllib
import io
import os
import posixpath
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
from lxml import etree

from .publication import BookMeta, medium_article, page_url, select

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = "data-epub-type"  # stands for epub:type while the page is still an HTML tree

# Parts of a built page that only make sense on the web (navigation, buttons, permalinks, forms, icons).
WEB_ONLY = (
    ".md-content__button", "a.headerlink", ".md-source-file", "script", "form", "nav", "button", ".web-only",
    ".md-feedback", "dialog", "svg", ".pdf-only",  # the PDF's own instructions are not the EPUB's
)
# What only the EPUB says (its own reading instructions): class epub-only with the hidden attribute on the site.
EPUB_ONLY = ".epub-only"

# Which elements the reading system sets in italic or bold: the same lists as book/epub.css, which styles
# them explicitly, so that each font face is subset to exactly the characters set in it.
ITALIC_TAGS = {"em", "i", "cite", "dfn", "var"}
ITALIC_CLASSES = {"verification-note"}
BOLD_TAGS = {"strong", "b", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
BOLD_CLASSES = {"admonition-title", "book-title"}
# Characters a reading system may draw without their being in the text: list markers and hyphenation.
GENERATED_CHARACTERS = "0123456789.•-\u2010 \u00a0"

ACCESSIBILITY_SUMMARY = (
    "A text-only publication: every page of the edition in reading order with a table of contents, headings "
    "in order, notes linked both ways, and glossary terms and abbreviations marked up. It has no images, "
    "audio, video or fixed layout, and it meets WCAG 2.1 Level AA as far as the editors have checked it "
    "(Ace by DAISY and EPUBCheck report no problems)."
)


@dataclass
class Chapter:
    src: str  # docs-relative source, e.g. 'context/background.md'
    filename: str  # inside the EPUB's text folder, e.g. 'context-background.xhtml'
    title: str = ""
    body: object = None  # the cleaned article (an lxml.html element)
    headings: list[tuple[int, str, str]] = field(default_factory=list)  # (level, id, text) of h2 for the nav


def chapter_filename(src: str) -> str:
    return (re.sub(r"[^a-z0-9]+", "-", src[:-3].lower()).strip("-") or "home") + ".xhtml"


def xml_id(value: str) -> str:
    """An id that is safe in XHTML and in URLs: Python-Markdown's 'fn:key' becomes 'fn-key'."""
    value = re.sub(r"[^A-Za-z0-9_.-]", "-", value)
    return value if re.match(r"[A-Za-z_]", value) else f"x-{value}"


def _resolve(base: str, path: str) -> str:
    """A relative link on page ``base`` -> the target's site path ('' for the home page)."""
    target = posixpath.normpath(posixpath.join("/" + base, path)).lstrip("/")
    if target == ".":
        target = ""
    if target and not target.endswith("/") and "." not in posixpath.basename(target):
        target += "/"
    return target


def _has_class(element, names: set[str]) -> bool:
    return bool(names & set((element.get("class") or "").split()))


def clean_article(page_html: str, src: str):
    """The page's article as the EPUB has it: without the web's parts and the PDF's, with the EPUB's own."""
    return medium_article(page_html, src, WEB_ONLY, EPUB_ONLY)


def rewrite_links(article, src: str, files: dict[str, str], site_url: str) -> None:
    """Links to book pages point to the book's files; anything else on the site becomes an absolute web link."""
    base = page_url(src)
    for element in article.xpath(".//*[@id]"):
        element.set("id", xml_id(element.get("id")))
    for link in article.xpath(".//a[@href]"):
        href = link.get("href")
        for attribute in ("download", "rel", "target"):
            link.attrib.pop(attribute, None)
        if href.startswith("#"):
            link.set("href", "#" + xml_id(href[1:]) if href[1:] else "#")
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", href):
            continue
        path, _, fragment = href.partition("#")
        target = _resolve(base, path)
        if target in files:
            inside = "" if files[target] == files[base] else files[target]
            link.set("href", inside + (f"#{xml_id(fragment)}" if fragment else "") or "#")
        else:
            link.set("href", site_url.rstrip("/") + "/" + target + (f"#{fragment}" if fragment else ""))


def make_notes(article) -> None:
    """Turn notes into noteref links and footnote asides with back-links, gathered at the end of the page.

    A note is a Python-Markdown footnote (``div.footnote li[id]``) or an ``aside`` with an id that the text
    links to (editorial notes with a marker). Asides nobody links to stay where they are, as plain notes.
    """
    bodies = {li.get("id"): li for li in [li for div in select(article, "div.footnote") for li in div.xpath(".//li[@id]")]}
    bodies |= {aside.get("id"): aside for aside in article.xpath(".//aside[@id]")}
    refs: dict[str, list] = {}
    for link in article.xpath('.//a[starts-with(@href, "#")]'):
        target = link.get("href")[1:]
        if target in bodies and not any(a is bodies[target] for a in link.iterancestors()):
            refs.setdefault(target, []).append(link)
    notes = []
    for note_id, body in bodies.items():
        links = refs.get(note_id, [])
        if not links:  # nothing points to it: keep it in the flow as a plain note, not a landmark
            if body.tag == "li":
                kept = etree.Element("div", {"id": note_id, "role": "note", "class": "note"})
                kept.extend(copy.deepcopy(child) for child in body)
                notes.append(kept)
            else:
                body.tag = "div"
                body.set("role", "note")
            continue
        backlinks = []
        for n, link in enumerate(links, 1):
            holder = link.getparent()
            if not link.get("id") and holder.tag == "sup" and holder.get("id") and len(holder) == 1:
                link.set("id", holder.attrib.pop("id"))
            if not link.get("id"):
                link.set("id", f"{note_id}-ref-{n}")
            link.set(EPUB_TYPE, "noteref")
            link.set("role", "doc-noteref")
            if link.get("class") == "footnote-ref":
                del link.attrib["class"]
            label = " ".join(link.text_content().split()) or str(n)
            back = etree.Element("a", {"href": f"#{link.get('id')}", "role": "doc-backlink",
                                       "aria-label": f"Back to note {label} in the text"})
            back.text = f"{label}." if n == 1 else f"({n})"
            backlinks.append(back)
        aside = etree.Element("aside", {"id": note_id, EPUB_TYPE: "footnote", "role": "doc-footnote",
                                         "class": " ".join(filter(None, ["note", body.get("class")]))})
        for old in select(body, "a.footnote-backref"):
            old.drop_tree()
        content = [copy.deepcopy(child) for child in body]
        if body.text and body.text.strip():
            p = etree.Element("p")
            p.text = body.text
            content.insert(0, p)
        first = next((c for c in content if c.tag == "p"), None)
        if first is None:
            first = etree.Element("p")
            content.insert(0, first)
        permalink = next(iter(first.xpath('.//a[contains(concat(" ", @class, " "), " editorial-note__permalink ")]')), None)
        if permalink is not None and len(backlinks) == 1:
            # an editors' note already names itself ("Editors' note 1"): that name is its back-link, not "1." before it
            permalink.attrib.clear()
            permalink.attrib.update({k: v for k, v in backlinks[0].attrib.items()})
            for child in content:
                aside.append(child)
            notes.append(aside)
            if body.tag == "aside":
                body.drop_tree()
            continue
        # the note's number is its back-link, at the start of its first paragraph
        first.text, tail = "", first.text or ""
        for back in reversed(backlinks[1:]):
            back.tail = " "
            first.insert(0, back)
        backlinks[0].tail = " " + tail.lstrip()
        first.insert(0, backlinks[0])
        if first[-1].tail:
            first[-1].tail = first[-1].tail.rstrip("\xa0\n ")
        for child in content:
            aside.append(child)
        notes.append(aside)
        if body.tag == "aside":
            body.drop_tree()
    for block in select(article, "div.footnote"):
        block.drop_tree()
    if notes:
        section = etree.Element("section", {"class": "notes", "aria-labelledby": "notes-heading"})
        heading = etree.SubElement(section, "h2", {"id": "notes-heading"})
        heading.text = "Notes"
        section.extend(notes)
        # the notes before the page's list of sources, which their citations point to
        references = next(iter(article.xpath('.//section[contains(concat(" ", @class, " "), " references ")]')), None)
        if references is not None:
            references.addprevious(section)
        else:
            article.append(section)


def fix_heading_order(article) -> None:
    """No heading deeper than one level below its parent heading (Ace's heading-order rule).

    Headings keep their nesting: two h3 under an h1 both become h2 (siblings stay siblings).
    """
    open_headings: list[tuple[int, int]] = []  # (level in the page, level given) of the headings still open
    for heading in article.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"):
        level = int(heading.tag[1])
        while open_headings and open_headings[-1][0] >= level:
            open_headings.pop()
        given = open_headings[-1][1] + 1 if open_headings else 1
        heading.tag = f"h{given}"
        open_headings.append((level, given))


def mark_admonitions(article) -> None:
    """Material's boxes (editorial notes, reading advice) read as notes, their title as the note's label."""
    for n, box in enumerate(select(article, "div.admonition"), 1):
        box.set("role", "note")
        title = [p for p in select(box, "p.admonition-title") if p.getparent() is box]
        if title:
            title[0].set("id", title[0].get("id") or f"admonition-{n}")
            box.set("aria-labelledby", title[0].get("id"))


def _to_xhtml(element):
    """An lxml.html element as an element in the XHTML namespace (epub:type restored)."""
    made = etree.Element(f"{{{XHTML}}}{element.tag}")
    for name, value in element.attrib.items():
        if name == EPUB_TYPE:
            made.set(f"{{{OPS}}}type", value)
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
            made.set(name, value)
    made.text = element.text
    for child in element:
        if isinstance(child.tag, str):
            converted = _to_xhtml(child)
            converted.tail = child.tail
            made.append(converted)
        elif len(made):
            made[-1].tail = (made[-1].tail or "") + (child.tail or "")
        else:
            made.text = (made.text or "") + (child.tail or "")
    return made


def xhtml_document(title: str, language: str, body_children: list, css_href: str, epub_type: str = "") -> bytes:
    html = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML, "epub": OPS})
    html.set("lang", language)
    html.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    head = etree.SubElement(html, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML}}}title").text = title
    etree.SubElement(head, f"{{{XHTML}}}link", rel="stylesheet", type="text/css", href=css_href)
    body = etree.SubElement(html, f"{{{XHTML}}}body")
    if epub_type:
        body.set(f"{{{OPS}}}type", epub_type)
    for child in body_children:
        body.append(_to_xhtml(child))
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + etree.tostring(html, encoding="utf-8")


def build_chapters(site_dir: Path, meta: BookMeta) -> list[Chapter]:
    files = {page_url(src): chapter_filename(src) for src in meta.pages}
    chapters = []
    for src in meta.pages:
        built = site_dir / page_url(src) / "index.html"
        article = clean_article(built.read_text(encoding="utf-8"), src)
        rewrite_links(article, src, files, meta.site_url)
        make_notes(article)
        mark_admonitions(article)
        fix_heading_order(article)
        article.text = "\n"  # the template's indentation, left where the edit button was
        article.tag = "section"
        article.set("class", "book-part")
        article.set(EPUB_TYPE, "chapter")
        article.set("role", "doc-chapter")  # Ace: an epub:type with an ARIA counterpart needs that role too
        h1 = article.xpath(".//h1")
        title = " ".join(h1[0].text_content().split()) if h1 else src
        if h1:
            article.set("aria-labelledby", h1[0].get("id") or "")
        headings = [(2, h.get("id"), " ".join(h.text_content().split())) for h in article.xpath(".//h2[@id]")
                    if not _has_class(h.getparent(), {"notes"})]
        chapters.append(Chapter(src, files[page_url(src)], title, article, headings))
    return chapters


def title_page(meta: BookMeta) -> list:
    esc = htmllib.escape
    licence = "".join(f"<p>{esc(line)}</p>" for line in meta.licence)
    markup = f"""<section class="title-page" data-epub-type="titlepage">
<p class="book-author">{esc(meta.author)}</p>
<h1 class="book-title" id="book-title">{esc(meta.title)}</h1>
<p class="book-subtitle">{esc(meta.subtitle)}</p>
<p class="book-occasion">{esc(meta.occasion)}</p>
<p class="book-edition">{esc(meta.edition)}</p>
<div class="book-colophon">
<p><strong>How to cite.</strong> {esc(meta.cite_as)}</p>
{licence}
<p>Online: <a href="{esc(meta.site_url)}">{esc(meta.site_url)}</a></p>
</div>
</section>"""
    return [lxml.html.fragment_fromstring(markup)]


def nav_page(chapters: list[Chapter]) -> list:
    items = []
    for chapter in chapters:
        sub = "".join(f'<li><a href="text/{chapter.filename}#{htmllib.escape(i)}">{htmllib.escape(t)}</a></li>'
                      for _, i, t in chapter.headings)
        items.append(f'<li><a href="text/{chapter.filename}">{htmllib.escape(chapter.title)}</a>'
                     + (f"<ol>{sub}</ol>" if sub else "") + "</li>")
    toc = lxml.html.fragment_fromstring(
        f'<nav id="toc" role="doc-toc" aria-labelledby="toc-title"><h1 id="toc-title">Contents</h1>'
        f'<ol><li><a href="text/title.xhtml">Title page</a></li>{"".join(items)}</ol></nav>')
    toc.set(EPUB_TYPE, "toc")
    landmarks = lxml.html.fragment_fromstring(
        f'<nav hidden="hidden" aria-label="Landmarks"><ol><li><a href="nav.xhtml#toc">Contents</a></li>'
        f'<li><a href="text/{chapters[0].filename}">Start of the text</a></li></ol></nav>')
    landmarks.set(EPUB_TYPE, "landmarks")
    landmarks.xpath(".//a")[0].set(EPUB_TYPE, "toc")
    landmarks.xpath(".//a")[1].set(EPUB_TYPE, "bodymatter")
    return [toc, landmarks]


def characters_by_face(documents: list[bytes]) -> dict[tuple[str, str], set[str]]:
    """Which characters each face (style, weight) draws, following the italic/bold lists above."""
    used: dict[tuple[str, str], set[str]] = {}

    def walk(element, italic: bool, bold: bool) -> None:
        tag = etree.QName(element).localname
        if tag in {"head", "script", "style"}:
            return
        italic = italic or tag in ITALIC_TAGS or _has_class(element, ITALIC_CLASSES)
        bold = bold or tag in BOLD_TAGS or _has_class(element, BOLD_CLASSES)
        face = ("italic" if italic else "normal", "bold" if bold else "normal")
        used.setdefault(face, set()).update(element.text or "")
        for child in element:
            if isinstance(child.tag, str):
                walk(child, italic, bold)
            used[face].update(child.tail or "")

    for document in documents:
        root = etree.fromstring(document)
        for body in root.iter(f"{{{XHTML}}}body"):
            walk(body, False, False)
    return {face: chars for face, chars in used.items() if any(not c.isspace() for c in chars)}


def font_faces(css: str) -> list[tuple[str, str, str, str]]:
    """The @font-face rules of the stylesheet: (rule text, url, style, weight)."""
    faces = []
    for rule in re.findall(r"@font-face\s*\{[^}]*\}", css):
        url = re.search(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", rule)
        style = re.search(r"font-style\s*:\s*(\w+)", rule)
        weight = re.search(r"font-weight\s*:\s*(\w+)", rule)
        if url:
            faces.append((rule, url.group(1), style.group(1) if style else "normal",
                          "bold" if weight and weight.group(1) in {"bold", "700"} else "normal"))
    return faces


def subset_font(path: Path, characters: set[str]) -> bytes:
    """The font with only the glyphs for these characters (and what their ligatures and kerning need)."""
    import logging

    from fontTools import subset  # imported late: only the export needs it

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset": FontForge's timestamps, dropped

    options = subset.Options()
    options.name_IDs = ["*"]  # keep the name table whole: copyright, licence, font name
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def package_document(meta: BookMeta, manifest: list[tuple[str, str, str, str]], spine: list[str], modified: str) -> bytes:
    """content.opf: Dublin Core, accessibility metadata (EPUB Accessibility 1.1), manifest and spine."""
    esc = htmllib.escape
    identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, meta.site_url or meta.title))
    subjects = "".join(f"<dc:subject>{esc(k)}</dc:subject>" for k in meta.keywords)
    features = "".join(f'<meta property="schema:accessibilityFeature">{f}</meta>'
                       for f in ("structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"))
    items = "".join(f'<item id="{i}" href="{h}" media-type="{t}"' + (f' properties="{p}"' if p else "") + "/>"
                    for i, h, t, p in manifest)
    refs = "".join(f'<itemref idref="{i}"/>' for i in spine)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id" xml:lang="{esc(meta.language)}">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="pub-id">{identifier}</dc:identifier>
<dc:title>{esc(meta.title)}</dc:title>
<dc:creator id="author">{esc(meta.author)}</dc:creator>
<meta refines="#author" property="role" scheme="marc:relators">aut</meta>
<dc:language>{esc(meta.language)}</dc:language>
<dc:description>{esc(meta.description)}</dc:description>
{f"<dc:date>{esc(meta.date)}</dc:date>" if meta.date else ""}
{subjects}
<dc:rights>{esc(' '.join(meta.licence))}</dc:rights>
<meta property="dcterms:modified">{modified}</meta>
<meta property="schema:accessMode">textual</meta>
<meta property="schema:accessModeSufficient">textual</meta>
{features}
<meta property="schema:accessibilityHazard">none</meta>
<meta property="schema:accessibilitySummary">{esc(ACCESSIBILITY_SUMMARY)}</meta>
<meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>
<meta property="a11y:certifiedBy">The edition's editors (self-assessed)</meta>
</metadata>
<manifest>{items}</manifest>
<spine>{refs}</spine>
</package>
""".encode("utf-8")


CONTAINER = b"""<?xml version="1.0" encoding="utf-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""


def _modified() -> str:
    """dcterms:modified: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_epub(site_dir: Path, meta: BookMeta, stylesheet: Path, fonts_dir: Path, target: Path) -> Path:
    """Write the EPUB to ``target`` (through a temporary file, so a failed export leaves no half book)."""
    chapters = build_chapters(site_dir, meta)
    if not chapters:
        raise ValueError("extra.edition.pages lists no pages for the EPUB")
    css_href = "../css/epub.css"
    documents = {"text/title.xhtml": xhtml_document(meta.title, meta.language, title_page(meta), css_href, "frontmatter")}
    for chapter in chapters:
        documents[f"text/{chapter.filename}"] = xhtml_document(
            f"{chapter.title} – {meta.title}" if chapter.title != meta.title else meta.title,
            meta.language, [chapter.body], css_href, "bodymatter")
    documents["nav.xhtml"] = xhtml_document(f"Contents – {meta.title}", meta.language, nav_page(chapters), "css/epub.css")

    css = stylesheet.read_text(encoding="utf-8")
    used = characters_by_face(list(documents.values()))
    fonts: dict[str, bytes] = {}
    for rule, url, style, weight in font_faces(css):
        name = posixpath.basename(url)
        characters = used.get((style, weight))
        if not characters:
            css = css.replace(rule, "")  # a face nothing is set in is not shipped
            continue
        if not (fonts_dir / name).is_file():
            raise ValueError(f"{stylesheet.name}: @font-face names {name}, which is not in {fonts_dir}")
        fonts[name] = subset_font(fonts_dir / name, characters | set(GENERATED_CHARACTERS))
        css = css.replace(rule, rule.replace(url, f"../fonts/{name}"))

    manifest = [("nav", "nav.xhtml", "application/xhtml+xml", "nav"), ("css", "css/epub.css", "text/css", "")]
    manifest += [(f"doc-{n}", href, "application/xhtml+xml", "") for n, href in enumerate(documents) if href != "nav.xhtml"]
    manifest += [(f"font-{n}", f"fonts/{name}", "font/otf", "") for n, name in enumerate(fonts)]
    spine = ["doc-0", "nav"] + [f"doc-{n}" for n, href in enumerate(documents) if href.startswith("text/") and n > 0]
    files = {"content.opf": package_document(meta, manifest, spine, _modified()), "css/epub.css": css.encode("utf-8")}
    files |= documents
    files |= {f"fonts/{name}": data for name, data in fonts.items()}

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".epub.part")
    stamp = (1980, 1, 1, 0, 0, 0)  # one fixed date inside the zip (its format's first): the same input gives the same bytes
    with zipfile.ZipFile(partial, "w") as epub:
        epub.writestr(zipfile.ZipInfo("mimetype", stamp), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        epub.writestr(zipfile.ZipInfo("META-INF/container.xml", stamp), CONTAINER, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in files.items():
            epub.writestr(zipfile.ZipInfo(f"EPUB/{name}", stamp), data, compress_type=zipfile.ZIP_DEFLATED)
    partial.replace(target)
    return target
