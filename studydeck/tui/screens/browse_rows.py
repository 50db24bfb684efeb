"""Browse's rows without Textual: what a filter matches, what a column sorts by, and the
per-card columns that need the store (state, recall, SM-2), loaded off the UI thread.

A row is an index into the screen's list of cards (the deck's, then the retired ones), so
opening browse builds no object per card: the list of indices, sorted by title, is all.
The search texts and the stored columns are lists in the same order, made once (the texts a
slice at a time, :class:`IndexMaker`; the columns in a worker thread, :func:`load_columns`);
a filter is a few list comprehensions over them (:func:`select`), run by place: in the order
the texts were made (where they lie in memory; the order of the sort browse opens with, so
its result needs no reordering there, else :func:`in_order` puts it in the sort's order)."""

from __future__ import annotations

import weakref
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress
from typing import Any, overload

from studydeck import planner
from studydeck.frames import TEXT_FIELDS, Made, card_text, paper_text, title_key
from studydeck.frames import Columns as StoredRows
from studydeck.models import QUESTIONS, Card, CardKind, Deck, Paper
from studydeck.scheduling import CardState
from studydeck.session import today_log
from studydeck.store import Store
from studydeck.wording import plural

#: Columns whose value comes from the store (loaded in a worker); the others are the deck's.
STORED = frozenset({"state", "recall", "due", "EF", "interval"})


@dataclass(frozen=True)
class Row:
    card: Card
    state: CardState | None

    owes_repeat: bool = False

    def status(self, today: date) -> str:
        """The planner's state of this card (one definition for every screen)."""
        return planner.status(self.state, today, self.owes_repeat)


RETIRED_ROW = "(this row is no longer in the notes; its history is kept)"
RETIRED_CARD = (
    "(its paper's row is still in the notes, but no statement of it is on this card now: "
    "moved to another card, or its cell emptied; its history is kept)"
)


def retired_cards(store: Store, sources: Sequence[str]) -> list[Card]:
    """The deck's retired cards (of its files ``sources``), as rows of their own (their
    history is kept): cards whose paper's row left the notes, and cards left with no
    statement while their paper stayed."""
    out = []
    for cid, kind, key, title, year, source, gone in store.retired_cards(sources):
        where = "(removed from the notes)" if gone else source
        paper = Paper(key=key, title=title, year=year, source=where, line=0)
        out.append(
            Card(
                id=cid,
                kind=CardKind(kind),
                paper=paper,
                question=QUESTIONS[CardKind(kind)],
                back=RETIRED_ROW if gone else RETIRED_CARD,
            )
        )
    return out


@dataclass
class SearchIndex:
    """The casefolded texts free words are looked in: each paper's once (title, short names,
    keywords, notes), each card's own (its back); and each paper's keywords, one per line
    (a typed term holds no line break). A paper's text is not copied into each of its
    cards': a search scans half the text.

    Each card's items are kept by its *place*, in the order the texts were made
    (:attr:`order`), which is where they lie in memory: a search over every row reads the
    lists from first item to last, twice as fast as by row number (a jump in memory at
    each row, when the rows were made in the order of a sort). :meth:`places` maps rows to
    places, :meth:`rows` back."""

    order: Sequence[int]
    """The rows in the order their texts were made: the row at each place."""
    paper_of: list[int]
    """Per place (made so far): its card's paper's number (papers numbered as made)."""
    paper_text: list[str]
    card_text: list[str]
    """Per place (made so far): its card's own text."""
    keywords: list[str | None]
    """Per paper; None: the paper has no keywords (``kw:`` alone matches none of them).
    Made when first asked for, from ``keyword_column`` when given (:meth:`keyword_texts`)."""
    _place: list[int] | None = None
    keyword_column: list[Sequence[str]] | None = None

    def keyword_texts(self) -> list[str | None]:
        col = self.keyword_column
        if col is not None and len(self.keywords) < len(col):
            # (those of the papers added since the last ask: the column grows as made)
            self.keywords += map(keywords_text, col[len(self.keywords) :])
        return self.keywords

    def places(self, rows: Sequence[int]) -> Sequence[int]:
        """The places of ``rows`` (rows whose texts are made)."""
        if rows is self.order:
            return range(len(rows))
        if self.order == range(len(self.order)):  # (texts in notes order: a row is a place)
            return rows
        return list(map(self.place().__getitem__, rows))

    def place(self) -> list[int]:
        """Each row's place (made when first asked for)."""
        if self._place is None:
            place = [0] * len(self.order)
            for at, r in enumerate(self.order):
                place[r] = at
            self._place = place
        return self._place

    def rows(self, places: list[int]) -> list[int]:
        """The rows at ``places``."""
        if self.order == range(len(self.order)):  # (texts in notes order: a place is a row)
            return list(places)
        return list(map(self.order.__getitem__, places))


