"""Which cards a quiz asks, in what order, read no further than the quiz needs.

A quiz over 50,000 papers asks about twenty: the papers are shuffled only as far as they are
read, and only the cards of the papers reached are looked at.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from operator import attrgetter

from studydeck.models import Card, CardKind, Paper
from studydeck.quiz.masking import key


class CardsByPaper:
    """A paper's cards by kind, found without grouping every card of the deck.

    Cards are made paper by paper, so a paper's cards are one run of ``cards``: the run is
    found from where the paper's last card is and how many it has (both counted in C). A
    deck in any other order is grouped once, the slow way."""

    def __init__(self, cards: Sequence[Card]) -> None:
        self.cards = cards
        keys = list(map(attrgetter("paper.key"), cards))
        self._last = dict(zip(keys, range(len(keys)), strict=True))
        self._count = Counter(keys)
        self._grouped: dict[str, dict[CardKind, Card]] | None = None
        self._memo: dict[str, dict[CardKind, Card]] = {}

    def get(self, paper_key: str) -> dict[CardKind, Card]:
        """The paper's cards by kind (empty for a paper without cards)."""
        if paper_key in self._memo:
            return self._memo[paper_key]
        n, end = self._count.get(paper_key, 0), self._last.get(paper_key, -1) + 1
        run = self.cards[end - n : end] if n else ()
        if any(c.paper.key != paper_key for c in run):
            run = tuple(self._group().get(paper_key, {}).values())
        self._memo[paper_key] = out = {c.kind: c for c in run}
        return out

    def _group(self) -> dict[str, dict[CardKind, Card]]:
        if self._grouped is None:
            grouped: dict[str, dict[CardKind, Card]] = {}
            for c in self.cards:
                grouped.setdefault(c.paper.key, {})[c.kind] = c
            self._grouped = grouped
        return self._grouped


def card_order(
    cards_of: CardsByPaper, papers: Sequence[Paper], rng: random.Random
) -> Iterator[Card]:
    """The cards a quiz may ask, in order, drawn as far as they are read: the papers in a
    seeded order, each paper's cards in a seeded order, taken in turn (every paper gets a
    question before any gets a second); a card whose text an earlier card has is left out
    (one fact, one question)."""
    order: list[Paper] = []
    own: dict[str, list[Card]] = {}
    ids: set[str] = set()
    seen: set[str] = set()
    turn = 0
    while True:
        more = False
        for p in _shuffled(papers, rng, order) if turn == 0 else order:
            if p.key not in own:
                own[p.key] = list(cards_of.get(p.key).values())
                rng.shuffle(own[p.key])
            if turn >= len(own[p.key]):
                continue
            more = True
            card = own[p.key][turn]
            k = key(card.back)
            if card.id in ids or k in seen:
                continue
            ids.add(card.id)
            seen.add(k)
            yield card
        if not more:
            return
        turn += 1


def _shuffled(items: Sequence[Paper], rng: random.Random, into: list[Paper]) -> Iterator[Paper]:
    """A seeded shuffle drawn as far as it is read (Fisher-Yates from the front); each item
    is also appended to ``into`` (the later turns go round in the same order)."""
    a = list(items)
    for j in range(len(a)):
        r = rng.randrange(j, len(a))
        a[j], a[r] = a[r], a[j]
        into.append(a[j])
        yield a[j]
