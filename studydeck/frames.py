"""One frame of the deck cache as bytes: what an open reads, and the rest when first asked.

A warm start, ``stats`` and today's plan need of every paper only its key and keywords, and
of every card its id, kind and paper; the titles, contributions, notes and card backs are
most of the bytes and most of the unmarshalling (and, as tens of thousands of tuples, most of
the cyclic GC's first pass after it). So a frame holds its rows as columns, in three parts:

- the *light* part, read at open: the paper columns :data:`LIGHT` (small values the quiz's
  selection reads of every paper too) and the card columns (paper index, id, kind);
- the *heavy* part: :data:`HEAVY` and the cards' backs, in chunks of :data:`CHUNK_ROWS`
  papers, each unmarshalled only when one of its papers or cards is first read;
- the *search* part, read only when browse opens: each paper's casefolded title (the key it
  sorts by) and search text, each card's casefolded back (:func:`paper_text`,
  :func:`title_key`, :func:`card_text`: the one rule, made when the frame is written, so a
  frame's texts are always its own rows'). UTF-8, joined by NUL: read back by a decode and
  a split (no object per row in the bytes, no Python loop); with where each text ends, so
  that one text is read alone (:meth:`Columns.peek`: browse's first rows, before the
  decode).

Damage is still found at open: a frame's bytes start with a CRC-32 of the rest but the
search part, checked before anything is read (GB/s: ~2 ms for a 10,000-paper deck's 6 MB),
so a frame whose bytes changed makes the open a miss and the notes are parsed again. A chunk
is checked for its shape when it is read (:func:`heavy`), against a cache another program
wrote under a valid CRC. The search part has a CRC of its own, checked when it is read (a
warm start does not pay for browse's texts): damaged, its texts are made from the rows.
"""

from __future__ import annotations

import marshal
import struct
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import fields
from itertools import accumulate
from typing import Any, overload

from studydeck.models import CardKind, Paper
from studydeck.naming import short_names
from studydeck.perf import gc_paused

FIELDS = tuple(f.name for f in fields(Paper))
#: The paper fields read at open, in this order.
LIGHT = ("key", "keywords", "year", "section", "source", "line", "order", "figures")
#: The paper fields read when one of a chunk's papers is first read, in this order.
HEAVY = tuple(f for f in FIELDS if f not in LIGHT)
_LIGHT_AT = tuple(FIELDS.index(f) for f in LIGHT)
_HEAVY_AT = tuple(FIELDS.index(f) for f in HEAVY)
#: Papers per heavy chunk: a first card reads one (~0.5 ms), not a whole frame's.
CHUNK_ROWS = 256
_KINDS = frozenset(k.value for k in CardKind)
# CRC-32 of what follows it up to the search part, the lengths of the light and search parts
_HEAD = struct.Struct("<III")
# the search part's own CRC-32 (of what follows it), and its sizes: titles, paper texts,
# card texts (checked when browse reads it: a warm start reads the frame's other parts);
# after the three texts, where each paper text ends and where each card text ends (32 bits)
_TEXTS = struct.Struct("<IIII")
_SEP = "\x00"  # between two texts of the search part (a text that holds one: no part)


#: The paper fields a search text is made of (:func:`paper_text`'s arguments, in order).
TEXT_FIELDS = ("title", "short_name", "contribution", "keywords", "notes")


def paper_text(
    title: str, short_name: str, contribution: str, keywords: Sequence[str], notes: str
) -> str:
    """A paper's casefolded search text: title, short names, keywords, notes (the one rule,
    for a built Paper, the deck's columns and the cache's search part alike)."""
    names = short_names(short_name, contribution)
    return " ".join((title, *names, " ".join(keywords), notes)).casefold()


def card_text(back: str) -> str:
    """A card's own casefolded search text (its back)."""
    return back.casefold()


def title_key(title: str) -> str:
    """What a paper sorts by in browse's paper column."""
    return title.casefold()


class Damaged(ValueError):
    """A frame's bytes are not the ones written, or not a frame."""


#: A heavy chunk not read yet: its bytes, its first paper and card (places in the frame's
#: columns) and how many of each it holds.
Chunk = tuple[memoryview, int, int, int, int]


