"""The edition's versions and what changed in each, read from the repository's git history.

A version is a tag ``v<VERSION>`` (``make release`` makes it after building); the release being built
(``EDITION_RELEASE``) is HEAD, not tagged yet, and a normal build lists HEAD as "not yet released" when it is
past the latest tag. For each version, compared with the one before, the editors' material that changed is
listed: the essay's editorial notes (by number), the context pages, the glossary's terms and the
bibliography's entries, each with the commits that touched its file. The essay's own text is never edited:
the copy-text's SHA-256 is given at every version, and a difference is said plainly.

Pure: git is run as a subprocess and its answers turned into plain data (:func:`read_history`), then into
Markdown for the page (:func:`render_markdown`). Without git, outside a repository or before the first
commit, the history is "unknown" with a reason, never a traceback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import html
import posixpath
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .glossary import load_glossary
from .notes import LABEL as NOTE_LABEL

GIT_TIMEOUT = 30
TAG = re.compile(r"^v\d")


@dataclass(frozen=True)
class Layout:
    """Where the editors' material lives, relative to the project root (the folder of mkdocs.yml)."""

    docs: str = "docs"
    essay: str | None = "essay.md"  # inside docs
    context: str = "context"  # a folder inside docs
    glossary: str = "glossary/terms.yml"
    bib: tuple[str, ...] = ("bib",)  # .bib files, or folders searched for them
    copy_text: str | None = "sources/essay-as-received.txt"


def layout_from(settings: Any) -> Layout:
    """The layout from the checks' settings (:class:`scholarly_edition.checks.Settings`), so the page reads the
    same files the checks read."""
    root = Path(settings.root)

    def rel(path: Path | None) -> str | None:
        if path is None:
            return None
        try:
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return None

    bibs = sorted({rel(p.parent) for p in settings.bib_files} - {None}) or ["bib"]
    return Layout(docs=rel(settings.docs_dir) or "docs", essay=settings.essay_page, glossary=rel(settings.glossary_file) or "glossary/terms.yml",
                  bib=tuple(bibs), copy_text=rel(settings.copy_text))


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str  # YYYY-MM-DD
    subject: str
    url: str | None


@dataclass(frozen=True)
class Change:
    area: str  # "note", "context", "glossary", "bibliography"
    kind: str  # "added", "removed", "changed"
    name: str  # the note's number, the page's path inside docs, the term, the entry's key
    label: str = ""  # what a reader knows it by: the note's phrase, the page's title, the entry's title
    old: str | None = None  # plain text before (a note's or a definition's wording)
    new: str | None = None
    details: tuple[str, ...] = ()  # smaller facts: "12 words changed", "year: ‘2009’ → ‘2010’"
    commits: tuple[Commit, ...] = ()


@dataclass(frozen=True)
class Version:
    name: str | None  # "1.1"; None for changes not yet released
    rev: str  # what git reads it at: the tag, or HEAD
    date: str  # YYYY-MM-DD
    previous: str | None  # the version it is compared with (None: the first)
    compare_url: str | None  # the exact change on the forge, from the previous version
    copy_text: str | None  # the copy-text's path and SHA-256 (None: no copy-text at this version)
    copy_text_sha256: str | None
    previous_copy_text_sha256: str | None
    changes: tuple[Change, ...] = ()
    unreadable: tuple[str, ...] = ()  # files that could not be read at this version (compared without them)

    @property
    def first(self) -> bool:
        return self.previous is None


@dataclass
class History:
    versions: list[Version] = field(default_factory=list)  # oldest first
    unknown: str | None = None  # why no version is known (no git, not a repository, no commit)


class GitUnavailable(Exception):
    pass


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        raise GitUnavailable("git is not installed where the site was built") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitUnavailable(f"git could not be run ({exc.__class__.__name__})") from None
    if done.returncode != 0:
        raise GitUnavailable(" ".join(done.stderr.decode("utf-8", "replace").split())[:200] or f"git {args[0]} failed")
    return done.stdout


def _text(root: Path, *args: str) -> str:
    return _git(root, *args).decode("utf-8", "replace")


def forge_url(repo_url: str | None) -> str:
    return (repo_url or "").strip().rstrip("/").removesuffix(".git")


# ------------------------------------------------------------------------------------ one revision's files


