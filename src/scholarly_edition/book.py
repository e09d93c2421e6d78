"""The offline edition: one HTML book assembled from the built site, typeset to PDF (WeasyPrint) and EPUB (Pandoc).

The book is made from the site's own rendered articles, so citations, notes and glossary read exactly as
online. Web-only parts (navigation, buttons, permalinks, back-references, ``.web-only``) are removed and the
parts for the PDF alone (``.pdf-only``, hidden on the site) shown; citation footnotes
become real footnotes; every id gets a page prefix so links between pages work inside one document.
"""

from __future__ import annotations

import copy
import html as htmllib
import posixpath
import re
from pathlib import Path

import lxml.html
from lxml import etree

from . import __version__
from .config import EditionConfig
from .archive import export_archive_files
from .epub import write_epub
from .publication import BookMeta, medium_article, page_url

WEB_ONLY = [
    ".md-content__button", "a.headerlink", ".md-source-file", "script", "form", "nav", "button", ".web-only",
    "a.footnote-backref", ".md-feedback", "aside.md-source-file", ".epub-only",
]
# What only the PDF says (its own reading instructions, say): on the page, an element of class pdf-only with the
# HTML ``hidden`` attribute, which hides it on the site and in the EPUB with no stylesheet's help; the book shows it.
PDF_ONLY = ".pdf-only"


def _resolve(base: str, path: str) -> str:
    """A relative link on page ``base`` -> the target page's site path ('' for the home page)."""
    target = posixpath.normpath(posixpath.join("/" + base, path)).lstrip("/")
    if target and not target.endswith("/") and "." not in posixpath.basename(target):
        target += "/"
    return target


