"""One bibliography model: every .bib file read once, into entries that know their file and line.

Who does what:

- **bibtexparser 2** splits each file into blocks and gives every entry, field and ``@string`` its line. It
  is lenient (it reads ``@article(key, ...)`` and entries after a ``%``), so it only locates things.
- **Pandoc's own biblatex reader** (the one the build formats citations with) is the authority on what can
  be formatted: the files are handed to it as they are (``@string`` macros, ``#`` concatenation, month
  macros, ``crossref``/``xref``/``xdata`` inheritance and biblatex name parts are all resolved by it), and
  an entry it cannot read is an error at the line and column Pandoc names. Its answer (CSL JSON) is what
  citeproc formats, so the checks and the build see the same entries.
- This module adds only what neither does with positions: macro and crossref resolution of the raw field
  values (for messages and field checks, following BibTeX's and biblatex's rules), crossref cycles (Pandoc
  hangs on them) and the mapping of Pandoc's line numbers back to files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import subprocess
import tempfile
import zlib
from bisect import bisect_right
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser

from .diagnostics import Problem, did_you_mean

MONTH_MACROS = {m: str(i) for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# Fields whose values are keys of other entries; biblatex never inherits these (Appendix B of its manual).
LINK_FIELDS = ("crossref", "xref", "xdata", "entryset")
NOT_INHERITED = {"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute", "label", "options", "presort",
                 "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand", "shorthandintro", "sortkey",
                 # BibTeX bookkeeping of this project: never inherited either
                 "verifiedat", "confidence", "knownmissing"}
_BOOKS = {"book", "mvbook"}
_COLLECTIONS = {"collection", "mvcollection", "reference", "mvreference"}
# biblatex's default inheritance (Appendix B): parent type(s) -> child type(s) -> {parent field: child field}
_TITLE_AS = lambda prefix: {"title": f"{prefix}title", "subtitle": f"{prefix}subtitle", "titleaddon": f"{prefix}titleaddon",
                            "shorttitle": None, "sorttitle": None, "indextitle": None, "indexsorttitle": None}
INHERITANCE = [
    ({"mvbook"}, {"book", "inbook", "bookinbook", "suppbook"}, _TITLE_AS("main")),
    ({"mvcollection", "mvreference"}, {"collection", "reference", "incollection", "inreference", "suppcollection"}, _TITLE_AS("main")),
    ({"mvproceedings"}, {"proceedings", "inproceedings"}, _TITLE_AS("main")),
    (_BOOKS, {"inbook", "bookinbook", "suppbook"}, {**_TITLE_AS("book"), "author": "bookauthor"}),
    (_COLLECTIONS, {"incollection", "inreference", "suppcollection"}, _TITLE_AS("book")),
    ({"proceedings", "mvproceedings"}, {"inproceedings"}, _TITLE_AS("book")),
    ({"periodical"}, {"article", "suppperiodical"}, {"title": "journaltitle", "subtitle": "journalsubtitle", "shorttitle": None, "sorttitle": None, "indextitle": None, "indexsorttitle": None}),
]
CHUNK_FROM = 300  # entries: from this many on, Pandoc reads the bibliography in chunks, in parallel and cached one by one
CHUNK_AVERAGE = 120  # entries a chunk, on average
PANDOC_TIMEOUT = 120  # seconds; a hang (Pandoc loops on crossref cycles, which are removed first) is an error


@dataclass
class BibEntry:
    key: str
    entry_type: str
    fields: dict[str, str]  # resolved: macros expanded, '#' joined, inherited through crossref/xdata (TeX kept)
    path: str  # display path, relative to the project root
    line: int  # 1-based line of '@type{key,'
    field_lines: dict[str, int] = field(default_factory=dict)
    raw: str = ""  # the entry's source text
    written: dict[str, str] = field(default_factory=dict)  # the fields as written in this entry (values resolved)
    csl: dict | None = None  # Pandoc's reading of the entry (CSL JSON), what citeproc formats
    undefined_macros: list[tuple[str, str]] = field(default_factory=list)  # (field, macro)
    span: tuple[int, int] = (0, 0)  # offsets in the file's text
    file_index: int = 0
    unclosed: bool = False  # bibtexparser could not find its end (a brace or quote left open)


@dataclass
class Bibliography:
    entries: dict[str, BibEntry]  # what the build can format, by key
    problems: list[Problem]
    broken: dict[str, Problem]  # key of an entry that exists but cannot be formatted -> the problem at its line
    csl_items: list[dict]  # Pandoc's reading of every formattable entry (CSL JSON), for citeproc
    texts: list[str]  # each file's text as handed to Pandoc (broken entries blanked, lines kept)


def plain(value: str) -> str:
    """Field text without BibTeX braces and with whitespace collapsed (for messages and notes)."""
    return " ".join(re.sub(r"[{}]", "", value).replace("~", " ").split())


# ---------------------------------------------------------------------------------------- values

_MACRO = re.compile(r'[^\s#{}",=]+')
_PART = re.compile(r'\s*(?:(\{)|(")|(\d+)|([^\s#{}",=]+))')


def _balanced_end(text: str, start: int, close: str) -> int:
    """Index after the delimiter closing the value that opens at ``start`` (brace depth counted)."""
    depth = 0
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and close == "}":
                return i + 1
            depth -= 1
        elif char == '"' and close == '"' and depth == 0:
            return i + 1
        i += 1
    return len(text)


def evaluate(value: str, macros: dict[str, str]) -> tuple[str, list[str]]:
    """A field value as BibTeX reads it: ``{...}`` and ``"..."`` parts, numbers and ``@string`` macros
    joined by ``#``. Returns the text and the names of undefined macros (BibTeX: empty; Pandoc: the name)."""
    value = value.strip()
    if "#" not in value:  # one part, most values: no parsing needed
        if value[:1] == "{" and value[-1:] == "}" or value[:1] == '"' and value[-1:] == '"':
            return value[1:-1], []
        if value.isdigit():
            return value, []
        if _MACRO.fullmatch(value):
            known = macros.get(value.lower())
            return (known, []) if known is not None else (value, [value])
    out, undefined, pos = [], [], 0
    while pos < len(value):
        match = _PART.match(value, pos)
        if not match:
            return value, undefined  # not a BibTeX value expression: keep it as written
        if match.group(1) or match.group(2):
            start = match.end() - 1
            end = _balanced_end(value, start, "}" if match.group(1) else '"')
            out.append(value[start + 1:end - 1])
            pos = end
        elif match.group(3):
            out.append(match.group(3))
            pos = match.end()
        else:
            name = match.group(4)
            if name.lower() in macros:
                out.append(macros[name.lower()])
            else:
                undefined.append(name)
                out.append(name)
            pos = match.end()
        rest = value[pos:].lstrip()
        if not rest:
            break
        if not rest.startswith("#"):
            return value, undefined
        pos = len(value) - len(rest) + 1
    return "".join(out), undefined


