"""Replay: the order lines arrive in never matters, and switching scheduler loses nothing."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck.config import Settings
from studydeck.fsrs_scheduler import FsrsSettings
from studydeck.loading import open_deck
from studydeck.replay import Event, Policy, replay
from studydeck.scheduling import CardState, Sm2State, answer
from studydeck.session import Session
from studydeck.store import Store
from studydeck.store.schema import utc_text

from .conftest import SEED

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
KEYS = ["p1/contribution", "p1/insight", "p2/critique"]


@st.composite
def two_devices(draw: st.DrawFn) -> tuple[list[Event], list[Event], list[Event]]:
    """Answers in time order, split across two devices, and one arrival order of them all."""
    n = draw(st.integers(1, 25))
    gaps = draw(st.lists(st.integers(1, 4000), min_size=n, max_size=n))
    events = []
    at = T0
    for i, gap in enumerate(gaps):
        at += timedelta(minutes=gap)
        # ids run against time, so an order by id is never the order by time
        events.append(
            Event(
                id=f"{1000 - i:04d}",
                at=utc_text(at),
                day=at.date().isoformat(),
                kind="answer",
                key=draw(st.sampled_from(KEYS)),
                quality=draw(st.integers(0, 5)),
            )
        )
    on_b = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    a = [e for e, b in zip(events, on_b, strict=True) if not b]
    b = [e for e, b in zip(events, on_b, strict=True) if b]
    arrival = draw(st.permutations(events))
    return events, a + b, list(arrival)


def one_device(events: list[Event], leech: int) -> dict[str, CardState]:
    """The states from answering on one machine, one answer after another: a card's second
    answer on the same study day is a same-day repeat and leaves its schedule alone."""
    states: dict[str, CardState] = {}
    seen: set[tuple[str, str]] = set()
    for e in events:
        if (e.key, e.day) in seen:
            continue
        seen.add((e.key, e.day))
        before = states.get(e.key, CardState(Sm2State()))
        states[e.key] = answer(before, e.quality, date.fromisoformat(e.day), leech)
    return states


@given(two_devices())
def test_any_interleaving_of_two_devices_equals_time_order_on_one(case) -> None:
    in_time_order, file_by_file, arrival = case
    expected = one_device(in_time_order, leech=3)
    policy = Policy(leech_threshold=3)
    assert replay(file_by_file, policy).states == expected
    assert replay(arrival, policy).states == expected


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(two_devices())
def test_a_store_fed_lines_in_any_order_matches_one_that_answered_them(tmp_path, case) -> None:
    in_time_order, _, arrival = case
    db = Path(tempfile.mkdtemp(dir=tmp_path))
    with Store.open(db / "one.db") as one, Store.open(db / "two.db") as two:
        for s in (one, two):
            with s.transaction() as c:
                c.executemany(
                    "INSERT INTO cards (card_id, paper_key, kind, added) VALUES (?, ?, ?, '')",
                    [(k, k.split("/")[0], k.split("/")[1]) for k in KEYS],
                )
        for e in in_time_order:
            one.record_answer(
                e.key, e.quality, now=datetime.fromisoformat(e.at), today=date.fromisoformat(e.day)
            )
        half = len(arrival) // 2
        two.add_events(arrival[:half])
        two.add_events(arrival[half:])
        assert two.states() == one.states()
        assert [(r.card_id, r.quality, r.at) for r in two.reviews()] == [
            (r.card_id, r.quality, r.at) for r in one.reviews()
        ]


def test_switching_to_fsrs_and_back_gives_the_sm2_states_exactly(tmp_path: Path) -> None:
    tz = timezone(timedelta(hours=-5))
    clock_now = [datetime(2026, 3, 2, 9, 0, tzinfo=tz)]
    with Store.open(tmp_path / "s.db") as store:
        deck, _ = open_deck(store, [SEED], clock_now[0])
        for day in range(0, 30, 3):
            clock_now[0] = datetime(2026, 3, 2, 9, 0, tzinfo=tz) + timedelta(days=day)
            s = Session(store, deck, Settings(new_per_day=6), lambda: clock_now[0])
            for i in range(8):
                if s.current is None:
                    break
                s.answer((5, 2, 4, 3, 1, 4)[(day + i) % 6])
                clock_now[0] += timedelta(seconds=20)
            if s.current is not None:
                store.bury(s.current.card.id, clock_now[0].date() + timedelta(days=2))
        sm2_states, sm2_reviews = store.states(), store.reviews()
        assert store.use_policy(Policy("sm2")) is False  # nothing to switch: same scheduler

        assert store.use_policy(Policy("fsrs", FsrsSettings(0.9))) is True
        fsrs_states = store.states()
        answered = [cid for cid, st in sm2_states.items() if not st.sm2.is_new]
        assert all(fsrs_states[cid].fsrs is not None for cid in answered)
        assert any(fsrs_states[cid].sm2.due != sm2_states[cid].sm2.due for cid in answered)
        assert store.reviews() == sm2_reviews  # the history itself is untouched

        assert store.use_policy(Policy("sm2")) is True
        assert store.states() == sm2_states
        assert store.reviews() == sm2_reviews


def test_answers_under_fsrs_are_scheduled_by_fsrs(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        deck, _ = open_deck(store, [SEED], T0)
        store.use_policy(Policy("fsrs"))
        cid = deck.cards[0].id
        after = store.record_answer(cid, 5, now=T0, today=T0.date()).after
        assert after.fsrs is not None
        # Easy on a new card: FSRS's first interval for Easy, not SM-2's one day
        assert after.sm2.interval > 1
