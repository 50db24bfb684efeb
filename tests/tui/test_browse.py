"""Browse shows, filters and sorts the same rows whatever the index behind it: typed keys
(coalesced into one refill), the cached search text and the row list the cursor reads."""

from __future__ import annotations

from textual.widgets import Input

from studydeck.naming import short_names, titled
from studydeck.tui.screens.browse import BrowseScreen, fit
from studydeck.tui.widgets.cardlist import CardList

from ..conftest import SEED, table


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


async def test_sort_by_kind_and_recall_of_reviewed_cards(make_app) -> None:
    """``o`` sorts by the next column (kind: stable, so notes order within a kind); a reviewed
    card shows its predicted recall as a percentage, a card never reviewed shows none."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r", "space", "5", "escape", "b", "o")
        table = app.screen.query_one(CardList)
        cards = sorted(app.ctx.deck.cards, key=lambda c: c.kind.value)
        assert [table.row_text(i)[1] for i in range(table.row_count)] == [
            c.kind.value for c in cards
        ]
        assert [app.screen.shown[i].card.id for i in range(table.row_count)] == [
            c.id for c in cards
        ]
        recall = {app.screen.shown[i].card.id: table.row_text(i)[5] for i in range(table.row_count)}
        answered = app.ctx.deck.cards[0].id
        today = app.ctx.today
        expected_recall = app.ctx.store.policy.recall(app.ctx.store.state(answered), today)
        assert recall[answered] == f"{expected_recall:.0%}" and recall[answered].endswith("%")
        assert {v for k, v in recall.items() if k != answered} == {""}


async def test_only_the_rows_on_screen_are_drawn(make_app, notes) -> None:
    """Hundreds of cards, a screen of 30 lines: the table asks for the cells of the rows it
    shows, and follows the cursor to the last row."""
    path = notes(
        table(*(f"| 2020 | Paper {i:03} | k | contribution {i} | | |" for i in range(300)))
    )
    app = make_app([path])
    async with app.run_test(size=(100, 30)) as pilot:
        screen_cells = BrowseScreen._cells_at
        asked: list[int] = []

        def counting(self, i: int):
            asked.append(i)
            return screen_cells(self, i)

        BrowseScreen._cells_at = counting  # type: ignore[method-assign]
        try:
            await pilot.press("b")
            await pilot.pause()
            list_ = app.screen.query_one(CardList)
            assert list_.row_count == 300
            assert asked and max(asked) < list_.size.height
            asked.clear()
            await pilot.press("end")
            await pilot.pause()
            assert app.screen.selected().card.paper.title == "Paper 299"
            assert 299 in asked and min(asked) >= 300 - list_.size.height
        finally:
            BrowseScreen._cells_at = screen_cells  # type: ignore[method-assign]