# ---------------------------------------------------------------------------------------- files


_SCAN = re.compile(r'\\.|[{}()"\n%@]')
# What Pandoc's reader takes for the start of a block: '@', a type of letters only, then white space (and '%'
# comments) up to '{' (or '(', which BibTeX reads and Pandoc refuses).
_AT = re.compile(r"@([^\W\d_]*)((?:\s|%[^\n]*)*)([{(]?)")


@dataclass
class Block:
    """A top-level block as Pandoc's reader splits the file: ``@type{...}`` or ``@type(...)``."""
    kind: str  # lower-case type: article, string, comment, ...
    start: int
    end: int
    line: int  # 0-based line of the '@'
    last_line: int
    paren: bool = False  # '@type(...)': BibTeX reads it, Pandoc does not
    closed: bool = True


@dataclass(frozen=True)
class Stray:
    """An '@' outside every block that opens none: Pandoc's reader starts a block at every such '@' and stops
    with an error where the block's '{' should be ('@Comment Len Schubert', 'beebe@math.utah.edu' between
    entries). BibTeX skips it as text."""
    start: int  # the '@'
    end: int  # after the word that follows it: what is blanked before Pandoc reads the rest
    at: int  # the first character Pandoc cannot read


def scan_blocks(text: str) -> tuple[list[Block], set[int]]:
    """Top-level blocks and the 0-based lines of comments Pandoc skips (:func:`scan`)."""
    blocks, comments, _ = scan(text)
    return blocks, comments


def scan(text: str) -> tuple[list[Block], set[int], list[Stray]]:
    """Top-level blocks, the 0-based lines of comments Pandoc skips ('%' to the end of the line outside any
    block, or between the fields of an entry; inside a value, '%' is text), and the stray '@'s Pandoc stops
    at. As Pandoc's reader: every '@' outside a block starts one; inside a block, '@' is text. Linear."""
    blocks: list[Block] = []
    comments: set[int] = set()
    strays: list[Stray] = []
    depth, line, quote = 0, 0, False
    current = None  # (kind, start, line, closer)
    skip_to = -1
    for match in _SCAN.finditer(text):
        if match.start() < skip_to:
            continue
        token = match.group(0)
        if token == "\n":
            line += 1
            continue
        if current is None:
            if token == "%":
                comments.add(line)
                end = text.find("\n", match.start())
                skip_to = len(text) if end < 0 else end
            elif token == "@":
                head = _AT.match(text, match.start())
                if head.group(1) and head.group(3):
                    current = (head.group(1).lower(), match.start(), line, "}" if head.group(3) == "{" else ")")
                    depth, quote = 1, False
                    for gap in re.finditer(r"%[^\n]*|\n", head.group(2)):  # comments between the type and its brace
                        if gap.group(0) == "\n":
                            line += 1
                        else:
                            comments.add(line)
                    skip_to = head.end()
                else:
                    word_end = match.start() + 1 + len(head.group(1))
                    strays.append(Stray(match.start(), word_end, head.end(3) if head.group(1) else word_end))
                    skip_to = word_end
            continue
        kind, start, first, closer = current
        if token == "@":  # '@type{' inside a block is text; only its brace counts
            continue
        if token == "%" and depth == 1 and not quote:
            end = text.find("\n", match.start())
            skip_to = len(text) if end < 0 else end
        elif token == '"' and depth == 1:
            quote = not quote
        elif token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0 and closer == "}":
                blocks.append(Block(kind, start, match.end(), first, line))
                current = None
        elif token == ")" and closer == ")" and depth == 1 and not quote:
            blocks.append(Block(kind, start, match.end(), first, line, paren=True))
            current = None
    if current is not None:  # never closed: to the end of the file
        blocks.append(Block(current[0], current[1], len(text), current[2], line, paren=current[3] == ")", closed=False))
    return blocks, comments, strays


@dataclass
class _File:
    path: Path
    shown: str
    text: str
    first_line: int = 0  # 0-based line of this file in the joined text handed to Pandoc
    blocks: list[Block] = field(default_factory=list)
    comments: set[int] = field(default_factory=set)
    strays: list[Stray] = field(default_factory=list)

    @property
    def readable(self) -> str:
        """The text with its stray '@'s blanked (same offsets): what Pandoc is given, so that one stray costs no
        reading of everything again (each is reported from the scan, where Pandoc would stop)."""
        if not self.strays:
            return self.text
        parts, pos = [], 0
        for stray in self.strays:
            parts += [self.text[pos:stray.start], " " * (stray.end - stray.start)]
            pos = stray.end
        return "".join(parts) + self.text[pos:]


_HEAD = re.compile(r"\s*@\s*(\w+)\s*[{(]\s*([^,\s{}()]*)")


