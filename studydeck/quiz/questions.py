"""Questions from cards: one fact, one question; no giveaways; similar papers as distractors.

* A quiz asks each card at most once. Each paper's cards are taken in turn (every paper
  gets a question before any gets a second), each card as one kind, the kinds spread
  evenly; when the cards run out the quiz is shorter than asked, never padded.
* A text shown once (a clue, or a contribution shown as an option) is not asked back.
* Clues have the paper's own names masked (:mod:`studydeck.quiz.masking`); options quoting
  contributions have no method label, and the names of every paper of the question left
  out of each alike (no mark that only the distractors, or only the answer, carry; see
  :func:`~studydeck.quiz.masking.fair_options`); a clue that says
  too little, or that several papers share, is not used as a clue (the card becomes a
  recall question about the named paper instead; so does a choice question with no other
  paper to choose from).
* Distractors are the most similar papers, found through an index
  (:mod:`studydeck.quiz.distractors`), never the answer itself; figure questions only for
  a figure that can be shown, and their distractors are papers that have one.
* Questions are built one at a time, when read (:class:`QuizQuestions`): which cards are
  asked is decided first, cheaply, so the number of questions is known at once.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from typing import Protocol, overload

from studydeck.models import Card, CardKind, Deck, Figure, Paper
from studydeck.perf import gc_paused
from studydeck.quiz.clues import ClueIndex
from studydeck.quiz.distractors import PaperIndex, similarity_order
from studydeck.quiz.masking import fair_options, key, mask, says_enough
from studydeck.quiz.order import CardsByPaper, card_order
from studydeck.wording import plural

MAX_OPTIONS = 4
LETTERS = "ABCD"

CanShow = Callable[[Paper, Figure], bool]
"""Whether a paper's figure can be shown now (on disk, or cached)."""

Shown = Callable[[Sequence[str], Sequence[Paper]], list[str]]
"""What the options of one question show, from the texts of its papers."""


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
class Wording:
    """A question's prompt in its pieces, for each output to put together in its own form:
    the program's words, around the paper they name (a title, plain text; shown strong), and
    the clue quoted below them (a cell's inline Markdown)."""

    before: str
    named: str = ""
    after: str = ""
    quote: str = ""

    def inline_markdown(self) -> str:
        """The prompt as the app shows it (inline Markdown, the quote after ``\\n\\n> ``)."""
        named = f"**{md_escape(self.named)}**" if self.named else ""
        text = f"{self.before}{named}{self.after}"
        return f"{text}\n\n> {self.quote}" if self.quote else text


@dataclass(frozen=True)
class Question:
    number: int
    kind: QuestionKind
    wording: Wording
    """The question, with the clue it asks about (:attr:`prompt` as inline Markdown)."""
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

    @property
    def prompt(self) -> str:
        """Inline Markdown: the question, with the clue it asks about."""
        return self.wording.inline_markdown()


def titled(p: Paper) -> str:
    return p.title + (f" ({p.year})" if p.year else "")


def md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


