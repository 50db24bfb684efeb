"""The review store: answers, undo, reconciliation with edited notes, and faults."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from studydeck.cli import main
from studydeck.errors import StudydeckError
from studydeck.loading import open_deck
from studydeck.store import SCHEMA_VERSION, Store

from .conftest import HEADER, ROOT, SEED, table

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 1)


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "store.sqlite3")
    yield s
    s.close()


def answer_all(store: Store, deck, q: int = 5) -> None:
    for c in deck.cards:
        store.record_answer(c.id, q, now=NOW, today=TODAY)


def test_new_store_has_schema_version_and_wal(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db"):
        pass
    conn = sqlite3.connect(tmp_path / "s.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cards_in_the_same_state_share_one_state_object(store: Store) -> None:
    """Every card's state, read at once (browse keeps them: 126k cards), as few objects as
    there are distinct states: the collector's full passes walk them all."""
    deck, _ = open_deck(store, [SEED], NOW)
    a, b, c = (card.id for card in deck.cards[:3])
    store.record_answer(a, 4, now=NOW, today=TODAY)
    store.record_answer(b, 4, now=NOW, today=TODAY)
    states = store.states()
    assert states[a] is states[b] and states[a] == store.state(a)  # answered alike
    assert states[c] is not states[a] and states[c] == store.state(c)  # new
    assert len({id(s) for s in states.values()}) == 2


def test_answer_logs_before_and_after_and_undo_restores(store: Store) -> None:
    deck, report = open_deck(store, [SEED], NOW)
    assert report.new == 44
    cid = deck.cards[0].id
    a = store.record_answer(cid, 4, now=NOW, today=TODAY, duration_ms=1200)
    assert a.before.sm2.is_new and a.after.sm2.interval == 1
    assert store.state(cid).sm2.due == date(2026, 3, 2)
    b = store.record_answer(cid, 5, now=NOW, today=date(2026, 3, 2))
    assert store.state(cid).sm2.interval == 6
    assert store.undo(a.review_id) is None  # not the card's last answer
    assert store.undo(b.review_id) == cid
    assert store.state(cid) == a.after
    assert [r.quality for r in store.reviews()] == [4]


def test_unchanged_file_is_not_parsed_again(store: Store, notes, monkeypatch) -> None:
    path = notes(table("| 2020 | A | k | c | | 笔记。问题：不足 |"))
    open_deck(store, [path], NOW)
    import studydeck.deck as deck_module  # (loading imports the parser only on a miss)

    def boom(*a, **k):
        raise AssertionError("parsed again")

    monkeypatch.setattr(deck_module, "parse_files", boom)
    deck, report = open_deck(store, [path], NOW)
    assert len(deck.cards) == 3 and not report.changed
    os.utime(path, (1, 1))  # touched but same content: the hash saves a parse
    deck, _ = open_deck(store, [path], NOW)
    assert deck.cards[0].back == "c"


def test_edited_contribution_keeps_history(store: Store, notes) -> None:
    path = notes(table("| 2020 | A | k | old | | |"))
    deck, _ = open_deck(store, [path], NOW)
    answer_all(store, deck)
    path.write_text(table("| 2020 | A | k | brand new answer | | |"), encoding="utf-8")
    deck2, report = open_deck(store, [path], NOW)
    assert str(report) == "0 new, 0 renamed, 0 retired"
    assert deck2.cards[0].back == "brand new answer"
    assert store.state(deck2.cards[0].id).sm2.repetitions == 1


