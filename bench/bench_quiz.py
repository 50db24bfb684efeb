"""Quiz: the first question of a 20-question quiz over the whole deck, beside opening the
same (cached) deck alone; a whole process each.

    python -m bench.bench_quiz [--papers 50000] [--reviews 100000] [--quick]

Two pairs. The first is the quiz's own work in a bare process (no reviews, no app). The
second is what a user sees: ``studydeck quiz -n 20`` in the app until question 1 is painted,
beside ``studydeck`` (home) painted for the same deck and a store with ``--reviews`` past
answers.

Besides the paired figure, the quiz process says how long its own part took (importing the
quiz package, planning, building the first question) and how much of that the cyclic
collector took. The quiz selects and indexes from the cached deck's columns and makes a
Paper or Card only for what a question reads (a few hundred of 50,000), so it leaves the
collector little to do; building every paper was most of its time before.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

from bench.common import (
    DATA,
    ENV,
    HOME_PAINTED,
    REPORT,
    arguments,
    child_run,
    line,
    paired,
    python,
    tui_until,
)
from bench.generate import deck_with_history

DECK = """
store = Store.open(Path(sys.argv[2]))
deck, _ = open_deck(store, [Path(sys.argv[1])], datetime.now(UTC))
"""
IMPORTS = """
import sys, time
from pathlib import Path
from datetime import UTC, datetime
from studydeck.loading import open_deck
from studydeck.store import Store
"""
OPEN = REPORT + IMPORTS + DECK

# As ``studydeck quiz`` does: the quiz package imported first, then the deck opened.
QUIZ = (
    REPORT
    + IMPORTS
    + """
import gc
began = time.perf_counter()
from studydeck.quiz import Selection, plan_quiz
imported = time.perf_counter() - began
"""
    + DECK
    + """
collecting = [0.0, 0.0]
def on_gc(phase, info):
    if phase == "start":
        collecting[1] = time.perf_counter()
    else:
        collecting[0] += time.perf_counter() - collecting[1]
gc.callbacks.append(on_gc)
began = time.perf_counter()
plan = plan_quiz(deck, Selection(), 20, 7)
planned = time.perf_counter()
first = plan.questions[0]
asked = time.perf_counter()
print(imported, planned - began, asked - planned, collecting[0], flush=True)
report()
"""
)


QUIZ_SHOWN = """
def READY(app):
    screen = app.screen
    return type(screen).__name__ == "QuizScreen" and screen.current is not None
"""


def split_run(argv: list[str]) -> tuple[float, list[float]]:
    """(whole-process seconds as :func:`child_run` counts them, and the quiz's own seconds:
    importing the quiz package, planning, building question 1, of these in the collector)."""
    t = time.time()
    proc = subprocess.run(argv, capture_output=True, env=ENV, text=True, check=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    return float(lines[-2]) - t, [float(x) for x in lines[-3].split()]


def main() -> None:
    args = arguments(__doc__, papers=50000, reviews=100_000)
    Path(DATA).mkdir(parents=True, exist_ok=True)
    notes, db = deck_with_history(Path(DATA), args.papers, 0)
    base, ours = python(OPEN + "report()\n", str(notes), str(db)), python(QUIZ, str(notes), str(db))
    child_run(base), child_run(ours)
    a, b, parts = [], [], []
    for _ in range(args.runs):
        a.append(child_run(base)[0])
        whole, quiz = split_run(ours)
        b.append(whole)
        parts.append(quiz)
    o, q = statistics.median(a), statistics.median(b)
    print(
        line(
            f"quiz first question, {args.papers} papers",
            q,
            o,
            "opening the cached deck",
            "<= 0.3 s over it",
        )
        + f" | +{q - o:.3f} s"
    )
    imp, plan, first, gc_s = (statistics.median(p[k] for p in parts) for k in range(4))
    print(
        f"  in the quiz process: import + plan + first question {imp + plan + first:.3f} s "
        f"(import {imp:.3f} s, plan {plan:.3f} s, first question {first:.3f} s), of which "
        f"the collector {gc_s:.3f} s (medians)"
    )
    notes, db = deck_with_history(Path(DATA), args.papers, args.reviews)
    home = tui_until(HOME_PAINTED, str(notes), "--db", str(db))
    quiz = tui_until(QUIZ_SHOWN, "quiz", "-n", "20", "--seed", "7", str(notes), "--db", str(db))
    h, q, _, rss = paired(home, quiz, args.runs)
    print(
        line(
            f"quiz app, question 1 painted, {args.papers} papers, {args.reviews} reviews",
            q,
            h,
            "home painted, same deck and store",
            "<= 0.3 s over it",
        )
        + f" | +{q - h:.3f} s | peak RSS {rss} MiB"
    )


if __name__ == "__main__":
    main()
