"""Open a deck through the store: parsed-deck cache, then reconcile with the review history.

An unchanged set of notes files (same size and mtime, or same content hash) is
never parsed again: its papers and card texts come back from the store. After an edit,
only the files whose bytes changed are parsed (segments.py), and in them only the stretches
that changed (incremental.py).
"""

from __future__ import annotations

import json
import marshal
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studydeck import digests
from studydeck.deck import find_files
from studydeck.errors import StudydeckError
from studydeck.fileio import ReadRefused, read_regular
from studydeck.frames import FIELDS as _PAPER_FIELDS
from studydeck.frames import Columns, Damaged, RowLists
from studydeck.models import QUESTIONS, Card, CardKind, Deck, Diagnostic, Figure, Paper
from studydeck.perf import gc_paused
from studydeck.store import ReconcileReport, Store
from studydeck.store.reconcile import Known, Signature, row_signature

if TYPE_CHECKING:
    from studydeck.carding import Corrections

CACHE_FORMAT = 19  # 4: cards from statements; 5: cells without control characters; 6: dataclasses
# 7: written in frames; 8: frames named by the digest of their bytes; 9: frames and facts
# per file (segments.py), the head's table of them after its frames' fingerprints; 10: a
# frame's rows as columns, light and heavy, under a CRC (frames.py); 11: and its search texts;
# 12: and where each search text ends; 13: cells without bidi overrides or zero-width spaces;
# 14: a title linked where no link may go is its text (not the raw Markdown); 15: an
# entity's ";" (&lt;) ends no statement; 16: keywords without inline HTML tags; 17: a paper
# table's event holds its header's line (where "no rows yet" points); 18: cells without
# bidi marks, soft hyphens, line separators or tag characters; 19: no statement cut inside a
# Markdown link or image
_FIG = _PAPER_FIELDS.index("figures")
# marshal: plain tuples and strings, ~5x faster to load than JSON, and unlike
# pickle it cannot run code. Its format belongs to the Python version, which the tag records.
_TAG = f"studydeck-deck-cache/{CACHE_FORMAT}/{sys.version_info[:2]}"


def _stat_print(files: Sequence[Path]) -> list[list[object]]:
    out: list[list[object]] = []
    for f in files:
        try:
            st = f.stat()
        except OSError:  # gone since it was listed: never equal to a stored print
            out.append([str(f), None, None])
            continue
        out.append([str(f.resolve()), st.st_size, st.st_mtime_ns])
    return out


def _hashes(files: Sequence[Path]) -> list[str | None]:
    out: list[str | None] = []
    for f in files:
        try:
            out.append(digests.sha256(read_regular(f)).hexdigest())
        except (OSError, ReadRefused):  # unreadable: parsing says why, per file
            out.append(None)
    return out


#: Rows per frame of the deck cache. One marshal.dumps of a whole 50,000-paper deck holds,
#: beside its output, a table of every object it wrote (marshal's shared references) and a
#: growing buffer: ~80 MiB more than the 29 MiB it makes, at the peak the TUI's memory bound
#: counts. Frames of a few thousand rows, each a row of its own written as it is made, keep
#: only one frame's bytes and table at a time. (A frame's layout: studydeck/frames.py.)
_FRAME_ROWS = 4096


#: A frame to write: the fingerprint of its rows, and its bytes when they must be written.
Frame = tuple[str, Callable[[], bytes]]


def _fingerprint(rows: Any) -> str:
    """A digest of the rows' values. Not of the bytes written: marshal's format 3 and up
    marks an object it may meet again (a shared string) by its reference count and
    interning, which differ between two makings of the same rows; format 2 writes values
    only (and without the table of objects seen, it is quicker)."""
    return digests.blake2b(marshal.dumps(rows, 2), digest_size=16).hexdigest()


def _header(
    name: str,
    diags: Iterable[Diagnostic],
    sources: Iterable[str],
    table: Iterable[tuple[Any, ...]] = (),
) -> tuple[Any, ...]:
    """The head's header: tag, the table of the files' segments (see segments.py), name,
    diagnostics, sources."""
    diag_rows = [(d.path, d.line, d.severity, d.message) for d in diags]
    return (_TAG, list(table), name, diag_rows, list(sources))


