"""The planner: today's queue and every count, from card states as the store keeps them."""

from __future__ import annotations

from datetime import date, timedelta

from studydeck.config import Settings
from studydeck.planner import DeckCard, TodayAnswer, owed_repeats, plan, status
from studydeck.scheduling import CardState, Sm2State

TODAY = date(2026, 3, 10)


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


def graded(due: int, reps: int = 2, **flags: object) -> CardState:
    return CardState(sm2=Sm2State(reps, 2.5, 6, day(due)), **flags)  # type: ignore[arg-type]


def cards(*ids: str) -> list[DeckCard]:
    """One card per paper, so the queue keeps its order (no paper spreading)."""
    return [DeckCard(cid, f"paper-{cid}") for cid in ids]


def test_most_overdue_first_then_notes_order() -> None:
    states = {"a": graded(-1), "b": graded(-7), "c": graded(0), "e": graded(-3), "d": graded(-3)}
    p = plan(cards("a", "b", "c", "e", "d"), states, TODAY, Settings())
    assert [it.card_id for it in p.queue] == ["b", "e", "d", "a", "c"]


def test_daily_review_limit_counts_reviews_already_answered_today() -> None:
    states = {c: graded(-1) for c in "abcde"} | {"x": graded(1), "y": graded(1)}
    log = [
        TodayAnswer("x", 4, repeat=False, was_new=False),
        TodayAnswer("y", 5, repeat=False, was_new=False),
    ]
    p = plan(cards(*"abcdexy"), states, TODAY, Settings(reviews_per_day=3), log)
    assert p.reviews_done == 2
    assert [it.card_id for it in p.queue] == ["a"] and p.due == 1 and p.due_total == 5
    used_up = plan(cards(*"abcdexy"), states, TODAY, Settings(reviews_per_day=2), log)
    assert used_up.queue == [] and used_up.due == 0


def test_new_answers_and_repeats_do_not_use_up_the_review_limit() -> None:
    states = {c: graded(-1) for c in "abc"} | {"n": graded(1, reps=1), "m": graded(1)}
    log = [
        TodayAnswer("n", 5, repeat=False, was_new=True),
        TodayAnswer("m", 3, repeat=False, was_new=False),
        TodayAnswer("m", 3, repeat=True, was_new=False),
    ]
    p = plan(cards(*"abcnm"), states, TODAY, Settings(reviews_per_day=3), log)
    assert p.reviews_done == 1 and p.due == 2
    assert [(it.card_id, it.repeat) for it in p.queue] == [("a", False), ("b", False), ("m", True)]


def test_new_card_limit_counts_new_cards_answered_today() -> None:
    states = {"seen": graded(1, reps=1)}
    log = [TodayAnswer("seen", 5, repeat=False, was_new=True)]
    p = plan(cards("seen", *"abcd"), states, TODAY, Settings(new_per_day=3), log)
    assert p.new_done == 1 and p.new_total == 4 and p.new_available == 2
    assert [it.card_id for it in p.queue] == ["a", "b"]


def test_a_grade_of_3_is_owed_a_same_day_repeat_but_4_is_not() -> None:
    log = [
        TodayAnswer("three", 3, repeat=False, was_new=False),
        TodayAnswer("four", 4, repeat=False, was_new=False),
        TodayAnswer("fixed", 1, repeat=False, was_new=False),
        TodayAnswer("fixed", 4, repeat=True, was_new=False),
    ]
    assert owed_repeats(log) == ["three"]


