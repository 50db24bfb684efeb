"""Browse: every card in a table; filter, sort, see a card's SM-2 state and history, suspend.

The table is virtual (:class:`~studydeck.tui.widgets.cardlist.CardList` draws only the rows
on screen), the rows are kept sorted by the chosen column (a filter keeps that order: the
sort is stable), and a filter that only narrows the last one (a word typed longer, a word
added) looks only through the rows the last one matched, for the terms it adds; a filter
that drops no row leaves the list as it is (:func:`~.browse_rows.refilter`).

Opening paints at once from the deck in memory (sorted by title), the stored columns (state,
recall, SM-2) of the rows on screen read one by one; rows scrolled to are read once drawn.
The search texts stored with the deck (its cache's search parts) are decoded in a thread and
searched at once as they lie (notes order), while the user is idle copied in the list's order
a slice between frames (faster to search), which replaces them when whole. A filter typed
before they are decoded shows its first rows at once: the list's rows are walked in its
order, each row's texts read alone from the cache's bytes (:class:`FirstRows`), until a
screenful matches; then the whole result when decoded. Until the copy is made, a key whose
filter looks through many rows (tens of thousands) is painted the same way first, and whole
a frame later. Texts not stored are made at once, on the UI thread a slice between frames,
in the order of the list: a filter typed meanwhile shows its first rows at once (its matches
among the rows made so far) and grows with each slice. A worker thread reads every card's
stored columns when a filter or sort needs them, or after a quiet spell (not beside typing:
the thread would slow each key down). A filter or sort that needs them waits for them (the
screen stays live) and runs when they arrive."""

from __future__ import annotations

import asyncio
import time
from array import array
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from studydeck.naming import titled
from studydeck.store import CardState, Store
from studydeck.tui.context import app_of, ctx_of, reports_errors
from studydeck.tui.moving import move_statement
from studydeck.tui.screens.browse_rows import (
    INDEX_COLUMNS,
    STORED,
    Cards,
    Columns,
    Filtered,
    FirstRows,
    IndexMaker,
    Row,
    SearchIndex,
    StoredMaker,
    card_columns,
    in_order,
    load_columns,
    matches,
    needs,
    notes_index,
    owed_today,
    ranks,
    refilter,
    refine,
    retired_cards,
    search_text,
    select_places,
    sort_rows,
)
from studydeck.tui.widgets.cardlist import CardList
from studydeck.tui.widgets.footer import StudydeckFooter
from studydeck.tui.widgets.textinput import SafeInput
from studydeck.tui.widgets.title import TitleBar

__all__ = ["BrowseScreen", "Row", "fit", "matches", "search_text"]

COLUMNS = ("paper", "kind", "year", "keywords", "state", "recall", "due", "EF", "interval")
#: Column widths in terminal cells (CJK counts double); the paper column takes the rest.
WIDTHS = {
    "kind": 12,
    "year": 4,
    "keywords": 12,
    "state": 9,
    "recall": 6,
    "due": 10,
    "EF": 4,
    "interval": 3,
}
LABELS = {"interval": "ivl"}
#: Cell padding (1 each side) of every column, the vertical scrollbar and a spare cell.
_CHROME = 2 * len(COLUMNS) + 4


def _decoded(cards: Cards) -> tuple[list[str], list[str]]:
    """The deck's stored search texts, decoded, and the deck's columns the index reads (run
    in a worker thread)."""
    cards.read(("paper", "keywords"))
    return cards.stored_texts()


def fit(text: str, width: int) -> Text:
    """``text`` cut to ``width`` terminal cells, with an ellipsis when cut."""
    out = Text(text)
    out.truncate(width, overflow="ellipsis")
    return out


#: What a row shows in the stored columns until they are read: state, recall, due, EF, ivl.
_PENDING = (Text("…", style="dim"), Text(""), Text(""), Text(""), Text(""))