#: The paper columns a search text is made of (see :func:`paper_text`, frames.py's rule:
#: the deck cache's search parts are made by it too).
TEXT_COLUMNS = TEXT_FIELDS
#: Every column the search texts are made from (:class:`IndexMaker`).
INDEX_COLUMNS = ("back", "paper", *TEXT_COLUMNS)


def _paper_text(p: Paper) -> str:
    return paper_text(p.title, p.short_name, p.contribution, p.keywords, p.notes)


def search_text(card: Card) -> str:
    """What free words are looked for in: title, short names, keywords, notes, the card
    (a free term holds no space, so it matches this text exactly when it matches one of
    its parts: the paper's or the card's)."""
    return _paper_text(card.paper) + " " + card_text(card.back)


def keywords_text(keywords: Sequence[str]) -> str | None:
    """A paper's keywords as ``kw:`` looks in them: casefolded, one per line (None: none)."""
    return "\n".join(keywords).casefold() if keywords else None


class Cards(Sequence[Card]):
    """Browse's rows: the deck's cards in notes order, then ``extra`` ones (the retired
    cards), read as columns from the deck's accessors (``card_papers``, ``card_ids``, ``card_kinds``,
    ``card_backs``, ``paper_column``): a :class:`Card` is built only for a row asked for
    by its index (one shown, the detail pane, an action), through ``deck.card_at``.

    Each column is read when first needed and kept (:meth:`column`); per card: ``paper``
    (its paper's number), ``id``, ``kind``, ``back``; per paper, any of the paper's fields.
    The extra cards' papers are numbered after the deck's. A worker thread may read the
    deck's part of columns ahead (:meth:`read`) while the UI thread reads (each is put in
    its dict in one step; the deck's lazy reads are safe beside each other)."""

    def __init__(self, deck: Deck | None, extra: Sequence[Card] = ()) -> None:
        self._deck = deck
        self._n = 0 if deck is None else deck.card_count
        self._papers = 0 if deck is None else deck.paper_count
        self._extra: list[Card] = []
        self._extra_paper: list[int] = []
        self._extra_papers: list[Paper] = []
        self._cols: dict[str, list[Any]] = {}
        self._own = {} if deck is None else _kept_columns(deck)
        """The deck's part of each column read so far (it never changes; kept while the
        deck lives, for browse opened again on it)."""
        self.extend(extra)

    def extend(self, cards: Iterable[Card]) -> None:
        """Add ``cards`` after the rows there are (each paper numbered once)."""
        number: dict[int, int] = {}
        for c in cards:
            n = number.get(id(c.paper))
            if n is None:
                n = number[id(c.paper)] = self._papers + len(self._extra_papers)
                self._extra_papers.append(c.paper)
            self._extra.append(c)
            self._extra_paper.append(n)
        self._cols = {}  # every column is longer now

    def __len__(self) -> int:
        return self._n + len(self._extra)

    @property
    def retired(self) -> int:
        """How many rows are retired cards (after the deck's own)."""
        return len(self._extra)

    def total(self) -> str:
        """Every row, as the line under the list counts them: "44 cards (1 retired)" (home
        and stats count the deck's 43 and say "1 retired" beside them)."""
        n = plural(len(self), "card")
        return f"{n} ({self.retired} retired)" if self._extra else n

    @overload
    def __getitem__(self, r: int) -> Card: ...
    @overload
    def __getitem__(self, r: slice) -> Sequence[Card]: ...
    def __getitem__(self, r: int | slice) -> Card | Sequence[Card]:
        if isinstance(r, slice):
            return [self[i] for i in range(*r.indices(len(self)))]
        if r < 0:
            r += len(self)
        if r < self._n:
            assert self._deck is not None
            return self._deck.card_at(r)
        return self._extra[r - self._n]

    def column(self, name: str) -> list[Any]:
        """Per card (``paper``, ``id``, ``kind``, ``back``) or per paper (a paper field)."""
        got = self._cols.get(name)
        if got is None:
            got = self._cols[name] = self._column(name)
        return got

    def read(self, names: Iterable[str]) -> None:
        """Read the deck's part of the columns ``names`` now (e.g. in a worker thread)."""
        for name in names:
            self._deck_column(name)

    def _column(self, name: str) -> list[Any]:
        own, extra = self._deck_column(name), self._extra
        if name == "paper":
            return own + self._extra_paper
        if name == "id":
            return own + [c.id for c in extra]
        if name == "kind":
            return own + [c.kind.value for c in extra]
        if name == "back":
            return own + [c.back for c in extra]
        if name == "title_key":
            return own + [title_key(p.title) for p in self._extra_papers]
        return own + [getattr(p, name) for p in self._extra_papers]

    def stored(self) -> bool:
        """Whether the deck's search texts are stored with it (:meth:`texts` reads them at
        once; else :class:`IndexMaker` makes them)."""
        return self._deck is None or _stored(self._deck) is not None

    def texts(
        self, stored: tuple[list[str], list[str]] | None = None
    ) -> tuple[list[str], list[str]]:
        """Each paper's search text and each row's own: the deck's stored ones
        (:meth:`stored`; ``stored``: as :meth:`stored_texts` read them already), the extra
        rows' made. Not kept: the index copies them."""
        papers, own = self.stored_texts() if stored is None else stored
        papers += map(_paper_text, self._extra_papers)
        own += [card_text(c.back) for c in self._extra]
        return papers, own

    def stored_texts(self) -> tuple[list[str], list[str]]:
        """The deck's stored search texts, decoded (new lists; the deck's rows only: a
        worker thread may read them while the extra rows are added)."""
        deck = self._deck
        rows = None if deck is None else _stored(deck)
        if rows is not None:
            return rows.search()
        if deck is None:
            return [], []
        # (its cards were all built meanwhile, and its rows let go: made from them)
        return list(map(_paper_text, deck.papers)), [card_text(c.back) for c in deck.cards]

    def peek(self) -> SearchIndex | None:
        """The deck's search texts as an index in notes order whose texts are each read or
        made alone when looked at, for the deck's rows (None: no deck). Stored with it: read
        from the cache's bytes (:meth:`~studydeck.frames.Columns.peek`). Not stored (a deck just
        parsed, or read again after an edit) or damaged: made from its paper or card, built
        when asked for. For a walk through a few rows: :class:`FirstRows`."""
        deck = self._deck
        if deck is None:
            return None
        rows = _stored(deck)
        peeked = None if rows is None else rows.peek()
        papers: Sequence[str]
        own: Sequence[str]
        if peeked is not None:
            papers, own = peeked
        else:
            papers = Made(deck.paper_count, lambda i: _paper_text(deck.paper_at(i)))
            own = Made(self._n, lambda j: card_text(deck.card_at(j).back))
        return SearchIndex(
            range(len(own)),
            self._deck_column("paper"),
            papers,  # type: ignore[arg-type]  # (read-only: a Sequence)
            own,  # type: ignore[arg-type]
            [],
            keyword_column=self._deck_column("keywords"),
        )

    def _deck_column(self, name: str) -> list[Any]:
        got = self._own.get(name)
        if got is None:
            got = self._own[name] = [] if self._deck is None else _deck_column(self._deck, name)
        return got


