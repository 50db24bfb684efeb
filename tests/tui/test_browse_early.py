"""A filter typed right after browse opens, while the search texts are still being made (a
slice at a time, in the order of the list): the list shows at once the first rows of its
result, the title says it is still reading, and once every text is made the list is the one
the same filter typed after loading gives -- and a plain reading of the deck."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from textual.widgets import Input

from studydeck.tui.screens.browse import BrowseScreen
from studydeck.tui.widgets.cardlist import CardList

from ..conftest import SEED
from .test_browse import Plain, loaded, table_rows, with_a_removed_row

SLICE = 4


class Slices:
    """The screen's slices of search texts, made one at a time when the test says."""

    def __init__(self) -> None:
        self.paused = asyncio.Event()
        self.go: asyncio.Queue[None] = asyncio.Queue()
        self.open = False

    async def between(self) -> None:
        if self.open:
            return
        self.paused.set()
        await self.go.get()
        self.paused.clear()

    async def first(self) -> None:
        """Until the first slice is made and the next waits."""
        await self._paused()

    async def next(self) -> None:
        """One more slice made (the next waits)."""
        self.paused.clear()
        self.go.put_nowait(None)
        await self._paused()

    async def _paused(self) -> None:
        # (a worker that failed never pauses again: the test fails, it does not hang)
        await asyncio.wait_for(self.paused.wait(), timeout=10)

    def release(self) -> None:
        self.open = True
        self.go.put_nowait(None)


def gated(monkeypatch, wait: str) -> Slices:
    """The screen's slices, SLICE rows each, made one at a time when the test says: the
    screen's ``wait`` between two slices waits for the test."""
    gate = Slices()

    async def between(screen: BrowseScreen) -> None:
        await gate.between()

    monkeypatch.setattr(BrowseScreen, "SLICE", SLICE)
    monkeypatch.setattr(BrowseScreen, wait, between)
    return gate


@pytest.fixture
def slices(monkeypatch):
    """The slices of search texts made on the UI thread (texts not stored with the deck)."""
    return gated(monkeypatch, "_between_slices")


