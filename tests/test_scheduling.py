"""SM-2 against hand-computed sequences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studydeck.scheduling import (
    MAX_INTERVAL,
    AnkiButton,
    CardState,
    FsrsMemory,
    Sm2State,
    answer,
    answer_fast,
    review,
)

DAY0 = date(2026, 1, 1)

# (grades, expected (repetitions, easiness, interval) after each answer)
# Each answer is given on the day the card falls due.
SEQUENCES = [
    ([5, 5, 5, 5], [(1, 2.6, 1), (2, 2.7, 6), (3, 2.8, 17), (4, 2.9, 48)]),
    # 6*2.7 = 16.2 -> 17; 17*2.8 = 47.6 -> 48
    ([4, 3, 5, 2, 5], [(1, 2.5, 1), (2, 2.36, 6), (3, 2.46, 15), (0, 2.46, 1), (1, 2.56, 1)]),
    # q=3: 2.5 - 0.14 = 2.36; third: 6 * 2.36 = 14.16 -> 15 (EF before the answer)
    ([0, 0, 5], [(0, 2.5, 1), (0, 2.5, 1), (1, 2.6, 1)]),
    ([3, 3, 3, 3, 3], [(1, 2.36, 1), (2, 2.22, 6), (3, 2.08, 14), (4, 1.94, 30), (5, 1.8, 59)]),
    # 6*2.22=13.32->14; 14*2.08=29.12->30; 30*1.94=58.2->59
    ([5, 5, 4, 4], [(1, 2.6, 1), (2, 2.7, 6), (3, 2.7, 17), (4, 2.7, 46)]),
    # 17 * 2.7 = 45.9 -> 46
]


@pytest.mark.parametrize(("grades", "expected"), SEQUENCES)
def test_sequences(grades: list[int], expected: list[tuple[int, float, int]]) -> None:
    state, today = Sm2State(), DAY0
    for q, (reps, ef, interval) in zip(grades, expected, strict=True):
        state = review(state, q, today)
        assert (state.repetitions, state.easiness, state.interval) == (
            reps,
            pytest.approx(ef),
            interval,
        )
        assert state.due == today + timedelta(days=interval)
        today = state.due


def test_easiness_floor_after_many_threes() -> None:
    state = Sm2State()
    for _ in range(10):
        state = review(state, 3, DAY0)
    assert state.easiness == 1.3


def test_float_noise_does_not_add_a_day() -> None:
    assert review(Sm2State(repetitions=2, easiness=2.2, interval=6), 4, DAY0).interval == 14
    assert review(Sm2State(repetitions=2, easiness=2.5, interval=6), 4, DAY0).interval == 15


@pytest.mark.parametrize("bad", [-1, 6, 2.5, "3", None, True])
def test_invalid_quality(bad: object) -> None:
    with pytest.raises(ValueError, match="0 to 5"):
        review(Sm2State(), bad, DAY0)  # type: ignore[arg-type]


@given(st.lists(st.integers(0, 5), min_size=1, max_size=40), st.dates(max_value=date(9000, 1, 1)))
def test_invariants(grades: list[int], today: date) -> None:
    state = Sm2State()
    for q in grades:
        state = review(state, q, today)
        assert state.easiness >= 1.3
        assert 1 <= state.interval <= MAX_INTERVAL
        assert state.due is not None and state.due > today


def test_a_long_run_of_perfect_answers_stops_at_a_hundred_years() -> None:
    state = Sm2State()
    for _ in range(20):  # uncapped, the 14th would land past the year 9999
        state = review(state, 5, DAY0)
    assert state.interval == MAX_INTERVAL == 36500


def test_gc_paused_leaves_cycles_collectable() -> None:
    import gc

    from studydeck.perf import gc_paused

    class Node:
        def __init__(self) -> None:
            self.me = self

    before = gc.get_freeze_count()
    with gc_paused():
        nodes = [Node() for _ in range(1000)]
    del nodes
    assert gc.get_freeze_count() == before
    assert gc.collect() >= 1000


def test_a_card_is_new_until_its_first_answer() -> None:
    assert Sm2State().is_new
    assert not review(Sm2State(), 0, DAY0).is_new


def test_anki_buttons_are_sm2_grades_1_3_4_5_and_revlog_ease_1_to_4() -> None:
    assert [(b.name, int(b)) for b in AnkiButton] == [
        ("AGAIN", 1),
        ("HARD", 3),
        ("GOOD", 4),
        ("EASY", 5),
    ]
    assert [AnkiButton.from_ease(e) for e in (1, 2, 3, 4)] == list(AnkiButton)


def test_lapses_make_a_leech_at_the_threshold_and_a_leech_is_suspended() -> None:
    card, day = CardState(Sm2State()), DAY0
    history = []
    for q in (2, 3, 0, 5, 1):  # a 3 is a pass, not a lapse
        card = answer(card, q, day, leech_threshold=3)
        history.append((card.lapses, card.leech, card.suspended))
        day += timedelta(days=1)
    assert history == [
        (1, False, False),
        (1, False, False),
        (2, False, False),
        (2, False, False),
        (3, True, True),
    ]
    again = answer(card, 5, day, leech_threshold=3)
    assert (again.lapses, again.leech, again.suspended) == (3, True, True)
    assert again.sm2 == review(card.sm2, 5, day)


def test_threshold_0_never_makes_a_leech_and_one_lapse_can() -> None:
    card = CardState(Sm2State())
    for _ in range(20):
        card = answer(card, 0, DAY0, leech_threshold=0)
    assert (card.lapses, card.leech, card.suspended) == (20, False, False)
    once = answer(CardState(Sm2State()), 1, DAY0, leech_threshold=1)
    assert (once.leech, once.suspended) == (True, True)
    # Lowering the threshold makes a leech at the next lapse, not at the next pass.
    lowered = CardState(Sm2State(), lapses=5)
    assert not answer(lowered, 3, DAY0, leech_threshold=3).leech
    assert answer(lowered, 2, DAY0, leech_threshold=3).leech
    kept = answer(CardState(Sm2State(), suspended=True), 5, DAY0, leech_threshold=1)
    assert (kept.leech, kept.suspended) == (False, True)


_states = st.builds(
    CardState,
    sm2=st.builds(
        Sm2State,
        repetitions=st.integers(0, 30),
        easiness=st.sampled_from([1.3, 1.32, 1.5, 1.94, 2.22, 2.36, 2.5, 2.6, 2.7, 3.1])
        | st.floats(1.3, 3.2),
        interval=st.integers(0, 2000),
        due=st.none() | st.dates(max_value=date(2200, 1, 1)),
    ),
    lapses=st.integers(0, 12),
    suspended=st.booleans(),
    leech=st.booleans(),
    buried_until=st.none() | st.dates(),
    retired=st.booleans(),
    fsrs=st.none() | st.just(FsrsMemory(3.2, 5.1, datetime(2026, 1, 1, tzinfo=UTC))),
)


@given(
    _states,
    st.integers(0, 5) | st.sampled_from(list(AnkiButton)),
    st.dates(max_value=date(2200, 1, 1)),  # four answers later, still a date
    st.integers(0, 10),
)
def test_the_replay_twin_answers_exactly_as_answer(
    state: CardState, quality: int, today: date, threshold: int
) -> None:
    """Replay's one-call SM-2 (answer_fast) is scheduling.answer, field for field, and each
    answer after it too (a chain walks through the lapse, leech and interval branches)."""
    for _ in range(4):
        expected = answer(state, quality, today, threshold)
        assert answer_fast(state, quality, today, threshold) == expected
        state, today = expected, today + timedelta(days=expected.sm2.interval)


@pytest.mark.parametrize("bad", [-1, 6, 2.0, True, "4", None])
def test_the_replay_twin_rejects_what_answer_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match="SM-2 quality"):
        answer_fast(CardState(Sm2State()), bad, DAY0, 8)  # type: ignore[arg-type]
