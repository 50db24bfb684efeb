"""An edited deck, file by file: the deck cache keeps, per notes file, a segment (its rows,
card rows, diagnostics and title, the base keys and signature of its papers) under a hash of
the file's bytes. After an edit, a file whose bytes are the cached ones is not read, cut or
carded again, its papers not signed again, its frames not fingerprinted again: only the
changed files are parsed (through their block caches, see incremental.py).

What crosses files is done again over the whole deck, from cheap columns: the keys (a
title repeated anywhere, a paper repeated in a section: :func:`parsing.keys_of`, from every
row's base key, reading a row's cells only when its base key is repeated) and the duplicate
warnings. A kept file whose papers' keys or first index came out otherwise than when its
rows were made has those rows, its card ids, signature and frames made again from them.
The deck is exactly the one a fresh parse gives (tests/test_edit_rows.py).

A segment found damaged (a fingerprint not the head's, rows of another shape) is not kept:
its file is parsed again.
"""

from __future__ import annotations

import marshal
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from studydeck.frames import Columns, encode
from studydeck.identity import card_id_prefix
from studydeck.incremental import TAG as BLOCKS_TAG
from studydeck.models import Diagnostic, Severity
from studydeck.parsing import PAPER_FIELDS, FileResult, keys_of, read_text
from studydeck.store.cache import facts_name, frame_name
from studydeck.store.reconcile import Signature, row_signature

_TITLE, _URL, _SECTION, _SOURCE, _LINE = (
    PAPER_FIELDS.index(n) for n in ("title", "url", "section", "source", "line")
)

#: Heads the tuple a frame of a file read through its stretches is fingerprinted by (see
#: :meth:`Segment._origin_sums`); a fingerprint of rows is of a pair, never equal.
_ORIGIN = "studydeck-frame-origins/1"

#: A frame's rows (paper rows, card rows), its fingerprint and what makes its bytes.
Frame = tuple[str, Callable[[], bytes]]
#: What reads a file's text: its result (its rows as ``FileResult.papers``), its rows'
#: card texts (or None each), their memos (``incremental.Memo``, or None each) and where
#: they come from (``incremental.Origin`` of each table, or None).
Parse = Callable[[str, str], tuple[FileResult, list[Any], list[Any], list[Any] | None]]
#: What cards rows: paper rows, their card texts, the first row's index in the deck, and
#: their card-id prefixes.
CardRows = Callable[
    [Sequence[tuple[Any, ...]], Sequence[Any], int, Sequence[str]],
    list[tuple[int, str, str, str]],
]