def _plain(parsed) -> list[tuple]:
    """bibtexparser's blocks as plain tuples (kind, key, type or value, fields, 0-based line, raw), fields as
    (name, value, 0-based line or None): what the model needs, cheap to cache."""
    out = []
    for block in parsed:
        kind = type(block).__name__
        if kind == "String":
            out.append(("String", block.key, str(block.value), (), block.start_line or 0, ""))
            continue
        if kind in ("DuplicateFieldKeyBlock", "DuplicateBlockKeyBlock") and block.ignore_error_block is not None:
            block, kind = block.ignore_error_block, "Entry"
        if kind == "Entry":
            fields = tuple((f.key, str(f.value), getattr(f, "start_line", None)) for f in block.fields)
            out.append(("Entry", block.key, block.entry_type, fields, block.start_line or 0, block.raw or ""))
        elif kind == "ParsingFailedBlock":
            out.append(("Failed", "", "", (), block.start_line or 0, block.raw or ""))
    return out


def _split(bib: _File, cache_dir: Path | None) -> list[tuple[tuple, int]]:
    """The blocks of one file (as ``_plain`` gives them) with the 0-based line each is counted from. When
    every block is closed, each is parsed on its own (as Pandoc reads it: scan_blocks found where it ends),
    and kept in the cache by its text, so an edit re-parses only the blocks it changed. A block left open
    makes bibtexparser read the whole file, for its own account of where that block stops."""
    if any(not block.closed for block in bib.blocks):
        return [(block, 0) for block in _plain(_quiet_parse(bib.text).blocks)]
    memo_path = cache_dir / f"blocks-{hashlib.sha256(bib.shown.encode('utf-8')).hexdigest()[:24]}.pickle" if cache_dir else None
    memo: dict[str, list] = {}
    if memo_path is not None:
        try:
            with open(memo_path, "rb") as handle:
                memo = pickle.load(handle)  # plain tuples, written below
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            memo = {}
    kept: dict[str, list] = {}
    out = []
    for block in bib.blocks:
        text = bib.text[block.start:block.end]
        parsed = memo.get(text)
        if parsed is None:
            parsed = _plain(_quiet_parse(text).blocks)
            if block.kind not in ("string", "preamble", "comment") and not any(p[0] in ("Entry", "Failed") for p in parsed):
                parsed.append(("Failed", "", "", (), 0, text))  # not an entry for bibtexparser: Pandoc decides
        kept[text] = parsed
        out += [(parsed_block, block.line) for parsed_block in parsed]
    if memo_path is not None and kept.keys() != memo.keys():
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = memo_path.with_suffix(f".{os.getpid()}.tmp")
            with open(partial, "wb") as handle:
                pickle.dump(kept, handle, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(memo_path)
        except (OSError, pickle.PickleError):
            pass
    return out


def _parse_file(bib: _File, index: int, macros: dict[str, str], cache_dir: Path | None = None) -> list[BibEntry]:
    """Every entry of one file, in order, with its lines; ``@string`` macros are added to ``macros``.
    Blocks bibtexparser cannot split are kept as entries with no fields: Pandoc decides whether they
    are valid (a duplicate field, for one, is not an error for Pandoc or biblatex)."""
    commented = bib.comments
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", bib.text)]
    entries = []
    for (kind, key, kind_value, fields, line, raw), offset in sorted(_split(bib, cache_dir), key=lambda pair: pair[0][4] + pair[1]):
        if kind == "String":
            macros[key.lower()] = evaluate(kind_value, macros)[0]
            continue
        first = line + offset
        if first in commented:
            continue
        start = line_starts[first] if first < len(line_starts) else 0
        begin = bib.text.find(raw, start) if raw else -1
        begin = begin if begin >= 0 else start
        if kind != "Entry":
            head = _HEAD.match(raw)
            if not head or not head.group(2):
                continue
            entries.append(BibEntry(key=head.group(2), entry_type=head.group(1).lower(), fields={}, path=bib.shown,
                                    line=first + 1, raw=raw, span=(begin, begin + len(raw)), file_index=index,
                                    unclosed=True))
            continue
        written, undefined, field_lines = {}, [], {}
        for name, text, field_line in fields:
            name = name.lower()
            value, missing = evaluate(text, macros)
            written[name] = value
            field_lines[name] = field_line + offset + 1 if field_line is not None else first + 1
            undefined += [(name, macro) for macro in missing]
        entries.append(BibEntry(
            key=key, entry_type=kind_value.lower(), fields=dict(written), path=bib.shown,
            line=first + 1, raw=raw, written=written, undefined_macros=undefined, field_lines=field_lines,
            span=(begin, begin + len(raw)), file_index=index))
    return entries


def _quiet_parse(text: str):
    """bibtexparser without middlewares (values as written); its log of failed blocks is kept out of the output
    (Pandoc's reading is what the problems report)."""
    logger = logging.getLogger("bibtexparser")
    silent = logging.NullHandler()
    logger.addHandler(silent)
    propagate, logger.propagate = logger.propagate, False
    try:
        return bibtexparser.parse_string(text, parse_stack=[])
    finally:
        logger.removeHandler(silent)
        logger.propagate = propagate


# ---------------------------------------------------------------------------------------- crossref


def links(entry: BibEntry) -> list[tuple[str, str]]:
    """(field, target key) for crossref, xdata (a list) and xref."""
    out = []
    for name in ("crossref", "xdata", "xref"):
        value = entry.written.get(name, "").strip()
        if value:
            out += [(name, k.strip()) for k in value.split(",") if k.strip()] if name == "xdata" else [(name, value)]
    return out


def _inherit(entries: dict[str, BibEntry]) -> None:
    """Resolve crossref and xdata inheritance into ``fields`` (cycles already removed), biblatex's rules;
    BibTeX's same-name inheritance is the default case of those rules."""
    done: set[str] = set()

    def resolve(key: str) -> None:
        if key in done:
            return
        done.add(key)
        child = entries[key]
        for name, parent_key in links(child):
            if name == "xref" or parent_key not in entries:
                continue
            resolve(parent_key)
            parent = entries[parent_key]
            mapping: dict[str, str | None] = {}
            if name == "crossref":
                for parents, children, rule in INHERITANCE:
                    if parent.entry_type in parents and child.entry_type in children:
                        mapping = rule
                        break
            for source, value in parent.fields.items():
                if source in NOT_INHERITED:
                    continue
                target = mapping.get(source, source) if source in mapping else source
                if target and target not in child.fields:
                    child.fields[target] = value
                    child.field_lines.setdefault(target, child.field_lines.get(name, child.line))

    for key in list(entries):
        resolve(key)


# ---------------------------------------------------------------------------------------- Pandoc


def pandoc_path() -> str:
    import pypandoc  # the Pandoc the build formats with (pypandoc-binary)

    return pypandoc.get_pandoc_path()


_PANDOC_ERROR = re.compile(r'\(line (\d+), column (\d+)\):\s*(.*)', re.S)


def _run_pandoc(text: str, cache_dir: Path | None = None) -> tuple[list[dict] | None, str, int, int]:
    """Pandoc's biblatex reader on ``text``: (items, "", 0, 0) or (None, message, line, column).

    Readings are cached by the text's hash (and Pandoc's path), so an unchanged bibliography is not read
    again by the next check or build; a changed one is read afresh."""
    cached = None
    if cache_dir is not None:
        digest = hashlib.sha256((pandoc_path() + "\0" + text).encode("utf-8")).hexdigest()
        cached = cache_dir / f"{digest}.json"
        try:
            items, message, line, col = json.loads(cached.read_text(encoding="utf-8"))
            return items, message, line, col
        except (OSError, ValueError, TypeError):
            pass
    answer = _run_pandoc_uncached(text)
    if cached is not None and (answer[0] is not None or answer[2]):  # not a timeout or crash
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(answer), encoding="utf-8")
            partial.replace(cached)
        except OSError:
            pass
    return answer


