"""Plain, frozen data: what a notes file says (papers) and what we study (cards).

Frozen dataclasses with slots, not pydantic models. Everything here is built by studydeck's
own code (the parser, the card maker, the deck cache) from values it has already checked, so
pydantic validation was skipped everywhere (``model_construct`` and a ``trusted()`` that wrote
pydantic internals): ``frozen`` and ``extra="forbid"`` were promised but never enforced. A
frozen dataclass keeps both promises on every construction (assignment raises
``FrozenInstanceError``; an unknown field is a ``TypeError``) and mypy checks the types. It is
also cheaper: building 36k papers took 0.29 s against 0.67 s through ``trusted()`` and 0.80 s
through ``model_construct``, and reading a field is twice as fast (same loaded machine; the
whole ``bench.bench_parse`` of 10k papers was too noisy there to tell the two apart). Text from the notes is checked where it enters (:mod:`studydeck.parsing` turns
bad rows into diagnostics) and data leaves through plain dicts (``cards --json``:
:func:`dataclasses.asdict`); settings are checked by :func:`studydeck.config.load_settings`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal


class CardKind(StrEnum):
    CONTRIBUTION = "contribution"
    INSIGHT = "insight"
    CRITIQUE = "critique"


#: What each kind of card is called on screen (the card's heading, the messages about it).
KIND_LABEL: dict[CardKind, str] = {
    CardKind.CONTRIBUTION: "contribution",
    CardKind.INSIGHT: "key insight",
    CardKind.CRITIQUE: "critique",
}


#: The question a card of each kind asks (here, beside the kinds: a warm start shows its
#: first card without importing the carding rules and their classifier).
QUESTIONS: dict[CardKind, str] = {
    CardKind.CONTRIBUTION: "What is its core contribution?",
    CardKind.INSIGHT: "What is the key insight from your notes?",
    CardKind.CRITIQUE: "What is the critique: where does it fall short?",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """An image in the figure cell: a URL or a path relative to the notes file."""

    src: str
    alt: str = ""

    @property
    def is_remote(self) -> bool:
        return self.src.startswith(("http://", "https://"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Paper:
    """One row of a paper table, with its place in the notes file."""

    key: str
    """Stable identity (see :mod:`studydeck.identity`)."""
    title: str
    url: str | None = None
    year: int | None = None
    venue: str = ""
    """The raw year cell when it says more than the year (``TPAMI 2019``)."""
    short_name: str = ""
    keywords: tuple[str, ...] = ()
    contribution: str = ""
    """Inline Markdown, line breaks as ``\\n``."""
    notes: str = ""
    figures: tuple[Figure, ...] = ()
    section: str = ""
    source: str
    """The notes file this row came from."""
    line: int
    """1-based line of the row in ``source``."""
    order: int = 0
    """Position of the row in its file (for ``--recent``)."""

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Card:
    """One flashcard. ``id`` is ``<paper key hash>/<kind>``: it never depends on the answer."""

    id: str
    kind: CardKind
    paper: Paper
    question: str
    back: str
    """Inline Markdown."""

    @property
    def figures(self) -> tuple[Figure, ...]:
        return self.paper.figures if self.kind is CardKind.CONTRIBUTION else ()

    @property
    def front(self) -> str:
        from studydeck.naming import titled  # naming is pure text rules; models stays data

        p = self.paper
        head = titled(p.title, p.short_name, p.contribution)
        head += f" ({p.year})" if p.year is not None else ""
        if p.keywords:
            head += " · " + ", ".join(p.keywords)
        return f"{head}\n{self.question}"


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """A problem found in a notes file: ``file:line: severity: message``."""

    path: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Deck:
    """Everything read from one or more notes files."""

    name: str
    papers: tuple[Paper, ...]
    cards: tuple[Card, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")

    # What today's plan, the counts and the first card need, without every Card: a deck read
    # from the cache (:mod:`studydeck.loading`) answers these from its stored rows and builds
    # a Card only when asked for it (a warm start shows one card of tens of thousands).
    @property
    def paper_count(self) -> int:
        return len(self.papers)

    @property
    def card_count(self) -> int:
        return len(self.cards)

    def card_keys(self) -> list[tuple[str, str]]:
        """Each card's id and its paper's key, in notes order."""
        return [(c.id, c.paper.key) for c in self.cards]

    def card_keywords(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each card's id and its paper's keywords, in notes order."""
        return [(c.id, c.paper.keywords) for c in self.cards]

    def cards_by_id(self, ids: Iterable[str]) -> dict[str, Card]:
        """The deck's cards of ``ids`` (ids not in the deck are left out)."""
        wanted = set(ids)
        return {c.id: c for c in self.cards if c.id in wanted}

    # --- quiz accessors ---
    # A quiz over 50,000 papers asks about twenty: it selects and indexes from columns and
    # builds a Paper or Card only for what a question shows. These work on any deck; a deck
    # read from the cache answers them from its stored rows (:mod:`studydeck.loading`).
    def paper_at(self, i: int) -> Paper:
        """The ``i``-th paper, in notes order."""
        return self.papers[i]

    def card_at(self, j: int) -> Card:
        """The ``j``-th card, in notes order."""
        return self.cards[j]

    def paper_column(self, name: str) -> list[Any]:
        """One field of every paper, in notes order (not ``figures``: see
        :meth:`papers_with_figures`)."""
        if name == "figures":
            raise ValueError("figures is not a column: ask papers_with_figures()")
        return [getattr(p, name) for p in self.papers]

    def papers_with_figures(self) -> list[bool]:
        """Whether each paper has a figure, in notes order."""
        return [bool(p.figures) for p in self.papers]

    def card_backs(self) -> list[str]:
        """Each card's answer text, in notes order."""
        return [c.back for c in self.cards]

    def card_ids(self) -> list[str]:
        """Each card's id, in notes order."""
        return [c.id for c in self.cards]

    def card_kinds(self) -> list[str]:
        """Each card's kind (its value: ``"contribution"``...), in notes order."""
        return [c.kind.value for c in self.cards]

    def card_papers(self) -> list[int]:
        """Each card's paper, as its place in ``papers`` (paper keys are unique), in notes
        order."""
        at = {p.key: i for i, p in enumerate(self.papers)}
        return [at[c.paper.key] for c in self.cards]
