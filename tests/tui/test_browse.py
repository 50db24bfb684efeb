"""Browse shows, filters and sorts the rows a plain reading of the deck and the store gives
(computed here, card by card, not by the screen's index), whatever arrives when: the list
paints before the worker has read the search texts and the card states, and a filter or sort
asked before they arrive runs when they do. Enter in the filter keeps the focus there, so
typing on never fires the list's keys."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest
from textual.strip import Strip
from textual.widgets import Input, Static

from studydeck.models import Card
from studydeck.naming import short_names, titled
from studydeck.session import today_plan
from studydeck.tui.screens import browse
from studydeck.tui.screens.browse import COLUMNS, BrowseScreen, fit
from studydeck.tui.widgets.cardlist import CardList

from ..conftest import SEED, table


def table_rows(table: CardList) -> list[tuple[str, ...]]:
    """Every row as the table draws it, cell by cell."""
    return [table.row_text(i) for i in range(table.row_count)]


class Plain:
    """The deck's cards, their stored state and what browse must show of them, read one by
    one from the deck, the planner and the store."""

    def __init__(self, app) -> None:
        ctx = app.ctx
        self.today = ctx.today
        self.width = app.screen.paper_width
        self.states = ctx.store.states()
        self.status = today_plan(ctx.store, ctx.deck, ctx.today, ctx.settings).status
        self.recall = {
            cid: ctx.store.policy.recall(st, ctx.today) for cid, st in self.states.items()
        }
        self.cards: list[Card] = list(ctx.deck.cards)

    def cells(self, c: Card) -> tuple[str, ...]:
        p, st = c.paper, self.states.get(c.id)
        sm2 = st.sm2 if st else None
        recall = self.recall.get(c.id)
        return (
            str(fit(titled(p.title, p.short_name, p.contribution), self.width)),
            c.kind.value,
            str(p.year or ""),
            str(fit(", ".join(p.keywords), 12)),
            self.status.get(c.id, "new"),
            "" if recall is None else f"{recall:.0%}",
            sm2.due.isoformat() if sm2 and sm2.due else "",
            f"{sm2.easiness:.2f}" if sm2 else "",
            str(sm2.interval) if sm2 else "",
        )

    def key(self, column: str) -> Callable[[Card], object]:
        def of(c: Card) -> object:
            st = self.states.get(c.id)
            sm2 = st.sm2 if st else None
            recall = self.recall.get(c.id)
            return {
                "paper": c.paper.title.casefold(),
                "kind": c.kind.value,
                "year": c.paper.year or 0,
                "keywords": ",".join(c.paper.keywords),
                "state": self.status.get(c.id, "new"),
                "recall": -1.0 if recall is None else recall,
                "due": sm2.due.isoformat() if sm2 and sm2.due else "~",
                "EF": sm2.easiness if sm2 else 0.0,
                "interval": sm2.interval if sm2 else 0,
            }[column]

        return of

    def has(self, c: Card, term: str) -> bool:
        p = c.paper
        key, sep, value = term.casefold().partition(":")
        if sep and key == "kw":
            return any(value in k.casefold() for k in p.keywords)
        if sep and key == "year":
            return str(p.year or "").startswith(value)
        if sep and key == "state":
            return self.status.get(c.id, "new").startswith(value)
        if sep and key == "kind":
            return c.kind.value.startswith(value)
        words = (p.title, *short_names(p.short_name, p.contribution), c.back, *p.keywords)
        return term.casefold() in " ".join((*words, p.notes)).casefold()

    def rows(self, query: str = "", column: str = "paper", reverse: bool = False):
        """The rows browse must show: matching cards in notes order, stably sorted."""
        cards = [c for c in self.cards if all(self.has(c, t) for t in query.split())]
        cards.sort(key=self.key(column), reverse=reverse)  # type: ignore[arg-type]
        return [self.cells(c) for c in cards]


async def loaded(app, pilot) -> None:
    """Until the workers' search texts and card states are in the table (the states asked
    for now rather than after a quiet spell)."""
    app.screen.read_columns()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.screen.loaded


REVIEWS = ("r", "space", "5", "space", "1", "space", "3", "space", "4", "escape")
"""Four answers: a review, a lapse owed a repeat today (learning), two more."""


async def test_every_column_sorts_as_the_deck_and_store_say(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*REVIEWS, "b", "down")  # (the list's keys: from the list)
        await loaded(app, pilot)
        plain = Plain(app)
        assert {r[4] for r in plain.rows()} >= {"new", "review", "learning"}
        table_ = app.screen.query_one(CardList)
        assert table_rows(table_) == plain.rows()
        for column in COLUMNS[1:]:
            await pilot.press("o")
            assert table_rows(table_) == plain.rows(column=column), column
        # The same column again (its header clicked twice): the other way round.
        x = sum(w + 2 for w in table_.widths[:4]) + 1  # the state column's header
        await pilot.click(CardList, offset=(x, 0))
        await pilot.click(CardList, offset=(x, 0))
        assert table_rows(table_) == plain.rows(column="state", reverse=True)


@pytest.mark.parametrize(
    "typed",
    [
        "video",
        "VIDEO restor",
        "kw:图像",
        "year:2021",
        "year:202",
        "kind:cr",
        "state:learning",
        "state:l",  # typed through "state:", every card
        "zzzz",
    ],
)
async def test_a_typed_filter_shows_the_cards_that_match(make_app, typed: str) -> None:
    """Typed a key at a time: each key narrows the last result, and every step shows what a
    plain search of the deck shows."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*REVIEWS, "b")
        await loaded(app, pilot)
        plain = Plain(app)
        table_ = app.screen.query_one(CardList)
        await pilot.press("slash")
        for i in range(1, len(typed) + 1):
            app.screen.query_one(Input).insert_text_at_cursor(typed[i - 1])
            await pilot.pause()
            assert app.screen.applied_query == typed[:i]
            assert table_rows(table_) == plain.rows(typed[:i]), typed[:i]
        if typed != "zzzz":
            assert 0 < table_.row_count < len(plain.cards)
        # Sorted by state, filtered the same.
        await pilot.press("tab", *"oooo")
        assert table_rows(table_) == plain.rows(typed, column="state")


