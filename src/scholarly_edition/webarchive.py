"""``python -m scholarly_edition archive [ROOT]``: the built site as one WACZ web archive (``make archive``).

Every file under site/ is written as a WARC response record at the address it has on the web (mkdocs.yml's
``site_url``), so a replay tool (pywb, ReplayWeb.page) shows the site as readers saw it, its PDF and EPUB
included, without the site being online; a page's folder address (``essay/``, the address every link uses) is
recorded beside its ``index.html``. webrecorder's ``wacz`` packs the WARC with its index and a pages.jsonl that
lists every HTML page with its <title>, then ``wacz validate`` checks the package; a failed validation is a
failed command. The archive goes outside site/ (``archive/<slug>.wacz``) so the site never holds itself.
"""

from __future__ import annotations

import contextlib
import io
import json
import mimetypes
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

ARCHIVE_DIR = "archive"

# What a static host (GitHub Pages) sends for the files MkDocs and the exports write; Python's mimetypes table
# depends on the machine's /etc/mime.types, so the site's own kinds are fixed here.
CONTENT_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".map": "application/json",
    ".json": "application/json", ".xml": "application/xml", ".gz": "application/gzip", ".txt": "text/plain",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".ico": "image/x-icon", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
    ".otf": "font/otf", ".pdf": "application/pdf", ".epub": "application/epub+zip", ".bib": "application/x-bibtex",
    ".ris": "application/x-research-info-systems", ".cff": "application/yaml", ".yml": "application/yaml",
    ".yaml": "application/yaml", ".md": "text/markdown", ".webmanifest": "application/manifest+json",
}
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript", "image/svg+xml",
              "application/yaml", "application/x-bibtex", "application/x-research-info-systems", "application/manifest+json")


@dataclass(frozen=True)
class ArchivedFile:
    """One response in the archive: the address it is served at and the built file that is its body."""

    url: str
    path: Path
    content_type: str


def content_type(path: Path) -> str:
    kind = CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    if kind is None:  # LICENSE, CNAME, .nojekyll: static hosts serve a file without a known suffix as text
        kind = "text/plain" if _is_text(path) else "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind


def _is_text(path: Path) -> bool:
    try:
        path.read_bytes()[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def archived_files(site_dir: Path, site_url: str) -> list[ArchivedFile]:
    """Every file of the built site at its address, and each folder's index.html at the folder's address too."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    files = []
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        relative = quote(path.relative_to(site_dir).as_posix())  # as a browser asks for it (a space as %20)
        kind = content_type(path)
        files.append(ArchivedFile(base + relative, path, kind))
        if path.name == "index.html":
            files.append(ArchivedFile(base + relative[: -len("index.html")], path, kind))
    return files


class _TitleParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title: str | None = None
        self._parts: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "title" and self.title is None:
            self._parts = []

    def handle_data(self, data: str) -> None:
        if self._parts is not None:
            self._parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._parts is not None:
            self.title, self._parts = " ".join("".join(self._parts).split()), None


def page_title(html: str) -> str:
    parser = _TitleParser()
    parser.feed(html)
    return parser.title or ""


def is_page(file: ArchivedFile) -> bool:
    """A page a reader opens: an HTML file, listed once, at the address links use (the folder for index.html)."""
    return file.content_type.startswith("text/html") and not file.url.endswith("/index.html")


def pages_jsonl(files: list[ArchivedFile], timestamp: str) -> str:
    """pages.jsonl (WACZ 1.1): the list a replay tool shows, one line per HTML page with its title."""
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": "All pages"}]
    for file in files:
        if is_page(file):
            lines.append({"url": file.url, "ts": timestamp, "title": page_title(file.path.read_text(encoding="utf-8"))})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def write_warc(files: list[ArchivedFile], warc_path: Path, date: datetime, title: str) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    warc_date = date.strftime("%Y-%m-%dT%H:%M:%SZ")
    with warc_path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(warc_path.name, {
            "software": "scholarly_edition.webarchive (warcio)", "format": "WARC File Format 1.1",
            "description": f"{title}: every file of the built site, as served from its address"}))
        for file in files:
            body = file.path.read_bytes()
            http_headers = StatusAndHeaders("200 OK", [("Content-Type", file.content_type),
                                                       ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            record = writer.create_warc_record(file.url, "response", payload=io.BytesIO(body), length=len(body),
                                               http_headers=http_headers, warc_headers_dict={"WARC-Date": warc_date})
            writer.write_record(record)


def create_wacz(site_dir: Path, site_url: str, output: Path, title: str, date: datetime | None = None) -> list[ArchivedFile]:
    """Write ``output`` (a .wacz) from the built site; returns what it holds."""
    from wacz.main import main as wacz_main

    date = (date or datetime.now(timezone.utc)).replace(microsecond=0)
    files = archived_files(site_dir, site_url)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wacz-") as work:
        warc = Path(work) / (output.stem + ".warc.gz")
        write_warc(files, warc, date, title)
        pages = Path(work) / "pages.jsonl"
        pages.write_text(pages_jsonl(files, date.strftime("%Y-%m-%dT%H:%M:%SZ")), encoding="utf-8")
        said = io.StringIO()  # wacz prints its progress; shown only when it fails
        with contextlib.redirect_stdout(said):
            status = wacz_main(["create", "-o", str(output), "-p", str(pages), "--url", site_url if site_url.endswith("/") else site_url + "/",
                                "--title", title, "--date", date.strftime("%Y-%m-%dT%H:%M:%SZ"), str(warc)])
    if status:
        raise RuntimeError(f"wacz create failed with status {status}:\n{said.getvalue()}")
    return files


def wacz_command() -> str:
    """The ``wacz`` script beside this Python (the console script: ``python -m wacz`` exits 0 even when
    validation fails, wacz 0.6.0's __main__ drops the status)."""
    beside = Path(sys.executable).parent / "wacz"
    return str(beside) if beside.exists() else shutil.which("wacz") or "wacz"


def validate_wacz(path: Path) -> subprocess.CompletedProcess:
    """``wacz validate -f path``, the format's own validator, in a process of its own. Its words are read as
    well as its status, so a wacz whose status were lost again could not pass a broken archive."""
    result = subprocess.run([wacz_command(), "validate", "-f", str(path)], capture_output=True, text=True)
    if result.returncode == 0 and "Validation succeeded" not in result.stdout:
        result.returncode = 1
    return result


def archive(root: Path, site: Path | None = None, output: Path | None = None) -> int:
    from .checks import load_settings

    settings = load_settings(root)
    data = settings.source.data
    site_dir = site or root / str(data.get("site_dir") or "site")
    site_url = str(data.get("site_url") or "")
    if not site_url:
        print("mkdocs.yml:1:1: no site_url: the archive records every file at the site's address; set site_url [archive.no_url]")
        return 1
    if not (site_dir / "index.html").is_file():
        print(f"{site_dir}: no built site here; run make build first [archive.no_site]")
        return 1
    edition = settings.edition
    slug = edition.slug if edition else root.resolve().name
    title = edition.title if edition else str(data.get("site_name") or slug)
    output = output or root / ARCHIVE_DIR / f"{slug}.wacz"
    files = create_wacz(site_dir, site_url, output, title)
    result = validate_wacz(output)
    print((result.stdout + result.stderr).rstrip())
    if result.returncode:
        print(f"{output}: wacz validate failed (status {result.returncode}) [archive.invalid]")
        return 1
    pages = sum(is_page(f) for f in files)
    print(f"wrote {output}: {len(files)} responses, {pages} pages, {output.stat().st_size / 1e6:.1f} MB; wacz validate passed")
    return 0
