"""[5/6] `make archive`: the built site as one WACZ web archive (scholarly_edition.webarchive) that passes
`wacz validate`, holds every file of the site at its address, and replays offline in pywb, Webrecorder's replay
server (run from its own virtualenv, tools/ensure-pywb: why not .venv is said in tools/pywb/requirements.txt)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from filelock import FileLock
from warcio.archiveiterator import ArchiveIterator

from conftest import ROOT
from scholarly_edition.checks import load_settings
from scholarly_edition.webarchive import (archived_files, content_type, create_wacz, is_page, page_title, pages_jsonl,
                                          validate_wacz, wacz_command)

SETTINGS = load_settings(ROOT)
SITE_URL = str(SETTINGS.source.data["site_url"])
BASE = SITE_URL if SITE_URL.endswith("/") else SITE_URL + "/"


@pytest.fixture(scope="module")
def wacz(built_site, tmp_path_factory) -> Path:
    """The real built site archived once into a temporary folder (the tests only read it)."""
    output = tmp_path_factory.mktemp("wacz") / f"{SETTINGS.edition.slug}.wacz"
    create_wacz(built_site, SITE_URL, output, SETTINGS.edition.title)
    return output


def _responses(wacz_path: Path) -> dict[str, tuple[bytes, str]]:
    """Every response record of the WACZ's WARCs: address -> (body, Content-Type)."""
    found = {}
    with zipfile.ZipFile(wacz_path) as z:
        warcs = [n for n in z.namelist() if n.startswith("archive/") and n.endswith((".warc", ".warc.gz"))]
        assert warcs, z.namelist()
        for name in warcs:
            with z.open(name) as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "response":
                        url = record.rec_headers.get_header("WARC-Target-URI")
                        found[url] = (record.content_stream().read(), record.http_headers.get_header("Content-Type"))
    return found


