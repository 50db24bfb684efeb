"""Browse: opening the browse screen and each filter keystroke, beside the same Pilot steps
on a bare Textual app (push a screen; type into an Input). In process, after the deck is
open (cached); runs interleaved with the bare app's, medians.

A keystroke is timed from the key press to the list showing its result: the screen says
which query its list shows (``applied_query``), and the time stops at the first paint after
it matches what was typed (a filter waiting for the worker's search texts waits inside the
time). Browse paints before its worker has read every card's stored columns, so the keys are
typed twice: at once after opening (while the worker runs beside them), and once the worker
is done ("loaded": from the key ``b`` to every column read). Each key is timed twice: to
the first frame that shows the first screenful of its result (``first_rows_of``: browse
paints a filter that looks through many rows, or one typed before the texts are decoded,
as its first rows first), and to the frame that shows its whole result (its count). The
target is the first: what the key shows. Each key is pressed as soon as the last one's
whole result is painted: the worst case for Textual's frame pacing (a change waits for the
screen's next update tick, up to two sixtieths of a second after the last frame; the bare
app's keys wait the same), so these are upper bounds for real typing.

    python -m bench.bench_browse [--papers 50000] [--runs 3] [--quick]
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import events

from bench.common import DATA, arguments, line
from bench.generate import deck_with_history

QUERY = "video 1"


class Frames:
    """Times the first frame the app puts out in which ``want(app)`` holds.

    Pilot's own waits (``press``, ``pause``) wait for the whole process to idle, and a worker
    thread keeps it busy, so here keys are sent to the driver as Pilot sends them, and the
    time stops at the first frame (the compositor's update, handed to ``App._display``)
    that shows the result: what the user sees, whatever runs beside it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.want: Callable[[Any], bool] | None = None
        self.at: float | None = None
        self.early: Callable[[Any], bool] | None = None
        self.early_at: float | None = None
        self.firsts: list[float] = []
        """Per key pressed: seconds to the first frame that shows rows of its result (all
        of them, or while the search texts are made the first ones: ``early``)."""
        self.cpu_at = 0.0
        self.cpu: list[float] = []
        """Per key pressed: the UI thread's CPU time from the key to the frame (what the
        app spent, whatever else runs on the machine or holds the GIL)."""
        real = app._display

        def display(screen: Any, renderable: Any) -> None:
            real(screen, renderable)
            if renderable is not None and self.early_at is None and self.early and self.early(app):
                self.early_at = time.perf_counter()
            if renderable is not None and self.at is None and self.want and self.want(app):
                self.at = time.perf_counter()
                self.cpu_at = time.thread_time()

        app._display = display

    async def press(
        self, key: str, want: Callable[[Any], bool], early: Callable[[Any], bool] | None = None
    ) -> float:
        """Key ``key`` pressed -> first frame where ``want`` holds, in seconds (and to the
        first where ``early`` or ``want`` does, in :attr:`firsts`)."""
        self.want, self.at = want, None
        self.early, self.early_at = early, None
        t = time.perf_counter()
        event = events.Key(key, key if len(key) == 1 else " " if key == "space" else None)
        event.set_sender(self.app)
        cpu = time.thread_time()
        self.app._driver.send_message(event)
        took = await self.until(want) - t
        self.cpu.append(self.cpu_at - cpu)
        first = self.at if self.early_at is None else min(self.at, self.early_at)
        self.firsts.append(first - t)
        self.early = None
        return took

    async def until(self, want: Callable[[Any], bool]) -> float:
        self.want, self.at = want, None
        self.app.screen.refresh()  # a frame to look at, should nothing else change
        while self.at is None:
            await asyncio.sleep(0.0005)
        return self.at


def shows(screen_name: str, query: str | None = None) -> Callable[[Any], bool]:
    """The screen is up and its list shows ``query``'s result (a screen that says which
    query it shows: ``applied_query``; else what its Input holds)."""

    def want(app: Any) -> bool:
        screen = app.screen
        if type(screen).__name__ != screen_name:
            return False
        if query is None:
            return True
        applied = getattr(screen, "applied_query", None)
        if applied is None and not hasattr(screen, "applied_query"):
            applied = screen.query_one("#filter").value
        return bool(applied == query)

    return want


def first_rows(query: str) -> Callable[[Any], bool]:
    """Browse shows the first screenful of ``query``'s result (or all of it, when shorter),
    the rest still being looked for: the search texts being made, or decoded while the
    list's rows are looked up one by one (``first_rows_of``)."""

    def want(app: Any) -> bool:
        return bool(getattr(app.screen, "first_rows_of", None) == query)

    return want


async def typing(frames: Frames, screen_name: str) -> list[float]:
    return [
        await frames.press(
            ch if ch != " " else "space",
            shows(screen_name, QUERY[: i + 1]),
            first_rows(QUERY[: i + 1]),
        )
        for i, ch in enumerate(QUERY)
    ]


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
        frames = Frames(app)
        opened = await frames.press("b", shows("Other"))
        app.screen.query_one(Input).focus()
        await pilot.pause()
        keys = await typing(frames, "Other")
    return opened, keys


class Browsed:
    opened: float
    opened_cpu: float
    loaded: float
    keys_loading: list[float]
    firsts_loading: list[float]
    keys: list[float]
    firsts: list[float]
    cpu_loading: list[float]
    cpu: list[float]


async def browse(ctx: Any) -> Browsed:
    from textual.widgets import Input

    from studydeck.tui.app import create_app

    out = Browsed()
    app = create_app(ctx, start="home")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # home's counts
        await pilot.pause()
        frames = Frames(app)
        t = time.perf_counter()
        out.opened = await frames.press("b", shows("BrowseScreen"))
        out.opened_cpu = frames.cpu[-1]
        screen = app.screen
        screen.query_one(Input).focus()
        out.keys_loading = await typing(frames, "BrowseScreen")
        out.cpu_loading = frames.cpu[-len(QUERY) :]
        out.firsts_loading = frames.firsts[-len(QUERY) :]
        out.loaded = await frames.until(lambda app: bool(getattr(app.screen, "loaded", True))) - t
        screen.query_one(Input).value = ""
        await frames.until(shows("BrowseScreen", ""))
        out.keys = await typing(frames, "BrowseScreen")
        out.cpu = frames.cpu[-len(QUERY) :]
        out.firsts = frames.firsts[-len(QUERY) :]
    return out


def main() -> None:
    args = arguments(__doc__, papers=50000)
    args.runs = min(args.runs, 3) if not args.quick else args.runs
    Path(DATA).mkdir(parents=True, exist_ok=True)
    notes, db = deck_with_history(Path(DATA), args.papers, 0)

    from studydeck.config import Settings
    from studydeck.figures import FigureFetcher
    from studydeck.loading import open_deck
    from studydeck.store import Store
    from studydeck.tui.app import AppContext

    store = Store.open(db)
    deck, _ = open_deck(store, [notes], datetime.now(UTC))
    ctx = AppContext(
        store=store,
        deck=deck,
        paths=[notes],
        settings=Settings(),
        fetcher=FigureFetcher(None, offline=True),
    )
    bares, ours = [], []
    for _ in range(args.runs):
        bares.append(asyncio.run(bare()))
        ours.append(asyncio.run(browse(ctx)))
    store.close()
    med = statistics.median
    b_open = med(b[0] for b in bares)
    b_key = med(k for b in bares for k in b[1])
    keys = [k for o in ours for k in o.keys]
    loading = [k for o in ours for k in o.keys_loading]
    print(
        line(
            f"browse open, {args.papers} papers ({deck.card_count} cards), {args.runs} runs",
            med(o.opened for o in ours),
            b_open,
            "bare app pushing a screen",
            "<= 0.2 s",
        )
    )
    print(
        f"  the first open in this process: {ours[0].opened:.3f} s, UI thread CPU "
        f"{ours[0].opened_cpu * 1000:.0f} ms (later opens: "
        + ", ".join(f"{o.opened_cpu * 1000:.0f}" for o in ours[1:])
        + f" ms); the deck's Card objects built: {built(deck)} of {deck.card_count}"
    )
    loaded_firsts = [k for o in ours for k in o.firsts]
    firsts = [k for o in ours for k in o.firsts_loading]
    for label, first_keys, whole_keys in (
        ("once loaded", loaded_firsts, keys),
        ("right after opening, worker running", firsts, loading),
    ):
        # What a key shows: the list's first screenful of its result (the target); its
        # whole result (the count, the rows past the screen) a frame or two later.
        print(
            line(
                f"filter keystroke {label}, to the first frame showing its result's first "
                "rows (median)",
                med(first_keys),
                b_key,
                "bare app typing into an Input",
                "<= 50 ms",
            )
            + f" | max {max(first_keys):.3f} s"
        )
        print(
            f"  the same keys, to the frame showing the whole result (its count): median "
            f"{med(whole_keys):.3f} s, max {max(whole_keys):.3f} s"
        )
    print(
        "  UI thread CPU per keystroke (medians): once loaded "
        f"{med(k for o in ours for k in o.cpu) * 1000:.1f} ms (max "
        f"{max(k for o in ours for k in o.cpu) * 1000:.1f}), right after opening "
        f"{med(k for o in ours for k in o.cpu_loading) * 1000:.1f} ms (max "
        f"{max(k for o in ours for k in o.cpu_loading) * 1000:.1f})"
    )
    for label, phase in (("right after opening", "cpu_loading"), ("once loaded", "cpu")):
        # Per key typed (the query so far): which key is the slow one.
        per_key = [med(getattr(o, phase)[i] for o in ours) for i in range(len(QUERY))]
        print(
            f"  UI thread CPU per key, {label} (median of the runs): "
            + ", ".join(f"{QUERY[: i + 1]!r} {c * 1000:.0f}" for i, c in enumerate(per_key))
            + " ms"
        )
    for label, phase in (
        ("right after opening, to the first rows", "firsts_loading"),
        ("right after opening, to the whole result", "keys_loading"),
        ("once loaded, to the first rows", "firsts"),
        ("once loaded, to the whole result", "keys"),
    ):
        print(
            f"  {label}, per key (max of the runs): "
            + ", ".join(
                f"{QUERY[: i + 1]!r} {max(getattr(o, phase)[i] for o in ours) * 1000:.0f}"
                for i in range(len(QUERY))
            )
            + " ms"
        )
    print(
        f"every column read (from the key b): {med(o.loaded for o in ours):.3f} s "
        "(in a worker thread; the list is live meanwhile)"
    )
    print(
        f"memory: {rss_mib():.0f} MiB resident after the runs, peak "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


def built(deck: Any) -> int:
    """How many of the deck's Card objects exist (a cached deck builds them when asked)."""
    if "cards" in deck.__dict__:
        return int(deck.card_count)
    return len(deck.__dict__.get("_made_cards", ()))


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


if __name__ == "__main__":
    main()