def _from_frames(head: bytes | None, frames: list[tuple[str, bytes]]) -> Deck | None:
    """The cached deck, or None when it is stale or damaged (then the notes are parsed):
    from a head (:func:`_header` and the fingerprints of its frames) and its frame rows
    (fingerprint, bytes), in order. Only the frames' light parts are read now (see
    frames.py), their bytes all checked; each frame's bytes are kept for its heavy part."""
    if head is None:
        return None
    try:
        tag, table, name, raw_diags, sources, sums = marshal.loads(head)
        # (the table of the files' segments: only an edit reads it, see segments.py)
        if tag != _TAG or not isinstance(table, list):
            return None
        if [t for t, _ in frames] != sums:  # frames of another write, or missing
            return None
        rows = _Columns([data for _, data in frames])
        diags = tuple(
            Diagnostic(path=p, line=ln, severity=sev, message=m) for p, ln, sev, m in raw_diags
        )
    except (ValueError, EOFError, TypeError, KeyError, IndexError, AttributeError):
        return None
    return _CachedDeck.of(name, rows, diags, tuple(sources))


_KINDS = {k.value: k for k in CardKind}


class _Columns(Columns):
    """A cached deck's rows. The open checked all their bytes (a CRC); a heavy chunk found
    of another shape when read can only be another program's writing, and by then the deck
    is in use: one clear error, and the way out."""

    def _chunk(self, k: int) -> tuple[list[Sequence[Any]], Sequence[str]]:
        try:
            return super()._chunk(k)
        except Damaged:
            raise StudydeckError(
                "the deck cache in the review store is damaged",
                hint="change any notes file (a blank line will do) and open the notes "
                "again: what is damaged is then read from the notes",
            ) from None


@lru_cache(maxsize=1)
def _questions() -> dict[str, str]:
    return {v: QUESTIONS[k] for v, k in _KINDS.items()}


def with_corrections(deck: Deck, corrections: Corrections) -> Deck:
    """:func:`studydeck.carding.with_corrections`, imported only when there are any."""
    if not corrections:
        return deck
    from studydeck.carding import with_corrections as corrected

    return corrected(deck, corrections)


def _paper(values: Sequence[Any]) -> Paper:
    d = dict(zip(_PAPER_FIELDS, values, strict=True))
    if values[_FIG]:
        d["figures"] = tuple([Figure(src=s, alt=a) for s, a in values[_FIG]])
    return Paper(**d)


