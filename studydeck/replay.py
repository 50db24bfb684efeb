"""Card states rebuilt from the review log: a pure function over events in time order.

Used to switch scheduler (the whole log through the other one) and by sync (the cards other
devices touched). Events are ordered by UTC time, then by id, so every machine that holds the
same set of events gets the same states whatever order the lines arrived in. An ``undo``
event cancels the event it names wherever it stands; nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import NamedTuple, TypeVar

from studydeck.fsrs_scheduler import FsrsSettings, retrievability
from studydeck.fsrs_scheduler import answer as fsrs_answer
from studydeck.perf import gc_paused
from studydeck.scheduling import CardState, Sm2State, answer, answer_fast, predicted_recall

LOG_YEARS = (1970, 9000)
"""The years a logged time may fall in, whoever logged it (a device file's line, an answer
pulled from Anki): well short of 9999, past which adding an interval to a day has no date
left (a probe's Anki review of year 9999 stopped the rebuild with an OverflowError)."""

KINDS = ("answer", "bury", "suspend", "send", "undo", "quiz", "rename", "correct")
"""What a log line can be. A quiz answer is logged and synced but never schedules; a rename
says a card's key changed (``value`` the old key); a correction moves a statement (``value``)
to the card of its key (:mod:`studydeck.store.corrections`), and never schedules either."""


# A NamedTuple, not a dataclass: reading 100,000 log lines builds 100,000 of them.
class Event(NamedTuple):
    """One line of the log. ``value``: a bury's day (or ""), suspend "1"/"0", a send's day,
    the id an undo cancels."""

    id: str
    at: str
    """UTC, ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (sorts as text)."""
    day: str
    """The study day it belongs to, on the device that made it."""
    kind: str
    key: str
    """The card's key in the logs (see :func:`studydeck.sync.line_key`)."""
    quality: int = 0
    duration_ms: int = 0
    repeat: bool = False
    value: str = ""
    device: str = ""


@dataclass(frozen=True, slots=True)
class Policy:
    """The scheduler answers go through, and the rule that makes a leech."""

    scheduler: str = "sm2"
    fsrs: FsrsSettings = field(default_factory=FsrsSettings)
    leech_threshold: int = 8

    def answer(self, state: CardState, quality: int, now: datetime, today: date) -> CardState:
        if self.scheduler == "fsrs":
            return fsrs_answer(state, quality, now, today, self.leech_threshold, self.fsrs)
        return answer(state, quality, today, self.leech_threshold)

    def recall(self, state: CardState, on: date) -> float | None:
        """The predicted chance of recalling the card on study day ``on`` (None: never
        reviewed): FSRS's retrievability, or SM-2's documented estimate
        (:func:`studydeck.scheduling.predicted_recall`)."""
        if self.scheduler == "fsrs":
            m = state.fsrs
            if m is None:
                return None
            at = m.last_review + timedelta(days=(on - m.last_review.date()).days)
            return retrievability(m, at, self.fsrs)
        return predicted_recall(state.sm2, on)


class Applied(NamedTuple):
    """An answer as replay applied it, for the review table (a NamedTuple: one per answer)."""

    event: Event
    before: CardState
    after: CardState


@dataclass
class Replayed:
    states: dict[str, CardState]
    answers: list[Applied]


NEW = CardState(Sm2State())


def replay(
    events: Iterable[Event], policy: Policy, retired: Mapping[str, bool] | None = None
) -> Replayed:
    """Every card's state after its events, applied in time order from a new card."""
    with gc_paused():  # 100,000 small acyclic objects: the cyclic GC would only slow it down
        return _replay(events, policy, retired)


def _replay(
    events: Iterable[Event], policy: Policy, retired: Mapping[str, bool] | None
) -> Replayed:
    ordered = in_order(events)
    undone = {e.value for e in ordered if e.kind == "undo"}
    days: dict[str, date] = {}
    retired = retired or {}
    states: dict[str, CardState] = {}
    applied: list[Applied] = []
    scheduled_on: dict[str, str] = {}
    # SM-2 goes through scheduling's one-call twin (tested equal to scheduling.answer).
    sm2 = policy.scheduler != "fsrs"
    threshold = policy.leech_threshold
    new_card = (NEW, CardState(NEW.sm2, retired=True))  # immutable: shared by new cards
    for e in ordered:
        eid, at, eday, kind, key, quality, _, repeat, _, _ = e  # one unpack, not six lookups
        if kind == "undo" or eid in undone:
            continue
        before = states.get(key)
        if before is None:
            before = new_card[bool(retired.get(key, False))]
        if kind == "answer":
            after = before  # a same-day repeat changes nothing
            if not same_day_repeat(repeat, scheduled_on.get(key), eday):
                scheduled_on[key] = eday
                day = days.get(eday)
                if day is None:
                    day = days[eday] = date.fromisoformat(eday)
                if sm2:
                    after = answer_fast(before, quality, day, threshold)
                else:
                    after = policy.answer(before, quality, datetime.fromisoformat(at), day)
            elif not repeat:
                e = e._replace(repeat=True)
            applied.append(Applied(e, before, after))
        else:
            after = _apply(before, e)
        states[key] = after
    return Replayed(states, applied)


ORDER = itemgetter(1, 0)
"""An event's place in time: (at, id), without a call per event."""

_ID, _AT = itemgetter(0), itemgetter(1)
_E = TypeVar("_E", bound=tuple[object, ...])


def in_order(events: Iterable[_E]) -> list[_E]:
    """``events`` (Events, or tuples in Event's field order) sorted by :data:`ORDER`: by id,
    then by time in a stable sort, which keeps events of the same time in id order -- two
    sorts on one text each, half the time of one on (time, id) pairs, and the first is one
    pass when they come in id order already (as the store holds a synced log)."""
    out = sorted(events, key=_ID)
    out.sort(key=_AT)
    return out


def _apply(state: CardState, e: Event) -> CardState:
    """A change that is not a scheduled answer (a same-day repeat changes nothing)."""
    if e.kind == "bury":
        return replace(state, buried_until=buried_until(e.value))
    if e.kind == "suspend":
        return replace(state, suspended=suspends(e.value))
    if e.kind == "send":
        due = sent_due(state.sm2.due, date.fromisoformat(e.value))
        return state if due == state.sm2.due else replace(state, sm2=replace(state.sm2, due=due))
    return state  # a kind from a newer studydeck: kept in the log, not understood here


# -- what an event does: the rules both replays (this one and the store's one-pass SM-2
# rebuild, studydeck.store.rows) call, so each is written once --------------------------


def same_day_repeat(repeat: bool, last_scheduled: str | None, day: str) -> bool:
    """Whether an answer on study ``day`` is a same-day repeat (it changes nothing), given
    the day of the card's last scheduled answer. One scheduled answer per card per study
    day, as Store.record_answer rules: an answer marked as a repeat is one, and so is a
    second "first answer" the same day (another window, another device)."""
    return repeat or last_scheduled == day


def buried_until(value: str) -> date | None:
    """The day a ``bury`` event buries its card until; "" unburies (None)."""
    return date.fromisoformat(value) if value else None


def suspends(value: str) -> bool:
    """Whether a ``suspend`` event suspends its card ("1"); anything else lifts it."""
    return value == "1"


Day = TypeVar("Day", date, str)
"""A day as a date, or as its ISO text (which sorts the same)."""


def sent_due(due: Day | None, until: Day) -> Day:
    """A card's due day after a ``send`` to review by ``until``: never later than it was."""
    return until if due is None or due > until else due
