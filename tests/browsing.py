"""What the browser tests share: how Debian's Chromium is started, a quiet static server, and helpers for
layout shifts, slow connections and the fonts really drawn. The fixtures (one browser and one server for the
whole test run) are in conftest.py."""

from __future__ import annotations

import functools
import http.server
import os
import socketserver
import threading
import time

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # GitHub's runners: CHROMIUM=/usr/bin/google-chrome
# As the machine's own probe starts it: no sandbox as root, and no background calls to Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps"]
PAGES = ["", "essay/", "context/aepf/", "context/asem-and-migration/", "context/author/", "glossary/", "bibliography/", "about/", "versions/"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


def serve(folder) -> tuple[socketserver.ThreadingTCPServer, str]:
    """A static server for ``folder`` on a free port of 127.0.0.1: (server, base URL ending in /)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# Layout shifts as the page records them, tall screens (a shift is only counted in view, so the first
# paragraphs and the notes must be on screen), a response held back.
LAYOUT_SHIFTS = """window.__shifts = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) { if (!e.hadRecentInput) {
  window.__shifts.push({value: e.value, nodes: e.sources.map(s => s.node ? (s.node.id || s.node.className || s.node.nodeName) : null)});
} } }).observe({type: 'layout-shift', buffered: true});"""
TALL_WIDE, TALL_NARROW = {"width": 1366, "height": 1600}, {"width": 390, "height": 2400}


def late(seconds: float):
    """A Playwright route handler that lets each request through after ``seconds`` (a slow connection)."""
    def handler(route):
        time.sleep(seconds)
        route.continue_()
    return handler


def rendered_faces(page, selector: str) -> list[str]:
    """The fonts Chromium really drew the element's text with (not the CSS font stack), most glyphs first."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in sorted(fonts, key=lambda f: -f["glyphCount"])]


# Two frames (so a script's layout in requestAnimationFrame has run), then every finite animation and CSS
# transition on the page to its end: a page that has settled, without waiting a fixed time.
_SETTLED = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))
  .then(() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null))))
  .then(() => true)"""


def settle(page) -> None:
    """Wait until the page has laid itself out and its transitions have ended."""
    page.evaluate(_SETTLED)