class _CachedDeck(Deck):
    """A deck read from the cache (or made from an edited deck's rows). Its papers and
    cards are made from the stored rows when first read, one by one, so a warm start
    (today's plan needs only ids and keys, then the first card) and ``stats`` never build
    the tens of thousands of ``Card`` objects. Each is made once: a card read early is the
    same object in ``cards`` later. Once ``papers`` (``cards``) has been read in full, its
    rows are dropped. The rows: ``frames.Columns`` (read from the cache: what is not asked
    for is not even unmarshalled) or ``frames.RowLists``."""

    # Not a dataclass of its own: ``papers`` and ``cards`` here shadow Deck's fields.
    @classmethod
    def of(
        cls,
        name: str,
        rows: Columns | RowLists,
        diagnostics: tuple[Diagnostic, ...],
        sources: tuple[str, ...],
    ) -> _CachedDeck:
        deck = object.__new__(cls)
        object.__setattr__(deck, "name", name)
        object.__setattr__(deck, "diagnostics", diagnostics)
        object.__setattr__(deck, "sources", sources)
        deck.__dict__.update(_raw_papers=rows, _raw_cards=rows, _made_papers={}, _made_cards={})
        return deck

    # ``_raw_papers`` and ``_raw_cards``: the same rows, each name dropped once its objects
    # are all built. A home or stats worker thread may read these while the UI thread reads
    # ``cards`` in full: each method takes the rows (never changed, only dropped) in one read.
    def _paper_at(self, i: int) -> Paper:
        d = self.__dict__
        made: dict[int, Paper] | None = d.get("_made_papers")
        raw: Columns | RowLists | None = d.get("_raw_papers")
        if made is None or raw is None:
            return self.papers[i]
        got = made.get(i)
        if got is None:
            got = made[i] = _paper(raw.paper_row(i))
        return got

    def _card_at(self, j: int) -> Card:
        d = self.__dict__
        made: dict[int, Card] | None = d.get("_made_cards")
        raw: Columns | RowLists | None = d.get("_raw_cards")
        if made is None or raw is None:
            return self.cards[j]
        got = made.get(j)
        if got is None:
            i, cid, kind, back = raw.card_row(j)
            got = made[j] = Card(
                id=cid,
                kind=_KINDS[kind],
                paper=self._paper_at(i),
                question=_questions()[kind],
                back=back,
            )
        return got

    def _has_rows(self) -> bool:
        return "_raw_papers" in self.__dict__ and "_raw_cards" in self.__dict__

    def _signature(self) -> Signature:
        """``store.reconcile.signature`` of this deck, from its rows (see :meth:`_has_rows`)."""
        d = self.__dict__
        signed: Signature | None = d.get("_signed")  # an edited deck's, kept per file
        if signed is not None:
            return signed
        papers, cards = d["_raw_papers"].all_rows()
        return row_signature(papers, cards, _PAPER_FIELDS)

    def _select(self, keys: set[str] | None) -> tuple[Sequence[Paper], Sequence[Card]]:
        """The papers and cards of ``keys`` (all for None), in deck order."""
        raw: Columns | RowLists | None = self.__dict__.get("_raw_cards")
        if keys is None or raw is None:
            if keys is None:
                return self.papers, self.cards
            return (
                [p for p in self.papers if p.key in keys],
                [c for c in self.cards if c.paper.key in keys],
            )
        wanted = [k in keys for k in self._paper_column("key")]
        papers: Sequence[Paper] = [self._paper_at(i) for i, w in enumerate(wanted) if w]
        cards: Sequence[Card] = [
            self._card_at(j) for j, i in enumerate(raw.card_column(0)) if wanted[i]
        ]
        return papers, cards

    def _paper_column(self, name: str) -> list[Any]:
        raw: Columns | RowLists | None = self.__dict__.get("_raw_papers")
        if raw is None:
            return [getattr(p, name) for p in self.papers]
        return raw.column(name)

    @cached_property
    def papers(self) -> tuple[Paper, ...]:
        raw: Columns | RowLists = self.__dict__["_raw_papers"]
        made: dict[int, Paper] = self.__dict__["_made_papers"]
        # All at once (the quiz, browse, an export): with the collector paused (tens of
        # thousands of new objects would set off full passes over everything loaded), and
        # without the one-by-one bookkeeping for rows none of which was read yet.
        with gc_paused():
            if made:
                out = tuple([self._paper_at(i) for i in range(raw.n_papers)])
            else:
                out = tuple([_paper(row) for row in raw.all_rows()[0]])
        self.__dict__["papers"] = out
        self.__dict__.pop("_raw_papers", None)
        self.__dict__.pop("_made_papers", None)
        return out

    @cached_property
    def cards(self) -> tuple[Card, ...]:
        raw: Columns | RowLists = self.__dict__["_raw_cards"]
        made: dict[int, Card] = self.__dict__["_made_cards"]
        with gc_paused():
            if made:
                out = tuple([self._card_at(j) for j in range(raw.n_cards)])
            else:
                papers = self.papers
                questions = _questions()
                out = tuple(
                    [
                        Card(
                            id=cid,
                            kind=_KINDS[kind],
                            paper=papers[i],
                            question=questions[kind],
                            back=back,
                        )
                        for i, cid, kind, back in raw.card_rows()
                    ]
                )
        self.__dict__["cards"] = out
        for name in ("_raw_cards", "_made_cards", "_row_of"):
            self.__dict__.pop(name, None)
        return out

    @property
    def paper_count(self) -> int:
        raw: Columns | RowLists | None = self.__dict__.get("_raw_papers")
        return len(self.papers) if raw is None else raw.n_papers

    @property
    def card_count(self) -> int:
        raw: Columns | RowLists | None = self.__dict__.get("_raw_cards")
        return len(self.cards) if raw is None else raw.n_cards

    def card_keys(self) -> list[tuple[str, str]]:
        raw: Columns | RowLists | None = self.__dict__.get("_raw_cards")
        if raw is None:
            return super().card_keys()
        keys = self._paper_column("key")
        return [
            (cid, keys[i]) for i, cid in zip(raw.card_column(0), raw.card_column(1), strict=True)
        ]

    def card_keywords(self) -> list[tuple[str, tuple[str, ...]]]:
        raw: Columns | RowLists | None = self.__dict__.get("_raw_cards")
        if raw is None:
            return super().card_keywords()
        kws = self._paper_column("keywords")
        return [
            (cid, kws[i]) for i, cid in zip(raw.card_column(0), raw.card_column(1), strict=True)
        ]

    def cards_by_id(self, ids: Iterable[str]) -> dict[str, Card]:
        d = self.__dict__
        raw: Columns | RowLists | None = d.get("_raw_cards")
        if raw is None:
            return super().cards_by_id(ids)
        row_of: dict[str, int] | None = d.get("_row_of")
        if row_of is None:
            row_of = d["_row_of"] = {cid: j for j, cid in enumerate(raw.card_column(1))}
        return {cid: self._card_at(row_of[cid]) for cid in ids if cid in row_of}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Deck):
            return NotImplemented
        return Deck.__eq__(_plain(self), _plain(other))

    def __hash__(self) -> int:
        return hash(_plain(self))

    # --- quiz accessors ---
    # (Deck's, answered from the stored rows: a quiz makes a Paper or Card only for what
    # it shows. Through _paper_at/_card_at/_paper_column, which fall back to the built
    # objects once those exist.)
    def paper_at(self, i: int) -> Paper:
        return self._paper_at(i)

    def card_at(self, j: int) -> Card:
        return self._card_at(j)

    def paper_column(self, name: str) -> list[Any]:
        if name == "figures":
            return super().paper_column(name)  # (refused there: stored as pairs here)
        return self._paper_column(name)

    def papers_with_figures(self) -> list[bool]:
        return [bool(f) for f in self._paper_column("figures")]

    def card_backs(self) -> list[str]:
        return self._card_column(3, super().card_backs)

    def card_papers(self) -> list[int]:
        return self._card_column(0, super().card_papers)

    def card_ids(self) -> list[str]:
        return self._card_column(1, super().card_ids)

    def card_kinds(self) -> list[str]:
        return self._card_column(2, super().card_kinds)

    def _card_column(self, k: int, built: Callable[[], list[Any]]) -> list[Any]:
        # (paper index, id, kind, back). Without the rows (all cards built): ``built()``.
        rows: Columns | RowLists | None = self.__dict__.get("_raw_cards")
        if rows is None:
            return built()
        return rows.card_column(k)

    def stored_texts(self) -> Columns | None:
        """The rows read from the cache (their search parts: browse), else None."""
        rows = self.__dict__.get("_raw_cards")
        return rows if isinstance(rows, Columns) else None