async def typed_after_loading(make_app, paths, keys: str, db=None) -> list[tuple[str, ...]]:
    app = make_app(paths, db=db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        await pilot.press("slash", *keys)
        assert app.screen.applied_query == keys
        return table_rows(app.screen.query_one(CardList))


async def test_a_filter_typed_at_once_shows_its_first_rows_then_all(make_app, slices) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await slices.first()
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and screen.index is None
        plain = Plain(app)
        every = plain.rows()
        table_ = screen.query_one(CardList)
        await pilot.press("slash", *"vi")
        # The first SLICE rows of the list are made: their matches, the result's first rows.
        made = every[:SLICE]
        assert table_rows(table_) == [r for r in plain.rows("vi") if r in made]
        assert "reading the search texts" in str(table_.border_subtitle)
        assert screen.applied_query != "vi"
        await slices.next()
        await slices.next()
        made = every[: 3 * SLICE]
        assert table_rows(table_) == [r for r in plain.rows("vi") if r in made]
        await pilot.press("d")  # narrows: the rows made so far, and the ones made later
        made = every[: 3 * SLICE]
        assert table_rows(table_) == [r for r in plain.rows("vid") if r in made]
        await slices.next()
        await pilot.press("backspace", "backspace", *"restor")  # not a narrowing: anew
        made = every[: 4 * SLICE]
        assert table_rows(table_) == [r for r in plain.rows("vrestor") if r in made]
        screen.query_one(Input).value = "resto"  # anew
        await pilot.pause()
        await slices.next()
        await pilot.press("r")  # narrows the rows made so far, grown by the last slice
        made = every[: 5 * SLICE]
        assert table_rows(table_) == [r for r in plain.rows("restor") if r in made]
        await pilot.press("tab", "o")  # sorted by kind: the same rows, in that order
        assert table_rows(table_) == [r for r in plain.rows("restor", "kind") if r in made]
        await slices.next()
        made = every[: 6 * SLICE]
        assert table_rows(table_) == [r for r in plain.rows("restor", "kind") if r in made]
        slices.release()
        await loaded(app, pilot)
        assert screen.applied_query == "restor"
        assert table_rows(table_) == plain.rows("restor", "kind")
        await pilot.press(*"o" * 8)  # round to the paper column again
        early = table_rows(table_)
        assert early == plain.rows("restor") and 0 < len(early) < len(every)
        assert str(table_.border_subtitle) == (
            f"{len(early)} of {len(every)} cards · sorted by paper"
        )
        await pilot.press("slash", "end")
        # Typed on, once loaded: it narrows the result made early.
        await pilot.press(*" image")
        assert table_rows(table_) == plain.rows("restor image")
    assert early == await typed_after_loading(make_app, [SEED], "restor")


async def test_retired_cards_are_searched_too(
    make_app, notes, tmp_path, slices, monkeypatch
) -> None:
    """A removed row's card (read from the store first) is among the rows searched for a
    filter typed at once."""
    monkeypatch.setattr(BrowseScreen, "SLICE", 1)  # two cards: two slices
    path, db = with_a_removed_row(make_app, notes, tmp_path)
    app = make_app([path], db=db)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("b")
        app.screen.query_one(Input).value = "a"
        await pilot.pause()
        slices.release()
        await loaded(app, pilot)
        early = [(r[0], r[4]) for r in table_rows(app.screen.query_one(CardList))]
        assert early == [("Alpha", "retired"), ("Beta", "new")]
    late = await typed_after_loading(make_app, [path], "a", db=db)
    assert early == [(r[0], r[4]) for r in late]


async def test_a_filter_typed_at_once_then_narrowed_once_loaded_keeps_every_row(
    make_app, slices
) -> None:
    """The result found slice by slice becomes the list's result once every text is made:
    a word typed longer then looks through all of it (the rows of the later slices too)."""
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await slices.first()
        await pilot.press("slash", *"vi")
        slices.release()
        await loaded(app, pilot)
        plain = Plain(app)
        await pilot.press("d")
        rows = table_rows(app.screen.query_one(CardList))
        assert app.screen.applied_query == "vid"
        assert rows == plain.rows("vid") and len(rows) > SLICE
    assert rows == await typed_after_loading(make_app, [SEED], "vid")


@pytest.fixture
def copies(monkeypatch):
    """The slices of the stored texts' copy in the list's order."""
    return gated(monkeypatch, "_between_copies")


async def test_a_filter_typed_while_the_stored_texts_are_copied_shows_its_whole_result(
    make_app, copies
) -> None:
    """A deck read from the cache: its stored texts are searched as decoded (in notes
    order) while their copy in the list's order is made a slice at a time, so a filter
    typed meanwhile shows its whole result at once, in the list's order; the copy replaces
    them when whole (made again in a new sort's order), and a filter typed on through it
    gives the same rows as a plain search, and as the same filter typed once loaded."""
    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await copies.first()
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and screen.cards.stored()
        decoded = screen.index
        assert decoded is not None and decoded.order == range(len(screen.cards))
        plain = Plain(app)
        every = plain.rows()
        table_ = screen.query_one(CardList)
        await pilot.press("slash", *"vi")
        assert screen.applied_query == "vi"
        assert table_rows(table_) == plain.rows("vi") and 0 < len(plain.rows("vi")) < len(every)
        assert str(table_.border_subtitle).startswith(f"{len(plain.rows('vi'))} of {len(every)}")
        await copies.next()
        await copies.next()  # two slices copied: the texts searched are still the decoded
        await pilot.press("d")
        assert screen.index is decoded
        assert table_rows(table_) == plain.rows("vid")
        await pilot.press("tab", "o")  # sorted by kind: the copy starts again in that order
        assert table_rows(table_) == plain.rows("vid", "kind")
        await copies.next()
        copies.release()
        await loaded(app, pilot)
        copied = screen.index
        assert copied is not decoded and copied is not None
        assert list(copied.order) == [int(r) for r in screen._rows_sorted()]
        assert table_rows(table_) == plain.rows("vid", "kind")
        # The result shown, put in the copy's places: a narrower filter looks through them.
        assert screen._last is not None and screen._last.places is not None
        assert screen._last.places[0] is copied
        await pilot.press("slash", "end", *"eo")  # narrows, through the copy
        assert table_rows(table_) == plain.rows("video", "kind")
        await pilot.press("tab", *"o" * 8)  # round to the paper column again
        await pilot.press("slash", "end", *" 1")
        assert table_rows(table_) == plain.rows("video 1")
        await pilot.press(*["backspace"] * 7)
        screen.query_one(Input).insert_text_at_cursor("kw:图")  # anew: a keyword
        await pilot.pause()
        late = table_rows(table_)
        assert late == plain.rows("kw:图") and 0 < len(late) < len(every)
    assert late == await typed_after_loading(make_app, [SEED], "kw:图")


async def test_the_stored_texts_are_copied_only_while_the_user_is_idle(
    make_app, monkeypatch
) -> None:
    """The copy in the list's order waits while keys come (a slice beside a key would slow
    it down), and is made once the user is idle (the app's rule)."""
    monkeypatch.setattr(BrowseScreen, "SLICE", SLICE)
    monkeypatch.setattr(BrowseScreen, "COPY_WAIT", 0.01)
    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        app.collector.quiet = 3600.0  # keys came a moment ago, for all the test knows
        await pilot.press("b", "slash", *"vi")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        while screen.index is None:
            await pilot.pause(0.01)
        decoded = screen.index
        await pilot.pause(0.2)
        assert screen.index is decoded and decoded.order == range(len(screen.cards))
        app.collector.quiet = 0.0
        await loaded(app, pilot)
        assert screen.index is not decoded and screen.index.order is screen._rows_sorted()
        assert screen.applied_query == "vi"
        assert table_rows(screen.query_one(CardList)) == Plain(app).rows("vi")


async def test_a_key_waiting_for_the_stored_texts_is_painted_before_the_ranks_are_made(
    make_app, monkeypatch
) -> None:
    """A key typed before the stored texts are decoded waits for them; its result is
    painted first, and only then is each row's place in the sort made (~25 ms at 126k
    cards, which a filter through texts in notes order does without)."""
    import threading

    from studydeck.tui.screens import browse

    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    app = make_app([SEED])
    held, decoded = threading.Event(), browse._decoded
    monkeypatch.setattr(browse, "_decoded", lambda cards: held.wait(10) and decoded(cards))
    painted: list[str | None] = []  # the query each painted frame shows
    at_ranks: list[list[str | None]] = []  # what had been painted when ranks were made
    ranks = browse.ranks
    monkeypatch.setattr(browse, "ranks", lambda rows: at_ranks.append(painted[:]) or ranks(rows))
    async with app.run_test(size=(120, 40)) as pilot:
        display = app._display

        def paint(screen, renderable) -> None:
            display(screen, renderable)
            if renderable is not None:
                painted.append(getattr(app.screen, "applied_query", None))

        app._display = paint
        await pilot.press("b", "slash", "v")
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and screen.index is None
        assert "v" not in painted and not at_ranks
        held.set()
        await loaded(app, pilot)
        assert screen.applied_query == "v"
    assert at_ranks and "v" in at_ranks[0]


@pytest.mark.parametrize("stored", [True, False])
async def test_sorted_by_a_stored_column_the_cards_read_again_are_listed_in_its_order(
    make_app, monkeypatch, stored
) -> None:
    """Sorted by recall, the cards read again (as after ``m`` moved a statement): their
    search texts are made before the card states are read again, so the sort waits for the
    states rather than being asked of the texts' worker (it failed an assert, and the app
    exited: seen in a trial). Texts stored with the deck (copied) or not (made)."""
    from studydeck.tui.screens.browse_rows import Cards

    if not stored:
        monkeypatch.setattr(Cards, "stored", lambda self: False)
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await loaded(app, pilot)
        await pilot.press("down", *"ooooo")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        assert "sorted by recall" in str(screen.query_one(CardList).border_subtitle)
        screen._after_move()
        await loaded(app, pilot)
        assert table_rows(screen.query_one(CardList)) == Plain(app).rows("", "recall")


async def test_a_sort_by_a_stored_column_while_the_stored_texts_are_copied(
    make_app, copies, gate
) -> None:
    """Sorted by state while the stored texts' copy waits: the copy waits for the states
    too (the list's order needs them), then is made in that order."""
    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        await copies.first()
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and screen.columns is None
        await pilot.press("down", *"oooo")
        assert "card states" in str(screen.query_one(CardList).border_subtitle)
        await copies.next()  # the copy asks for the list's order: not before the states
        await copies.next()
        gate.set()  # the states read
        copies.release()
        await loaded(app, pilot)
        assert table_rows(screen.query_one(CardList)) == Plain(app).rows("", "state")
        assert screen.index is not None and screen.index.order is screen._rows_sorted()


@pytest.fixture
def decode_held(monkeypatch):
    """The worker's decode of the stored search texts, held until the test sets it."""
    import threading

    from studydeck.tui.screens import browse

    release, decoded = threading.Event(), browse._decoded
    monkeypatch.setattr(browse, "_decoded", lambda cards: release.wait(10) and decoded(cards))
    yield release
    release.set()


class Paints:
    """Each frame the app paints: the filter whose first rows browse walks for, and the
    rows' first four cells (the deck's own: a row's stored columns may be read after its
    first frame)."""

    def __init__(self, app) -> None:
        self.frames: list[Painted] = []
        display = app._display

        def paint(screen, renderable) -> None:
            display(screen, renderable)
            s = app.screen
            if renderable is not None and isinstance(s, BrowseScreen):
                table_ = s.query_one(CardList)
                self.frames.append(
                    Painted(
                        None if s._first is None else s._first.query,
                        s.first_rows_of,
                        s.applied_query,
                        heads(table_rows(table_)),
                        str(table_.border_subtitle),
                    )
                )

        app._display = paint


@dataclass(frozen=True)
class Painted:
    walking: str | None
    first_rows_of: str | None
    applied_query: str | None
    rows: list[tuple[str, ...]]
    title: str


def heads(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [r[:4] for r in rows]


async def walked(screen: BrowseScreen, pilot) -> None:
    """Until the first rows' walk has ended (a screenful found, or every row walked)."""
    for _ in range(300):
        if screen.first_rows_of is not None:
            return
        await pilot.pause()
    raise AssertionError("the walk for the first rows never ended")


async def test_a_filter_typed_before_the_stored_texts_are_decoded_shows_its_first_rows(
    make_app, monkeypatch, decode_held
) -> None:
    """The stored texts decoded in a thread (held here): a key typed meanwhile walks the
    list's rows in its order, each row's texts read alone, a few rows a frame; every frame
    shows the first rows of the filter's result, in the list's order, and the walk goes on
    between frames until every row is walked (fewer matches than a screenful). A narrower
    filter goes on from the last one's rows; a new one walks anew. Once decoded, the list
    shows the whole result, as a plain search of the deck gives it."""
    from studydeck.tui.screens.browse_rows import FirstRows

    monkeypatch.setattr(BrowseScreen, "FIRST_WALK", 3)
    monkeypatch.setattr(FirstRows, "STEP", 2)
    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        paints = Paints(app)
        await pilot.press("b", "slash", "v")
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and screen.cards.stored()
        table_ = screen.query_one(CardList)
        walks = {}  # per filter: the rows once walked, each frame's rows meanwhile, the title
        for query in ("v", "vi", "kw:图"):
            if query == "vi":
                await pilot.press("i")
            elif query == "kw:图":
                await pilot.press("backspace", "backspace")
                screen.query_one(Input).insert_text_at_cursor(query)
            await walked(screen, pilot)
            assert screen.first_rows_of == query and screen.index is None
            done = heads(table_rows(table_))
            await pilot.pause()
            seen = [f.rows for f in paints.frames if f.walking == query]
            paints.frames.clear()
            walks[query] = (done, seen, str(table_.border_subtitle))
        decode_held.set()
        await loaded(app, pilot)
        # (a plain reading of the deck builds its cards: only once the texts are decoded)
        plain = Plain(app)
        assert screen.applied_query == "kw:图" and screen.first_rows_of is None
        assert table_rows(table_) == plain.rows("kw:图")
        assert str(table_.border_subtitle).startswith(f"{len(plain.rows('kw:图'))} of")
    for query, (done, seen, title) in walks.items():
        want = heads(plain.rows(query))
        assert 3 < len(want) < 40 and done == want, query
        assert title.startswith("first matches of") and "reading the search texts" in title
        assert seen and all(rows == want[: len(rows)] for rows in seen), query
    # Walked a few rows a frame: the first filter's rows grew from frame to frame.
    assert len({len(rows) for rows in walks["v"][1]}) > 1


async def test_a_key_through_the_decoded_texts_shows_its_first_rows_then_the_whole_result(
    make_app, monkeypatch, copies
) -> None:
    """The stored texts decoded (in notes order) and their copy in the list's order not
    made yet (held here): a key's filter that looks through most rows is painted first as
    its first rows (a screenful, walked in the list's order), then, a frame later, as its
    whole result (at 126k cards the whole takes ~40 ms, the first rows ~1 ms). Here any
    deck counts as a large one (``FIRST_FROM``)."""
    from studydeck.tui.screens.browse_rows import FirstRows

    monkeypatch.setattr(BrowseScreen, "FIRST_FROM", 0)
    monkeypatch.setattr(FirstRows, "STEP", 2)
    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    app = make_app([SEED])
    async with app.run_test(size=(120, 14)) as pilot:
        await pilot.press("b")
        await copies.first()
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        assert screen.index is not None and screen.index.order == range(len(screen.cards))
        paints = Paints(app)
        await pilot.press("slash", "e")
        await pilot.pause()
        frames = list(paints.frames)
        copies.release()
        await loaded(app, pilot)
        plain = Plain(app)
    first_rows_then_all(frames, "e", heads(plain.rows("e")), screenful=14)


def first_rows_then_all(frames: list[Painted], query: str, want: list, screenful: int) -> None:
    """The frames show ``query``'s first rows (a screenful, the first of ``want``), counting,
    then, in a later frame, its whole result, ``want``, and its count."""
    first = [i for i, f in enumerate(frames) if f.first_rows_of == query]
    whole = [i for i, f in enumerate(frames) if f.applied_query == query]
    assert first and whole and first[0] < whole[0]
    shown = frames[first[0]]
    assert screenful <= len(shown.rows) < len(want) and shown.rows == want[: len(shown.rows)]
    assert shown.title.startswith("first matches of") and "counting" in shown.title
    assert frames[whole[0]].rows == want
    assert frames[whole[0]].title.startswith(f"{len(want)} of")


async def test_a_key_through_the_copy_shows_its_first_rows_then_the_whole_result(
    make_app, monkeypatch
) -> None:
    """Once the stored texts' copy in the list's order is made (sorted by kind here: not
    notes order), a key's filter that looks through most rows is painted first as its first
    rows (the list's k-th row's texts at the copy's place k, walked from the first), then,
    a frame later, as its whole result (at 126k cards: ~1 ms, then ~25 ms). A narrower
    filter of fewer rows shows its whole result at once. Here any deck counts as a large
    one (``FIRST_FROM_COPY``); a walk looks at two rows at a time."""
    from studydeck.tui.screens.browse_rows import FirstRows

    monkeypatch.setattr(BrowseScreen, "FIRST_FROM_COPY", 0)
    monkeypatch.setattr(FirstRows, "STEP", 2)
    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    app = make_app([SEED])
    async with app.run_test(size=(120, 14)) as pilot:
        await pilot.press("b", "slash", "tab", "o")  # sorted by kind
        await loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        rows = screen._rows_sorted()
        assert screen.index is not None and screen.index.order is rows
        assert list(rows) != sorted(rows)  # (not notes order)
        paints = Paints(app)
        await pilot.press("slash", "v")
        await pilot.pause()
        frames = list(paints.frames)
        paints.frames.clear()
        # Every row is many, the rows "v" matched are not: "vi" looks through those at once.
        assert len(screen.shown) < len(rows)
        monkeypatch.setattr(BrowseScreen, "FIRST_FROM_COPY", len(screen.shown) + 1)
        await pilot.press("i")
        await pilot.pause()
        narrowed = list(paints.frames)
        plain = Plain(app)
        assert table_rows(screen.query_one(CardList)) == plain.rows("vi", "kind")
    first_rows_then_all(frames, "v", heads(plain.rows("v", "kind")), screenful=10)
    # Narrowed through fewer rows than FIRST_FROM_COPY (of more rows): no first rows' frame.
    assert narrowed and all(f.first_rows_of is None for f in narrowed)
    assert narrowed[0].applied_query == "vi"


async def test_a_whole_result_made_after_its_first_rows_is_old_before_the_next_key(
    make_app, monkeypatch
) -> None:
    """The whole result's lists (every row, at 126k cards) are made old in one young pass
    when made, not walked item by item by the young passes that come with the next key's
    frame. Python's own young passes held off here (a high first threshold), so only that
    pass can have made them old."""
    import gc

    monkeypatch.setattr(BrowseScreen, "FIRST_FROM_COPY", 0)
    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    thresholds = gc.get_threshold()
    gc.set_threshold(10**9, thresholds[1], thresholds[2])
    try:
        app = make_app([SEED])
        async with app.run_test(size=(120, 14)) as pilot:
            await pilot.press("b")
            await loaded(app, pilot)
            screen = app.screen
            assert isinstance(screen, BrowseScreen)
            await pilot.press("slash", "v")
            await pilot.pause()
            assert screen.applied_query == "v" and screen._last is not None
            kept = (screen.shown, screen._last.matched)
            young = {id(o) for g in (0, 1) for o in gc.get_objects(g)}
            assert all(isinstance(x, list) for x in kept)
            assert not any(id(x) in young for x in kept)
    finally:
        gc.set_threshold(*thresholds)


async def test_a_deck_whose_cards_are_all_built_while_its_texts_are_decoded(
    make_app, decode_held
) -> None:
    """Building every card lets the cached deck's rows go (their stored texts with them):
    done while browse's worker waits to decode those texts (seen in a test: a plain
    reading of the deck), the texts are made from the cards, and the filter typed
    meanwhile shows its whole result once they are -- not a worker's IndexError."""
    make_app([SEED])  # parses the notes and writes the deck cache, texts and all
    app = make_app([SEED])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b", "slash", "v", "i")
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and screen.index is None
        assert len(app.ctx.deck.cards) > 0  # every card built
        assert not screen.cards.stored()
        decode_held.set()
        await loaded(app, pilot)
        assert screen.applied_query == "vi"
        assert table_rows(screen.query_one(CardList)) == Plain(app).rows("vi")


async def test_a_filter_typed_before_a_parsed_decks_columns_are_read_shows_its_first_rows(
    make_app, monkeypatch
) -> None:
    """A deck just parsed, or read again after an edit (its search texts not stored): a
    filter typed before the deck's columns the texts are made of are read shows its first
    rows at once, each row's texts made from its card; keys typed at once act on those rows
    only (a trial's ``b /video Tab Down Down s`` on a first open suspended a card with no
    "video": the list still held every card). Then the whole result."""
    import threading

    from studydeck.tui.screens.browse_rows import Cards

    release, read = threading.Event(), Cards.read
    monkeypatch.setattr(Cards, "read", lambda self, names: release.wait(10) and read(self, names))
    app = make_app([SEED])  # parsed here: no stored texts
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        screen = app.screen
        assert isinstance(screen, BrowseScreen) and not screen.cards.stored()
        table_ = screen.query_one(CardList)
        await pilot.press("slash", *"video", "tab", "down", "down", "s")
        assert screen.index is None and screen.first_rows_of == "video"
        early = heads(table_rows(table_))
        assert str(table_.border_subtitle).startswith("first matches of 44 cards · reading")
        suspended = {k for k, st in app.ctx.store.states().items() if st.suspended}
        release.set()
        await loaded(app, pilot)
        plain = Plain(app)
        assert table_rows(table_) == plain.rows("video") and early == heads(plain.rows("video"))
        # (the third row's card, one of the filter's)
        assert suspended == {screen.cards[screen.shown[2]].id}