@dataclass
class Snapshot:
    notes: dict[int, tuple[str, str]] | None  # number -> (title's "about" text, body), plain text
    context: dict[str, str]  # docs-relative path -> the page's Markdown
    glossary: dict[str, Any] | None  # term -> Term (None: unreadable)
    bib: dict[str, tuple[str, dict[str, str]]] | None  # key -> (type, plain fields) (None: unreadable)
    copy_text_sha256: str | None
    unreadable: list[str] = field(default_factory=list)


def _files_at(root: Path, rev: str, paths: list[str]) -> dict[str, bytes]:
    """The files under ``paths`` (project-relative) at ``rev``: one ls-tree and one cat-file."""
    listing = _git(root, "ls-tree", "-r", "-z", rev, "--", *paths)
    blobs = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        if kind == "blob":
            blobs.append((name.decode("utf-8", "replace"), sha))
    if not blobs:
        return {}
    out = _git(root, "cat-file", "--batch", data="".join(sha + "\n" for _, sha in blobs).encode())
    contents, at = {}, 0
    for name, _ in blobs:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        contents[name] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return contents


NOTE_START = re.compile(r'^(?:!!!|\?\?\?\+?)\s+note\s+"Editorial note\s+(?P<n>\d+)\s*:\s*(?P<about>.*)"\s*$')


def _plain_markdown(text: str) -> str:
    """A note's Markdown as a reader reads it: links by their words, no emphasis marks, one line."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", r"\1", text)
    return " ".join(text.split())


def editorial_notes(markdown: str) -> dict[int, tuple[str, str]]:
    """The essay page's editorial notes by number: (what the title says it is about, the body), plain text."""
    found: dict[int, tuple[str, str]] = {}
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        start = NOTE_START.match(lines[i])
        i += 1
        if not start:
            continue
        body = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(("    ", "\t"))):
            body.append(lines[i].strip())
            i += 1
        found[int(start["n"])] = (_plain_markdown(start["about"]), _plain_markdown(" ".join(body)))
    return found


def _page_title(path: str, markdown: str) -> str:
    front = re.match(r"^---\s*\n(.*?)\n---\s*\n", markdown, re.S)
    if front:
        title = re.search(r"^title:\s*(.+?)\s*$", front.group(1), re.M)
        if title:
            return title.group(1).strip("\"'")
    heading = re.search(r"^#\s+(.+?)\s*(?:\{.*\})?\s*$", markdown, re.M)
    return heading.group(1) if heading else PurePosixPath(path).stem


def _bib_entries(texts: list[str]) -> dict[str, tuple[str, dict[str, str]]] | None:
    import bibtexparser  # only when a .bib is read at a revision

    from .bibdata import plain

    entries = {}
    for text in texts:
        try:
            library = bibtexparser.parse_string(text)
        except Exception:  # noqa: BLE001 - an old revision that no parser reads: compared without it
            return None
        for entry in library.entries:
            entries[entry.key] = (entry.entry_type.lower(), {f.key.lower(): plain(str(f.value)) for f in entry.fields})
    return entries


def _glossary_terms(data: bytes) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "terms.yml"
        path.write_bytes(data)
        terms, problems = load_glossary(path, "glossary")
    if any(p.unreadable for p in problems):
        return None
    return {t.term: t for t in terms}


def snapshot(root: Path, rev: str, layout: Layout) -> Snapshot:
    essay = posixpath.join(layout.docs, layout.essay) if layout.essay else None
    context = posixpath.join(layout.docs, layout.context)
    wanted = [p for p in (essay, context, layout.glossary, layout.copy_text, *layout.bib) if p]
    files = _files_at(root, rev, wanted)
    unreadable = []
    notes = None
    if essay in files:
        notes = editorial_notes(files[essay].decode("utf-8", "replace"))
    prefix = layout.docs.rstrip("/") + "/"
    pages = {name[len(prefix):]: data.decode("utf-8", "replace") for name, data in files.items()
             if name.startswith(context.rstrip("/") + "/") and name.endswith(".md")}
    glossary: dict[str, Any] | None = {}
    if layout.glossary in files:
        glossary = _glossary_terms(files[layout.glossary])
        if glossary is None:
            unreadable.append(layout.glossary)
    bib_texts = [data.decode("utf-8", "replace") for name, data in sorted(files.items()) if name.endswith(".bib")
                 and any(name == b or name.startswith(b.rstrip("/") + "/") for b in layout.bib)]
    bib = _bib_entries(bib_texts)
    if bib is None:
        unreadable.append(", ".join(layout.bib))
    copy = files.get(layout.copy_text) if layout.copy_text else None
    return Snapshot(notes=notes, context=pages, glossary=glossary, bib=bib,
                    copy_text_sha256=hashlib.sha256(copy).hexdigest() if copy is not None else None, unreadable=unreadable)