@dataclass
class Segment:
    """One readable file's part of the deck."""

    path: str
    """The file as named (its rows' ``source``)."""
    sha: str
    """The hash of its bytes ("" when unknown: never kept)."""
    title: str
    diags: list[tuple[str, int, Severity, str]]
    """Its own diagnostics (path, line, severity, message): the parser's."""
    base: list[str]
    """Each row's base key (:func:`parsing.keys_of`)."""
    offset: int = 0
    """The index of its first paper in the deck its rows (card rows) were made for."""
    papers: list[tuple[Any, ...]] | None = None
    cards: list[tuple[int, str, str, str]] | None = None
    signed: Signature | None = None
    sums: list[str] | None = None
    """Its frames' fingerprints, while its rows are the ones stored."""
    parsed: list[tuple[Any, ...]] | None = None
    """A file read again: its paper rows keyed by their base keys, their card texts and
    their memos (what each row was last settled as, kept with its stretch: its key, section
    and source, then its signature and card-id prefix; or None)."""
    texts: list[Any] | None = None
    memos: list[Any] | None = None
    origins: list[tuple[int, bytes, int, int, int]] | None = None
    """A file read again through its stretches: where its rows come from (see
    ``incremental.Origin``), which its frames are fingerprinted by."""
    settled: list[tuple[int, Any]] | None = None
    """Once a file read again is settled: the memos of its rows that differ from theirs
    (row index in the file, memo), to keep with its stretches."""

    @property
    def size(self) -> int:
        return len(self.base)

    def settle(self, keys: Sequence[str], start: int, card_rows: CardRows) -> None:
        """Its rows with these keys, its first paper at ``start``; signed."""
        if self.parsed is not None:
            self.papers = [
                r if r[0] == k else (k, *r[1:]) for r, k in zip(self.parsed, keys, strict=True)
            ]
            self._settle_parsed(start, card_rows)
            return
        else:
            assert self.papers is not None and self.cards is not None
            was = self.offset
            if [r[0] for r in self.papers] != list(keys):  # a title repeated elsewhere now
                self.papers = [
                    r if r[0] == k else (k, *r[1:]) for r, k in zip(self.papers, keys, strict=True)
                ]
                prefixes = [card_id_prefix(k) for k in keys]
                self.cards = [
                    (i - was + start, prefixes[i - was] + kind, kind, back)
                    for i, _, kind, back in self.cards
                ]
                self.signed = self.sums = None
            elif start != was:  # papers added or removed in a file before it
                self.cards = [(i - was + start, c, k, b) for i, c, k, b in self.cards]
                self.sums = None
        self.offset = start
        if self.signed is None:
            self.signed = row_signature(self.papers, self.cards, PAPER_FIELDS, start)

    def _settle_parsed(self, start: int, card_rows: CardRows) -> None:
        """A file read again, its keys given: its card rows and signature, each row's from
        its memo when the memo was made for the row's key, section and source (the rest of
        what they depend on is the row's cells, the same as its stretch's text), else
        made; and in ``settled`` the memos that changed."""
        assert self.papers is not None
        memos = self.memos if self.memos is not None else []
        if len(memos) != len(self.papers):
            memos = [None] * len(self.papers)
        prefixes: list[str] = []
        known: list[bytes | None] = []
        fresh: list[int] = []
        for n, (r, m) in enumerate(zip(self.papers, memos, strict=True)):
            if m is not None and m[0] == r[0] and m[1] == r[_SECTION] and m[2] == r[_SOURCE]:
                prefixes.append(m[4])
                known.append(m[3])
            else:
                prefixes.append(card_id_prefix(r[0]))
                known.append(None)
                fresh.append(n)
        self.cards = card_rows(self.papers, self.texts or [], start, prefixes)
        signed = row_signature(self.papers, self.cards, PAPER_FIELDS, start, known)
        settled: list[tuple[int, Any]] = []
        for n in fresh:
            r = self.papers[n]
            settled.append((n, (r[0], r[_SECTION], r[_SOURCE], signed[r[0]], prefixes[n])))
        self.settled = settled
        self.parsed = self.texts = self.memos = None
        self.sums = None
        self.offset = start
        self.signed = signed

    def frames(self, size: int, fingerprint: Callable[[Any], str]) -> list[Frame]:
        """Its frames (``size`` papers each, with their cards), fingerprinted unless its
        stored ones still hold."""
        assert self.papers is not None and self.cards is not None
        made = list(_split(self.papers, self.cards, self.offset, size))
        if self.sums is None or len(self.sums) != len(made):
            if self.origins is not None:
                self.sums = self._origin_sums(size, fingerprint)
            else:
                self.sums = [fingerprint(rows) for rows in made]
        return [
            (t, partial(encode, *rows, self.offset + k * size))
            for k, (t, rows) in enumerate(zip(self.sums, made, strict=True))
        ]

    def _origin_sums(self, size: int, fingerprint: Callable[[Any], str]) -> list[str]:
        """Its frames' fingerprints from what their rows are made of, not from the rows: a
        row of a file read through its stretches is made by its stretch's text (its hash),
        the table it is in there, the stretch's offset, its section, its place in the file
        and in the deck, its key and the file's name; card rows by the same. The digest of
        those is the rows' fingerprint, without writing out (marshalling) the rows."""
        assert self.papers is not None and self.origins is not None
        starts = [o[0] for o in self.origins]
        out: list[str] = []
        for a in range(0, len(self.papers), size):
            b = min(a + size, len(self.papers))
            lo, hi = bisect_right(starts, a) - 1, bisect_left(starts, b)
            tables = [(*o, self.papers[o[0]][_SECTION]) for o in self.origins[max(lo, 0) : hi]]
            keys = [r[0] for r in self.papers[a:b]]
            # (the block cache's tag: what a stretch's hash stands for, its events' making)
            head = (_ORIGIN, BLOCKS_TAG, self.path, self.offset + a, a, b)
            out.append(fingerprint((*head, tables, keys)))
        return out

    def entry(self, facts: str) -> tuple[Any, ...]:
        """Its line in the head's table of segments."""
        assert self.sums is not None
        return (self.path, self.sha, self.size, len(self.sums), self.title, self.diags, facts)

    def facts(self, signed: Signature) -> bytes:
        """Its facts row's bytes: its base keys and its papers' signatures (taken from the
        deck's, ``signed``: once merged, its own are dropped)."""
        # Aligned with its rows, without their keys: read back, the rows' key strings serve
        # (a second copy of 50,000 keys is ~7 MiB of the peak the TUI's memory bound counts).
        assert self.papers is not None
        keys = [r[0] for r in self.papers]
        base = [None if b == k else b for b, k in zip(self.base, keys, strict=True)]
        return marshal.dumps((base, [signed[k] for k in keys]))


