"""Which papers a quiz is about: keyword, year, section, recent rows, or an agenda."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import overload

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


class PapersAt(Sequence[Paper]):
    """Some of a deck's papers, by their place in the deck; each Paper is made (by a deck
    read from the cache) only when read: a quiz over every paper of 50,000 reads twenty."""

    def __init__(self, deck: Deck, at: Sequence[int]) -> None:
        self.deck = deck
        self.at = at

    def __len__(self) -> int:
        return len(self.at)

    @overload
    def __getitem__(self, i: int) -> Paper: ...
    @overload
    def __getitem__(self, i: slice) -> list[Paper]: ...
    def __getitem__(self, i: int | slice) -> Paper | list[Paper]:
        if isinstance(i, slice):
            return [self.deck.paper_at(k) for k in self.at[i]]
        return self.deck.paper_at(self.at[i])


Added = Mapping[str, str] | Callable[[], Mapping[str, str]]
"""Paper key -> when the store first saw it (ISO text), or how to ask the store for it
(``store.papers_added``: a query over every card, run only for ``recent``)."""


def select_papers(
    deck: Deck, sel: Selection, added: Added | None = None
) -> tuple[Sequence[Paper], list[AgendaMatch]]:
    """The papers a selection names, and how each agenda line matched (empty without one).

    ``added`` (see :data:`Added`) orders ``recent``.
    The filters read the deck's columns: no Paper is made for a paper left out, nor (but
    for an agenda, matched on whole papers) for one selected but not read."""
    at = list(range(deck.paper_count))
    if sel.keywords:
        wanted = [k.casefold() for k in sel.keywords]
        kws = deck.paper_column("keywords")
        # Papers share a few keyword lists: each list is tested once.
        hit: dict[tuple[str, ...], bool] = {}
        for ks in kws:
            if ks not in hit:
                hit[ks] = any(w in k.casefold() for w in wanted for k in ks)
        at = [i for i in at if hit[kws[i]]]
    if sel.year is not None or sel.since is not None:
        years = deck.paper_column("year")
        if sel.year is not None:
            at = [i for i in at if years[i] == sel.year]
        if sel.since is not None:
            since = sel.since
            at = [i for i in at if years[i] is not None and years[i] >= since]
    if sel.section:
        s = sel.section.casefold()
        sections = deck.paper_column("section")
        at = [i for i in at if s in sections[i].casefold()]
    if sel.recent:
        # Most recently added first, as the store saw them arrive; rows that arrived together
        # (a first import) by their place in the notes: tables are kept newest-first at the
        # top, as in the seed deck.
        seen = (added() if callable(added) else added) or {}
        order, sources = deck.paper_column("order"), deck.paper_column("source")
        keys = deck.paper_column("key")
        at.sort(key=lambda i: (order[i], sources[i]))
        at.sort(key=lambda i: seen.get(keys[i], ""), reverse=True)
        at = at[: sel.recent]
    papers: Sequence[Paper] = PapersAt(deck, at)
    matches: list[AgendaMatch] = []
    if sel.agenda is not None:
        titles = deck.paper_column("title")
        matches = match_agenda(sel.agenda, papers, [titles[i] for i in at])
        chosen: list[Paper] = []
        for m in matches:
            if m.paper is not None and m.paper not in chosen:
                chosen.append(m.paper)
        papers = chosen
    return papers, matches