def _stored(deck: Deck) -> StoredRows | None:
    """The deck's rows read from the cache, whose search parts hold its texts."""
    stored: Callable[[], StoredRows | None] | None = getattr(deck, "stored_texts", None)
    return None if stored is None else stored()


_KEPT: list[tuple[weakref.ref[Deck], dict[str, list[Any]]]] = []
"""The last deck's columns read, while that deck lives (the one deck browse opens on)."""


def _kept_columns(deck: Deck) -> dict[str, list[Any]]:
    """The columns of ``deck`` read so far by any :class:`Cards` (to be filled)."""
    if _KEPT and _KEPT[0][0]() is deck:
        return _KEPT[0][1]
    cols: dict[str, list[Any]] = {}
    try:
        ref = weakref.ref(deck, _forget)
    except TypeError:  # (a plain Deck, all slots: its cards are built, its columns cheap)
        return cols
    _KEPT[:] = [(ref, cols)]
    return cols


def _forget(ref: weakref.ref[Deck]) -> None:
    if _KEPT and _KEPT[0][0] is ref:
        _KEPT.clear()


def _deck_column(deck: Deck, name: str) -> list[Any]:
    if name == "paper":
        return deck.card_papers()
    if name == "id":
        return deck.card_ids()
    if name == "kind":
        return deck.card_kinds()
    if name == "back":
        return deck.card_backs()
    if name == "title_key":
        rows = _stored(deck)
        return rows.title_keys() if rows else list(map(title_key, deck.paper_column("title")))
    return deck.paper_column(name)


