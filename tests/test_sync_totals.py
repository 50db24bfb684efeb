"""A sync or rebuild that writes the whole review table in bulk (a fresh store, a store whose
rows were lost) counts each card's totals from the rows it holds and writes them with the
card's state, and the answers by day and grade too: the same totals as the triggers keep row
by row, and as the table's own count gives (:func:`studydeck.store.schema.count_review_totals`)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import studydeck.store.events as store_events
from studydeck.replay import Event
from studydeck.store import Store
from studydeck.store.schema import count_review_totals

from .test_sync_rebuild import tables
from .test_sync_rows import KEYS, logs

UNANSWERED = "p3/insight"
"""A card no event names: never replayed, so its totals stay none."""


def with_cards(path: Path) -> Store:
    store = Store.open(path)
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO cards (cid, card_id, paper_key, kind, added) VALUES (?, ?, ?, ?, '')",
            [(i + 1, k, *k.split("/")) for i, k in enumerate([*KEYS, UNANSWERED])],
        )
    return store


@contextmanager
def bulk_from(rows: int) -> Iterator[None]:
    """Writes of ``rows`` rows or more go in bulk meanwhile (1: every one; a lot: none), and
    so does every read (the events and rows of all cards read at once, not card by card).
    With 1, the rows inserted in bulk go 3 a statement (some statements full, the last one
    not)."""
    was = store_events.BULK, store_events.SCAN, store_events.ROWS
    store_events.BULK, store_events.SCAN = rows, 0 if rows == 1 else was[1]
    if rows == 1:
        store_events.ROWS = 3
    try:
        yield
    finally:
        store_events.BULK, store_events.SCAN, store_events.ROWS = was


def damage(store: Store) -> None:
    """A card no event names given totals, and a day no answer was on given one."""
    with store.transaction() as c:
        c.execute("UPDATE cards SET answered = 7, passed = 3 WHERE card_id = ?", (UNANSWERED,))
        c.execute("INSERT OR REPLACE INTO review_days VALUES ('1999-01-01', 4, 2)")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=logs(), lost_by=st.sampled_from(["delete", "zero"]))
def test_totals_counted_from_the_rows_in_hand_equal_the_triggers_and_the_tables_count(
    events: list[Event], lost_by: str
) -> None:
    with tempfile.TemporaryDirectory() as d:
        in_bulk, row_by_row = with_cards(Path(d) / "bulk.db"), with_cards(Path(d) / "rows.db")
        with bulk_from(10**9):
            row_by_row.add_events(events)  # each row through the triggers
        expected = tables(row_by_row)
        if expected[1]:  # a card no event names, with a wrong total: counted again too
            damage(in_bulk)
        with bulk_from(1):
            in_bulk.add_events(events)  # a fresh store: every row written at once
        assert tables(in_bulk) == expected

        # The rows lost (their totals with them, or left wrong), and a card never replayed
        # given a wrong total: a rebuild writes every row again and counts them all.
        with in_bulk.transaction() as c:
            if lost_by == "delete":
                c.execute("DELETE FROM reviews")  # (the triggers take the totals down)
            else:
                c.execute("DROP TRIGGER reviews_card_out")
                c.execute("DELETE FROM reviews")  # the cards' totals left as they were
        damage(in_bulk)
        if lost_by == "zero":  # (the trigger back, as the store had it)
            with row_by_row.transaction() as c:
                sql = c.execute(
                    "SELECT sql FROM sqlite_master WHERE name = 'reviews_card_out'"
                ).fetchone()[0]
            with in_bulk.transaction() as c:
                c.execute(sql)
        with bulk_from(1):
            in_bulk.rebuild()
        if expected[1]:  # (with no answer there is no row to write, and nothing is counted)
            assert tables(in_bulk) == expected
            with in_bulk.transaction() as c:
                count_review_totals(c)  # the table's own count: the same
            assert tables(in_bulk) == expected
        in_bulk.close()
        row_by_row.close()
