"""Browse: opening the browse screen and each filter keystroke, beside the same Pilot steps
on a bare Textual app (push a screen; type into an Input). In process, after the deck is
open (cached).

    python -m bench.bench_browse [--papers 50000] [--quick]
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import DATA, arguments, line
from bench.generate import deck_with_history

QUERY = "video 1"


async def settle(pilot: Any, screen_name: str, query: str | None = None) -> None:
    """Until the screen is up and (when the screen shows which query it applied) the query
    has been applied, and the result painted."""
    app = pilot.app
    while True:
        await pilot.pause()
        screen = app.screen
        if type(screen).__name__ != screen_name:
            continue
        if query is not None and getattr(screen, "applied_query", query) != query:
            continue
        return


async def bare() -> tuple[float, list[float]]:
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Input, Static

    class Other(Screen[None]):
        def compose(self) -> Any:
            yield Input(id="filter")
            yield Static("rows")

    class Bare(App[None]):
        BINDINGS = [("b", "other", "")]  # noqa: RUF012

        def compose(self) -> Any:
            yield Static("home")

        def action_other(self) -> None:
            self.push_screen(Other())

    app = Bare()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("b")
        await settle(pilot, "Other")
        opened = time.perf_counter() - t
        app.screen.query_one(Input).focus()
        keys = []
        for i, ch in enumerate(QUERY):
            t = time.perf_counter()
            await pilot.press(ch if ch != " " else "space")
            await settle(pilot, "Other", QUERY[: i + 1])
            keys.append(time.perf_counter() - t)
    return opened, keys


async def browse(notes: Path, db: Path) -> tuple[float, list[float], int]:
    from textual.widgets import Input

    from studydeck.config import Settings
    from studydeck.figures import FigureFetcher
    from studydeck.loading import open_deck
    from studydeck.store import Store
    from studydeck.tui.app import AppContext, create_app

    store = Store.open(db)
    deck, _ = open_deck(store, [notes], datetime.now(UTC))
    ctx = AppContext(
        store=store,
        deck=deck,
        paths=[notes],
        settings=Settings(),
        fetcher=FigureFetcher(None, offline=True),
    )
    app = create_app(ctx, start="home")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, "HomeScreen")
        t = time.perf_counter()
        await pilot.press("b")
        await settle(pilot, "BrowseScreen")
        opened = time.perf_counter() - t
        app.screen.query_one(Input).focus()
        keys = []
        for i, ch in enumerate(QUERY):
            t = time.perf_counter()
            await pilot.press(ch if ch != " " else "space")
            await settle(pilot, "BrowseScreen", QUERY[: i + 1])
            keys.append(time.perf_counter() - t)
    store.close()
    return opened, keys, len(deck.cards)


def main() -> None:
    args = arguments(__doc__, papers=50000)
    Path(DATA).mkdir(parents=True, exist_ok=True)
    notes, db = deck_with_history(Path(DATA), args.papers, 0)
    b_open, b_keys = asyncio.run(bare())
    o_open, o_keys, cards = asyncio.run(browse(notes, db))
    print(
        line(
            f"browse open, {args.papers} papers ({cards} cards)",
            o_open,
            b_open,
            "bare app pushing a screen",
            "<= 0.2 s",
        )
    )
    print(
        line(
            "filter keystroke (median)",
            statistics.median(o_keys),
            statistics.median(b_keys),
            "bare app typing into an Input",
            "<= 50 ms",
        )
        + f" | max {max(o_keys):.3f} s"
    )


if __name__ == "__main__":
    main()
