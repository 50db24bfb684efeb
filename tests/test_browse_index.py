"""Browse's search texts made a slice at a time, in the order of the list: whatever the
order and the slices, a filter looking through the rows made so far finds exactly the ones a
plain reading of those cards finds, in that order; the matches of each new slice, added to
the last ones, are the whole filter's result once every row is made. The cards' texts mix
cases and letters whose casefold is longer (ß, ﬁ) or another letter (K, the Kelvin sign)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.models import Card, CardKind, Paper
from studydeck.naming import short_names
from studydeck.tui.screens.browse_rows import (
    Columns,
    IndexMaker,
    ranks,
    refilter,
    search_index,
    select,
)

BITS = ("Vid", "eo", "STRASSE", "straße", "\u212a", "k", "ﬁ", "fi", "图像", "复原", "1", "-", "Net")
STATES = ("new", "due", "review")

text = st.lists(st.sampled_from(BITS), max_size=4).map("".join)
words = st.lists(text, max_size=3).map(" ".join)


@st.composite
def decks(draw: st.DrawFn) -> list[Card]:
    """A few papers of one to three cards each; papers may share a title (not a key)."""
    cards: list[Card] = []
    for n in range(draw(st.integers(1, 7))):
        paper = Paper(
            key=f"p{n}",
            title=draw(words),
            year=draw(st.sampled_from((None, 2019, 2020))),
            short_name=draw(st.sampled_from(("", "VN", "ﬁNet"))),
            contribution=draw(st.sampled_from(("", "STRASSE：a method", "图像：复原"))),
            keywords=tuple(draw(st.lists(text.filter(bool), max_size=2))),
            notes=draw(words),
            source="notes.md",
            line=n + 3,
        )
        for kind in draw(st.lists(st.sampled_from(list(CardKind)), min_size=1, max_size=3)):
            back = draw(words)
            cards.append(
                Card(id=f"p{n}/{len(cards)}", kind=kind, paper=paper, question="?", back=back)
            )
    return cards


def plain(card: Card, status: str, query: str) -> bool:
    """Every term of ``query`` holds for the card, read field by field."""
    p = card.paper
    for term in query.casefold().split():
        key, sep, value = term.partition(":")
        if sep and key in ("kw", "keyword"):
            ok = any(value in k.casefold() for k in p.keywords)
        elif sep and key == "year":
            ok = str(p.year or "").startswith(value)
        elif sep and key == "state":
            ok = status.startswith(value)
        elif sep and key == "kind":
            ok = card.kind.value.startswith(value)
        else:
            names = short_names(p.short_name, p.contribution)
            fields = (p.title, *names, *p.keywords, p.notes, card.back)
            ok = any(term in f.casefold() for f in fields)
        if not ok:
            return False
    return True


term = st.one_of(
    text.filter(bool),
    st.sampled_from(("kw:", "kw:vid", "keyword:ß", "year:2020", "kind:c", "state:due")),
    text.map(lambda t: "kw:" + t),
)
queries = st.lists(term, min_size=1, max_size=3).map(" ".join)


@settings(max_examples=120)
@given(
    cards=decks(),
    data=st.data(),
    query=queries,
    slices=st.lists(st.integers(1, 4), min_size=1, max_size=30),
)
def test_the_rows_made_so_far_give_the_first_matches_and_then_all(
    cards: list[Card], data: st.DataObject, query: str, slices: list[int]
) -> None:
    order = data.draw(st.permutations(range(len(cards))))
    status = [STATES[i % len(STATES)] for i in range(len(cards))]
    cols = Columns([None] * len(cards), status, [None] * len(cards))
    expected = [r for r in order if plain(cards[r], status[r], query)]
    maker = IndexMaker(cards, order)
    grown: list[int] = []
    for size in slices:
        if maker.done:
            break
        made = maker.step(size)
        assert list(made) == order[maker.made - len(made) : maker.made]
        grown += select(made, query, cards, maker.index, cols)
        so_far = [r for r in order[: maker.made] if plain(cards[r], status[r], query)]
        assert select(order[: maker.made], query, cards, maker.index, cols) == so_far
        assert grown == so_far
    maker.step(len(cards))
    grown += select(order[maker.made :], query, cards, maker.index, cols)
    assert maker.done and maker.made == len(cards)
    assert select(order, query, cards, maker.index, cols) == expected
    # Made in the list's order or the notes', the index gives any sort the same rows.
    for index in (maker.index, search_index(cards)):
        result = refilter(None, query, order, lambda: ranks(order), cards, index, cols)
        assert result.shown == expected
