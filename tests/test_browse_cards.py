"""Browse's rows as columns (:class:`Cards`): read from a deck read from the cache, each row
and each column is what the deck's own cards say (checked card by card against them), the
retired cards appended after; no Card is built for a column, and each deck column is read
from the deck once, ahead in a worker or when first needed."""

from __future__ import annotations

import gc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studydeck.loading import open_deck
from studydeck.models import Card, CardKind, Deck, Paper
from studydeck.store import Store
from studydeck.tui.screens import browse_rows
from studydeck.tui.screens.browse_rows import INDEX_COLUMNS, Cards, IndexMaker

from .conftest import SEED

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PAPER_FIELDS = ("title", "short_name", "contribution", "keywords", "notes", "year")


def decks(tmp_path: Path) -> tuple[Deck, Deck]:
    """The seed deck as parsed, and as read from the cache (a second open)."""
    store = Store.open(tmp_path / "s.sqlite3")
    try:
        parsed, _ = open_deck(store, [SEED], NOW)
        cached, _ = open_deck(store, [SEED], NOW)
    finally:
        store.close()
    assert "_made_cards" in cached.__dict__ and "cards" not in cached.__dict__
    return parsed, cached


def retired() -> list[Card]:
    gone = Paper(key="gone", title="Gone Paper", year=2001, source="(removed)", line=0)
    return [
        Card(id=f"h/{k.value}", kind=k, paper=gone, question="?", back=f"was {k.value}")
        for k in (CardKind.INSIGHT, CardKind.CRITIQUE)
    ]


def test_every_row_and_column_is_the_decks_card(tmp_path: Path) -> None:
    parsed, cached = decks(tmp_path)
    rows = Cards(cached)
    rows.column("title")  # read before the retired cards come: made again with them
    rows.column("kind")
    rows.extend(retired())
    expected = list(parsed.cards) + retired()
    assert len(rows) == len(expected) > 2
    ids, kinds, backs, paper = (rows.column(n) for n in ("id", "kind", "back", "paper"))
    fields = {f: rows.column(f) for f in PAPER_FIELDS}
    for j, card in enumerate(expected):
        assert (ids[j], kinds[j], backs[j]) == (card.id, card.kind.value, card.back), j
        for f, values in fields.items():
            assert values[paper[j]] == getattr(card.paper, f), (j, f)
    assert "cards" not in cached.__dict__  # columns built no card
    made = len(cached.__dict__["_made_cards"])
    assert [rows[j] for j in (0, len(expected) - 1, -1)] == [expected[0], *expected[-1:] * 2]
    assert len(cached.__dict__["_made_cards"]) == made + 1  # the one deck card asked for


class Counting:
    """A deck that counts the calls to each of its column accessors."""

    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        got = getattr(self.deck, name)
        if not callable(got):
            return got

        def counted(*args: Any) -> Any:
            self.calls[":".join((name, *map(str, args)))] += 1
            return got(*args)

        return counted


def test_each_deck_column_is_read_once(tmp_path: Path) -> None:
    _, cached = decks(tmp_path)
    deck = Counting(cached)
    rows = Cards(deck)  # type: ignore[arg-type]
    rows.read(INDEX_COLUMNS)  # (in the worker)
    read = dict(deck.calls)
    assert read == {
        "card_backs": 1,
        "card_papers": 1,
        **{f"paper_column:{f}": 1 for f in ("title", "short_name", "contribution", "keywords")},
        "paper_column:notes": 1,
    }
    rows.extend(retired())
    maker = IndexMaker(rows, range(len(rows)))
    while not maker.done:
        maker.step(7)
    assert dict(deck.calls) == read  # the texts made from what was read ahead


def test_a_second_open_on_the_same_deck_reads_no_column_again(tmp_path: Path) -> None:
    """The deck's columns are kept while the deck lives (browse opened again), and only for
    that deck: another deck's are its own, and a deck let go takes its columns with it."""
    parsed, cached = decks(tmp_path)
    deck = Counting(cached)
    Cards(deck).read(INDEX_COLUMNS)  # type: ignore[arg-type]
    read = dict(deck.calls)
    again = Cards(deck)  # type: ignore[arg-type]
    again.read(INDEX_COLUMNS)
    assert again.column("back") == [c.back for c in parsed.cards]
    assert dict(deck.calls) == read
    other = Counting(cached)
    Cards(other).read(["title"])  # type: ignore[arg-type]
    assert dict(other.calls) == {"paper_column:title": 1}
    assert browse_rows._KEPT and browse_rows._KEPT[0][0]() is other
    del other
    gc.collect()
    assert browse_rows._KEPT == []  # its columns let go with it
