"""Which papers a quiz is about: keyword, year, section, recent rows, or an agenda."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from studydeck.models import Deck, Paper
from studydeck.quiz.agenda import AgendaMatch, match_agenda


@dataclass
class Selection:
    keywords: list[str] = field(default_factory=list)
    year: int | None = None
    since: int | None = None
    section: str | None = None
    recent: int | None = None
    agenda: list[str] | None = None

    def describe(self) -> str:
        parts = [f"keyword {k}" for k in self.keywords]
        if self.year is not None:
            parts.append(f"year {self.year}")
        if self.since is not None:
            parts.append(f"since {self.since}")
        if self.section:
            parts.append(f"section {self.section}")
        if self.recent:
            parts.append(f"{self.recent} most recent")
        if self.agenda is not None:
            parts.append("agenda")
        return ", ".join(parts) or "all papers"


def select_papers(
    deck: Deck, sel: Selection, added: Mapping[str, str] | None = None
) -> tuple[list[Paper], list[AgendaMatch]]:
    """The papers a selection names, and how each agenda line matched (empty without one).

    ``added`` (paper key -> when the store first saw it, ISO text) orders ``recent``."""
    papers = list(deck.papers)
    if sel.keywords:
        wanted = [k.casefold() for k in sel.keywords]
        papers = [p for p in papers if any(w in k.casefold() for w in wanted for k in p.keywords)]
    if sel.year is not None:
        papers = [p for p in papers if p.year == sel.year]
    if sel.since is not None:
        papers = [p for p in papers if p.year is not None and p.year >= sel.since]
    if sel.section:
        s = sel.section.casefold()
        papers = [p for p in papers if s in p.section.casefold()]
    if sel.recent:
        # Most recently added first, as the store saw them arrive; rows that arrived together
        # (a first import) by their place in the notes: tables are kept newest-first at the
        # top, as in the seed deck.
        seen = added or {}
        papers.sort(key=lambda p: (p.order, p.source))
        papers.sort(key=lambda p: seen.get(p.key, ""), reverse=True)
        papers = papers[: sel.recent]
    matches: list[AgendaMatch] = []
    if sel.agenda is not None:
        matches = match_agenda(sel.agenda, papers)
        chosen: list[Paper] = []
        for m in matches:
            if m.paper is not None and m.paper not in chosen:
                chosen.append(m.paper)
        papers = chosen
    return papers, matches
