"""Figures for the stats screen and ``studydeck stats --json``."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from studydeck.config import Settings
from studydeck.models import Deck
from studydeck.scheduling import PASSING, CardState
from studydeck.session import today_plan
from studydeck.store import Store


@dataclass
class Stats:
    due_today: int
    new_available: int
    new_total: int
    learning: int
    reviewed_today: int
    total_cards: int
    retired: int
    suspended: int
    leeches: int
    streak: int
    retention_by_keyword: dict[str, float | None] = field(default_factory=dict)
    answers_by_grade: dict[int, int] = field(default_factory=dict)
    reviews_per_day: dict[str, int] = field(default_factory=dict)
    due_forecast: dict[str, int] = field(default_factory=dict)
    quizzes: int = 0
    quiz_correct_share: float | None = None
    predicted_recall_now: float | None = None
    """Average predicted chance of recall over the reviewed, unsuspended cards."""
    predicted_recall_in_7_days: float | None = None
    buried: int = 0
    repeats: int = 0
    due_tomorrow: int = 0

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def compute(store: Store, deck: Deck, today: date, settings: Settings) -> Stats:
    """Every count comes from the planner; the history from the running totals the store
    keeps of its review log (never the log's rows), so time and memory do not grow with it."""
    states = store.states()
    plan = today_plan(store, deck, today, settings, states)
    by_grade: Counter[int] = Counter()
    per_day: Counter[date] = Counter()
    for day, grade, n in store.answers_by_day_and_grade():
        per_day[day] += n
        by_grade[grade] += n
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
        retention_by_keyword=_retention_by_keyword(store, deck),
        answers_by_grade={g: by_grade.get(g, 0) for g in range(6)},
        reviews_per_day={d.isoformat(): n for d, n in sorted(per_day.items())},
        due_forecast={d.isoformat(): n for d, n in plan.forecast.items()},
        quizzes=len({q for q, _, _ in quiz}),
        quiz_correct_share=(round(sum(ok for _, _, ok in quiz) / len(quiz), 3) if quiz else None),
        predicted_recall_now=_mean_recall(store, deck_ids, states, today),
        predicted_recall_in_7_days=_mean_recall(store, deck_ids, states, today + timedelta(days=7)),
        buried=plan.buried,
        repeats=plan.repeats,
        due_tomorrow=plan.due_tomorrow,
    )


def _retention_by_keyword(store: Store, deck: Deck) -> dict[str, float | None]:
    """Share of scheduled answers (not same-day repeats) graded passing, per keyword of the
    deck: per-card totals kept by the store, folded over the deck's cards (a card's answers count
    once for each of its paper's keywords; cards no longer in the deck count for none)."""
    per_card: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cid, grade, n in store.scheduled_answers_by_card():
        per_card[cid][0] += n * (grade >= PASSING)
        per_card[cid][1] += n
    kw_of = {c.id: c.paper.keywords for c in deck.cards}
    per_kw: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cid, kws in kw_of.items():
        ok, n = per_card.get(cid, (0, 0))
        for kw in kws:
            per_kw[kw][0] += ok
            per_kw[kw][1] += n
    keywords = sorted({k for c in deck.cards for k in c.paper.keywords})
    return {k: (round(per_kw[k][0] / per_kw[k][1], 3) if per_kw[k][1] else None) for k in keywords}


def _mean_recall(
    store: Store, deck_ids: set[str], states: dict[str, CardState], on: date
) -> float | None:
    values = [
        r
        for cid in deck_ids
        if (st := states.get(cid)) is not None and not st.suspended
        if (r := store.policy.recall(st, on)) is not None
    ]
    return round(sum(values) / len(values), 3) if values else None


def _streak(days: set[date], today: date) -> int:
    """Days in a row with at least one review, ending today (or yesterday, if not yet today)."""
    d = today if today in days else today - timedelta(days=1)
    n = 0
    while d in days:
        n += 1
        d -= timedelta(days=1)
    return n
