"""Two studydeck windows on one store: a card answered in one is not scheduled twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from studydeck.loading import open_deck
from studydeck.store import Store

from .conftest import table

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def new_answered(store: Store, day) -> int:
    """New cards first answered on ``day``, by any window (read from the log itself)."""
    return sum(r.was_new for r in store.reviews(since=day) if r.day == day)


def two_windows(tmp_path: Path) -> tuple[Store, Store, str]:
    notes = tmp_path / "notes.md"
    notes.write_text(table("| 2020 | A | k | c | | |", "| 2021 | B | k | c2 | | |"))
    db = tmp_path / "s.db"
    first, second = Store.open(db), Store.open(db)
    deck, _ = open_deck(first, [notes], NOW)
    open_deck(second, [notes], NOW)
    return first, second, deck.cards[0].id


def test_a_second_first_answer_today_is_a_same_day_repeat(tmp_path: Path) -> None:
    first, second, cid = two_windows(tmp_path)
    with first, second:
        # Both windows queued the card as new; the first answers it ...
        a = first.record_answer(cid, 4, now=NOW, today=TODAY)
        assert not a.repeat and a.after.sm2.repetitions == 1
        # ... then the second, whose queue still says "new".
        b = second.record_answer(cid, 4, now=NOW + timedelta(minutes=1), today=TODAY)
        assert b.repeat
        state = first.state(cid)
        assert state == a.after  # still repetition 1, interval 1: not 2 and 6 days
        assert state.sm2.repetitions == 1 and state.sm2.interval == 1
        assert new_answered(first, TODAY) == 1
        # The next day it is a normal answer again.
        c = second.record_answer(cid, 4, now=NOW + timedelta(days=1), today=TODAY + timedelta(1))
        assert not c.repeat and c.after.sm2.repetitions == 2


def test_new_cards_answered_in_any_window_are_counted(tmp_path: Path) -> None:
    first, second, cid = two_windows(tmp_path)
    with first, second:
        first.record_answer(cid, 5, now=NOW, today=TODAY)
        assert new_answered(second, TODAY) == 1
        assert new_answered(second, TODAY + timedelta(days=1)) == 0
