"""Today's review session, with a clock the tests control."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from studydeck.config import Settings
from studydeck.loading import open_deck
from studydeck.session import Session, study_day
from studydeck.store import Store

from .conftest import SEED, table

TZ = timezone(timedelta(hours=8))


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=TZ))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "s.db")
    yield s
    s.close()


def session_for(store, paths, clock, **settings) -> Session:
    deck, _ = open_deck(store, paths, clock())
    return Session(store, deck, Settings(**settings), clock)


def test_study_day_starts_at_configured_hour() -> None:
    assert study_day(datetime(2026, 3, 2, 3, 59, tzinfo=TZ), 4) == date(2026, 3, 1)
    assert study_day(datetime(2026, 3, 2, 4, 0, tzinfo=TZ), 4) == date(2026, 3, 2)
    assert study_day(datetime(2026, 3, 2, 0, 30, tzinfo=TZ), 0) == date(2026, 3, 2)


def test_new_card_limit_and_full_session(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=10)
    assert s.remaining == 10
    while s.current:
        s.answer(5)
    assert s.done == 10 and store.review_count() == 10
    # Same day, a new session: the limit is used up.
    assert session_for(store, [SEED], clock, new_per_day=10).remaining == 0
    clock.advance(days=1)
    nxt = session_for(store, [SEED], clock, new_per_day=10)
    assert nxt.remaining == 20  # 10 due again (interval 1) + 10 new
    assert [it.repeat for it in nxt.queue[:10]].count(False) == 10


def test_most_overdue_first(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=3)
    first = [it.card.id for it in s.queue]
    for q in (5, 5, 5):
        s.answer(q)
    clock.advance(days=5)
    s2 = session_for(store, [SEED], clock, new_per_day=0)
    assert {it.card.id for it in s2.queue} == set(first)


def test_grade_below_4_repeats_same_day_without_changing_state(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=5)
    card = s.current.card
    s.answer(3)
    state = store.state(card.id)
    assert state.sm2.interval == 1 and state.sm2.repetitions == 1
    repeats = [it for it in s.queue if it.card.id == card.id]
    assert len(repeats) == 1 and repeats[0].repeat
    while s.current.card.id != card.id:
        s.answer(5)
    s.answer(2)  # still wrong: comes back again, SM-2 state unchanged
    assert store.state(card.id) == state
    assert any(it.card.id == card.id for it in s.queue)
    while s.current.card.id != card.id:
        s.answer(5)
    s.answer(4)
    assert not any(it.card.id == card.id for it in s.queue)
    assert store.state(card.id) == state
    assert [r.repeat for r in store.reviews(cid=card.id)] == [False, True, True]


def test_pending_repeat_survives_restart(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=2)
    card = s.current.card
    s.answer(1)
    s2 = session_for(store, [SEED], clock, new_per_day=2)
    assert any(it.card.id == card.id and it.repeat for it in s2.queue)


def test_cards_of_same_paper_not_back_to_back(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=40)
    keys = [it.card.paper.key for it in s.queue]
    assert all(a != b for a, b in itertools.pairwise(keys))


def test_bury_and_suspend(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=5)
    buried = s.bury()
    suspended = s.suspend()
    assert s.remaining == 3
    assert all(it.card.id not in (buried.id, suspended.id) for it in s.queue)
    again = session_for(store, [SEED], clock, new_per_day=5)
    assert buried.id not in {it.card.id for it in again.queue}
    clock.advance(days=1)
    tomorrow = session_for(store, [SEED], clock, new_per_day=50)
    ids = {it.card.id for it in tomorrow.queue}
    assert buried.id in ids and suspended.id not in ids
    store.set_suspended(suspended.id, False)
    assert suspended.id in {
        it.card.id for it in session_for(store, [SEED], clock, new_per_day=50).queue
    }


def test_undo_restores_state_and_queue(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=5)
    first = s.current.card
    s.answer(5)
    s.answer(1)
    second_repeat_queue = list(s.queue)
    assert s.undo() is not None
    assert s.undo() == first
    assert s.current.card == first and s.done == 0
    assert store.review_count() == 0
    assert store.state(first.id).sm2.is_new
    assert len(second_repeat_queue) == 4
    assert s.undo() is None


def test_leech_after_eight_failures(store, clock, notes) -> None:
    path = notes(table("| 2020 | A | k | c | | |", "| 2020 | B | k | c | | |"))
    for _ in range(8):
        s = session_for(store, [path], clock)
        target = next(it for it in s.queue if it.card.paper.title == "A" and not it.repeat)
        while s.current is not target:
            s.answer(5)
        ans = s.answer(0)
        clock.advance(days=1)
    assert ans.became_leech
    assert s.leeches and s.leeches[0].paper.title == "A"
    st = store.state(target.card.id)
    assert st.leech and st.suspended and st.lapses == 8


def test_summary(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=3)
    s.answer(5)
    clock.advance(seconds=30)
    s.answer(4)
    s.answer(5)
    summary = s.summary()
    assert summary.answered == 3 and summary.grades == {4: 1, 5: 2}
    assert summary.due_tomorrow == 3 and summary.seconds == 30
