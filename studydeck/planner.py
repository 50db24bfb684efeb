"""Today's plan: the review queue and every count shown anywhere, from one pure function.

:func:`plan` takes compact inputs that a SQL query can produce directly (card ids and paper
keys in notes order, each card's :class:`CardRow` by id, today's answers as small tuples),
never ``Card`` objects, and does no I/O. Home, stats (screen and ``stats --json``), the session queue, the
session summary and the browse state column all read a :class:`Plan`, so they cannot disagree.

The states of a card (one definition each; :func:`status` applies them in this order, so
every card has exactly one):

* **retired** — its row left the notes; kept for its history, never studied or counted.
* **suspended** — suspended by hand or as a leech; never studied until unsuspended.
* **buried** — hidden until ``buried_until`` (exclusive of that day: a card buried until
  tomorrow is studied tomorrow); not studied today.
* **new** — never graded (no due date).
* **learning** — graded, but not yet learnt: its last scheduled answer was a lapse
  (SM-2 repetitions back to 0), or it is owed a same-day repeat today (last answer today
  below 4, SM-2 step 7).
* **due** — any other graded card due today or earlier.
* **review** — any other graded card, due after today.

A **leech** is a flag, not a state: a card that lapsed ``leech_threshold`` times is tagged a
leech and suspended (see :func:`studydeck.scheduling.answer`); ``Plan.leeches`` counts them.

Today's queue: cards due today or earlier that are neither retired, suspended nor buried
(learning ones included), most overdue first (ties in notes order), up to the daily review
limit *minus today's scheduled reviews already answered*; then new cards in notes order, up to
the new-card limit *minus today's new cards already answered*; then the cards owed a same-day
repeat. Cards of one paper are kept apart where possible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import chain, groupby
from typing import NamedTuple

from studydeck.config import Settings
from studydeck.perf import gc_paused
from studydeck.scheduling import GOOD_ENOUGH, CardState

FORECAST_DAYS = 30
STATES = ("retired", "suspended", "buried", "new", "learning", "due", "review")


class CardRow(NamedTuple):
    """The few fields of a card's stored state that the planner reads, as the ``cards`` table
    holds them (:func:`studydeck.store.states.plan_groups` reads them straight from SQL): dates
    are ISO text, which orders as the dates do, and flags are 0/1. Building a full
    :class:`~studydeck.scheduling.CardState` per card costs more than the whole plan."""

    due: str | None
    repetitions: int
    suspended: int
    leech: int
    buried_until: str | None
    retired: int


def row_of(state: CardState) -> CardRow:
    """The planner's fields of a full card state."""
    s = state.sm2
    return CardRow(
        s.due.isoformat() if s.due else None,
        s.repetitions,
        int(state.suspended),
        int(state.leech),
        state.buried_until.isoformat() if state.buried_until else None,
        int(state.retired),
    )


class DeckCard(NamedTuple):
    """A card of the deck, in notes order: its id and its paper's key."""

    card_id: str
    paper_key: str


class TodayAnswer(NamedTuple):
    """One answer given today, in the order given."""

    card_id: str
    quality: int
    repeat: bool
    was_new: bool


class Planned(NamedTuple):
    """One place in today's queue."""

    card_id: str
    paper_key: str
    repeat: bool = False
    """A same-day repeat (SM-2 step 7): logged, but leaves the SM-2 state alone."""


@dataclass(frozen=True)
class Plan:
    today: date
    queue: list[Planned]
    status: dict[str, str]
    """Every deck card's state (see the module docstring); a card with no stored state is new."""
    due: int
    """Scheduled reviews in today's queue (after the daily review limit)."""
    due_total: int
    """Cards due today or earlier that could be studied, before the limit."""
    new_available: int
    """New cards in today's queue (after the new-card limit)."""
    new_total: int
    repeats: int
    """Same-day repeats in today's queue."""
    learning: int
    suspended: int
    buried: int
    leeches: int
    retired: int
    """Retired cards in the store (no longer in the deck)."""
    reviews_done: int
    """Scheduled reviews of known cards answered today (what the review limit counts)."""
    new_done: int
    """New cards answered today (what the new-card limit counts)."""
    answered_today: int
    """Every answer today, same-day repeats included."""
    due_tomorrow: int
    """Cards that will be due tomorrow if nothing more is answered today."""
    forecast: dict[date, int] = field(default_factory=dict)
    """Cards that become studiable on each of the next 30 days (today: everything overdue)."""

    @property
    def total_cards(self) -> int:
        return len(self.status)


