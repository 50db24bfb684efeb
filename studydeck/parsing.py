"""Notes file -> papers + diagnostics, on markdown-it-py's token stream.

Only the block level of the whole file is parsed (tables, headings); the inline
parser runs on the title and figure cells alone, which is what keeps parsing a
10,000-row file close to markdown-it-py's own speed. Contribution and notes
cells keep their inline Markdown for the renderers.
"""

from __future__ import annotations

import codecs
import itertools
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from studydeck.fileio import ReadRefused, read_regular
from studydeck.frames import FIELDS
from studydeck.identity import duplicates, paper_key
from studydeck.models import Diagnostic, Figure, Paper
from studydeck.rendering import inline_md
from studydeck.safe import terminal, utf8_has_controls

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

#: Header text (case-folded) -> field. The title column is what makes a table a paper table.
HEADER_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        ["年份", "年", "时间", "year", "where", "year/where", "date", "年份/会议"], "year"
    ),
    **dict.fromkeys(["论文", "标题", "名称", "题目", "title", "paper", "name"], "title"),
    **dict.fromkeys(["关键词", "关键字", "标签", "keywords", "keyword", "tags"], "keywords"),
    **dict.fromkeys(
        ["核心贡献", "主要贡献", "贡献", "summary", "contribution", "contributions"],
        "contribution",
    ),
    **dict.fromkeys(["图", "图片", "配图", "figure", "figures", "image", "images"], "figures"),
    **dict.fromkeys(["笔记", "备注", "评论", "notes", "note", "comments", "remarks"], "notes"),
    **dict.fromkeys(["abbr.", "abbr", "简称", "short name", "alias"], "short_name"),
}

#: Keywords are split on these: semicolons, enumeration and full-width commas, commas, and
#: a dash with spaces around it ("去噪 - 超分"). ``/`` splits too, except inside KEEP_SLASHED.
KEYWORD_SEPARATORS = re.compile(r"[；;、,，]|\s+[-–—]\s+")
#: Slashed pairs that are one term, not two keywords ("TCP/IP", not "TCP" and "IP").
KEEP_SLASHED = ("TCP/IP", "I/O", "A/B", "R/W", "CI/CD", "UI/UX", "AR/VR", "P/D")
_KEPT_SLASH = re.compile(
    r"(?<![^\W_])(?:" + "|".join(re.escape(k) for k in KEEP_SLASHED) + r")(?![^\W_])",
    re.IGNORECASE,
)
_BR = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_MARKS = re.compile(r"[*_`]+")
#: One image with plain alt text and a plain http(s) or relative URL, nothing around it.
_SIMPLE_IMAGE = re.compile(
    r"!\[([^\[\]\\`*_<>&!\n\r\x00]*)\]\(((?:https?://)?[^\s()<>\\&:\"'`*_\[\]]*)\)"
)
#: A title cell that is one link with plain text and a plain http(s) URL, nothing around it:
#: the inline parser gives the text and the URL as typed (INLINE_MD keeps URLs as typed).
_SIMPLE_LINK = re.compile(r"\[([^\[\]\\`*_~<>&!\n\r\x00]*)\]\((https?://[^\s()<>\\&\"'`*_\[\]]*)\)")
#: Characters that start inline Markdown (INLINE_MD's rules) or that its normalizer and
#: line-break rule change; a cell without any reads as its own text.
_INLINE_MARKUP = re.compile(r"[\\`*_\[\]<>&!\n\r\x00]")