# ------------------------------------------------------------------------------------ comparing two


def word_changes(old: str, new: str) -> list[tuple[str, str]]:
    """The passages that differ, word by word: (old words, new words), either may be empty."""
    a, b = old.split(), new.split()
    return [(" ".join(a[i1:i2]), " ".join(b[j1:j2]))
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if tag != "equal"]


def _words_changed(old: str, new: str) -> int:
    return sum(max(len(o.split()), len(n.split())) for o, n in word_changes(old, new))


def compare(before: Snapshot | None, after: Snapshot, commits_for) -> list[Change]:
    """What changed from ``before`` to ``after``; ``commits_for(path)`` gives the commits that touched a file."""
    if before is None:
        return []
    found: list[Change] = []
    if before.notes is not None and after.notes is not None:
        essay_commits = None
        # A note inserted before others renumbers them: a note found word for word under another number is said
        # to be renumbered, not removed at one number and added at the next.
        # The same title under another number is the same note, renumbered and corrected.
        now_at = {content: n for n, content in after.notes.items()}
        moved = {n: now_at[c] for n, c in before.notes.items() if now_at.get(c, n) != n and before.notes.get(now_at[c]) != c}
        titled = {}
        for m, (about, _) in after.notes.items():
            titled.setdefault(about, []).append(m)
        for n, (about, _) in before.notes.items():
            at = [m for m in titled.get(about, []) if m not in moved.values()]
            if n not in moved and len(at) == 1 and at[0] != n and (after.notes.get(n) or ("",))[0] != about \
                    and (before.notes.get(at[0]) or ("",))[0] != about:
                moved[n] = at[0]
        for n in sorted(set(before.notes) | set(after.notes)):
            old = None if n in moved else before.notes.get(n)
            new = None if n in moved.values() else after.notes.get(n)
            if old == new:
                continue
            if essay_commits is None:
                essay_commits = commits_for("essay")
            kind = "added" if old is None else "removed" if new is None else "changed"
            about = (new or old)[0]
            found.append(Change("note", kind, str(n), about, _note_text(old), _note_text(new), commits=essay_commits))
        for n, m in sorted(moved.items()):
            if essay_commits is None:
                essay_commits = commits_for("essay")
            old, new = before.notes[n], after.notes[m]
            kind = "renumbered" if old == new else "changed"
            found.append(Change("note", kind, str(m), new[0], _note_text(old), _note_text(new), details=(str(n),), commits=essay_commits))
        found.sort(key=lambda change: int(change.name))
    for path in sorted(set(before.context) | set(after.context)):
        old, new = before.context.get(path), after.context.get(path)
        if old == new:
            continue
        kind = "added" if old is None else "removed" if new is None else "changed"
        count = _words_changed(old, new) if kind == "changed" else 0
        details = () if kind != "changed" else (f"{count} word{'' if count == 1 else 's'}",)
        found.append(Change("context", kind, path, _page_title(path, new if new is not None else old), details=details,
                            commits=commits_for("context:" + path)))
    if before.glossary is not None and after.glossary is not None:
        for term in sorted(set(before.glossary) | set(after.glossary), key=str.lower):
            old, new = before.glossary.get(term), after.glossary.get(term)
            if old is not None and new is not None and dataclasses.replace(old, line=0) == dataclasses.replace(new, line=0):
                continue
            kind = "added" if old is None else "removed" if new is None else "changed"
            details = ()
            if kind == "changed":
                details = tuple(label for key, label in (("abbr", "its abbreviation"), ("variants", "its other names"), ("cite", "its sources"),
                                                         ("see_also", "its cross-references")) if getattr(old, key) != getattr(new, key))
            found.append(Change("glossary", kind, term, term, old.definition if old else None, new.definition if new else None,
                                details=details, commits=commits_for("glossary")))
    if before.bib is not None and after.bib is not None:
        for key in sorted(set(before.bib) | set(after.bib)):
            old, new = before.bib.get(key), after.bib.get(key)
            if old == new:
                continue
            kind = "added" if old is None else "removed" if new is None else "changed"
            fields = (new or old)[1]
            details = ()
            if kind == "changed":
                details = tuple(_field_change(name, old[1].get(name), new[1].get(name))
                                for name in sorted(set(old[1]) | set(new[1])) if old[1].get(name) != new[1].get(name))
                if old[0] != new[0]:
                    details = (f"its type: ‘{old[0]}’ → ‘{new[0]}’", *details)
            found.append(Change("bibliography", kind, key, fields.get("title", ""), details=details, commits=commits_for("bib")))
    return found


