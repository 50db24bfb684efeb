"""Shared pieces of the benchmarks: sizes, the generated deck + store, paired whole-process
timings and the peak memory of a child process.

Every benchmark prints its figure beside the raw baseline of the same work measured in the
same run (a bare Textual app, the block-level markdown-it parse, a raw SQL aggregate), and
the ratio between them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

# Users' Pythons cache bytecode; some sandboxes switch that off, which would time the
# compiler rather than start-up. Both apps get the same environment.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

#: Prepended to every child script: ``report()`` prints the wall time, then the peak RSS (MiB).
REPORT = """
import resource, time
def report():
    print(time.time(), flush=True)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, flush=True)
"""

BARE_APP = (
    REPORT
    + """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.done)
    def done(self):
        report()
        self.exit()
Bare().run(headless=True)
"""
)


def arguments(doc: str | None, papers: int, reviews: int = 0) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--quick", action="store_true", help="small sizes, few runs (a smoke run)")
    p.add_argument("--papers", type=int, default=papers)
    p.add_argument("--reviews", type=int, default=reviews)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    if args.quick:
        args.papers = min(args.papers, 2000)
        args.reviews = min(args.reviews, 20000)
        args.runs = min(args.runs, 2)
    return args


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def line(what: str, ours: float, base: float, base_name: str, target: str, unit: str = "s") -> str:
    ratio = ours / base if base else float("inf")
    return (
        f"{what}: {ours:.3f} {unit} | {base_name}: {base:.3f} {unit} | "
        f"ratio {ratio:.2f}x | target {target}"
    )


def child_run(argv: list[str]) -> tuple[float, int]:
    """(seconds from start until the child called ``report()``, the child's peak RSS in MiB)."""
    t = time.time()
    proc = subprocess.run(argv, capture_output=True, env=ENV, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {proc.stderr[-3000:]}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    return float(lines[-2]) - t, int(lines[-1])


def paired(bare: list[str], ours: list[str], runs: int) -> tuple[float, float, int, int]:
    """Median time of each (runs interleaved so machine noise hits both, after a warm run),
    and each one's peak RSS (MiB)."""
    child_run(bare), child_run(ours)
    a, b, ra, rb = [], [], 0, 0
    for _ in range(runs):
        t, r = child_run(bare)
        a.append(t)
        ra = max(ra, r)
        t, r = child_run(ours)
        b.append(t)
        rb = max(rb, r)
    return statistics.median(a), statistics.median(b), ra, rb


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


DATA = os.environ.get("STUDYDECK_BENCH_DATA", "/tmp/studydeck-bench")

#: A studydeck command run headless until ``READY`` holds (checked every 5 ms on the app);
#: then ``report()`` after the next refresh, and exit. argv: the command's arguments.
TUI_UNTIL = (
    REPORT
    + """
import sys
from studydeck.cli import main
from studydeck.tui import app as tui_app

original = tui_app.StudydeckApp.on_mount

def on_mount(self):
    original(self)
    def check():
        if READY(self):
            timer.stop()
            self.call_after_refresh(done)
    def done():
        report()
        self.exit(0)
    timer = self.set_interval(0.005, check)

tui_app.StudydeckApp.on_mount = on_mount
run = tui_app.StudydeckApp.run
tui_app.StudydeckApp.run = lambda self, **kw: run(self, headless=True)
sys.exit(main(sys.argv[1:]))
"""
)

FIRST_CARD = """
def READY(app):
    session = getattr(app.screen, "session", None)
    return session is not None and session.current is not None
"""

HOME_PAINTED = """
def READY(app):
    return type(app.screen).__name__ == "HomeScreen"
"""

HOME_COUNTED = """
def READY(app):
    return type(app.screen).__name__ == "HomeScreen" and app.screen.counted
"""


def tui_until(ready: str, *argv: str) -> list[str]:
    return python(ready + TUI_UNTIL, *argv)


def bare_app() -> list[str]:
    return python(BARE_APP)
