"""The essay as JATS XML for archives (NISO JATS 1.1, Archiving and Interchange tag set): front matter from the
edition's record, the essay's paragraphs, the editors' notes as ``<fn>`` and the page's references as ``<ref-list>``.

Written from the built essay page rather than by Pandoc's JATS writer: the page is what readers read (its
citations formatted by the site's CSL style, each note already keyed to the phrase it concerns, the reference
list the page prints), while the Markdown holds admonitions and attribute lists that Pandoc's reader does not
know, so Pandoc would lose the notes' places. The output names the JATS 1.1 Archiving DTD, which the tests
validate it against (``tests/schemas/jats-archiving-1.1``, NCBI's DTD as published).
"""

from __future__ import annotations

import re

from lxml import etree

from .config import EditionConfig, Name, PartialDate
from .publication import medium_article, page_url, select

PUBLIC_ID = "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.1 20151215//EN"
SYSTEM_ID = "JATS-archivearticle1.dtd"
XLINK = "http://www.w3.org/1999/xlink"
ALI = "http://www.niso.org/schemas/ali/1.0/"
MML = "http://www.w3.org/1998/Math/MathML"
NSMAP = {"xlink": XLINK, "ali": ALI, "mml": MML}
# What the web page alone shows (and the book removes): left out; what the PDF or EPUB alone shows too.
LEAVE_OUT = [".web-only", ".pdf-only", ".epub-only", "script", "form", "nav", "button", "template", "dialog",
             "a.headerlink", ".para-tools", ".md-source-file"]
# HTML inline elements and their JATS counterparts; anything else keeps its text only.
INLINE = {"em": "italic", "i": "italic", "strong": "bold", "b": "bold", "sup": "sup", "sub": "sub", "code": "monospace",
          "small": "sc"}


def spdx_url(licence_id: str) -> str:
    """The SPDX licence list's page for an identifier: one address for any licence the record names."""
    return f"https://spdx.org/licenses/{licence_id}.html"


def xml_id(value: str) -> str:
    """An HTML id as an XML ID (an NCName): citation keys may hold ':' or start with a digit."""
    cleaned = re.sub(r"[^\w.-]", "-", value)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"id-{cleaned}"


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.replace("__", ":"): v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _name(parent, name: Name, contrib_type: str, affiliation: str | None = None) -> None:
    contrib = _el(parent, "contrib", **{"contrib-type": contrib_type})
    if name.literal:
        _el(contrib, "collab", name.literal)
    else:
        person = _el(contrib, "name", **{"name-style": "western"})
        _el(person, "surname", name.family)
        if name.given:
            _el(person, "given-names", name.given)
    if affiliation:
        _el(contrib, "aff", affiliation)


def _date(parent, tag: str, date: PartialDate, date_type: str) -> None:
    element = _el(parent, tag, **{"date-type": date_type, "iso-8601-date": date.iso()})
    if date.day:
        _el(element, "day", f"{date.day:02d}")
    if date.month:
        _el(element, "month", f"{date.month:02d}")
    _el(element, "year", f"{date.year:04d}")