class _Builder:
    """What every question of one quiz shares: the deck's cards by paper, and the indexes
    (built on first use: a quiz over 50,000 papers asks about twenty of them)."""

    def __init__(self, deck: Deck, can_show: CanShow | None) -> None:
        self.deck = deck
        self.can_show = can_show
        # From the deck's columns: a Paper or Card is made only for what a question reads.
        self.cards_of = CardsByPaper.of_deck(deck)
        self._papers: PaperIndex | None = None
        self._clues: ClueIndex | None = None
        self._with_figures: list[bool] | None = None

    @property
    def papers(self) -> PaperIndex:
        if self._papers is None:
            self._papers = PaperIndex.of_deck(self.deck)
        return self._papers

    @property
    def clues(self) -> ClueIndex:
        if self._clues is None:
            cards_of = self.cards_of
            self._clues = ClueIndex(self.deck.card_backs(), cards_of.paper_key_of, cards_of.card_at)
        return self._clues

    def may_have_figure(self, i: int) -> bool:
        """False where :meth:`figure_of` is None for the deck's ``i``-th paper, from a
        column (the paper is not made)."""
        if self._with_figures is None:
            self._with_figures = self.deck.papers_with_figures()
        return self._with_figures[i]

    def figure_of(self, p: Paper) -> Figure | None:
        if not p.figures or CardKind.CONTRIBUTION not in self.cards_of.get(p.key):
            return None
        f = p.figures[0]
        if self.can_show is not None and not self.can_show(p, f):
            return None
        return f

    def good_clue(self, card: Card) -> bool:
        """Says enough once masked, and no other paper has the same text."""
        masked = mask(card.back, card.paper)
        return says_enough(masked) and not self.clues.shared(key(masked), card)

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

    def contribution(self, q: Paper) -> str:
        """``q``'s contribution as written (an option shows it through :func:`fair_options`)."""
        c = self.cards_of.get(q.key).get(CardKind.CONTRIBUTION)
        return c.back if c is not None else ""

    def choice(
        self,
        target: Paper,
        answer: str,
        asked: Asked,
        text_of: Callable[[Paper], str],
        wanted: Callable[[Paper], bool] | None = None,
        ok_at: Callable[[int], bool] | None = None,
        shown: Shown | None = None,
    ) -> tuple[tuple[Option, ...], int, str]:
        """The answer among the most similar papers' texts (no text shown twice, none
        with the answer's title). ``shown`` turns the texts of the question's papers (the
        answer's first) into what the options show; they are as written when it is None."""
        show = shown or (lambda texts, papers: list(texts))
        texts = [answer]
        papers = [target]
        seen = {key(answer)}
        ok = wanted or (lambda q: True)
        candidates = similarity_order(self.papers, target, asked.salt, ok, ok_at)
        if not key(show(texts, papers)[0]):
            candidates = iter(())  # the answer shows nothing: asked as a recall question
        for q in candidates:
            t = text_of(q)
            k = key(t)
            if not k or k in seen or key(q.title) == key(target.title):
                continue
            keys = [key(s) for s in show([*texts, t], [*papers, q])]
            if not all(keys) or len(set(keys)) < len(keys):
                continue  # (the same once shown: names left out, or a label was all it had)
            seen.add(k)
            texts.append(t)
            papers.append(q)
            if len(texts) == MAX_OPTIONS:
                break
        shown_texts = show(texts, papers)
        picked = [Option(t, q.key) for t, q in zip(shown_texts[1:], papers[1:], strict=True)]
        idx = asked.rng.randrange(len(picked) + 1)
        options = (*picked[:idx], Option(shown_texts[0], target.key), *picked[idx:])
        note = ""
        if len(options) < MAX_OPTIONS:
            note = f"only {plural(len(options), 'option')}: too few other papers to choose from"
        return options, idx, note

    def behind(self, paper_key: str) -> set[str]:
        """The key of the card behind a contribution option (names unmasked)."""
        c = self.cards_of.get(paper_key).get(CardKind.CONTRIBUTION)
        return {key(c.back)} if c is not None else set()

    def question(self, number: int, card: Card, kind: QuestionKind, asked: Asked) -> Question:
        p = card.paper
        if kind is QuestionKind.PAPER_TO_CONTRIBUTION:
            opts, idx, note = self.choice(
                p, card.back, asked, self.contribution, shown=fair_options
            )
            answer = opts[idx].text
            if len(opts) == 1:  # nothing to choose between: asked as a recall question
                return self.recall(number, card)
            wording = Wording("What is the core contribution of ", titled(p), "?")
            return Question(
                number, kind, wording, p, card, opts, idx, answer, note=note, clue=titled(p)
            )
        if kind is QuestionKind.FLIP:
            return self.recall(number, card)
        figure = self.figure_of(p) if kind is QuestionKind.FIGURE_TO_PAPER else None
        wanted: Callable[[Paper], bool] | None = None
        ok_at: Callable[[int], bool] | None = None
        clue = ""
        if kind is QuestionKind.FIGURE_TO_PAPER:
            wanted = lambda q: self.figure_of(q) is not None  # noqa: E731
            ok_at = self.may_have_figure
            wording = Wording("Which paper is this figure from?")
        else:
            clue = mask(card.back, p)
            head = (
                "Which paper does this critique belong to?"
                if kind is QuestionKind.CRITIQUE_TO_PAPER
                else "Which paper contributes this?"
            )
            wording = Wording(head, quote=clue)
        opts, idx, note = self.choice(p, titled(p), asked, titled, wanted, ok_at)
        if len(opts) == 1:
            return self.recall(number, card)
        return Question(
            number,
            kind,
            wording,
            p,
            card,
            opts,
            idx,
            titled(p),
            figure=figure,
            note=note,
            clue=clue,
        )

    def recall(self, number: int, card: Card) -> Question:
        """The card as a self-graded recall question about the named paper."""
        p = card.paper
        wording = Wording(f"{card.question} — ", titled(p))
        return Question(
            number, QuestionKind.FLIP, wording, p, card, answer=card.back, clue=titled(p)
        )


@dataclass
class Asked:
    """The seeded draws of a quiz whose questions are built one after another."""

    rng: random.Random
    salt: str = ""
    """Draws of one question's distractor order (:func:`~studydeck.quiz.distractors.draw`)."""


