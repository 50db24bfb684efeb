"""Questions from cards: one fact, one question; no giveaways; similar papers as distractors.

* A quiz asks each card at most once. Each paper's cards are taken in turn (every paper
  gets a question before any gets a second), each card as one kind, the kinds spread
  evenly; when the cards run out the quiz is shorter than asked, never padded.
* A text shown once (a clue, or a contribution shown as an option) is not asked back.
* Clues have the paper's own names masked (:mod:`studydeck.quiz.masking`); a clue that says
  too little, or that several papers share, is not used as a clue (the card becomes a
  recall question about the named paper instead).
* Distractors are the most similar papers (:mod:`studydeck.quiz.similarity`), never the
  answer itself; figure questions only for a figure that can be shown, and their
  distractors are papers that have one.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from studydeck.models import Card, CardKind, Deck, Figure, Paper
from studydeck.quiz.masking import giveaways, key, mask, says_enough
from studydeck.quiz.similarity import family, is_tool, similarity
from studydeck.wording import plural

MAX_OPTIONS = 4
LETTERS = "ABCD"
#: Fewer papers than this in the target's keyword families, and distractors come from the
#: whole deck (some answers repeat, or have no text to show, and are skipped).
CANDIDATES = 4 * MAX_OPTIONS

CanShow = Callable[[Paper, Figure], bool]
"""Whether a paper's figure can be shown now (on disk, or cached)."""


class QuestionKind(StrEnum):
    CONTRIBUTION_TO_PAPER = "contribution->paper"
    PAPER_TO_CONTRIBUTION = "paper->contribution"
    FIGURE_TO_PAPER = "figure->paper"
    CRITIQUE_TO_PAPER = "critique->paper"
    FLIP = "flip"

    @property
    def label(self) -> str:
        """What the user sees instead of the internal name."""
        return {
            "contribution->paper": "which paper",
            "paper->contribution": "which contribution",
            "figure->paper": "which figure",
            "critique->paper": "which critique",
            "flip": "recall",
        }[self.value]


@dataclass(frozen=True)
class Option:
    text: str
    paper_key: str


@dataclass(frozen=True)
class Question:
    number: int
    kind: QuestionKind
    prompt: str
    """Inline Markdown: the question, with the clue it asks about."""
    paper: Paper
    card: Card
    options: tuple[Option, ...] = ()
    answer_index: int | None = None
    """Index of the right option; None for a self-graded recall card."""
    answer: str = ""
    figure: Figure | None = None
    note: str = ""
    clue: str = ""
    """The text shown to identify the paper (masked), or the paper's title for recall."""

    @property
    def is_choice(self) -> bool:
        return self.answer_index is not None


def titled(p: Paper) -> str:
    return p.title + (f" ({p.year})" if p.year else "")


def md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