def test_one_state_per_card_and_learning_means_not_yet_learnt() -> None:
    states = {
        "lapsed-later": graded(1, reps=0, lapses=1),
        "lapsed-due": graded(0, reps=0, lapses=1),
        "owes-repeat": graded(6, reps=2),
        "once-right": graded(1, reps=1),
        "due": graded(-2, reps=3),
        "review": graded(20, reps=3),
        "buried": graded(-1, reps=0, buried_until=day(1)),
        "suspended": graded(-1, reps=0, suspended=True),
        "leech": graded(-1, reps=0, lapses=8, suspended=True, leech=True),
        "gone": graded(-1, retired=True),
    }
    log = [TodayAnswer("owes-repeat", 2, repeat=True, was_new=False)]
    ids = [c for c in states if c != "gone"] + ["new"]
    p = plan(cards(*ids), states, TODAY, Settings(), log)
    assert p.status == {
        "lapsed-later": "learning",
        "lapsed-due": "learning",
        "owes-repeat": "learning",
        "once-right": "review",
        "due": "due",
        "review": "review",
        "buried": "buried",
        "suspended": "suspended",
        "leech": "suspended",
        "new": "new",
    }
    assert (p.learning, p.suspended, p.buried, p.leeches, p.retired) == (3, 2, 1, 1, 1)
    assert (p.due, p.new_available, p.repeats) == (2, 1, 1)
    assert [(it.card_id, it.repeat) for it in p.queue] == [
        ("due", False),
        ("lapsed-due", False),
        ("new", False),
        ("owes-repeat", True),
    ]


def test_status_of_a_card_without_a_stored_state_is_new() -> None:
    assert status(None, TODAY) == "new"
    assert status(graded(0), TODAY) == "due" and status(graded(0), TODAY, True) == "learning"


def test_repeats_owed_by_cards_gone_from_the_deck_are_dropped() -> None:
    states = {"kept": graded(1), "gone": graded(1, retired=True), "other-file": graded(1)}
    log = [
        TodayAnswer("gone", 1, repeat=False, was_new=False),
        TodayAnswer("kept", 1, repeat=False, was_new=False),
    ]
    p = plan(cards("kept"), states, TODAY, Settings(), log)
    assert [(it.card_id, it.repeat) for it in p.queue] == [("kept", True)]
    assert p.retired == 1


def test_due_tomorrow_and_forecast_skip_suspended_and_wait_for_burial() -> None:
    states = {
        "overdue": graded(-4),
        "tomorrow": graded(1),
        "buried-till-tomorrow": graded(-1, buried_until=day(1)),
        "buried-longer": graded(-1, buried_until=day(3)),
        "suspended": graded(1, suspended=True),
        "later": graded(2),
        "far": graded(40),
    }
    p = plan(cards(*states, "new"), states, TODAY, Settings())
    assert p.due_tomorrow == 3
    assert list(p.forecast)[:4] == [TODAY, day(1), day(2), day(3)] and len(p.forecast) == 30
    assert [p.forecast[day(i)] for i in range(4)] == [1, 2, 1, 1]
    assert sum(p.forecast.values()) == 5


def test_cards_of_one_paper_are_kept_apart() -> None:
    deck = [DeckCard("a1", "A"), DeckCard("a2", "A"), DeckCard("b1", "B"), DeckCard("b2", "B")]
    p = plan(deck, {}, TODAY, Settings())
    assert [it.card_id for it in p.queue] == ["a1", "b1", "a2", "b2"]


def test_retired_counts_only_the_stored_cards_no_longer_in_the_deck() -> None:
    """A retired row whose card is back in the deck (before the store heard of it) is shown
    as retired, but the retired count is of cards left out of the notes: 'gone' only."""
    states = {
        "back": graded(-1, retired=True),
        "gone": graded(-1, retired=True),
        "kept": graded(-1),
    }
    p = plan(cards("back", "kept"), states, TODAY, Settings())
    assert p.status == {"back": "retired", "kept": "due"}
    assert p.retired == 1 and p.total_cards == 2


def test_a_graded_card_buried_until_today_is_due_today() -> None:
    """A burial ends on its day (a mutation audit: ``>=`` there went unseen)."""
    from studydeck.planner import CardRow

    today = date(2026, 3, 10)
    row = CardRow(today.isoformat(), 2, 0, 0, today.isoformat(), 0)
    assert status(row, today) == "due"


def test_the_review_limit_cuts_inside_a_later_due_day() -> None:
    from studydeck.planner import CardRow

    today = date(2026, 3, 10)

    def day(n: int) -> str:
        return (today + timedelta(days=n)).isoformat()

    states = {"a": CardRow(day(-3), 2, 0, 0, None, 0)} | {
        c: CardRow(day(-2), 2, 0, 0, None, 0) for c in "bcd"
    }
    p = plan([DeckCard(c, f"p{c}") for c in "abcd"], states, today, Settings(reviews_per_day=2))
    assert [it.card_id for it in p.queue] == ["a", "b"]