def _run_pandoc_uncached(text: str) -> tuple[list[dict] | None, str, int, int]:
    with tempfile.TemporaryDirectory(prefix="edition-bib-") as tmp:
        source = Path(tmp, "input.bib")
        source.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run([pandoc_path(), "-f", "biblatex", "-t", "csljson", str(source), "+RTS", "-A32m", "-F4", "-RTS"],
                                  capture_output=True, text=True, timeout=PANDOC_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None, f"Pandoc did not finish reading the bibliography in {PANDOC_TIMEOUT} s", 0, 0
    if done.returncode == 0:
        return json.loads(done.stdout or "[]"), "", 0, 0
    found = _PANDOC_ERROR.search(done.stderr)
    if not found:
        return None, " ".join(done.stderr.split())[:300] or f"Pandoc exited with {done.returncode}", 0, 0
    detail = found.group(3).strip().splitlines()
    message = "; ".join(line.strip() for line in detail[:1])
    return None, message, int(found.group(1)), int(found.group(2))


def _spaces(text: str) -> str:
    """``text`` as spaces, its line breaks kept (so lines and columns stay)."""
    return "\n".join(" " * len(line) for line in text.split("\n"))


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + _spaces(text[start:end]) + text[end:]


def _gap(text: str) -> str:
    """What stands for ``text`` left out of a chunk: its line breaks, and spaces for its last line only (so
    the lines, and the columns of what follows on that line, stay). Pandoc pays for every space it reads."""
    breaks = text.count("\n")
    return "\n" * breaks + " " * (len(text) - text.rfind("\n") - 1 if breaks else len(text))


def _to_chunk(original: str, chunk: str, offset: int) -> int:
    """The offset in ``chunk`` (same lines as ``original``, some of them emptied) of ``offset`` in ``original``."""
    line = original.count("\n", 0, offset)
    column = offset - (original.rfind("\n", 0, offset) + 1)
    start = 0
    for _ in range(line):
        start = chunk.index("\n", start) + 1
    end = chunk.find("\n", start)
    return start + min(column, (len(chunk) if end < 0 else end) - start)


def _recover(files: list[_File], entries_by_file: list[list[BibEntry]], texts: list[str],
             first: tuple[list[dict] | None, str, int, int], cache_dir: Path | None, single: bool = False) -> tuple[list[dict], dict[tuple[int, int], Problem], list[Problem]]:
    """Pandoc's answer for ``texts`` when its first answer was ``first``: an entry it cannot read is reported
    at Pandoc's line and column and blanked, then the rest is read again, so one run lists every such entry.
    Returns the items, the blanked entries ((file index, start offset) -> problem) and every problem."""
    texts, removed, found = list(texts), {}, []
    answer = first
    while True:
        items, message, line, col = answer
        if items is not None:
            return items, removed, found
        if not line:  # no position (a timeout, a crash): one error for the whole input
            found.append(Problem(files[0].shown, 1, 1, f"{message}; check the .bib files", "bib.unreadable", unreadable=True))
            return [], removed, found
        index, file_line = _locate(files, line - 1)
        if "end of input" in message:  # the files are read joined: an entry left open in an earlier file ran on into this one
            for earlier in range(index):
                left_open = next((e for e in entries_by_file[earlier] if e.unclosed and (e.file_index, e.span[0]) not in removed), None)
                if left_open is not None:
                    index, file_line = earlier, left_open.line - 1
                    break
        entry = _entry_at(entries_by_file[index], file_line, "end of input" in message, removed)
        unclosed = entry is not None and entry.unclosed and "end of input" in message
        if entry is not None and "unexpected '@'" in message and file_line == entry.line - 1:
            # the entry starts where Pandoc expected the one before it to go on: that one is never closed
            ordered = [e for file_entries in entries_by_file for e in file_entries if (e.file_index, e.span[0]) not in removed]
            before = ordered[:ordered.index(entry)] if entry in ordered else []
            if before:
                entry, unclosed = before[-1], True
        if unclosed:
            start, end = entry.span
            problem = Problem(entry.path, entry.line, 1, f"entry '{entry.key}' is never closed: a brace or quote opened in it is left open, so Pandoc, which formats the citations, cannot tell where it ends; close it", "bib.syntax")
        elif entry is not None:
            start, end = entry.span
            problem = Problem(files[index].shown, file_line + 1, col, f"Pandoc, which formats the citations, cannot read entry '{entry.key}': {message}; {_syntax_hint(message, files[index].text, start, end, file_line, col)}", "bib.syntax")
        else:  # outside any entry we know: blank from the previous '@' line to the next
            start, end = _region(files[index].text, file_line)
            problem = Problem(files[index].shown, file_line + 1, col, f"Pandoc, which formats the citations, cannot read this: {message}; check the braces, commas and quotes here", "bib.syntax")
            if not texts[index][_to_chunk(files[index].text, texts[index], start):_to_chunk(files[index].text, texts[index], end)].strip():
                found.append(problem)
                return [], removed, found
        found.append(problem)
        removed[(index, start)] = problem
        if single:  # a text that holds one entry besides the macros: nothing else to read
            return [], removed, found
        texts[index] = _blank(texts[index], _to_chunk(files[index].text, texts[index], start), _to_chunk(files[index].text, texts[index], end))
        answer = _run_pandoc("\n".join(texts), cache_dir)


class _ParenAnswer:
    """Pandoc's answer for a block in parentheses, as the first one's: refused at its own '(' when the first
    was refused at its '('; read by Pandoc itself otherwise (a Pandoc that reads parentheses)."""

    def __init__(self, first, files: list[_File], index: int, block: Block, own: list[str], cache_dir: Path | None):
        self.first, self.files, self.index, self.block, self.own, self.cache_dir = first, files, index, block, own, cache_dir

    def result(self) -> tuple[list[dict] | None, str, int, int]:
        items, message, line, col = self.first.result()
        if items is None and message == "unexpected '('":
            text = self.files[self.index].text
            at = text.find("(", self.block.start)
            return None, message, self.files[self.index].first_line + text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        return _run_pandoc("\n".join(self.own), self.cache_dir)


def _syntax_hint(message: str, text: str, start: int, end: int, line: int, col: int) -> str:
    snippet = text[start:end]
    if re.match(r"\s*@\w+\s*\(", snippet):
        return "write @type{key, ...}: Pandoc, which formats the citations, reads no parentheses around an entry"
    if "end of input" in message:
        return "a brace or quote is probably not closed; check this entry's braces and quotes"
    lines = text.split("\n")
    here = lines[line] if line < len(lines) else ""
    before = next((l for l in reversed(lines[:line]) if l.strip()), "")
    if re.match(r"\s*\w+\s*=", here) and len(here) - len(here.lstrip()) + 1 == col and not before.rstrip().endswith((",", "{", "(")):
        return f"a comma is probably missing at the end of line {line}"
    return "check the braces, commas and quotes of this entry"


def _plan(files: list[_File]) -> tuple[list[list[str]], list[set[str]], dict[str, list[str]], list[tuple[int, Block, list[str]]]]:
    """Before any parsing: the texts to hand to Pandoc. One text, or (many entries, several cores) two,
    read at once: each the whole text with the other half's entries blanked, so lines and @string macros
    stay where they are. Entries on a crossref cycle are blanked everywhere (Pandoc would never finish).
    Blocks Pandoc is sure to refuse (in parentheses, with an empty key) are left out of the
    chunks and read on their own, so that they cost no second reading of everything.
    Returns the texts of each chunk, the keys of each chunk, the cycles found (key -> cycle) and the suspects
    (file index, block, texts in which only that block and the @string and @preamble blocks remain)."""
    heads = []  # (file index, block, key, links)
    for index, bib in enumerate(files):
        for block in bib.blocks:
            if block.kind in ("string", "preamble", "comment"):
                continue
            body = bib.text[block.start:block.end]
            head = _HEAD.match(body)
            key = head.group(2) if head else ""
            found = [(m.group(1).lower(), m.group(2)) for m in _LINK.finditer(body)]
            links = [k.strip() for name, value in found for k in (value.split(",") if name == "xdata" else [value]) if k.strip()]
            heads.append((index, block, key, links))
    # (an unclosed block is not one of them: where it ends is bibtexparser's call, made later)
    suspect_heads = {i for i, (_, block, key, _) in enumerate(heads) if block.closed and (block.paren or not key)}
    graph = {}
    seen: set[str] = set()
    repeated: set[int] = set()  # later entries with a key seen before (also in other case): left out, as BibTeX does
    for i, (_, _, key, links) in enumerate(heads):
        graph.setdefault(key, links)
        if key.casefold() in seen:
            repeated.add(i)
        if i not in suspect_heads:  # a key first written in parentheses: Pandoc reads the next entry of that key
            seen.add(key.casefold())
    cycles = _cycles_in(graph)
    macro_blocks = [(index, block) for index, bib in enumerate(files) for block in bib.blocks
                    if block.kind in ("string", "preamble") and block.closed and not block.paren]
    group = {}
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for _, _, key, links in heads:
        for target in links:
            parent[find(key)] = find(target)
    # Chunks of about CHUNK_AVERAGE entries, cut after entries whose key hashes to a boundary (content-defined,
    # as rsync cuts files), so that an edit changes one chunk and every other chunk's reading is cached.
    # A crossref family stays in the chunk of its first member.
    side_of: dict[str, int] = {}
    chunks, size = 1, 0
    for _, _, key, _ in heads:
        root = find(key)
        if root not in side_of:
            side_of[root] = chunks - 1
            size += 1
        group[key] = side_of[root]
        if len(heads) >= CHUNK_FROM and size >= CHUNK_AVERAGE // 3 and (zlib.crc32(key.encode("utf-8")) % CHUNK_AVERAGE == 0 or size >= 3 * CHUNK_AVERAGE):
            chunks, size = chunks + 1, 0
    if size == 0 and chunks > 1:
        chunks -= 1
    texts, keys = [], []
    for side in range(chunks):
        side_texts, side_keys = [], set()
        for index, bib in enumerate(files):
            parts, pos, readable = [], 0, bib.readable
            for i, (head_index, block, key, _) in enumerate(heads):
                if head_index != index:
                    continue
                if key in cycles or i in repeated or i in suspect_heads or group.get(key, 0) != side:
                    parts += [readable[pos:block.start], _gap(readable[block.start:block.end]) if chunks > 1 else _spaces(readable[block.start:block.end])]
                    pos = block.end
                else:
                    side_keys.add(key)
            parts.append(readable[pos:])
            side_texts.append("".join(parts))
        texts.append(side_texts)
        keys.append(side_keys)
    suspects = []
    for i in sorted(suspect_heads):
        index, block, key, _ = heads[i]
        kept = sorted([(b.start, b.end) for j, b in macro_blocks if j == index] + [(block.start, block.end)])
        own = []
        for j, bib in enumerate(files):
            spans = kept if j == index else sorted((b.start, b.end) for k, b in macro_blocks if k == j)
            parts, pos = [], 0
            for start, end in spans:
                parts += [_gap(bib.text[pos:start]), bib.text[start:end]]
                pos = end
            own.append("".join(parts) + _gap(bib.text[pos:]))
        suspects.append((index, block, own))
    return texts, keys, cycles, suspects


_LINK = re.compile(r"(?:^|,)\s*(crossref|xdata)\s*=\s*[{\"]\s*([^}\"]*?)\s*[}\"]", re.I | re.M)


def _cycles_in(graph: dict[str, list[str]]) -> dict[str, list[str]]:
    """Keys on a cycle of the link graph (key -> its links) -> the cycle, by depth-first search."""
    on_cycle: dict[str, list[str]] = {}
    state: dict[str, int] = {}
    for root in graph:
        if root in state:
            continue
        state[root] = 1
        path, stack = [root], [iter(graph[root])]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if child not in graph:
                continue
            if state.get(child) == 1:
                cycle = path[path.index(child):] + [child]
                for k in cycle[:-1]:
                    on_cycle.setdefault(k, cycle)
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(graph[child]))
    return on_cycle


