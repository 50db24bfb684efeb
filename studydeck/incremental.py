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
  cells (65,536 per table) could be reached, as it counts over the whole table.

Anything unusual (line separators other than ``\\n``, which ``str.splitlines`` and
markdown-it count differently) falls back to one stretch: the full parse.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from studydeck.carding import cards_for, make_cards, row_card_texts
from studydeck.models import Card, CardKind, Paper
from studydeck.parsing import (
    Event,
    FileResult,
    _block_md,
    assemble,
    parse_text,
    scan,
    scan_table,
)

#: Table rows per chunk: small enough that an edit re-reads little, large enough that the
#: per-chunk overhead (one markdown-it state) stays negligible.
CHUNK_ROWS = 200
_MAX_PADDED = 0x10000  # markdown-it's MAX_AUTOCOMPLETED_CELLS
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_DELIM = re.compile(r" {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_ROW = re.compile(r" {0,3}\|")
_CONTAINER = re.compile(r"\s*(?:[-+*]|\d{1,9}[.)])(?:\s|$)|\s*>")
_HEADING = re.compile(r"#{1,6}(\s|$)")
#: Characters str.splitlines() breaks on besides \n (markdown-it only knows \n and \r), and NUL
#: (markdown-it reads it as U+FFFD, which the row splitter of ``scan_table`` does not).
_ODD_BREAKS = re.compile("[\x00\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_KINDS = {k.value: k for k in CardKind}
_TAG = f"studydeck-blocks/4/{sys.version_info[:2]}"


@dataclass
class BlockCache:
    """Events of stretches already parsed, by the hash of their text."""

    blocks: dict[bytes, list[Event]] = field(default_factory=dict)
    parsed: int = 0
    """Stretches markdown-it had to read in the last parse (the rest came from the cache)."""
    changed: bool = True
    """Whether the last parse changed what the cache holds (else its stored bytes still do)."""

    def to_bytes(self) -> bytes:
        return marshal.dumps((_TAG, self.blocks))

    @classmethod
    def from_bytes(cls, blob: bytes | None) -> BlockCache:
        try:
            tag, blocks = marshal.loads(blob) if blob else (None, None)
        except (ValueError, EOFError, TypeError):
            return cls()
        if tag != _TAG or not isinstance(blocks, dict):
            return cls()
        return cls(blocks, changed=False)


#: A stretch: its offset in the file, its lines, and whether it is one table alone (header,
#: delimiter, rows starting with ``|``), which :func:`parsing.scan_table` reads.
Stretch = tuple[int, list[str], bool]


def stretches(lines: list[str]) -> Iterator[Stretch]:
    """Each stretch of the file; a chunk of table rows comes with the header and delimiter
    lines before it, its offset two lines up so line numbers still match."""
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
        if not ln.strip(" \t"):
            blank = True
            continue
        if blank and not ln[0].isspace() and i > start and not frozen:
            yield from _table_chunks(start, lines[start:i])
            start = i
            container = False
        blank = False
        container = container or bool(_CONTAINER.match(ln))
        m = _FENCE.match(ln)
        if m:
            fence = m.group(1)
            frozen = frozen or (container and ln[0] == " ")
    yield from _table_chunks(start, lines[start:])


def _table_chunks(offset: int, block: list[str]) -> Iterator[Stretch]:
    body = len(block)
    while body and not block[body - 1].strip(" \t"):
        body -= 1
    if block and _HEADING.match(block[0]) and body > 1:
        # An ATX heading is a block of one line: alone, it reads as it does here.
        yield offset, block[:1], False
        offset, block, body = offset + 1, block[1:], body - 1
    rows = block[2:body]
    if (
        body < 2
        or not _DELIM.match(block[1])
        or "|" not in block[0]
        or len(rows) * (block[1].count("|") + 1) > _MAX_PADDED
        or not all(_ROW.match(r) for r in rows)
        or _block_md.parse(block[0] + "\n" + block[1])[0].type != "table_open"
    ):
        yield offset, block, False
        return
    head = block[:2]
    first = 2 + CHUNK_ROWS
    yield offset, block[:first], True
    for at in range(first, len(block), CHUNK_ROWS):
        yield offset + at - 2, head + block[at : at + CHUNK_ROWS], True


def parse_incremental(text: str, path: str, cache: BlockCache, *, card: bool = True) -> FileResult:
    """The same result as ``parsing.parse_text(text, path)``, reading through ``cache``;
    afterwards the cache holds exactly this text's stretches (with their rows' card texts,
    unless ``card`` is false: a parse that keeps no cache cards the papers afterwards)."""
    if not text.strip() or _ODD_BREAKS.search(text):
        cache.blocks, cache.parsed = {}, 1
        return parse_text(text, path)
    old, new = cache.blocks, dict[bytes, list[Event]]()
    pieces: list[tuple[int, list[Event]]] = []
    parsed = 0
    for offset, lines, table in stretches(text.split("\n")):
        chunk = "\n".join(lines)
        h = hashlib.blake2b(chunk.encode(), digest_size=16).digest()
        events = new.get(h) or old.get(h)
        if events is None:
            events = scan_table(lines, path) if table else scan(chunk, path)
            events = _carded(events) if card else events
            parsed += 1
        new[h] = events
        pieces.append((offset, events))
    cache.changed = parsed > 0 or new.keys() != old.keys()
    cache.blocks, cache.parsed = new, parsed
    return assemble(path, pieces)


def _carded(events: list[Event]) -> list[Event]:
    """Each table event with its rows' cards (kind value, back) as a fifth element: carding
    reads only the row's cells, so a cached stretch is never carded again."""
    return [
        (
            *ev,
            [
                [(k.value, b) for k, b in row_card_texts(r["contribution"], r["notes"])]
                for r in ev[2]
            ],
        )
        if ev[0] == "t"
        else ev
        for ev in events
    ]


def parse_fresh(text: str, path: str) -> FileResult:
    """A whole parse, stretch by stretch (no cache): what every command reads a file with.
    The same result as ``parsing.parse_text``, which reads the file in one piece."""
    return parse_incremental(text, path, BlockCache(), card=False)


class BlockStore(Protocol):
    def cached_deck(self, deck: str, fingerprint: str) -> bytes | None: ...
    def save_deck_cache(self, deck: str, fingerprint: str, data: bytes) -> None: ...
    def deck_cache_names(self, prefix: str) -> list[str]: ...
    def drop_deck_caches(self, names: Sequence[str]) -> None: ...


#: Block caches are rows of the deck cache named by this and the file's resolved path: a
#: stretch's events depend on its text and its file alone, so every deck reading a file
#: (a folder, the file alone, the folder with one more file) shares its cache.
_PREFIX = "file-blocks "


class FileCaches:
    """One :class:`BlockCache` per notes file, each in its own row beside the deck cache:
    read when its file is parsed, written only when it changed."""

    def __init__(self, store: BlockStore) -> None:
        self.store = store
        self.files: dict[str, BlockCache] = {}

    def parse(self, text: str, path: str) -> FileResult:
        cache = self.files.get(path)
        if cache is None:
            cache = BlockCache.from_bytes(self.store.cached_deck(_row(path), _TAG))
            self.files[path] = cache
        return parse_incremental(text, path, cache)

    def make_cards(self, papers: Sequence[Paper]) -> list[Card]:
        """Card the papers from the card texts kept with their rows (the classifier is most
        of a parse's cost otherwise); a row read without them (a file parsed whole) is
        carded here."""
        texts: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for cache in self.files.values():
            for events in cache.blocks.values():
                for ev in events:
                    if ev[0] == "t":
                        for r, t in zip(ev[2], ev[4], strict=True):
                            texts[r["contribution"], r["notes"]] = t
        out: list[Card] = []
        for p in papers:
            t = texts.get((p.contribution, p.notes))
            if t is None:
                out.extend(cards_for(p))
                continue
            out.extend(make_cards(p, [(_KINDS[k], b) for k, b in t]))
        return out

    def save(self) -> None:
        """Write the caches that changed; drop those of files that are gone."""
        for path, cache in self.files.items():
            if cache.changed:
                self.store.save_deck_cache(_row(path), _TAG, cache.to_bytes())
        names = self.store.deck_cache_names(_PREFIX)
        self.store.drop_deck_caches([n for n in names if not os.path.exists(n[len(_PREFIX) :])])


def _row(path: str) -> str:
    return _PREFIX + os.path.realpath(path)