def rows_of(cards: Sequence[Card]) -> Cards:
    """``cards`` as a :class:`Cards` table (a list of cards: its columns read from them)."""
    return cards if isinstance(cards, Cards) else Cards(None, cards)


class IndexMaker:
    """Makes the search texts of ``cards`` (see :func:`search_text`) a slice at a time, in
    the order of ``order`` (every row once), each paper's once, from the columns of
    ``cards`` (no Card is built). Until :attr:`done`,
    :attr:`index` holds the texts of the first :attr:`made` rows of ``order``: a filter
    may look through those (:func:`select`), and the rows made later add to its result."""

    def __init__(self, cards: Sequence[Card], order: Sequence[int]) -> None:
        self.cards = rows_of(cards)
        self.made = 0
        self._number: dict[int, int] = {}
        self.index = SearchIndex(order, [], [], [], [])

    @property
    def done(self) -> bool:
        return self.made >= len(self.index.order)

    def step(self, count: int) -> Sequence[int]:
        """Make the texts of the next ``count`` rows of the order; return those rows."""
        rows = self.index.order[self.made : self.made + count]
        number = self._number
        of, texts, kws = self.index.paper_of, self.index.paper_text, self.index.keywords
        cards = self.cards
        backs, paper = cards.column("back"), cards.column("paper")
        cols = [cards.column(name) for name in TEXT_COLUMNS]
        keywords = cards.column("keywords")
        self.index.card_text.extend(map(card_text, map(backs.__getitem__, rows)))
        for i in map(paper.__getitem__, rows):
            n = number.get(i)
            if n is None:
                n = number[i] = len(texts)
                texts.append(paper_text(*[c[i] for c in cols]))
                kws.append(keywords_text(keywords[i]))
            of.append(n)
        self.made += len(rows)
        return rows


class StoredMaker:
    """The search texts of ``cards`` read from the deck cache's search parts
    (:meth:`Cards.stored`; ``texts``: :meth:`Cards.texts`, decoded in a worker thread), put
    in the order of ``order`` a slice at a time: the index :class:`IndexMaker` makes (papers
    numbered in the order their first row comes; until :attr:`done`, the first :attr:`made`
    rows'), its texts copied rather than made. Each slice's are copied in that order
    (joined and split: each a new string, made where the last one lies in memory), so a
    filter reads them from first to last, not at a jump for each row (a third faster at
    126k cards); a slice is a few milliseconds on the UI thread (not one long C call in a
    thread, holding the GIL against a key)."""

    def __init__(
        self, cards: Cards, order: Sequence[int], texts: tuple[list[str], list[str]]
    ) -> None:
        self._papers, self._own = texts
        self._paper, self._keywords = cards.column("paper"), cards.column("keywords")
        self._number = [-1] * len(self._papers)
        self.made = 0
        self.index = SearchIndex(order, [], [], [], [], keyword_column=[])

    @property
    def done(self) -> bool:
        return self.made >= len(self.index.order)

    def step(self, count: int) -> Sequence[int]:
        """Copy the texts of the next ``count`` rows of the order; return those rows."""
        index, number = self.index, self._number
        rows = index.order[self.made : self.made + count]
        papers = list(map(self._paper.__getitem__, rows))
        new = [i for i in dict.fromkeys(papers) if number[i] < 0]  # as they first come
        start = len(index.paper_text)
        deque(map(number.__setitem__, new, range(start, start + len(new))), maxlen=0)
        index.paper_text += _copied(self._papers, new)
        assert index.keyword_column is not None
        index.keyword_column += map(self._keywords.__getitem__, new)
        index.paper_of += map(number.__getitem__, papers)
        index.card_text += _copied(self._own, rows)
        self.made += len(rows)
        return rows