def _slug_for(src: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", src[:-3].lower()).strip("-") or "home"


def _text_before(element) -> tuple[object, str]:
    """The node whose text (or tail) runs up to ``element``, and that text."""
    previous = element.getprevious()
    if previous is not None:
        return previous, "tail"
    return element.getparent(), "text"


def _link_parenthetical(sup, hrefs: list[str]) -> bool:
    """Make the author-date citation just before ``sup`` ('(Doe 1998)', '(A 2000; B 2004)') a link to the
    bibliography; with one link per work when the parenthesis is plain text. False if none was found."""
    holder, attr = _text_before(sup)
    text = getattr(holder, attr) or ""
    stripped = text.rstrip()
    if not stripped.endswith(")"):
        return False
    opening = stripped.rfind("(")
    parent = sup.getparent()
    if opening >= 0:  # the whole parenthesis is one run of text
        inner = stripped[opening + 1:-1]
        parts = re.split(r"(;\s*)", inner)
        works = parts[::2]
        setattr(holder, attr, text[: opening + 1])
        links = [(hrefs[i] if len(works) == len(hrefs) else hrefs[0], work) for i, work in enumerate(works)]
        position = parent.index(sup)
        for i, (href, work) in enumerate(links):
            link = etree.Element("a", {"class": "citation", "href": href})
            link.text = work
            link.tail = parts[2 * i + 1] if 2 * i + 1 < len(parts) else ")" + text[len(stripped):]
            parent.insert(position + i, link)
        return True
    # the parenthesis holds markup (an <abbr>): link it whole to the first work
    position = parent.index(sup)
    for start in range(position - 1, -1, -1):
        before, before_attr = _text_before(parent[start])
        before_text = getattr(before, before_attr) or ""
        if ")" in before_text:
            return False
        if "(" in before_text:
            opening = before_text.rfind("(")
            link = etree.Element("a", {"class": "citation", "href": hrefs[0]})
            link.text = before_text[opening + 1:]
            setattr(before, before_attr, before_text[: opening + 1])
            for child in list(parent[start:position]):
                link.append(child)
            last = link[-1]
            closing = last.tail or ""
            last.tail = closing.rstrip()[:-1]
            link.tail = ")" + closing[len(closing.rstrip()):]
            parent.insert(start, link)
            return True
    return False


def _drop_reference_footnotes(article, prefix: str, references: dict[str, str]) -> list[str]:
    """Citation footnotes that repeat a full reference are dropped: the text keeps its author-date citation,
    linked to the entry in the bibliography. Returns the keys cited without a linkable parenthesis."""
    unlinked = []
    runs: list[list] = []
    for sup in article.xpath('.//sup[a[@class="footnote-ref"]]'):
        previous = sup.getprevious()
        if runs and previous is runs[-1][-1] and not (previous.tail or "").strip():
            runs[-1].append(sup)
        else:
            runs.append([sup])
    for run in runs:
        keys = [sup.xpath("./a/@href")[0].lstrip("#").partition(":")[2] for sup in run]
        if not all(key in references for key in keys):
            continue
        if not _link_parenthetical(run[0], [f"#{references[key]}" for key in keys]):
            unlinked += keys
        for sup in run:
            previous, attr = _text_before(sup)
            tail = (sup.tail or "") if sup is run[-1] else ""  # the space between two calls goes with them
            joined = (getattr(previous, attr) or "") + tail
            sup.getparent().remove(sup)
            setattr(previous, attr, joined)
    return unlinked


def _insert_after_phrase(paragraph, call, phrase: str) -> None:
    """Put a note's call right after the words it concerns (its title quotes them), else at the paragraph's end."""
    segments, offset = [(paragraph, "text", 0)], len(paragraph.text or "")
    for child in paragraph:
        offset += len("".join(child.itertext()))
        segments.append((child, "tail", offset))
        offset += len(child.tail or "")
    full = "".join(paragraph.itertext())
    found = full.find(phrase) if phrase else -1
    if found < 0:
        paragraph.append(call)
        return
    end = found + len(phrase)
    for holder, attr, start in segments:
        text = getattr(holder, attr) or ""
        if start <= end <= start + len(text) or start > end:
            cut = max(0, end - start)
            setattr(holder, attr, text[:cut])
            call.tail = text[cut:]
            if holder is paragraph:
                paragraph.insert(0, call)
            else:
                holder.addnext(call)
            return
    paragraph.append(call)


def _call_editorial_notes(article) -> None:
    """Each editorial note gets a call in the text, right after the words its title quotes, linking to the note.

    The notes stay after their paragraph, in small type: as WeasyPrint 70 footnotes, notes this long were moved
    pages away from their call, some into the next chapter. The aside form (``aside.editorial-note``, with its
    own marker in the text) needs nothing more.
    """
    for box in article.xpath('.//div[contains(concat(" ", normalize-space(@class), " "), " admonition ")]'
                             '[contains(concat(" ", normalize-space(@class), " "), " note ")]'):
        title = box.xpath('./p[@class="admonition-title"]')
        heading = " ".join(title[0].text_content().split()) if title else ""
        numbered = re.match(r"Editorial note (\d+)(?:: “(.+)”)?", heading)
        if not numbered:
            continue
        anchor = box.getprevious()  # the paragraph the note follows (past the notes before it)
        while anchor is not None and anchor.tag != "p":
            anchor = anchor.getprevious() if "admonition" in (anchor.get("class") or "") else None
        if anchor is None:
            continue
        number = numbered.group(1)
        box.set("id", box.get("id") or f"editorial-note-{number}")
        box.set("class", box.get("class") + " editorial-note")
        call = etree.Element("a", {"class": "note-call", "href": f"#{box.get('id')}"})
        call.text = number
        _insert_after_phrase(anchor, call, numbered.group(2) or "")


def _number_paragraphs(article) -> None:
    """The essay's paragraphs carry id="p-N" on the site; the book prints N in the margin beside each."""
    for paragraph in article.xpath('.//p[starts-with(@id, "p-")]'):
        number = paragraph.get("id")[2:]
        if not number.isdigit():
            continue
        marker = etree.Element("span", {"class": "para-number", "aria-hidden": "true"})
        marker.text = number
        marker.tail = paragraph.text
        paragraph.text = None
        paragraph.insert(0, marker)


def _drop_source_path_sentences(article) -> None:
    """The glossary's 'generated from glossary/terms.yml' is for contributors, not for readers of the book."""
    for code in article.xpath(".//p/code"):
        if not re.fullmatch(r"[\w./-]+\.ya?ml", code.text_content().strip()):
            continue
        holder, attr = _text_before(code)
        before = getattr(holder, attr) or ""
        cut = max(before.rfind(". "), before.rfind(".\n"))
        if cut < 0:
            continue
        after = code.tail or ""
        end = after.find(".")
        setattr(holder, attr, before[: cut + 1] + (after[end + 1:] if end >= 0 else after))
        code.getparent().remove(code)


def article_for_book(page_html: str, src: str, book_urls: dict[str, str], site_url: str,
                     references: dict[str, str] | None = None, bibliography: bool = False):
    """One page's article, cleaned for print, with ids prefixed and links pointing inside the book.

    ``references`` maps a citation key to the id of its entry in the book's bibliography: citations link
    there, and notes or per-page reference lists that repeat a full reference are left out (``bibliography``
    is true for the page that holds the entries once).
    """
    references = references or {}
    article = medium_article(page_html, src, WEB_ONLY, PDF_ONLY)
    prefix = book_urls[page_url(src)]
    _drop_reference_footnotes(article, prefix, references)
    footnotes = {li.get("id"): li for li in article.xpath('.//div[@class="footnote"]//li[@id]')}
    # the remaining note markers (notes that are no reference) -> real footnotes
    for sup in article.xpath('.//sup[a[@class="footnote-ref"]]'):
        target = sup.xpath("./a/@href")[0].lstrip("#")
        note = footnotes.get(target)
        span = etree.Element("span", {"class": "footnote"})
        if note is not None:
            body = copy.deepcopy(note)
            for p in body.xpath(".//p"):
                p.drop_tag()
            span.text = (body.text or "").lstrip()
            for child in body:
                span.append(child)
            last = span[-1] if len(span) else None
            if last is not None and last.tail:
                last.tail = last.tail.rstrip("\xa0\n ")
            elif last is None:
                span.text = span.text.rstrip("\xa0\n ")
        span.tail = sup.tail
        sup.getparent().replace(sup, span)
    for block in article.xpath('.//div[@class="footnote"]'):
        block.drop_tree()
    if not bibliography:  # author-date markup: the page's own reference list; the book has one bibliography
        for block in article.xpath('.//section[contains(concat(" ", normalize-space(@class), " "), " references ")]'):
            block.drop_tree()
    for link in article.xpath('.//a[starts-with(@href, "#ref-")]'):
        key = link.get("href")[len("#ref-"):]
        if key in references:
            link.set("href", "#" + references[key])
    _call_editorial_notes(article)
    _number_paragraphs(article)
    _drop_source_path_sentences(article)
    base = page_url(src)
    for element in article.xpath(".//*[@id]"):
        element.set("id", f"{prefix}--{element.get('id')}")
    for link in article.xpath(".//a[@href]"):
        href = link.get("href")
        if href.startswith("#") and "--" in href and href[1:].split("--", 1)[0] in book_urls.values():
            continue  # already a book anchor (a citation)
        if href.startswith("#"):
            link.set("href", f"#{prefix}--{href[1:]}")
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", href):  # external
            continue
        path, _, fragment = href.partition("#")
        target = _resolve(base, path)
        if target in book_urls:
            other = book_urls[target]
            link.set("href", f"#{other}--{fragment}" if fragment else f"#{other}")
        else:
            link.set("href", site_url.rstrip("/") + "/" + target)
    section = etree.Element("section", {"class": "book-part", "id": prefix})
    section.append(article)
    article.tag = "div"
    article.set("class", "book-article")
    return section


def bibliography_anchors(page_html: str, prefix: str) -> dict[str, str]:
    """Citation key -> the book id of its entry on the bibliography page (``ref-KEY`` there)."""
    tree = lxml.html.fromstring(page_html)
    return {i[len("ref-"):]: f"{prefix}--{i}" for i in tree.xpath('//article//*[contains(@class, "csl-entry")]/@id')
            if i.startswith("ref-")}


def assemble_book(site_dir: Path, meta: BookMeta, stylesheet: str) -> str:
    """The whole edition as one HTML document (title page, contents, the pages in book order)."""
    book_urls = {page_url(src): _slug_for(src) for src in meta.pages}
    parts = []
    contents = []
    references: dict[str, str] = {}
    if meta.bibliography in meta.pages:
        built = site_dir / page_url(meta.bibliography) / "index.html"
        references = bibliography_anchors(built.read_text(encoding="utf-8"), book_urls[page_url(meta.bibliography)])
    for src in meta.pages:
        built = site_dir / page_url(src) / "index.html"
        section = article_for_book(built.read_text(encoding="utf-8"), src, book_urls, meta.site_url,
                                   references, bibliography=src == meta.bibliography)
        heading = section.xpath(".//h1")
        title = " ".join("".join(heading[0].itertext()).split()) if heading else src
        contents.append(f'<li><a href="#{section.get("id")}">{htmllib.escape(title)}</a></li>')
        parts.append(etree.tostring(section, encoding="unicode", method="html"))
    esc = htmllib.escape
    licence = "".join(f"<p>{esc(line)}</p>" for line in meta.licence)
    return f"""<!DOCTYPE html>
<html lang="{esc(meta.language)}">
<head>
<meta charset="utf-8">
<title>{esc(meta.title)}</title>
<meta name="author" content="{esc(meta.author)}">
<meta name="description" content="{esc(meta.description)}">
<meta name="keywords" content="{esc(', '.join(meta.keywords))}">
<meta name="generator" content="scholarly-edition {__version__} (WeasyPrint)">
<style>{stylesheet}</style>
</head>
<body>
<section class="title-page" id="title-page">
<p class="book-author">{esc(meta.author)}</p>
<h1 class="book-title" data-running-head="{esc(meta.running_head or meta.title)}">{esc(meta.title)}</h1>
<p class="book-subtitle">{esc(meta.subtitle)}</p>
<p class="book-occasion">{esc(meta.occasion)}</p>
<p class="book-edition">{esc(meta.edition)}</p>
<div class="book-colophon">
<p><strong>How to cite.</strong> {meta.cite_as}</p>
{licence}
<p>Online: <a href="{esc(meta.site_url)}">{esc(meta.site_url)}</a></p>
</div>
</section>
<nav class="book-contents" id="contents" aria-label="Contents">
<h2 class="contents-title">Contents</h2>
<ol>{''.join(contents)}</ol>
</nav>
{''.join(parts)}
</body>
</html>
"""


def render_pdf(book_html: str, base_dir: Path, target: Path, paper: str = "A4") -> None:
    """Typeset with WeasyPrint: tagged PDF/UA-1, fonts embedded, to a temporary file then moved into place."""
    import warnings

    with warnings.catch_warnings():  # WeasyPrint warns that HarfBuzz-Subset will be needed one day
        warnings.simplefilter("ignore", DeprecationWarning)
        from weasyprint import CSS, HTML  # imported late: only the export needs it

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".pdf.part")
    extra = [CSS(string=f"@page {{ size: {paper}; }}")]
    HTML(string=book_html, base_url=str(base_dir)).write_pdf(
        partial, stylesheets=extra, pdf_variant="pdf/ua-1", pdf_tags=True, uncompressed_pdf=False,
    )
    partial.replace(target)


