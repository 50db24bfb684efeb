"""Upgrading a store to schema v8 (the review log without state texts and per-card totals)
keeps every review and changes nothing a user sees.

``data/store-v7.sqlite3`` is a store made by studydeck at schema v7 (12 papers answered on 12
days: same-day repeats, undos, a bury, a suspension, a send to review), and
``data/store-v7.json`` what that studydeck computed from it: the stats, every card's state,
every review row, and each card's state once its last answer is undone (on a copy each): as
that undo left it, and as a rebuild from the log then made it.
The code that made them is not this code: these are the expected values, not a re-run."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from studydeck.config import Settings
from studydeck.loading import open_deck
from studydeck.models import Deck
from studydeck.scheduling import PASSING, CardState
from studydeck.stats import compute
from studydeck.store import SCHEMA_VERSION, Store

DATA = Path(__file__).resolve().parent / "data"
EXPECTED = json.loads((DATA / "store-v7.json").read_text(encoding="utf-8"))
TODAY = date.fromisoformat(EXPECTED["today"])
NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 9, 0, tzinfo=UTC)


def upgraded(tmp_path: Path) -> tuple[Store, Deck]:
    for name in ("store-v7.sqlite3", "store-v7-notes.md"):
        shutil.copy(DATA / name, tmp_path / name)
    c = sqlite3.connect(tmp_path / "store-v7.sqlite3")
    assert c.execute("PRAGMA user_version").fetchone()[0] == 7  # what the file is
    c.close()
    store = Store.open(tmp_path / "store-v7.sqlite3")
    deck, _ = open_deck(store, [tmp_path / "store-v7-notes.md"], NOW)
    return store, deck


def state_list(s: CardState) -> list[object]:
    """A state as store-v7.json keeps it."""
    return [
        s.sm2.repetitions,
        s.sm2.easiness,
        s.sm2.interval,
        s.sm2.due.isoformat() if s.sm2.due else None,
        s.lapses,
        s.suspended,
        s.leech,
        s.buried_until.isoformat() if s.buried_until else None,
    ]


def review_rows(store: Store) -> list[list[object]]:
    return [
        list(r)
        for r in store.tuples(
            "SELECT r.id, c.card_id, r.at, r.day, r.quality, r.duration_ms, r.repeat, r.was_new, "
            "r.event_id FROM reviews r JOIN cards c USING (cid) ORDER BY r.id"
        )
    ]


def test_the_upgrade_keeps_every_review_and_the_stats_and_due_dates(tmp_path: Path) -> None:
    store, deck = upgraded(tmp_path)
    with store:
        assert store.tuples("PRAGMA user_version") == [(SCHEMA_VERSION,)] == [(10,)]
        # v9: the retired cards' own index, which a deck's retired count reads
        plan = store.tuples(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM cards WHERE retired = 1 AND paper_key = ?",
            ("x",),
        )
        assert any("cards_retired" in str(row) for row in plan), plan
        cols = [r[1] for r in store.tuples("PRAGMA table_info(reviews)")]
        assert "before" not in cols and "after" not in cols
        assert not store.tuples("SELECT name FROM sqlite_master WHERE name = 'review_cards'")
        assert len(EXPECTED["reviews"]) > 100
        assert review_rows(store) == EXPECTED["reviews"]  # every row, its id kept
        states = {k: state_list(s) for k, s in sorted(store.states().items())}
        assert states == EXPECTED["states"]
        # (json's keys are text: answers_by_grade's grades too)
        stats = json.loads(json.dumps(asdict(compute(store, deck, TODAY, Settings()))))
        assert stats == EXPECTED["stats"]
        assert store.rebuild() == len(deck.cards)  # and the log replays to the same store
        assert review_rows(store) == EXPECTED["reviews"]
        assert {k: state_list(s) for k, s in sorted(store.states().items())} == states


@pytest.mark.parametrize("card", sorted(EXPECTED["undone"]))
def test_undo_after_the_upgrade_gives_the_state_the_log_says(tmp_path: Path, card: str) -> None:
    """Undo no longer reads a stored ``before`` text: it replays the card's events, so the
    state it leaves is the one the log says (v7's rebuild after its undo). v7's undo gave the
    same, except for the two cards sent to review after their last answer: it restored the
    state before that answer and dropped the send, which its own rebuild then brought back."""
    store, _ = upgraded(tmp_path)
    review_id, v7_undo, v7_rebuilt = EXPECTED["undone"][card]
    with store:
        assert store.undo(review_id, NOW) == card
        assert state_list(store.state(card)) == v7_rebuilt
        assert review_id not in [r[0] for r in review_rows(store)]
    del v7_undo  # (kept in the file, for the record)


def test_the_totals_triggers_count_answers_after_the_upgrade(tmp_path: Path) -> None:
    store, deck = upgraded(tmp_path)
    with store:
        card = deck.cards[0].id
        store.record_answer(card, 5, now=NOW, today=TODAY)
        store.record_answer(card, 1, now=NOW + timedelta(minutes=1), today=TODAY)  # a repeat
        undone = store.record_answer(deck.cards[1].id, 0, now=NOW, today=TODAY)
        store.undo(undone.review_id, NOW)
        per_day = store.tuples(
            "SELECT day, quality, count(*) FROM reviews GROUP BY day, quality ORDER BY day, quality"
        )
        assert store.tuples("SELECT * FROM review_days ORDER BY day, quality") == per_day
        assert per_day[-1][0] == TODAY.isoformat()
        per_card = store.tuples(
            "SELECT c.card_id, sum(r.quality >= ?), count(*) FROM reviews r JOIN cards c "
            "USING (cid) WHERE r.repeat = 0 GROUP BY c.card_id ORDER BY c.card_id",
            (PASSING,),
        )
        assert sorted(store.card_figures().answered()) == per_card
