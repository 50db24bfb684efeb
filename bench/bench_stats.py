"""``studydeck stats --json`` with a long review history, beside a raw SQL aggregate over the
same store (a whole process each: counts by state, grades, reviews per day, forecast).

    python -m bench.bench_stats [--papers 10000] [--reviews 1000000] [--quick]
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.common import DATA, REPORT, arguments, child_run, line, python
from bench.generate import deck_with_history

STATS = (
    REPORT
    + """
import io, sys, contextlib
from studydeck.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["stats", "--json", sys.argv[1], "--db", sys.argv[2]])
report()
"""
)

RAW_SQL = (
    REPORT
    + """
import sqlite3, sys
c = sqlite3.connect(sys.argv[2])
c.execute("SELECT count(*), sum(due IS NULL), sum(suspended), sum(leech) FROM cards").fetchall()
c.execute("SELECT quality, count(*) FROM reviews GROUP BY quality").fetchall()
c.execute("SELECT day, count(*) FROM reviews GROUP BY day").fetchall()
c.execute("SELECT due, count(*) FROM cards WHERE due IS NOT NULL GROUP BY due").fetchall()
c.execute("SELECT cid, count(*), sum(quality >= 3) FROM reviews GROUP BY cid").fetchall()
report()
"""
)


#: Where the time of ``stats --json`` goes, inside one process (informative): importing the
#: CLI, opening the store and the cached deck, then the figures (the planner and the totals).
PARTS = """
import io, sys, time, contextlib, argparse
t0 = time.perf_counter()
from studydeck import cli
from studydeck.session import study_day, system_clock
from studydeck.stats import compute
t1 = time.perf_counter()
args = cli.build_parser().parse_args(["stats", "--json", sys.argv[1], "--db", sys.argv[2]])
settings = cli.settings_from(args)
store, deck, _ = cli.open_store_and_deck(args)
t2 = time.perf_counter()
compute(store, deck, study_day(system_clock(), settings.day_starts_at), settings)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def parts(notes: Path, db: Path, runs: int) -> str:
    import subprocess

    from bench.common import ENV

    rows = []
    for _ in range(runs):
        out = subprocess.run(
            python(PARTS, str(notes), str(db)),
            capture_output=True,
            env=ENV,
            text=True,
            check=True,
        ).stdout.split()
        rows.append([float(x) for x in out[-3:]])
    imports, opening, figures = (statistics.median(col) for col in zip(*rows, strict=True))
    return (
        f"  of which (medians, in process): imports {imports:.3f} s | store + cached deck "
        f"{opening:.3f} s | figures (planner + totals) {figures:.3f} s"
    )


def main() -> None:
    args = arguments(__doc__, papers=10000, reviews=1_000_000)
    Path(DATA).mkdir(parents=True, exist_ok=True)
    notes, db = deck_with_history(Path(DATA), args.papers, args.reviews)
    ours, raw = python(STATS, str(notes), str(db)), python(RAW_SQL, str(notes), str(db))
    child_run(ours), child_run(raw)
    a, b, rss, rss_raw = [], [], 0, 0
    for _ in range(args.runs):
        t, r = child_run(raw)
        a.append(t)
        rss_raw = max(rss_raw, r)
        t, r = child_run(ours)
        b.append(t)
        rss = max(rss, r)
    sql, st = statistics.median(a), statistics.median(b)
    print(
        line(
            f"stats --json, {args.papers} papers, {args.reviews} reviews",
            st,
            sql,
            "raw SQL aggregates",
            "<= 0.3 s",
        )
        + f" | peak RSS {rss} MiB (raw SQL {rss_raw} MiB)"
    )
    print(parts(notes, db, args.runs))


if __name__ == "__main__":
    main()