def _locate(files: list[_File], joined_line: int) -> tuple[int, int]:
    starts = [f.first_line for f in files]
    index = max(0, bisect_right(starts, joined_line) - 1)
    return index, joined_line - files[index].first_line


def _entry_at(entries: list[BibEntry], line: int, at_end: bool, removed: dict) -> BibEntry | None:
    """The entry whose text holds 0-based ``line``; at the end of input, the first entry bibtexparser
    could not close (the root cause), else the last entry before it."""
    if at_end:
        unclosed = next((e for e in entries if e.unclosed and e.line - 1 <= line and (e.file_index, e.span[0]) not in removed), None)
        if unclosed is not None:
            return unclosed
    best = None
    for entry in entries:
        if entry.line - 1 > line:
            break
        if (entry.file_index, entry.span[0]) not in removed:
            best = entry
    if best is None:
        return None
    last = best.line - 1 + best.raw.count("\n")
    return best if at_end or line <= last else None


def _region(text: str, line: int) -> tuple[int, int]:
    lines = text.split("\n")
    start_line = next((i for i in range(min(line, len(lines) - 1), -1, -1) if lines[i].lstrip().startswith("@")), line)
    end_line = next((i for i in range(line + 1, len(lines)) if lines[i].lstrip().startswith("@")), len(lines))
    start = sum(len(l) + 1 for l in lines[:start_line])
    end = sum(len(l) + 1 for l in lines[:end_line])
    return start, min(end, len(text))


