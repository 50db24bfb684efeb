"""Browse's filter typed a key at a time: each result is the one a search of every card
gives (the list looks only through the last result's rows when the new filter narrows it,
and puts them back in the order of the sort), whatever was typed, deleted or pasted."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.models import Card, CardKind, Paper
from studydeck.tui.screens.browse_rows import (
    Columns,
    Filtered,
    IndexMaker,
    ranks,
    refilter,
    refine,
    search_index,
)

from .test_browse_index import plain as plain_card

WORDS = ("video", "vid", "Image", "restor", "图像", "复原", "1", "2020", "net")
STATES = ("new", "due", "learning", "review", "suspended")


def deck() -> tuple[list[Card], Columns]:
    """Twelve papers of one to three cards, their words drawn from a few that share
    prefixes (``vid`` / ``video``), in titles, keywords, notes and card texts."""
    cards: list[Card] = []
    for n in range(12):
        w = [WORDS[(n * k + 3) % len(WORDS)] for k in range(1, 5)]
        paper = Paper(
            key=f"p{n}",
            title=f"{w[0]} {n}",
            year=2019 + n % 3,
            short_name="VN" if n % 4 == 0 else "",
            keywords=(w[1],) if n % 3 else (),
            notes=w[2] if n % 2 else "",
            source="notes.md",
            line=n + 3,
        )
        for k, kind in enumerate(list(CardKind)[: 1 + n % 3]):
            back = f"{WORDS[(n + 2 * k) % len(WORDS)]} statement {n}-{k}"
            cards.append(
                Card(id=f"p{n}/{kind.value}", kind=kind, paper=paper, question="?", back=back)
            )
    status = [STATES[i % len(STATES)] for i in range(len(cards))]
    return cards, Columns([None] * len(cards), status, [None] * len(cards))


CARDS, COLS = deck()
INDEX = search_index(CARDS)


def plain(card: int, query: str) -> bool:
    """Every term of ``query`` holds for the card, read field by field (the reference of
    test_browse_index, with this deck's states)."""
    return plain_card(CARDS[card], COLS.status[card], query)


#: One step of typing: a character added, the last one deleted, or the whole filter pasted.
PIECES = (
    "v",
    "i",
    "d",
    "e",
    "o",
    "1",
    "2",
    "0",
    " ",
    "kw:",
    "year:",
    "state:",
    "kind:",
    "图",
    "像",
    "n",
)
step = st.one_of(
    st.sampled_from(PIECES).map(lambda piece: ("type", piece)),
    st.just(("delete", "")),
    st.lists(
        st.sampled_from(
            (*WORDS, "kw:vid", "year:2020", "year:20", "state:due", "state:s", "kind:c")
        )
    )
    .map(" ".join)
    .map(lambda query: ("paste", query)),
)


@settings(max_examples=150)
@given(
    order=st.permutations(range(len(CARDS))),
    steps=st.lists(step, max_size=14),
    made_in_list_order=st.booleans(),
    start=st.sampled_from(("", "year:2020", "kind:c", "state:due")),
    ranked=st.booleans(),
)
def test_each_key_shows_what_a_search_of_every_card_shows(
    order: list[int],
    steps: list[tuple[str, str]],
    made_in_list_order: bool,
    start: str,
    ranked: bool,
) -> None:
    rows = list(order)  # the cards in the order of some sort
    # Each row's place in the sort made, or not yet (a result is put in order without).
    rank = ranks(rows) if ranked else None
    # The search texts made in notes order, or in the list's (as browse makes them: then a
    # filter's result needs no reordering, unless it narrows one looked through otherwise).
    index = INDEX
    if made_in_list_order:
        maker = IndexMaker(CARDS, rows)
        maker.step(len(rows))
        index = maker.index
    # What the list showed before the search texts were made (a filter that needs none).
    last: Filtered | None = refilter(None, start, rows, lambda: rank, CARDS, None, COLS)
    assert last.shown == [r for r in rows if plain(r, start)]
    query = start
    for what, piece in steps:
        query = {"type": query + piece, "delete": query[:-1], "paste": piece}[what]
        result = refilter(last, query, rows, lambda: rank, CARDS, index, COLS)
        expected = [r for r in rows if plain(r, query)]
        assert result.shown == expected, (last and last.query, query)
        assert sorted(result.matched) == sorted(expected)  # (in the order looked through)
        assert result.query == query
        if last is not None and refine(last.query, query) is not None and expected == last.shown:
            # A narrower filter that drops no row: the list's rows are the very same list
            # (the screen redraws nothing).
            assert result.shown is last.shown
        last = result


def test_a_filter_narrows_only_when_each_of_its_terms_can_only_drop_rows() -> None:
    assert refine("vid", "video") == "video"
    assert refine("video", "video 1") == "1"
    assert refine("video", "video ") == ""
    assert refine("kw:vi", "kw:vid restor") == "kw:vid restor"
    assert refine("", "video") == "video"
    assert refine("year:2", "year:20") == "year:20"  # prefixes: 2020 starts with 20 and 2
    assert refine("state:", "state:d") == "state:d"
    assert refine("year:20", "year:2") is None
    for old, new in (
        ("video", "vid"),  # shorter: more rows
        ("video 1", "video"),
        ("vid restor", "image restor"),  # an earlier word changed
        ("vid", "kw:vid"),
    ):
        assert refine(old, new) is None, (old, new)


def test_a_narrower_filter_looks_through_the_last_ones_rows_whatever_index_it_used() -> None:
    """A result found in one index (made in notes order) narrowed with another (made in the
    list's order): the places of the first mean nothing in the second."""
    rows = list(reversed(range(len(CARDS))))
    rank = ranks(rows)
    maker = IndexMaker(CARDS, rows)
    maker.step(len(rows))
    last = refilter(None, "vid", rows, lambda: rank, CARDS, INDEX, COLS)
    result = refilter(last, "video", rows, lambda: rank, CARDS, maker.index, COLS)
    expected = [r for r in rows if plain(r, "video")]
    assert result.shown == expected and 0 < len(expected) < len(last.shown)
