"""FSRS beside SM-2, through py-fsrs (PyPI ``fsrs``), as pure functions.

Choices, made explicit:

* grades map 0–2 → Again, 3 → Hard, 4 → Good, 5 → Easy (:func:`rating`);
* py-fsrs's default parameters unless the user fitted their own (``studydeck optimize``);
* no learning steps and no fuzzing: studydeck schedules whole study days and repeats a
  failed card the same day itself (SM-2 step 7, in the session), and a replay of the same
  log must give the same state on every machine — fuzzing draws random numbers;
* the due date is the study day of the answer plus FSRS's interval in days, so FSRS and
  SM-2 cards fall due on the same study-day boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from studydeck.scheduling import (
    PASSING,
    CardState,
    FsrsMemory,
    Sm2State,
    after_answer,
    check_quality,
)

if TYPE_CHECKING:
    from fsrs import Card, Rating, Scheduler

# py-fsrs is imported only when a card is scheduled or its recall predicted under FSRS:
# with typing_extensions it is a good part of the start-up of commands that never do
# (``stats`` under SM-2, a warm start). So its default parameters are held here; a test
# checks them against the installed py-fsrs's ``Scheduler().parameters``.
DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212,
    1.2931,
    2.3065,
    8.2956,
    6.4133,
    0.8334,
    3.0194,
    0.001,
    1.8722,
    0.1666,
    0.796,
    1.4835,
    0.0614,
    0.2629,
    1.6483,
    0.6014,
    1.8729,
    0.5425,
    0.0912,
    0.0658,
    0.1542,
)


@dataclass(frozen=True, slots=True)
class FsrsSettings:
    desired_retention: float = 0.9
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS


def rating(grade: int) -> Rating:
    """An SM-2 grade (0–5) as FSRS's rating."""
    check_quality(grade)
    return _ratings()[grade]


@lru_cache(maxsize=1)
def _ratings() -> tuple[Rating, ...]:
    """FSRS's rating of each grade 0-5 (looked up per answer: a log export calls it per row)."""
    from fsrs import Rating

    return tuple(
        Rating.Again if g < PASSING else (Rating.Hard, Rating.Good, Rating.Easy)[g - PASSING]
        for g in range(6)
    )


@lru_cache(maxsize=8)
def scheduler(settings: FsrsSettings) -> Scheduler:
    from fsrs import Scheduler

    return Scheduler(
        parameters=settings.parameters,
        desired_retention=settings.desired_retention,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )


def _card(memory: FsrsMemory | None) -> Card:
    from fsrs import Card, State

    # card_id given: py-fsrs otherwise sleeps a millisecond to make a unique one.
    if memory is None:
        return Card(card_id=0)
    return Card(
        card_id=0,
        state=State.Review,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.last_review,
        last_review=memory.last_review,
    )


def review(
    memory: FsrsMemory | None, grade: int, now: datetime, settings: FsrsSettings = FsrsSettings()
) -> tuple[FsrsMemory, int]:
    """FSRS's memory after answering ``grade`` at ``now``, and the next interval in days."""
    at = now.astimezone(UTC)
    card, _ = scheduler(settings).review_card(_card(memory), rating(grade), at)
    assert card.stability is not None and card.difficulty is not None
    days = max(1, round((card.due - at) / timedelta(days=1)))
    return FsrsMemory(card.stability, card.difficulty, at), days


def answer(
    state: CardState,
    grade: int,
    now: datetime,
    today: date,
    leech_threshold: int,
    settings: FsrsSettings = FsrsSettings(),
) -> CardState:
    """The card after a scheduled answer under FSRS (the lapse and leech rule as for SM-2)."""
    memory, days = review(state.fsrs, grade, now, settings)
    reps = state.sm2.repetitions + 1 if grade >= PASSING else 0
    schedule = Sm2State(reps, state.sm2.easiness, days, today + timedelta(days=days))
    return after_answer(state, grade, leech_threshold, schedule, memory)


def retrievability(
    memory: FsrsMemory | None, at: datetime, settings: FsrsSettings = FsrsSettings()
) -> float | None:
    """FSRS's predicted chance of recall at ``at``; None for a card never reviewed."""
    if memory is None:
        return None
    return float(scheduler(settings).get_card_retrievability(_card(memory), at.astimezone(UTC)))
