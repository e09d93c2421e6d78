"""Time the PDF/EPUB export alone, from an already built copy of the real site."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

import yaml  # noqa: E402

from scholarly_edition import book  # noqa: E402


class Loader(yaml.SafeLoader):
    pass


Loader.add_multi_constructor("", lambda loader, suffix, node: None)
config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506
meta, _ = book.book_meta(config["extra"], config["site_url"])
book.export_book(Path(sys.argv[1]), ROOT, meta)
