"""A replay's result as the store writes it: each card's column values and the review rows.

Two ways to the same rows. :func:`replayed_rows` takes :func:`studydeck.replay.replay`'s
states and answers (any scheduler) and formats them with :mod:`studydeck.store.states`.
:func:`sm2_rows` is its one-pass twin for SM-2, the default, used when a sync or rebuild
replays 100,000 answers: each card's state is a plain tuple, formatted as it changes, with
no object per answer (three times faster). SM-2's arithmetic and the lapse rule are
:mod:`studydeck.scheduling`'s (:func:`~studydeck.scheduling.sm2_step`,
:func:`~studydeck.scheduling.lapse_step`); what is written again here is only the walk over
the log and the state's text form, and tests/test_sync_rows.py checks with hypothesis that
both ways give the same values and rows for any log (answers, same-day repeats, undos, bury,
suspend, send).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from studydeck.replay import NEW, ORDER, Replayed
from studydeck.scheduling import check_quality, lapse_step, sm2_step
from studydeck.store.states import state_text, state_values

EventFields = tuple[str, str, str, str, str, int, int, bool, str, str]
"""An :class:`~studydeck.replay.Event`'s fields, in its order (an Event is one too)."""
Values = tuple[object, ...]
"""A card's columns, in :data:`~studydeck.store.states.WRITE_COLS_BURIED` order."""
Row = tuple[object, ...]
"""A review row: cid, at, day, quality, duration_ms, repeat, was_new, before, after, event_id."""

NEW_VALUES: Values = state_values(NEW, buried=True)


def replayed_rows(
    result: Replayed, cid_of: Mapping[str, int]
) -> tuple[dict[str, Values], list[Row]]:
    """The column values of every card ``result`` holds, and a review row per answer."""
    values = {k: state_values(s, buried=True) for k, s in result.states.items()}
    texts: dict[int, str] = {}  # one answer's "before" is the previous one's "after"
    rows: list[Row] = []
    add = rows.append
    for e, before, after in result.answers:  # a plain loop: 100,000 answers
        was = texts.get(id(before))
        if was is None:
            was = texts[id(before)] = state_text(before)
        now = texts.get(id(after))
        if now is None:
            now = texts[id(after)] = state_text(after)
        new = before.sm2.is_new and not e.repeat
        add((cid_of[e.key], e.at, e.day, e.quality, e.duration_ms, int(e.repeat),
             int(new), was, now, e.id))  # fmt: skip
    return values, rows


def sm2_rows(
    events: Iterable[EventFields], leech_threshold: int, cid_of: Mapping[str, int]
) -> tuple[dict[str, Values], list[Row]]:
    """:func:`replayed_rows` of ``replay(events, Policy("sm2", leech_threshold=...))``, in one
    pass. ``events`` are Events or tuples in Event's field order, of cards in ``cid_of``;
    every card starts new (a replay from the log)."""
    ordered = sorted(events, key=ORDER)
    undone = {e[8] for e in ordered if e[3] == "undo"}
    # A state: repetitions, easiness, interval, due ("" none), lapses, suspended, leech (0/1),
    # buried until ("" none), and its text as the review log keeps it.
    new_state = (0, 2.5, 0, "", 0, 0, 0, "", "0,2.5,0,,0,0,0,")
    states: dict[str, tuple[int, float, int, str, int, int, int, str, str]] = {}
    scheduled_on: dict[str, str] = {}
    ordinal: dict[str, int] = {}
    iso: dict[int, str] = {}
    rows: list[Row] = []
    add = rows.append
    for eid, at, day, kind, key, quality, ms, repeat, value, _ in ordered:
        if kind == "undo" or eid in undone:
            continue
        state = states.get(key, new_state)
        if kind == "answer":
            if repeat or scheduled_on.get(key) == day:
                # a same-day repeat (one scheduled answer per card per study day) changes nothing
                text = state[8]
                add((cid_of[key], at, day, quality, ms, 1, 0, text, text, eid))
                states[key] = state
                continue
            scheduled_on[key] = day
            if type(quality) is not int or not 0 <= quality <= 5:
                check_quality(quality)  # raises, as scheduling.answer does
            reps, ef, interval, due, lapses, susp, leech, bury, was = state
            start = ordinal.get(day)
            if start is None:
                start = ordinal[day] = date.fromisoformat(day).toordinal()
            reps, ef, interval = sm2_step(reps, ef, interval, quality)
            lapses, is_leech = lapse_step(lapses, leech == 1, quality, leech_threshold)
            if is_leech:
                leech = susp = 1  # a leech is suspended (scheduling.after_answer's rule)
            due = iso.get(start + interval, "")
            if not due:
                due = iso[start + interval] = date.fromordinal(start + interval).isoformat()
            text = f"{reps},{ef},{interval},{due},{lapses},{susp},{leech},{bury}"
            states[key] = (reps, ef, interval, due, lapses, susp, leech, bury, text)
            add((cid_of[key], at, day, quality, ms, 0, int(not state[3]), was, text, eid))
            continue
        reps, ef, interval, due, lapses, susp, leech, bury, text = state
        if kind == "bury":
            bury = date.fromisoformat(value).isoformat() if value else ""
        elif kind == "suspend":
            susp = int(value == "1")
        elif kind == "send":
            until = date.fromisoformat(value).isoformat()
            if not due or due > until:
                due = until
        else:
            states[key] = state  # a rename, a quiz answer, a kind from a newer studydeck
            continue
        text = f"{reps},{ef},{interval},{due},{lapses},{susp},{leech},{bury}"
        states[key] = (reps, ef, interval, due, lapses, susp, leech, bury, text)
    values: dict[str, Values] = {
        k: (s[0], s[1], s[2], s[3] or None, s[4], s[5], s[6], s[7] or None, None, None, None)
        for k, s in states.items()
    }
    return values, rows