def _note_text(note: tuple[str, str] | None) -> str | None:
    return None if note is None else note[1]


def _field_change(name: str, old: str | None, new: str | None) -> str:
    if old is None:
        return f"{name} added: ‘{new}’"
    if new is None:
        return f"{name} removed (it was ‘{old}’)"
    return f"{name}: ‘{old}’ → ‘{new}’"


# ------------------------------------------------------------------------------------ the history


def _tags(root: Path) -> list[tuple[str, str, str]]:
    """Release tags ``v*`` in version order: (tag, date, commit)."""
    out = _text(root, "for-each-ref", "--sort=v:refname", "--format=%(refname:short)%09%(creatordate:short)%09%(objectname)%09%(*objectname)",
                "refs/tags/v*")
    tags = []
    for line in out.splitlines():
        name, date, obj, peeled = (line.split("\t") + ["", "", ""])[:4]
        if TAG.match(name):
            tags.append((name, date, peeled or obj))
    return tags


def read_history(root: Path, release: str | None, repo_url: str | None = "", layout: Layout = Layout(),
                 today: dt.date | None = None) -> History:
    """Every version, oldest first, each compared with the one before. ``release`` is the version being built
    (EDITION_RELEASE): HEAD, tagged ``v<release>`` only after the build; without it, HEAD past the latest tag is
    listed as not yet released."""
    root = Path(root)
    forge = forge_url(repo_url)
    try:
        try:
            inside = _text(root, "rev-parse", "--is-inside-work-tree").strip() == "true"
        except GitUnavailable as exc:
            if "not installed" in str(exc) or "could not be run" in str(exc):
                raise
            inside = False
        if not inside:
            return History(unknown="the site was not built from a git repository")
        try:
            head = _text(root, "rev-parse", "--verify", "HEAD").strip()
        except GitUnavailable:
            return History(unknown="the repository has no commit yet")
        tags = _tags(root)
        release = (release or "").strip().removeprefix("v") or None
        names = [t[0] for t in tags]
        points: list[tuple[str | None, str, str]] = []  # (version name, rev, date)
        if release and f"v{release}" in names:  # rebuilding a release already tagged
            tags = tags[:names.index(f"v{release}") + 1]
            points = [(t[0][1:], t[0], t[1]) for t in tags]
        else:
            points = [(t[0][1:], t[0], t[1]) for t in tags]
            date = (today or dt.datetime.now(dt.timezone.utc).date()).isoformat()
            if release:
                points.append((release, "HEAD", date))
            elif not tags or tags[-1][2] != head:
                points.append((None, "HEAD", _text(root, "log", "-1", "--format=%cs", "HEAD").strip() or date))
        versions, before, previous = [], None, None
        for name, rev, date in points:
            after = snapshot(root, rev, layout)
            prev_rev = previous[1] if previous else None
            target = head if rev == "HEAD" and name is None else f"v{name}" if name else rev

            def commits_for(item: str, prev_rev=prev_rev, rev=rev) -> tuple[Commit, ...]:
                return _commits(root, prev_rev, rev, _paths_of(item, layout), forge)

            changes = compare(before, after, commits_for)
            compare_url = f"{forge}/compare/{previous[1]}...{target}" if forge and previous else None
            versions.append(Version(name=name, rev=rev, date=date, previous=(previous[0] or "") if previous else None, compare_url=compare_url,
                                    copy_text=layout.copy_text, copy_text_sha256=after.copy_text_sha256,
                                    previous_copy_text_sha256=before.copy_text_sha256 if before else None,
                                    changes=tuple(changes), unreadable=tuple(after.unreadable)))
            before, previous = after, (name, rev)
        return History(versions=versions)
    except GitUnavailable as exc:
        return History(unknown=str(exc))


def _paths_of(item: str, layout: Layout) -> list[str]:
    if item == "essay":
        return [posixpath.join(layout.docs, layout.essay or "")]
    if item.startswith("context:"):
        return [posixpath.join(layout.docs, item.removeprefix("context:"))]
    if item == "glossary":
        return [layout.glossary]
    return list(layout.bib)