def status(state: CardRow | CardState | None, today: date, owes_repeat: bool = False) -> str:
    """The one state (see the module docstring) of a card on ``today``."""
    row = state if state is None or isinstance(state, CardRow) else row_of(state)
    return _classify(row, today.isoformat(), owes_repeat)[0]


_NEW = ("new", None)
_RETIRED = ("retired", None)
_SUSPENDED = ("suspended", None)
_BURIED_NEW = ("buried", None)


def _classify(row: CardRow | None, today: str, owes_repeat: bool) -> tuple[str, str | None]:
    """A card's state on ``today`` (ISO text, compared with the row's ISO dates), and the
    first day (ISO) from ``today`` on which it can be studied (None: never, or new). The one
    place both are decided; one call and one unpacking per card, as the plan runs it for
    every card of the deck."""
    if row is None:
        return _NEW
    due, repetitions, suspended, _, buried_until, retired = row
    if retired:
        return _RETIRED
    if suspended:
        return _SUSPENDED
    if due is None:
        return _BURIED_NEW if buried_until is not None and buried_until > today else _NEW
    day = due if due > today else today  # (faster than max(), once per card)
    if buried_until is not None and buried_until > today:
        return ("buried", buried_until if buried_until > day else day)
    if repetitions == 0 or owes_repeat:
        return ("learning", day)
    return ("due" if due <= today else "review", day)


def owed_repeats(today_log: Sequence[TodayAnswer]) -> list[str]:
    """Cards whose last answer today was below 4, in the order first answered (SM-2 step 7)."""
    last: dict[str, int] = {}
    for a in today_log:
        last[a.card_id] = a.quality
    return [cid for cid, q in last.items() if q < GOOD_ENOUGH]


def spread(items: list[Planned]) -> list[Planned]:
    """Reorder so that two cards of the same paper are never back to back, where possible."""
    out: list[Planned] = []
    pending = list(items)
    left = Counter(it.paper_key for it in pending)
    # A paper's count only falls: while twice the largest count at the start is no more
    # than what is left, no paper can hold half of it, and the counts are not searched
    # (that search, once per card, cost more than the rest of a day's plan).
    bound = max(left.values(), default=0)
    while pending:
        last = out[-1].paper_key if out else None
        # Queue order, except that a paper holding half of what is left must go now, or
        # its cards would end up back to back at the tail.
        must = None
        if 2 * bound > len(pending):
            most, n = left.most_common(1)[0]
            bound = n
            must = most if most != last and 2 * n > len(pending) else None
        idx = next(
            (
                i
                for i, it in enumerate(pending)
                if it.paper_key != last and must in (None, it.paper_key)
            ),
            0,
        )
        item = pending.pop(idx)
        left[item.paper_key] -= 1
        out.append(item)
    return out


RowGroups = Sequence[tuple[CardRow, Collection[str]]]
"""Card rows grouped: each distinct :class:`CardRow` once, with the ids of the cards that
have it (what :func:`studydeck.store.states.plan_groups` reads from SQL: a store's cards
share a few dozen rows)."""


