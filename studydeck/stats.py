"""Figures for the stats screen and ``studydeck stats --json``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from itertools import chain, repeat
from math import fsum

from studydeck.config import Settings
from studydeck.models import Deck
from studydeck.perf import gc_paused
from studydeck.session import today_plan
from studydeck.store import Store
from studydeck.store.states import CardFigures


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


def compute(
    store: Store, deck: Deck, today: date, settings: Settings, *, details: bool = True
) -> Stats:
    """Every count comes from the planner; the history from the running totals the store
    keeps of its review log (never the log's rows), so time and memory do not grow with it.
    ``details``: also retention per keyword and predicted recall, half the work, which home
    does not show (left empty without)."""
    with gc_paused():  # a few hundred thousand small objects, none in a cycle
        return _compute(store, deck, today, settings, details)


def _compute(store: Store, deck: Deck, today: date, settings: Settings, details: bool) -> Stats:
    # One scan of the cards for the plan, the recall and the per-card totals (home: the
    # plan's few columns only).
    figures = store.card_figures() if details else None
    plan = today_plan(store, deck, today, settings, figures.plan_groups() if figures else None)
    by_grade: Counter[int] = Counter()
    per_day: Counter[date] = Counter()
    for day, grade, n in store.answers_by_day_and_grade():
        per_day[day] += n
        by_grade[grade] += n
    quiz = store.quiz_results()
    recall_now, recall_later = (
        _mean_recalls(store, figures, plan.status, (today, today + timedelta(days=7)))
        if figures
        else (None, None)
    )
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
        retention_by_keyword=_retention_by_keyword(figures, deck) if figures else {},
        answers_by_grade={g: by_grade.get(g, 0) for g in range(6)},
        reviews_per_day={d.isoformat(): n for d, n in sorted(per_day.items())},
        due_forecast={d.isoformat(): n for d, n in plan.forecast.items()},
        quizzes=len({q for q, _, _ in quiz}),
        quiz_correct_share=(round(sum(ok for _, _, ok in quiz) / len(quiz), 3) if quiz else None),
        predicted_recall_now=recall_now,
        predicted_recall_in_7_days=recall_later,
        buried=plan.buried,
        repeats=plan.repeats,
        due_tomorrow=plan.due_tomorrow,
    )


def _retention_by_keyword(figures: CardFigures, deck: Deck) -> dict[str, float | None]:
    """Share of scheduled answers (not same-day repeats) graded passing, per keyword of the
    deck: the totals the store keeps in each card's row, folded over the deck's cards (a card's
    answers count once for each of its paper's keywords; cards no longer in the deck count for
    none)."""
    per_card = {done[0]: done for done in figures.answered()}  # (id, passed, answered)
    # Summed per keyword list first (a paper's cards share one), then spread over its keywords.
    per_list: dict[tuple[str, ...], list[int]] = {}
    get = per_card.get
    for cid, kws in deck.card_keywords():
        sums = per_list.get(kws)
        if sums is None:
            sums = per_list[kws] = [0, 0]
        done = get(cid)
        if done is not None:
            sums[0] += done[1]
            sums[1] += done[2]
    per_kw: dict[str, list[int]] = {}
    for kws, (ok, n) in per_list.items():
        for kw in kws:
            sums = per_kw.setdefault(kw, [0, 0])
            sums[0] += ok
            sums[1] += n
    return {k: (round(ok / n, 3) if n else None) for k, (ok, n) in sorted(per_kw.items())}


def _mean_recalls(
    store: Store, figures: CardFigures, deck_ids: Container[str], days: Sequence[date]
) -> list[float | None]:
    """The mean predicted recall over the deck's graded, unsuspended cards, on each of
    ``days``; a schedule shared by many cards is computed once (the sum is exact, ``fsum``,
    so it does not depend on the order of the cards)."""
    groups = figures.recall_groups(deck_ids)
    out: list[float | None] = []
    for on in days:
        values = [(r, n) for st, n in groups if (r := store.policy.recall(st, on)) is not None]
        count = sum(n for _, n in values)
        total = fsum(chain.from_iterable(repeat(r, n) for r, n in values))
        out.append(round(total / count, 3) if count else None)
    return out


def _streak(days: set[date], today: date) -> int:
    """Days in a row with at least one review, ending today (or yesterday, if not yet today)."""
    d = today if today in days else today - timedelta(days=1)
    n = 0
    while d in days:
        n += 1
        d -= timedelta(days=1)
    return n
