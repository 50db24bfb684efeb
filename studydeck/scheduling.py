"""SM-2, exactly as SuperMemo published it (Wozniak, 1990), as a pure function.

``review(state, quality, today) -> state``: no clock, no I/O.

Readings of the SM-2 text, made explicit:

* quality is an integer 0..5; anything else is a ``ValueError``.
* quality >= 3 (a success): the interval is 1 day after the first success, 6 after
  the second, and after that the previous interval times the E-Factor *as it was
  before this answer*, rounded **up** to a whole day. Repetitions go up by one;
  then EF' = EF + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)), never below 1.3.
* quality < 3 (a lapse): repetitions start again from 0 and the interval is 1
  day, "as if memorised anew"; the E-Factor is left unchanged.
* the card is due ``today + interval``.
* SM-2's step 7 (repeat, the same day, every item graded below 4 until it earns
  at least 4) belongs to the session: such same-day repeats never call
  :func:`review` and so never change this state.

Intervals are capped at :data:`MAX_INTERVAL` (100 years, as Anki caps them): SM-2 has no
cap, and fourteen perfect answers in a row would otherwise schedule a card past the year
9999, where no date exists. No real schedule comes near it.

E-Factors move in steps of 0.02, so they are kept rounded to 4 decimals and the
interval product is rounded to 6 decimals before rounding up, so that float
noise (6 * 2.2 = 13.200000000000001) cannot add a day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum

INITIAL_EASINESS = 2.5
MIN_EASINESS = 1.3
PASSING = 3
"""A grade at least this is a success."""
MAX_INTERVAL = 36500
"""Days: the longest interval (100 years)."""
GOOD_ENOUGH = 4
"""A grade below this is repeated the same day (SM-2 step 7)."""


@dataclass(frozen=True, slots=True)
class Sm2State:
    """The SM-2 state of one card. A new card: repetitions 0, easiness 2.5, no due date."""

    repetitions: int = 0
    easiness: float = INITIAL_EASINESS
    interval: int = 0
    due: date | None = None

    @property
    def is_new(self) -> bool:
        return self.due is None


def next_easiness(easiness: float, quality: int) -> float:
    d = 5 - quality
    return max(MIN_EASINESS, round(easiness + (0.1 - d * (0.08 + d * 0.02)), 4))


def check_quality(quality: object) -> int:
    """``quality`` if it is an SM-2 grade (an integer 0-5), else ``ValueError``."""
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
        raise ValueError(f"SM-2 quality must be an integer from 0 to 5, not {quality!r}")
    return quality


def review(state: Sm2State, quality: int, today: date) -> Sm2State:
    """The state after answering with ``quality`` (0-5) on ``today``."""
    check_quality(quality)
    reps, easiness, interval = sm2_step(state.repetitions, state.easiness, state.interval, quality)
    return Sm2State(reps, easiness, interval, today + timedelta(days=interval))


def sm2_step(
    repetitions: int, easiness: float, interval: int, quality: int
) -> tuple[int, float, int]:
    """SM-2's arithmetic, the one place it is written: repetitions, E-Factor and interval
    after a scheduled answer with a checked ``quality``. :func:`review` and the replays of a
    whole log (which keep states as plain tuples) all call it."""
    if quality < PASSING:
        return 0, easiness, 1
    if repetitions == 0:
        interval = 1
    elif repetitions == 1:
        interval = 6
    else:
        interval = min(MAX_INTERVAL, max(1, math.ceil(round(interval * easiness, 6))))
    return repetitions + 1, next_easiness(easiness, quality), interval


def lapse_step(lapses: int, leech: bool, quality: int, leech_threshold: int) -> tuple[int, bool]:
    """The lapse and leech rule, whatever the scheduler: lapses and the leech flag after a
    scheduled answer. A grade below :data:`PASSING` is a lapse; the lapse that brings the
    count to ``leech_threshold`` (0: never) makes the card a leech (and a leech is suspended,
    see :func:`leech_flags`)."""
    if quality >= PASSING:
        return lapses, leech
    lapses += 1
    return lapses, leech or lapses >= leech_threshold > 0


def leech_flags(
    lapses: int, leech: bool, suspended: bool, quality: int, leech_threshold: int
) -> tuple[int, bool, bool]:
    """Lapses, leech and suspended after a scheduled answer: :func:`lapse_step`, and a leech
    is suspended. Whatever the scheduler: :func:`after_answer`, :func:`answer_fast` and the
    store's one-pass replay (:mod:`studydeck.store.rows`) all call it."""
    lapses, leech = lapse_step(lapses, leech, quality, leech_threshold)
    return lapses, leech, suspended or leech


