"""Whether a clue is shared: does another paper have a card that masks to the same text?

Masking only deletes (a paper's own names), and :func:`~studydeck.quiz.masking.key` only
drops marks and folds case, so every character of a masked key is a character of the
case-folded card it came from. The index is every card's text in one string: a clue's rarest
character (estimated from a sample) is looked up with ``str.find``, and only the cards
holding it, and every other character of the key as often, are masked and compared (a regex
per paper: that is what costs). No loop over every card.

Digits and CJK characters are looked up in the text as written (no other character folds
to one); a key of other letters only, in the case-folded text (folded on first need).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate

from studydeck.models import Card
from studydeck.quiz.masking import giveaways, key, mask

#: Every n-th character is sampled to guess which character of a clue is rarest.
SAMPLE_STEP = 61
#: Between two card texts (no card holds it: checked, else every card is compared).
SEP = "\x00"
#: Characters no other character case-folds to: found in the text as written.
_AS_WRITTEN = re.compile(r"[0-9\u3400-\u9fff]")


class _Joined:
    """Texts joined by :data:`SEP`; where each starts is found only when asked."""

    def __init__(self, text: str, texts: Sequence[str] | None = None) -> None:
        self.text = text
        self.texts = texts
        """The texts joined, when at hand (else split again when asked)."""
        self.sample = Counter(text[::SAMPLE_STEP])
        self._before: list[int] | None = None

    def holding(self, ch: str) -> Iterator[tuple[int, str]]:
        """(start, text) of each text holding ``ch``, in order."""
        text = self.text
        pos = text.find(ch)
        while pos >= 0:
            start = text.rfind(SEP, 0, pos) + 1
            end = text.find(SEP, pos)
            end = len(text) if end < 0 else end
            yield start, text[start:end]
            pos = text.find(ch, end)

    def number(self, start: int) -> int:
        """Which text starts at ``start``."""
        if self._before is None:
            # Characters of the texts before each: text k starts at before[k] + k (one
            # separator each). Counted in C, not a match object per text.
            texts = self.text.split(SEP) if self.texts is None else self.texts
            self._before = list(accumulate(map(len, texts), initial=0))
        before = self._before
        return bisect.bisect_left(range(len(before) - 1), start, key=lambda k: before[k] + k)


class ClueIndex:
    """Over every card's text (``backs``, in deck order); ``paper_key_of`` says whose each
    card is, and ``card_at`` gives the card at a position: asked only for the few cards a
    clue's characters point to."""

    def __init__(
        self,
        backs: Sequence[str],
        paper_key_of: Callable[[int], str],
        card_at: Callable[[int], Card],
    ) -> None:
        self.size = len(backs)
        self.paper_key_of = paper_key_of
        self.card_at = card_at
        self.written = _Joined(SEP.join(backs), backs)
        self.separated = self.written.text.count(SEP) == max(0, len(backs) - 1)
        self._folded: _Joined | None = None
        self._memo: dict[tuple[str, str], bool] = {}

    @classmethod
    def of_cards(cls, cards: Sequence[Card]) -> ClueIndex:
        return cls([c.back for c in cards], lambda i: cards[i].paper.key, cards.__getitem__)

    def folded(self) -> _Joined:
        if self._folded is None:
            self._folded = _Joined(self.written.text.casefold())
        return self._folded

    def candidates(self, masked_key: str) -> Iterator[int]:
        """Positions of the cards holding every character of ``masked_key`` as often
        (case-folded), as they are found."""
        need = Counter(masked_key)
        if not need or not self.separated:
            yield from range(self.size)
            return
        chars = frozenset(need)
        repeated = [(ch, n) for ch, n in need.items() if n > 1]
        exact = [ch for ch in need if _AS_WRITTEN.match(ch)]
        joined = self.written if exact else self.folded()
        anchor = min(exact or need, key=lambda ch: (joined.sample[ch], ch))
        for start, t in joined.holding(anchor):
            t = t.casefold()
            if chars.issubset(t) and all(t.count(ch) >= n for ch, n in repeated):
                yield joined.number(start)

    def shared(self, masked_key: str, card: Card) -> bool:
        """Whether a card of another paper masks to ``masked_key`` too."""
        memo = (masked_key, card.paper.key)
        if memo not in self._memo:
            self._memo[memo] = any(
                self._masks_to(self.card_at(i), masked_key)
                for i in self.candidates(masked_key)
                if self.paper_key_of(i) != card.paper.key
            )
        return self._memo[memo]

    @staticmethod
    def _masks_to(c: Card, masked_key: str) -> bool:
        own = key(c.back)
        if len(own) < len(masked_key) or (len(own) == len(masked_key) and own != masked_key):
            return False
        text = c.back.casefold()
        if not any(t.casefold() in text for t in giveaways(c.paper)):
            return own == masked_key  # none of its names in it: it is its own mask
        return key(mask(c.back, c.paper)) == masked_key
