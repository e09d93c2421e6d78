"""The site's own stylesheets and scripts as served: minified at build time (the sources keep their comments).

rcssmin and rjsmin only remove comments and white space, so what runs is what the sources say."""

from __future__ import annotations

from pathlib import Path

import rcssmin
import rjsmin


def minify_text(text: str, suffix: str) -> str:
    return rcssmin.cssmin(text) if suffix == ".css" else rjsmin.jsmin(text)


def minify_files(site_dir: Path, relative: list[str]) -> None:
    """Minify each of ``relative`` (paths under ``site_dir``, as in extra_css / extra_javascript) in place."""
    for name in relative:
        path = site_dir / name
        if path.suffix in (".css", ".js") and path.is_file():
            path.write_text(minify_text(path.read_text(encoding="utf-8"), path.suffix), encoding="utf-8")