def test_title_typo_fixed_with_same_link_keeps_history(store: Store, notes) -> None:
    path = notes(
        table("| 2020 | [Atention Is All](https://arxiv.org/abs/1706.03762) | k | c | | |")
    )
    deck, _ = open_deck(store, [path], NOW)
    answer_all(store, deck)
    path.write_text(
        table(
            "| 2020 | [Attention Is All You Need](https://arxiv.org/abs/1706.03762) | k | c | | |"
        )
    )
    deck2, _ = open_deck(store, [path], NOW)
    assert store.state(deck2.cards[0].id).sm2.repetitions == 1


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "| 2020 | Deep Residual Learning | k | c | ![](f.png) | |",
            "| 2020 | ResNet: a whole new name | k | c | ![](f.png) | |",
        ),  # same figure
        (
            "| 2020 | Deep Residual Lerning for Images | k | c | | |",
            "| 2020 | Deep Residual Learning for Images | k | c | | |",
        ),  # same year, near title
    ],
)
def test_renamed_paper_keeps_history(store: Store, notes, before: str, after: str) -> None:
    path = notes(table(before))
    deck, _ = open_deck(store, [path], NOW)
    answer_all(store, deck)
    path.write_text(table(after))
    deck2, report = open_deck(store, [path], NOW)
    assert str(report) == "0 new, 1 renamed, 0 retired"
    assert store.state(deck2.cards[0].id).sm2.repetitions == 1
    assert len(store.reviews(cid=deck2.cards[0].id)) == 1


@pytest.mark.parametrize("named", ["relative", "absolute", "symlink"])
def test_a_file_named_another_way_is_the_same_file(
    store: Store, tmp_path: Path, monkeypatch, named: str
) -> None:
    """A trial ran ``stats paper-reading.md`` in its notes folder, then a command naming
    ``notes/paper-reading.md`` from the folder above: a paper renamed after that lost its
    history (it came as new, the old one neither renamed nor retired), as the store took the
    two names for two files. A file is the same file under any name."""
    folder = tmp_path / "notes"
    folder.mkdir()
    path = folder / "paper.md"
    before = "| 2020 | Deep Residual Learning | k | c | ![](f.png) | |"
    path.write_text(table(before, "| 2021 | Other | k | c | | |"), encoding="utf-8")
    monkeypatch.chdir(folder)
    deck, _ = open_deck(store, [Path("paper.md")], NOW)
    answer_all(store, deck)
    monkeypatch.chdir(tmp_path)
    other_name = {
        "relative": Path("notes/paper.md"),
        "absolute": path,
        "symlink": tmp_path / "link.md",
    }[named]
    if named == "symlink":
        other_name.symlink_to(path)
    _, report = open_deck(store, [other_name], NOW)
    assert not report.changed
    path.write_text(
        table(before.replace("Deep Residual Learning", "ResNet"), "| 2021 | Other | k | c | | |"),
        encoding="utf-8",
    )
    monkeypatch.chdir(folder)
    deck2, report = open_deck(store, [Path("paper.md")], NOW)
    assert str(report) == "0 new, 1 renamed, 0 retired"
    resnet = next(c for c in deck2.cards if c.paper.title == "ResNet")
    assert store.state(resnet.id).sm2.repetitions == 1
    assert store.retired_count(deck2.sources) == 0
    # Deleting a row retires its card, whatever name the file was read by before.
    monkeypatch.chdir(tmp_path)
    open_deck(store, [other_name], NOW)
    path.write_text(table("| 2021 | Other | k | c | | |"), encoding="utf-8")
    monkeypatch.chdir(folder)
    deck3, report = open_deck(store, [Path("paper.md")], NOW)
    assert report.retired == 1 and store.retired_count(deck3.sources) == 1


