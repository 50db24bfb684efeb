"""Keys typed ahead, in one burst (typed fast, or pasted): each goes where the keys before
it sent the focus, as in any terminal program. Textual sends a key to what has the focus
when the key comes, and runs a binding only once the key has bubbled up to the app -- after
the keys behind it were sent -- so ``/vid`` typed fast in browse, or ``b/vid`` from home,
lost the filter's text to the list."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from studydeck.tui.screens.browse import BrowseScreen
from studydeck.tui.widgets.cardlist import CardList

from ..conftest import SEED
from .test_browse import Plain, loaded, table_rows

CHARACTERS = {"slash": "/", "space": " "}


def burst(app, keys: list[str]) -> None:
    """``keys`` sent to the app at once, as a terminal's read of them does (none is handled
    before the last is sent)."""
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))


@pytest.mark.parametrize("where", ["home", "browse"])
async def test_a_filter_typed_in_one_burst_reaches_the_filter(make_app, where) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        keys = ["slash", *"vid", "space", "v"]
        if where == "browse":
            await pilot.press("b")
            await loaded(app, pilot)
            burst(app, keys)
        else:
            burst(app, ["b", *keys])  # before browse is even composed
        await pilot.pause()
        await loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        field = screen.query_one("#filter", Input)
        assert field.value == "vid v" and screen.focused is field
        assert screen.applied_query == "vid v"
        rows = table_rows(screen.query_one(CardList))
        assert rows == Plain(app).rows("vid v") and rows


async def test_a_slash_typed_in_the_filter_is_one_of_its_characters(make_app) -> None:
    """``/`` gives the filter the focus as it comes (a priority binding); typed in the
    filter, it is text, as any character is, in the order it was typed."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        await pilot.press("slash", *"i/o")
        assert app.screen.query_one("#filter", Input).value == "i/o"
        # In a burst, in its place: after the keys before it, still on their way.
        burst(app, ["space", "x", "slash", "y"])
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "i/o x/y"


