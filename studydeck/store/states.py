"""Card states as stored: the ``cards`` columns."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from studydeck.planner import CardRow
from studydeck.scheduling import CardState, FsrsMemory, Sm2State

STATE_COLS = (
    "repetitions, easiness, interval, due, lapses, suspended, leech, buried_until, retired, "
    "fsrs_stability, fsrs_difficulty, fsrs_last_review"
)


_NAMES = tuple(c.strip() for c in STATE_COLS.split(","))


def row_state(r: sqlite3.Row) -> CardState:
    """A card's state from a row that has :data:`STATE_COLS`."""
    return state_of(*(r[name] for name in _NAMES))


def state_of(
    repetitions: int,
    easiness: float,
    interval: int,
    due: str | None,
    lapses: int,
    suspended: int,
    leech: int,
    buried_until: str | None,
    retired: int,
    stability: object,
    difficulty: object,
    last: object,
    *,
    days: dict[str, date] | None = None,
) -> CardState:
    """A card's state from the values of :data:`STATE_COLS`, in that order. ``days``: the
    dates already parsed, when reading many cards (they share few due dates)."""
    days = {} if days is None else days
    return CardState(
        sm2=Sm2State(repetitions, easiness, interval, _day(due, days) if due else None),
        lapses=lapses,
        suspended=bool(suspended),
        leech=bool(leech),
        buried_until=_day(buried_until, days) if buried_until else None,
        retired=bool(retired),
        fsrs=_memory(stability, difficulty, last),
    )


def _day(text: str, days: dict[str, date]) -> date:
    d = days.get(text)
    if d is None:
        d = days[text] = date.fromisoformat(text)
    return d


def recall_state(
    interval: int, due: str, stability: object, difficulty: object, last: object
) -> CardState:
    """A state holding only what a predicted recall reads (the rest left at its default)."""
    return CardState(
        sm2=Sm2State(interval=interval, due=date.fromisoformat(due)),
        fsrs=_memory(stability, difficulty, last),
    )


def _memory(stability: object, difficulty: object, last: object) -> FsrsMemory | None:
    if stability is None or stability == "":
        return None
    return FsrsMemory(
        float(str(stability)), float(str(difficulty)), datetime.fromisoformat(str(last))
    )


def state_values(s: CardState, *, buried: bool = False) -> tuple[object, ...]:
    """The ``cards`` column values of a state, in :data:`WRITE_COLS` order (``buried``:
    with ``buried_until`` after ``leech``, as :data:`WRITE_COLS_BURIED`)."""
    return (
        s.sm2.repetitions,
        s.sm2.easiness,
        s.sm2.interval,
        s.sm2.due.isoformat() if s.sm2.due else None,
        s.lapses,
        int(s.suspended),
        int(s.leech),
        *((s.buried_until.isoformat() if s.buried_until else None,) if buried else ()),
        *memory_values(s),
    )


WRITE_COLS = (
    "repetitions=?, easiness=?, interval=?, due=?, lapses=?, suspended=?, leech=?, "
    "fsrs_stability=?, fsrs_difficulty=?, fsrs_last_review=?"
)
WRITE_COLS_BURIED = WRITE_COLS.replace("leech=?, ", "leech=?, buried_until=?, ")


def write_state(c: sqlite3.Connection, cid: int, s: CardState) -> None:
    """Store a card's scheduling state and flags (not buried/retired: those are separate acts)."""
    c.execute(f"UPDATE cards SET {WRITE_COLS} WHERE cid=?", (*state_values(s), cid))


def memory_values(s: CardState) -> tuple[float | None, float | None, str | None]:
    m = s.fsrs
    if m is None:
        return (None, None, None)
    return (m.stability, m.difficulty, m.last_review.isoformat())


# --- reading every card at once (the plan, stats) ---------------------------------------

PLAN_COLS = "due, repetitions, suspended, leech, buried_until, retired"
"""A :class:`~studydeck.planner.CardRow`'s columns, in its order."""
RECALL_COLS = "interval, fsrs_stability, fsrs_difficulty, fsrs_last_review"
"""What a predicted recall reads of a card besides its due date (:func:`recall_state`)."""

