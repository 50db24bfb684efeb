"""Which cards a quiz asks, in what order, read no further than the quiz needs.

A quiz over 50,000 papers asks about twenty: the papers are shuffled only as far as they are
read, and only the cards of the papers reached are looked at.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from operator import le

from studydeck.models import Card, CardKind, Deck, Paper
from studydeck.quiz.masking import key


class CardsByPaper:
    """A paper's cards by kind, found without grouping every card of the deck, and made
    (by a deck read from the cache) only for the papers asked about.

    ``card_papers`` says whose each card is (a place in ``paper_keys``). Cards are made paper
    by paper, so a paper's cards are one run of the deck's cards, found by bisection. A deck
    in any other order is grouped once, the slow way."""

    def __init__(
        self,
        card_papers: Sequence[int],
        paper_keys: Sequence[str],
        card_at: Callable[[int], Card],
    ) -> None:
        self.card_papers = card_papers
        self.paper_keys = paper_keys
        self.card_at = card_at
        self._place = dict(zip(paper_keys, range(len(paper_keys)), strict=True))
        self._in_order = all(map(le, card_papers, islice(card_papers, 1, None)))
        self._grouped: dict[int, list[int]] | None = None
        self._memo: dict[str, dict[CardKind, Card]] = {}

    @classmethod
    def of_cards(cls, cards: Sequence[Card]) -> CardsByPaper:
        keys = list(dict.fromkeys(c.paper.key for c in cards))
        place = {k: i for i, k in enumerate(keys)}
        return cls([place[c.paper.key] for c in cards], keys, cards.__getitem__)

    @classmethod
    def of_deck(cls, deck: Deck) -> CardsByPaper:
        """From the deck's columns: a Card is made when its paper's cards are asked for."""
        return cls(deck.card_papers(), deck.paper_column("key"), deck.card_at)

    def paper_key_of(self, j: int) -> str:
        """The paper key of the ``j``-th card (no Card made)."""
        return self.paper_keys[self.card_papers[j]]

    def get(self, paper_key: str) -> dict[CardKind, Card]:
        """The paper's cards by kind (empty for a paper without cards)."""
        if paper_key in self._memo:
            return self._memo[paper_key]
        i = self._place.get(paper_key)
        run: Sequence[int] = ()
        if i is not None and self._in_order:
            at = self.card_papers
            run = range(bisect_left(at, i), bisect_right(at, i))
        elif i is not None:
            run = self._group().get(i, ())
        cards = [self.card_at(j) for j in run]
        self._memo[paper_key] = out = {c.kind: c for c in cards}
        return out

    def _group(self) -> dict[int, list[int]]:
        if self._grouped is None:
            grouped: dict[int, list[int]] = {}
            for j, i in enumerate(self.card_papers):
                grouped.setdefault(i, []).append(j)
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
    """A seeded shuffle drawn as far as it is read (Fisher-Yates from the front, of the
    positions: an item is read only when drawn); each item is also appended to ``into``
    (the later turns go round in the same order)."""
    a = list(range(len(items)))
    for j in range(len(a)):
        r = rng.randrange(j, len(a))
        a[j], a[r] = a[r], a[j]
        p = items[a[j]]
        into.append(p)
        yield p
