"""The review store at scale: 10,000 papers, 100,000 past reviews.

    python -m bench.bench_store [N_PAPERS] [N_REVIEWS]

Measures: cache-hit load + today's queue; reconcile after an edit (beside the parse
time of the same file); recording one answer (p50/p95).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.generate import write
from studydeck.config import Settings
from studydeck.deck import parse_files
from studydeck.loading import open_deck
from studydeck.session import Session
from studydeck.store import Store

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def fill_history(store: Store, n_reviews: int) -> None:
    """``n_reviews`` past reviews spread over the year before NOW (1M rows in seconds: rows
    are streamed into one transaction), and a realistic spread of due dates."""
    rnd = random.Random(1)
    cids = [r[0] for r in store.query("SELECT cid FROM cards")]
    start = date(2025, 6, 1)
    days = [(start + timedelta(days=d)).isoformat() for d in range(366)]

    def rows() -> Iterator[tuple[object, ...]]:
        for i in range(n_reviews):
            day = days[i * 365 // n_reviews]
            yield (
                rnd.choice(cids),
                f"{day}T09:00:00",
                day,
                rnd.randint(0, 5),
                4000,
                0,
                int(rnd.random() < 0.05),
            )

    with store.transaction() as c:
        c.executemany(
            "INSERT INTO reviews (cid, at, day, quality, duration_ms, repeat, was_new) "
            "VALUES (?,?,?,?,?,?,?)",
            rows(),
        )
        # Some overdue, most in the future, some new.
        c.executemany(
            "UPDATE cards SET repetitions=3, interval=20, due=? WHERE cid=?",
            [
                ((NOW.date() + timedelta(days=rnd.randint(-10, 60))).isoformat(), cid)
                for cid in cids
                if rnd.random() < 0.8
            ],
        )


def main(n: int = 10000, n_reviews: int = 100000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        notes = write(Path(tmp) / "notes.md", n)
        db = Path(tmp) / "store.sqlite3"
        store = Store.open(db)
        t = time.perf_counter()
        deck, report = open_deck(store, [notes], NOW)
        first = time.perf_counter() - t
        fill_history(store, n_reviews)
        store.close()
        print(f"deck: {len(deck.papers)} papers, {len(deck.cards)} cards; {n_reviews} reviews")
        print(f"first load (parse + insert every card): {first:.3f} s")

        loads = []
        for _ in range(5):
            t = time.perf_counter()
            store = Store.open(db)
            deck, report = open_deck(store, [notes], NOW)
            session = Session(store, deck, Settings(), lambda: NOW)
            loads.append(time.perf_counter() - t)
            store.close()
        print(
            f"cache hit: open store + load deck + build queue ({session.remaining} cards): "
            f"median {statistics.median(loads):.3f} s (target < 0.3 s)"
        )

        t = time.perf_counter()
        parse_files([notes])
        parse = time.perf_counter() - t
        text = notes.read_text(encoding="utf-8")
        notes.write_text(
            text.replace("核心贡献", "核心贡献").replace(" 17 |", " 17 edited |"), encoding="utf-8"
        )
        lines = notes.read_text(encoding="utf-8").splitlines()
        del lines[100:110]  # ten rows gone
        notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
        store = Store.open(db)
        t = time.perf_counter()
        deck, report = open_deck(store, [notes], NOW)
        changed = time.perf_counter() - t
        print(
            f"changed file: parse alone {parse:.3f} s; parse + reconcile {changed:.3f} s "
            f"(+{changed - parse:.3f} s, target +0.5 s); {report}"
        )

        session = Session(
            store, deck, Settings(new_per_day=1000, reviews_per_day=100000), lambda: NOW
        )
        times = []
        for i in range(300):
            if session.current is None:
                break
            t = time.perf_counter()
            session.answer(4 if i % 5 else 2, 3000)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p50 = times[len(times) // 2]
        p95 = times[int(len(times) * 0.95)]
        print(
            f"record an answer ({len(times)} answers): p50 {p50:.2f} ms, p95 {p95:.2f} ms "
            f"(target p95 < 5 ms)"
        )
        store.close()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