async def test_a_filter_of_one_cards_own_words(make_app) -> None:
    """A word of one card's text only (not its paper's other cards'): each card is searched
    in its own text."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        plain = Plain(app)
        word = own_word(plain.cards)
        app.screen.query_one(Input).value = word
        await pilot.pause()
        rows = table_rows(app.screen.query_one(CardList))
        assert rows == plain.rows(word) and len(rows) == 1


def own_word(cards: list[Card]) -> str:
    """Three characters of one card's text that its paper's other fields do not hold."""
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
            if w.isalnum() and w not in rest and sum(w in o.back.casefold() for o in cards) == 1:
                return w
    raise AssertionError("the seed deck has no text of one card only")


async def test_the_list_paints_before_the_states_are_read(make_app, gate) -> None:
    """Opening shows every card, sorted by title, with the stored columns of the rows on
    screen; a filter and a sort that need every state wait for them (the screen answers
    meanwhile) and run when they arrive."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press(*REVIEWS, "b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and not screen.loaded
        table_ = screen.query_one(CardList)
        plain = Plain(app)
        expected = plain.rows()
        assert table_.row_count == len(expected)
        on_screen = table_.size.height - 1
        assert table_rows(table_)[:on_screen] == expected[:on_screen]
        # Rows scrolled to are read once drawn.
        await pilot.press("end")
        await pilot.pause()
        assert screen.columns is None
        assert table_rows(table_)[-on_screen:] == expected[-on_screen:]
        await pilot.press("slash", *"state:review")
        assert screen.query_one(Input).value == "state:review"
        # Still what was asked before: "state" (a free word, its search texts are in).
        assert screen.applied_query == "state" and screen.waiting == "the card states"
        shown = table_rows(table_)
        await pilot.press("tab", *"oooo")
        assert table_rows(table_) == shown and screen.waiting == "the card states"
        gate.set()
        await loaded(app, pilot)
        assert screen.applied_query == "state:review"
        assert table_rows(table_) == plain.rows("state:review", column="state")
        assert 0 < table_.row_count < len(expected)


@pytest.fixture
def held(monkeypatch):
    """The worker's card states, read but held until the test lets them go: (read, let go)."""
    read, release = threading.Event(), threading.Event()
    real = browse.load_columns

    def late(*args, **kwargs):
        columns = real(*args, **kwargs)
        read.set()
        release.wait(timeout=10)
        return columns

    monkeypatch.setattr(browse, "load_columns", late)
    yield read, release
    release.set()


