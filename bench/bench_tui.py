"""Warm start: process start to the first card (cached deck) beside a bare Textual app,
and key-press-to-next-card latency.

    python -m bench.bench_tui [--papers 10000] [--runs 5] [--quick]
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import DATA, FIRST_CARD, arguments, bare_app, line, paired, tui_until
from bench.generate import write_deck


async def latency(notes: Path, db: Path, answers: int = 100) -> list[float]:
    from studydeck.config import Settings
    from studydeck.figures import FigureFetcher
    from studydeck.loading import open_deck
    from studydeck.store import Store
    from studydeck.tui.app import AppContext, create_app
    from studydeck.tui.screens.review import ReviewScreen

    store = Store.open(db)
    deck, _ = open_deck(store, [notes], datetime.now(UTC))
    ctx = AppContext(
        store=store,
        deck=deck,
        paths=[notes],
        settings=Settings(new_per_day=answers + 10),
        fetcher=FigureFetcher(None, offline=True),
    )
    # From the grade key's action until the next card has been laid out and painted.
    out: list[float] = []
    original = ReviewScreen.action_grade

    def action_grade(self: ReviewScreen, quality: int) -> None:
        t = time.perf_counter()
        original(self, quality)
        self.call_after_refresh(lambda: out.append((time.perf_counter() - t) * 1000))

    ReviewScreen.action_grade = action_grade  # type: ignore[method-assign]
    app = create_app(ctx, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(answers):
            await pilot.press("space", "4")
        await pilot.pause()
    ReviewScreen.action_grade = original  # type: ignore[method-assign]
    store.close()
    return out


def main() -> None:
    args = arguments(__doc__, papers=10000)
    Path(DATA).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        notes = write_deck(Path(tmp), args.papers)
        db = Path(tmp) / "s.db"
        ours = tui_until(FIRST_CARD, "review", str(notes), "--db", str(db))
        bare, first, _, rss = paired(bare_app(), ours, args.runs)
        print(
            line(
                f"warm start to first card, {args.papers} papers",
                first,
                bare,
                "bare Textual app",
                "<= bare + 0.25 s",
            )
            + f" | +{first - bare:.3f} s | peak RSS {rss} MiB"
        )
        lat = sorted(asyncio.run(latency(notes, Path(tmp) / "lat.db", 30 if args.quick else 100)))
        p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95)]
        print(f"key press to next card: p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < 50 ms)")


if __name__ == "__main__":
    main()