def _split(
    papers: list[tuple[Any, ...]], cards: list[tuple[int, str, str, str]], offset: int, size: int
) -> Iterator[tuple[list[Any], list[Any]]]:
    at = 0
    for k in range(0, len(papers), size):
        # the first card of a later paper: cards are in paper order, (i,) sorts before (i, ...)
        stop = bisect_left(cards, (offset + k + size,), lo=at)
        yield papers[k : k + size], cards[at:stop]
        at = stop


def kept(
    store: Any, deck: str, head: bytes | None, tag: str, wanted: dict[str, str]
) -> dict[tuple[str, str], Segment]:
    """The segments of the cached deck whose file still hashes as it did (``wanted``: file
    as named -> hash of its bytes now), read from the store, by (file, hash). Those found
    damaged are left out (their files are parsed again)."""
    try:
        parts: Any = marshal.loads(head) if head else ()
        if len(parts) != 6 or parts[0] != tag:
            return {}
        table, sums = parts[1], parts[5]
        places = []
        frame = paper = 0
        for n, (path, sha, papers, frames, *_) in enumerate(table):
            if sha and wanted.get(path) == sha:
                places.append((n, frame, paper))
            frame += frames
            paper += papers
    except (ValueError, EOFError, TypeError):
        return {}
    if not places:
        return {}
    out: dict[tuple[str, str], Segment] = {}
    for n, frame, paper in places:
        # (one segment's rows at a time: at 50,000 papers all their bytes at once are
        # ~25 MB more of the peak that the TUI's memory bound counts)
        try:
            count = table[n][3]
            names = [facts_name(deck, n), *(frame_name(deck, frame + k) for k in range(count))]
            seg = _segment(deck, store.deck_rows(names), table[n], n, sums, frame, paper)
        except (ValueError, EOFError, TypeError, KeyError, IndexError):  # (frames.Damaged)
            continue
        if seg is not None:
            out[seg.path, seg.sha] = seg
    return out


