"""The log's order: answers logged at the same millisecond on two devices replay in id order,
whatever order their lines arrive in (a replay sorts by time, then id)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.replay import Event, Policy, in_order, replay
from studydeck.store.rows import sm2_rows
from studydeck.store.schema import utc_text

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
KEYS = ["p1/contribution", "p1/insight"]


@st.composite
def same_times(draw: st.DrawFn) -> list[Event]:
    """Answers on few distinct times (many ties), with ids in no relation to their times."""
    n = draw(st.integers(2, 20))
    ids = draw(st.permutations([f"{i:03d}" for i in range(n)]))
    return [
        Event(
            id=ids[i],
            # a few days, each with two clock times: ties on time, and on the day
            at=utc_text(
                T0 + timedelta(days=draw(st.integers(0, 2)), hours=draw(st.integers(0, 1)))
            ),
            day="",
            kind="answer",
            key=draw(st.sampled_from(KEYS)),
            quality=draw(st.integers(0, 5)),
        )
        for i in range(n)
    ]


@settings(max_examples=80)
@given(same_times(), st.randoms(use_true_random=False))
def test_events_at_the_same_time_replay_in_id_order_whatever_order_they_arrive(
    events: list[Event], rnd: random.Random
) -> None:
    events = [e._replace(day=e.at[:10]) for e in events]
    arrived = list(events)
    rnd.shuffle(arrived)
    by_time_then_id = sorted(events, key=lambda e: (e.at, e.id))
    assert in_order(arrived) == by_time_then_id
    cid_of = {k: i for i, k in enumerate(KEYS)}
    # what a rebuild writes (the one-pass SM-2 rows) and what a switch replays (replay)
    assert sm2_rows(arrived, 8, cid_of) == sm2_rows(by_time_then_id, 8, cid_of)
    assert replay(arrived, Policy()).states == replay(by_time_then_id, Policy()).states
