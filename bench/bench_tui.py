"""Start-up to the first card (10,000-paper deck, cached) beside a bare Textual app, and
key-press-to-next-card latency over 200 answers.

    python -m bench.bench_tui [N]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import write

BARE = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.done)
    def done(self):
        import time
        print(time.time(), flush=True)
        self.exit()
Bare().run(headless=True)
"""

FIRST_CARD = """
import sys
from pathlib import Path
from studydeck.cli import main
from studydeck.tui import app as tui_app

original = tui_app.StudydeckApp.on_mount

def on_mount(self):
    original(self)
    def check():
        screen = self.screen
        session = getattr(screen, "session", None)
        if session is not None and session.current is not None:
            self.call_after_refresh(done)
    def done():
        import time
        print(time.time(), flush=True)
        self.exit(0)
    self.set_interval(0.005, check)

tui_app.StudydeckApp.on_mount = on_mount
run = tui_app.StudydeckApp.run
tui_app.StudydeckApp.run = lambda self, **kw: run(self, headless=True)
sys.exit(main(["review", sys.argv[1], "--db", sys.argv[2]]))
"""


# Users' Pythons cache bytecode; some sandboxes switch that off, which would time the
# compiler rather than start-up. Both apps get the same environment.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def first_paint(argv: list[str]) -> float:
    t = time.time()
    out = subprocess.run(argv, check=True, capture_output=True, env=ENV, text=True).stdout
    return float(next(line for line in out.splitlines() if line.strip())) - t


def timed_pair(bare: list[str], ours: list[str], runs: int = 11) -> tuple[float, float]:
    """Median time to first paint of each, runs interleaved so machine noise hits both."""
    first_paint(bare), first_paint(ours)  # warm: bytecode, disk cache
    a, b = [], []
    for _ in range(runs):
        a.append(first_paint(bare))  # until the screen was painted, not until the process ended
        b.append(first_paint(ours))
    return statistics.median(a), statistics.median(b)


async def latency(notes: Path, db: Path, answers: int = 200) -> list[float]:
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
        settings=Settings(new_per_day=answers + 10),
        fetcher=FigureFetcher(None, offline=True),
    )
    from studydeck.tui.screens.review import ReviewScreen

    # Measured inside the app: from the grade key's action to the moment the next card has
    # been laid out and painted (Pilot's own per-key pauses are left out).
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


def main(n: int = 10000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        notes = write(Path(tmp) / "notes.md", n)
        db = Path(tmp) / "s.db"
        # First run parses and fills the cache; then time cached start-ups.
        subprocess.run(
            [sys.executable, "-c", FIRST_CARD, str(notes), str(db)], check=True, capture_output=True
        )
        bare, ours = timed_pair(
            [sys.executable, "-c", BARE], [sys.executable, "-c", FIRST_CARD, str(notes), str(db)]
        )
        print(f"bare Textual app, process start to first screen: {bare:.3f} s")
        print(
            f"studydeck, process start to first card ({n} papers, cached): {ours:.3f} s "
            f"(+{ours - bare:.3f} s; target +0.5 s)"
        )
        lat = sorted(asyncio.run(latency(notes, Path(tmp) / "lat.db")))
        p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95)]
        print(
            f"key press to next card over {len(lat)} answers: p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms (target p95 < 50 ms)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
