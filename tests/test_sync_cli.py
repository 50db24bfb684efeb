"""The command line around sync and FSRS: log --csv, optimize, --scheduler, stats, auto-sync."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from studydeck.cli import _auto_sync, main
from studydeck.config import config_path
from studydeck.loading import open_deck
from studydeck.log_export import numeric_card_id, optimizer_available
from studydeck.session import study_day, system_clock
from studydeck.store import Store
from studydeck.sync import LOG_DIR, init

from .conftest import table

ROWS = [
    f"| 20{10 + i} | [Paper {i}](https://example.org/p{i}) | kw | Contribution {i}. | | "
    f"Insight {i}: because. Weakness: costly {i}. |"
    for i in range(3)
]


@pytest.fixture
def reviewed(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A notes file and a store where two cards were answered today (5, then 2)."""
    notes = tmp_path / "notes.md"
    notes.write_text(table(*ROWS), encoding="utf-8")
    db = tmp_path / "s.db"
    now = system_clock()
    with Store.open(db) as store:
        deck, _ = open_deck(store, [notes], now)
        ids = [deck.cards[0].id, deck.cards[1].id]
        today = study_day(now, 4)
        store.record_answer(ids[0], 5, now=now, today=today, duration_ms=3000)
        store.record_answer(ids[1], 2, now=now, today=today, duration_ms=7000)
    return notes, db, ids