def book_meta(edition: EditionConfig, site_url: str, cite_as: str = "", bibliography: str = "bibliography.md",
              repo_url: str = "") -> BookMeta:
    """The book's metadata from the edition's validated block: its title is the edition's (site_name)."""
    return BookMeta(
        title=edition.title, author=" and ".join(name.text() for name in edition.essay.authors),
        subtitle=edition.subtitle, occasion=edition.essay.occasion or "", edition=edition.versioned_statement, site_url=site_url,
        description=edition.description, keywords=list(edition.keywords), cite_as=cite_as, licence=list(edition.licence),
        language=edition.language, pages=list(edition.pages), slug=edition.slug,
        running_head=edition.running_head or edition.title, bibliography=bibliography,
        date=(edition.date or edition.essay.published).iso(), record=edition,
        repo_url=repo_url,
    )


BOOK = Path(__file__).parent / "book"  # print.css and epub.css; their @font-face rules name ../fonts/
FONTS = Path(__file__).parent / "fonts"


def export_book(site_dir: Path, meta: BookMeta, paper: str = "A4") -> list[Path]:
    """Write downloads/<slug>.pdf and downloads/<slug>.epub into the built site, and the files for archives
    (archive.export_archive_files: <slug>.jats.xml, .zenodo.json, CITATION.cff)."""
    downloads = site_dir / "downloads"
    pdf = downloads / f"{meta.slug}.pdf"
    epub = downloads / f"{meta.slug}.epub"
    stylesheet = (BOOK / "print.css").read_text(encoding="utf-8")
    render_pdf(assemble_book(site_dir, meta, stylesheet), BOOK, pdf, paper)
    write_epub(site_dir, meta, BOOK / "epub.css", FONTS, epub)
    archived = export_archive_files(site_dir, meta.record, meta.site_url, meta.repo_url) if meta.record is not None else []
    return [pdf, epub, *archived]
