"""The store's one-pass SM-2 rebuild gives exactly the rows replay gives, for any log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.replay import Event, Policy, replay
from studydeck.store.rows import replayed_rows, sm2_rows
from studydeck.store.schema import utc_text

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
KEYS = ["p1/contribution", "p1/insight", "p2/critique"]
CID = {k: i + 1 for i, k in enumerate(KEYS)}


@st.composite
def logs(draw: st.DrawFn) -> list[Event]:
    """Answers (some marked as same-day repeats), buryings, suspensions, sends, undos of
    earlier events and lines replay leaves alone, a few hours to a few weeks apart."""
    events: list[Event] = []
    at = T0
    for i in range(draw(st.integers(0, 30))):
        at += timedelta(minutes=draw(st.integers(0, 20000)))
        day = at.date()
        key = draw(st.sampled_from(KEYS))
        kind = draw(st.sampled_from(["answer"] * 6 + ["bury", "suspend", "send", "undo", "quiz"]))
        later = (day + timedelta(days=draw(st.integers(0, 30)))).isoformat()
        value = {
            "bury": draw(st.sampled_from(["", later])),
            "suspend": draw(st.sampled_from(["0", "1", "yes"])),  # (only "1" suspends)
            "send": later,
            "undo": draw(st.sampled_from([e.id for e in events] or ["none"])),
        }.get(kind, "")
        events.append(
            Event(
                f"{i:03d}",
                utc_text(at),
                day.isoformat(),
                kind,
                key,
                draw(st.integers(0, 5)) if kind == "answer" else 0,
                draw(st.integers(0, 9000)),
                kind == "answer" and draw(st.booleans()) and draw(st.booleans()),
                value,
                "laptop",
            )
        )
    return draw(st.permutations(events))


@settings(max_examples=200)
@given(logs(), st.integers(0, 4))
def test_the_one_pass_sm2_rows_equal_the_replayed_ones(events: list[Event], leech: int) -> None:
    expected = replayed_rows(replay(events, Policy(leech_threshold=leech)), CID)
    assert sm2_rows(events, leech, CID) == expected