class _Builder:
    def __init__(self, deck: Deck, rng: random.Random, can_show: CanShow | None) -> None:
        self.deck = deck
        self.rng = rng
        self.can_show = can_show
        self.cards_of: dict[str, dict[CardKind, Card]] = defaultdict(dict)
        for c in deck.cards:
            self.cards_of[c.paper.key][c.kind] = c
        # Built on first use, from the papers themselves: a quiz over 50,000 papers asks
        # about twenty of them.
        self._shared: dict[str, bool] = {}
        self._families: dict[str, list[int]] | None = None

    def shared(self, masked_key: str, card: Card) -> bool:
        """Whether another paper has a card whose masked text has this key.

        Masking only deletes (a paper's own names), so another card can reach the key only
        if it holds the key's caseless characters at least as often and its own key is no
        shorter; a card none of whose paper's names occur in it is its own mask. Only the
        few cards left are masked (a regex per paper: that is what costs)."""
        if masked_key in self._shared:
            return self._shared[masked_key]
        need = Counter(_probe_chars(masked_key))
        found = False
        for c in self.deck.cards:
            if c.paper.key == card.paper.key or not all(
                c.back.count(ch) >= n for ch, n in need.items()
            ):
                continue
            own = key(c.back)
            if len(own) < len(masked_key) or (len(own) == len(masked_key) and own != masked_key):
                continue
            text = c.back.casefold()
            if not any(t.casefold() in text for t in giveaways(c.paper)):
                found = own == masked_key
            else:
                found = key(mask(c.back, c.paper)) == masked_key
            if found:
                break
        self._shared[masked_key] = found
        return found

    def family_index(self) -> dict[str, list[int]]:
        """Keyword family -> positions of the deck's papers in it."""
        if self._families is None:
            index: dict[str, list[int]] = defaultdict(list)
            for i, q in enumerate(self.deck.papers):
                for f in {family(k) for k in q.keywords}:
                    index[f].append(i)
            self._families = index
        return self._families

    def figure_of(self, p: Paper) -> Figure | None:
        if not p.figures or CardKind.CONTRIBUTION not in self.cards_of.get(p.key, {}):
            return None
        f = p.figures[0]
        if self.can_show is not None and not self.can_show(p, f):
            return None
        return f

    def good_clue(self, card: Card) -> bool:
        """Says enough once masked, and no other paper has the same text."""
        masked = mask(card.back, card.paper)
        return says_enough(masked) and not self.shared(key(masked), card)

    def kinds_for(self, card: Card) -> list[QuestionKind]:
        p = card.paper
        if card.kind is CardKind.CONTRIBUTION:
            kinds = [QuestionKind.PAPER_TO_CONTRIBUTION]
            if self.good_clue(card):
                kinds.append(QuestionKind.CONTRIBUTION_TO_PAPER)
            if self.figure_of(p) is not None:
                kinds.append(QuestionKind.FIGURE_TO_PAPER)
            return kinds
        if card.kind is CardKind.CRITIQUE and self.good_clue(card):
            return [QuestionKind.CRITIQUE_TO_PAPER, QuestionKind.FLIP]
        return [QuestionKind.FLIP]

    def ranked(self, target: Paper, wanted: Callable[[Paper], bool] | None) -> list[Paper]:
        """Most similar first, a little seeded jitter among near ties. Candidates are the
        papers sharing a keyword family with ``target`` (an index, not a pass over the whole
        deck); only when those are too few to choose from, every paper of the deck."""
        papers = self.deck.papers
        index = self.family_index()
        at = sorted({i for k in target.keywords for i in index.get(family(k), ())})
        pool: Sequence[Paper] = [papers[i] for i in at]
        ok = wanted or (lambda q: True)
        cands = [q for q in pool if self._candidate(target, q) and ok(q)]
        if len(cands) < CANDIDATES:
            cands = [q for q in papers if self._candidate(target, q) and ok(q)]
        scored = [(similarity(target, q) + self.rng.random() * 0.25, q.title, q) for q in cands]
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [t[2] for t in scored]

    @staticmethod
    def _candidate(target: Paper, q: Paper) -> bool:
        return q.key != target.key and (is_tool(target) or not is_tool(q))

    def choice(
        self,
        target: Paper,
        answer: str,
        wanted: Callable[[Paper], bool] | None,
        text_of: Callable[[Paper], str],
    ) -> tuple[tuple[Option, ...], int, str]:
        seen = {key(answer)}
        picked: list[Option] = []
        for q in self.ranked(target, wanted):
            t = text_of(q)
            k = key(t)
            if not k or k in seen or key(q.title) == key(target.title):
                continue
            seen.add(k)
            picked.append(Option(t, q.key))
            if len(picked) == MAX_OPTIONS - 1:
                break
        idx = self.rng.randrange(len(picked) + 1)
        options = (*picked[:idx], Option(answer, target.key), *picked[idx:])
        note = ""
        if len(options) < MAX_OPTIONS:
            note = f"only {len(options)} options: too few other papers to choose from"
        return options, idx, note

    def question(self, number: int, card: Card, kind: QuestionKind) -> Question:
        p = card.paper
        if kind is QuestionKind.PAPER_TO_CONTRIBUTION:

            def contribution(q: Paper) -> str:
                c = self.cards_of.get(q.key, {}).get(CardKind.CONTRIBUTION)
                return mask(c.back, q) if c is not None else ""

            answer = contribution(p)
            opts, idx, note = self.choice(p, answer, None, contribution)
            prompt = f"What is the core contribution of **{md_escape(titled(p))}**?"
            return Question(
                number, kind, prompt, p, card, opts, idx, answer, note=note, clue=titled(p)
            )
        if kind is QuestionKind.FLIP:
            prompt = f"{card.question} — **{md_escape(titled(p))}**"
            return Question(number, kind, prompt, p, card, answer=card.back, clue=titled(p))
        figure = self.figure_of(p) if kind is QuestionKind.FIGURE_TO_PAPER else None
        wanted: Callable[[Paper], bool] | None = None
        clue = ""
        if kind is QuestionKind.FIGURE_TO_PAPER:
            wanted = lambda q: self.figure_of(q) is not None  # noqa: E731
            prompt = "Which paper is this figure from?"
        else:
            clue = mask(card.back, p)
            head = (
                "Which paper does this critique belong to?"
                if kind is QuestionKind.CRITIQUE_TO_PAPER
                else "Which paper contributes this?"
            )
            prompt = f"{head}\n\n> {clue}"
        opts, idx, note = self.choice(p, titled(p), wanted, titled)
        return Question(
            number, kind, prompt, p, card, opts, idx, titled(p), figure=figure, note=note, clue=clue
        )


