"""Quiz: the first question of a 20-question quiz over the whole deck, beside opening the
same (cached) deck alone; a whole process each.

    python -m bench.bench_quiz [--papers 50000] [--quick]

Besides the paired figure, the quiz process says how long its own part took (importing the
quiz package, planning, building the first question) and how much of that the cyclic
collector took: loading pauses the collector, so whatever allocates freely first after
``open_deck`` pays a pass over every card (the quiz builds with it paused; the TUI freezes
the deck's objects when it starts; a bare ``open_deck`` process never pays it).
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

from bench.common import DATA, ENV, REPORT, arguments, child_run, line, python
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
first = plan.questions[0]
print(imported + time.perf_counter() - began, collecting[0], flush=True)
report()
"""
)


def split_run(argv: list[str]) -> tuple[float, float, float]:
    """(whole-process seconds as :func:`child_run` counts them, seconds in the quiz,
    seconds of that in the collector)."""
    t = time.time()
    proc = subprocess.run(argv, capture_output=True, env=ENV, text=True, check=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    quiz, gc_s = (float(x) for x in lines[-3].split())
    return float(lines[-2]) - t, quiz, gc_s


def main() -> None:
    args = arguments(__doc__, papers=50000)
    Path(DATA).mkdir(parents=True, exist_ok=True)
    notes, db = deck_with_history(Path(DATA), args.papers, 0)
    base, ours = python(OPEN + "report()\n", str(notes), str(db)), python(QUIZ, str(notes), str(db))
    child_run(base), child_run(ours)
    a, b, inner, collector = [], [], [], []
    for _ in range(args.runs):
        a.append(child_run(base)[0])
        whole, quiz, gc_s = split_run(ours)
        b.append(whole)
        inner.append(quiz)
        collector.append(gc_s)
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
    qi, gi = statistics.median(inner), statistics.median(collector)
    print(
        f"  in the quiz process: import + plan + first question {qi:.3f} s, of which the "
        f"collector {gi:.3f} s (medians)"
    )


if __name__ == "__main__":
    main()
