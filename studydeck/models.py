"""Plain, frozen data: what a notes file says (papers) and what we study (cards)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


M = TypeVar("M", bound=BaseModel)


class CardKind(StrEnum):
    CONTRIBUTION = "contribution"
    INSIGHT = "insight"
    CRITIQUE = "critique"


class Figure(Frozen):
    """An image in the figure cell: a URL or a path relative to the notes file."""

    src: str
    alt: str = ""

    @property
    def is_remote(self) -> bool:
        return self.src.startswith(("http://", "https://"))


class Paper(Frozen):
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


class Card(Frozen):
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


class Diagnostic(Frozen):
    """A problem found in a notes file: ``file:line: severity: message``."""

    path: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class Deck(Frozen):
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


def trusted(cls: type[M], values: dict[str, object]) -> M:
    """Build a model from values we made ourselves, skipping validation and defaults.

    ``model_construct`` costs ~10 µs a model; this is what it does, minus the
    bookkeeping we do not need, for the tens of thousands of cards of a large deck.
    """
    m = cls.__new__(cls)
    _set(m, "__dict__", values)
    _set(m, "__pydantic_fields_set__", set(values))
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m


_set = object.__setattr__
