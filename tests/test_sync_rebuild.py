"""`studydeck sync --rebuild` writes only what the log says differs: a store that is up to date
is left untouched, and a damaged one comes out exactly as a store built afresh from the log."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import studydeck.store.events as store_events
from studydeck.replay import Event
from studydeck.store import Store

from .test_sync_rows import KEYS, logs

DAMAGES = [
    "DELETE FROM reviews WHERE id = (SELECT min(id) FROM reviews)",
    "UPDATE reviews SET quality = 5 - quality WHERE id = (SELECT max(id) FROM reviews)",
    "UPDATE reviews SET was_new = 1 - was_new WHERE id = (SELECT min(id) FROM reviews)",
    "UPDATE cards SET due = '2001-01-01' WHERE cid = 1",
    "UPDATE cards SET suspended = 1 - suspended WHERE cid = 2",
    "UPDATE cards SET buried_until = '2030-01-01' WHERE cid = 3",
    "INSERT INTO reviews (cid, at, day, quality, duration_ms, repeat, was_new, event_id) "
    "VALUES (3, '2026-01-01T00:00:00.000Z', '2026-01-01', 4, 0, 0, 1, 'none')",
]


def with_cards(path: Path) -> Store:
    store = Store.open(path)
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO cards (cid, card_id, paper_key, kind, added) VALUES (?, ?, ?, ?, '')",
            [(i + 1, k, *k.split("/")) for i, k in enumerate(KEYS)],
        )
    return store


def tables(store: Store) -> tuple[object, ...]:
    """Everything a rebuild writes: each card's columns, each card's review rows in id order,
    and the running totals."""
    return (
        store.tuples("SELECT * FROM cards ORDER BY cid"),
        store.tuples(
            "SELECT cid, at, day, quality, duration_ms, repeat, was_new, event_id "
            "FROM reviews ORDER BY cid, id"
        ),
        store.tuples("SELECT * FROM review_days ORDER BY day, quality"),
    )


@pytest.mark.parametrize("bulk", [5000, 1])  # row by row, and with indexes and triggers off
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=logs(),
    damages=st.lists(st.sampled_from(DAMAGES), max_size=3),
    every=st.booleans(),
)
def test_a_damaged_store_is_rebuilt_as_a_fresh_one_and_a_sound_one_is_not_written(
    bulk: int, events: list[Event], damages: list[str], every: bool
) -> None:
    was = store_events.BULK
    store_events.BULK = bulk
    try:
        with tempfile.TemporaryDirectory() as d:
            fresh, used = with_cards(Path(d) / "fresh.db"), with_cards(Path(d) / "used.db")
            fresh.add_events(events)
            used.add_events(events)
            expected = tables(fresh)

            with used.transaction() as c:
                before = c.total_changes
            used.rebuild()  # up to date: nothing to write
            with used.transaction() as c:
                assert c.total_changes == before
            assert tables(used) == expected

            with used.transaction() as c:
                for sql in damages:
                    c.execute(sql)
            used.rebuild(None if every else KEYS)
            assert tables(used) == expected
            # one card's rows stay in time order (undo takes back only the last)
            rows = used.tuples("SELECT cid, at, event_id FROM reviews ORDER BY cid, id")
            assert rows == sorted(rows)
            fresh.close()
            used.close()
    finally:
        store_events.BULK = was