class BrowseScreen(Screen[None]):
    TITLE = "Browse"
    AUTO_FOCUS = "#filter"  # (as Anki's browser: what is typed as it opens filters, and a
    # list key, ``s`` say, typed first is no suspension: Down or Tab goes to the list)
    SLICE = 2000
    """Rows whose search texts are made between two frames (a few milliseconds' work)."""
    FIRST_FROM = 20000
    """Rows from which a key's filter shows its first rows before its whole result, while
    the search texts lie in notes order (:meth:`_first_then_all`)..."""
    FIRST_FROM_COPY = 50000
    """... and once their copy in the list's order is made, where a filter looks through
    twice as many rows in the same time (fewer: its whole result at once, ~6 ms)."""
    FIRST_WALK = 4096
    """Rows walked between two frames for a filter's first rows (:meth:`_refill_first`: a
    few milliseconds' work)."""
    COPY_WAIT = 0.1
    """Seconds between two looks at whether the user is idle, while the stored texts'
    copy waits (:meth:`_between_copies`)."""
    READ_AHEAD_AFTER = 1.0
    """Seconds without a key in the filter before every card's stored columns are read."""
    BINDINGS = [
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            id="browse.filter",
            priority=True,  # (at once, as it comes: see action_focus_filter)
            tooltip="Filter: words, kw:…, year:…, kind:…, state:new|due|learning|review|suspended",
        ),
        # The list's letters act as they come too (priority): ``o/def`` typed fast sorts,
        # then filters, where Textual would have dropped the ``o`` (its binding looked up
        # once ``/`` had given the focus to the filter, which takes letters as text). In the
        # filter they are text (:meth:`_list_key`).
        Binding(
            "s",
            "toggle_suspend",
            "Suspend/unsuspend",
            id="browse.suspend",
            priority=True,
            tooltip="Suspend or unsuspend the selected card",
        ),
        Binding(
            "o",
            "cycle_sort",
            "Sort",
            id="browse.sort",
            priority=True,
            tooltip="Sort by the next column",
        ),
        Binding(
            "m",
            "move",
            "Move",
            show=False,
            id="browse.move",
            priority=True,
            tooltip="Move a statement of this card to the other card (insight ⇄ critique)",
        ),
        # From the filter (which keeps the focus on Enter, as Anki's browser does): Down
        # goes to the list, like Tab; Shift+Tab from the list goes back to the filter. At
        # once, as the key comes (priority), so the keys typed after it go where it sent
        # the focus; elsewhere each does what it does there (the list's Down moves its
        # cursor, Tab goes on to the next widget).
        Binding("down", "focus_list", "To the list", show=False, priority=True, id="browse.list"),
        Binding("tab", "tab", "Next", show=False, priority=True, id="browse.next"),
        Binding(
            "shift+tab", "back_tab", "Previous", show=False, priority=True, id="browse.back-tab"
        ),
        Binding("escape", "leave", "Back", id="browse.back", tooltip="Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cards = Cards(None)
        """Every row's card: the deck's in notes order, then the retired ones. A row is an
        index into it; a card is built only for a row asked for (shown, the detail pane, an
        action), the filter and the sort read the deck's columns."""
        self.sort_col = 0
        self.sort_reverse = False
        self.shown: list[int] = []
        """The rows in the table, in its order (the cursor's row is ``shown[cursor_row]``)."""
        self._sorted: list[int] | None = None
        """All rows in the order of the sort column (None: to be sorted again)."""
        self._rank: array[int] | None = None
        """Each row's place in :attr:`_sorted` (made when a filter first needs it)."""
        self.applied_query: str | None = None
        """The filter the table shows the result of."""
        self._last: Filtered | None = None
        """The result the table shows, while a narrower filter may look only through its
        rows (None: not since a card's state changed, ``state:`` may no longer hold)."""
        self.index: SearchIndex | None = None
        """Every row's search texts, once all are made (stored ones: as decoded, in notes
        order, then their copy in the list's order)."""
        self._maker: IndexMaker | None = None
        """The search texts being made (on the UI thread, a slice between two frames)."""
        self._partial: Filtered | None = None
        """A filter asked before every search text was made: what it matched among the
        rows made so far (and the rows those are, in the order of the sort)."""
        self._peeked: SearchIndex | bool | None = False
        """The deck's search texts, each read or made alone (:meth:`Cards.peek`; False: not
        asked yet)."""
        self._first: FirstRows | None = None
        """A filter asked before every search text is at hand, or whose whole result is
        made a frame later (:meth:`_first_then_all`): its first rows, walked for."""
        self.columns: Columns | None = None
        """Every row's stored columns, once the worker has read them."""
        self._owed: frozenset[str] = frozenset()
        self._early: dict[int, tuple[CardState | None, str, float | None]] = {}
        """Stored columns of single rows read before :attr:`columns` arrived (the rows on
        screen, a card just suspended)."""
        self._detail_of: int | None = -1
        """The row the card detail shows (-1: none yet)."""
        self._unread: set[int] = set()
        self._prefetch: Timer | None = None
        self._columns_asked = False
        self._filter_first = False
        self._filter_since = -1
        """The app's key count when the filter last took the focus (or was emptied)."""
        self.paper_width = 16
        """The paper column's width in cells (the rest of the terminal's: :meth:`compose`)."""
        self._ranking = False
        """A worker waits to make :attr:`_rank` once the user is idle."""
        self._states_read = asyncio.Event()
        """Set when :attr:`columns` arrive (a list sorted by one of them waits for it)."""
        """``/`` came before this screen was composed: the filter takes the focus on mount."""
        self._generation = object()
        """Replaced whenever the cards are read again: a worker's result for older cards
        is dropped."""
        self.waiting: str | None = None
        """What the filter or sort asked waits for (None: the table shows what was asked)."""

    @property
    def loaded(self) -> bool:
        """Whether the search texts and every row's stored columns have arrived (the latter
        are read when asked for, or after a quiet spell: :meth:`read_columns`)."""
        return self.index is not None and self.columns is not None

    def _paper_width(self) -> int:
        """The paper column takes the terminal's width the other columns leave."""
        return max(16, self.app.size.width - sum(WIDTHS.values()) - _CHROME)

    def on_resize(self) -> None:
        """A new terminal width: the paper column takes what the others leave, as at open."""
        width = self._paper_width()
        if width != self.paper_width:
            self.paper_width = width
            self.query_one(CardList).set_widths([WIDTHS.get(c, width) for c in COLUMNS])

    def compose(self) -> ComposeResult:
        self.paper_width = self._paper_width()
        yield TitleBar()
        yield SafeInput(
            placeholder="/ to filter: words  kw:图像复原  year:2020  kind:critique  state:due",
            id="filter",
        )
        with Vertical(id="browse-body"):
            yield CardList(
                [LABELS.get(c, c) for c in COLUMNS],
                [WIDTHS.get(c, self.paper_width) for c in COLUMNS],
                self._cells_at,
                id="cards",
            )
            yield Static(id="card-detail")
        yield StudydeckFooter()

    def on_mount(self) -> None:
        self._read_cards()
        self.refill()
        self._filter_since = app_of(self).keys_seen  # (the filter has the focus: AUTO_FOCUS)
        if self._filter_first:
            self.set_focus(self.query_one("#filter", Input))

    def _read_cards(self) -> None:
        """The deck's rows (cheap: in memory); the rest comes from workers, the first after
        this screen's first paint: the retired cards with the search texts, then (when
        asked, or after a quiet spell) every card's stored columns."""
        ctx = ctx_of(self)
        self.cards = Cards(ctx.deck)
        self._generation = generation = object()
        self._detail_of = -1
        self.shown = []  # rows of the old list mean nothing now
        self.applied_query = None
        self._last = None
        if self.is_mounted:
            self.query_one(CardList).set_row_count(0)
        self.index = None
        self._maker = None
        self._partial = None
        self._peeked = False
        self._first = None
        self.columns = None
        self._states_read = asyncio.Event()
        self._early = {}
        self._sorted = None
        self._owed = owed_today(ctx.store, ctx.deck, ctx.today)
        self._columns_asked = False
        self.call_after_refresh(
            lambda: self.run_worker(
                self._load_index(generation), group="browse-index", exclusive=True
            )
        )
        self._quiet()

    def _quiet(self) -> None:
        """(Re)start the wait for a quiet spell, after which every card's stored columns
        are read ahead (reading them beside typing would slow each key down)."""
        if self._prefetch is not None:
            self._prefetch.stop()
        if self.columns is None and not self._columns_asked:
            self._prefetch = self.set_timer(self.READ_AHEAD_AFTER, self.read_columns)

    def read_columns(self) -> None:
        """Read every card's stored columns in a worker (once), e.g. to sort by one; after
        the search texts (which bring the retired cards)."""
        if self.columns is not None or self._columns_asked:
            return
        self._columns_asked = True
        if self.index is not None:
            self._start_columns()

    def _start_columns(self) -> None:
        work = self._load_columns(self._generation, self.cards)
        self.run_worker(work, group="browse-columns", exclusive=True)

    async def _load_index(self, generation: object) -> None:
        """The retired cards (read in a thread), then every row's search texts.

        Stored with the deck (its cache's search parts), they are decoded in a thread and
        searched at once as they lie, in notes order (a filter's result put in the list's
        order: :func:`in_order`), while a copy in the list's order is made on the UI thread
        a slice between frames (:class:`StoredMaker`; a filter reads it from first to last
        in memory and its result needs no reordering) and replaces it when whole.

        Else they are made on the UI thread a slice between frames (a thread would hold the
        GIL against each key), in the order of the sort: a filter typed meanwhile shows at
        once what it matches among the rows made so far, the first rows of its result, and
        grows with each slice."""
        ctx = ctx_of(self)
        cards = self.cards
        reading = asyncio.to_thread(ctx.store.reading, retired_cards, ctx.deck.sources)
        if cards.stored():
            # (both threads at once: the store's read lets go of the GIL)
            retired, stored = await asyncio.gather(reading, asyncio.to_thread(_decoded, cards))
        else:
            retired, stored = await reading, None
        if generation is not self._generation:
            return
        if retired:
            cards.extend(retired)
            self._sorted = None
        if stored is not None:
            texts = cards.texts(stored)
            self._indexed(notes_index(cards, texts))
            if retired and self.waiting is None:
                self.refill(keep_cursor=True)
            copy: StoredMaker | None = None
            while copy is None or not copy.done:
                await self._between_copies()
                if generation is not self._generation:
                    return
                if not self._sortable():
                    await self._states_read.wait()  # (the list's order needs them)
                    continue
                rows = self._rows_sorted()
                if copy is None or copy.index.order is not rows:  # (sorted anew meanwhile)
                    copy = StoredMaker(cards, rows, texts)
                copy.step(self.SLICE)
            self._copy_made(copy.index)
            return
        # The deck's columns the texts are made of, read beside the UI (their first read
        # joins or unpacks the deck's stored rows: tens of milliseconds in one piece).
        await asyncio.to_thread(cards.read, INDEX_COLUMNS)
        if generation is not self._generation:
            return
        # In the list's order (a filter meanwhile shows its first rows at once); sorted by
        # a stored column, whose order waits for the card states: in notes order.
        order = self._rows_sorted() if self._sortable() else range(len(cards))
        self._maker = maker = IndexMaker(cards, order)
        maker.step(self.SLICE)
        if self.waiting is not None or retired:
            self.refill(keep_cursor=True)
        while not maker.done:
            await self._between_slices()
            if generation is not self._generation:
                return
            made = maker.step(self.SLICE)
            if self._partial is not None:
                self._grow(made)
        self._maker = None
        self._indexed(maker.index)

    def _copy_made(self, index: SearchIndex) -> None:
        """The stored texts' copy in the list's order is whole: the filters look through it
        from now on. The result shown is put in its places (the user is idle: ~10 ms at
        126k cards), so a narrower filter looks through them, in the list's order; in a
        copy made in an older sort's order, it looks through its rows."""
        self.index = index
        self._settle()
        last = self._last
        if last is None or last.places is None or last.places[0] is index:
            return
        if index.order is self._sorted:
            at = list(index.places(last.shown))
            self._last = Filtered(last.query, last.shown, last.shown, index.order, (index, at))
        else:
            self._last = replace(last, places=None)

    def _indexed(self, index: SearchIndex) -> None:
        """Every row's search texts are here."""
        self.index = index
        partial, self._partial = self._partial, None
        if partial is not None and self.waiting is not None:
            # Every row looked through: the result is the whole filter's.
            self._last = Filtered(
                partial.query, partial.matched, self.shown, partial.looked, partial.places
            )
            self.query_one(CardList).grow(len(self.shown), now=True)
        if self._columns_asked:
            self._start_columns()
        self._arrived()
        self._settle()

    def _settle(self) -> None:
        """Lists of every row just made and kept (the index, a whole result): made old now,
        not walked by the young passes of the next key's frame (:meth:`IdleCollector.settle`)."""
        app_of(self).collector.settle()

    async def _between_slices(self) -> None:
        await asyncio.sleep(0)  # the event loop's turn: a frame, a key

    async def _between_copies(self) -> None:
        """Until the user is idle (:meth:`_until_idle`): a slice of the copy beside typing
        would slow the keys down more than the copy speeds them up."""
        await self._between_slices()
        await self._until_idle()

    async def _until_idle(self) -> None:
        """Until the user is not waiting for the screen (no key for a moment: the app's
        rule, :meth:`IdleCollector.idle`)."""
        collector = app_of(self).collector
        while not collector.idle(time.monotonic()):
            await asyncio.sleep(self.COPY_WAIT)

    async def _load_columns(self, generation: object, cards: Cards) -> None:
        ctx = ctx_of(self)

        def load(store: Store) -> Columns:
            return load_columns(store, cards.column("id"), ctx.today, self._owed)

        columns = await asyncio.to_thread(ctx.store.reading, load)
        if generation is not self._generation:
            return
        # A card suspended meanwhile: its state as read after the change.
        for r, (state, status, recall) in self._early.items():
            columns.states[r], columns.status[r], columns.recall[r] = state, status, recall
        self.columns = columns
        self._states_read.set()
        self._early = {}
        self._arrived()

    def _arrived(self) -> None:
        if self.waiting is not None:
            self.refill(keep_cursor=True)
        else:
            self.query_one(CardList).refresh()

    def _refill_partial(self, query: str) -> None:
        """What ``query`` matches among the rows whose search texts are made (a narrower
        filter than the last partial one looks only through its rows: it has grown with
        each slice made since)."""
        maker = self._maker
        assert maker is not None
        index, last = maker.index, self._partial
        rest = None if last is None else refine(last.query, query)
        # (by place in the index: the rows made so far are its first places)
        if last is not None and rest is not None and last.places is not None:
            at = select_places(last.places[1], rest, self.cards, index, self.columns)
        else:
            at = select_places(range(maker.made), query, self.cards, index, self.columns)
        self._partial = Filtered(query, index.rows(at), [], index.order, (index, at))
        self._show_partial(new=True)

    def _peek(self) -> SearchIndex | None:
        if self._peeked is False:
            self._peeked = self.cards.peek()
        assert self._peeked is not True
        return self._peeked

    def _first_then_all(self, query: str, rows: list[int]) -> bool:
        """A key's filter that looks through many rows' search texts (:attr:`FIRST_FROM`,
        :attr:`FIRST_FROM_COPY`): its first rows are walked for and shown in this frame (a
        screenful, found among the list's first rows: ~1 ms), its whole result made after
        it (its count, the rows past the screen: ~40 ms at 126k cards as decoded in notes
        order, ~25 ms through their copy in the list's order). Whether it was. (Through a
        copy in an older sort's order, whose places the list's rows would need first: at
        once.)"""
        index, last = self.index, self._last
        if index is None or not (index.order is rows or isinstance(index.order, range)):
            return False
        many = self.FIRST_FROM_COPY if index.order is rows else self.FIRST_FROM
        if len(rows) < many or not needs(query)[0]:
            return False
        rest = None if last is None else refine(last.query, query)
        # (the same terms, or a narrower filter of fewer rows: at once)
        few = last is not None and len(last.matched) < many
        if rest is not None and (not rest or few):
            return False
        first = FirstRows(query, rows, self.cards, index)
        self._first, self.waiting = first, "the count"
        self._walk(first, new=True, on=False)
        self.call_after_refresh(self._count, first)
        return True

    def _count(self, first: FirstRows) -> None:
        """The whole result of the filter whose first rows are shown (unless another came)."""
        if first is self._first:
            self._first, self.waiting = None, None
            self.refill(keep_cursor=True)
            self._settle()

    def _refill_first(self, query: str) -> None:
        """The first rows of ``query``'s result, while the stored texts are decoded: the
        list's rows walked in its order, a screenful of matches looked for now (a few
        thousand rows at most), then on between frames (:meth:`_walk_on`)."""
        index = self._peek()
        assert index is not None
        first = FirstRows(query, self._rows_sorted(), self.cards, index, self._first)
        new = self._first is None or first.matched is not self._first.matched
        self._first = first
        self._walk(first, new)

    def _walk(self, first: FirstRows, new: bool, on: bool = True) -> None:
        """Walk for ``first``'s rows and show them; ``on``: walk on between frames until a
        screenful is found."""
        wanted = self.app.size.height
        try:
            first.walk(wanted, self.FIRST_WALK)
        except ValueError:  # (a damaged cache under a valid CRC) the decode's result then
            self._first = None
            return
        table = self.query_one(CardList)
        if new:
            self.shown = list(first.matched)
            table.set_row_count(len(self.shown))
            doing = "counting" if self.waiting == "the count" else f"reading {self.waiting}"
            table.border_subtitle = f"first matches of {self.cards.total()} · {doing}…"
        else:
            self.shown.extend(first.matched[len(self.shown) :])
            table.grow(len(self.shown), now=first.done)  # (all found: its scrollbar)
        self._read_early(self.shown[: self.app.size.height])
        self.show_detail()
        if on and len(first.matched) < wanted and not first.done:
            self.call_after_refresh(self._walk_on, first)

    def _walk_on(self, first: FirstRows) -> None:
        """Walk on for ``first`` (between two frames), unless another filter or the whole
        texts came meanwhile."""
        if first is self._first:
            self._walk(first, new=False)

    @property
    def first_rows_of(self) -> str | None:
        """The filter whose result's first screenful the list shows (every row on the
        screen is the result's), while the rest of it is still looked for; else None."""
        if self.waiting is None:
            return None
        screenful = len(self.shown) >= self.app.size.height
        if self._first is not None:
            return self._first.query if screenful or self._first.done else None
        if self._partial is not None and self._maker is not None:
            return self._partial.query if screenful or self._maker.done else None
        return None

    def _grow(self, made: Sequence[int]) -> None:
        """Rows whose search texts were just made: the partial filter's matches among them."""
        partial = self._partial
        assert partial is not None and isinstance(partial.matched, list)
        assert self._maker is not None
        index, end = self._maker.index, self._maker.made
        assert partial.places is not None
        at = select_places(
            range(end - len(made), end), partial.query, self.cards, index, self.columns
        )
        partial.places[1].extend(at)
        partial.matched.extend(index.rows(at))
        self._show_partial(new=False)

    def _show_partial(self, new: bool) -> None:
        partial, maker = self._partial, self._maker
        assert partial is not None and maker is not None
        rows = self._rows_sorted()
        table = self.query_one(CardList)
        if maker.index.order is rows:  # the texts are made in the sort's order
            shown = list(partial.matched) if new else self.shown
            if not new:
                shown.extend(partial.matched[len(shown) :])
        else:
            shown = in_order(partial.matched, rows, self._ranks())
        self.shown = shown
        if new or maker.index.order is not rows:
            table.set_row_count(len(shown))
            # Not the count, which grows with each slice: a new title is a new frame.
            table.border_subtitle = (
                f"first matches of {self.cards.total()} · reading {self.waiting}…"
            )
        else:
            table.grow(len(shown))
        self._read_early(shown[: self.app.size.height])
        self.show_detail()

    def _read_early(self, rows: list[int]) -> None:
        """The stored columns of ``rows`` (those on screen) before all have arrived."""
        ctx = ctx_of(self)
        todo = [r for r in rows if r not in self._early]
        if self.columns is not None or not todo:
            return
        states = ctx.store.states_of([self.cards[r].id for r in todo])
        for r in todo:
            card = self.cards[r]
            state = states.get(card.id)
            self._early[r] = (
                state,
                *card_columns(ctx.store, card.id, state, ctx.today, self._owed),
            )

    def _read_unread(self) -> None:
        """Rows drawn before their stored columns were read (scrolled to): read, redraw."""
        rows, self._unread = list(self._unread), set()
        if rows and self.columns is None:
            self._read_early(rows)
            self.query_one(CardList).refresh()

    def _stored(self, r: int) -> tuple[CardState | None, str, float | None] | None:
        cols = self.columns
        if cols is not None:
            return cols.states[r], cols.status[r], cols.recall[r]
        return self._early.get(r)

    def _cells_at(self, i: int) -> tuple[Text, ...]:
        return self._cells(self.shown[i])

    def _cells(self, r: int) -> tuple[Text, ...]:
        card = self.cards[r]
        p = card.paper
        head = (
            fit(titled(p.title, p.short_name, p.contribution), self.paper_width),
            Text(card.kind.value),
            Text(str(p.year or "")),
            fit(", ".join(p.keywords), WIDTHS["keywords"]),
        )
        stored = self._stored(r)
        if stored is None:
            # Drawing reads nothing: the row is read once this frame is out.
            if not self._unread:
                self.call_later(self._read_unread)
            self._unread.add(r)
            return head + _PENDING
        st, status, recall = stored
        sm2 = st.sm2 if st else None
        return (
            *head,
            Text(status),
            Text("" if recall is None else f"{recall:.0%}"),
            Text(sm2.due.isoformat() if sm2 and sm2.due else ""),
            Text(f"{sm2.easiness:.2f}" if sm2 else ""),
            Text(str(sm2.interval) if sm2 else ""),
        )

    def _sortable(self) -> bool:
        """Whether the list's order can be made now (a stored column's needs the states)."""
        return (
            self._sorted is not None
            or self.columns is not None
            or (COLUMNS[self.sort_col] not in STORED)
        )

    def _rows_sorted(self) -> list[int]:
        if self._sorted is None:
            self._sorted = sort_rows(
                range(len(self.cards)),
                COLUMNS[self.sort_col],
                self.cards,
                self.columns,
                self.sort_reverse,
            )
            self.applied_query = None
            self._last = None  # its rows are in the old order
            self._rank = None
        return self._sorted

    def _ranks(self) -> array[int]:
        if self._rank is None:
            self._rank = ranks(self._rows_sorted())
        return self._rank

    def _made_ranks(self) -> array[int] | None:
        """Each row's place in the sort, if made (a filter does without: making them costs
        more than it saves once; :meth:`_rank_when_idle` makes them)."""
        return self._rank

    async def _rank_when_idle(self) -> None:
        """Each row's place in the sort, made once the user is idle (~25 ms at 126k cards:
        not in the frame a key waits for, nor beside the keys typed after it; a screen
        painted is not enough, a key typed at once then waits for them)."""
        try:
            await self._until_idle()
        finally:
            self._ranking = False
        if self._sorted is not None and self._rank is None:
            self._rank = ranks(self._sorted)

    def refill(self, keep_cursor: bool = False) -> None:
        """Show the rows the filter and sort ask for (the cursor on the first, or with
        ``keep_cursor`` on the card it was on, when still shown)."""
        was = self._selected_row() if keep_cursor else None
        query = self.query_one("#filter", Input).value
        table = self.query_one(CardList)
        column = COLUMNS[self.sort_col]
        need_index, need_columns = needs(query)
        need_columns = need_columns or (column in STORED and self._sorted is None)
        missing = [
            what
            for what, needed, have in (
                ("the search texts", need_index, self.index),
                ("the card states", need_columns, self.columns),
            )
            if needed and have is None
        ]
        if need_columns and self.columns is None:
            self.read_columns()
        if missing == ["the search texts"] and self._maker is not None:
            # Not waiting: the rows made so far are looked through now, the rest as made.
            self.waiting = missing[0]
            self._first = None
            self._refill_partial(query)
            return
        self._partial = None
        if missing == ["the search texts"] and self._peek() is not None:
            # Decoded (or their columns read) in a thread meanwhile: the first rows are
            # looked for one by one.
            self.waiting = missing[0]
            self._refill_first(query)
            return
        self._first = None
        if missing:
            # Not blocking: the worker's arrival refills. Meanwhile the list keeps what it
            # shows while that is still the filter's (a sort waiting for the states), else
            # it is emptied: rows the filter may not match must not be there to act on (a
            # trial's Down, Down, s typed at once suspended a card the filter left out).
            self.waiting = " and ".join(missing)
            if query != self.applied_query and self.shown:
                self.shown = []
                table.set_row_count(0)
                self.show_detail()
            table.border_subtitle = (
                f"{len(self.shown)} of {self.cards.total()} · reading {self.waiting}…"
                if query == self.applied_query
                else f"filtering {self.cards.total()} · reading {self.waiting}…"
            )
            return
        self.waiting = None
        rows = self._rows_sorted()
        if not keep_cursor and self._first_then_all(query, rows):
            return
        result = refilter(
            self._last, query, rows, self._made_ranks, self.cards, self.index, self.columns
        )
        shown = result.shown
        same = shown is self.shown
        self.shown, self._last = shown, result
        self.applied_query = query
        if not same:
            table.set_row_count(len(shown))
            if was is not None and was in shown:
                table.action_move(shown.index(was))
        elif keep_cursor:
            table.refresh()  # what arrived changes the rows' cells
        elif table.cursor_row or table.scroll_offset.y:
            table.set_row_count(len(shown))  # a new filter starts at the top, as any does
        title = f"{len(shown)} of {self.cards.total()} · sorted by {column}"
        if str(table.border_subtitle) != title:
            table.border_subtitle = title
        self._read_early(shown[: self.app.size.height])
        self.show_detail()
        # (a filter through an index in another order than the list's needs them; one
        # worker waits at a time: it ranks the sort of its day)
        index = self.index
        off_order = index is not None and index.order is not rows
        if off_order and self._rank is None and not self._ranking:
            self._ranking = True
            self.run_worker(self._rank_when_idle(), group="browse-rank")

    def resort(self) -> None:
        self._sorted = None
        self.refill()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._quiet()
        # At once, so the list changes in the frame that shows the key. Keys typed while a
        # refill ran have changed the filter since: only the newest change refills.
        if event.value == event.input.value:
            self.refill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # The focus stays in the filter (as in Anki's browser): a user who goes on typing
        # must not fire the list's keys (s suspends). Down or Tab goes to the list.
        if self.applied_query != event.value:
            self.refill()

    def on_card_list_header_clicked(self, event: CardList.HeaderClicked) -> None:
        idx = event.column
        self.sort_reverse = not self.sort_reverse if idx == self.sort_col else False
        self.sort_col = idx
        self.resort()

    def on_card_list_highlighted(self, event: CardList.Highlighted) -> None:
        self.show_detail()

    def _selected_row(self) -> int | None:
        table = self.query_one(CardList)
        if table.row_count == 0 or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def selected(self) -> Row | None:
        """The cursor's card, with its stored state as last read (None: not read yet)."""
        r = self._selected_row()
        if r is None:
            return None
        stored = self._stored(r)
        card = self.cards[r]
        return Row(card, stored[0] if stored else None, card.id in self._owed)

    def show_detail(self, *, again: bool = False) -> None:
        """The cursor's card below the list (``again``: read again, its state changed)."""
        r = self._selected_row()
        detail = self.query_one("#card-detail", Static)
        if r is None:  # (none yet, while what the filter needs is read)
            self._detail_of = None
            detail.update(Text("" if self.waiting else "no card matches", style="dim"))
            return
        if r == self._detail_of and not again:
            return  # typing on that keeps the top card: nothing to read or lay out
        self._detail_of = r
        ctx = ctx_of(self)
        from studydeck.tui.text import markdown_text

        card = self.cards[r]
        p = card.paper
        text = Text(titled(p.title, p.short_name, p.contribution), style="bold")
        where = f"{Path(p.source).name}:{p.line}" if p.line else Path(p.source).name
        text.append(f"\n{card.kind.value} · {where}\n\n", style="dim")
        text.append_text(markdown_text(card.back))
        st = ctx.store.states_of([card.id]).get(card.id)
        if st is not None:
            s = st.sm2
            text.append(
                f"\n\nSM-2: repetitions {s.repetitions}, EF {s.easiness:.2f}, "
                f"interval {s.interval} d, due {s.due or 'new'}; lapses {st.lapses}"
                f"{', leech' if st.leech else ''}{', suspended' if st.suspended else ''}",
                style="cyan",
            )
        history = ctx.store.reviews(cid=card.id)
        if history:
            text.append("\n\nhistory:", style="bold")
            for rv in history[-12:]:
                text.append(
                    f"\n  {rv.day}  grade {rv.quality}{'  (same-day repeat)' if rv.repeat else ''}"
                )
        detail.update(text)

    def action_focus_filter(self) -> None:
        """The filter takes the focus as the key comes (a priority binding), so the keys
        typed after it in one burst go to the filter, not to the list: Textual sends each
        key to what has the focus when the key comes, and a binding found as the key
        bubbles up runs only after the keys behind it were sent. Typed in the filter, ``/``
        is one of its characters; typed ahead from home (``b/``), before this screen is
        composed, it gives the filter the focus on mount."""
        try:
            field = self.query_one("#filter", Input)
        except NoMatches:  # (not composed yet)
            self._filter_first = True
            return
        if self.focused is field:
            # The first key into the filter since it took the focus (``b/vid`` from home,
            # ``/`` after Esc emptied it), or one typed into an empty filter after a key that
            # is no character (backspace), is no character: the filter is there already.
            # Else it is one ("K/V"), after the keys before it. Told by the keys as they come
            # (a burst's earlier keys have not reached the filter's text yet).
            app = app_of(self)
            before = app.keys_last[0]
            if app.keys_seen - 1 == self._filter_since or (
                not field.value and len(before) > 1 and before != "space"
            ):
                return
            raise SkipAction
        self.set_focus(field)  # (now: focus() would wait for the keys already sent)
        self._filter_since = app_of(self).keys_seen

    def action_focus_list(self) -> None:
        """From the filter, the list takes the focus now (see :meth:`action_focus_filter`)."""
        if not isinstance(self.focused, Input):
            raise SkipAction
        self.set_focus(self.query_one(CardList))

    def action_tab(self) -> None:
        """From the filter, the list takes the focus now; elsewhere the next widget."""
        if isinstance(self.focused, Input):
            self.set_focus(self.query_one(CardList))
        else:
            self.focus_next()

    def action_back_tab(self) -> None:
        """From the list, the filter takes the focus now; elsewhere the widget before."""
        if isinstance(self.focused, CardList):
            self.set_focus(self.query_one("#filter", Input))
            self._filter_since = app_of(self).keys_seen
        else:
            self.focus_previous()

    def _list_key(self) -> None:
        """A list key typed in the filter (or elsewhere than the list) is not the list's."""
        if not isinstance(self.focused, CardList):
            raise SkipAction

    def action_cycle_sort(self) -> None:
        self._list_key()
        self.sort_col = (self.sort_col + 1) % len(COLUMNS)
        self.resort()

    @reports_errors
    def action_toggle_suspend(self) -> None:
        self._list_key()
        r = self._selected_row()
        if r is None:
            return
        ctx = ctx_of(self)
        card = self.cards[r]
        state = ctx.store.states_of([card.id]).get(card.id)
        if state is None:
            return
        ctx.store.set_suspended(card.id, not state.suspended)
        new = ctx.store.state(card.id)
        status, recall = card_columns(ctx.store, card.id, new, ctx.today, self._owed)
        if self.columns is not None:
            cols = self.columns
            cols.states[r], cols.status[r], cols.recall[r] = new, status, recall
        else:
            self._early[r] = (new, status, recall)  # kept when the worker's columns arrive
        if COLUMNS[self.sort_col] in STORED:
            # The row stays under the cursor now; the next filter or sort sorts it anew.
            self._sorted = None
        self._last = None  # the rows the filter matched may have changed (state:)
        self.notify(
            ("Suspended: " if new.suspended else "Unsuspended: ") + card.paper.title,
            markup=False,
        )
        table = self.query_one(CardList)
        table.refresh_row(table.cursor_row)
        self.show_detail(again=True)

    @reports_errors
    def action_move(self) -> None:
        self._list_key()
        row = self.selected()
        if row is not None:
            move_statement(self, row.card, self._after_move)

    def _after_move(self) -> None:
        row = self._selected_row()
        moved = None if row is None else self.cards.column("id")[row]
        ctx_of(self).reload()
        self._read_cards()  # the cards' texts changed
        self.refill()
        if moved is not None:  # the cursor stays at the card (a trial's jumped to the top):
            # on it, or, emptied by the move (retired: listed once read again), on its
            # paper's first card.
            ids, paper = self.cards.column("id"), moved.partition("/")[0] + "/"
            ours = [i for i, r in enumerate(self.shown) if ids[r].startswith(paper)]
            at = next((i for i in ours if ids[self.shown[i]] == moved), ours[0] if ours else None)
            if at is not None:
                self.query_one(CardList).action_move(at)

    def action_leave(self) -> None:
        if (
            self.focused is self.query_one("#filter", Input)
            and self.query_one("#filter", Input).value
        ):
            self.query_one("#filter", Input).value = ""
            self._filter_since = app_of(self).keys_seen  # (the filter anew, as at its focus)
            return
        app_of(self).leave(self)
