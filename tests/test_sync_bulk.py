"""A sync that adds thousands of events writes them, and the review rows and states they make,
in bulk: one transaction, indexes and triggers off and made again, totals counted once, no
per-row check that a review row's card exists. The store it gives must be the store that
adding the same events one by one gives (every table, every index and trigger), and a sync
that fails halfway must leave the store as it was."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import studydeck.store.events as store_events
from studydeck.errors import StudydeckError
from studydeck.replay import Event
from studydeck.store import Store
from studydeck.store.schema import utc_text
from studydeck.sync import LOG_DIR, sync, to_line

from .test_sync_rows import KEYS, T0, logs
from .test_sync_totals import bulk_from, with_cards

T0_TEXT = utc_text(T0)


def everything(store: Store) -> dict[str, object]:
    """Every table's rows (the review rows by card, in the order they were written; their
    row ids aside, which a rebuild renumbers), every index's and trigger's SQL, whether
    the store checks that a review row's card exists, and that its indexes are sound."""
    got: dict[str, object] = {
        "schema": store.tuples(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type != 'table' "
            "ORDER BY name"
        ),
        "foreign_keys": store.tuples("PRAGMA foreign_keys"),
        "orphans": store.tuples("PRAGMA foreign_key_check"),
        # (every index holds its table's rows: one dropped for a bulk write and made again)
        "integrity": store.tuples("PRAGMA integrity_check"),
    }
    for (table,) in store.tuples("SELECT name FROM sqlite_master WHERE type = 'table'"):
        cols = [r[1] for r in store.tuples(f"PRAGMA table_info({table})") if r[1] != "id"]
        if table in ("reviews", "quiz_log"):
            order = "cid, id" if table == "reviews" else "id"
        else:
            order = ", ".join(cols)
        got[table] = store.tuples(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {order}")
    return got


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=logs(), cut=st.integers(0, 30), here=st.booleans(), twice=st.booleans())
def test_events_added_in_bulk_make_the_store_that_adding_them_row_by_row_makes(
    events: list[Event], cut: int, here: bool, twice: bool
) -> None:
    """Two syncs (the first ``cut`` lines, then all): the second adds to a used store.
    ``here``: some events are this device's, made before it had a name (no device).
    ``twice``: an id comes twice, on another line too (the first one is kept)."""
    if here:
        events = [e._replace(device="") if i % 2 else e for i, e in enumerate(events)]
    if twice and events:
        events = [*events, events[0]._replace(quality=5 - events[0].quality, at=T0_TEXT)]
    with tempfile.TemporaryDirectory() as d:
        row_by_row, in_bulk = with_cards(Path(d) / "rows.db"), with_cards(Path(d) / "bulk.db")
        with bulk_from(10**9):  # every row through the indexes and triggers, and checked
            row_by_row.add_events(events[:cut])
            row_by_row.add_events(events)
        with bulk_from(1):
            in_bulk.add_events(events[:cut])
            in_bulk.add_events(events)
        assert everything(in_bulk) == everything(row_by_row)
        # `sync --rebuild`: every card replayed from the log; of the bulk store, once its
        # rows are lost (all written again).
        with bulk_from(10**9):
            row_by_row.rebuild()
        with bulk_from(1):
            with in_bulk.transaction() as c:
                c.execute("DELETE FROM reviews")
            in_bulk.rebuild()
        assert everything(in_bulk) == everything(row_by_row)
        row_by_row.close()
        in_bulk.close()


class Killed(Exception):
    """A kill while the review rows are written."""


@pytest.mark.parametrize("fresh", [True, False], ids=["into a fresh store", "into a used one"])
def test_a_sync_killed_while_writing_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: bool
) -> None:
    events = [
        Event(f"{i:03d}", f"2026-03-{2 + i // 3:02d}T08:00:00.000Z", f"2026-03-{2 + i // 3:02d}",
              "answer", KEYS[i % 3], 4, 900)
        for i in range(12)
    ]  # fmt: skip
    store, whole = with_cards(tmp_path / "killed.db"), with_cards(tmp_path / "whole.db")
    if not fresh:
        store.add_events(events[:3])
        whole.add_events(events[:3])
    before = everything(store)

    def killed(*args: object, **kwargs: object) -> None:
        raise Killed

    with bulk_from(1):
        monkeypatch.setattr(store_events, "_write_reviews", killed)
        with pytest.raises(Killed):
            store.add_events(events)
        assert everything(store) == before  # no event, state, row or total of this sync
        monkeypatch.undo()
        store.add_events(events)  # the next sync finds them all new again
        whole.add_events(events)
    assert everything(store) == everything(whole)
    assert store.tuples("PRAGMA foreign_keys") == [(1,)]
    with pytest.raises(StudydeckError), store.transaction() as c:
        c.execute(
            "INSERT INTO reviews (cid, at, day, quality, duration_ms, repeat, was_new) "
            "VALUES (99, '', '', 4, 0, 0, 0)"
        )  # (the store still refuses a review row of no card)
    store.close()
    whole.close()


def test_a_sync_counts_what_came_from_each_device_and_lines_naming_none(tmp_path: Path) -> None:
    folder = tmp_path / "notes" / LOG_DIR
    folder.mkdir(parents=True)
    answer = Event("a1", "2026-03-02T08:00:00.000Z", "2026-03-02", "answer", KEYS[1], 4, 9)
    lines = [to_line(answer._replace(id=f"a{i}"), "desk") for i in range(3)]
    unnamed = json.loads(to_line(answer._replace(id="b1"), "x"))
    del unnamed["device"]  # (a line written before devices had names)
    (folder / "desk.jsonl").write_text("".join(lines) + json.dumps(unnamed) + "\n")
    (folder / "tablet.jsonl").write_text(to_line(answer._replace(id="t1"), "tablet"))
    store = with_cards(tmp_path / "store.db")
    report = sync(store, tmp_path / "notes", "laptop")
    assert report.added == {"desk": 3, "tablet": 1, "?": 1}
    assert str(report) == (
        "sync: wrote 0 events, read 5 new (1 from ?, 3 from desk, 1 from tablet); 1 card rebuilt"
    )
    store.close()