def _segment(
    deck: str,
    rows: dict[str, tuple[str, bytes]],
    entry: Sequence[Any],
    n: int,
    sums: list[str],
    frame: int,
    paper: int,
) -> Segment | None:
    """A stored segment, checked as the cached deck's rows are (``frames.Columns``)."""
    path, sha, size, count, title, diags, facts = entry
    got, data = rows.pop(facts_name(deck, n))
    if got != facts:
        return None
    sparse, sigs = marshal.loads(data)
    mine = sums[frame : frame + count]
    datas: list[bytes] = []
    for k in range(count):
        got, data = rows.pop(frame_name(deck, frame + k))
        if got != mine[k]:
            return None
        datas.append(data)
    # (its cards' paper indices are checked there: from ``paper``, of its papers)
    papers, cards = Columns(datas, paper).all_rows()
    del datas
    if not (
        isinstance(path, str)
        and isinstance(title, str)
        and len(mine) == count
        and len(papers) == len(sparse) == len(sigs) == size
        and {len(r) for r in papers} <= {len(PAPER_FIELDS)}
        and set(map(type, sparse)) <= {str, type(None)}
        and set(map(type, sigs)) <= {bytes}
        and all(isinstance(d, tuple) and len(d) == 4 and isinstance(d[1], int) for d in diags)
    ):
        return None
    keys = [r[0] for r in papers]
    base = [k if b is None else b for b, k in zip(sparse, keys, strict=True)]
    signed = dict(zip(keys, sigs, strict=True))
    if len(signed) != size:
        return None
    return Segment(path, sha, title, list(diags), base, paper, papers, cards, signed, mine)


def read(
    files: Sequence[Path],
    skipped: Sequence[Diagnostic],
    shas: Sequence[str | None],
    old: dict[tuple[str, str], Segment],
    parse: Parse,
) -> tuple[list[Segment], list[Diagnostic]]:
    """Each readable file's segment (kept from ``old``, which it empties, or parsed), and the
    diagnostics so far in the order ``deck.read_files`` gives them."""
    segs: list[Segment] = []
    diags: list[Diagnostic] = list(skipped)
    for f, sha in zip(files, shas, strict=True):
        path = str(f)
        seg = old.pop((path, sha), None) if sha else None
        if seg is None:
            text, problem = read_text(f)
            if problem is not None:
                diags.append(problem)
                continue
            assert text is not None
            res, texts, memos, origins = parse(text, path)
            rows = res.papers
            seg = Segment(
                path,
                sha or "",
                res.title,
                [(d.path, d.line, d.severity, d.message) for d in res.diagnostics],
                [r[0] for r in rows],
                parsed=rows,
                texts=texts,
                memos=memos,
                origins=origins,
            )
            diags.extend(res.diagnostics)
        else:
            diags.extend(
                Diagnostic(path=p, line=ln, severity=s, message=m) for p, ln, s, m in seg.diags
            )
        segs.append(seg)
    return segs, diags


def settle(
    segs: Sequence[Segment], card_rows: CardRows
) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, str, str]], Signature, list[Diagnostic]]:
    """The deck's paper rows, card rows and signature from its segments, once the keys are
    given over the whole deck; and the keys' diagnostics."""
    starts: list[int] = []
    at = 0
    for s in segs:
        starts.append(at)
        at += s.size

    def detail(i: int) -> tuple[str, str, str, str, int]:
        k = bisect_right(starts, i) - 1
        s, j = segs[k], i - starts[k]
        rows = s.parsed if s.parsed is not None else s.papers
        assert rows is not None
        p = rows[j]
        return p[_TITLE], p[_URL], p[_SECTION], p[_SOURCE], p[_LINE]

    keys, diags = keys_of([b for s in segs for b in s.base], detail)
    papers: list[tuple[Any, ...]] = []
    cards: list[tuple[int, str, str, str]] = []
    signed: Signature = {}
    for s, start in zip(segs, starts, strict=True):
        s.settle(keys[start : start + s.size], start, card_rows)
        assert s.papers is not None and s.cards is not None and s.signed is not None
        papers += s.papers
        cards += s.cards
        signed.update(s.signed)
        s.signed = None  # (at 50,000 papers, a copy of the deck's of ~5 MiB)
    return papers, cards, signed, diags
