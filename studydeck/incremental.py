"""Re-parse only what changed: a notes file is cut into stretches that markdown-it reads the
same alone as inside the whole file, and each stretch's events (:func:`parsing.scan`) are
kept under a hash of its text. After an edit, markdown-it runs on the changed stretches only.

Where a file may be cut (cheap line scanning, no markdown-it):

* before a line that starts at column 0 after a blank line, outside a fenced code block at
  the top level -- a blank line followed by an unindented line closes every container
  (list item, quote, indented code), so nothing before it shapes what follows;
* inside a long table, between rows: once a table has started, a line starting with ``|``
  (at most three spaces in) is always one more row, so rows can be read in chunks, each
  behind a copy of the header and delimiter lines. Not when markdown-it's cap on padded
  cells (65,536 per table) could be reached, as it counts over the whole table. A chunk ends
  after a row chosen by its own text (a checksum), not by its position, so inserting or
  deleting a row changes only its own chunk, and every later chunk is still in the cache.

A file whose text is exactly the cached one is cut again (no hash of the whole text is kept:
cutting and hashing its stretches costs what that hash would, and an edited file, the one
that is read, would pay for both); every stretch then comes from the cache.

Anything unusual (line separators other than ``\\n``, which ``str.splitlines`` and
markdown-it count differently) falls back to one stretch: the full parse.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from studydeck import digests
from studydeck.carding import card_rows, row_card_texts
from studydeck.parsing import (
    PAPER_FIELDS,
    Event,
    FileResult,
    assemble,
    parse_text,
    scan,
    scan_table,
    table_head,
)

#: Table rows per chunk, on average: small enough that an edit re-reads little, large enough
#: that the per-chunk overhead (one markdown-it state) stays negligible. A row ends a chunk
#: when its checksum is a multiple of this; a chunk holds at most ``_MAX_CHUNK`` times it.
CHUNK_ROWS = 100
_MAX_CHUNK = 4
_MAX_PADDED = 0x10000  # markdown-it's MAX_AUTOCOMPLETED_CELLS
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_DELIM = re.compile(r" {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_ROW = re.compile(r" {0,3}\|")
_CONTAINER = re.compile(r"\s*(?:[-+*]|\d{1,9}[.)])(?:\s|$)|\s*>")
_HEADING = re.compile(r"#{1,6}(\s|$)")
#: Characters str.splitlines() breaks on besides \n (markdown-it only knows \n and \r), and NUL
#: (markdown-it reads it as U+FFFD, which the row splitter of ``scan_table`` does not). Looked
#: for one by one (``in``: a few ms over a 10,000-paper file, a regex search four times that).
_ODD_BREAKS = "\x00\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_KEY = PAPER_FIELDS.index("key")
_CONTRIBUTION = PAPER_FIELDS.index("contribution")
_NOTES = PAPER_FIELDS.index("notes")
#: (an event's rows hold a paper row's first fields in their places: ``parsing.Event``)
_EV_CONTRIBUTION, _EV_NOTES = _CONTRIBUTION, _NOTES
_TAG = f"studydeck-blocks/9/{sys.version_info[:2]}"  # 9: rows' memos; stretches by SHA-256
#: (what a stretch's events mean: segments.py fingerprints frames by their stretches)
TAG = _TAG


#: :func:`parsing.table_head` by its argument, and what gives it.
Heads = dict[str, list[str | None] | None]
Head = Callable[[str], list[str | None] | None]


@dataclass
class BlockCache:
    """Events of stretches already parsed, by the hash of their text."""

    blocks: dict[bytes, list[Event]] = field(default_factory=dict)
    parsed: int = 0
    """Stretches markdown-it had to read in the last parse (the rest came from the cache)."""
    changed: bool = True
    """Whether the last parse changed what the cache holds (else its stored bytes still do)."""
    order: list[tuple[int, bytes]] = field(default_factory=list)
    """The stretches of the text last parsed, (offset, hash) in order."""
    heads: Heads = field(default_factory=dict)
    """:func:`parsing.table_head` of the tables' head lines in the text last parsed: cutting
    the text again asks markdown-it (and imports it) only about a head it has not seen."""

    def to_bytes(self) -> bytes:
        return marshal.dumps((_TAG, self.blocks, self.order, self.heads))

    @classmethod
    def from_bytes(cls, blob: bytes | None) -> BlockCache:
        try:
            tag, blocks, order, heads = marshal.loads(blob) if blob else (None, None, [], {})
        except (ValueError, EOFError, TypeError):
            return cls()
        if tag != _TAG or not isinstance(blocks, dict) or not isinstance(heads, dict):
            return cls()
        return cls(blocks, changed=False, order=order, heads=heads)


#: A stretch: its offset in the file, its lines, when it is one table alone (header,
#: delimiter, rows starting with ``|``), which :func:`parsing.scan_table` reads, its header
#: fields (else None); and its text's UTF-8 bytes.
Stretch = tuple[int, list[str], list[str | None] | None, bytes]


def stretches(lines: list[str], blines: list[bytes], head: Head = table_head) -> Iterator[Stretch]:
    """Each stretch of the file; a chunk of table rows comes with the header and delimiter
    lines before it, its offset two lines up so line numbers still match. ``blines``: each
    line's UTF-8 bytes (the text's bytes split at ``\\n``: encoded once, not line by line);
    ``head``: what gives a table's header fields from its two head lines
    (:func:`parsing.table_head`)."""
    start = 0
    fence: str | None = None
    blank = False
    # A fence-like line indented 1-3 spaces may belong to a list item (then it closes with
    # the item, not at its closing line): after one, the rest of the file is one stretch.
    container = False
    frozen = False
    for i, ln in enumerate(lines):
        if fence is not None:
            m = _FENCE.match(ln)
            closes = m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
            if closes and m and not ln[m.end() :].strip(" \t"):
                fence = None
            continue
        if ln[:1] == "|" and not blank:
            continue  # (most lines: a table row, which opens no container and no fence)
        if not ln.strip(" \t"):
            blank = True
            continue
        if blank and not ln[0].isspace() and i > start and not frozen:
            yield from _table_chunks(start, lines[start:i], blines[start:i], head)
            start = i
            container = False
        blank = False
        container = container or bool(_CONTAINER.match(ln))
        m = _FENCE.match(ln)
        if m:
            fence = m.group(1)
            frozen = frozen or (container and ln[0] == " ")
    yield from _table_chunks(start, lines[start:], blines[start:], head)


def _table_chunks(
    offset: int, block: list[str], data: list[bytes], head_of: Head
) -> Iterator[Stretch]:
    body = len(block)
    while body and not block[body - 1].strip(" \t"):
        body -= 1
    if block and _HEADING.match(block[0]) and body > 1:
        # An ATX heading is a block of one line: alone, it reads as it does here.
        yield offset, block[:1], None, data[0]
        offset, block, data, body = offset + 1, block[1:], data[1:], body - 1
    rows = block[2:body]
    if (
        body < 2
        or not _DELIM.match(block[1])
        or "|" not in block[0]
        or len(rows) * (block[1].count("|") + 1) > _MAX_PADDED
        or not all(r[:1] == "|" or _ROW.match(r) for r in rows)
    ):
        yield offset, block, None, b"\n".join(data)
        return
    fields = head_of(block[0] + "\n" + block[1])
    if fields is None:
        yield offset, block, None, b"\n".join(data)
        return
    start, longest = 2, CHUNK_ROWS * _MAX_CHUNK
    for k in range(2, body - 1):  # the last row's chunk runs to the end of the block
        if zlib.crc32(data[k]) % CHUNK_ROWS == 0 or k + 1 - start >= longest:
            yield _chunk(offset, block, data, start, k + 1, fields)
            start = k + 1
    yield _chunk(offset, block, data, start, len(block), fields)


def _chunk(
    offset: int,
    block: list[str],
    data: list[bytes],
    start: int,
    end: int,
    fields: list[str | None],
) -> Stretch:
    if start == 2:
        return offset, block[:end], fields, b"\n".join(data[:end])
    at = offset + start - 2
    return at, block[:2] + block[start:end], fields, b"\n".join(data[:2] + data[start:end])


#: What a row of a stretch remembers of the deck it was last settled in (see
#: :class:`FileCaches`): its key, section and source, then its signature and card-id prefix,
#: which those three and the row's own cells make.
Memo = tuple[str, str, str, bytes, str]
#: Where a stretch's memos are: its hash, its events, the memo list of one of its tables,
#: the index of that table's first row among the file's rows, the stretch's offset (its
#: first line) in the file, and the table's index among its events.
Span = tuple[bytes, list[Event], list[Memo | None], int, int, int]
#: Where a file's rows come from, table by table (see :meth:`FileCaches.parse`): the index
#: of the table's first row among the file's rows, the hash of its stretch's text, the
#: stretch's offset, the table's index among the stretch's events, and its count of rows.
Origin = tuple[int, bytes, int, int, int]


def parse_incremental(
    text: str,
    path: str,
    cache: BlockCache,
    *,
    card: bool = True,
    texts: list[Any] | None = None,
    as_papers: bool = False,
    memos: list[Memo | None] | None = None,
    spans: list[Span] | None = None,
) -> FileResult:
    """The same result as ``parsing.parse_text(text, path)``, reading through ``cache``;
    afterwards the cache holds exactly this text's stretches (with their rows' card texts,
    unless ``card`` is false: a parse that keeps no cache cards the papers afterwards).
    ``texts`` receives each row's card texts, or None for a row read without them;
    ``as_papers``: the rows as paper rows (see ``parsing.assemble``); ``memos`` each row's
    :data:`Memo` kept with its stretch (or None), ``spans`` where they are kept."""
    if not text.strip() or any(c in text for c in _ODD_BREAKS):
        cache.blocks, cache.parsed, cache.order, cache.heads = {}, 1, [], {}
        if not text.strip():
            result = parse_text(text, path)
        else:
            result = assemble(path, [(0, scan(text, path))], as_papers=as_papers)
        n = len(result.rows) + len(result.papers)
        if texts is not None:
            texts.extend([None] * n)
        if memos is not None:
            memos.extend([None] * n)
        return result
    old, new = cache.blocks, dict[bytes, list[Event]]()
    pieces: list[tuple[int, list[Event]]] = []
    order: list[tuple[int, bytes]] = []
    parsed = 0
    fresh: list[bytes] = []
    known, heads = cache.heads, Heads()

    def head(two: str) -> list[str | None] | None:
        fields = heads[two] = known[two] if two in known else table_head(two)
        return fields

    for offset, lines, fields, data in stretches(
        text.split("\n"), text.encode().split(b"\n"), head
    ):
        # (SHA-256 is OpenSSL's, with the CPU's SHA instructions: 3 MB of stretches in
        # ~2 ms, BLAKE2b's builtin in ~6 ms; 16 bytes of it name a stretch)
        h = digests.sha256(data).digest()[:16]
        events = new.get(h) or old.get(h)
        if events is None:
            if fields is None:
                events = scan("\n".join(lines), path)
            else:
                events = scan_table(lines, path, fields)
            if card:
                fresh.append(h)
            parsed += 1
        new[h] = events
        order.append((offset, h))
    if fresh:
        # Carded once all stretches are known: a row of a stretch read again was, unless
        # the edit made it, in a stretch the edit ended.
        carded = _card_texts({k: v for k, v in old.items() if k not in new})
        for h in fresh:
            new[h] = _carded(new[h], carded)
    for offset, h in order:
        events = new[h]
        pieces.append((offset, events))
        if memos is not None:
            # (row for row as ``assemble`` gives them: a table event's rows, in order)
            for x, ev in enumerate(events):
                if ev[0] != "t":
                    continue
                if len(ev) > 5:
                    if spans is not None:
                        spans.append((h, events, ev[5], len(memos), offset, x))
                    memos.extend(ev[5])
                else:
                    memos.extend([None] * len(ev[2]))
    cache.changed = (
        parsed > 0 or new.keys() != old.keys() or order != cache.order or heads != cache.heads
    )
    cache.blocks, cache.parsed, cache.order = new, parsed, order
    cache.heads = heads
    return assemble(path, pieces, texts, as_papers=as_papers)


def _card_texts(blocks: dict[bytes, list[Event]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The card texts of every carded row in ``blocks``, by (contribution, notes)."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for events in blocks.values():
        for ev in events:
            if ev[0] == "t" and len(ev) > 4:
                for r, t in zip(ev[2], ev[4], strict=True):
                    out[r[_EV_CONTRIBUTION], r[_EV_NOTES]] = t
    return out


def _carded(
    events: list[Event], known: dict[tuple[str, str], list[tuple[str, str]]]
) -> list[Event]:
    """Each table event with its rows' cards (kind value, back) as a fifth element, and as a
    sixth a :data:`Memo` per row (None: not settled yet): carding reads only the row's
    cells, so a row already carded (``known``: in the stretch an edit changed, most rows
    did not) is never carded again."""
    out: list[Event] = []
    for ev in events:
        if ev[0] != "t":
            out.append(ev)
            continue
        texts = []
        for r in ev[2]:
            cells = r[_EV_CONTRIBUTION], r[_EV_NOTES]
            t = known.get(cells)
            if t is None:
                t = [(k.value, b) for k, b in row_card_texts(*cells)]
                known[cells] = t
            texts.append(t)
        out.append((*ev, texts, [None] * len(texts)))
    return out


def parse_fresh(text: str, path: str) -> FileResult:
    """A whole parse, stretch by stretch (no cache): what every command reads a file with.
    The same result as ``parsing.parse_text``, which reads the file in one piece."""
    return parse_incremental(text, path, BlockCache(), card=False)


class BlockStore(Protocol):
    def cached_decks_under(self, name: str) -> dict[str, bytes]: ...
    def save_deck_caches(
        self, fingerprint: str, rows: Sequence[tuple[str, bytes]], drop: Sequence[str]
    ) -> None: ...
    def deck_cache_names(self, prefix: str) -> list[str]: ...
    def drop_deck_caches(self, names: Sequence[str]) -> None: ...


#: Block caches are rows of the deck cache named by this and the file's resolved path: a
#: stretch's events depend on its text and its file alone, so every deck reading a file
#: (a folder, the file alone, the folder with one more file) shares its cache.
_PREFIX = "file-blocks "
#: Between a file's row name and a stretch's hash (no path holds it).
_SEP = "\x00"


class FileCaches:
    """A :class:`BlockCache` per notes file, beside the deck cache: a row naming the
    file's stretches in order, and one row per stretch, so an edit writes the stretches
    it made and drops those it ended, never the whole file's cache again."""

    def __init__(self, store: BlockStore) -> None:
        self.store = store
        self.stored: dict[str, set[bytes]] = {}
        """Per file read and not yet saved, the stretches its rows hold (as read)."""
        self.stale: dict[str, set[bytes]] = {}
        """Per file, stretch rows of another version (rewritten or dropped on save)."""
        self.spans: dict[str, list[Span]] = {}
        """Per file parsed, where its rows' memos are (for :meth:`remember`)."""

    def parse(
        self, text: str, path: str
    ) -> tuple[FileResult, list[Any], list[Memo | None], list[Origin] | None]:
        """The file's result, its rows as paper rows (``FileResult.papers``), each row's
        card texts (or None), each row's :data:`Memo` (or None), and where its rows come
        from (:data:`Origin` of each table, in order; None unless every row came from a
        stretch read through the cache). Read through its block cache, which is written at
        once (the stretches it made, its order; those it ended dropped) and then freed but
        for its events (until :meth:`remember`): at 50,000 papers in five files, holding
        every file's stretches until the end was ~100 MiB of a peak that the TUI's memory
        bound counts."""
        cache = self._read(path)
        texts: list[Any] = []
        memos: list[Memo | None] = []
        spans: list[Span] = []
        result = parse_incremental(
            text, path, cache, texts=texts, as_papers=True, memos=memos, spans=spans
        )
        self._save(path, cache)
        self.spans[path] = spans
        origins: list[Origin] | None = [(a, h, o, x, len(m)) for h, _, m, a, o, x in spans]
        if sum(len(m) for _, _, m, _, _, _ in spans) != len(result.papers):
            origins = None  # (the whole file read at once: its stretches are not known)
        return result, texts, memos, origins

    def remember(self, path: str, memos: Sequence[tuple[int, Memo]]) -> None:
        """Keep these memos (row index in the file, memo) with the stretches of the rows
        of ``path`` as last parsed, rewriting the stretches whose memos changed: the next
        parse that reads them unchanged settles their rows without signing them again."""
        spans = self.spans.pop(path, [])
        starts = [s[3] for s in spans]
        dirty: dict[bytes, list[Event]] = {}
        for i, memo in memos:
            k = bisect_right(starts, i) - 1
            if k < 0:
                continue
            h, events, held, start, _, _ = spans[k]
            if i - start < len(held) and held[i - start] != memo:
                held[i - start] = memo
                dirty[h] = events
        if dirty:
            name = _row(path)
            rows = [(name + _SEP + h.hex(), marshal.dumps(ev)) for h, ev in dirty.items()]
            self.store.save_deck_caches(_TAG, rows, [])

    def _read(self, path: str) -> BlockCache:
        name = _row(path)
        rows = self.store.cached_decks_under(name)
        head = rows.pop(name, None)
        blocks: dict[bytes, list[Event]] = {}
        for n, data in rows.items():
            try:
                blocks[bytes.fromhex(n[len(name) + 1 :])] = marshal.loads(data)
            except (ValueError, EOFError, TypeError):  # damaged: read that stretch again
                continue
        try:
            tag, order, heads = marshal.loads(head) if head else (None, [], {})
        except (ValueError, EOFError, TypeError):
            tag = None
        if tag != _TAG or not isinstance(heads, dict):
            # another version's rows (or none): none is trusted, all dropped
            self.stored[path] = set()
            self.stale[path] = {bytes.fromhex(n[len(name) + 1 :]) for n in rows}
            return BlockCache()
        self.stored[path] = set(blocks)
        return BlockCache(blocks, changed=False, order=order, heads=heads)

    def _save(self, path: str, cache: BlockCache) -> None:
        if not cache.changed:
            return
        name, stored = _row(path), self.stored.pop(path, set())
        rows = [(name, marshal.dumps((_TAG, cache.order, cache.heads)))]
        rows += [
            (name + _SEP + h.hex(), marshal.dumps(ev))
            for h, ev in cache.blocks.items()
            if h not in stored
        ]
        ended = stored | self.stale.pop(path, set())
        drop = [name + _SEP + h.hex() for h in ended if h not in cache.blocks]
        self.store.save_deck_caches(_TAG, rows, drop)

    def save(self) -> None:
        """Drop the block rows of files that are gone (each file's own are written as it is
        parsed)."""
        names = self.store.deck_cache_names(_PREFIX)
        gone = [n for n in names if not os.path.exists(n[len(_PREFIX) :].split(_SEP, 1)[0])]
        self.store.drop_deck_caches(gone)


def _row(path: str) -> str:
    return _PREFIX + os.path.realpath(path)


def paper_card_rows(
    rows: Sequence[tuple[Any, ...]],
    texts: Sequence[Any],
    start: int = 0,
    prefixes: Sequence[str] | None = None,
) -> list[tuple[int, str, str, str]]:
    """The deck cache's card rows (see :func:`carding.card_rows`) of paper rows
    (``parsing.PAPER_FIELDS``), from their card texts (as :meth:`FileCaches.parse` gives
    them; a row without them, or ``texts`` not the rows', is carded here): no Paper or Card
    is built. ``start``: the index of the first row's paper; ``prefixes``: each row's
    card-id prefix, when known."""
    if len(texts) != len(rows):
        texts = [None] * len(rows)

    def papers() -> Iterator[tuple[str, str, str, list[tuple[str, str]]]]:
        for row, t in zip(rows, texts, strict=True):
            contribution, notes = row[_CONTRIBUTION], row[_NOTES]
            if t is None:
                t = [(k._value_, b) for k, b in row_card_texts(contribution, notes)]
            yield row[_KEY], contribution, notes, t

    return card_rows(papers(), start, prefixes)