#: Keys one question can show: its card, and per option the text and the card behind it.
SHOWN_PER_QUESTION = 1 + 2 * MAX_OPTIONS


class QuizQuestions(Sequence[Question]):
    """A quiz's questions, built one at a time when first read (screens show question 1
    while the rest are not built), with the number of questions and papers known at once.

    Cards come from :func:`card_order`; a card whose text an earlier question showed is
    skipped for the next. One question shows at most :data:`SHOWN_PER_QUESTION` texts, so
    when the first ``SHOWN_PER_QUESTION * n`` cards of the order exist and are from as many
    papers, ``n`` questions about ``n`` papers are certain. Otherwise (a few papers, or
    few cards) every question is built at once: the count is what they come to."""

    def __init__(
        self, builder: _Builder, order: Iterator[Card], n: int, rng: random.Random
    ) -> None:
        self._builder = builder
        self._supply = list(islice(order, SHOWN_PER_QUESTION * n))
        self._taken = 0
        self._shown: set[str] = set()
        self._built: list[Question] = []
        self._used: dict[QuestionKind, int] = defaultdict(int)
        self._asked = Asked(rng)
        certain = len(self._supply) == SHOWN_PER_QUESTION * n and (
            len({c.paper.key for c in self._supply}) == len(self._supply)
        )
        if certain:
            self._n = self.paper_count = n
        else:
            while len(self._built) < n and (q := self._next()) is not None:
                self._built.append(q)
            self._n = len(self._built)
            self.paper_count = len({q.paper.key for q in self._built})

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> Question: ...
    @overload
    def __getitem__(self, i: slice) -> list[Question]: ...
    def __getitem__(self, i: int | slice) -> Question | list[Question]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        j = i + len(self) if i < 0 else i
        if not 0 <= j < len(self):
            raise IndexError(i)
        # Indexes, shortlists, masks: many small acyclic objects; and the deck's own objects,
        # loaded with the collector paused, are not to be scanned while a question waits.
        with gc_paused():
            while len(self._built) <= j:
                q = self._next()
                if q is None:  # a bug, not the user's: the count was promised
                    raise RuntimeError("a question the quiz counted on ran out of cards")
                self._built.append(q)
        return self._built[j]

    @property
    def built(self) -> int:
        """How many questions have been built so far."""
        return len(self._built)

    def _next(self) -> Question | None:
        while self._taken < len(self._supply):
            card = self._supply[self._taken]
            self._taken += 1
            if key(card.back) not in self._shown:
                return self._ask(card)
            # a text shown once is not asked back
        return None

    def _ask(self, card: Card) -> Question:
        asked, b = self._asked, self._builder
        asked.salt = f"{asked.rng.getrandbits(64):016x}"
        kinds = b.kinds_for(card)
        asked.rng.shuffle(kinds)
        kind = min(kinds, key=lambda k: self._used[k])
        self._used[kind] += 1
        q = b.question(len(self._built) + 1, card, kind, asked)
        self._shown.add(key(card.back))
        self._shown.update(key(o.text) for o in q.options)
        if kind is QuestionKind.PAPER_TO_CONTRIBUTION:
            for o in q.options:
                self._shown |= b.behind(o.paper_key)
        return q


def quiz_questions(
    deck: Deck,
    papers: Sequence[Paper],
    n: int,
    seed: int,
    can_show: CanShow | None = None,
) -> QuizQuestions:
    """Up to ``n`` questions about ``papers`` (distractors from the whole deck), built as
    they are read; same seed, same quiz. Fewer when the papers' cards run out."""
    rng = random.Random(seed)
    with gc_paused():  # (as when a question is built)
        b = _Builder(deck, can_show)
        return QuizQuestions(b, card_order(b.cards_of, papers, rng), n, rng)


def build_quiz(
    deck: Deck,
    papers: Sequence[Paper],
    n: int,
    seed: int,
    can_show: CanShow | None = None,
) -> list[Question]:
    """Every question of :func:`quiz_questions` at once."""
    return list(quiz_questions(deck, papers, n, seed, can_show))


class _AboutAPaper(Protocol):
    @property
    def paper(self) -> Paper: ...


def distinct_papers(questions: Sequence[_AboutAPaper]) -> int:
    if isinstance(questions, QuizQuestions):
        return questions.paper_count  # known without building every question
    return len({q.paper.key for q in questions})


def count_line(questions: Sequence[_AboutAPaper]) -> str:
    """``12 questions from 4 papers`` (plural forms right)."""
    return (
        f"{plural(len(questions), 'question')} from {plural(distinct_papers(questions), 'paper')}"
    )