class AnkiButton(IntEnum):
    """Anki's four answer buttons, as SM-2 grades: Again 1, Hard 3, Good 4, Easy 5.

    One mapping for the review keys, the help screen and reviews pulled from Anki.
    """

    AGAIN = 1
    HARD = 3
    GOOD = 4
    EASY = 5

    @classmethod
    def from_ease(cls, ease: int) -> AnkiButton:
        """Anki's ``revlog.ease`` (1 Again .. 4 Easy) as a button."""
        return (cls.AGAIN, cls.HARD, cls.GOOD, cls.EASY)[ease - 1]


@dataclass(frozen=True, slots=True)
class FsrsMemory:
    """FSRS's memory state of a card (see :mod:`studydeck.fsrs_scheduler`)."""

    stability: float
    difficulty: float
    last_review: datetime
    """UTC time of the last scheduled answer."""


@dataclass(frozen=True, slots=True)
class CardState:
    """What the store knows of a card besides its text: its schedule plus its flags.

    ``sm2`` is the schedule every screen reads (due, interval, repetitions). Under SM-2 it is
    SM-2's state; under FSRS it holds FSRS's due date and interval (the E-Factor is left
    alone) and ``fsrs`` holds FSRS's memory state. What the flags mean for today (buried,
    suspended, ...) is :mod:`studydeck.planner`'s.
    """

    sm2: Sm2State
    lapses: int = 0
    suspended: bool = False
    leech: bool = False
    buried_until: date | None = None
    retired: bool = False
    fsrs: FsrsMemory | None = None


def answer(state: CardState, quality: int, today: date, leech_threshold: int) -> CardState:
    """The card after a scheduled (not same-day repeat) answer, under SM-2."""
    return after_answer(state, quality, leech_threshold, review(state.sm2, quality, today))


def answer_fast(state: CardState, quality: int, today: date, leech_threshold: int) -> CardState:
    """:func:`answer` in one call, for replaying a whole log (100,000 answers): one grade
    check and no intermediate objects; the rules are :func:`sm2_step` and :func:`lapse_step`,
    as for :func:`answer`."""
    if type(quality) is not int or not 0 <= quality <= 5:
        check_quality(quality)  # raises, except for an int subclass (an AnkiButton) in range
    s = state.sm2
    reps, easiness, interval = sm2_step(s.repetitions, s.easiness, s.interval, quality)
    lapses, leech, suspended = leech_flags(
        state.lapses, state.leech, state.suspended, quality, leech_threshold
    )
    return CardState(
        Sm2State(reps, easiness, interval, today + timedelta(days=interval)),
        lapses,
        suspended,
        leech,
        state.buried_until,
        state.retired,
        state.fsrs,
    )


def after_answer(
    state: CardState,
    quality: int,
    leech_threshold: int,
    schedule: Sm2State,
    memory: FsrsMemory | None = None,
) -> CardState:
    """The card with the ``schedule`` (and FSRS ``memory``) a scheduler gave for an answer,
    and the lapse and leech rule (:func:`lapse_step`), whatever the scheduler; a leech is
    suspended.
    """
    check_quality(quality)
    lapses, leech, suspended = leech_flags(
        state.lapses, state.leech, state.suspended, quality, leech_threshold
    )
    # A constructor, not dataclasses.replace: replay runs this 100,000 times.
    return CardState(
        schedule,
        lapses,
        suspended,
        leech,
        state.buried_until,
        state.retired,
        memory if memory is not None else state.fsrs,
    )


RECALL_AT_INTERVAL = 0.9
"""SM-2 models no memory; studydeck reads its interval as the time to 90 % recall."""


def predicted_recall(state: Sm2State, on: date) -> float | None:
    """SM-2's predicted chance of recall on ``on``: a documented estimate, not SM-2's own.

    Forgetting is taken as exponential, with the card's interval as the time at which recall
    has fallen to :data:`RECALL_AT_INTERVAL`: ``R(t) = 0.9 ** (t / interval)``, ``t`` the days
    since the last review (``due - interval``). A card never reviewed has no prediction.
    """
    if state.due is None or state.interval <= 0:
        return None
    elapsed = max(0, (on - (state.due - timedelta(days=state.interval))).days)
    return float(RECALL_AT_INTERVAL ** (elapsed / state.interval))
