"""Stats from the store's running totals equal the old computation over every review row
(the oracle below, kept as it was), on random stores: random answers on random days,
same-day repeats, undone answers, a rebuild from the event log, papers that left the notes
(retired cards keep their history); and a store from before the totals gets them filled."""

from __future__ import annotations

import sqlite3
import tempfile
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from math import fsum
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck.config import Settings
from studydeck.loading import open_deck
from studydeck.models import Deck
from studydeck.planner import row_of
from studydeck.replay import Policy
from studydeck.scheduling import PASSING, CardState
from studydeck.session import today_plan
from studydeck.stats import Stats, _streak, compute
from studydeck.store import Store
from studydeck.store.states import plan_groups

from .conftest import table

TZ = timezone(timedelta(hours=8))
START = datetime(2026, 1, 1, 9, 0, tzinfo=TZ)
KEYWORDS = ("vision", "audio", "graphs")


def old_mean_recall(
    store: Store, deck_ids: set[str], states: dict[str, CardState], on: date
) -> float | None:
    """The recall over one full state per card (summed exactly, so the order of the set of
    ids does not matter)."""
    values = [
        r
        for cid in deck_ids
        if (st := states.get(cid)) is not None and not st.suspended
        if (r := store.policy.recall(st, on)) is not None
    ]
    return round(fsum(values) / len(values), 3) if values else None


def old_compute(store: Store, deck: Deck, today: date, settings: Settings) -> Stats:
    """The computation before the history moved into SQL: every review row as an object."""
    states = store.states()
    plan = today_plan(store, deck, today, settings, states)
    kw_of = {c.id: c.paper.keywords for c in deck.cards}
    rows = store.reviews()
    per_kw: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_grade: Counter[int] = Counter()
    per_day: Counter[date] = Counter()
    for r in rows:
        per_day[r.day] += 1
        by_grade[r.quality] += 1
        if r.repeat:
            continue
        for kw in kw_of.get(r.card_id, ()):
            per_kw[kw][0] += r.quality >= PASSING
            per_kw[kw][1] += 1
    keywords = sorted({k for c in deck.cards for k in c.paper.keywords})
    quiz = store.quiz_results()
    deck_ids = {c.id for c in deck.cards}
    return Stats(
        due_today=plan.due,
        new_available=plan.new_available,
        new_total=plan.new_total,
        learning=plan.learning,
        reviewed_today=plan.answered_today,
        total_cards=plan.total_cards,
        retired=plan.retired,
        suspended=plan.suspended,
        leeches=plan.leeches,
        streak=_streak(set(per_day), today),
        retention_by_keyword={
            k: (round(per_kw[k][0] / per_kw[k][1], 3) if per_kw[k][1] else None) for k in keywords
        },
        answers_by_grade={g: by_grade.get(g, 0) for g in range(6)},
        reviews_per_day={d.isoformat(): n for d, n in sorted(per_day.items())},
        due_forecast={d.isoformat(): n for d, n in plan.forecast.items()},
        quizzes=len({q for q, _, _ in quiz}),
        quiz_correct_share=(round(sum(ok for _, _, ok in quiz) / len(quiz), 3) if quiz else None),
        predicted_recall_now=old_mean_recall(store, deck_ids, states, today),
        predicted_recall_in_7_days=old_mean_recall(
            store, deck_ids, states, today + timedelta(days=7)
        ),
        buried=plan.buried,
        repeats=plan.repeats,
        due_tomorrow=plan.due_tomorrow,
    )


def notes_text(papers: list[list[str]]) -> str:
    return table(
        *(
            f"| 2020 | P{i} | {', '.join(kws)} | contribution {i} | | |"
            for i, kws in enumerate(papers)
        )
    )