def test_a_file_recorded_by_a_relative_name_by_an_older_studydeck_is_found(
    store: Store, tmp_path: Path, monkeypatch
) -> None:
    """Stores written before files were recorded by identity hold the name as typed: read
    from the working folder, they are the same file, and are recorded by identity from then
    on (retired papers too, whose cards the deck's retired count finds)."""
    path = tmp_path / "paper.md"
    a = "| 2020 | Deep Residual Learning | k | c | ![](f.png) | |"
    path.write_text(table(a, "| 2021 | B | k | c | | |"))
    monkeypatch.chdir(tmp_path)
    deck, _ = open_deck(store, [Path("paper.md")], NOW)
    answer_all(store, deck)
    path.write_text(table(a))
    open_deck(store, [Path("paper.md")], NOW)  # B retired
    with store.transaction() as c:
        c.execute("UPDATE papers SET source = 'paper.md'")  # as an older studydeck wrote it
    path.write_text(table(a.replace("Deep Residual Learning", "ResNet")))
    deck2, report = open_deck(store, [path], NOW)
    assert str(report) == "0 new, 1 renamed, 0 retired"
    assert store.state(deck2.cards[0].id).sm2.repetitions == 1
    assert store.retired_count(deck2.sources) == 1
    assert {s for (s,) in store.tuples("SELECT DISTINCT source FROM papers")} == {
        os.path.realpath(path)
    }


def test_deleted_row_is_retired_and_comes_back(store: Store, notes) -> None:
    two = table("| 2020 | A | k | c | | |", "| 2021 | B | k | c | | |")
    path = notes(two)
    deck, _ = open_deck(store, [path], NOW)
    answer_all(store, deck, 4)
    path.write_text(table("| 2020 | A | k | c | | |"))
    _, report = open_deck(store, [path], NOW)
    assert str(report) == "0 new, 0 renamed, 1 retired"
    b_id = deck.cards[1].id
    assert store.state(b_id).retired
    path.write_text(two)
    _, report = open_deck(store, [path], NOW)
    assert report.restored == 1
    assert not store.state(b_id).retired and store.state(b_id).sm2.repetitions == 1


def test_duplicate_titles_in_two_sections_keep_separate_history(store: Store, notes) -> None:
    text = (
        "# D\n\n## S1\n\n"
        + table("| 2020 | Same | k | c1 | | |", title="")
        + "\n## S2\n\n"
        + table("| 2020 | Same | k | c2 | | |", title="")
    )
    path = notes(text)
    deck, _ = open_deck(store, [path], NOW)
    store.record_answer(deck.cards[0].id, 5, now=NOW, today=TODAY)
    path.write_text(text.replace("c1", "c1 edited"))
    deck2, report = open_deck(store, [path], NOW)
    assert not report.changed
    assert store.state(deck2.cards[0].id).sm2.repetitions == 1
    assert store.state(deck2.cards[1].id).sm2.is_new


def test_other_files_are_not_retired(store: Store, notes) -> None:
    a = notes(table("| 2020 | A | k | c | | |"), "a.md")
    b = notes(table("| 2020 | B | k | c | | |"), "b.md")
    open_deck(store, [a], NOW)
    _, report = open_deck(store, [b], NOW)
    assert report.retired == 0


# -- faults ----------------------------------------------------------------------------


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studydeck", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
    )


def assert_one_line_error(run: subprocess.CompletedProcess[str], needle: str) -> None:
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert needle in run.stderr.strip().splitlines()[-1]


