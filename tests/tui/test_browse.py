"""Browse shows, filters and sorts the same rows whatever the index behind it: typed keys
(coalesced into one refill), the cached search text and the row list the cursor reads."""

from __future__ import annotations

from textual.widgets import Input

from studydeck.naming import short_names, titled
from studydeck.tui.screens.browse import BrowseScreen, fit
from studydeck.tui.widgets.cardlist import CardList

from ..conftest import SEED


def table_rows(table: CardList) -> list[tuple[str, str]]:
    """Paper and kind of every row, as the table draws them."""
    return [table.row_text(i)[:2] for i in range(table.row_count)]


def expected(app, word: str, by_title: bool) -> list[tuple[str, str]]:
    width = app.screen.paper_width
    """The rows as the user reads them: every card whose paper or text holds ``word``."""
    out = []
    for c in app.ctx.deck.cards:
        p = c.paper
        text = " ".join(
            (p.title, *short_names(p.short_name, p.contribution), c.back, *p.keywords, p.notes)
        )
        if word.casefold() in text.casefold():
            out.append((p.title.casefold(), c))
    if by_title:
        out.sort(key=lambda t: t[0])
    cards = [c for _, c in out]
    return [
        (
            str(fit(titled(c.paper.title, c.paper.short_name, c.paper.contribution), width)),
            c.kind.value,
        )
        for c in cards
    ]


def own_word(app) -> str:
    """Three characters of one card's text that its paper's other fields do not hold."""
    cards = app.ctx.deck.cards
    for c in cards:
        p = c.paper
        rest = " ".join(
            [
                p.title,
                p.notes,
                *p.keywords,
                *(o.back for o in cards if o.paper.key == p.key and o.id != c.id),
            ]
        ).casefold()
        for i in range(len(c.back) - 2):
            w = c.back[i : i + 3].casefold()
            if w.isalnum() and w not in rest:
                return w
    raise AssertionError("the seed deck has no text of one card only")


async def test_typed_filter_and_sort_show_the_same_rows(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        assert isinstance(app.screen, BrowseScreen)
        table = app.screen.query_one(CardList)
        assert table_rows(table) == expected(app, "", by_title=True)
        await pilot.press("slash", *"video")
        await pilot.pause()
        assert app.screen.query_one(Input).value == "video"
        rows = table_rows(table)
        assert rows == expected(app, "video", by_title=True)
        assert 0 < len(rows) < len(app.ctx.deck.cards)
        # The cursor reads the row it is on, after a filter too.
        table.focus()
        await pilot.press("down")
        card = app.screen.selected().card
        p = card.paper
        shown = fit(titled(p.title, p.short_name, p.contribution), app.screen.paper_width)
        assert (str(shown), card.kind.value) == rows[1]
        # A word of one card's text only (not its paper's other cards'): the search text is
        # the card's own, cached per card, after a filter typed again.
        word = own_word(app)
        app.screen.query_one(Input).value = ""
        await pilot.pause()
        await pilot.press("slash", *word)
        await pilot.pause()
        assert table_rows(table) == expected(app, word, by_title=True)