async def test_a_card_suspended_before_the_states_arrive_stays_suspended(make_app, held) -> None:
    """The worker read every state, then the user suspended the top card, then the worker's
    states arrived: the list shows the card suspended, not the state read before."""
    read, release = held
    app = make_app([SEED])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("b")
        await app.workers.wait_for_complete()  # the search texts
        app.screen.read_columns()
        assert await asyncio.to_thread(read.wait, 10)
        card = app.screen.selected().card
        await pilot.press("down", "s")  # (to the list: its first row still selected)
        assert app.ctx.store.state(card.id).suspended
        release.set()
        await loaded(app, pilot)
        assert app.screen.query_one(CardList).row_text(0)[4] == "suspended"
        assert table_rows(app.screen.query_one(CardList)) == Plain(app).rows()


async def test_enter_in_the_filter_then_typing_on_suspends_nothing(make_app) -> None:
    """Enter keeps the focus in the filter (as in Anki's browser): ``s`` typed after it is a
    letter of the filter, not the list's suspend. Down goes to the list."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        await pilot.press("slash", *"video", "enter", *"s")
        filter_ = app.screen.query_one(Input)
        assert filter_.value == "videos" and app.screen.focused is filter_
        assert not any(st.suspended for st in app.ctx.store.states().values())
        await pilot.press("backspace", "enter", "down")
        assert app.screen.focused is app.screen.query_one(CardList)
        assert app.screen.query_one(CardList).cursor_row == 0
        card = app.screen.selected().card
        await pilot.press("s")  # in the list, s suspends
        assert [cid for cid, st in app.ctx.store.states().items() if st.suspended] == [card.id]


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
            await loaded(app, pilot)
            list_ = app.screen.query_one(CardList)
            assert list_.row_count == 300
            assert asked and max(asked) < list_.size.height
            await pilot.press("down")  # (to the list)
            await pilot.pause()
            asked.clear()
            await pilot.press("end")
            await pilot.pause()
            assert app.screen.selected().card.paper.title == "Paper 299"
            assert 299 in asked and min(asked) >= 300 - list_.size.height
        finally:
            BrowseScreen._cells_at = screen_cells  # type: ignore[method-assign]


def with_a_removed_row(make_app, notes, tmp_path):
    """Notes of Beta alone and a store that knew Alpha too (its row removed since)."""
    rows = ["| 2020 | Beta | k | contribution B | | |", "| 2021 | Alpha | k | contribution A | | |"]
    path = notes(table(*rows))
    db = tmp_path / "again.sqlite3"
    make_app([path], db=db)
    path.write_text(table(rows[0]), encoding="utf-8")
    return path, db


async def test_the_cards_of_removed_rows_are_listed_as_retired(make_app, notes, tmp_path) -> None:
    """A row deleted from the notes keeps its history: browse lists its card, retired,
    sorted among the others by title."""
    path, db = with_a_removed_row(make_app, notes, tmp_path)
    app = make_app([path], db=db)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        table_ = app.screen.query_one(CardList)
        assert [(r[0], r[4]) for r in table_rows(table_)] == [
            ("Alpha", "retired"),
            ("Beta", "new"),
        ]
        # Counted as home and stats count them: the deck's cards, and the retired beside.
        assert str(table_.border_subtitle).startswith("2 of 2 cards (1 retired) · sorted")
        app.screen.query_one(Input).value = "alpha"
        await pilot.pause()
        assert [(r[0], r[4]) for r in table_rows(table_)] == [("Alpha", "retired")]


async def browsed(app, pilot) -> CardList:
    """Browse opened from home, its columns read: its list."""
    await pilot.press("b")
    await loaded(app, pilot)
    return app.screen.query_one(CardList)


BETA_CRITIQUE = "| 2020 | Beta | k | contribution B | | 但是这个方法有局限，泛化能力不足 |"
BETA = "| 2020 | Beta | k | contribution B | | |"


async def test_another_decks_retired_cards_are_not_this_decks(make_app, notes, tmp_path) -> None:
    """One store, two notes files: the cards retired in one (a removed row's, and a card
    left with no statement) are not listed, nor counted, when browsing the other."""
    path = notes(table(BETA_CRITIQUE, "| 2021 | Alpha | k | contribution A | | |"))
    db = tmp_path / "s.sqlite3"
    make_app([path], db=db)
    path.write_text(table(BETA), encoding="utf-8")
    make_app([path], db=db)  # Alpha's card and Beta's critique retired
    other = tmp_path / "other.md"
    other.write_text(table("| 2019 | Gamma | k | contribution G | | |"), encoding="utf-8")
    app = make_app([other], db=db)
    async with app.run_test(size=(120, 30)) as pilot:
        table_ = await browsed(app, pilot)
        assert [(r[0], r[4]) for r in table_rows(table_)] == [("Gamma", "new")]
        assert "1 of 1 card" in str(table_.border_subtitle)


async def test_a_card_left_with_no_statement_is_retired_under_its_papers_file(
    make_app, notes, tmp_path
) -> None:
    """A card whose statements all left it (its paper's row still there) says so, and where
    the paper is; not "(removed from the notes)"."""
    path = notes(table(BETA_CRITIQUE))
    db = tmp_path / "s.sqlite3"
    make_app([path], db=db)
    path.write_text(table(BETA), encoding="utf-8")
    app = make_app([path], db=db)
    async with app.run_test(size=(120, 30)) as pilot:
        table_ = await browsed(app, pilot)
        rows = [(r[0], r[1], r[4]) for r in table_rows(table_)]
        assert ("Beta", "critique", "retired") in rows, rows
        app.screen.query_one(Input).value = "kind:crit"
        await pilot.pause()
        details = str(app.screen.query_one("#card-detail", Static).render())
        assert f"critique · {path.name}\n" in details and "removed from the notes" not in details
        assert "no statement of it is on this card now" in details


async def test_removed_rows_are_listed_from_a_deck_read_from_the_cache_too(
    make_app, notes, tmp_path
) -> None:
    """The deck read from the cache (its search texts stored): the retired card is listed
    once the texts arrive, with no filter typed, and found by one."""
    path, db = with_a_removed_row(make_app, notes, tmp_path)
    make_app([path], db=db)  # parses the notes and writes the deck cache
    app = make_app([path], db=db)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        assert app.screen.cards.stored()
        table_ = app.screen.query_one(CardList)
        assert [(r[0], r[4]) for r in table_rows(table_)] == [
            ("Alpha", "retired"),
            ("Beta", "new"),
        ]
        assert str(table_.border_subtitle).startswith("2 of 2 cards")
        app.screen.query_one(Input).value = "alpha"
        await pilot.pause()
        assert [(r[0], r[4]) for r in table_rows(table_)] == [("Alpha", "retired")]


async def test_a_card_suspended_in_a_list_sorted_by_state_sorts_anew_on_the_next_filter(
    make_app,
) -> None:
    """Suspending keeps the row under the cursor (the list does not jump), but the next
    filter shows the rows in the order of their states as they are now."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*REVIEWS, "b", "down")
        await loaded(app, pilot)
        await pilot.press(*"oooo")
        table_ = app.screen.query_one(CardList)
        assert table_rows(table_) == Plain(app).rows(column="state")
        card = app.screen.selected().card
        assert table_.row_text(0)[4] != "suspended"
        await pilot.press("s")
        assert table_.row_text(0)[4] == "suspended"  # still where it was
        word = card.paper.title[:4]
        await pilot.press("slash", *word)
        plain = Plain(app)
        assert table_rows(table_) == plain.rows(word, column="state")
        assert [r[4] for r in table_rows(table_)][-1] == "suspended"


async def test_a_filter_edited_before_its_last_word_searches_again(make_app) -> None:
    """``video restor`` edited to ``image restor``: the last word is the same, but the
    rows are not a subset of the last result."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        filter_ = app.screen.query_one(Input)
        table_ = app.screen.query_one(CardList)
        for typed in ("video restor", "image restor"):
            filter_.value = typed
            await pilot.pause()
            assert app.screen.applied_query == typed
            rows = table_rows(table_)
            assert rows == Plain(app).rows(typed) and rows, typed


async def test_a_deck_of_one_card_says_one_card(make_app, notes) -> None:
    app = make_app([notes(table("| 2020 | Alone | k | the only contribution | | |"))])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        assert (
            str(app.screen.query_one(CardList).border_subtitle) == "1 of 1 card · sorted by paper"
        )


async def test_a_card_suspended_drops_out_of_a_state_filter_narrowed_after(make_app) -> None:
    """``state:review`` shown, its top card suspended, then a word added to the filter: a
    narrower filter looks only through the last result's rows for the word it adds, but not
    once a state changed: the suspended card is no longer ``review``."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*REVIEWS, "b")
        await loaded(app, pilot)
        await pilot.press("slash", *"state:review", "down")
        table_ = app.screen.query_one(CardList)
        assert table_rows(table_) == Plain(app).rows("state:review") and table_.row_count
        card = app.screen.selected().card
        await pilot.press("s", "slash", "end")  # the focus selects the filter: on to its end
        word = card.paper.title.split()[0].casefold()
        await pilot.press(*f" {word}")
        query = f"state:review {word}"
        assert app.screen.applied_query == query
        assert table_rows(table_) == Plain(app).rows(query)
        assert card.id not in {app.screen.cards[r].id for r in app.screen.shown}


async def test_opening_filtering_and_sorting_build_only_the_cards_shown(make_app, notes) -> None:
    """Browse reads the deck's columns: a deck read from the cache builds a Card only for
    the rows drawn, the detail pane and an action, never every card (145k at 50k papers)."""
    rows = [
        f"| {2010 + n % 12} | [Paper {n:03} video restoration](https://x.org/{n}) | 图像复原, k{n % 5}"
        f" | A method {n}. | | Notes {n}: it works. |"
        for n in range(150)
    ]
    path = notes(table(*rows))
    make_app([path])  # parses the notes and writes the deck cache
    app = make_app([path])
    deck = app.ctx.deck
    assert "_made_cards" in deck.__dict__  # read from the cache: cards built when asked
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        table_ = app.screen.query_one(CardList)
        on_screen = table_.size.height
        assert table_.row_count > 3 * on_screen
        await pilot.press("slash", *"video", "tab")
        for _ in COLUMNS:  # every sort, the stored columns too
            await pilot.press("o")
            await pilot.pause()
        for query in ("year:2015", "kind:ins", "kw:k3", "notes 1"):
            app.screen.query_one(Input).value = query
            await pilot.pause()
            assert 0 < table_.row_count < len(app.screen.cards)
        await pilot.press("s")
        assert "cards" not in deck.__dict__ and "papers" not in deck.__dict__
        # The rows drawn by each sort and filter (the first screen of each), no more.
        assert 0 < len(deck.__dict__["_made_cards"]) <= 6 * on_screen


@pytest.fixture
def held_texts(monkeypatch):
    """The worker's reading of the deck's stored search texts, held until the test says;
    and no search text made on the UI thread (``IndexMaker``) meanwhile or after."""
    release = threading.Event()
    real = browse._decoded

    def slow(*args, **kwargs):
        release.wait(timeout=10)
        return real(*args, **kwargs)

    def never(*args, **kwargs):
        raise AssertionError("the texts are stored with the deck: none is made")

    monkeypatch.setattr(browse, "_decoded", slow)
    monkeypatch.setattr(browse, "IndexMaker", never)
    yield release
    release.set()


@pytest.mark.parametrize("typed", ["video", "VIDEO restor", "kw:图像", "zzzz"])
async def test_a_deck_read_from_the_cache_is_searched_through_its_stored_texts(
    make_app, held_texts, typed: str
) -> None:
    """Typed at once, before the stored texts are read: the list waits for them (saying so),
    then shows what a plain search of the deck shows; typed on, and sorted, the same."""
    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*REVIEWS, "b", "slash", *typed[:3])
        screen = app.screen
        table_ = screen.query_one(CardList)
        assert screen.cards.stored() and screen.index is None
        assert "reading the search texts" in str(table_.border_subtitle)
        held_texts.set()
        await loaded(app, pilot)
        plain = Plain(app)
        assert screen.applied_query == typed[:3]
        assert table_rows(table_) == plain.rows(typed[:3])
        for i in range(4, len(typed) + 1):
            screen.query_one(Input).insert_text_at_cursor(typed[i - 1])
            await pilot.pause()
            assert table_rows(table_) == plain.rows(typed[:i]), typed[:i]
        await pilot.press("tab", "o")  # sorted by kind: the same rows, in that order
        assert table_rows(table_) == plain.rows(typed, column="kind")