answers = st.lists(
    st.tuples(
        st.integers(0, 40),  # which card (modulo the deck)
        st.integers(0, 5),  # grade
        st.integers(0, 12),  # day after START
        st.booleans(),  # a same-day repeat
        st.booleans(),  # undone at once
    ),
    max_size=40,
)
paper_keywords = st.lists(
    st.lists(st.sampled_from(KEYWORDS), max_size=3, unique=True), min_size=1, max_size=6
)


flag_changes = st.lists(
    st.tuples(
        st.integers(0, 40),  # which card (modulo the deck)
        st.sampled_from(("suspend", "unsuspend", "bury")),
        st.integers(-2, 4),  # buried until, days after the day stats are asked for
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kws=paper_keywords,
    given_answers=answers,
    flags=flag_changes,
    keep=st.integers(0, 5),
    rebuild=st.booleans(),
    fsrs=st.booleans(),
    leech_threshold=st.integers(1, 8),
    today_offset=st.integers(0, 14),
)
def test_stats_from_running_totals_equal_the_row_by_row_computation(
    kws: list[list[str]],
    given_answers: list[tuple[int, int, int, bool, bool]],
    flags: list[tuple[int, str, int]],
    keep: int,
    rebuild: bool,
    fsrs: bool,
    leech_threshold: int,
    today_offset: int,
) -> None:
    """Counts read from SQL rows (the planner's :class:`CardRow`), per-card totals and
    recall grouped by schedule equal the same figures from one full state per card and every
    review row: under SM-2 and FSRS, with leeches, suspended and buried cards."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notes.md"
        path.write_text(notes_text(kws), encoding="utf-8")
        with Store.open(Path(tmp) / "s.db") as store:
            if fsrs:
                store.use_policy(Policy("fsrs"))
            deck, _ = open_deck(store, [path], START)
            cards = [c.id for c in deck.cards]
            for which, grade, day, repeat, undo in sorted(given_answers, key=lambda a: a[2]):
                now = START + timedelta(days=day, minutes=which)
                done = store.record_answer(
                    cards[which % len(cards)],
                    grade,
                    now=now,
                    today=now.date(),
                    repeat=repeat,
                    leech_threshold=leech_threshold,
                )
                if undo:
                    store.undo(done.review_id, now)
            if rebuild:
                store.rebuild()
            later_day = (START + timedelta(days=today_offset)).date()
            for which, flag, days in flags:
                cid = cards[which % len(cards)]
                if flag == "bury":
                    store.bury(cid, later_day + timedelta(days=days), START)
                else:
                    store.set_suspended(cid, flag == "suspend", START)
            # papers after the first `keep` leave the notes: their cards retire, history stays
            path.write_text(notes_text(kws[: max(1, keep)]), encoding="utf-8")
            later = START + timedelta(days=today_offset)
            deck, _ = open_deck(store, [path], later)
            # the planner's rows, read straight from SQL, are the full states' fields
            assert {c: r for r, ids in plan_groups(store.tuples) for c in ids} == {
                cid: row_of(s) for cid, s in store.states().items()
            }
            # each card's running totals (schema v6) are a recount of its review rows
            assert sorted(store.card_figures().answered()) == recount_per_card(store)
            full = compute(store, deck, later.date(), Settings())
            assert full == old_compute(store, deck, later.date(), Settings())
            # home's counts: the same figures, without retention and recall
            assert compute(store, deck, later.date(), Settings(), details=False) == replace(
                full,
                retention_by_keyword={},
                predicted_recall_now=None,
                predicted_recall_in_7_days=None,
            )


def recount_per_card(store: Store) -> list[tuple[str, int, int]]:
    """(card id, scheduled answers passing, scheduled answers), counted from the log's rows."""
    return store.tuples(
        "SELECT c.card_id, sum(r.quality >= ?), count(*) FROM reviews r JOIN cards c "
        "USING (cid) WHERE r.repeat = 0 GROUP BY c.card_id ORDER BY c.card_id",
        (PASSING,),
    )


V8_UNDONE = (  # (the state texts v8 dropped are not read by anything an upgrade runs)
    "CREATE TABLE review_cards (cid INTEGER NOT NULL, quality INTEGER NOT NULL, "
    "n INTEGER NOT NULL, PRIMARY KEY (cid, quality)) WITHOUT ROWID; "
)
V7_UNDONE = V8_UNDONE + "DROP INDEX cards_plan; "
V6_UNDONE = V7_UNDONE + (
    "DROP TRIGGER reviews_card_in; DROP TRIGGER reviews_card_out; "
    "DROP TRIGGER reviews_card_moved; ALTER TABLE cards DROP COLUMN answered; "
    "ALTER TABLE cards DROP COLUMN passed; "
)


def answered_for_three_days(tmp_path: Path) -> tuple[Deck, date, Stats]:
    """A store (``s.db``) where every card of a two-paper deck was answered on three days;
    the deck, the day after, and the stats then, computed row by row."""
    path = tmp_path / "notes.md"
    path.write_text(notes_text([["vision"], ["audio", "vision"]]), encoding="utf-8")
    with Store.open(tmp_path / "s.db") as store:
        deck, _ = open_deck(store, [path], START)
        for i, card in enumerate(deck.cards):
            for day in range(3):
                now = START + timedelta(days=day, minutes=i)
                store.record_answer(card.id, (i + day) % 6, now=now, today=now.date())
        today = (START + timedelta(days=3)).date()
        expected = old_compute(store, deck, today, Settings())
    return deck, today, expected


def test_a_store_from_before_the_card_totals_gets_them_filled(tmp_path: Path) -> None:
    """Upgrading (schema v5 -> v6) counts each card's answers already in the log, and the
    triggers keep them from then on (an answer and an undo after the upgrade)."""
    deck, today, expected = answered_for_three_days(tmp_path)
    c = sqlite3.connect(tmp_path / "s.db")
    c.executescript(V6_UNDONE + "PRAGMA user_version = 5")  # (review_cards left empty)
    c.close()
    with Store.open(tmp_path / "s.db") as store:
        assert compute(store, deck, today, Settings()) == expected
        assert len(recount_per_card(store)) == len(deck.cards) > 1
        assert sorted(store.card_figures().answered()) == recount_per_card(store)
        now = START + timedelta(days=3)
        card = deck.cards[0].id
        store.record_answer(card, 5, now=now, today=now.date())
        undone = store.record_answer(deck.cards[1].id, 0, now=now, today=now.date())
        store.undo(undone.review_id, now)
        assert sorted(store.card_figures().answered()) == recount_per_card(store)
        assert dict((cid, n) for cid, _, n in store.card_figures().answered())[card] == 4
        with store.transaction() as c:  # a review row changed in place (grade, repeat, card)
            c.execute("UPDATE reviews SET quality = 0 WHERE quality >= 3 AND repeat = 0")
            c.execute("UPDATE reviews SET repeat = 1 WHERE id = (SELECT min(id) FROM reviews)")
            c.execute("UPDATE reviews SET cid = (SELECT min(cid) FROM cards)")
        assert sorted(store.card_figures().answered()) == recount_per_card(store)


def test_a_store_from_before_the_totals_gets_them_filled(tmp_path: Path) -> None:
    """Upgrading (schema v4 -> v5) counts the history already in the log."""
    deck, today, expected = answered_for_three_days(tmp_path)
    c = sqlite3.connect(tmp_path / "s.db")
    c.executescript(
        V6_UNDONE + "DROP TRIGGER reviews_total_in; DROP TRIGGER reviews_total_out; "
        "DROP TRIGGER reviews_total_moved; DROP TABLE review_days; DROP TABLE review_cards; "
        "PRAGMA user_version = 4"
    )
    c.close()
    with Store.open(tmp_path / "s.db") as store:
        assert compute(store, deck, today, Settings()) == expected
        assert expected.streak == 3 and sum(expected.answers_by_grade.values()) == 6