def build_quiz(
    deck: Deck,
    papers: Sequence[Paper],
    n: int,
    seed: int,
    can_show: CanShow | None = None,
) -> list[Question]:
    """Up to ``n`` questions about ``papers`` (distractors from the whole deck); same seed,
    same quiz. Fewer when the papers' cards run out."""
    rng = random.Random(seed)
    b = _Builder(deck, rng, can_show)
    per_paper: list[list[Card]] = []
    for p in papers:
        cards = list(b.cards_of.get(p.key, {}).values())
        rng.shuffle(cards)
        if cards:
            per_paper.append(cards)
    rng.shuffle(per_paper)
    used: dict[QuestionKind, int] = defaultdict(int)
    shown: set[str] = set()
    asked: set[str] = set()
    questions: list[Question] = []
    while len(questions) < n and any(per_paper):
        for cards in per_paper:
            if not cards or len(questions) >= n:
                continue
            card = cards.pop(0)
            if card.id in asked or key(card.back) in shown:
                continue  # one fact, one question; a text already shown is not asked back
            kinds = b.kinds_for(card)
            rng.shuffle(kinds)
            kind = min(kinds, key=lambda k: used[k])
            q = b.question(len(questions) + 1, card, kind)
            used[kind] += 1
            asked.add(card.id)
            shown.add(key(card.back))
            shown.update(key(o.text) for o in q.options)
            shown.update(_contribution_keys(b, q))
            questions.append(q)
    return questions


def _contribution_keys(b: _Builder, q: Question) -> set[str]:
    """The unmasked texts behind contribution options (so they are not asked back)."""
    if q.kind is not QuestionKind.PAPER_TO_CONTRIBUTION:
        return set()
    out = set()
    for o in q.options:
        c = b.cards_of.get(o.paper_key, {}).get(CardKind.CONTRIBUTION)
        if c is not None:
            out.add(key(c.back))
    return out


def _probe_chars(text: str) -> str:
    """The characters of a (case-folded) key that any text holding it must contain as they
    are: digits, CJK and other caseless characters (a cased letter might be written
    upper-case)."""
    return "".join(ch for ch in text if ch.upper() == ch.lower())


def distinct_papers(questions: Sequence[Question]) -> int:
    return len({q.paper.key for q in questions})


def count_line(questions: Sequence[Question]) -> str:
    """``12 questions from 4 papers`` (plural forms right)."""
    return (
        f"{plural(len(questions), 'question')} from {plural(distinct_papers(questions), 'paper')}"
    )
