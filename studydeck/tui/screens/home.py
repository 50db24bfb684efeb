"""Home: the deck, today's counts and streak, and the way to everything else."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from studydeck.stats import Stats, compute
from studydeck.tui.context import ctx_of
from studydeck.tui.widgets.footer import StudydeckFooter
from studydeck.tui.widgets.title import TitleBar
from studydeck.wording import plural


class HomeScreen(Screen[None]):
    TITLE = "Home"
    BINDINGS = [
        Binding(
            "r,enter", "app.review", "Review", id="home.review", tooltip="Start today's review"
        ),
        Binding("q", "app.quiz", "Quiz", id="home.quiz", tooltip="Quiz yourself before a meeting"),
        Binding(
            "b",
            "app.browse",
            "Browse",
            id="home.browse",
            tooltip="Browse and filter all cards",
            # Browse opened as the key comes (not once it has bubbled up): Textual sends a
            # key to what has the focus when it comes, so in a burst (``b/vid`` typed fast)
            # the characters after ``b`` went to home, not to browse's filter.
            priority=True,
        ),
        Binding("s", "app.stats", "Stats", id="home.stats", tooltip="Statistics"),
    ]

    counted = False
    """Whether the counts of the latest refresh are shown (they are made in a worker)."""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="home-body"):
            yield Static(id="home-deck")
            yield Static(id="home-counts")
            yield Static(id="home-notice")
            yield Static(
                Text("r review · q quiz · b browse · s stats · ? help · ctrl+q quit", style="dim"),
                id="home-keys",
            )
        yield StudydeckFooter()

    def on_screen_resume(self) -> None:
        # Not while the app is closing: popping the screens above resumes this one.
        if not getattr(self.app, "_exit", False):
            self.refresh_counts()

    def refresh_counts(self) -> None:
        """Show the deck now; count in a worker thread (a long history must not hold the
        first paint), then show the counts. A newer refresh replaces one still counting."""
        ctx = ctx_of(self)
        deck = ctx.deck
        title = Text(deck.name, style="bold")
        title.append(
            f"   {plural(deck.paper_count, 'paper')} · {plural(deck.card_count, 'card')}",
            style="dim",
        )
        for src in deck.sources:
            title.append(f"\n{Path(src).name}", style="dim italic")
        self.query_one("#home-deck", Static).update(title)
        self.counted = False
        self.query_one("#home-counts", Static).update(Text("counting…", style="dim"))
        # Start counting once this paint is done: the worker's thread would otherwise hold
        # the GIL half the time while the screen is drawn.
        self.call_after_refresh(self._start_counting)

    def _start_counting(self) -> None:
        self.run_worker(self._count(), group="home-counts", exclusive=True)

    async def _count(self) -> None:
        ctx = ctx_of(self)
        st = await asyncio.to_thread(
            ctx.store.reading, compute, ctx.deck, ctx.today, ctx.settings, details=False
        )
        self._show_counts(st)

    def _show_counts(self, st: Stats) -> None:
        """Today's work as the review will hold it: due, new and again today (the same-day
        repeats owed) add up to its "to go". Cards in learning due later are not today's."""
        ctx = ctx_of(self)
        deck = ctx.deck
        table = Table.grid(padding=(0, 3))
        for _ in range(5):
            table.add_column(justify="center")
        table.add_row(
            *(
                Text(str(v), style="bold " + c)
                for v, c in (
                    (st.due_today, "green"),
                    (st.new_available, "cyan"),
                    (st.repeats, "yellow"),
                    (st.reviewed_today, "magenta"),
                    (st.streak, "bright_white"),
                )
            )
        )
        table.add_row(
            *(
                Text(x, style="dim")
                for x in ("due", "new", "again today", "reviewed today", "day streak")
            )
        )
        self.query_one("#home-counts", Static).update(table)
        notice = Text()
        notice.append("\n".join(x for x in (ctx.demo, ctx.notice) if x), style="italic")
        if deck.errors or deck.warnings:
            notice.append(
                f"\n{len(deck.errors)} errors, {len(deck.warnings)} warnings in the notes "
                "(run `studydeck check`)",
                style="yellow",
            )
        if st.due_today + st.new_available + st.repeats == 0:
            notice.append("\nNothing due: all done for today.", style="green")
        self.query_one("#home-notice", Static).update(notice)
        self.counted = True