def encode(papers: Sequence[Sequence[Any]], cards: Sequence[Sequence[Any]], base: int) -> bytes:
    """A frame's bytes: paper rows (values in :data:`FIELDS` order) and card rows (paper
    index, id, kind, back: these papers' cards, in order); ``base``: the deck index of the
    first paper (the cards' paper indices count in the deck)."""
    # (transposed in C: a frame is thousands of rows)
    by_field = list(zip(*papers, strict=True)) or [() for _ in FIELDS]
    by_part = list(zip(*cards, strict=True)) or [() for _ in range(4)]
    paper_cols = [by_field[k] for k in _LIGHT_AT]
    card_cols = by_part[:3]
    index, backs = by_part[0], by_part[3]
    heavy_cols = [by_field[k] for k in _HEAVY_AT]
    chunks: list[bytes] = []
    sizes: list[tuple[int, int]] = []  # each chunk's bytes and cards
    at = 0
    for k in range(0, len(papers), CHUNK_ROWS):
        stop = bisect_left(index, base + k + CHUNK_ROWS, lo=at)
        cols = [c[k : k + CHUNK_ROWS] for c in heavy_cols]
        # One marshal for the papers and their backs: a back that is its paper's
        # contribution is written once, and read back as the same string.
        chunks.append(marshal.dumps((cols, backs[at:stop])))
        sizes.append((len(chunks[-1]), stop - at))
        at = stop
    return pack((paper_cols, card_cols, sizes), chunks, search_part(by_field, backs))


def search_part(by_field: Sequence[Sequence[Any]], backs: Sequence[str]) -> bytes:
    """The search part of papers (their columns, in :data:`FIELDS` order) and their cards'
    ``backs``: empty when a text holds a NUL (then it is made when read, :meth:`Columns.search`)."""
    try:
        titles = _SEP.join(map(title_key, by_field[_TITLE]))
        cols = [by_field[k] for k in _TEXT_AT]
        texts = _SEP.join([paper_text(*row) for row in zip(*cols, strict=True)])
        own = _SEP.join(map(card_text, backs))
    except (TypeError, AttributeError):  # (rows of other types: a hostile cache's test)
        return b""
    n, m = len(by_field[0]), len(backs)
    # (a NUL in a text would split it in two: then there are more parts than rows)
    if any(s.count(_SEP) != max(k - 1, 0) for s, k in ((titles, n), (texts, n), (own, m))):
        return b""
    blobs = [s.encode("utf-8", "surrogatepass") for s in (titles, texts, own)]
    # Where each paper text and each card text ends in its blob: one text is read without
    # the others (browse's first rows, before the whole part is decoded: :func:`_alone`).
    ends = [_ends(blobs[1], n), _ends(blobs[2], m)]
    body = b"".join([struct.pack("<III", *map(len, blobs)), *blobs, *ends])
    return b"".join([struct.pack("<I", zlib.crc32(body)), body])


def _ends(blob: bytes, count: int) -> bytes:
    """Where each of the ``count`` texts of ``blob`` (joined by NUL) ends: little-endian
    32-bit offsets, each the next one's NUL (the last: the blob's end)."""
    ends = array("I")
    if count:
        ends.extend(accumulate(len(t) + 1 for t in blob.split(_SEP.encode())))
        ends = array("I", [e - 1 for e in ends])
    if sys.byteorder == "big":
        ends.byteswap()
    return ends.tobytes()


def pack(light: Any, chunks: Sequence[bytes], search: bytes = b"") -> bytes:
    """A frame's bytes from its light part (paper columns, card columns, each chunk's size
    in bytes and its count of cards), its heavy chunks' bytes and its search part (none:
    made when read): under a CRC-32 of them."""
    data = marshal.dumps(light)
    body = b"".join([struct.pack("<II", len(data), len(search)), data, *chunks])
    return b"".join([struct.pack("<I", zlib.crc32(body)), body, search])


def light(data: bytes) -> tuple[list[list[Any]], list[list[Any]], list[Chunk]]:
    """A frame's light part: its paper columns (as :data:`LIGHT`), its card columns (paper
    index, id, kind) and its heavy chunks, not read; :class:`Damaged` when the bytes are not
    the ones written or not a frame."""
    return _light(data)[:3]