async def test_the_list_draws_each_frame_in_the_style_it_has_then() -> None:
    """The list's own style (the rows past its last, each row's padding) is looked up once
    a frame, not once for all: after a theme change, the list draws in the new one."""
    from textual.app import App, ComposeResult

    class OneRow(App[None]):
        def compose(self) -> ComposeResult:
            yield CardList(["a"], [6], lambda i: (fit("row", 6),), id="cards")

    app = OneRow()
    async with app.run_test(size=(30, 6)) as pilot:
        list_ = app.query_one(CardList)
        list_.set_row_count(1)
        await pilot.pause()
        seen = set()
        for theme in ("textual-light", "textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()  # a frame drawn in it
            style = list_.rich_style  # Textual's, as of this theme
            seen.add(style)
            width = list_.size.width
            past = list_.render_line(3)  # a row past the last one
            assert list(past) == list(Strip.blank(width, style)), theme
            row = list(list_.render_line(1))
            assert row[-1].style == style, theme  # the padding after the cells
        assert len(seen) == 2  # (the themes differ in it)


async def test_the_paper_column_takes_a_new_terminal_width(make_app) -> None:
    """Resized from 120 to 80 columns (seen in a trial: the paper column kept its 40 cells
    and pushed the state columns off screen), the list is laid out as when opened at 80;
    and back."""
    widths = {}
    for size in ((80, 24), (120, 40)):
        app = make_app([SEED])
        async with app.run_test(size=size) as pilot:
            await pilot.press("b")
            await loaded(app, pilot)
            widths[size] = app.screen.query_one(CardList).widths
    assert widths[(80, 24)][0] < widths[(120, 40)][0]
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        table_ = app.screen.query_one(CardList)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert table_.widths == widths[(80, 24)]
        assert table_rows(table_) == Plain(app).rows()  # (cut at the new width)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert table_.widths == widths[(120, 40)]
        assert table_rows(table_) == Plain(app).rows()


async def test_the_highlighted_row_stays_above_the_horizontal_scrollbar_at_80x24(make_app) -> None:
    """At 80 columns the list is wider than the screen: its horizontal scrollbar takes the
    last line. Moving down past the screen (and a page at a time) keeps the cursor's row
    drawn, not under the scrollbar (seen in a trial: the details named a row not shown)."""
    app = make_app([SEED])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        table_ = app.screen.query_one(CardList)
        assert table_.show_horizontal_scrollbar  # (what this test is about)
        await pilot.press("tab")
        for keys in (["down"] * 12, ["pagedown"], ["pagedown"], ["up"] * 3):
            await pilot.press(*keys)
            await pilot.pause()
            # the cursor's row is among the lines the list shows above its scrollbar
            shown = table_.scrollable_content_region
            y = table_.region.y + 1 + table_.cursor_row - round(table_.scroll_offset.y)
            assert shown.y < y < shown.bottom, (keys, table_.cursor_row, y, shown)
            strips = app.screen._compositor.render_strips()
            title = table_.row_text(table_.cursor_row)[0].rstrip("…").strip()
            assert title in strips[y].text, (title, strips[y].text)


async def test_rows_a_waiting_filter_may_not_match_are_not_there_to_act_on(make_app, held) -> None:
    """A filter that waits for what it needs (``state:`` for the card states, read in a
    worker: held here) empties the list meanwhile and says it is filtering: rows it may not
    match are not there to act on. Then the list shows its result."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*REVIEWS, "b")
        await app.workers.wait_for_complete()  # the search texts
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and screen.columns is None
        table_ = screen.query_one(CardList)
        await pilot.press("slash")
        screen.query_one(Input).value = "state:learning"  # (at once: no prefix matches none)
        await pilot.pause()
        assert screen.shown == [] and table_.row_count == 0
        assert str(table_.border_subtitle).startswith("filtering 44 cards · reading the card")
        await pilot.press("tab", "s")
        _, release = held
        release.set()
        await loaded(app, pilot)
        plain = Plain(app)
        assert table_rows(table_) == plain.rows("state:learning") and plain.rows("state:learning")
        assert not any(st.suspended for st in app.ctx.store.states().values())