# ---------------------------------------------------------------------------------------- load

_C1_BYTES = re.compile(rb"[\x80-\x9f]")


def _place(data: bytes, at: int, encoding: str) -> tuple[int, int]:
    """1-based line and column (in characters, the line read as ``encoding``) of byte ``at``."""
    start = data.rfind(b"\n", 0, at) + 1
    return data.count(b"\n", 0, at) + 1, len(data[start:at].decode(encoding, "replace")) + 1


def _not_utf8(data: bytes, first: int, shown: str) -> tuple[str, Problem]:
    """The text of a .bib file that is not UTF-8 (``first``: its first byte that is not), and the problem to report.

    Bytes 0x80-0x9F are never text in Latin-1 (they are C1 control characters, invisible on a page: an en dash
    saved by a Windows editor, 0x96, would be published as U+0096); Windows-1252 puts its dashes, quotes and
    letters there, so a file that has them is read as Windows-1252. One that Windows-1252 cannot read either
    (0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in it) is an error, its text read with U+FFFD in their place, so
    no control character reaches a page even while `make serve` keeps serving. Pandoc never reads the file itself:
    every later step (Pandoc's CSL JSON, the build's edition.bib, mkdocs-bibtex's text) starts from this text."""
    byte = f"byte 0x{data[first]:02x} here"
    line, col = _place(data, first, "utf-8")
    if not _C1_BYTES.search(data):  # Latin-1 reads every byte as the character of the same number
        return data.decode("latin-1"), Problem(shown, line, col, f"this .bib file is not UTF-8 ({byte}): Pandoc, which formats the citations, reads it as Latin-1 (ISO 8859-1), so check that its accented letters come out right, and save it as UTF-8", "bib.not_utf8", "warning")
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        bad_line, bad_col = _place(data, exc.start, "cp1252")
        return data.decode("cp1252", "replace"), Problem(shown, bad_line, bad_col, f"this .bib file is neither UTF-8 ({byte.replace(' here', '')} at {line}:{col}) nor Windows-1252 (byte 0x{data[exc.start]:02x} here is undefined in it), so its text cannot be read right; save it as UTF-8", "bib.not_utf8")
    return text, Problem(shown, line, col, f"this .bib file is not UTF-8 ({byte}) and has bytes 0x80-0x9F, which are control characters in Latin-1: it is read as Windows-1252 (cp1252), the encoding that puts dashes, quotes and letters there; check that its accented letters and dashes come out right, and save it as UTF-8", "bib.not_utf8", "warning")