def _plain(deck: Deck) -> Deck:
    """The same deck as a plain ``Deck`` (for equality with decks that were parsed)."""
    if type(deck) is Deck:
        return deck
    return Deck(
        name=deck.name,
        papers=deck.papers,
        cards=deck.cards,
        diagnostics=deck.diagnostics,
        sources=deck.sources,
    )


def broken_file(deck: Deck, before: Deck) -> Diagnostic | None:
    """The error of a file that gave papers in ``before`` and gives none in ``deck`` for
    it (no table found, an empty or unreadable file: its header broken in an edit), else
    None. Such a file's papers are not retired on its word."""
    had = set(before.paper_column("source"))
    has = set(deck.paper_column("source"))
    for d in deck.diagnostics:
        if d.severity == "error" and d.path in had and d.path not in has:
            return d
    return None


def open_deck(
    store: Store, paths: Sequence[Path], now: datetime, before: Deck | None = None
) -> tuple[Deck, ReconcileReport]:
    """Read the deck, from the cache when its files have not changed, and reconcile the
    store with it (new, renamed, retired cards). The cache is written only after the
    reconcile has committed, so a cached deck is always one the store knows; it records
    the corrections the store was reconciled with, so a new correction (``m``) reconciles
    without parsing the notes again. ``before``: the deck read last (an edit's reload):
    a file it had papers from that now gives none for an error is refused
    (:func:`broken_file`, a :class:`StudydeckError`), nothing reconciled."""
    found = find_files(paths)
    files = found.files
    # The cache holds the cards as the classifier made them; the user's corrections are
    # applied on top, so a correction never needs the notes parsed again.
    corrections = store.corrections()
    digest = _digest(corrections)
    # Skipped entries are part of the key: their warnings are cached with the deck.
    key = "\n".join([*(str(f.resolve()) for f in files), *(d.path for d in found.skipped)])
    stats = _stat_print(files)
    old = store.cache_fingerprint(key)
    known: Known | None = None
    first = True

    def reconcile(d: Deck) -> ReconcileReport:
        nonlocal known, first
        if first:  # read only when there is something to reconcile
            known, first = _known(store, key), False
        report = _reconcile(store, d, now, known)
        known = Known(report.token, d.sources, report.signature)
        return report

    shas: list[str | None] | None = None
    damaged = False
    if old is not None:
        fp = json.loads(old)
        if fp.get("stat") != stats:
            shas = _hashes(files)
        if fp.get("stat") == stats or fp.get("sha") == shas:
            with gc_paused():
                deck = _from_frames(store.cached_deck(key, old), store.deck_frames(key))
            # The same files named otherwise (another working folder, a relative name for
            # an absolute one): each paper keeps the name its file was read by (the editor,
            # its figures), so the notes are read again under these names.
            renamed = deck is not None and deck.sources != tuple(map(str, files))
            if deck is not None and not renamed:
                fixed = with_corrections(deck, corrections)
                report = ReconcileReport()
                # The store has not seen these cards: new corrections, or another deck was
                # reconciled since this one (it may have moved papers to its own files).
                if fp.get("corrections", "") != digest or not _reconciled_last(store, key):
                    report = reconcile(fixed)
                    _remember(store, key, known)
                if fp["stat"] != stats or fp.get("corrections", "") != digest:
                    fp["stat"], fp["corrections"] = stats, digest
                    store.refingerprint_deck_cache(key, json.dumps(fp))
                return fixed, report
            damaged = not renamed
    # Re-read (and card) only the files, and in them the stretches, that changed since the
    # last parse.
    from studydeck import segments  # (the parser's imports: only on a miss)
    from studydeck.deck import deck_name
    from studydeck.incremental import FileCaches, paper_card_rows

    # The cyclic GC paused throughout, not only while parsing: the rows, signature and cache
    # frames made here hold no cycles, but their numbers set off full collections over
    # everything alive (at 50,000 papers a few tenths of a second each).
    with gc_paused():
        if shas is None:
            shas = _hashes(files)
        kept: dict[tuple[str, str], segments.Segment] = {}
        if old is not None and not damaged:
            wanted = {str(f): h for f, h in zip(files, shas, strict=True) if h}
            kept = segments.kept(store, key, store.cached_deck(key, old), _TAG, wanted)
        blocks = FileCaches(store)
        segs, diags = segments.read(files, found.skipped, shas, kept, blocks.parse)
        del kept
        # Parse results, whatever the store makes of them: saved (each file's as it is
        # parsed) before the deck's rows are made.
        blocks.save()
        # The deck as the cache's rows, which a hit reads too: no Paper or Card is built
        # for the tens of thousands of rows an edit did not change (the reconcile builds
        # those of the papers it reads, the first screen those it shows).
        rows, cards, signed, more = segments.settle(segs, paper_card_rows)
        for seg in segs:  # what the files read again were settled as, with their stretches
            if seg.settled is not None:
                blocks.remember(seg.path, seg.settled)
                seg.settled = None
        name = deck_name([s.title for s in segs], files)
        diags.extend(more)
        diags.sort(key=lambda d: (d.path, d.line))
        deck = _CachedDeck.of(
            name, RowLists(rows, cards), tuple(diags), tuple(str(f) for f in files)
        )
        deck.__dict__["_signed"] = signed
        fixed = with_corrections(deck, corrections)
        if before is not None and (broken := broken_file(fixed, before)) is not None:
            raise StudydeckError(
                f"{broken.message}; the cards are kept as they were",
                path=broken.path,
                line=broken.line,
                hint="fix the file and reload",
            )
        report = reconcile(fixed)
        if report.renamed and corrections:  # the renamed papers' corrections now have new keys
            corrections = store.corrections()
            digest = _digest(corrections)
            fixed = with_corrections(deck, corrections)
            report = report.then(reconcile(fixed))
        # (not kept with the deck for the session: ~5 MiB at 50,000 papers)
        deck.__dict__.pop("_signed", None)
        fp = {"stat": stats, "sha": shas, "corrections": digest}
        frames: list[Frame] = []
        facts: list[Frame] = []
        table = []
        for seg in segs:
            frames += seg.frames(_FRAME_ROWS, _fingerprint)
            assert seg.sums is not None
            sum_ = _fingerprint((seg.path, seg.sha, seg.sums))
            facts.append((sum_, partial(seg.facts, signed)))
            table.append(seg.entry(sum_))
        header = _header(name, diags, [str(f) for f in files], table)
        # Frames (facts) already stored as they are now are not written again (a one-row
        # edit changes those of one file of a 50,000-paper deck's five), unless the cache
        # read was damaged.
        store.save_deck_frames(
            key,
            json.dumps(fp),
            lambda sums: marshal.dumps((*header, sums)),
            frames,
            reuse=not damaged,
            facts=facts,
        )
        _remember(store, key, known)
    return fixed, report