#: markdown-it's ``MD_TRIM_CHARS`` (what its table rule strips from rows and cells), here so
#: that splitting table rows does not import markdown-it (tests hold the two equal).
MD_TRIM_CHARS = (
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@cache
def block_md() -> MarkdownIt:
    """The block-level parser, made (and markdown-it imported) on first use: an edit that
    changed only table rows never needs it (see :func:`table_head`)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").disable("inline")


@dataclass
class FileResult:
    """What one notes file holds before keys are assigned across files."""

    path: str
    title: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    papers: list[tuple[Any, ...]] = field(default_factory=list)
    """The rows as paper rows (``PAPER_FIELDS``) keyed by their base keys, when asked for
    (:func:`assemble`): then :attr:`rows` is empty."""


def header_field(text: str) -> str | None:
    return HEADER_SYNONYMS.get(_MARKS.sub("", text).strip().casefold())


def _split_slashes(part: str) -> list[str]:
    kept = _KEPT_SLASH.sub(lambda m: m.group(0).replace("/", "\x00"), part)
    return [p.replace("\x00", "/") for p in kept.split("/")]


_INLINE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
"""An inline HTML tag (``<i>``, ``</i>``, ``<sup>``): a keyword is its text; a closing tag's
``/`` separates no keywords."""


def split_keywords(cell: str) -> tuple[str, ...]:
    out: list[str] = []
    cell = _BR.sub(";", cell)
    if "<" in cell:
        cell = _INLINE_TAG.sub("", cell)
    for chunk in KEYWORD_SEPARATORS.split(cell):
        for part in _split_slashes(chunk):
            kw = _MARKS.sub("", part).strip()
            if kw and kw not in out:
                # A deck repeats few keywords many times: one string each (the deck cache
                # keeps them shared), ~7 MB less at 50,000 papers.
                out.append(sys.intern(kw))
    return tuple(out)


def _cell_text(cell: str) -> str:
    return _BR.sub("\n", cell).strip()


def _title_and_link(cell: str) -> tuple[str, str | None]:
    """Plain title text and the first link in a title cell."""
    if not _INLINE_MARKUP.search(cell):  # most titles: text the inline parser keeps as is
        return " ".join(cell.split()), None
    simple = _SIMPLE_LINK.fullmatch(cell)
    if simple:  # the common linked title: what the inline parser makes of it
        return " ".join(simple.group(1).split()), simple.group(2)
    url: str | None = None
    parts: list[str] = []
    for tok in inline_md().parseInline(cell)[0].children or ():
        if tok.type == "link_open" and url is None:
            href = tok.attrGet("href")
            url = str(href) if href else None
        elif tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    title = " ".join("".join(parts).split())
    refused = _REFUSED_LINK.fullmatch(title) if url is None else None
    if refused:  # a link to a place no link may go (file:, javascript:): its text, no link
        return refused.group(1).strip(), None
    return title, url


_REFUSED_LINK = re.compile(r"\[([^\[\]]*[^\[\]\s][^\[\]]*)\]\([^\s]*\)")
"""A whole title cell written as a link that the inline parser left as text: its
destination is one it refuses (``file:``, ``javascript:``, ``vbscript:``, ``data:``)."""


def _markdown_figures(text: str) -> list[Figure]:
    if "![" not in text:
        return []
    simple = _SIMPLE_IMAGE.fullmatch(text)
    if simple:  # the common cell, one plain ``![alt](url)``: what the inline parser makes of it
        src = simple.group(2)
        return [Figure(src=src, alt=simple.group(1))] if src else []
    figs: list[Figure] = []
    for tok in inline_md().parseInline(text)[0].children or ():
        if tok.type == "image":
            src = str(tok.attrGet("src") or "").strip()
            if src:
                figs.append(Figure(src=src, alt=tok.content))
    return figs


#: An ``<img>`` tag longer than this is not read as a figure. Each tag is parsed on its own,
#: within this bound, so a cell of ten thousand unclosed ``<img`` costs linear time (the
#: stdlib parser rescans unclosed tags, which is quadratic on the whole cell).
MAX_IMG_TAG = 2048


class _ImgTag(HTMLParser):
    """The src and alt of the ``<img>`` tag a piece of text starts with (as GitHub reads it)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figure: Figure | None = None
        self.length = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "img" or self.length:
            return
        self.length = len(self.get_starttag_text() or "")
        values = dict(attrs)
        src = (values.get("src") or "").strip()
        if src:
            self.figure = Figure(src=src, alt=(values.get("alt") or "").strip())

    handle_startendtag = handle_starttag


def _img_tag(text: str) -> tuple[Figure | None, int]:
    parser = _ImgTag()
    parser.feed(text)
    return parser.figure, parser.length


def _figures(cell: str) -> tuple[Figure, ...]:
    """Markdown images and HTML ``<img>`` tags of a figure cell, in the order they appear."""
    lowered = cell.lower()
    at = lowered.find("<img")
    if at < 0:
        return tuple(_markdown_figures(cell))
    figs: list[Figure] = []
    pos = 0
    while at >= 0:
        following = lowered.find("<img", at + 4)
        stop = min(following if following >= 0 else len(cell), at + MAX_IMG_TAG)
        fig, length = _img_tag(cell[at:stop])
        if length:
            figs += _markdown_figures(cell[pos:at])
            if fig is not None:
                figs.append(fig)
            pos = at + length
        at = lowered.find("<img", max(at + 4, pos))
    figs += _markdown_figures(cell[pos:])
    return tuple(figs)


QUOTE_MOST = 80
"""The most characters of a title or path a message quotes: a probe's check of a cell of
7 MB wrote a "one line" warning of 7 MB."""


def quoted(text: str) -> str:
    """Text from the notes in a message: quoted, cut to :data:`QUOTE_MOST` characters."""
    if len(text) > QUOTE_MOST:
        text = text[: QUOTE_MOST - 1] + "…"
    return f"'{text}'"


def outside_folder(src: str) -> bool:
    """Whether an image path, as typed, names a file outside its notes file's folder."""
    if src.startswith(("http://", "https://", "data:")):
        return False
    if src.startswith(("/", "\\", "file:")) or re.match(r"^[A-Za-z]:[\\/]", src):
        return True
    depth = 0
    for part in PurePosixPath(src.replace("\\", "/")).parts:
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            return True
    return False


_QUOTE_MARKS = re.compile(r"[ \t]{0,3}(?:>[ \t]?)+")


def _raw_cells(line: str) -> list[str]:
    # A table inside a blockquote: its rows start with "> " (one per level), not a cell.
    s = (
        _QUOTE_MARKS.sub("", line, count=1).strip()
        if line.lstrip().startswith(">")
        else line.strip()
    )
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return _UNESCAPED_PIPE.split(s)


def _likely_stray_pipe(cells: list[str]) -> str:
    """Where an unescaped ``|`` probably is: a column pipe has spaces around it, a typed one
    (``A|B``) usually does not. Falls back to the text of the first extra cell."""
    for left, right in itertools.pairwise(cells):
        if left and right and not left[-1].isspace() and not right[0].isspace():
            return f"'{left.strip()[-12:]}|{right.strip()[:12]}'"
    return f"the | before '{cells[-1].strip()[:24]}'" if cells else "a |"


#: Notes files above this are refused before they are read: reading a deck costs about 50
#: bytes of memory per byte of notes (bench/bench_big.py: 8 MB -> ~410 MB, 10 s). 8 MB is
#: ~26,000 papers; the bundled deck is 10 KB. A bigger collection is split into files.
MAX_NOTES_BYTES = 8 * 2**20


def read_text(path: Path) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or the one diagnostic that says why it cannot be read. Escape
    sequences and control characters never enter the deck (every screen, listing and export
    shows cells as plain text; the output paths strip them too): the text comes back
    without them."""
    p = str(path)
    try:
        data = read_regular(path, MAX_NOTES_BYTES)
    except OSError as exc:
        return None, Diagnostic(
            path=p, line=1, severity="error", message=f"cannot read file: {exc.strerror}"
        )
    except ReadRefused as exc:
        return None, Diagnostic(
            path=p,
            line=1,
            severity="error",
            message=f"cannot read file: {exc} (split the notes into several files)",
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, Diagnostic(
            path=p, line=1, severity="error", message="UTF-16 file: save it as UTF-8"
        )
    if b"\x00" in data[:8192]:
        return None, Diagnostic(
            path=p,
            line=1,
            severity="error",
            message="binary file, not a Markdown notes file (pass a .md file)",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Diagnostic(
            path=p,
            line=line,
            severity="error",
            message=f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
        )
    return (terminal(text) if utf8_has_controls(data) else text), None


#: What one stretch of a notes file holds, in order, with line numbers relative to its first
#: line: ``("h", tag, text)`` for a heading; ``("t", header, rows, diagnostics)`` for a
#: table (``header``: its header's line if it is a paper table, else 0), diagnostics as
#: (line, severity, message), each row a tuple: a paper row
#: (``PAPER_FIELDS``) up to its figures, its base key in the key's place, then its line -- no
#: section, source or order (figures as (src, alt) pairs: events are plain data, kept as they
#: are in the block cache). A stretch parsed alone gives what it gives inside the whole file
#: (:mod:`studydeck.incremental` splits only where that holds), so :func:`assemble` can
#: join stretches cached from earlier parses with fresh ones.
Event = tuple[Any, ...]


def scan(text: str, path: str) -> list[Event]:
    """The headings and paper tables of ``text`` (markdown-it runs at block level only)."""
    lines = text.splitlines()
    tokens = block_md().parse(text)
    events: list[Event] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.type == "heading_open":
            events.append(("h", tok.tag, _MARKS.sub("", tokens[i + 1].content).strip()))
            i += 3
            continue
        if tok.type == "table_open":
            rows: list[tuple[Any, ...]] = []
            found: list[Diagnostic] = []
            i, held = _read_table(tokens, i, lines, path, rows, found)
            diags = [(d.line, d.severity, d.message) for d in found]
            events.append(("t", held, rows, diags))
            continue
        i += 1
    return events


def assemble(
    path: str,
    pieces: Iterable[tuple[int, Sequence[Event]]],
    texts: list[Any] | None = None,
    *,
    as_papers: bool = False,
) -> FileResult:
    """A file's result from its stretches' events, each with the line offset of its start.
    ``texts`` receives each row's card texts kept with its event (None when not kept), in
    the order of the rows. ``as_papers``: the rows as :attr:`FileResult.papers`, not dicts."""
    result = FileResult(path=path)
    diag = result.diagnostics
    rows: list[Any] = result.papers if as_papers else result.rows
    section = ""
    tables = 0
    first_table = 1
    for offset, events in pieces:
        for ev in events:
            if ev[0] == "h":
                if ev[1] == "h1" and not result.title:
                    result.title = ev[2]
                section = ev[2]
                continue
            if ev[1] and not tables:  # (a paper table's header line; 0: no paper table)
                first_table = ev[1] + offset
            tables += bool(ev[1])
            if texts is not None:
                texts.extend(ev[4] if len(ev) > 4 else [None] * len(ev[2]))
            for line, severity, message in ev[3]:
                diag.append(
                    Diagnostic(path=path, line=line + offset, severity=severity, message=message)
                )
            if as_papers:
                for r in ev[2]:
                    rows.append((*r[:10], section, path, r[10] + offset, len(rows)))
                continue
            for r in ev[2]:
                figures = r[9]
                rows.append(
                    {
                        **dict(zip(_EVENT_FIELDS, r[1:9], strict=True)),
                        "figures": tuple(Figure(src=s, alt=a) for s, a in figures)
                        if figures
                        else (),
                        "section": section,
                        "source": path,
                        "line": r[10] + offset,
                        "order": len(rows),
                        "base_key": r[0],
                    }
                )
    if not tables:
        diag.append(
            Diagnostic(
                path=path,
                line=1,
                severity="error",
                message="no paper table found (a Markdown table with a 论文/标题/Title column)",
            )
        )
    elif not rows and not diag:  # (rows that could not be read are said already)
        diag.append(
            Diagnostic(
                path=path,
                line=first_table,
                severity="warning",
                message=NO_ROWS,
            )
        )
    return result


NO_ROWS = "the paper table has no rows yet: add a row per paper under its header"


def parse_text(text: str, path: str) -> FileResult:
    """Read every paper table in ``text``; rows are plain dicts until keys are known."""
    if not text.strip():
        result = FileResult(path=path)
        result.diagnostics.append(
            Diagnostic(
                path=path, line=1, severity="error", message="empty file: no paper table found"
            )
        )
        return result
    return assemble(path, [(0, scan(text, path))])


def _read_table(
    tokens: Sequence[Token],
    i: int,
    lines: list[str],
    path: str,
    out: list[tuple[Any, ...]],
    diag: list[Diagnostic],
) -> tuple[int, int]:
    """Read the table starting at ``tokens[i]``; return the index after it and, if it held
    papers, its header's line (1-based), else 0."""
    j, fields, rows = _table_cells(tokens, i)
    where = tokens[i].map
    header = (where[0] if where else 0) + 1
    return j + 1, header * _read_rows(fields, rows, lines, path, out, diag)


def _table_cells(
    tokens: Sequence[Token], i: int
) -> tuple[int, list[str | None], list[tuple[int, list[str]]]]:
    """The header fields and the body rows (line, cells) of the table at ``tokens[i]``, and
    the index of its ``table_close``."""
    fields: list[str | None] = []
    rows: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    in_head = False
    j = i + 1
    while tokens[j].type != "table_close":
        t = tokens[j]
        ty = t.type
        if ty == "inline":
            if in_head:
                fields.append(header_field(t.content))
            elif current is not None:
                current.append(t.content)
        elif ty == "tr_open":
            if not in_head:
                current = []
                rows.append(((t.map[0] if t.map else 0), current))
        elif ty == "thead_open":
            in_head = True
        elif ty == "thead_close":
            in_head = False
        j += 1
    return j, fields, rows


def row_cells(line: str, width: int) -> list[str]:
    """The cells markdown-it gives a table body row (``line`` starts with ``|`` at most three
    spaces in): its ``escapedSplit`` (``\\|`` is a literal pipe), outer empty cells dropped,
    each cell trimmed, padded or cut to the header's ``width``."""
    cols = [c.replace("\\|", "|") for c in _UNESCAPED_PIPE.split(line.strip(MD_TRIM_CHARS))]
    if cols and cols[0] == "":
        cols.pop(0)
    if cols and cols[-1] == "":
        cols.pop()
    cells = [c.strip(MD_TRIM_CHARS) for c in cols[:width]]
    if len(cells) < width:
        cells += [""] * (width - len(cells))
    return cells


def table_head(head: str) -> list[str | None] | None:
    """The header fields of a table whose header and delimiter lines are ``head`` (the two
    joined by ``\\n``), or None when markdown-it does not read them as a table."""
    tokens = block_md().parse(head)
    if not tokens or tokens[0].type != "table_open":
        return None
    return _table_cells(tokens, 0)[1]


def scan_table(lines: list[str], path: str, fields: list[str | None] | None = None) -> list[Event]:
    """:func:`scan` of a stretch that is one table and nothing else: a header line, its
    delimiter line, then rows that each start with ``|`` at most three spaces in, then only
    blank lines (:mod:`studydeck.incremental` checks that before it calls this). markdown-it
    reads the two head lines (unless their ``fields`` are given: :func:`table_head`); the rows
    are split as its table rule splits them, which is most of the time a full parse spends
    (tests hold the two to the same events)."""
    if fields is None:
        fields = table_head(lines[0] + "\n" + lines[1])
        assert fields is not None, "scan_table: not a table"
    width = len(fields)
    rows: list[tuple[int, list[str]]] = []
    for k in range(2, len(lines)):
        line = lines[k]
        if not line.strip(MD_TRIM_CHARS):
            break
        rows.append((k, row_cells(line, width)))
    out: list[tuple[Any, ...]] = []
    found: list[Diagnostic] = []
    held = _read_rows(fields, rows, lines, path, out, found)
    diags = [(d.line, d.severity, d.message) for d in found]
    return [("t", held, out, diags)]


def _read_rows(
    fields: list[str | None],
    rows: list[tuple[int, list[str]]],
    lines: list[str],
    path: str,
    out: list[tuple[Any, ...]],
    diag: list[Diagnostic],
) -> int:
    """Rows of a table with these header ``fields`` into ``out`` (see :data:`Event`), their
    diagnostics into ``diag``; 1 if it held papers."""
    if "title" not in fields:
        return 0
    width = len(fields)
    has_year = "year" in fields
    for line0, cells in rows:
        lineno = line0 + 1
        # GitHub's rule: missing cells are empty (markdown-it pads them), extra cells are
        # dropped (markdown-it drops them) -- worth a warning, as a | typed in a cell does it.
        # (A row with fewer pipes than the header has columns cannot have extra cells.)
        text = lines[line0] if line0 < len(lines) else ""
        raw = _raw_cells(text) if text.count("|") >= width else []
        if len(raw) > width:
            diag.append(
                Diagnostic(
                    path=path,
                    line=lineno,
                    severity="warning",
                    message=f"row has {len(raw)} cells but the header has {width}: kept the "
                    f"first {width}; likely an unescaped | at {_likely_stray_pipe(raw)}, "
                    "write it as \\|",
                )
            )
        row: dict[str, str] = {}
        for f, c in zip(fields, cells, strict=False):
            if f is not None and f not in row:
                row[f] = c
        if not any(c.strip() for c in cells):
            continue
        title, url = _title_and_link(row.get("title", ""))
        short_name = _MARKS.sub("", row.get("short_name", "")).strip()
        if not title:
            title = short_name or url or ""
        if not title:
            diag.append(
                Diagnostic(
                    path=path,
                    line=lineno,
                    severity="error",
                    message="row has no paper title; fill in the title (or Abbr.) cell",
                )
            )
            continue
        year_cell = _MARKS.sub("", row.get("year", "")).strip()
        m = _YEAR.search(year_cell)
        year = int(m.group(1)) if m else None
        if year is None and has_year:
            diag.append(
                Diagnostic(
                    path=path,
                    line=lineno,
                    severity="warning",
                    message=f"no year for {quoted(title)}",
                )
            )
        figures = _figures(row.get("figures", ""))
        for fig in figures:
            if outside_folder(fig.src):
                diag.append(
                    Diagnostic(
                        path=path,
                        line=lineno,
                        severity="warning",
                        message=f"image path {quoted(fig.src)} is outside the notes file's folder "
                        "and will not be shown",
                    )
                )
        contribution = _cell_text(row.get("contribution", ""))
        notes = _cell_text(row.get("notes", ""))
        if not contribution and not notes:
            diag.append(
                Diagnostic(
                    path=path,
                    line=lineno,
                    severity="warning",
                    message=f"{quoted(title)} has no contribution or notes: no cards",
                )
            )
        out.append(
            (
                paper_key(title, url),
                title,
                url,
                year,
                year_cell if year_cell and year_cell != str(year) else "",
                short_name,
                split_keywords(row.get("keywords", "")),
                contribution,
                notes,
                tuple((f.src, f.alt) for f in figures),
                lineno,
            )
        )
    return 1


def _keys(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[Diagnostic]]:
    """Every row's stable key (see :func:`keys_of`)."""

    def detail(i: int) -> tuple[str, str, str, str, int]:
        r = rows[i]
        return r["title"], r["url"], r["section"], r["source"], r["line"]

    # base_key: made with the row, so a cached row has it
    return keys_of([r["base_key"] for r in rows], detail)


def keys_of(
    base: Sequence[str], detail: Callable[[int], tuple[str, str, str, str, int]]
) -> tuple[list[str], list[Diagnostic]]:
    """Every row's stable key, from the rows' base keys in deck order; a title repeated in
    several sections is told apart by section, a paper repeated in one section by ``#n``
    (with a warning). ``detail(i)`` gives row ``i``'s (title, url, section, source, line),
    asked only for rows whose base key is repeated: an edited deck keeps the base keys of
    the files it did not read again, not their rows' cells."""
    repeated = duplicates(base)
    if not repeated:  # (most decks: every key its base key, no warning)
        return list(base), []
    keys: list[str] = []
    diags: list[Diagnostic] = []
    first_at: dict[str, int] = {}
    for i, k in enumerate(base):
        if k in repeated:
            title, url, section, _, _ = detail(i)
            k = paper_key(title, url, section, by_section=True)
        if k in first_at:
            title, _, _, source, line = detail(i)
            _, _, _, first_source, first_line = detail(first_at[k])
            diags.append(
                Diagnostic(
                    path=source,
                    line=line,
                    severity="warning",
                    message=f"duplicate paper {quoted(title)} (first at {first_source}:{first_line}); "
                    "its cards are kept apart but share nothing",
                )
            )
            n = 2
            while f"{k}#{n}" in first_at:
                n += 1
            k = f"{k}#{n}"
        first_at[k] = i
        keys.append(k)
    return keys, diags


def assign_keys(results: Sequence[FileResult]) -> tuple[list[Paper], list[Diagnostic]]:
    """Give every row its stable key (see :func:`_keys`)."""
    rows = [r for res in results for r in res.rows]
    keys, diags = _keys(rows)
    papers = [
        Paper(
            key=k,
            title=r["title"],
            url=r["url"],
            year=r["year"],
            venue=r["venue"],
            short_name=r["short_name"],
            keywords=r["keywords"],
            contribution=r["contribution"],
            notes=r["notes"],
            figures=r["figures"],
            section=r["section"],
            source=r["source"],
            line=r["line"],
            order=r["order"],
        )
        for r, k in zip(rows, keys, strict=True)
    ]
    return papers, diags


#: A paper as a row of the deck cache (:mod:`studydeck.frames` owns the order): its fields
#: in this order, the figures as (src, alt) pairs.
PAPER_FIELDS = FIELDS
#: The fields an event's row holds as they are, after its base key (then figures, line).
_EVENT_FIELDS = PAPER_FIELDS[1:9]
_ROW_ORDER = (
    "key", "title", "url", "year", "venue", "short_name", "keywords", "contribution",
    "notes", "figures", "section", "source", "line", "order",
)  # fmt: skip
if PAPER_FIELDS != _ROW_ORDER:  # (a field added to Paper must be added to _read_rows too)
    raise ImportError("parsing's paper rows (assemble, _read_rows) do not make Paper's fields")