class FirstRows:
    """A filter's first rows in the list's order: the list's rows are walked from its first,
    their texts looked at one by one, until the rows wanted match or every row is walked.
    The rows matched so far are the first rows of the filter's result, in its order.
    ``index``: in notes order (:meth:`Cards.peek`, or the texts as decoded, before they
    are read whole in the list's order), or in the list's order itself (its k-th row's
    texts at place k: a key's first rows before its whole result, :meth:`walk`).

    Made from the last one (``last``) for a filter that narrows it (:func:`refine`), it
    looks through the rows that one matched for the terms added, and walks on from where
    it stopped."""

    def __init__(
        self,
        query: str,
        rows: Sequence[int],
        cards: Sequence[Card],
        index: SearchIndex,
        last: FirstRows | None = None,
    ) -> None:
        self.query, self.rows, self._cards, self._index = query, rows, cards, index
        self.matched: list[int] = []
        self.walked = 0
        """The first rows of :attr:`rows` looked through."""
        rest = None if last is None or last.rows is not rows else refine(last.query, query)
        if last is not None and rest is not None:
            self.matched = self._select(last.matched, rest) if rest.split() else last.matched
            self.walked = last.walked

    @property
    def done(self) -> bool:
        return self.walked >= len(self.rows)

    def walk(self, wanted: int, most: int) -> None:
        """Walk on until ``wanted`` rows match or ``most`` more rows are walked."""
        stop = min(len(self.rows), self.walked + most)
        index = self._index
        while len(self.matched) < wanted and self.walked < stop:
            at = self.walked
            self.walked = min(stop, at + self.STEP)
            if index.order is self.rows:  # (the k-th row's texts lie at place k)
                places = range(at, self.walked)
                self.matched += index.rows(
                    select_places(places, self.query, self._cards, index, None)
                )
            else:
                self.matched += self._select(self.rows[at : self.walked], self.query)

    STEP = 256
    """Rows looked through at a time."""

    def _select(self, rows: Sequence[int], query: str) -> list[int]:
        index = self._index
        if not isinstance(index.order, range):  # (in the list's order: places, rows)
            return select(rows, query, self._cards, index, None)
        n = len(index.order)
        # (the deck's rows: a removed card's texts are not stored; it comes with the rest)
        return select_places([r for r in rows if r < n], query, self._cards, index, None)


def notes_index(cards: Cards, texts: tuple[list[str], list[str]]) -> SearchIndex:
    """Every row's search texts, ``texts`` (:meth:`Cards.texts`) as they are: in notes
    order, each paper's by its number in the deck (nothing copied)."""
    papers, own = texts
    return SearchIndex(
        range(len(own)),
        cards.column("paper"),
        papers,
        own,
        [],
        keyword_column=cards.column("keywords"),
    )


def stored_index(cards: Cards, order: Sequence[int]) -> SearchIndex:
    """Every row's search texts in the order of ``order`` (every row once: the list's, so
    a filter's result needs no reordering), from the deck cache's search parts, at once
    (:class:`StoredMaker` in one slice)."""
    maker = StoredMaker(cards, order, cards.texts())
    maker.step(len(order))
    return maker.index


def _copied(texts: list[str], order: Sequence[int]) -> list[str]:
    """``texts`` in the order of ``order``, each a new string made in that order (where
    it lies in memory): joined and split again (listed only, when one holds a NUL)."""
    joined = "\x00".join(map(texts.__getitem__, order)).split("\x00")
    return joined if len(joined) == len(order) else list(map(texts.__getitem__, order))