def test_log_csv_is_in_the_shape_fsrs_tools_read(reviewed, capsys) -> None:
    _, db, _ = reviewed
    assert main(["log", "--csv", "--db", str(db)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["card_id", "review_time", "review_rating", "review_duration"]
    assert [(r[2], r[3]) for r in rows[1:]] == [("4", "3000"), ("1", "7000")]
    assert all(r[0].isdigit() and r[1].isdigit() and len(r[1]) == 13 for r in rows[1:])
    # CSV is the one format: a trial's `log` without --csv was refused.
    assert main(["log", "--db", str(db)]) == 0
    assert list(csv.reader(io.StringIO(capsys.readouterr().out))) == rows


def test_log_csv_gives_each_answer_its_card_utc_time_grade_and_duration(tmp_path, capsys):
    """Every answer, same-day repeats included, in time order: the card as a number that stays
    the same, the time in milliseconds since 1970 UTC, Again..Easy as 1-4, and milliseconds."""
    notes = tmp_path / "notes.md"
    notes.write_text(table(*ROWS), encoding="utf-8")
    db = tmp_path / "s.db"
    paris = timezone(timedelta(hours=1))
    first = datetime(2026, 3, 2, 9, 30, 15, 123000, tzinfo=paris)  # 08:30:15.123 UTC
    with Store.open(db) as store:
        deck, _ = open_deck(store, [notes], first)
        a, b = deck.cards[0].id, deck.cards[1].id
        for card, grade, at, ms in [
            (b, 5, first + timedelta(minutes=1), 900),
            (a, 1, first, 4000),
            (a, 4, first + timedelta(minutes=2), 2500),  # a same-day repeat: still a review
        ]:
            store.record_answer(card, grade, now=at, today=first.date(), duration_ms=ms)
    assert main(["log", "--csv", "--db", str(db)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    ms = 1772440215123
    assert rows[1:] == [
        [str(numeric_card_id(a)), str(ms), "1", "4000"],
        [str(numeric_card_id(b)), str(ms + 60_000), "4", "900"],
        [str(numeric_card_id(a)), str(ms + 120_000), "3", "2500"],
    ]


def test_log_of_a_store_that_is_not_there_says_so_and_makes_none(tmp_path, capsys) -> None:
    db = tmp_path / "new" / "sub" / "x.db"  # a mistyped --db
    assert main(["log", "--csv", "--db", str(db)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"studydeck: {db}: error: no review store here")
    assert "--db" in line
    assert not (tmp_path / "new").exists()


def test_optimize_without_the_optimizer_says_what_to_install(reviewed, capsys) -> None:
    if optimizer_available():
        assert main(["optimize", "--db", str(reviewed[1])]) == 1  # 2 answers: too few
        assert "at least" in capsys.readouterr().err
    else:
        assert main(["optimize", "--db", str(reviewed[1])]) == 2
        err = capsys.readouterr().err
        assert 'pip install "fsrs[optimizer]"' in err and len(err.splitlines()) == 1


def test_stats_show_predicted_recall_now_and_in_a_week(reviewed, capsys) -> None:
    notes, db, _ = reviewed
    assert main(["stats", "--json", "--db", str(db), str(notes)]) == 0
    st = json.loads(capsys.readouterr().out)
    # Both cards are due tomorrow (interval 1): recall 1 now, 0.9 ** 7 a week on.
    assert st["predicted_recall_now"] == 1.0
    assert st["predicted_recall_in_7_days"] == round(0.9**7, 3)
    assert main(["stats", "--db", str(db), str(notes)]) == 0
    assert "recall         100% now, 48% in 7 days (predicted)" in capsys.readouterr().out


def test_scheduler_option_switches_and_back(reviewed, capsys) -> None:
    notes, db, ids = reviewed
    with Store.open(db) as store:
        sm2 = store.states()
    assert main(["stats", "--json", "--scheduler", "fsrs", "--db", str(db), str(notes)]) == 0
    out = capsys.readouterr()
    assert "scheduling with fsrs" in out.err
    with Store.open(db) as store:
        assert store.state(ids[0]).fsrs is not None
    assert json.loads(out.out)["predicted_recall_now"] is not None
    assert main(["stats", "--json", "--db", str(db), str(notes)]) == 0
    assert "scheduling with sm2" in capsys.readouterr().err
    with Store.open(db) as store:
        assert store.states() == sm2


def test_scheduler_in_the_config_file(reviewed, capsys) -> None:
    notes, db, ids = reviewed
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text('scheduler = "fsrs"\ndesired_retention = 0.85\n')
    assert main(["stats", "--db", str(db), str(notes)]) == 0
    with Store.open(db) as store:
        assert store.state(ids[0]).fsrs is not None
    config_path().write_text('scheduler = "anki"\n')
    assert main(["stats", "--db", str(db), str(notes)]) == 1
    err = capsys.readouterr().err
    assert (
        "'scheduler': Input should be 'sm2' or 'fsrs', not 'anki'" in err and "Traceback" not in err
    )


def test_review_syncs_before_and_after_when_the_folder_opted_in(reviewed) -> None:
    notes, db, ids = reviewed
    init(notes.parent)
    args = argparse.Namespace(paths=[notes])
    logs = notes.parent / LOG_DIR
    with (
        Store.open(db) as store,
        _auto_sync(store, args, open_deck(store, [notes], system_clock())[0]),
    ):
        # the sync at the start wrote this device's earlier answers
        assert [len(f.read_text().splitlines()) for f in logs.glob("*.jsonl")] == [2]
        now = system_clock()
        store.record_answer(ids[0], 4, now=now, today=study_day(now, 4))
        # and each new answer is appended as it is made
        assert [len(f.read_text().splitlines()) for f in logs.glob("*.jsonl")] == [3]
    assert store.journal is None
    files = list(logs.glob("*.jsonl"))
    assert len(files) == 1
    events = [json.loads(x)["event"] for x in files[0].read_text().splitlines()]
    assert events == ["answer", "answer", "answer"]
    assert datetime.fromisoformat(json.loads(files[0].read_text().splitlines()[-1])["at"])


def test_in_an_opted_in_notes_folder_no_path_means_this_folder(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """Notes at the root of a git repo: after `sync --init` there, plain `studydeck sync`,
    `sync --status` and `stats` all mean this folder's notes, not the bundled deck."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "papers.md").write_text(table("| 2020 | A | k | c | | |"), encoding="utf-8")
    monkeypatch.chdir(folder)
    db = str(tmp_path / "s.db")
    assert main(["sync", "--init", "--db", db]) == 0
    capsys.readouterr()
    assert main(["sync", "--status", "--db", db]) == 0
    assert main(["sync", "--db", db]) == 0
    capsys.readouterr()
    assert main(["stats", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["total_cards"] == 1


def test_sync_writes_only_this_folders_cards_when_the_store_holds_other_decks(
    tmp_path: Path, capsys
) -> None:
    """One store, two decks: a notes repository that opts in and a notes file elsewhere.
    `sync --init` and the review's auto-sync write the repository's history, not the
    other deck's."""
    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere.md"
    repo.mkdir()
    (repo / "notes.md").write_text(table(*ROWS[:2]), encoding="utf-8")
    other = [r.replace("example.org/p", "example.net/q") for r in ROWS]
    elsewhere.write_text(table(*other), encoding="utf-8")
    db = tmp_path / "s.db"
    clock = system_clock()
    today = study_day(clock, 4)
    with Store.open(db) as store:
        mine = open_deck(store, [repo / "notes.md"], clock)[0]
        theirs = open_deck(store, [elsewhere], clock)[0]
        for card in [*mine.cards[:2], *theirs.cards]:
            store.record_answer(card.id, 4, now=clock, today=today)
    assert main(["sync", "--init", "--db", str(db), str(repo)]) == 0
    assert "wrote 2 events" in capsys.readouterr().out
    (log,) = (repo / LOG_DIR).glob("*.jsonl")

    def logged() -> list[str]:
        lines = [json.loads(x) for x in log.read_text().splitlines()]
        return [f"{x['paper']}/{x['kind']}" for x in lines]

    assert logged() == [c.id for c in mine.cards[:2]]
    args = argparse.Namespace(paths=[repo])
    with Store.open(db) as store, _auto_sync(store, args, open_deck(store, [repo], clock)[0]):
        store.record_answer(theirs.cards[0].id, 3, now=clock, today=today)  # another window
        store.record_answer(mine.cards[2].id, 5, now=clock, today=today)
    assert logged() == [c.id for c in mine.cards[:3]]
    assert main(["sync", "--status", "--db", str(db), str(repo)]) == 0
    assert "0 of this device's not yet written" in capsys.readouterr().out


@pytest.mark.parametrize("in_git", [False, True])
def test_init_outside_a_git_repository_says_the_history_will_not_travel(
    tmp_path: Path, capsys, in_git: bool
) -> None:
    folder = tmp_path / "repo" / "notes"
    folder.mkdir(parents=True)
    (folder / "notes.md").write_text(table(*ROWS), encoding="utf-8")
    if in_git:
        (tmp_path / "repo" / ".git").mkdir()  # the notes folder is inside a repository
    assert main(["sync", "--init", "--db", str(tmp_path / "s.db"), str(folder)]) == 0
    warned = [ln for ln in capsys.readouterr().err.splitlines() if "not in a git repository" in ln]
    assert warned == (
        []
        if in_git
        else [
            f"studydeck: {folder}: warning: not in a git repository; the history travels only "
            "when .studydeck/ is copied or committed with the notes (git init)"
        ]
    )


def test_status_and_rebuild_together_are_refused(tmp_path: Path, capsys) -> None:
    assert main(["sync", "--status", "--rebuild", "--db", str(tmp_path / "s.db")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "studydeck sync: error: argument --rebuild: not allowed with argument --status "
        "(see studydeck sync --help)"
    ]


def test_stats_count_only_their_own_decks_retired_cards(tmp_path: Path, capsys) -> None:
    """One store, two notes files: a row removed from one retires its cards there, and the
    other's stats still say 0 retired (they said 3: the count was the store's)."""
    db = str(tmp_path / "s.db")
    one, other = tmp_path / "one.md", tmp_path / "other.md"
    one.write_text(table(*ROWS), encoding="utf-8")
    other.write_text(table("| 2019 | Gamma | k | contribution G | | |"), encoding="utf-8")
    for path in (one, other):
        assert main(["stats", "--json", "--db", db, str(path)]) == 0
    one.write_text(table(*ROWS[1:]), encoding="utf-8")  # a row removed: its card retired
    retired = {}
    for path in (one, other):
        capsys.readouterr()
        assert main(["stats", "--json", "--db", db, str(path)]) == 0
        retired[path.name] = json.loads(capsys.readouterr().out)["retired"]
    assert retired == {"one.md": 3, "other.md": 0}  # (the removed row had three cards)
