"""A replay's result as the store writes it: each card's column values and the review rows.

Two ways to the same rows. :func:`replayed_rows` takes :func:`studydeck.replay.replay`'s
states and answers (any scheduler). :func:`sm2_rows` is its one-pass twin for SM-2, the
default, used when a sync or rebuild replays 100,000 answers: each card's state is a plain
tuple, with no object per answer (three times faster). Every rule it applies is written
once, elsewhere, and called by both: SM-2's arithmetic and the lapse and leech rule are
:mod:`studydeck.scheduling`'s (:func:`~studydeck.scheduling.sm2_step`,
:func:`~studydeck.scheduling.leech_flags`); what an event does (the same-day repeat, bury,
suspend, send) is :mod:`studydeck.replay`'s. What is written here is only the walk over the
log, and tests/test_sync_rows.py checks with hypothesis that both ways give the same values
and rows for any log (answers, same-day repeats, undos, bury, suspend, send).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from studydeck.replay import (
    NEW,
    Replayed,
    buried_until,
    in_order,
    same_day_repeat,
    sent_due,
    suspends,
)
from studydeck.scheduling import INITIAL_EASINESS, check_quality, leech_flags, sm2_step
from studydeck.store.states import state_values

EventFields = tuple[str, str, str, str, str, int, int, bool, str, str]
"""An :class:`~studydeck.replay.Event`'s fields, in its order (an Event is one too)."""
Values = tuple[object, ...]
"""A card's columns, in :data:`~studydeck.store.states.WRITE_COLS_BURIED` order."""
Row = tuple[object, ...]
"""A review row: cid, at, day, quality, duration_ms, repeat, was_new, event_id."""

NEW_VALUES: Values = state_values(NEW, buried=True)


def replayed_rows(
    result: Replayed, cid_of: Mapping[str, int]
) -> tuple[dict[str, Values], list[Row]]:
    """The column values of every card ``result`` holds, and a review row per answer."""
    values = {k: state_values(s, buried=True) for k, s in result.states.items()}
    rows: list[Row] = []
    add = rows.append
    for e, before, _ in result.answers:  # a plain loop: 100,000 answers
        new = before.sm2.is_new and not e.repeat
        add((cid_of[e.key], e.at, e.day, e.quality, e.duration_ms, int(e.repeat), int(new), e.id))
    return values, rows


def sm2_rows(
    events: Iterable[EventFields], leech_threshold: int, cid_of: Mapping[str, int]
) -> tuple[dict[str, Values], list[Row]]:
    """:func:`replayed_rows` of ``replay(events, Policy("sm2", leech_threshold=...))``, in one
    pass. ``events`` are Events or tuples in Event's field order, of cards in ``cid_of``;
    every card starts new (a replay from the log)."""
    ordered = in_order(events)
    undone = {e[8] for e in ordered if e[3] == "undo"}
    # A state: the number of its schedule and flags (a Flags tuple: all but the due day), its
    # due day ("" none), and the day of its last scheduled answer. An answer's effect on the
    # schedule and flags does not depend on the day, and the same few come back again and
    # again: each is worked out once and found by number (no tuple hashed per answer).
    seen: list[Flags] = []
    number: dict[Flags, int] = {}
    moves: list[list[Move | None]] = []

    def numbered(flags: Flags) -> int:
        n = number.get(flags)
        if n is None:
            n = number[flags] = len(seen)
            seen.append(flags)
            moves.append([None] * 6)
        return n

    fresh: Flags = (0, INITIAL_EASINESS, 0, 0, 0, 0, "")
    new_state: State = (numbered(fresh), "", "")
    states: dict[str, State] = {}
    # Due days by study day, then interval: the events come in time order, so the day's
    # table is looked up only when the day changes (no tuple made and hashed per answer).
    dues: dict[str, dict[int, str]] = {}
    today, due_in = "", dues.setdefault("", {})
    rows: list[Row] = []
    add = rows.append
    repeats = same_day_repeat  # (a local name: looked up 100,000 times)
    for eid, at, day, kind, key, quality, ms, repeat, value, _ in ordered:
        if kind == "undo" or (undone and eid in undone):
            continue
        state = states.get(key, new_state)
        if kind == "answer":
            if repeats(repeat, state[2], day):
                add((cid_of[key], at, day, quality, ms, 1, 0, eid))
                states[key] = state
                continue
            if type(quality) is not int or not 0 <= quality <= 5:
                check_quality(quality)  # raises (a bool or 4.0 would index as a grade)
            known = moves[state[0]]
            move = known[quality]
            if move is None:
                flags, interval = _answer(seen[state[0]], quality, leech_threshold)
                move = known[quality] = (numbered(flags), interval)
            n, interval = move
            if day != today:
                today, due_in = day, dues.setdefault(day, {})
            due = due_in.get(interval, "")
            if not due:
                due = due_in[interval] = _due(day, interval)
            states[key] = (n, due, day)
            add((cid_of[key], at, day, quality, ms, 0, 0 if state[1] else 1, eid))
            continue
        n, due, last = state
        reps, ef, interval, lapses, susp, leech, bury = seen[n]
        if kind == "bury":
            until = buried_until(value)
            bury = until.isoformat() if until else ""
        elif kind == "suspend":
            susp = int(suspends(value))
        elif kind == "send":
            due = sent_due(due or None, date.fromisoformat(value).isoformat())
        else:
            states[key] = state  # a rename, a quiz answer, a kind from a newer studydeck
            continue
        states[key] = (numbered((reps, ef, interval, lapses, susp, leech, bury)), due, last)
    values: dict[str, Values] = {}
    for k, (n, due, _) in states.items():
        f = seen[n]
        values[k] = (f[0], f[1], f[2], due or None, f[3], f[4], f[5], f[6] or None, *_NO_MEMORY)
    return values, rows


_NO_MEMORY = (None, None, None)
"""FSRS's memory columns: none under SM-2."""


Flags = tuple[int, float, int, int, int, int, str]
"""repetitions, easiness, interval, lapses, suspended, leech (0/1), buried until ("" none)."""
State = tuple[int, str, str]
Move = tuple[int, int]
"""An answer's effect: the number of the new flags, and the interval."""


def _answer(flags: Flags, quality: int, leech_threshold: int) -> tuple[Flags, int]:
    """A scheduled answer's new flags and interval: :func:`~studydeck.scheduling.sm2_step`
    and :func:`~studydeck.scheduling.leech_flags`."""
    reps, ef, interval, lapses, susp, leech, bury = flags
    reps, ef, interval = sm2_step(reps, ef, interval, quality)
    lapses, is_leech, is_susp = leech_flags(lapses, leech == 1, susp == 1, quality, leech_threshold)
    return (reps, ef, interval, lapses, int(is_susp), int(is_leech), bury), interval


def _due(day: str, interval: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=interval)).isoformat()