def search_index(cards: Sequence[Card]) -> SearchIndex:
    """The search texts of ``cards`` (see :func:`search_text`), made at once, in their order."""
    maker = IndexMaker(cards, range(len(cards)))
    maker.step(len(cards))
    return maker.index


def _free(places: Sequence[int], term: str, index: SearchIndex) -> list[int]:
    """The places (of ``index``) whose paper's text or own text holds ``term``."""
    of, texts, own = index.paper_of, index.paper_text, index.card_text
    has: list[bool] | dict[int, bool]
    # Many rows: every paper's text at once; a few (or the texts made so far are more than
    # the rows' papers): only their papers'. (A card is a paper's of two or three.)
    if len(places) * 5 >= len(of):
        has = [term in t for t in texts]
    else:  # a few rows left: look only at their papers
        has = {p: term in texts[p] for p in {of[at] for at in places}}
    return [at for at in places if has[of[at]] or term in own[at]]


def _keyword(places: Sequence[int], value: str, index: SearchIndex) -> list[int]:
    """The places (of ``index``) whose paper has a keyword that holds ``value``."""
    kws, of = index.keyword_texts(), index.paper_of
    return [at for at in places if (k := kws[of[at]]) is not None and value in k]


@dataclass(frozen=True)
class Columns:
    """The stored columns of every card, in the screen's order, as of ``today``."""

    states: list[CardState | None]
    status: list[str]
    recall: list[float | None]


def card_columns(
    store: Store, cid: str, state: CardState | None, today: date, owed: frozenset[str]
) -> tuple[str, float | None]:
    """A card's (id ``cid``) state (the planner's) and predicted recall (the store's policy)."""
    status = planner.status(state, today, cid in owed)
    return status, None if state is None else store.policy.recall(state, today)


def owed_today(store: Store, deck: Deck, today: date) -> frozenset[str]:
    return frozenset(planner.owed_repeats(today_log(store, today, deck)))


def load_columns(store: Store, ids: Sequence[str], today: date, owed: frozenset[str]) -> Columns:
    """The stored columns of the cards ``ids`` (runs in a worker thread: it only reads);
    ``owed``: the cards owed a same-day repeat today (:func:`owed_today`)."""
    stored = store.states()
    states = [stored.get(cid) for cid in ids]
    status: list[str] = []
    recall: list[float | None] = []
    for cid, st in zip(ids, states, strict=True):
        s, r = card_columns(store, cid, st, today, owed)
        status.append(s)
        recall.append(r)
    return Columns(states, status, recall)


def sort_keys(column: str, cards: Sequence[Card], cols: Columns | None) -> Sequence[object]:
    """The key each row sorts by in ``column`` (a stored column needs ``cols``). One list
    comprehension each: a Python loop over 100 000 cards costs more than the sort. From the
    columns of ``cards`` (no Card is built); a paper's key made once for its cards."""
    table = rows_of(cards)
    per_paper: list[object] | None = None
    if column == "paper":
        per_paper = table.column("title_key")  # (stored with the deck: no title is read)
    elif column == "kind":
        return table.column("kind")
    elif column == "year":
        per_paper = [y or 0 for y in table.column("year")]
    elif column == "keywords":
        per_paper = [",".join(k) for k in table.column("keywords")]
    if per_paper is not None:
        return list(map(per_paper.__getitem__, table.column("paper")))
    assert cols is not None, column
    if column == "state":
        return cols.status
    if column == "recall":
        return [-1.0 if r is None else r for r in cols.recall]
    sm2s = [st.sm2 if st else None for st in cols.states]
    if column == "due":
        return [s.due.isoformat() if s and s.due else "~" for s in sm2s]
    if column == "EF":
        return [s.easiness if s else 0.0 for s in sm2s]
    return [s.interval if s else 0 for s in sm2s]