async def test_browse_opens_with_the_filter_focused(make_app) -> None:
    """What is typed as browse opens filters, as in Anki's browser: a list key typed first
    is a character, not an action (a trial's ``b s r``, meant as a search for "sr",
    suspended the first card). ``/`` typed into the empty filter is no character (it is
    there already: ``b/vid`` from home, ``/`` after Esc cleared it); in a filter with text
    it is one ("K/V"). Down goes to the list, whose keys act."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b", "s", "r")
        await loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        field = screen.query_one("#filter", Input)
        assert screen.focused is field and field.value == "sr"
        assert not any(st.suspended for st in app.ctx.store.states().values())
        await pilot.press("backspace", "backspace")  # emptied
        await pilot.press("slash", "k", "slash", "v")
        assert field.value == "k/v"
        await pilot.press("down", "o")  # the list's: sorted by kind
        assert isinstance(app.focused, CardList)
        assert "sorted by kind" in str(screen.query_one(CardList).border_subtitle)


async def test_a_slash_acted_on_before_browse_is_composed_focuses_the_filter_on_mount(
    make_app,
) -> None:
    """(A terminal's burst may be read before the screen ``b`` opened is composed: then
    there is no filter to focus yet, and the keys after ``/`` come to the screen itself.)"""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = BrowseScreen()
        screen.action_focus_filter()  # not composed: remembered
        await app.push_screen(screen)
        await pilot.pause()
        field = screen.query_one("#filter", Input)
        assert screen.focused is field
        for ch in "vid":  # sent to the screen (it passes them to what has the focus)
            screen.post_message(events.Key(ch, ch))
        await pilot.pause()
        await loaded(app, pilot)
        assert field.value == "vid" and screen.applied_query == "vid"


async def browsing(app, pilot) -> tuple[BrowseScreen, Input, CardList]:
    """Browse opened and loaded: the screen, its filter and its list."""
    await pilot.press("b")
    await loaded(app, pilot)
    screen = app.screen
    assert isinstance(screen, BrowseScreen)
    return screen, screen.query_one("#filter", Input), screen.query_one(CardList)


@pytest.mark.parametrize("to_list", ["tab", "down"])
async def test_keys_typed_after_leaving_the_filter_in_one_burst_reach_the_list(
    make_app, to_list
) -> None:
    """Tab or Down in the filter gives the list the focus as it comes, so ``o`` typed right
    after it sorts (seen in tmux: ``Tab o o`` typed fast went into the filter, which then
    matched nothing). Shift+Tab from the list gives the filter the focus the same way (a
    letter after it is text, not the list's: ``s`` would suspend a card). Elsewhere the
    keys do what they did: Down moves the list's cursor, Tab goes on to the next widget."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        screen, field, table_ = await browsing(app, pilot)
        await pilot.press("slash", *"vid")
        burst(app, [to_list, "o", "o"])
        await pilot.pause()
        assert field.value == "vid" and screen.focused is table_
        assert "sorted by year" in str(table_.border_subtitle)
        assert table_rows(table_) == Plain(app).rows("vid", column="year")
        await pilot.press("down")  # in the list: its cursor
        assert screen.focused is table_ and table_.cursor_row == 1
        burst(app, ["shift+tab", "s", "x"])
        await pilot.pause()
        # (the filter's text selected as it takes the focus, as with /: typed over)
        assert field.value == "sx" and screen.focused is field
        assert not any(st.suspended for st in app.ctx.store.states().values())
        await pilot.press("tab")
        assert screen.focused is table_
        await pilot.press("tab")  # from the list: on, as before
        assert screen.focused is not table_


async def test_a_list_key_typed_just_before_the_slash_acts_on_the_list(make_app) -> None:
    """``o/def`` typed fast sorts, then filters; ``s/zz`` suspends the card the cursor was
    on, then filters (seen in a trial: the ``o`` and the ``s`` were dropped, their bindings
    looked up once ``/`` had given the focus to the filter, which takes letters as text).
    Typed in the filter, ``o`` and ``s`` are text."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        screen, field, table_ = await browsing(app, pilot)
        await pilot.press("down")  # to the list
        burst(app, ["o", "slash", *"def"])
        await pilot.pause()
        await loaded(app, pilot)
        assert field.value == "def" and "sorted by kind" in str(table_.border_subtitle)
        assert table_rows(table_) == Plain(app).rows("def", column="kind")
        await pilot.press("tab")
        top = screen.shown[0]
        burst(app, ["s", "slash", *"so"])
        await pilot.pause()
        assert field.value == "so" and screen.focused is field
        assert app.ctx.store.state(screen.cards[top].id).suspended
        assert "sorted by kind" in str(table_.border_subtitle)


@pytest.mark.parametrize(
    ("keys", "want"),
    [
        (["b", "K", "slash", "V"], "K/V"),
        (["b", "slash", *"vid"], "vid"),
        (["b", "a", "space", "b", "slash", "c"], "a b/c"),
    ],
)
async def test_a_slash_in_a_burst_is_a_character_after_the_filters_first_key(
    make_app, keys: list[str], want: str
) -> None:
    """From home, in one burst (as tmux or a paste sends them): ``/`` right after ``b`` is
    no character (the filter is there already), after any other key it is one. Told by the
    keys as they come, not by the filter's text, which a burst's earlier keys have not
    reached yet (a re-trial's ``bK/V`` gave "KV")."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        burst(app, keys)
        await pilot.pause()
        await loaded(app, pilot)
        assert app.screen.query_one("#filter", Input).value == want


async def test_in_an_empty_filter_a_burst_keeps_its_slash(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        screen, field, _ = await browsing(app, pilot)
        burst(app, [*"K", "slash", "V"])
        await pilot.pause()
        assert field.value == "K/V"
        await pilot.press("escape")  # emptied: the filter anew
        assert field.value == "" and screen.focused is field
        burst(app, ["slash", *"ab"])
        await pilot.pause()
        assert field.value == "ab"
