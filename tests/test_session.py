"""Today's review session, with a clock the tests control."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from studydeck.config import Settings
from studydeck.loading import open_deck
from studydeck.session import Session, Undone, study_day
from studydeck.store import Store

from .conftest import SEED, table

TZ = timezone(timedelta(hours=8))


def new_answered(store: Store, day) -> int:
    """New cards first answered on ``day``, by any window (read from the log itself)."""
    return sum(r.was_new for r in store.reviews(since=day) if r.day == day)


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 9, 0, tzinfo=TZ))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "s.db")
    yield s
    s.close()


def session_for(store, paths, clock, **settings) -> Session:
    deck, _ = open_deck(store, paths, clock())
    return Session(store, deck, Settings(**settings), clock)


def test_study_day_starts_at_configured_hour() -> None:
    assert study_day(datetime(2026, 3, 2, 3, 59, tzinfo=TZ), 4) == date(2026, 3, 1)
    assert study_day(datetime(2026, 3, 2, 4, 0, tzinfo=TZ), 4) == date(2026, 3, 2)
    assert study_day(datetime(2026, 3, 2, 0, 30, tzinfo=TZ), 0) == date(2026, 3, 2)


def test_new_card_limit_and_full_session(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=10)
    assert s.remaining == 10
    while s.current:
        s.answer(5)
    assert s.done == 10 and store.review_count() == 10
    # Same day, a new session: the limit is used up.
    assert session_for(store, [SEED], clock, new_per_day=10).remaining == 0
    clock.advance(days=1)
    nxt = session_for(store, [SEED], clock, new_per_day=10)
    assert nxt.remaining == 20  # 10 due again (interval 1) + 10 new
    assert [it.repeat for it in nxt.queue[:10]].count(False) == 10


def rows(*titles: str) -> str:
    """A notes table with one card per paper (a contribution, no notes)."""
    return table(*(f"| 2020 | {t} | k | contribution of {t} | | |" for t in titles))


def test_most_overdue_first(store, clock, notes) -> None:
    path = notes(rows("A", "B", "C"))
    deck, _ = open_deck(store, [path], clock())
    by_title = {c.paper.title: c for c in deck.cards}
    # Answered on three different days against the notes order: C falls due first, A last.
    for offset, title in enumerate(("C", "B", "A")):
        day = date(2026, 3, 1) + timedelta(days=offset)
        store.record_answer(by_title[title].id, 5, now=clock(), today=day)
    clock.advance(days=10)
    s = session_for(store, [path], clock, new_per_day=0)
    assert [it.card.paper.title for it in s.queue] == ["C", "B", "A"]


def test_grade_below_4_repeats_same_day_without_changing_state(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=5)
    card = s.current.card
    s.answer(3)
    state = store.state(card.id)
    assert state.sm2.interval == 1 and state.sm2.repetitions == 1
    repeats = [it for it in s.queue if it.card.id == card.id]
    assert len(repeats) == 1 and repeats[0].repeat
    while s.current.card.id != card.id:
        s.answer(5)
    s.answer(2)  # still wrong: comes back again, SM-2 state unchanged
    assert store.state(card.id) == state
    assert any(it.card.id == card.id for it in s.queue)
    while s.current.card.id != card.id:
        s.answer(5)
    s.answer(4)
    assert not any(it.card.id == card.id for it in s.queue)
    assert store.state(card.id) == state
    assert [r.repeat for r in store.reviews(cid=card.id)] == [False, True, True]


def test_pending_repeat_survives_restart(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=2)
    card = s.current.card
    s.answer(1)
    s2 = session_for(store, [SEED], clock, new_per_day=2)
    assert any(it.card.id == card.id and it.repeat for it in s2.queue)


def due_in_order(store, clock, notes, names: str):
    """Paper X (two cards, x1 and x2) and papers Y, Z, W, V (one each), answered so that
    they are due one day apart in the order ``names`` gives; then a session twenty days on,
    which holds them in that order. The session, the cards in order, x1 and x2."""
    path = notes(
        table(
            "| 2020 | X | k | contribution of X | | An insight about X. |",
            *(f"| 2020 | {t} | k | contribution of {t} | | |" for t in "YZWV"),
        )
    )
    deck, _ = open_deck(store, [path], clock())
    x1, x2 = (c for c in deck.cards if c.paper.title == "X")
    by_name = {"x1": x1, "x2": x2} | {c.paper.title: c for c in deck.cards if c.paper.title != "X"}
    order = [by_name[n] for n in names.split()]
    for offset, card in enumerate(order):
        store.record_answer(
            card.id, 5, now=clock(), today=date(2026, 3, 1) + timedelta(days=offset)
        )
    clock.advance(days=20)
    return session_for(store, [path], clock, new_per_day=0), order, x1, x2


def test_cards_of_same_paper_not_back_to_back(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=40)
    keys = [it.card.paper.key for it in s.queue]
    assert all(a != b for a, b in itertools.pairwise(keys))


def test_a_card_answered_again_today_never_comes_right_before_its_papers_other_card(
    store, clock, notes
) -> None:
    """A lapsed card goes three cards later, or later still where the card before *or
    after* it would be of its paper (a trial's lapsed contribution came back just before its
    paper's critique)."""
    s, order, x1, x2 = due_in_order(store, clock, notes, "x1 Y Z W x2 V")
    assert [it.card for it in s.queue] == order
    s.answer(1)
    # Three cards later is right before X's other card: after it, with one between.
    assert [it.card for it in s.queue] == [order[1], order[2], order[3], x2, order[5], x1]


def test_a_failed_card_never_comes_straight_back_while_others_wait(store, clock, notes) -> None:
    """Three cards of one paper and one of another: the failed first card goes after the
    others, even where no place keeps it apart from its paper (a re-trial's came back at
    once, six times running, and the other paper's card never came)."""
    path = notes(
        table(
            "| 2020 | Alpha | k | contribution A | | 用了X。问题：需要标注 |",
            "| 2021 | Gamma | k | contribution G | | |",
        )
    )
    s = session_for(store, [path], clock, new_per_day=10)
    assert s.remaining == 4
    seen = []
    for _ in range(4):
        card = s.current.card
        seen.append(card.paper.title)
        s.answer(1)
        assert s.current is None or s.current.card != card
    assert "Gamma" in seen


def test_bury_and_suspend(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=5)
    first = [it.card.id for it in s.queue]
    buried = s.bury()
    suspended = s.suspend()
    # Neither was studied: the next two new cards take their places, as a session opened
    # now (and home) has them.
    assert s.remaining == 5
    assert all(it.card.id not in (buried.id, suspended.id) for it in s.queue)
    assert [it.card.id for it in s.queue if it.card.id in first] == first[2:]
    keys = [it.card.paper.key for it in s.queue]
    assert all(a != b for a, b in itertools.pairwise(keys))  # (the new ones placed apart)
    again = session_for(store, [SEED], clock, new_per_day=5)
    assert sorted(it.card.id for it in s.queue) == sorted(it.card.id for it in again.queue)
    assert buried.id not in {it.card.id for it in again.queue}
    clock.advance(days=1)
    tomorrow = session_for(store, [SEED], clock, new_per_day=50)
    ids = {it.card.id for it in tomorrow.queue}
    assert buried.id in ids and suspended.id not in ids
    store.set_suspended(suspended.id, False)
    assert suspended.id in {
        it.card.id for it in session_for(store, [SEED], clock, new_per_day=50).queue
    }


def test_undo_restores_state_and_queue(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=5)
    first = s.current.card
    s.answer(5)
    s.answer(1)
    second_repeat_queue = list(s.queue)
    assert s.undo() is not None
    assert s.undo() == Undone(first, "answer")
    assert s.current.card == first and s.done == 0
    assert store.review_count() == 0
    assert store.state(first.id).sm2.is_new
    assert len(second_repeat_queue) == 4
    assert s.undo() is None


def test_leech_after_eight_failures(store, clock, notes) -> None:
    path = notes(table("| 2020 | A | k | c | | |", "| 2020 | B | k | c | | |"))
    for _ in range(8):
        s = session_for(store, [path], clock)
        target = next(it for it in s.queue if it.card.paper.title == "A" and not it.repeat)
        while s.current is not target:
            s.answer(5)
        ans = s.answer(0)
        clock.advance(days=1)
    assert ans.became_leech
    assert s.leeches and s.leeches[0].paper.title == "A"
    st = store.state(target.card.id)
    assert st.leech and st.suspended and st.lapses == 8


def test_summary(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=3)
    s.answer(5)
    clock.advance(seconds=30)
    s.answer(4)
    s.answer(5)
    summary = s.summary()
    assert summary.answered == 3 and summary.grades == {4: 1, 5: 2}
    assert summary.due_tomorrow == 3 and summary.seconds == 30


def test_a_failed_card_returns_after_exactly_three_others(store, clock, notes) -> None:
    s = session_for(store, [notes(rows(*"ABCDEF"))], clock)
    first = s.current.card
    s.answer(1)
    assert [it.card.paper.title for it in s.queue] == ["B", "C", "D", "A", "E", "F"]
    assert s.queue[3].card == first and s.queue[3].repeat


def test_failing_every_card_never_starves_the_cards_not_yet_shown(store, clock, notes) -> None:
    """Five new cards, each failed whenever it comes: the fifth is shown all the same (it
    came after the first four, then behind the failed cards round after round). A failed
    card goes three cards later, but never in front of a card that a failed card was put
    in front of already while it waited: no card is jumped twice."""
    s = session_for(store, [notes(rows(*"ABCDE"))], clock)
    shown = []
    for _ in range(15):
        shown.append(s.current.card.paper.title)
        s.answer(1)
    assert shown[:10] == list("ABCDAECBAD")
    for title in "ABCDE":  # each card comes back with three to five others between
        at = [i for i, t in enumerate(shown) if t == title]
        assert at[0] < 6 and {b - a for a, b in itertools.pairwise(at)} <= {4, 5, 6}


@pytest.mark.parametrize(("grade", "owed"), [(1, True), (3, True), (4, False)])
def test_same_day_repeat_is_owed_after_a_restart_below_4(
    store, clock, notes, grade: int, owed: bool
) -> None:
    path = notes(rows("A", "B"))
    s = session_for(store, [path], clock)
    card = s.current.card
    s.answer(grade)
    again = session_for(store, [path], clock)
    assert [it.card for it in again.queue if it.repeat] == ([card] if owed else [])


def test_summary_due_tomorrow_skips_suspended_and_buried_past_tomorrow(store, clock, notes) -> None:
    path = notes(rows(*"ABCD"))
    s = session_for(store, [path], clock)
    done = [s.current.card]
    s.answer(5)
    for _ in range(3):
        done.append(s.current.card)
        s.answer(5)
    store.set_suspended(done[0].id, True)
    store.bury(done[1].id, s.today + timedelta(days=3))
    store.bury(done[2].id, s.today + timedelta(days=1))  # back tomorrow: counts
    assert s.summary().due_tomorrow == 2


def test_home_stats_summary_and_browse_agree_with_the_queue(store, clock) -> None:
    """Home and ``stats --json`` show ``stats.compute``; all of them must match the queue."""
    from studydeck.stats import compute
    from studydeck.tui.screens.browse import Row

    s = session_for(store, [SEED], clock, new_per_day=100)
    total = len(s.deck.cards)
    lapsed, _right, buried = (s.queue[i].card for i in range(3))
    s.answer(1)  # a lapse: owed a repeat today, "learning" until it is right again
    s.answer(5)
    s.bury()  # a new card, buried: not available today
    s.suspend()  # a new card, suspended
    expected = {0: (total - 4, 0, 1, 1), 1: (total - 3, 2, 0, 0)}
    for offset in (0, 1):
        clock.advance(days=offset)
        again = session_for(store, [SEED], clock, new_per_day=100)
        st = compute(store, again.deck, again.today, again.settings)
        states = store.states()
        queue_new = [it for it in again.queue if states[it.card.id].sm2.is_new]
        queue_due = [it for it in again.queue if not it.repeat and it not in queue_new]
        repeats = [it for it in again.queue if it.repeat]
        assert (st.new_available, st.due_today, st.buried, st.repeats) == expected[offset]
        assert (st.new_available, st.due_today, st.repeats) == (
            len(queue_new),
            len(queue_due),
            len(repeats),
        )
        assert (buried.id in {it.card.id for it in again.queue}) == (offset == 1)
        assert st.suspended == 1
        assert st.due_tomorrow == again.summary().due_tomorrow
        rows_ = [Row(c, states.get(c.id)) for c in again.deck.cards]
        learning = [r.card for r in rows_ if r.status(again.today) == "learning"]
        assert learning == [lapsed] and st.learning == 1


def test_a_repeat_never_lands_right_after_a_card_of_its_own_paper(store, clock, notes) -> None:
    s, order, x1, x2 = due_in_order(store, clock, notes, "x1 Y Z x2 W V")
    assert [it.card for it in s.queue] == order
    s.answer(1)
    # Three cards later would be right after X's other card: one more is put between.
    assert [it.card for it in s.queue] == [order[1], order[2], x2, order[4], x1, order[5]]


def test_bury_keeps_the_undo_of_other_cards(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=5)
    first = s.current.card
    s.answer(5)
    buried = s.bury()
    assert s.undo() == Undone(buried, "bury")
    assert s.undo() == Undone(first, "answer")


def test_undoing_the_answer_that_made_a_leech(store, clock, notes) -> None:
    s = session_for(store, [notes(rows("A", "B"))], clock, leech_threshold=1)
    card = s.current.card
    s.answer(0)
    assert s.leeches == [card]
    assert s.undo() == Undone(card, "answer")
    assert s.leeches == [] and not store.state(card.id).leech


def test_new_card_limit_counts_another_window_on_the_same_store(
    store, clock, tmp_path: Path
) -> None:
    """Two windows each built a queue of 4 new cards; the day's limit is 4 in all."""
    mine = session_for(store, [SEED], clock, new_per_day=4)
    with Store.open(tmp_path / "s.db") as other_store:
        other = session_for(other_store, [SEED], clock, new_per_day=4)
        assert mine.remaining == other.remaining == 4
        other.answer(5)
        other.answer(5)
        other.answer(5)
    first = mine.current.card.id
    ans = mine.answer(5)  # the other window answered this one already: a same-day repeat
    assert ans.repeat and store.state(first).sm2.repetitions == 1
    # The other window's two other cards leave this queue; one new card is left of the 4.
    assert mine.remaining == 1 and new_answered(store, mine.today) == 3
    mine.answer(5)
    assert mine.remaining == 0 and new_answered(store, mine.today) == 4


def test_the_day_new_card_limit_stops_a_window_whose_cards_were_other_ones(
    store, clock, tmp_path: Path
) -> None:
    mine = session_for(store, [SEED], clock, new_per_day=4)
    with Store.open(tmp_path / "s.db") as other_store:
        other = session_for(other_store, [SEED], clock, new_per_day=20)  # a looser limit
        mine_ids = {it.card.id for it in mine.queue}
        answered = 0
        while answered < 3:  # the other window studies new cards other than mine
            if other.current.card.id in mine_ids:
                other.bury()
            else:
                other.answer(5)
                answered += 1
    assert mine_ids.isdisjoint(store.scheduled_today(mine.today))
    mine.answer(5)  # the 4th new card of the day on this store
    assert mine.remaining == 0


def test_undo_takes_back_the_last_action_first_a_burial_or_a_suspension_too(store, clock) -> None:
    """``u`` after a suspension unsuspends (a trial's took back the grade before it and left
    the card suspended): the queue is as it was, the card first; then the burial; then the
    answer. Each is in the store as it was before."""
    s = session_for(store, [SEED], clock, new_per_day=5)
    first = s.current.card
    s.answer(5)
    queue_after_answer = [it.card.id for it in s.queue]
    buried = s.bury()
    suspended = s.suspend()
    assert store.state(suspended.id).suspended and store.state(buried.id).buried_until
    assert s.undo() == Undone(suspended, "suspend")
    assert s.current.card == suspended and not store.state(suspended.id).suspended
    assert s.undo() == Undone(buried, "bury")
    assert [it.card.id for it in s.queue] == queue_after_answer
    assert store.state(buried.id).buried_until is None
    assert s.undo() == Undone(first, "answer")
    assert s.current.card == first and s.remaining == 5 and store.review_count() == 0
    assert s.undo() is None


def test_todays_counts_and_limits_are_each_decks_own(store, clock, notes) -> None:
    """One store, two notes files: studying one does not use up the other's new cards."""
    from studydeck.config import Settings as S
    from studydeck.stats import compute

    a = notes(rows("A1", "A2", "A3"), name="a.md")
    b = notes(rows("B1", "B2", "B3"), name="b.md")
    on_a = session_for(store, [a], clock, new_per_day=2)
    while on_a.current:
        on_a.answer(5)
    assert on_a.done == 2
    deck_b, _ = open_deck(store, [b], clock())
    st = compute(store, deck_b, on_a.today, S(new_per_day=2))
    assert (st.reviewed_today, st.new_available) == (0, 2)
    assert session_for(store, [b], clock, new_per_day=2).remaining == 2


def test_answers_to_cards_retired_since_still_count_toward_todays_limits(
    store, clock, notes
) -> None:
    """A row deleted after its card was studied today: the day's new-card limit and today's
    counts still hold that answer (it was given), so reopening does not study one more new
    card than the limit; the retired card itself is not queued again."""
    from studydeck.config import Settings as S
    from studydeck.stats import compute

    path = notes(rows("A", "B", "C", "D"))
    s = session_for(store, [path], clock, new_per_day=2)
    studied = []
    while s.current:
        studied.append(s.current.card.paper.title)
        s.answer(5)
    assert studied == ["A", "B"]
    notes(rows("B", "C", "D"))  # A's row deleted: its card retires
    again = session_for(store, [path], clock, new_per_day=2)
    assert again.remaining == 0
    deck, _ = open_deck(store, [path], clock())
    st = compute(store, deck, again.today, S(new_per_day=2))
    assert (st.reviewed_today, st.new_available) == (2, 0)
    # Another deck on the same store still counts only its own answers.
    other = notes(rows("X", "Y"), name="other.md")
    assert session_for(store, [other], clock, new_per_day=2).remaining == 2


# Rules a mutation audit found no test for (each test fails when its rule is broken).


def test_a_new_card_filled_in_after_a_burial_is_scheduled_not_a_repeat(store, clock) -> None:
    s = session_for(store, [SEED], clock, new_per_day=1)
    s.bury()
    item = s.current
    assert item is not None and not item.repeat
    s.answer(5)
    assert store.state(item.card.id).sm2.repetitions == 1


def test_another_window_using_up_the_new_cards_leaves_the_due_reviews(store, clock, notes):
    path = notes(rows(*"ABCDEF"))
    deck, _ = open_deck(store, [path], clock())
    by = {c.paper.title: c for c in deck.cards}
    for t in "AD":
        store.record_answer(by[t].id, 5, now=clock(), today=date(2026, 3, 1))
    clock.advance(days=1)
    s = session_for(store, [path], clock, new_per_day=2)
    assert [it.card.paper.title for it in s.queue] == ["A", "D", "B", "C"]
    for t in "EF":  # another window answers two other new cards: the day's limit is used up
        store.record_answer(by[t].id, 5, now=clock(), today=s.today)
    s.answer(5)
    assert [it.card.paper.title for it in s.queue] == ["D"]


def _placed(keys: str, how: str) -> str:
    """The queue of cards of papers ``keys`` (one letter each) after a card of paper X goes
    in (``x``): requeued after a failure, or filled in at the end."""
    from types import SimpleNamespace

    from studydeck.session import QueueItem

    def item(i: object, key: str) -> QueueItem:
        return QueueItem(SimpleNamespace(id=f"{key}{i}", paper=SimpleNamespace(key=key)))  # type: ignore[arg-type]

    s = Session.__new__(Session)
    s.queue = [item(i, k) for i, k in enumerate(keys)]
    new = item("new", "X")
    if how == "requeue":
        s._requeue(new)
    else:
        s._insert_apart(new, len(s.queue))
    return "".join("x" if it is new else it.card.paper.key for it in s.queue)


def test_where_no_later_place_keeps_a_card_apart_from_its_paper_an_earlier_one_does() -> None:
    assert _placed("YZXWX", "requeue") == "YxZXWX"  # back to place 1
    assert _placed("YZWXVX", "requeue") == "YZxWXVX"  # back to place 2
    assert _placed("YXX", "requeue") == "YXXx"  # never place 0: not straight back
    assert _placed("XYX", "requeue") == "XYXx"  # place 1 is after X: not apart
    assert _placed("YX", "fill") == "xYX"  # a filled new card may go first
