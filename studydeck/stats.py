"""Figures for the stats screen and ``studydeck stats --json``."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from studydeck.config import Settings
from studydeck.models import Deck
from studydeck.scheduling import GOOD_ENOUGH, PASSING, CardState
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

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def compute(store: Store, deck: Deck, today: date, settings: Settings) -> Stats:
    states = store.states()
    deck_ids = {c.id for c in deck.cards}
    kw_of = {c.id: c.paper.keywords for c in deck.cards}
    rows = store.reviews()
    today_rows = [r for r in rows if r.day == today]
    new_seen_today = sum(1 for r in today_rows if r.was_new)
    due = new = learning = suspended = leeches = 0
    forecast: Counter[date] = Counter()
    for cid in deck_ids:
        st = states.get(cid)
        if st is None:
            continue
        leeches += st.leech
        if st.suspended:
            suspended += 1
            continue
        if st.sm2.due is None:
            new += 1
            continue
        if st.is_active(today) and st.sm2.due <= today:
            due += 1
        if st.sm2.repetitions == 0:
            learning += 1
        if st.sm2.due <= today + timedelta(days=29):
            forecast[max(st.sm2.due, today)] += 1
    last_today = {r.card_id: r.quality for r in today_rows}
    learning += sum(
        1
        for cid, q in last_today.items()
        if q < GOOD_ENOUGH and cid in deck_ids and states[cid].sm2.repetitions > 0
    )
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
    retired = sum(1 for cid, st in states.items() if st.retired and cid not in deck_ids)
    keywords = sorted({k for c in deck.cards for k in c.paper.keywords})
    quiz = store.quiz_results()
    return Stats(
        due_today=min(
            due, max(0, settings.reviews_per_day - sum(1 for r in today_rows if not r.repeat))
        ),
        new_available=min(new, max(0, settings.new_per_day - new_seen_today)),
        new_total=new,
        learning=learning,
        reviewed_today=len(today_rows),
        total_cards=len(deck_ids),
        retired=retired,
        suspended=suspended,
        leeches=leeches,
        streak=_streak(set(per_day), today),
        retention_by_keyword={
            k: (round(per_kw[k][0] / per_kw[k][1], 3) if per_kw[k][1] else None) for k in keywords
        },
        answers_by_grade={g: by_grade.get(g, 0) for g in range(6)},
        reviews_per_day={d.isoformat(): n for d, n in sorted(per_day.items())},
        due_forecast={
            (today + timedelta(days=i)).isoformat(): forecast.get(today + timedelta(days=i), 0)
            for i in range(30)
        },
        quizzes=len({q for q, _, _ in quiz}),
        quiz_correct_share=(round(sum(ok for _, _, ok in quiz) / len(quiz), 3) if quiz else None),
        predicted_recall_now=_mean_recall(store, deck_ids, states, today),
        predicted_recall_in_7_days=_mean_recall(store, deck_ids, states, today + timedelta(days=7)),
    )


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