class _Inline:
    """Copies a rendered HTML fragment's text and inline markup into a JATS element."""

    def __init__(self, site_page: str, note_ids: dict[str, str], ref_ids: set[str]):
        self.site_page = site_page  # the page's address: relative links become absolute
        self.note_ids = note_ids  # HTML id of an editors' note -> its JATS id
        self.ref_ids = ref_ids  # JATS ids of the references in the ref-list

    def copy(self, source, target) -> None:
        self._text(target, source.text)
        for child in source:
            if isinstance(child.tag, str):
                self._element(child, target)
            self._text(target, child.tail)

    @staticmethod
    def _text(target, text: str | None) -> None:
        if not text:
            return
        if len(target):
            target[-1].tail = (target[-1].tail or "") + text
        else:
            target.text = (target.text or "") + text

    def _element(self, child, target) -> None:
        tag, classes = child.tag, _classes(child)
        href = child.get("href") or ""
        if tag == "sup" and "note-ref" in classes:  # the marker of an editors' note
            target_id = self.note_ids.get((child.xpath("./a/@href") or ["#"])[0].lstrip("#"))
            if target_id:
                _el(target, "xref", child.text_content().strip(), **{"ref-type": "fn", "rid": target_id})
                return
        if tag == "a" and href.startswith("#ref-") and xml_id(href[1:]) in self.ref_ids:
            xref = _el(target, "xref", **{"ref-type": "bibr", "rid": xml_id(href[1:])})
            self.copy(child, xref)
            return
        if tag == "a" and href and not href.startswith("#"):
            url = href if re.match(r"^[a-z][a-z0-9+.-]*:", href) else _absolute(self.site_page, href)
            link = _el(target, "ext-link", **{"ext-link-type": "uri", f"{{{XLINK}}}href": url})
            self.copy(child, link)
            return
        if "verification-note" in classes and target.tag == "mixed-citation":  # the editors' note on a reference
            self.copy(child, _el(target, "comment"))
            return
        if tag == "br":
            self._text(target, " ")
            return
        jats = INLINE.get(tag)
        if jats:
            self.copy(child, _el(target, jats))
        else:  # abbr, span.noted, a link inside the page: the text only
            self.copy(child, target)


def _absolute(base: str, href: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, href)


def _text_of(element) -> str:
    return " ".join(element.text_content().split())