def sort_rows(
    rows: Sequence[int], column: str, cards: Sequence[Card], cols: Columns | None, reverse: bool
) -> list[int]:
    """Stable: rows with equal keys keep their order (notes order), ascending or not."""
    keys = sort_keys(column, cards, cols)
    return sorted(rows, key=keys.__getitem__, reverse=reverse)  # type: ignore[arg-type]


def term_kind(term: str) -> str:
    key, sep, _ = term.partition(":")
    return key if sep and key in ("kw", "keyword", "year", "state", "kind") else ""


def refine(old: str, new: str) -> str | None:
    """The terms of ``new`` still to look for among the rows ``old`` matched, when every card
    ``new`` matches is one ``old`` matched (else None: search every card anew). ``new`` must
    keep every term of ``old`` and may add terms, and only its last shared term may have
    grown (same filter kind: every term narrows as it grows, free words and ``kw:`` being
    substrings, ``year:``, ``state:`` and ``kind:`` prefixes); the rows ``old`` matched hold
    every term it kept, so only the grown term and the added ones are looked for."""
    a, b = old.casefold().split(), new.casefold().split()
    if not a:
        return " ".join(b)
    if len(b) < len(a):
        return None
    if a[:-1] != b[: len(a) - 1]:
        return None
    last_old, last_new = a[-1], b[len(a) - 1]
    if last_old == last_new:
        return " ".join(b[len(a) :])
    kind = term_kind(last_old)
    if kind == term_kind(last_new) and last_new.startswith(last_old):
        return " ".join(b[len(a) - 1 :])
    return None


def ranks(rows: Sequence[int]) -> array[int]:
    """Each row's place in ``rows`` (every row, in the order of a sort)."""
    rank = array("i", bytes(4 * len(rows)))
    for place, r in enumerate(rows):
        rank[r] = place
    return rank


def in_order(hits: Iterable[int], rows: Sequence[int], rank: array[int] | None) -> list[int]:
    """The rows of ``hits`` in the order of ``rows`` (every row, sorted; ``rank``: each
    row's place in it, :func:`ranks`). A filter looks through the rows in notes order, where
    each card's texts lie next to the last one's in memory, three times faster than in the
    order of a sort column; this puts its result back in that order, marking each hit's
    place and reading the marks in one pass, without touching the rows that are not hits.
    With no ``rank`` (not made yet: ~10 ms at 126k cards, more than this costs), each hit's
    row is marked and every row's mark read in the list's order."""
    marks = bytearray(len(rows))
    if rank is None:
        for i in hits:
            marks[i] = 1
        return [r for r in rows if marks[r]]
    for i in hits:
        marks[rank[i]] = 1
    return list(compress(rows, marks))


def needs(query: str) -> tuple[bool, bool]:
    """Whether ``query`` needs the search index, and the stored columns."""
    kinds = {term_kind(t) for t in query.casefold().split()}
    return bool(kinds & {"", "kw", "keyword"}), "state" in kinds


def select(
    rows: Sequence[int],
    query: str,
    cards: Sequence[Card],
    index: SearchIndex | None,
    cols: Columns | None,
) -> list[int]:
    """The rows (in their order) matching ``kw:图像复原 year:2020 state:due free words``:
    all terms must hold; case-insensitive. ``index``/``cols`` are needed as :func:`needs` says.
    """
    if index is None:
        return _select(list(rows), query, cards, None, cols)
    return index.rows(_select(index.places(rows), query, cards, index, cols))


def select_places(
    places: Sequence[int],
    query: str,
    cards: Sequence[Card],
    index: SearchIndex,
    cols: Columns | None,
) -> list[int]:
    """:func:`select` of the rows at ``places`` of ``index``, in places."""
    return _select(places, query, cards, index, cols)


def _select(
    out: Sequence[int],
    query: str,
    cards: Sequence[Card],
    index: SearchIndex | None,
    cols: Columns | None,
) -> list[int]:
    """:func:`select` of rows (no ``index``) or of places of ``index``."""
    row: Callable[[int], int] = int if index is None else index.order.__getitem__
    table = rows_of(cards)
    for term in query.casefold().split():
        kind = term_kind(term)
        value = term.partition(":")[2]
        if kind in ("kw", "keyword"):
            assert index is not None
            out = _keyword(out, value, index)
        elif kind == "year":
            paper = table.column("paper")
            year = [str(y or "").startswith(value) for y in table.column("year")]  # per paper
            out = [i for i in out if year[paper[row(i)]]]
        elif kind == "state":
            assert cols is not None
            status = cols.status
            out = [i for i in out if status[row(i)].startswith(value)]
        elif kind == "kind":
            kinds = table.column("kind")
            out = [i for i in out if kinds[row(i)].startswith(value)]
        else:
            assert index is not None
            out = _free(out, term, index)
    return list(out)


