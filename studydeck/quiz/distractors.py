"""Distractor candidates from an index, in the order a full sort of the deck would give.

The deck is ordered for a target paper in two stages:

1. **Nearness** — by ``(-in common, years apart, draw)``: in common is 2 per keyword and 1
   per keyword family the paper shares with the target (so a shared keyword always comes before
   a shared family only, and both before nothing in common), then the nearest years, then a
   seeded draw per (question, paper) that breaks ties.
2. **Similarity** — that order is cut into shortlists of :data:`SHORTLIST` papers, and each
   shortlist is sorted by :func:`~studydeck.quiz.similarity.similarity` plus a little of
   the same draw as jitter (character n-grams are computed for the shortlist only).

:func:`nearness_order` walks an inverted index (keyword and family -> papers, year -> papers)
and yields stage 1 lazily, so a quiz over 50,000 papers looks at the few hundred papers of
the target's keywords and nearest years, not at all of them. The test suite checks it
against a plain sort of every paper.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from studydeck import digests
from studydeck.models import Deck, Paper
from studydeck.quiz.similarity import (
    family,
    in_common,
    is_tool,
    may_stand_beside,
    similarity,
    tool_keywords,
)

#: Papers ranked by full similarity at a time (stage 2).
SHORTLIST = 16
#: Years apart for a paper or target without a year: after every dated paper.
NO_YEAR = 10**6
#: How much of the draw is added to the similarity (near ties are shuffled, no more).
JITTER = 0.25


def draw(salt: str, paper_key: str) -> float:
    """A seeded number in [0, 1) for one paper in one question (the same in every process:
    a keyed hash, not Python's salted ``hash``)."""
    digest = digests.blake2b(f"{salt}\x00{paper_key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def keyword_set(p: Paper) -> frozenset[str]:
    return frozenset(k.casefold() for k in p.keywords)


def years_apart(target: Paper, q: Paper) -> int:
    if target.year is None or q.year is None:
        return NO_YEAR
    return abs(target.year - q.year)


def nearness_key(target: Paper, q: Paper, salt: str) -> tuple[int, int, float, str]:
    """Stage 1 as a sort key (what :func:`nearness_order` yields in order)."""
    return (-in_common(target, q), years_apart(target, q), draw(salt, q.key), q.key)


@dataclass
class PaperIndex:
    """Keyword, keyword family and year -> positions in the deck; built once per quiz from
    the deck's columns (key, year, keywords). ``paper`` gives the Paper at a position: it is
    asked only for the papers a question ranks, never for all of them."""

    paper: Callable[[int], Paper]
    keys: Sequence[str]
    years: Sequence[int | None]
    keywords: Sequence[tuple[str, ...]]
    by_keyword: dict[str, list[int]] = field(default_factory=dict)
    by_family: dict[str, list[int]] = field(default_factory=dict)
    _by_year: dict[int | None, list[int]] | None = None
    _tools: dict[tuple[str, ...], bool] = field(default_factory=dict)

    @classmethod
    def build(cls, papers: Sequence[Paper]) -> PaperIndex:
        """The index of a list of papers."""
        return cls.of_columns(
            papers.__getitem__,
            [p.key for p in papers],
            [p.year for p in papers],
            [p.keywords for p in papers],
        )

    @classmethod
    def of_deck(cls, deck: Deck) -> PaperIndex:
        """The index of a deck's papers, from its columns (no Paper made)."""
        return cls.of_columns(
            deck.paper_at,
            deck.paper_column("key"),
            deck.paper_column("year"),
            deck.paper_column("keywords"),
        )

    @classmethod
    def of_columns(
        cls,
        paper: Callable[[int], Paper],
        keys: Sequence[str],
        years: Sequence[int | None],
        keywords: Sequence[tuple[str, ...]],
    ) -> PaperIndex:
        # Papers share a few keyword lists: each list is read once, not once per paper.
        combos: dict[tuple[str, ...], list[int]] = {}
        for i, combo in enumerate(keywords):
            combos.setdefault(combo, []).append(i)
        kws: defaultdict[str, list[int]] = defaultdict(list)
        fams: defaultdict[str, list[int]] = defaultdict(list)
        for combo, at in combos.items():
            folded = {k.casefold() for k in combo}
            for k in folded:
                kws[k].extend(at)
            for f in {family(k) for k in folded}:
                fams[f].extend(at)
        return cls(paper, keys, years, keywords, dict(kws), dict(fams))

    def __len__(self) -> int:
        return len(self.keys)

    def by_year(self) -> dict[int | None, list[int]]:
        """(Built on first use: only a target with few papers like it gets this far.)"""
        if self._by_year is None:
            years: defaultdict[int | None, list[int]] = defaultdict(list)
            for i, y in enumerate(self.years):
                years[y].append(i)
            self._by_year = dict(years)
        return self._by_year

    def is_tool(self, i: int) -> bool:
        """:func:`~studydeck.quiz.similarity.is_tool` of the paper at ``i``, from its keywords."""
        ks = self.keywords[i]
        got = self._tools.get(ks)
        if got is None:
            got = self._tools[ks] = tool_keywords(ks)
        return got

    def shared_counts(self, target: Paper) -> Counter[int]:
        """Position -> :func:`~studydeck.quiz.similarity.in_common` with ``target``, for
        every paper sharing anything."""
        counts: Counter[int] = Counter()
        for k in keyword_set(target):
            at = self.by_keyword.get(k, ())
            counts.update(at)
            counts.update(at)
        for f in {family(k) for k in keyword_set(target)}:
            counts.update(self.by_family.get(f, ()))
        return counts


def nearness_order(index: PaperIndex, target: Paper, salt: str) -> Iterator[Paper]:
    """Every paper of the deck (the target too: callers filter) in :func:`nearness_key`
    order, lazily: tier by tier of what is in common, and within a tier year band by year band; the
    draw is computed only for the band being yielded."""
    return map(index.paper, nearness_positions(index, target, salt))


def nearness_positions(index: PaperIndex, target: Paper, salt: str) -> Iterator[int]:
    """:func:`nearness_order` as positions in the deck (no Paper made)."""
    keys, years = index.keys, index.years
    counts = index.shared_counts(target)
    tiers: defaultdict[int, list[int]] = defaultdict(list)
    for i, s in counts.items():
        tiers[s].append(i)
    for s in sorted(tiers, reverse=True):
        bands: defaultdict[int, list[int]] = defaultdict(list)
        for i in tiers[s]:
            y = years[i]
            bands[NO_YEAR if y is None else _apart(target, y)].append(i)
        for d in sorted(bands):
            yield from _by_draw(keys, bands[d], salt)
    # Nothing in common: the whole deck by years apart (rarely reached).
    by_year = index.by_year()
    dated = sorted((y for y in by_year if y is not None), key=lambda y: (_apart(target, y), y))
    bands2: dict[int, list[int]] = {}
    for y in dated:
        bands2.setdefault(_apart(target, y), []).extend(by_year[y])
    bands2.setdefault(NO_YEAR, []).extend(by_year.get(None, ()))
    for d in sorted(bands2):
        yield from _by_draw(keys, [i for i in bands2[d] if i not in counts], salt)


def _apart(target: Paper, year: int) -> int:
    return NO_YEAR if target.year is None else abs(target.year - year)


def _by_draw(keys: Sequence[str], at: list[int], salt: str) -> Iterator[int]:
    keyed = sorted((draw(salt, keys[i]), keys[i], i) for i in at)
    for _, _, i in keyed:
        yield i


def similarity_order(
    index: PaperIndex,
    target: Paper,
    salt: str,
    ok: Callable[[Paper], bool],
    ok_at: Callable[[int], bool] | None = None,
) -> Iterator[Paper]:
    """Candidates for ``target`` (see :func:`is_candidate`, and ``ok``), best first: the
    nearness order cut into shortlists, each sorted by similarity with jitter.

    ``ok_at`` (a position in the deck -> bool) may turn papers away before ``ok`` is asked,
    from a column: it must be false only where ``ok`` would be. A Paper is made only for a
    position that is neither the target nor a tool beside a paper, and passes ``ok_at``."""
    shortlist: list[Paper] = []
    tool = is_tool(target)
    for i in nearness_positions(index, target, salt):
        if not may_stand_beside(target.key, tool, index.keys[i], index.is_tool(i)):
            continue
        if ok_at is not None and not ok_at(i):
            continue
        q = index.paper(i)
        if not ok(q):
            continue
        shortlist.append(q)
        if len(shortlist) == SHORTLIST:
            yield from by_similarity(target, shortlist, salt)
            shortlist = []
    yield from by_similarity(target, shortlist, salt)


def by_similarity(target: Paper, papers: Sequence[Paper], salt: str) -> list[Paper]:
    """Stage 2 for one shortlist."""
    scored = [
        (-(similarity(target, q) + JITTER * draw(salt, q.key)), q.title, q.key, q) for q in papers
    ]
    scored.sort(key=lambda t: t[:3])
    return [t[3] for t in scored]


WORDING_AND_YEAR = 2.5
"""The most :func:`~studydeck.quiz.similarity.similarity` adds to what papers have in
common: 2 for the wording of the contributions (a cosine, at most 1, doubled) and 0.5 for
the same year."""


def closest(index: PaperIndex, target: Paper) -> Paper | None:
    """The first paper of ``most_similar(target, papers)`` (the most similar, ties by title),
    without the similarity of every paper: papers are looked at by what they have in common
    with the target, most first, and the look stops where even the best wording and year
    could not reach the best found. A paper that shares a keyword with the target makes the
    papers sharing nothing (at most 2.5) need no look; with none such, every paper is looked
    at, as before. tests/test_quiz_brief.py checks it against the full sort."""
    shared = index.shared_counts(target)
    tiers: defaultdict[int, list[int]] = defaultdict(list)
    for i, n in shared.items():
        tiers[n].append(i)
    if len(shared) < len(index):
        tiers[0] = [i for i in range(len(index)) if i not in shared]
    target_tool = is_tool(target)
    best: tuple[float, str] | None = None
    found: Paper | None = None
    for n in sorted(tiers, reverse=True):
        if best is not None and -best[0] > round(n + WORDING_AND_YEAR, 6):
            break
        for i in tiers[n]:
            if not may_stand_beside(target.key, target_tool, index.keys[i], index.is_tool(i)):
                continue
            q = index.paper(i)
            rank = (-round(similarity(target, q), 6), q.title)
            if best is None or rank < best:
                best, found = rank, q
    return found
