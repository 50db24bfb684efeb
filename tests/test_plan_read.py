"""The plan reads every card's row grouped, from the ``cards_plan`` index (schema v7): the
same rows as one read per card, whatever the card ids hold, on new and upgraded stores."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from studydeck.loading import open_deck
from studydeck.planner import row_of
from studydeck.store import Store
from studydeck.store.states import PLAN_COLS, RECALL_COLS, plan_groups

from .conftest import table

START = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
NOTES = table(
    "| 2020 | First Paper | vision | one idea | | 很强。 |",
    "| 2021 | Second Paper | audio | another idea | | 巧妙。 |",
)


def answered_store(tmp_path: Path) -> Path:
    """A store whose deck has cards answered on two days, one of them buried and one never."""
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        deck, _ = open_deck(store, [notes], START)
        cards = [c.id for c in deck.cards]
        for day, grade in ((0, 4), (1, 2)):
            now = START + timedelta(days=day)
            for cid in cards[:-1]:
                store.record_answer(cid, grade, now=now, today=now.date())
        store.bury(cards[0], (START + timedelta(days=3)).date(), START)
    return db


def row_by_row(store: Store) -> dict[str, object]:
    return {cid: row_of(s) for cid, s in store.states().items()}


def ungrouped(store: Store) -> dict[str, object]:
    """What the planner is handed (:func:`plan_groups`), card by card; each card once."""
    groups = plan_groups(store.tuples)
    rows = {cid: row for row, ids in groups for cid in ids}
    assert len(rows) == sum(len(ids) for _, ids in groups)
    return rows


def test_the_grouped_rows_are_the_rows_read_one_by_one(tmp_path: Path) -> None:
    db = answered_store(tmp_path)
    with Store.open(db) as store:
        rows = ungrouped(store)
        assert rows == row_by_row(store) and len(rows) == 4
        # several cards share a row: read as one group, not one SQL row per card
        assert len(set(rows.values())) < len(rows)


def test_a_card_id_holding_the_separator_is_read_whole(tmp_path: Path) -> None:
    db = answered_store(tmp_path)
    with Store.open(db) as store, store.transaction() as c:
        c.execute(
            "INSERT INTO cards (card_id, paper_key, kind, added) "
            "VALUES ('odd\x1fid', 'k', 'insight', '2026-01-01')"
        )
    with Store.open(db) as store:
        rows = ungrouped(store)
        assert "odd\x1fid" in rows and rows == row_by_row(store)
        assert sum(len(ids) for _, ids in store.card_figures().groups) == 5


def test_the_plan_and_stats_read_the_index_in_its_order(tmp_path: Path) -> None:
    """No sort of every card: SQLite walks the covering index and groups as it goes."""
    db = answered_store(tmp_path)
    with Store.open(db) as store:
        for cols in (PLAN_COLS, f"{PLAN_COLS}, {RECALL_COLS}"):
            plan = " / ".join(
                str(r[-1])
                for r in store.tuples(
                    f"EXPLAIN QUERY PLAN SELECT {cols}, count(*), "
                    f"group_concat(card_id, char(31)) FROM cards GROUP BY {cols}"
                )
            )
            assert plan == "SCAN cards USING COVERING INDEX cards_plan"


def test_a_store_from_before_the_index_gets_it(tmp_path: Path) -> None:
    db = answered_store(tmp_path)
    with Store.open(db) as store:
        before = ungrouped(store)
    c = sqlite3.connect(db)
    c.executescript("DROP INDEX cards_plan; PRAGMA user_version = 6")
    c.close()
    with Store.open(db) as store:
        names = {r[0] for r in store.tuples("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "cards_plan" in names
        assert ungrouped(store) == before