def test_foreign_database_is_refused_and_untouched(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    assert_one_line_error(run_cli("stats", "--db", str(db)), "not a studydeck database")
    assert db.read_bytes() == before


def test_garbage_file_is_refused_and_untouched(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    before = db.read_bytes()
    assert_one_line_error(run_cli("stats", "--db", str(db)), "not a studydeck database")
    assert db.read_bytes() == before


def test_corrupt_store_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store.open(db) as s:
        open_deck(s, [SEED], NOW)
    data = bytearray(db.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page but the header
    db.write_bytes(bytes(data))
    run = run_cli("stats", "--db", str(db))
    assert_one_line_error(run, "corrupt")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store.open(db):
        pass
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    assert_one_line_error(run_cli("stats", "--db", str(db)), "newer studydeck")
    assert db.read_bytes() == before


def test_read_only_folder(tmp_path: Path) -> None:
    # Root ignores permission bits, so use a folder no one can write to: /proc.
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    target = folder if os.geteuid() != 0 else Path("/proc/self")
    with pytest.raises(StudydeckError, match="cannot"):
        Store.open(target / "new.sqlite3")
    assert_one_line_error(run_cli("stats", "--db", str(target / "new.sqlite3")), "cannot")


WORKER = textwrap.dedent("""
    import sys
    from datetime import datetime, date, timezone
    from pathlib import Path
    from studydeck.store import Store
    from studydeck.loading import open_deck
    db, seed, n, me = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    s = Store.open(Path(db))
    deck, _ = open_deck(s, [Path(seed)], datetime.now(timezone.utc))
    print("ready", flush=True)
    assert sys.stdin.readline() == "go\\n"
    print("trying", flush=True)
    for i in range(n):
        card = deck.cards[(2 * i + me) % len(deck.cards)]
        s.record_answer(card.id, 4, now=datetime.now(timezone.utc), today=date(2026, 3, 1))
    print("done", flush=True)
""")


def test_two_processes_never_lose_an_answer(tmp_path: Path) -> None:
    """Both workers start writing while a third connection holds the write lock, so their
    first answers wait on it together and the rest run side by side."""
    db = tmp_path / "shared.db"
    with Store.open(db) as s:
        open_deck(s, [SEED], NOW)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db), str(SEED), "60", str(me)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me in range(2)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n", p.stderr
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "trying\n"
    holder.execute("COMMIT")
    holder.close()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out == "done\n", err
    with Store.open(db) as s:
        assert s.review_count() == 120
        per_card = Counter(r.card_id for r in s.reviews())
        deck, _ = open_deck(s, [SEED], NOW)
        expected = Counter(
            deck.cards[(2 * i + me) % len(deck.cards)].id for i in range(60) for me in (0, 1)
        )
        assert per_card == expected


STEADY_WORKER = textwrap.dedent("""
    import sys
    from datetime import datetime, date, timezone
    from pathlib import Path
    from studydeck.store import Store
    from studydeck.loading import open_deck
    db, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = Store.open(Path(db))
    deck, _ = open_deck(s, [Path(seed)], datetime.now(timezone.utc))
    for i in range(n):
        card = deck.cards[i % len(deck.cards)]
        s.record_answer(card.id, 4, now=datetime.now(timezone.utc), today=date(2026, 3, 1))
        print(i, flush=True)
""")


def test_kill_mid_session_loses_at_most_the_answer_in_flight(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    p = subprocess.Popen(
        [sys.executable, "-c", STEADY_WORKER, str(db), str(SEED), "100000"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None
    confirmed = 0
    deadline = time.monotonic() + 60
    while confirmed < 40 and time.monotonic() < deadline:
        p.stdout.readline()
        confirmed += 1
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    p.stdout.close()
    with Store.open(db) as s:
        assert s.review_count() >= confirmed
        assert s.query("PRAGMA integrity_check")[0][0] == "ok"


def test_stats_json(tmp_path: Path, capsys) -> None:
    db = tmp_path / "s.db"
    assert main(["stats", str(SEED), "--db", str(db), "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["total_cards"] == 44 and data["new_available"] == 20
    assert data["due_today"] == 0 and data["reviewed_today"] == 0
    assert main(["stats", str(SEED), "--db", str(db), "--json", "--new-per-day", "5"]) == 0
    assert json.loads(capsys.readouterr().out)["new_available"] == 5


def test_config_file_sets_limits(tmp_path: Path, capsys) -> None:
    from studydeck.config import config_path

    cfg = config_path()
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text("new_per_day = 7\n")
    assert main(["stats", str(SEED), "--db", str(tmp_path / "s.db"), "--json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["new_available"] == 7
    cfg.write_text("new_per_day = 'lots'\n")
    assert main(["stats", str(SEED), "--db", str(tmp_path / "s.db")]) == 1
    assert (
        "config.toml: error: 'new_per_day': Input should be a valid integer, not 'lots'"
        in capsys.readouterr().err
    )


def test_unreadable_cache_falls_back_to_parsing(store: Store, notes) -> None:
    path = notes(table("| 2020 | A | k | c | | |"))
    open_deck(store, [path], NOW)
    with store.transaction() as c:
        c.execute("UPDATE deck_cache SET data = ?", (b"\x00garbage",))
    deck, report = open_deck(store, [path], NOW)
    assert [p.title for p in deck.papers] == ["A"] and not report.changed


def test_another_paper_of_the_same_year_is_not_a_rename(store: Store, notes) -> None:
    path = notes(table("| 2020 | Deep Residual Learning | k | c | | |"))
    deck, _ = open_deck(store, [path], NOW)
    answer_all(store, deck)
    path.write_text(table("| 2020 | Swin Transformer Hierarchical Vision | k | c | | |"))
    deck2, report = open_deck(store, [path], NOW)
    assert str(report) == "1 new, 0 renamed, 1 retired"
    assert store.state(deck2.cards[0].id).sm2.is_new


def test_same_link_keeps_history_when_section_and_title_both_change(store: Store, notes) -> None:
    """A paper listed in two sections is keyed by section + link. When one section is
    renamed and that row's title rewritten, only the link still says which paper it is."""
    link = "[Attention](https://arxiv.org/abs/1706.03762)"
    before = (
        "# 论文\n\n## Vision\n\n"
        + table(f"| 2017 | {link} | k | c | | |", title="")
        + "\n## Language\n\n"
        + table(f"| 2017 | {link} | k | c | | |", title="")
    )
    path = notes(before)
    deck, _ = open_deck(store, [path], NOW)
    assert [p.key for p in deck.papers] == [
        "vision/url:arxiv.org/abs/1706.03762",
        "language/url:arxiv.org/abs/1706.03762",
    ]
    answer_all(store, deck)
    after = before.replace(
        f"## Vision\n\n{HEADER}| 2017 | {link}",
        f"## Images\n\n{HEADER}| 2017 | [Transformers everywhere](https://arxiv.org/abs/1706.03762)",
    )
    assert after != before
    path.write_text(after)
    deck2, report = open_deck(store, [path], NOW)
    assert str(report) == "0 new, 1 renamed, 0 retired"
    moved = deck2.papers[0]
    assert moved.key == "images/url:arxiv.org/abs/1706.03762"
    card = next(c for c in deck2.cards if c.paper.key == moved.key)
    assert store.state(card.id).sm2.repetitions == 1


def test_a_worker_reads_on_its_own_connection_never_inside_the_uis_transaction(
    store: Store,
) -> None:
    """A screen's worker thread reads through ``Store.reading``: it sees the last commit,
    not a change the UI is making (and may still roll back), and it cannot write."""
    import threading

    deck, _ = open_deck(store, [SEED], NOW)
    cid = deck.cards[0].id
    seen: list[object] = []

    def worker() -> None:
        seen.append(store.reading(lambda s: s.state(cid).suspended))
        try:
            store.reading(lambda s: s.set_suspended(cid, True))
        except StudydeckError as exc:
            seen.append(exc.message)

    with store.transaction() as c:  # the UI, mid-change
        c.execute("UPDATE cards SET suspended = 1 WHERE card_id = ?", (cid,))
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen[0] is False and "cannot open the database for writing" in str(seen[1])
    assert store.reading(lambda s: s.state(cid).suspended) is True  # once committed


def test_a_negative_duration_is_recorded_as_zero(store: Store, notes) -> None:
    """The line this device writes must be one other devices read: they refuse a negative
    duration (a mutation audit: dropping the floor at 0 went unseen)."""
    deck, _ = open_deck(store, [notes(table("| 2020 | A | k | c | | |"))], NOW)
    cid = deck.cards[0].id
    store.record_answer(cid, 4, now=NOW, today=TODAY, duration_ms=-5)
    assert store.reviews(cid=cid)[0].duration_ms == 0