def _light(
    data: bytes,
) -> tuple[list[list[Any]], list[list[Any]], list[Chunk], memoryview]:
    """:func:`light`, and the frame's search part, not read."""
    view = memoryview(data)
    if len(view) < _HEAD.size:
        raise Damaged("too short")
    crc, size, search = _HEAD.unpack_from(view)
    if search > len(view) - _HEAD.size or zlib.crc32(view[4 : len(view) - search]) != crc:
        raise Damaged("bytes changed")
    part, view = view[len(view) - search :], view[: len(view) - search]
    try:
        paper_cols, card_cols, sizes = marshal.loads(view[_HEAD.size : _HEAD.size + size])
    except (ValueError, EOFError, TypeError) as e:
        raise Damaged(str(e)) from None
    if not (
        isinstance(paper_cols, list)
        and len(paper_cols) == len(LIGHT)
        and isinstance(card_cols, list)
        and len(card_cols) == 3
        and all(isinstance(c, tuple) for c in (*paper_cols, *card_cols))
        and len({len(c) for c in paper_cols}) == 1
        and len({len(c) for c in card_cols}) == 1
        and isinstance(sizes, list)
        and len(sizes) == -(-len(paper_cols[0]) // CHUNK_ROWS)
        and all(type(s) is tuple and len(s) == 2 for s in sizes)
    ):
        raise Damaged("not a frame")
    lengths, counts = zip(*sizes, strict=True) if sizes else ((), ())
    if not (
        set(map(type, lengths + counts)) <= {int}
        and _HEAD.size + size + sum(lengths) == len(view)
        and sum(counts) == len(card_cols[0])
        and min(counts, default=0) >= 0
    ):
        raise Damaged("not a frame")
    n = len(paper_cols[0])
    chunks: list[Chunk] = []
    at, card = _HEAD.size + size, 0
    for k, (length, count) in enumerate(sizes):
        first = k * CHUNK_ROWS
        chunks.append((view[at : at + length], first, min(CHUNK_ROWS, n - first), card, count))
        at += length
        card += count
    return paper_cols, card_cols, chunks, part


def texts(
    part: memoryview, papers: int, cards: int, whole: bool = True, checked: bool = False
) -> list[list[str]] | None:
    """A frame's search part read (``papers``, ``cards``: its counts): its papers' title
    keys, or with ``whole`` their texts and their cards' texts; None when it has none;
    :class:`Damaged` when it is not that (``checked``: its CRC was found right already)."""
    if not part:
        return None
    sizes = _sizes(part, papers, cards, checked)
    out: list[list[str]] = []
    at = _TEXTS.size
    for k, (size, count) in enumerate(zip(sizes, (papers, papers, cards), strict=True)):
        if (k > 0) == whole:
            try:
                got = str(part[at : at + size], "utf-8", "surrogatepass").split(_SEP)
            except UnicodeDecodeError:
                raise Damaged("not a search part") from None
            if len(got) != count and (count or got != [""]):
                raise Damaged("not a search part")
            out.append(got if count else [])
        at += size
    return out


def _sizes(part: memoryview, papers: int, cards: int, checked: bool) -> tuple[int, int, int]:
    """The sizes of a search part's three texts (``papers``, ``cards``: its counts);
    :class:`Damaged` when it is not one (``checked``: its CRC was found right already)."""
    if len(part) < _TEXTS.size:
        raise Damaged("not a search part")
    crc, *sizes = _TEXTS.unpack_from(part)
    if _TEXTS.size + sum(sizes) + 4 * (papers + cards) != len(part) or (
        not checked and zlib.crc32(part[4:]) != crc
    ):
        raise Damaged("not a search part")
    return sizes[0], sizes[1], sizes[2]


class Made(Sequence[str]):
    """``count`` texts, each made by ``make`` when asked for (not kept): a walk through a
    few of them costs those few, not all of them."""

    def __init__(self, count: int, make: Callable[[int], str]) -> None:
        self._count, self._make = count, make

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._count))]
        if not 0 <= i < self._count:
            raise IndexError(i)
        return self._make(i)


def _alone(parts: Sequence[tuple[memoryview, array[int]]]) -> Made:
    """Texts of the frames' search parts (one kind: papers' or cards'), each decoded alone
    when asked for: its bytes found by where it ends (:func:`search_part`). Browse looks
    through the first rows of its list this way while the parts are decoded whole in a
    thread (~80 ms at 50k papers); one text costs a microsecond, so a walk through a few
    thousand rows does, not the 176,000 texts."""
    starts = list(accumulate((len(e) for _, e in parts), initial=0))

    def read(i: int) -> str:
        k = bisect_right(starts, i) - 1
        blob, ends = parts[k]
        at = i - starts[k]
        start = ends[at - 1] + 1 if at else 0
        try:
            return str(blob[start : ends[at]], "utf-8", "surrogatepass")
        except UnicodeDecodeError:  # (under a valid CRC: another program's writing)
            raise Damaged("not a search part") from None

    return Made(starts[-1], read)


