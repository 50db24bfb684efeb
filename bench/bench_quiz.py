"""Quiz: the first question of a 20-question quiz over the whole deck, beside opening the
same (cached) deck alone; a whole process each.

    python -m bench.bench_quiz [--papers 50000] [--quick]
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.common import DATA, REPORT, arguments, child_run, line, python
from bench.generate import deck_with_history

OPEN = (
    REPORT
    + """
import sys, time
from pathlib import Path
from datetime import UTC, datetime
from studydeck.loading import open_deck
from studydeck.store import Store
store = Store.open(Path(sys.argv[2]))
deck, _ = open_deck(store, [Path(sys.argv[1])], datetime.now(UTC))
"""
)

QUIZ = (
    OPEN
    + """
from studydeck.quiz import Selection, plan_quiz
plan = plan_quiz(deck, Selection(), 20, 7)
first = plan.questions[0]
report()
"""
)


def main() -> None:
    args = arguments(__doc__, papers=50000)
    Path(DATA).mkdir(parents=True, exist_ok=True)
    notes, db = deck_with_history(Path(DATA), args.papers, 0)
    base, ours = python(OPEN + "report()\n", str(notes), str(db)), python(QUIZ, str(notes), str(db))
    child_run(base), child_run(ours)
    a, b = [], []
    for _ in range(args.runs):
        a.append(child_run(base)[0])
        b.append(child_run(ours)[0])
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


if __name__ == "__main__":
    main()