def load_bibliography(paths: list[tuple[Path, str]], cache_dir: Path | None = None) -> Bibliography:
    """Read every (path, display path) once; Pandoc decides what can be formatted.

    Pandoc starts reading before bibtexparser does (the slow half of the work runs in another process),
    on texts planned from a one-pass scan of the blocks; bibtexparser's entries then locate and check."""
    problems: list[Problem] = []
    files: list[_File] = []
    for path, shown in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(shown, 1, 1, f"cannot read this .bib file ({exc.__class__.__name__}: {exc.strerror or exc}); check that it exists and can be read", "bib.unreadable", unreadable=True))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text, problem = _not_utf8(data, exc.start, shown)
            problems.append(problem)
        if text.startswith("\ufeff"):
            text = text[1:]
        bib = _File(path, shown, text.replace("\r\n", "\n"))
        bib.blocks, bib.comments, bib.strays = scan(bib.text)
        files.append(bib)
    line = 0
    for bib in files:
        bib.first_line = line
        line += bib.text.count("\n") + 1
    plans, chunk_keys, cycles, suspects = _plan(files)
    pool = ThreadPoolExecutor(max(1, min(len(plans) + len(suspects), os.cpu_count() or 1)))
    try:
        answers = [pool.submit(_run_pandoc, "\n".join(texts), cache_dir) for texts in plans]
        # Pandoc refuses '@type(' where the '{' should be: the first such block is read, and when Pandoc
        # refuses it there, every other one is refused at its own '(' without a run of its own (a Better
        # BibTeX test file has 594 of them: 60 s of Pandoc runs)
        first_paren = next((pool.submit(_run_pandoc, "\n".join(own), cache_dir) for _, block, own in suspects if block.paren), None)
        suspect_answers, seen_paren = [], False
        for index, block, own in suspects:
            if block.paren and first_paren is not None:
                suspect_answers.append(first_paren if not seen_paren else _ParenAnswer(first_paren, files, index, block, own, cache_dir))
                seen_paren = True
            else:
                suspect_answers.append(pool.submit(_run_pandoc, "\n".join(own), cache_dir))
        return _load(files, problems, plans, chunk_keys, cycles, answers, cache_dir, list(zip(suspects, suspect_answers)))
    finally:
        pool.shutdown(wait=True)


