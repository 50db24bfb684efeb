"""The planner works on rows grouped as the store reads them, and orders the queue without
searching every paper's count per card: the same plan and the same order as card by card."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.config import Settings
from studydeck.planner import CardRow, DeckCard, Planned, TodayAnswer, plan, spread

from .test_stats_fast import TODAY, card_rows, reference_plan


def spread_card_by_card(items: list[Planned]) -> list[Planned]:
    """The rule as written first: the largest paper's count is looked up for every card."""
    out: list[Planned] = []
    pending = list(items)
    left = Counter(it.paper_key for it in pending)
    while pending:
        last = out[-1].paper_key if out else None
        most, n = left.most_common(1)[0]
        must = most if most != last and 2 * n > len(pending) else None
        idx = next(
            (
                i
                for i, it in enumerate(pending)
                if it.paper_key != last and must in (None, it.paper_key)
            ),
            0,
        )
        item = pending.pop(idx)
        left[item.paper_key] -= 1
        out.append(item)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("aaaabbcdef"), max_size=40))
def test_spread_keeps_papers_apart_as_the_card_by_card_rule_does(papers: list[str]) -> None:
    items = [Planned(f"c{i}", p) for i, p in enumerate(papers)]
    assert spread(items) == spread_card_by_card(items)


@settings(max_examples=200, deadline=None)
@given(
    pool=st.lists(card_rows, min_size=1, max_size=5),
    deck_rows=st.lists(st.one_of(st.none(), st.integers(0, 4)), max_size=40),
    gone_rows=st.lists(st.integers(0, 4), max_size=5),
    answers=st.lists(
        st.tuples(st.integers(0, 45), st.integers(0, 5), st.booleans(), st.booleans()),
        max_size=8,
    ),
    limits=st.tuples(st.integers(0, 8), st.integers(0, 8)),
    cut=st.integers(0, 3),
    papers=st.integers(1, 6),
)
def test_the_plan_of_grouped_rows_is_the_plan_made_card_by_card(
    pool: list[CardRow],
    deck_rows: list[int | None],
    gone_rows: list[int],
    answers: list[tuple[int, int, bool, bool]],
    limits: tuple[int, int],
    cut: int,
    papers: int,
) -> None:
    """The rows as the store hands them over: each distinct row with its cards' ids, cards
    not in the deck among them; a row may come in two groups (the store groups on more
    columns than the planner reads), or each card's row by id. The plan must be the one made
    card by card: the queue (most overdue first, ties in notes order), every state, count and
    the forecast; with cards owing a same-day repeat, cards with no stored row and stored
    cards no longer in the deck. (The rows come from a pool of a few, so that many cards
    share one, as in a real store.)"""
    cards = [DeckCard(f"c{i}", f"p{(i * 7) % papers}") for i in range(len(deck_rows))]
    rows = {f"c{i}": pool[w % len(pool)] for i, w in enumerate(deck_rows) if w is not None}
    rows |= {f"gone{i}": pool[w % len(pool)] for i, w in enumerate(gone_rows)}
    by_row: dict[CardRow, list[str]] = {}
    for cid, row in rows.items():
        by_row.setdefault(row, []).append(cid)
    groups: list[tuple[CardRow, list[str]]] = []
    for row, ids in by_row.items():
        groups += [(row, ids[:cut]), (row, ids[cut:])] if 0 < cut < len(ids) else [(row, ids)]
    log = [TodayAnswer(f"c{c}", q, rep, was_new) for c, q, rep, was_new in answers]
    chosen = Settings(reviews_per_day=limits[0], new_per_day=limits[1])
    got = plan(cards, groups, TODAY, chosen, log)
    assert got == reference_plan(cards, rows, TODAY, chosen, log)
    assert plan(cards, rows, TODAY, chosen, log) == got
    assert list(got.status) == [c.card_id for c in cards]  # notes order