def matches(row: Row, query: str, today: date) -> bool:
    """Whether one row matches ``query`` (see :func:`select`)."""
    index = search_index([row.card])
    cols = Columns([row.state], [row.status(today)], [None])
    return bool(select([0], query, [row.card], index, cols))


@dataclass(frozen=True)
class Filtered:
    """A filter's result: the rows ``query`` matched, in the order of the search texts
    (where a filter looks through them fastest) and in the order of the sort (``shown``)."""

    query: str
    matched: Sequence[int]
    shown: list[int]
    looked: Sequence[int] | None = None
    """The rows the filter looked through, in the order ``matched`` keeps (None: not said)."""
    places: tuple[SearchIndex, list[int]] | None = None
    """The index looked in and the places of ``matched`` in it (a narrower filter looks
    through these)."""


def refilter(
    last: Filtered | None,
    query: str,
    rows: list[int],
    rank: Callable[[], array[int] | None],
    cards: Sequence[Card],
    index: SearchIndex | None,
    cols: Columns | None,
) -> Filtered:
    """The rows ``query`` matches, in the order of ``rows`` (every row, sorted; ``rank()``: its
    :func:`ranks`, asked for only when needed; None: not made, :func:`in_order` does
    without). ``last``: the
    result shown now, if it still holds (same sort, no state changed since); a query that
    narrows it looks only through its rows for the terms it adds (:func:`refine`), and the
    same rows give back ``last.shown`` itself (the list has nothing to redraw)."""
    every = range(len(cards)) if index is None else index.order
    rest = None if last is None else refine(last.query, query)
    places: tuple[SearchIndex, list[int]] | None = None
    if last is None or rest is None:
        looked: Sequence[int] | None = every
        matched: Sequence[int] = every
        if query.split() and index is not None:
            # (looked through by place: a narrower filter goes on from these places)
            at = select_places(range(len(every)), query, cards, index, cols)
            matched, places = index.rows(at), (index, at)
        elif query.split():
            matched = select(every, query, cards, index, cols)
        shown = rows if matched is every else _in_sort(matched, looked, rows, rank)
    elif not rest.split():  # the same terms (a space typed): the same rows
        looked, matched, shown, places = last.looked, last.matched, last.shown, last.places
    else:
        looked = last.looked
        if index is not None and last.places is not None and last.places[0] is index:
            at = select_places(last.places[1], rest, cards, index, cols)
            if len(at) == len(last.places[1]):
                # None dropped (a word typed on): the same places, the same rows.
                matched, places = last.matched, last.places
            else:
                matched, places = index.rows(at), (index, at)
        elif index is not None and len(last.matched) == len(every):
            # It matched every row (found before the texts were made: no places): every
            # place, in the index's order.
            at = select_places(range(len(every)), rest, cards, index, cols)
            looked, matched, places = every, index.rows(at), (index, at)
        else:
            matched = select(last.matched, rest, cards, index, cols)
        if len(matched) == len(last.matched):
            shown = last.shown
        else:
            shown = _in_sort(matched, looked, rows, rank)
    return Filtered(query, matched, shown, looked, places)


def _in_sort(
    matched: Sequence[int],
    looked: Sequence[int] | None,
    rows: list[int],
    rank: Callable[[], array[int] | None],
) -> list[int]:
    """``matched`` (in the order of ``looked``) in the order of ``rows``: as it is when
    those are the same order (the search texts are made in the order of the sort the list
    opens with, and a filter looks through them in that order)."""
    if looked == rows:
        # (the result itself when a list: nothing changes the rows a filter found)
        return matched if isinstance(matched, list) else list(matched)
    return in_order(matched, rows, rank())