def _commits(root: Path, since: str | None, until: str, paths: list[str], forge: str) -> tuple[Commit, ...]:
    if since is None:
        return ()
    out = _text(root, "log", "--format=%H%x1f%cs%x1f%s", f"{since}..{until}", "--", *paths)
    commits = []
    for line in out.splitlines():
        sha, date, subject = (line.split("\x1f") + ["", ""])[:3]
        commits.append(Commit(sha, date, subject, f"{forge}/commit/{sha}" if forge else None))
    return tuple(commits)


def versions(root: Path, release: str | None, repo_url: str | None = "", layout: Layout = Layout()) -> list[Version]:
    """The versions, oldest first ([] when git cannot say: see :func:`read_history` for why)."""
    return read_history(root, release, repo_url, layout).versions


# ------------------------------------------------------------------------------------ the page


AREAS = (("note", "Editorial notes"), ("context", "Context pages"), ("glossary", "Glossary"), ("bibliography", "Bibliography"))


# A citation or footnote reference in an old or new wording: shown as the editors wrote it, in code, so that
# it is neither formatted against today's bibliography (an old key may be gone) nor taken for a leftover.
AS_WRITTEN = re.compile(r"\[[^\[\]]*@[^\[\]]*\]|\[\^[^\]\s]+\]|(?<![\w@])-?@\w[\w:.#$%&\-+?<>~/]*\w|\(\s*\)")


def _esc(text: str) -> str:
    """Plain text safe in a Markdown paragraph: no emphasis, link, attribute or citation syntax comes from it."""
    out, at = [], 0
    for found in AS_WRITTEN.finditer(text):
        out += [_escape_prose(text[at:found.start()]), _code(found.group(0))]
        at = found.end()
    return "".join(out + [_escape_prose(text[at:])])


def _escape_prose(text: str) -> str:
    text = re.sub(r"([\\`*_\[\]{}#|])", r"\\\1", html.escape(text, quote=False))
    return text.replace("@", "&#64;")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _long_date(iso: str) -> str:
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


def _version_label(v: Version) -> str:
    return f"Version {v.name}" if v.name else "Not yet released"


def _commit_links(commits: tuple[Commit, ...]) -> str:
    if not commits:
        return ""
    parts = [f"[{c.sha[:7]}]({c.url})" if c.url else f"`{c.sha[:7]}`" for c in commits]
    word = "Commit" if len(commits) == 1 else "Commits"
    return f" {word}: {', '.join(parts)}."


def _passages(old: str, new: str, limit: int = 3) -> str:
    found = word_changes(old, new)
    if len(found) > limit:
        return f"{len(found)} passages changed"
    said = []
    for a, b in found:
        if a and b and a[-1] == b[-1] and a[-1] in ".,;:":  # 'written.' became 'received.': the stop is not the change
            a, b = a[:-1], b[:-1]
        said.append(f"‘{_esc(a)}’ became ‘{_esc(b)}’" if a and b else f"‘{_esc(a)}’ was taken out" if a else f"‘{_esc(b)}’ was added")
    return "; ".join(said)


def _link(label: str, target: str | None, here: str, pages: set[str] | None) -> str:
    if target is None or pages is None or target not in pages:
        return label
    return f"[{label}]({posixpath.relpath(target, posixpath.dirname(here) or '.')})"