def plan(
    cards: Sequence[tuple[str, str]],
    states: Mapping[str, CardRow] | Mapping[str, CardState] | RowGroups,
    today: date,
    settings: Settings,
    today_log: Sequence[TodayAnswer] = (),
    retired: int | None = None,
) -> Plan:
    """Today's queue and counts (see the module docstring for every rule). ``retired``: how
    many retired cards the deck's files have, as the store counts them
    (:meth:`~studydeck.store.Store.retired_count`: one store holds several decks); None,
    for a plan made without a store: those among ``states`` that are not the deck's.
    ``cards``: each
    deck card's id and paper key (a :class:`DeckCard`, or a plain pair), in notes order; a
    card id is listed once. ``states``: the stored cards' rows grouped (:data:`RowGroups`,
    fast: :func:`~studydeck.store.states.plan_groups`), or each card's :class:`CardRow` or
    full :class:`CardState` by id (grouped here)."""
    groups = _groups(states)
    owed = owed_repeats(today_log)
    iso = today.isoformat()
    ids = [card[0] for card in cards]
    # Each rule is applied once per distinct row (a few dozen), never once per card: the
    # cards of a row are a set, found in the deck by a set operation, and their states are
    # written all at once. Cards with no stored row stay new.
    statuses = dict.fromkeys(ids, "new")
    deck_ids = statuses.keys()
    owing = deck_ids & set(owed)
    entries: list[_Entry] = []
    stored_retired = 0
    with gc_paused():  # (one set per row, a dict of every card: no cycles)
        for row, gids in groups:
            if row[5]:
                stored_retired += len(gids)
            members = deck_ids & gids
            if not members:
                continue
            if owing and (late := members & owing):
                members -= late
                entries.append(_Entry(row, iso, True, late))
            if members:
                entries.append(_Entry(row, iso, False, members))
        for e in entries:
            if e.state != "new":
                statuses.update(dict.fromkeys(e.members, e.state))
    counts = Counter(statuses.values())
    forecast: dict[str, int] = {}
    leeches = 0
    for e in entries:
        if e.state == "new":
            continue
        leeches += e.row[3] * len(e.members)
        if e.day is not None:  # (None: retired, suspended, or buried and never graded)
            forecast[e.day] = forecast.get(e.day, 0) + len(e.members)
    due_now = [e for e in entries if e.due_now]
    due_total = sum(len(e.members) for e in due_now)
    reviews_done = sum(1 for a in today_log if not a.repeat and not a.was_new)
    new_done = sum(1 for a in today_log if a.was_new)
    review_room = max(0, settings.reviews_per_day - reviews_done)
    new_room = max(0, settings.new_per_day - new_done)
    new_total = counts["new"]
    queue = [Planned(*cards[i]) for i in _most_overdue(due_now, ids, review_room)]
    queue += [Planned(*card) for card in _first_new(cards, statuses, min(new_room, new_total))]
    queued = {p.card_id for p in queue}
    key_of = dict(cards) if owed else {}
    repeats = [
        Planned(cid, key_of[cid], repeat=True)
        for cid in owed
        if cid in key_of and cid not in queued and statuses[cid] not in _RESTING
    ]
    days = [today + timedelta(days=d) for d in range(FORECAST_DAYS)]
    return Plan(
        today=today,
        queue=spread(queue + repeats),
        status=statuses,
        due=min(due_total, review_room),
        due_total=due_total,
        new_available=min(new_total, new_room),
        new_total=new_total,
        repeats=len(repeats),
        learning=counts["learning"],
        suspended=counts["suspended"],
        buried=counts["buried"],
        leeches=leeches,
        retired=stored_retired - counts["retired"] if retired is None else retired,
        reviews_done=reviews_done,
        new_done=new_done,
        answered_today=len(today_log),
        due_tomorrow=forecast.get(iso, 0) + forecast.get(days[1].isoformat(), 0),
        forecast={d: forecast.get(d.isoformat(), 0) for d in days},
    )


class _Entry:
    """The deck's cards sharing one row (and owing a repeat today, or not), classified once."""

    __slots__ = ("day", "due_now", "members", "row", "state")

    def __init__(self, row: CardRow, today: str, owes_repeat: bool, members: set[str]) -> None:
        self.state, self.day = _classify(row, today, owes_repeat)
        self.row = row
        self.members = members
        self.due_now = self.day == today and self.state in ("due", "learning")
        """Due today or earlier (and studied today: not resting)."""


def _most_overdue(due_now: Sequence[_Entry], ids: Sequence[str], room: int) -> list[int]:
    """Positions in the deck (notes order) of the first ``room`` cards due today or earlier,
    most overdue first, ties in notes order. Only the rows that fill the room are ordered."""
    out: list[int] = []
    if room <= 0 or not due_now:
        return out
    where: dict[str, int] | None = None
    ordered = sorted(due_now, key=_due)
    for _, same in groupby(ordered, key=_due):
        if len(out) >= room:
            break
        if where is None:  # (made only when something is due)
            where = dict(zip(ids, range(len(ids)), strict=True))
        at = sorted(map(where.__getitem__, chain.from_iterable(e.members for e in same)))
        out += at[: room - len(out)]
    return out


def _first_new(
    cards: Sequence[tuple[str, str]], statuses: Mapping[str, str], n: int
) -> list[tuple[str, str]]:
    """The first ``n`` new cards in notes order (the scan stops once they are found)."""
    out: list[tuple[str, str]] = []
    if n <= 0:
        return out
    for card in cards:
        if statuses[card[0]] == "new":
            out.append(card)
            if len(out) == n:
                break
    return out


def _groups(states: Mapping[str, CardRow] | Mapping[str, CardState] | RowGroups) -> RowGroups:
    if not isinstance(states, Mapping):
        return states
    by_row: dict[CardRow, list[str]] = {}
    for cid, st in states.items():
        row = st if isinstance(st, CardRow) else row_of(st)
        by_row.setdefault(row, []).append(cid)
    return list(by_row.items())


def _due(e: _Entry) -> str:
    return e.row[0] or ""


_RESTING = frozenset({"retired", "suspended", "buried"})
"""States in which a card is not studied today, not even as a same-day repeat."""
