"""FSRS beside SM-2: the adapter checked against py-fsrs itself, and SM-2's recall estimate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from studydeck.fsrs_scheduler import FsrsSettings, answer, rating, retrievability, review
from studydeck.scheduling import CardState, Sm2State, predicted_recall

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _plain_fsrs(retention: float = 0.9) -> Scheduler:
    return Scheduler(
        desired_retention=retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        (0, Rating.Again),
        (1, Rating.Again),
        (2, Rating.Again),
        (3, Rating.Hard),
        (4, Rating.Good),
        (5, Rating.Easy),
    ],
)
def test_grades_map_to_fsrs_ratings(grade: int, expected: Rating) -> None:
    assert rating(grade) == expected


def test_grade_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        rating(6)


@pytest.mark.parametrize(
    ("grades", "gaps", "retention"),
    [
        ([4, 4, 4, 5], [0, 3, 9, 30], 0.9),
        ([4, 1, 3, 4, 4], [0, 2, 1, 4, 11], 0.9),
        ([5, 5, 2, 4], [0, 16, 60, 1], 0.85),
        ([3, 3, 3], [0, 1, 2], 0.95),
    ],
)
def test_a_sequence_of_answers_matches_py_fsrs_step_by_step(
    grades: list[int], gaps: list[int], retention: float
) -> None:
    sched = _plain_fsrs(retention)
    settings = FsrsSettings(desired_retention=retention)
    card = Card(card_id=1)
    memory = None
    at = T0
    for grade, gap in zip(grades, gaps, strict=True):
        at += timedelta(days=gap)
        card, _ = sched.review_card(card, rating(grade), at)
        memory, days = review(memory, grade, at, settings)
        assert memory.stability == pytest.approx(card.stability, rel=1e-12)
        assert memory.difficulty == pytest.approx(card.difficulty, rel=1e-12)
        assert days == round((card.due - at) / timedelta(days=1))
        assert retrievability(memory, at + timedelta(days=7), settings) == pytest.approx(
            sched.get_card_retrievability(card, at + timedelta(days=7))
        )


def test_higher_desired_retention_gives_shorter_intervals() -> None:
    _, loose = review(None, 4, T0, FsrsSettings(desired_retention=0.8))
    _, tight = review(None, 4, T0, FsrsSettings(desired_retention=0.97))
    assert tight < loose


def test_fsrs_answer_schedules_by_study_day_and_keeps_the_leech_rule() -> None:
    today = date(2026, 3, 2)
    st = answer(CardState(Sm2State()), 4, T0, today, leech_threshold=2)
    assert st.fsrs is not None
    assert st.sm2.due == today + timedelta(days=st.sm2.interval)
    assert st.sm2.repetitions == 1
    st = answer(st, 1, T0 + timedelta(days=3), today + timedelta(days=3), leech_threshold=2)
    assert (st.lapses, st.leech, st.suspended, st.sm2.repetitions) == (1, False, False, 0)
    st = answer(st, 0, T0 + timedelta(days=4), today + timedelta(days=4), leech_threshold=2)
    assert (st.lapses, st.leech, st.suspended) == (2, True, True)


def test_a_card_never_reviewed_has_no_predicted_recall() -> None:
    assert retrievability(None, T0) is None
    assert predicted_recall(Sm2State(), date(2026, 3, 2)) is None


@pytest.mark.parametrize(
    ("days_since_review", "expected"),
    [(0, 1.0), (6, 0.9), (12, 0.81), (3, 0.9**0.5)],
)
def test_sm2_recall_is_ninety_percent_after_one_interval(
    days_since_review: int, expected: float
) -> None:
    reviewed = date(2026, 3, 2)
    state = Sm2State(repetitions=2, easiness=2.5, interval=6, due=reviewed + timedelta(days=6))
    on = reviewed + timedelta(days=days_since_review)
    assert predicted_recall(state, on) == pytest.approx(expected)