Tuples = Callable[[str], list[tuple[Any, ...]]]
"""A store's :meth:`~studydeck.store.base.StoreBase.tuples` (the SQL, no parameters)."""

_SEP = "\x1f"  # (a control character: never in a card id, which is a key and a kind)


def grouped_cards(tuples: Tuples, cols: str) -> list[tuple[tuple[Any, ...], list[str]]]:
    """Every card's ``cols``, as (their values, the ids of the cards that share them): cards
    share a few dozen due dates and flags, and the ``cards_plan`` index (schema v7) holds
    these columns in its order, so SQLite reads them from it in order, without a sort, and
    hands back one row per group instead of a tuple of objects per card. ``cols``: a prefix
    of the index's columns (:data:`PLAN_COLS`, then :data:`RECALL_COLS`)."""
    rows = tuples(
        f"SELECT {cols}, count(*), group_concat(card_id, char(31)) FROM cards GROUP BY {cols}"
    )
    out: list[tuple[tuple[Any, ...], list[str]]] = []
    for row in rows:
        ids = row[-1].split(_SEP)
        if len(ids) != row[-2]:  # a card id with the separator in it: read them one by one
            return _one_by_one(tuples, cols)
        out.append((row[:-2], ids))
    return out


def _one_by_one(tuples: Tuples, cols: str) -> list[tuple[tuple[Any, ...], list[str]]]:
    return [(r[1:], [r[0]]) for r in tuples(f"SELECT card_id, {cols} FROM cards")]


def plan_groups(tuples: Tuples) -> list[tuple[CardRow, list[str]]]:
    """Every stored card's :class:`~studydeck.planner.CardRow`, grouped as the planner takes
    them (:data:`~studydeck.planner.RowGroups`): one row object per group, never one per card."""
    return rows_of(grouped_cards(tuples, PLAN_COLS))


def rows_of(
    groups: Sequence[tuple[tuple[Any, ...], list[str]]],
) -> list[tuple[CardRow, list[str]]]:
    """The groups' first six values (a :class:`~studydeck.planner.CardRow`'s fields) as one
    CardRow each, with the group's card ids (groups that differ only past those six stay
    apart: the planner takes a row in several groups)."""
    new = tuple.__new__  # a CardRow straight from the fields: half the cost of CardRow(*)
    return [(new(CardRow, key[:6]), ids) for key, ids in groups]


@dataclass(frozen=True, slots=True)
class CardFigures:
    """What stats reads of every card: its plan and recall fields, grouped
    (:func:`grouped_cards`), and the running totals of the cards answered."""

    groups: list[tuple[tuple[Any, ...], list[str]]]
    """(a :class:`~studydeck.planner.CardRow`'s fields and then :data:`RECALL_COLS`, the
    ids of the cards that have them)."""
    totals: list[tuple[str, int, int]]

    @classmethod
    def read(cls, tuples: Tuples) -> CardFigures:
        return cls(
            grouped_cards(tuples, f"{PLAN_COLS}, {RECALL_COLS}"),
            tuples("SELECT card_id, passed, answered FROM cards WHERE answered"),
        )

    def plan_groups(self) -> list[tuple[CardRow, list[str]]]:
        """As :func:`plan_groups` gives them."""
        return rows_of(self.groups)

    def recall_groups(self, card_ids: Container[str]) -> list[tuple[CardState, int]]:
        """The schedules of the graded, unsuspended cards among ``card_ids``, each with how
        many of them share it: only what a predicted recall reads of a card (the schedule's
        due date and interval, FSRS's memory), so few distinct ones under SM-2, and never a
        :class:`CardState` per card."""
        groups: Counter[tuple[Any, ...]] = Counter()
        member = card_ids.__contains__
        for (due, _, suspended, _, _, _, interval, *memory), ids in self.groups:
            if due is not None and not suspended and (n := sum(map(member, ids))):
                groups[(interval, due, *memory)] += n
        return [(recall_state(*key), n) for key, n in groups.items()]

    def answered(self) -> list[tuple[str, int, int]]:
        """(card id, scheduled answers graded :data:`~studydeck.scheduling.PASSING` or more,
        scheduled answers) of every card answered, from the cards' running totals."""
        return self.totals