def _reconcile(store: Store, deck: Deck, now: datetime, known: Known | None) -> ReconcileReport:
    """The store reconciled with ``deck``; a deck still holding its rows is signed from
    them, and builds only the Papers and Cards of the papers the reconcile reads."""
    if isinstance(deck, _CachedDeck) and deck._has_rows():
        return store.reconcile_signed(deck._signature(), deck._select, deck.sources, now, known)
    return store.reconcile(deck.papers, deck.cards, deck.sources, now, known)


def _reconciled_last(store: Store, key: str) -> bool:
    """Whether this deck is the last one the store was reconciled with."""
    mine = store.cache_fingerprint("reconciled\n" + key)
    return mine is not None and mine == store.last_reconcile()


def _known(store: Store, key: str) -> Known | None:
    """The deck the store was reconciled with when this deck was last opened (its token
    tells the reconcile whether another one has run since)."""
    row = "reconciled\n" + key
    token = store.cache_fingerprint(row)
    blob = store.cached_deck(row, token) if token is not None else None
    try:
        tag, sources, papers = marshal.loads(blob) if blob else (None, (), {})
        if tag != _TAG or token is None or not isinstance(papers, dict):
            return None
        return Known(token, tuple(sources), papers)
    except (ValueError, EOFError, TypeError):  # a damaged row: reconcile in full
        return None


def _remember(store: Store, key: str, known: Known | None) -> None:
    if known is not None:
        data = marshal.dumps((_TAG, list(known.sources), dict(known.papers)))
        store.save_deck_cache("reconciled\n" + key, known.token, data)


def _digest(corrections: Corrections) -> str:
    if not corrections:
        return ""
    items = sorted((k, s, v.value) for (k, s), v in corrections.items())
    return digests.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()