def jats_article(page_html: str, edition: EditionConfig, site_url: str) -> str:
    """The essay's built page (``page_html``) as a JATS 1.1 Archiving article, with its DOCTYPE."""
    essay = edition.essay
    page = (site_url.rstrip("/") + "/" + page_url(essay.page)) if site_url else page_url(essay.page)
    article_html = medium_article(page_html, essay.page, LEAVE_OUT, ".jats-only")
    notes = [a for a in select(article_html, "aside.editorial-note") if a.get("id")]
    note_ids = {a.get("id"): xml_id(a.get("id")) for a in notes}
    entries = [e for e in select(article_html, "div.csl-entry") if (e.get("id") or "").startswith("ref-")]
    ref_ids = {xml_id(e.get("id")) for e in entries}
    inline = _Inline(page, note_ids, ref_ids)

    article = etree.Element("article", {"article-type": "other", "dtd-version": "1.1",
                                        "{http://www.w3.org/XML/1998/namespace}lang": edition.language}, nsmap=NSMAP)
    front = _el(article, "front")
    meta = _el(front, "article-meta")
    titles = _el(meta, "title-group")
    _el(titles, "article-title", essay.title)
    authors = _el(meta, "contrib-group", **{"content-type": "authors"})
    for name in essay.authors:
        _name(authors, name, "author", essay.affiliation)
    editors = _el(meta, "contrib-group", **{"content-type": "editors"})
    for name in edition.editors:
        _name(editors, name, "editor")
    if edition.date:
        _date(meta, "pub-date", edition.date, "pub")
    _date(meta, "pub-date", essay.published, "original-publication")
    permissions = _el(meta, "permissions")
    if essay.rights_statement:
        _el(permissions, "copyright-statement", essay.rights_statement)
    if essay.copyright_year:
        _el(permissions, "copyright-year", str(essay.copyright_year))
        for holder in essay.copyright_holders:
            _el(permissions, "copyright-holder", holder.text())
    if edition.licence or edition.licence_id:
        licence = _el(permissions, "license", **{"license-type": "edition"})
        if edition.licence_id:
            _el(licence, f"{{{ALI}}}license_ref", spdx_url(edition.licence_id))
        for line in edition.licence or [f"Editorial material: {edition.licence_id}."]:
            _el(licence, "license-p", line)
    _el(meta, "self-uri", page, **{f"{{{XLINK}}}href": page})
    if essay.record_url:
        _el(meta, "related-article", essay.record_label or essay.record_url, **{
            "related-article-type": "publication-of-record", "ext-link-type": "uri", f"{{{XLINK}}}href": essay.record_url})
    summary = _el(meta, "abstract", **{"abstract-type": "edition"})
    _el(summary, "p", edition.description)
    if edition.keywords:
        keywords = _el(meta, "kwd-group", **{"kwd-group-type": "author-keywords"})
        for word in edition.keywords:
            _el(keywords, "kwd", word)
    custom = _el(meta, "custom-meta-group")
    for label, value in (("edition-title", edition.title), ("edition-statement", edition.statement),
                         ("edition-version", edition.version), ("occasion", essay.occasion)):
        if value:
            item = _el(custom, "custom-meta")
            _el(item, "meta-name", label)
            _el(item, "meta-value", value)

    body = _el(article, "body")
    _body(article_html, body, inline)

    back = _el(article, "back")
    if notes:
        group = _el(back, "fn-group", **{"content-type": "editorial-notes"})
        label = notes[0].xpath('.//*[contains(@class, "editorial-note__permalink")]')  # "Editors’ note 1"
        _el(group, "title", re.sub(r"\s*\d+$", "", _text_of(label[0])) + "s" if label else "Notes")
        for aside in notes:
            fn = _el(group, "fn", id=note_ids[aside.get("id")], **{"fn-type": "other"})
            _el(fn, "label", aside.get("data-note") or re.sub(r"\D", "", aside.get("id")))
            about = aside.xpath('.//*[contains(@class, "editorial-note__about")]')
            if about:
                _el(fn, "p", _text_of(about[0]).lstrip(": ").strip(), **{"content-type": "note-about"})
            body_parts = aside.xpath('.//div[contains(@class, "editorial-note__body")]')
            for paragraph in (body_parts[0].xpath("./p") if body_parts else []) or body_parts:
                inline.copy(paragraph, _el(fn, "p"))
    if entries:
        refs = _el(back, "ref-list")
        heading = article_html.xpath('.//section[contains(concat(" ", @class, " "), " references ")]/preceding-sibling::h2[1]')
        _el(refs, "title", _text_of(heading[0]).rstrip("¶") if heading else "References")
        for entry in entries:
            ref = _el(refs, "ref", id=xml_id(entry.get("id")))
            citation = _el(ref, "mixed-citation")
            source = entry.xpath("./p")[0] if entry.xpath("./p") else entry
            inline.copy(source, citation)
    for element in body.iter(), back.iter():  # the page's source line breaks are not the text's
        for node in element:
            node.text = re.sub(r"\s*\n\s*", " ", node.text) if node.text else node.text
            node.tail = re.sub(r"\s*\n\s*", " ", node.tail) if node.tail else node.tail
    xml = etree.tostring(article, encoding="unicode", pretty_print=True)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE article PUBLIC "{PUBLIC_ID}" "{SYSTEM_ID}">\n{xml}'


def _body(article_html, body, inline: _Inline) -> None:
    """The essay's text: each essay paragraph (``p.essay-text``) under the heading before it, as a ``<sec>``."""
    section = None
    for element in article_html.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "h2" and not element.xpath("ancestor::aside|ancestor::section"):
            following = element.xpath('following::p[contains(concat(" ", @class, " "), " essay-text ")]')
            if not following:
                continue
            section = _el(body, "sec", id=xml_id(element.get("id")) if element.get("id") else None)
            _el(section, "title", _text_of(element).rstrip("¶").strip())
            continue
        if element.tag in ("p", "blockquote", "li") and "essay-text" in _classes(element):
            holder = section if section is not None else body
            attrs = {"id": xml_id(element.get("id"))} if element.get("id") else {}
            if "author-note" in _classes(element):
                attrs["content-type"] = "author-note"
            inline.copy(element, _el(holder, "p", **attrs))
