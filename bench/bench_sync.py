"""Sync at scale: appending to this device's log, and rebuilding a store from the logs.

    python -m bench.bench_sync [N_CARDS] [N_ANSWERS]

Measures: recording one answer with and without the append to the device log (p50/p95,
and the append alone); reading three device files holding N_ANSWERS answers and rebuilding
N_CARDS cards' states and review rows from them: the whole sync into a fresh store (read the
files, add the events, rebuild), and `studydeck sync --rebuild` (every card replayed from the
store's events) of a store that is up to date (nothing to write) and of one whose states and
review rows are lost (all written again); and the same whole sync with the reading and the
replay made free (their results given), the floor of this store's design under any faster
Python, which is over the 1 s budget. The machine is shared: compare against a baseline
run in the same minutes (json.loads of the same lines is printed last), and take medians.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

from studydeck.perf import gc_paused
from studydeck.replay import Event, Policy, replay
from studydeck.store import Store
from studydeck.store.rows import sm2_rows
from studydeck.store.schema import utc_text
from studydeck.sync import LOG_DIR, DeviceLog, LogFiles, read_logs, sync, to_line

START = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def add_cards(store: Store, n: int) -> list[str]:
    ids = [f"{i:016x}/{('contribution', 'insight', 'critique')[i % 3]}" for i in range(n)]
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO cards (card_id, paper_key, kind, added) VALUES (?, ?, ?, '')",
            [(cid, cid.split("/")[0], cid.split("/")[1]) for cid in ids],
        )
    return ids


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def bench_append(tmp: Path, n: int = 2000) -> None:
    folder = tmp / "append" / LOG_DIR
    folder.mkdir(parents=True)
    with Store.open(tmp / "append.db") as store:
        ids = add_cards(store, 500)
        rnd = random.Random(2)
        plain: list[float] = []
        logged: list[float] = []
        append_only: list[float] = []
        with DeviceLog(folder, "bench") as log:

            def timed_append(e: Event) -> None:
                t = time.perf_counter()
                log.append(e)
                append_only.append(time.perf_counter() - t)

            for i in range(2 * n):
                store.journal = timed_append if i % 2 else None
                now = START + timedelta(minutes=i)
                t = time.perf_counter()
                store.record_answer(rnd.choice(ids), rnd.randint(0, 5), now=now, today=now.date())
                (logged if i % 2 else plain).append(time.perf_counter() - t)
        ms = 1000
        print(
            f"record one answer:           p50 {statistics.median(plain) * ms:.3f} ms, "
            f"p95 {p(plain, 95) * ms:.3f} ms"
        )
        print(
            f"record + append to the log:  p50 {statistics.median(logged) * ms:.3f} ms, "
            f"p95 {p(logged, 95) * ms:.3f} ms"
        )
        print(
            f"the append alone:            p50 {statistics.median(append_only) * ms:.3f} ms, "
            f"p95 {p(append_only, 95) * ms:.3f} ms  (budget 1 ms)"
        )


def write_logs(folder: Path, ids: list[str], n_answers: int) -> None:
    rnd = random.Random(1)
    devices = ["laptop", "desktop", "tablet"]
    handles = {d: (folder / f"{d}.jsonl").open("w", encoding="utf-8") for d in devices}
    seconds = 365 * 86400 // n_answers
    for i in range(n_answers):
        at = START + timedelta(seconds=i * seconds)
        d = devices[i % 3]
        e = Event(
            id=f"{i:08x}{d}",
            at=utc_text(at),
            day=at.date().isoformat(),
            kind="answer",
            key=rnd.choice(ids),
            quality=rnd.choice((1, 3, 4, 4, 4, 5)),
            duration_ms=4000,
        )
        handles[d].write(to_line(e, d))
    for h in handles.values():
        h.close()


def bench_rebuild(tmp: Path, n_cards: int, n_answers: int) -> None:
    root = tmp / "notes"
    folder = root / LOG_DIR
    folder.mkdir(parents=True)
    with Store.open(tmp / "gen.db") as gen:
        ids = add_cards(gen, n_cards)
    write_logs(folder, ids, n_answers)

    t = time.perf_counter()
    logs = read_logs(folder)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    result = replay(logs.events, Policy())
    t_replay = time.perf_counter() - t
    t = time.perf_counter()
    replay(logs.events, Policy("fsrs"))
    t_fsrs = time.perf_counter() - t
    cid_of = {k: i for i, k in enumerate(ids)}
    t = time.perf_counter()
    sm2_rows(logs.events, Policy().leech_threshold, cid_of)
    t_rows_gc = time.perf_counter() - t
    t = time.perf_counter()
    with gc_paused():  # as sync and rebuild run it (Store.rebuild pauses the cyclic GC)
        sm2_rows(logs.events, Policy().leech_threshold, cid_of)
    t_rows = time.perf_counter() - t
    assert len(logs.events) == n_answers and not logs.problems

    with Store.open(tmp / "fresh.db") as store:
        add_cards(store, n_cards)
        t = time.perf_counter()
        report = sync(store, root, "reader")
        t_sync = time.perf_counter() - t
        assert store.review_count() == n_answers
        # What every review's start and end pays once the folder opted in: a sync with
        # nothing new (the device files the store applied are not parsed again).
        t_again = _median(lambda: sync(store, root, "reader"))
        # `sync --rebuild` of a store that is up to date: every state replayed from the log
        # and compared, nothing written.
        t_same = _median(store.rebuild)
        # and of a store whose cache is lost: every state and review row written again.
        t_lost = _median(store.rebuild, before=lambda: _lose_cache(store))
        assert store.review_count() == n_answers
    t_writes = statistics.median(_sync_writes_alone(tmp, root, n_cards, logs) for _ in range(3))
    print(
        f"{n_answers} answers in 3 device files, {len(result.states)} cards answered of {n_cards}"
    )
    print(f"  read and parse the files:  {t_read:.3f} s")
    print(f"  replay through SM-2:       {t_replay:.3f} s   (through FSRS: {t_fsrs:.3f} s)")
    print(
        f"  SM-2 states and review rows in one pass (what sync and rebuild run, the cyclic GC "
        f"paused as they run it): {t_rows:.3f} s  (with the GC running: {t_rows_gc:.3f} s)"
    )
    print(
        f"  whole sync on a fresh store (read the files, add events, rebuild states and review "
        f"rows): {t_sync:.3f} s  (budget 1 s; {report.cards} cards)"
    )
    print(
        "  the same sync with the files' reading and the SM-2 replay made free (their results "
        f"given): {t_writes:.3f} s, median of 3  (what is left: adding the events, writing the "
        "states, review rows and totals, their indexes, the commit)"
    )
    print(
        f"  sync again, nothing new (as at a review's start and end), median of 3: {t_again:.3f} s"
    )
    print(
        "  rebuild every card from the store's event log (sync --rebuild), median of 3:\n"
        f"    store up to date (replay and compare, nothing written): {t_same:.3f} s  (budget 1 s)\n"
        f"    store's states and review rows lost (all written again): {t_lost:.3f} s  (budget 1 s)"
    )
    t = time.perf_counter()
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            json.loads(line)
    print(
        f"  baseline: json.loads of the same lines, nothing else: {time.perf_counter() - t:.3f} s"
    )


_FRESH = [0]


def _sync_writes_alone(tmp: Path, root: Path, n_cards: int, logs: LogFiles) -> float:
    """How long a whole sync into a fresh store takes with :func:`read_logs` and
    :func:`~studydeck.store.rows.sm2_rows` answered from results made beforehand: the floor
    no faster reading or replay can go under, in this store's design."""
    _FRESH[0] += 1
    with Store.open(tmp / f"writes{_FRESH[0]}.db") as store:
        add_cards(store, n_cards)
        cid_of = dict(store.tuples("SELECT card_id, cid FROM cards"))
        rows = sm2_rows(logs.events, Policy().leech_threshold, cid_of)
        with (
            mock.patch("studydeck.sync.read_logs", lambda *a, **k: logs),
            mock.patch("studydeck.store.events.sm2_rows", lambda *a, **k: rows),
        ):
            t = time.perf_counter()
            sync(store, root, "reader")
            return time.perf_counter() - t


def _median(run: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(3):
        before()
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _lose_cache(store: Store) -> None:
    with store.transaction() as c:
        c.execute("DELETE FROM reviews")
        c.execute(
            "UPDATE cards SET repetitions = 0, easiness = 2.5, interval = 0, due = NULL, "
            "lapses = 0, suspended = 0, leech = 0, buried_until = NULL"
        )


def main() -> None:
    n_cards = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    n_answers = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_append(tmp)
        bench_rebuild(tmp, n_cards, n_answers)


if __name__ == "__main__":
    main()