def test_the_wacz_passes_wacz_validate(wacz):
    result = subprocess.run([wacz_command(), "validate", "-f", str(wacz)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded, the passed WACZ is valid" in result.stdout


def test_every_file_of_the_site_is_inside_with_its_bytes(wacz, built_site):
    responses = _responses(wacz)
    files = {p.relative_to(built_site).as_posix(): p for p in built_site.rglob("*") if p.is_file()}
    folders = {BASE + rel[: -len("index.html")] for rel in files if rel == "index.html" or rel.endswith("/index.html")}
    assert set(responses) == {BASE + rel for rel in files} | folders
    for rel, path in files.items():
        assert responses[BASE + rel][0] == path.read_bytes(), rel
    assert any(rel.startswith("downloads/") and rel.endswith(".pdf") for rel in files)
    assert any(rel.startswith("downloads/") and rel.endswith(".epub") for rel in files)
    assert responses[BASE][1] == "text/html; charset=utf-8"
    assert responses[BASE + f"downloads/{SETTINGS.edition.slug}.pdf"][1] == "application/pdf"
    assert responses[BASE + f"downloads/{SETTINGS.edition.slug}.epub"][1] == "application/epub+zip"


def test_pages_jsonl_lists_every_html_page_with_its_title(wacz, built_site):
    with zipfile.ZipFile(wacz) as z:
        lines = [json.loads(line) for line in z.read("pages/pages.jsonl").decode("utf-8").splitlines()]
        datapackage = json.loads(z.read("datapackage.json"))
    assert lines[0]["format"] == "json-pages-1.0"
    pages = {line["url"]: line["title"] for line in lines[1:]}
    html = [p for p in built_site.rglob("*.html")]
    expected = {}
    for path in html:
        rel = path.relative_to(built_site).as_posix()
        url = BASE + (rel[: -len("index.html")] if path.name == "index.html" else rel)
        expected[url] = page_title(path.read_text(encoding="utf-8"))
    assert pages == expected
    assert all(pages.values()), pages
    assert pages[BASE] == page_title((built_site / "index.html").read_text(encoding="utf-8"))
    assert datapackage["mainPageURL"] == BASE and datapackage["title"] == SETTINGS.edition.title


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


@pytest.fixture(scope="module")
def pywb(wacz, tmp_path_factory):
    """pywb replaying the WACZ on a free port of 127.0.0.1: wb-manager unpacks it into a collection, wayback
    serves that collection and nothing else (pywb's default configuration has no live web)."""
    (ROOT / ".cache").mkdir(exist_ok=True)
    with FileLock(str(ROOT / ".cache" / "pywb.lock")):  # the two xdist workers: one installs, the other waits
        bin_dir = Path(subprocess.run([str(ROOT / "tools" / "ensure-pywb")], capture_output=True, text=True, check=True,
                                      timeout=600).stdout.strip())
    home = tmp_path_factory.mktemp("pywb")
    for args in (["init", "edition"], ["add", "--unpack-wacz", "edition", str(wacz)]):
        done = subprocess.run([str(bin_dir / "wb-manager"), *args], cwd=home, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    port = _free_port()
    log = (home / "wayback.log").open("w")
    server = subprocess.Popen([str(bin_dir / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=home, stdout=log, stderr=subprocess.STDOUT)
    root = f"http://127.0.0.1:{port}/edition/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert server.poll() is None and time.monotonic() < deadline, (home / "wayback.log").read_text()
                time.sleep(0.2)
        yield root
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_three_pages_and_the_downloads_replay_offline_from_the_archive(pywb, built_site):
    """The raw replay (id_): what the archive holds, byte for byte, as the site served it."""
    pages = [p for p in sorted(built_site.rglob("index.html")) if p.parent != built_site][:2] + [built_site / "index.html"]
    assert len(pages) == 3
    downloads = sorted((built_site / "downloads").glob(f"{SETTINGS.edition.slug}.*"))
    assert {p.suffix for p in downloads} >= {".pdf", ".epub"}
    for path in pages + downloads:
        rel = path.relative_to(built_site).as_posix()
        url = BASE + (rel[: -len("index.html")] if path.name == "index.html" else rel)
        status, body, kind = _get(f"{pywb}id_/{url}")
        assert status == 200, (url, status)
        assert body == path.read_bytes(), url
        assert kind.split(";")[0] == content_type(path).split(";")[0], (url, kind)


def test_a_page_replays_for_a_reader_with_its_links_kept_in_the_archive(pywb, built_site):
    """The reader's replay (mp_): pywb rewrites the page's links to addresses inside the archive."""
    status, body, _ = _get(f"{pywb}mp_/{BASE}")
    assert status == 200
    text = body.decode("utf-8")
    assert page_title(text) == page_title((built_site / "index.html").read_text(encoding="utf-8"))
    assert "/edition/" in text and "mp_/" in text


def test_an_address_that_was_never_archived_is_not_found(pywb):
    status, _, _ = _get(f"{pywb}id_/{BASE}no-such-page/")
    assert status == 404


# --- the pure parts, on a tiny site of their own ---

def _tiny_site(folder: Path) -> Path:
    (folder / "notes").mkdir(parents=True)
    (folder / "index.html").write_text("<html><head><title>Home &amp; away</title></head><body>x</body></html>", encoding="utf-8")
    (folder / "notes" / "index.html").write_text("<title>\n  Notes\n</title>", encoding="utf-8")
    (folder / "404.html").write_text("<title>Not found</title>", encoding="utf-8")
    (folder / "a.pdf").write_bytes(b"%PDF-1.7\n\xff\xfe")
    (folder / "LICENSE").write_text("text", encoding="utf-8")
    (folder / "blob").write_bytes(b"\xff\xfe\x00")
    return folder


def test_archived_files_are_every_file_and_each_folder_page(tmp_path):
    site = _tiny_site(tmp_path / "site")
    files = archived_files(site, "https://example.org/ed")
    assert {f.url for f in files} == {"https://example.org/ed/" + r for r in
                                      ("", "index.html", "notes/", "notes/index.html", "404.html", "a.pdf", "LICENSE", "blob")}
    assert {f.url for f in files if is_page(f)} == {"https://example.org/ed/", "https://example.org/ed/notes/", "https://example.org/ed/404.html"}


@pytest.mark.parametrize("name, expected", [
    ("page.html", "text/html; charset=utf-8"), ("x.js", "text/javascript; charset=utf-8"), ("x.css", "text/css; charset=utf-8"),
    ("font.woff2", "font/woff2"), ("book.epub", "application/epub+zip"), ("book.pdf", "application/pdf"),
    ("cite.ris", "application/x-research-info-systems; charset=utf-8"), ("sitemap.xml.gz", "application/gzip"),
    ("LICENSE", "text/plain; charset=utf-8"), ("blob", "application/octet-stream"),
])
def test_content_types(tmp_path, name, expected):
    site = _tiny_site(tmp_path / "site")
    path = site / name
    if not path.exists():
        path.write_bytes(b"")
    assert content_type(path) == expected


def test_pages_jsonl_titles_are_the_pages_titles(tmp_path):
    site = _tiny_site(tmp_path / "site")
    lines = [json.loads(line) for line in pages_jsonl(archived_files(site, "https://example.org/ed/"), "2026-01-02T03:04:05Z").splitlines()]
    assert lines[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All pages"}
    assert {line["url"]: line["title"] for line in lines[1:]} == {
        "https://example.org/ed/": "Home & away", "https://example.org/ed/notes/": "Notes", "https://example.org/ed/404.html": "Not found"}
    assert {line["ts"] for line in lines[1:]} == {"2026-01-02T03:04:05Z"}


def test_a_broken_wacz_fails_wacz_validate(tmp_path):
    """The validator the command relies on does refuse a damaged archive (a hash that no longer matches)."""
    site = _tiny_site(tmp_path / "site")
    good = tmp_path / "good.wacz"
    create_wacz(site, "https://example.org/ed/", good, "Tiny")
    assert validate_wacz(good).returncode == 0
    bad = tmp_path / "bad.wacz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "pages/pages.jsonl":
                data = data.replace(b"Notes", b"Noted")
            dst.writestr(item, data)
    result = validate_wacz(bad)
    assert result.returncode != 0, result.stdout


def test_the_command_writes_and_validates_or_says_why_not(tmp_path, built_site):
    output = tmp_path / "out" / "e.wacz"
    done = subprocess.run([sys.executable, "-m", "scholarly_edition", "archive", str(ROOT), "--site", str(built_site), "-o", str(output)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation succeeded" in done.stdout and f"wrote {output}" in done.stdout and output.is_file()
    missing = subprocess.run([sys.executable, "-m", "scholarly_edition", "archive", str(ROOT), "--site", str(tmp_path / "nothing"),
                              "-o", str(tmp_path / "x.wacz")], capture_output=True, text=True, timeout=300)
    assert missing.returncode == 1 and missing.stdout.strip().endswith("[archive.no_site]")
    assert not (tmp_path / "x.wacz").exists()
