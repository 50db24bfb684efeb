"""The store's one-pass SM-2 rebuild gives exactly the rows replay gives, for any log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.replay import Event, Policy, replay
from studydeck.scheduling import CardState
from studydeck.store.rows import replayed_rows, sm2_rows
from studydeck.store.schema import utc_text

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
KEYS = ["00000000000000a1/contribution", "00000000000000a1/insight", "00000000000000a2/critique"]
"""Card keys of the form studydeck writes in its logs (a paper's hash, a card kind)."""
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


def line(n: int, hours: int, kind: str, quality: int = 0, value: str = "") -> Event:
    at = T0 + timedelta(hours=hours)
    return Event(f"{n:03d}", utc_text(at), at.date().isoformat(), kind, KEYS[0], quality,
                 value=value)  # fmt: skip


def state_text(s: CardState) -> str:
    """A state as text: repetitions, E-Factor, interval, due, lapses, suspended, leech, buried
    until (days as ISO text, "" none; flags 0/1)."""
    due = s.sm2.due.isoformat() if s.sm2.due else ""
    bury = s.buried_until.isoformat() if s.buried_until else ""
    return (
        f"{s.sm2.repetitions},{s.sm2.easiness},{s.sm2.interval},{due},{s.lapses},"
        f"{int(s.suspended)},{int(s.leech)},{bury}"
    )


# One card's lines (hours after Monday 2 March 2026, 08:00 UTC) and the card's state after
# them, as :func:`state_text`.
WHAT_LINES_DO = [
    ([(0, "answer", 4)], "1,2.5,1,2026-03-03,0,0,0,"),
    # a second answer the same study day is a same-day repeat; the next day's is scheduled
    ([(0, "answer", 4), (1, "answer", 1)], "1,2.5,1,2026-03-03,0,0,0,"),
    ([(0, "answer", 4), (30, "answer", 4)], "2,2.5,6,2026-03-09,0,0,0,"),
    # bury until a day, and "" unburies
    ([(0, "bury", 0, "2026-03-05")], "0,2.5,0,,0,0,0,2026-03-05"),
    ([(0, "bury", 0, "2026-03-05"), (1, "bury", 0, "")], "0,2.5,0,,0,0,0,"),
    # "1" suspends; "0", or anything else, lifts it
    ([(0, "suspend", 0, "1")], "0,2.5,0,,0,1,0,"),
    ([(0, "suspend", 0, "1"), (1, "suspend", 0, "0")], "0,2.5,0,,0,0,0,"),
    ([(0, "suspend", 0, "1"), (1, "suspend", 0, "yes")], "0,2.5,0,,0,0,0,"),
    # a send makes a card due by that day, never later than it was
    ([(0, "send", 0, "2026-03-04")], "0,2.5,0,2026-03-04,0,0,0,"),
    ([(0, "answer", 4), (1, "send", 0, "2026-03-04")], "1,2.5,1,2026-03-03,0,0,0,"),
    ([(0, "answer", 4), (30, "answer", 4), (31, "send", 0, "2026-03-04")],
     "2,2.5,6,2026-03-04,0,0,0,"),
    # the lapse that reaches the threshold (2 here) makes a leech, and a leech is suspended
    ([(0, "answer", 1), (30, "answer", 2)], "0,2.5,1,2026-03-04,2,1,1,"),
]  # fmt: skip


@pytest.mark.parametrize(("lines", "text"), WHAT_LINES_DO)
def test_what_each_line_does_in_both_replays(lines: list[tuple], text: str) -> None:
    events = [line(n, *spec) for n, spec in enumerate(lines)]
    replayed = replay(events, Policy(leech_threshold=2))
    assert state_text(replayed.states[KEYS[0]]) == text
    values, _ = sm2_rows(events, 2, CID)
    assert values[KEYS[0]] == replayed_rows(replayed, CID)[0][KEYS[0]]


@pytest.mark.parametrize("grade", [6, -1, True, 4.0])
def test_a_grade_that_is_not_one_is_refused_by_both_replays(grade: object) -> None:
    # (A store's events table is a file on disk: a row holding 6 or 1.0 is refused, as the
    # scheduler refuses it, not read as a grade by its place in a list.)
    events = [line(0, 0, "answer", grade)]  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="0 to 5"):
        replay(events, Policy())
    with pytest.raises(ValueError, match="0 to 5"):
        sm2_rows(events, 8, CID)


@pytest.mark.parametrize("grade", [0, 5])
def test_the_lowest_and_highest_grades_are_taken_by_both_replays(grade: int) -> None:
    events = [line(0, 0, "answer", grade)]
    values, rows = sm2_rows(events, 8, CID)
    assert values == replayed_rows(replay(events, Policy()), CID)[0]
    assert [r[3] for r in rows] == [grade]