def _change_markdown(change: Change, layout: Layout, here: str, pages: set[str] | None) -> list[str]:
    links = _commit_links(change.commits)
    if change.area == "note":
        name = _link(f"{NOTE_LABEL} {change.name}", layout.essay, here, pages)
        about = f", on {_esc(change.label)}," if change.label else ""
        if change.kind == "added":
            return [f"- {name}{about} was added. It reads: ‘{_esc(change.new or '')}’{links}"]
        if change.kind == "removed":
            return [f"- {name}{about} was removed. It read: ‘{_esc(change.old or '')}’{links}"]
        if change.kind == "renumbered":
            return [f"- {NOTE_LABEL} {change.details[0]}{about} is now {name}; its wording did not change.{links}"]
        if change.details:  # renumbered and corrected
            name = f"{NOTE_LABEL} {change.details[0]}{about} is now {name} and"
            about = ""
        what = _passages(change.old or "", change.new or "")
        lines = [f"- {name}{about} was corrected{': ' + what if what else ' (its title)'}.{links}", ""]
        lines += [f"    It read: ‘{_esc(change.old or '')}’", "", f"    It now reads: ‘{_esc(change.new or '')}’", ""]
        return lines
    if change.area == "context":
        title = _link(_esc(change.label), change.name if change.kind != "removed" else None, here, pages)
        where = f" ({_esc(posixpath.join(layout.docs, change.name))})"
        if change.kind == "changed":
            return [f"- The page {title}{where} was revised: {change.details[0]} changed.{links}"]
        return [f"- The page {title}{where} was {change.kind}.{links}"]
    if change.area == "glossary":
        term = f"‘{_esc(change.name)}’"
        if change.kind == "added":
            return [f"- The term {term} was added: ‘{_esc(change.new or '')}’{links}"]
        if change.kind == "removed":
            return [f"- The term {term} was removed. Its definition read: ‘{_esc(change.old or '')}’{links}"]
        if change.old == change.new:
            return [f"- The term {term}: {' and '.join(change.details) or 'its entry'} changed; its definition did not.{links}"]
        also = f" ({' and '.join(change.details)} changed too)" if change.details else ""
        return [f"- The definition of {term} was corrected{also}: it read ‘{_esc(change.old or '')}’; it now reads ‘{_esc(change.new or '')}’.{links}"]
    title = f" (‘{_esc(change.label)}’)" if change.label else ""
    if change.kind == "changed":
        return [f"- The entry `{change.name}`{title} was corrected: {_esc('; '.join(change.details))}.{links}"]
    return [f"- The entry `{change.name}`{title} was {change.kind}.{links}"]


def _copy_text_line(v: Version, every_same: bool) -> str:
    if v.copy_text is None:
        return "This edition names no copy-text, so no checksum of the essay's text is given."
    where = f"`{v.copy_text}`"
    if v.copy_text_sha256 is None:
        return f"The copy-text, {where}, is not in the repository at this version."
    if v.previous_copy_text_sha256 is not None and v.previous_copy_text_sha256 != v.copy_text_sha256:
        return (f"**The essay's copy-text changed in this version.** {where} had the SHA-256 checksum "
                f"`{v.previous_copy_text_sha256}`; it now has `{v.copy_text_sha256}`.")
    same = " (the same in every version listed here)" if every_same else ""
    if v.first:
        return f"The essay's copy-text, {where}, has the SHA-256 checksum `{v.copy_text_sha256}`{same}."
    return f"The essay's text did not change. The copy-text, {where}, has the SHA-256 checksum `{v.copy_text_sha256}`{same}."


def render_markdown(history: History, layout: Layout = Layout(), here: str = "versions.md", pages: set[str] | None = None) -> str:
    """The page's Markdown, newest version first. ``here`` is the page's path inside docs (for relative links)
    and ``pages`` the pages of this build (only those are linked)."""
    if history.unknown is not None or not history.versions:
        reason = history.unknown or "no version found"
        return f"The versions of this edition are not known here: {_esc(reason)}.\n"
    sums = {v.copy_text_sha256 for v in history.versions}
    every_same = len(sums) == 1 and None not in sums
    lines = []
    if layout.copy_text:
        lines += [("The essay's text is the same in every version: the copy-text's checksum has not changed."
                   if every_same else "**The essay's copy-text is not the same in every version**: see the versions below."), ""]
    for v in reversed(history.versions):
        lines += [f"## {_version_label(v)}, {_long_date(v.date)}", ""]
        if v.first:
            lines += ["The first release." if v.name else "The edition has not been released yet.", ""]
        else:
            since = f"version {v.previous}" if v.previous else "the previous version"
            link = f" [See the exact change]({v.compare_url})." if v.compare_url else ""
            lines += [f"Changes since {since}.{link}", ""]
        lines += [_copy_text_line(v, every_same), ""]
        for path in v.unreadable:
            lines += [f"`{_esc(path)}` could not be read at this version, so its changes are not listed.", ""]
        if not v.first and not v.changes:
            lines += ["No change to the editorial notes, the context pages, the glossary or the bibliography.", ""]
        for area, heading in AREAS:
            ours = [c for c in v.changes if c.area == area]
            if ours:
                lines += [f"### {heading}", ""]
                for change in ours:
                    lines += _change_markdown(change, layout, here, pages)
                lines += [""]
    return "\n".join(lines).rstrip() + "\n"