def _load(files, problems, plans, chunk_keys, cycles, answers, cache_dir, suspects=()) -> Bibliography:
    macros = dict(MONTH_MACROS)  # BibTeX: macros carry over from one file to the next
    entries_by_file = [_parse_file(bib, i, macros, cache_dir) for i, bib in enumerate(files)]
    for bib, file_entries in zip(files, entries_by_file):  # spans as Pandoc splits the file
        by_line = {block.line: block for block in bib.blocks}
        for entry in file_entries:
            block = by_line.get(entry.line - 1)
            if block is not None and not entry.unclosed:  # an unclosed one ends where bibtexparser stopped
                entry.span = (block.start, block.end)

    # keys: one entry per key, also across files; case-only differences are duplicates for BibTeX
    entries: dict[str, BibEntry] = {}
    folded: dict[str, BibEntry] = {}
    duplicates: list[BibEntry] = []
    for file_entries in entries_by_file:
        for entry in file_entries:
            previous = folded.get(entry.key.casefold())
            if previous is not None:
                same = previous.key == entry.key
                what = "duplicate key" if same else f"key differs only in case from '{previous.key}'"
                problems.append(Problem(entry.path, entry.line, 1, f"{what} '{entry.key}' (first defined at {previous.path}:{previous.line}); rename or merge one", "bib.duplicate_key"))
                duplicates.append(entry)
                continue
            folded[entry.key.casefold()] = entry
            entries[entry.key] = entry
    all_keys = set(entries)
    written = {e.key for file_entries in entries_by_file for e in file_entries}
    broken: dict[str, Problem] = {}
    for key, cycle in cycles.items():  # left out of what Pandoc reads (it would never finish)
        entry = entries.get(key)
        if entry is None:
            continue
        link = next((n for n, k in links(entry) if n != "xref" and k in cycle), "crossref")
        loop = cycle[:-1]
        loop = loop[loop.index(key):] + loop[:loop.index(key)] + [key]  # told from this entry
        problem = Problem(entry.path, entry.field_lines.get(link, entry.line), 1, f"'{key}' inherits from itself through {link} ({' -> '.join(loop)}); remove the {link} that closes the loop", "bib.crossref_cycle")
        problems.append(problem)
        broken[key] = problem

    # Pandoc's answers; entries it cannot read are reported, blanked, and the rest read again
    items: dict[str, dict] = {}
    removed: dict[tuple[int, int], Problem] = {}
    planned = set().union(*chunk_keys)
    for side, (texts, keys, answer) in enumerate(zip(plans, chunk_keys, answers)):
        # a chunk's entries, and those inside a block left open (not planned: the open block swallowed them)
        mine = [[e for e in file_entries if e.key in keys or e.key not in planned or len(plans) == 1] for file_entries in entries_by_file]
        chunk_items, chunk_removed, found = _recover(files, mine, texts, answer.result(), cache_dir)
        problems += found
        removed.update(chunk_removed)
        for item in chunk_items:
            if len(plans) == 1 or item.get("id") in keys or item.get("id") not in planned:
                items.setdefault(item.get("id"), item)
    for (index, block, own), answer in suspects:  # each on its own: reported at Pandoc's place, or read after all
        mine = [[e for e in file_entries if e.line - 1 == block.line] if i == index else [] for i, file_entries in enumerate(entries_by_file)]
        suspect_items, suspect_removed, found = _recover(files, mine, own, answer.result(), cache_dir, single=True)
        problems += found
        removed.update(suspect_removed)
        if not mine[index] and not found and not suspect_items:
            continue
        for item in suspect_items:
            items.setdefault(item.get("id"), item)
    if len(plans) > 1:
        _read_across_chunks(entries, chunk_keys, files, cycles, items, cache_dir)
    texts = [f.readable for f in files]
    later = {}  # key -> the first later entry of that key (reported as a duplicate)
    for entry in duplicates:
        later.setdefault(entry.key, entry)
    for bib in files:
        for stray in bib.strays:
            line, col = bib.text.count("\n", 0, stray.at) + 1, stray.at - (bib.text.rfind("\n", 0, stray.at) + 1) + 1
            what = f"unexpected {bib.text[stray.at]!r}" if stray.at < len(bib.text) else "unexpected end of input"
            word = bib.text[stray.start:stray.end]
            if word.lower() == "@comment":
                advice = "Pandoc reads a comment only in braces: write @comment{...}, or leave out the '@'"
            else:
                advice = f"Pandoc starts an entry at every '@' outside one, and '{word}' opens none: leave out the '@', or put this text in @comment{{...}}"
            problems.append(Problem(bib.shown, line, col, f"Pandoc, which formats the citations, cannot read this: {what}; {advice}", "bib.syntax"))
    for key, entry in list(entries.items()):
        if key in broken:
            del entries[key]
            texts[entry.file_index] = _blank(texts[entry.file_index], *entry.span)
            continue
        problem = removed.get((entry.file_index, entry.span[0]))
        entry.csl = items.get(key)
        if problem is None and entry.csl is None and entry.entry_type != "xdata":
            before = next((e for e in reversed(entries_by_file[entry.file_index]) if e.line < entry.line and e.unclosed), None)
            cause = f"entry '{before.key}' at line {before.line} is not closed and swallows it" if before else "a brace or quote left open before it swallows it, or it is no BibTeX entry"
            problem = Problem(entry.path, entry.line, 1, f"Pandoc, which formats the citations, did not read entry '{key}' ({cause}); fix that first", "bib.syntax")
            problems.append(problem)
        if problem is not None:
            texts[entry.file_index] = _blank(texts[entry.file_index], *entry.span)
            stand_in = later.get(key)
            if stand_in is not None and entry.raw.lstrip()[:1] == "@" and re.match(r"@\w+\s*\(", entry.raw.lstrip()) and items.get(key) is not None \
                    and (stand_in.file_index, stand_in.span[0]) not in removed:
                # the first entry of the key is written in parentheses, which Pandoc refuses: Pandoc reads the
                # next one (planned for it), so the key stays formattable; both problems are reported
                stand_in.csl = items[key]
                entries[key] = stand_in
                duplicates.remove(stand_in)
                continue
            broken[key] = problem
            del entries[key]
    for entry in duplicates:  # the build hands Pandoc the first entry of a key only
        texts[entry.file_index] = _blank(texts[entry.file_index], *entry.span)
    for (index, start), _ in removed.items():  # blanked regions outside known entries
        texts[index] = _blank(texts[index], start, _region(texts[index], texts[index].count("\n", 0, start))[1]) if texts[index][start:start + 1] == "@" else texts[index]
    # entries bibtexparser could not split but Pandoc read: valid input, located by their '@type{key'
    for key, item in items.items():
        if key in written or key is None:
            continue
        for bib in files:
            found = re.search(r"^[ \t]*@\s*(\w+)\s*[{(]\s*" + re.escape(key) + r"\s*,", bib.text, re.M)
            if found:
                line = bib.text.count("\n", 0, found.start()) + 1
                entries[key] = BibEntry(key=key, entry_type=found.group(1).lower(), fields={}, path=bib.shown, line=line, csl=item)
                break
    _inherit(entries)
    for entry in entries.values():
        for name, target in links(entry):
            if target not in all_keys:
                problems.append(Problem(entry.path, entry.field_lines.get(name, entry.line), 1, f"{name} of '{entry.key}' names '{target}', which no .bib entry has; {did_you_mean(target, all_keys)}fix the key or add the entry", "bib.missing_link"))
    return Bibliography(entries=entries, problems=problems, broken=broken,
                        csl_items=[entries[k].csl for k in entries if entries[k].csl is not None],
                        texts=texts)


def _read_across_chunks(entries, chunk_keys, files, cycles, items, cache_dir) -> None:
    """Entries that inherit from an entry read in the other chunk are read once more, with their
    ancestors, so Pandoc applies the inheritance as it does when it reads everything at once."""
    side = {k: i for i, keys in enumerate(chunk_keys) for k in keys}
    children = [e for e in entries.values() if any(side.get(t) != side.get(e.key) for n, t in links(e) if n != "xref" and t in entries)]
    if not children:
        return
    keep, todo = set(), [e.key for e in children]
    while todo:
        key = todo.pop()
        if key in keep or key not in entries or key in cycles:
            continue
        keep.add(key)
        todo += [t for n, t in links(entries[key]) if n != "xref"]
    texts = []
    for index, bib in enumerate(files):
        parts, pos = [], 0
        for entry in sorted((e for e in entries.values() if e.file_index == index and e.key not in keep), key=lambda e: e.span):
            parts += [bib.text[pos:entry.span[0]], _gap(bib.text[entry.span[0]:entry.span[1]])]
            pos = entry.span[1]
        texts.append("".join(parts) + bib.text[pos:])
    answer = _run_pandoc("\n".join(texts), cache_dir)
    if answer[0] is None:
        return
    wanted = {e.key for e in children}
    for item in answer[0]:
        if item.get("id") in wanted:
            items[item["id"]] = item


def load_bib_files(paths: list[tuple[Path, str]], cache_dir: Path | None = None) -> tuple[dict[str, BibEntry], list[Problem]]:
    """The formattable entries by key and every problem found in the files."""
    bibliography = load_bibliography(paths, cache_dir)
    return bibliography.entries, bibliography.problems
