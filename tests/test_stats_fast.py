"""The fast paths of ``stats --json`` and home's counts give what the straightforward
computation gives: py-fsrs's constants held without importing it, and the planner's
per-distinct-row classification."""

from __future__ import annotations

import gc
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from hypothesis import strategies as st

from studydeck import cli, fsrs_scheduler
from studydeck.config import Settings
from studydeck.planner import (
    FORECAST_DAYS,
    CardRow,
    DeckCard,
    Plan,
    Planned,
    TodayAnswer,
    owed_repeats,
    spread,
    status,
)

from .conftest import table


def test_the_held_fsrs_defaults_are_the_installed_py_fsrs_defaults() -> None:
    """``stats`` and a warm start do not import py-fsrs for its default parameters; the copy
    held instead must be what py-fsrs itself starts from."""
    from fsrs import Scheduler

    assert tuple(Scheduler().parameters) == fsrs_scheduler.DEFAULT_PARAMETERS
    assert fsrs_scheduler.FsrsSettings().parameters == tuple(Scheduler().parameters)


def test_each_grade_is_rated_as_before_the_lazy_import() -> None:
    from fsrs import Rating

    expected = [Rating.Again, Rating.Again, Rating.Again, Rating.Hard, Rating.Good, Rating.Easy]
    assert [fsrs_scheduler.rating(g) for g in range(6)] == expected


TODAY = date(2026, 3, 10)
DAYS = [None, *(TODAY + timedelta(days=d) for d in range(-3, 4))]


def reference_plan(
    cards: list[DeckCard],
    rows: dict[str, CardRow],
    today: date,
    settings: Settings,
    today_log: list[TodayAnswer],
) -> Plan:
    """The plan card by card, as the module docstring says it (each card's state from
    :func:`status`, its first day from the rules), without sharing anything between cards."""
    owed = owed_repeats(today_log)
    statuses: dict[str, str] = {}
    due: list[tuple[str, str, str]] = []
    new: list[tuple[str, str]] = []
    forecast: Counter[str] = Counter()
    leeches = 0
    iso = today.isoformat()
    for cid, key in cards:
        st = rows.get(cid)
        s = statuses[cid] = status(st, today, cid in owed)
        if st is None or s == "new":
            new.append((cid, key))
            continue
        leeches += st.leech
        if s in ("retired", "suspended") or st.due is None:
            continue
        first = max(st.due, iso)
        if s == "buried":
            first = max(first, st.buried_until or "")
        forecast[first] += 1
        if s in ("due", "learning") and st.due <= iso:
            due.append((st.due, cid, key))
    due.sort(key=lambda d: d[0])
    reviews_done = sum(1 for a in today_log if not a.repeat and not a.was_new)
    new_done = sum(1 for a in today_log if a.was_new)
    review_room = max(0, settings.reviews_per_day - reviews_done)
    new_room = max(0, settings.new_per_day - new_done)
    queue = [Planned(cid, key) for _, cid, key in due[:review_room]]
    queue += [Planned(cid, key) for cid, key in new[:new_room]]
    key_of = dict(cards)
    repeats = [
        Planned(cid, key_of[cid], repeat=True)
        for cid in owed
        if cid in key_of
        and all(p.card_id != cid for p in queue)
        and statuses[cid] not in ("retired", "suspended", "buried")
    ]
    counts = Counter(statuses.values())
    days = [today + timedelta(days=d) for d in range(FORECAST_DAYS)]
    return Plan(
        today=today,
        queue=spread(queue + repeats),
        status=statuses,
        due=min(len(due), review_room),
        due_total=len(due),
        new_available=min(len(new), new_room),
        new_total=len(new),
        repeats=len(repeats),
        learning=counts["learning"],
        suspended=counts["suspended"],
        buried=counts["buried"],
        leeches=leeches,
        retired=sum(r.retired for r in rows.values()) - counts["retired"],
        reviews_done=reviews_done,
        new_done=new_done,
        answered_today=len(today_log),
        due_tomorrow=forecast[iso] + forecast[days[1].isoformat()],
        forecast={d: forecast[d.isoformat()] for d in days},
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


# Few distinct values, so that many cards share a row (what the planner classifies once).
card_rows = st.builds(
    CardRow,
    st.sampled_from(DAYS).map(_iso),
    st.integers(0, 2),
    st.sampled_from((0, 0, 0, 1)),
    st.integers(0, 1),
    st.sampled_from((None, None, None, *DAYS[1:])).map(_iso),
    st.sampled_from((0, 0, 0, 1)),
)


def test_stats_turns_the_collector_back_on_whatever_happens(tmp_path: Path, capsys) -> None:
    """``stats`` pauses the cyclic GC while it works (nothing it makes is in a cycle); run
    from a longer-lived process (a test, a script), it must leave it on: after the figures,
    and after a refusal (here: no such notes file)."""
    notes = tmp_path / "notes.md"
    notes.write_text(table("| 2020 | GAN | vision | contribution | | |"), encoding="utf-8")
    db = str(tmp_path / "s.db")
    assert gc.isenabled()
    assert cli.main(["stats", "--json", str(notes), "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["total_cards"] == 1
    assert gc.isenabled()
    assert cli.main(["stats", str(tmp_path / "missing.md"), "--db", db]) != 0
    assert "missing.md" in capsys.readouterr().err
    assert gc.isenabled()
