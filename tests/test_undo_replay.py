"""Undo restores a card's state by replaying the card's events without the undone answer
(schema v8 keeps no ``before`` text per answer): the state before the answer, as the
scheduler gave it; a bury, a suspension or a send made after the answer stays; and the work
is the card's own, not the deck's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from studydeck.replay import Policy
from studydeck.store import Store

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # (whole milliseconds, as the log keeps times)


def store_with_cards(path: Path, n: int) -> Store:
    store = Store.open(path)
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO cards (card_id, paper_key, kind, added) VALUES (?, ?, 'insight', '')",
            [(f"p{i:05d}/insight", f"p{i:05d}") for i in range(n)],
        )
    return store


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
def test_undo_gives_back_the_state_the_scheduler_gave_before_the_answer(
    tmp_path: Path, scheduler: str
) -> None:
    with store_with_cards(tmp_path / "s.db", 3) as store:
        store.use_policy(Policy(scheduler))
        card = "p00001/insight"
        given = []
        for day, grade in enumerate([4, 5, 1, 4]):
            now = NOW + timedelta(days=day * 3)
            given.append(store.record_answer(card, grade, now=now, today=now.date()))
        for a in reversed(given):  # each undo takes back the card's last answer
            assert store.undo(a.review_id, NOW + timedelta(days=20)) == card
            assert store.state(card) == a.before
        assert store.state(card).sm2.is_new and store.reviews() == []


def test_undo_keeps_a_bury_a_suspension_and_a_send_made_after_the_answer(tmp_path: Path) -> None:
    with store_with_cards(tmp_path / "s.db", 3) as store:
        a, b = "p00000/insight", "p00001/insight"
        first = store.record_answer(a, 4, now=NOW, today=NOW.date())
        last = store.record_answer(a, 5, now=NOW + timedelta(days=1), today=date(2026, 3, 3))
        store.bury(a, date(2026, 3, 9), now=NOW + timedelta(days=1, minutes=1))
        store.set_suspended(a, True, now=NOW + timedelta(days=1, minutes=2))
        answered_b = store.record_answer(b, 4, now=NOW, today=NOW.date())
        later = NOW + timedelta(days=1, minutes=3)
        with store.transaction() as c:  # a send, at a time of its own (send_to_review: now)
            store._flag_event(c, 2, "send", "2026-03-02", later)
            c.execute("UPDATE cards SET due = '2026-03-02' WHERE cid = 2")
        assert store.undo(last.review_id, later) == a
        s = store.state(a)
        assert (s.sm2, s.lapses) == (first.after.sm2, first.after.lapses)
        assert s.buried_until == date(2026, 3, 9) and s.suspended
        assert store.undo(answered_b.review_id, later) == b
        assert store.state(b).sm2.due == date(2026, 3, 2) and store.state(b).sm2.repetitions == 0


def _undo_steps(tmp_path: Path, cards: int) -> int:
    """SQLite's virtual-machine steps (a deterministic count) one undo takes on a store of
    ``cards`` cards, each answered once."""
    with store_with_cards(tmp_path / f"{cards}.db", cards) as store:
        answers = [
            store.record_answer(f"p{i:05d}/insight", 4, now=NOW, today=NOW.date())
            for i in range(cards)
        ]
        steps = 0

        def count() -> int:
            nonlocal steps
            steps += 1
            return 0

        store._conn.set_progress_handler(count, 1)
        store.undo(answers[-1].review_id, NOW)
        store._conn.set_progress_handler(None, 1)
        assert store.state(f"p{cards - 1:05d}/insight").sm2.is_new
        return steps


def test_an_undo_does_the_work_of_its_card_not_of_the_deck(tmp_path: Path) -> None:
    small, large = _undo_steps(tmp_path, 10), _undo_steps(tmp_path, 2000)
    assert large < small * 1.5  # (reading every card's row: many times more)