def heavy(chunk: Chunk) -> tuple[list[Sequence[Any]], Sequence[str]]:
    """A chunk's paper columns (as :data:`HEAVY`) and card backs; :class:`Damaged` when
    they are not that."""
    data, _, papers, _, cards = chunk
    try:
        cols, backs = marshal.loads(data)
    except (ValueError, EOFError, TypeError) as e:
        raise Damaged(str(e)) from None
    if not (
        isinstance(cols, list)
        and isinstance(backs, tuple)
        and len(cols) == len(HEAVY)
        and all(type(c) is tuple and len(c) == papers for c in cols)
        and len(backs) == cards
        and set(map(type, backs)) <= {str}
    ):
        raise Damaged("not a chunk")
    return cols, backs


class RowLists:
    """A deck's rows as lists (an edited deck's, made by segments.py): paper rows (values in
    :data:`FIELDS` order, figures as (src, alt) pairs) and card rows (paper index, id, kind,
    back)."""

    def __init__(self, papers: list[tuple[Any, ...]], cards: list[tuple[Any, ...]]) -> None:
        self.papers, self.cards = papers, cards
        self.n_papers, self.n_cards = len(papers), len(cards)

    def column(self, name: str) -> list[Any]:
        k = FIELDS.index(name)
        return [r[k] for r in self.papers]

    def card_column(self, k: int) -> list[Any]:
        return [c[k] for c in self.cards]

    def paper_row(self, i: int) -> tuple[Any, ...]:
        return self.papers[i]

    def card_row(self, j: int) -> tuple[Any, ...]:
        return self.cards[j]

    def all_rows(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        return self.papers, self.cards

    def card_rows(self) -> list[tuple[Any, ...]]:
        return self.cards


class Columns:
    """A cached deck's rows from its frames' bytes: the light columns read (and the bytes
    checked) when made, each heavy chunk when one of its rows is first read. The same
    methods as :class:`RowLists`."""

    def __init__(self, frames: Sequence[bytes], base: int = 0) -> None:
        """``base``: the deck index of the first frame's first paper (the cards' paper
        indices count in the deck)."""
        cols: list[list[Any]] = [[] for _ in LIGHT]
        index: list[int] = []
        ids: list[str] = []
        kinds: list[str] = []
        chunks: list[Chunk] = []
        parts: list[tuple[memoryview, int, int, int]] = []
        for data in frames:
            paper_cols, (more_index, more_ids, more_kinds), more, part = _light(data)
            n, m = len(cols[0]), len(index)
            parts.append((part, n, len(paper_cols[0]), len(more_index)))
            chunks += [(b, p + n, np, c + m, nc) for b, p, np, c, nc in more]
            for col, more_col in zip(cols, paper_cols, strict=True):
                col += more_col
            index += more_index
            ids += more_ids
            kinds += more_kinds
        if index and not (
            set(map(type, index)) == {int}
            and min(index) >= base
            and max(index) < base + len(cols[0])
            and set(kinds) <= _KINDS
            and set(map(type, ids)) == {str}
        ):
            raise Damaged("cards of no paper, or of another shape")
        self._light = dict(zip(LIGHT, cols, strict=True))
        self.cards = (index, ids, kinds)
        self.n_papers, self.n_cards = len(cols[0]), len(index)
        self._chunks: list[Chunk | None] = list(chunks)
        self._paper_starts = [c[1] for c in chunks]
        self._card_starts = [c[3] for c in chunks]
        self._read: list[tuple[list[Sequence[Any]], Sequence[str]] | None] = [None] * len(chunks)
        self._parts = parts
        """Per frame: its search part (not read), its first paper, its papers and cards."""
        self._checked: set[int] = set()
        """The frames whose search part's CRC was found right."""

    def _chunk(self, k: int) -> tuple[list[Sequence[Any]], Sequence[str]]:
        # Its bytes are let go once read (a frame's, once all its chunks are): taken before
        # the values are looked at, so another thread's read in between leaves them here.
        chunk, got = self._chunks[k], self._read[k]
        if got is None:
            assert chunk is not None
            got = heavy(chunk)
            self._read[k] = got
            self._chunks[k] = None
        return got

    def _all(self) -> tuple[list[list[Any]], list[str]]:
        """The heavy columns and the backs, whole."""
        cols: list[list[Any]] = [[] for _ in HEAVY]
        backs: list[str] = []
        # (tens of thousands of new strings and tuples, no cycle among them: a collector
        # running meanwhile would pass over everything loaded, again and again)
        with gc_paused():
            for k in range(len(self._chunks)):
                more, more_backs = self._chunk(k)
                for col, more_col in zip(cols, more, strict=True):
                    col += more_col
                backs += more_backs
        return cols, backs

    def column(self, name: str) -> list[Any]:
        got = self._light.get(name)
        if got is not None:
            return list(got)
        return self._all()[0][HEAVY.index(name)]

    def card_column(self, k: int) -> list[Any]:
        return list(self.cards[k]) if k < 3 else self._all()[1]

    def paper_row(self, i: int) -> tuple[Any, ...]:
        k = bisect_right(self._paper_starts, i) - 1
        at, cols, light = i - self._paper_starts[k], self._chunk(k)[0], self._light
        return tuple([light[f][i] if f in light else cols[_HEAVY_PLACE[f]][at] for f in FIELDS])

    def card_row(self, j: int) -> tuple[Any, ...]:
        k = bisect_right(self._card_starts, j) - 1
        index, ids, kinds = self.cards
        return index[j], ids[j], kinds[j], self._chunk(k)[1][j - self._card_starts[k]]

    def title_keys(self) -> list[str]:
        """Each paper's :func:`title_key`, from the frames' search parts (a frame without
        one: from its titles)."""
        out: list[str] = []
        for k, (_, first, papers, _) in enumerate(self._parts):
            got = self._texts(k, whole=False)
            out += (
                got[0]
                if got
                else [title_key(self.paper_row(i)[_TITLE]) for i in range(first, first + papers)]
            )
        return out

    def search(self) -> tuple[list[str], list[str]]:
        """Each paper's :func:`paper_text` and each card's :func:`card_text`, from the
        frames' search parts (a frame without one: made from its rows)."""
        papers_out: list[str] = []
        cards_out: list[str] = []
        card_at = 0
        for k, (_, first, papers, cards) in enumerate(self._parts):
            got = self._texts(k, whole=True)
            if got is None:
                rows = [self.paper_row(i) for i in range(first, first + papers)]
                got = [[paper_text(*[r[k] for k in _TEXT_AT]) for r in rows]]
                got.append(
                    [card_text(self.card_row(j)[3]) for j in range(card_at, card_at + cards)]
                )
            papers_out += got[0]
            cards_out += got[1]
            card_at += cards
        return papers_out, cards_out

    def peek(self) -> tuple[Made, Made] | None:
        """The frames' paper texts and card texts, each read alone when asked for (None: a
        frame has no search part, or a damaged one)."""
        papers: list[tuple[memoryview, array[int]]] = []
        cards: list[tuple[memoryview, array[int]]] = []
        for k, (part, _, n_papers, n_cards) in enumerate(self._parts):
            try:
                titles, paper_size, card_size = _sizes(
                    part, n_papers, n_cards, checked=k in self._checked
                )
            except Damaged:
                return None
            self._checked.add(k)
            at = _TEXTS.size + titles
            blob = part[at : at + paper_size], part[at + paper_size : at + paper_size + card_size]
            at += paper_size + card_size
            ends = array("I"), array("I")
            ends[0].frombytes(part[at : at + 4 * n_papers])
            ends[1].frombytes(part[at + 4 * n_papers :])
            if sys.byteorder == "big":
                ends[0].byteswap()
                ends[1].byteswap()
            for got, b, e in ((papers, blob[0], ends[0]), (cards, blob[1], ends[1])):
                if e and e[-1] != len(b):  # (under a valid CRC: another program's writing)
                    return None
                got.append((b, e))
        return _alone(papers), _alone(cards)

    def _texts(self, k: int, whole: bool) -> list[list[str]] | None:
        """Frame ``k``'s search part read; its CRC checked once (the title keys are read
        at open for the sort, the texts when browse opens: ~7 ms at 50k papers)."""
        part, _, papers, cards = self._parts[k]
        try:
            got = texts(part, papers, cards, whole, checked=k in self._checked)
        except Damaged:  # (under a valid CRC: another program's writing) made from the rows
            return None
        self._checked.add(k)
        return got

    def all_rows(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        heavy_cols, backs = self._all()
        columns = [*self._light.values(), *heavy_cols]
        # (zipped in C, in the fields' order: a whole deck's rows for browse or an export)
        papers = list(zip(*[columns[_PLACE[f]] for f in FIELDS], strict=True))
        return papers, list(zip(*self.cards, backs, strict=True))

    def card_rows(self) -> list[tuple[Any, ...]]:
        """:meth:`all_rows`' card rows alone."""
        return list(zip(*self.cards, self._all()[1], strict=True))


_HEAVY_PLACE = {f: k for k, f in enumerate(HEAVY)}
_TITLE = FIELDS.index("title")
#: Where :func:`paper_text`'s arguments are in a paper row.
_TEXT_AT = tuple(FIELDS.index(f) for f in TEXT_FIELDS)
#: Where each field is in the light columns followed by the heavy ones.
_PLACE = {f: k for k, f in enumerate((*LIGHT, *HEAVY))}
