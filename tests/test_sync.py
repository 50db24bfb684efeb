"""Review history that travels with the notes: two real git clones, one notes repository."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from studydeck.cli import main
from studydeck.config import Settings
from studydeck.loading import open_deck
from studydeck.session import Session
from studydeck.store import Store
from studydeck.sync import LOG_DIR, DeviceLog, device_id, init, read_logs, status, sync

from .conftest import table

TZ = timezone(timedelta(hours=1))
ROWS = [
    f"| 20{10 + i} | [Paper {i}](https://example.org/p{i}) | kw{i % 3} | "
    f"Contribution {i} makes things faster. | | Insight {i}: it works because of scale. "
    f"Weakness: costly at size {i}. |"
    for i in range(6)
]


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    out = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "pull.rebase=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


@pytest.fixture
def two_clones(tmp_path: Path) -> tuple[Path, Path]:
    """A notes repository that opted in to sync, pushed to a bare origin and cloned twice."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--bare", str(origin))
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init")
    (seed / "notes.md").write_text(table(*ROWS), encoding="utf-8")
    init(seed)
    git(seed, "add", "-A")
    git(seed, "commit", "-m", "notes")
    git(seed, "push", str(origin), "HEAD:main")
    a, b = tmp_path / "laptop", tmp_path / "desktop"
    git(tmp_path, "clone", str(origin), str(a))
    git(tmp_path, "clone", str(origin), str(b))
    return a, b


def review(store: Store, notes: Path, clock: Clock, grades: list[int]) -> list[str]:
    deck, _ = open_deck(store, [notes], clock())
    session = Session(store, deck, Settings(new_per_day=4), clock)
    answered = []
    for g in grades:
        item = session.current
        assert item is not None
        answered.append(item.card.id)
        session.answer(g)
        clock.now += timedelta(seconds=30)
    return answered


def commit_and_share(clone: Path, message: str) -> None:
    git(clone, "add", "-A")
    git(clone, "commit", "-m", message)
    git(clone, "pull", "--no-edit", "origin", "main")
    git(clone, "push", "origin", "HEAD:main")


def test_two_clones_converge_after_pulling_both_ways(two_clones, tmp_path, capsys) -> None:
    a, b = two_clones
    sa, sb = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    day = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    # The same morning, on two machines: both start with the same first cards. The desktop
    # answers later in the morning but is run first, so its event ids (made from the real
    # clock) sort before the laptop's: only an order by time gives the answers below.
    on_b = review(sb, b / "notes.md", Clock(day + timedelta(minutes=10)), [1, 4, 5])
    on_a = review(sa, a / "notes.md", Clock(day), [5, 2, 4, 3])
    # A quiz on the laptop: never schedules, but travels too.
    sa.log_quiz("meeting", [(on_a[1], "k", "which_paper", True, 4.0)], day + timedelta(hours=2))
    sync(sa, a, "laptop")
    sync(sb, b, "desktop")
    commit_and_share(a, "laptop reviews")
    commit_and_share(b, "desktop reviews")  # pulls the laptop's file, then pushes
    git(a, "pull", "--no-edit", "origin", "main")
    assert sorted(p.name for p in (a / LOG_DIR).glob("*.jsonl")) == [
        "desktop.jsonl",
        "laptop.jsonl",
    ]
    ra, rb = sync(sa, a, "laptop"), sync(sb, b, "desktop")
    assert (ra.added["desktop"], rb.added["laptop"]) == (3, 5)

    states_a, states_b = sa.states(), sb.states()
    assert states_a == states_b
    # A card both machines answered keeps both answers, in time order.
    both = on_a[0]
    assert both == on_b[0]
    assert [r.quality for r in sa.reviews(cid=both)] == [5, 1]
    assert [r.quality for r in sb.reviews(cid=both)] == [5, 1]
    # The desktop's answer came second the same study day: a same-day repeat (one scheduled
    # answer per card per day, as with two windows), so the laptop's success schedules it.
    assert (states_a[both].sm2.repetitions, states_a[both].lapses) == (1, 0)
    assert [r.repeat for r in sa.reviews(cid=both)] == [False, True]
    sa.close()
    sb.close()

    outs = []
    for clone, db in ((a, "a.db"), (b, "b.db")):
        assert main(["stats", "--json", "--db", str(tmp_path / db), str(clone / "notes.md")]) == 0
        outs.append(json.loads(capsys.readouterr().out))
    assert outs[0] == outs[1]
    assert (outs[0]["quizzes"], outs[0]["quiz_correct_share"]) == (1, 1.0)
    assert outs[0]["reviewed_today"] >= 0 and sum(outs[0]["answers_by_grade"].values()) == 7


def test_a_store_rebuilt_from_the_logs_alone_has_the_same_states(two_clones, tmp_path) -> None:
    a, _ = two_clones
    with Store.open(tmp_path / "a.db") as sa:
        answered = review(
            sa, a / "notes.md", Clock(datetime(2026, 3, 2, 9, tzinfo=TZ)), [5, 2, 4, 0]
        )
        sa.bury(answered[0], datetime(2026, 3, 4).date())
        sa.set_suspended(answered[1], True)
        assert sa.send_to_review([answered[2]], datetime(2026, 3, 2).date()) == 1  # a quiz's
        sync(sa, a, "laptop")
        before = sa.states()
    with Store.open(tmp_path / "fresh.db") as fresh:
        open_deck(fresh, [a / "notes.md"], datetime(2026, 3, 2, 20, tzinfo=TZ))
        report = sync(fresh, a, "laptop")
        assert report.added["laptop"] == 7
        assert fresh.states() == before
        got = fresh.states_of(answered[:3])
        assert got[answered[0]].buried_until == datetime(2026, 3, 4).date()
        assert got[answered[1]].suspended
        assert got[answered[2]].sm2.due == datetime(2026, 3, 2).date()


def test_undo_travels_as_a_line_and_nothing_is_deleted(two_clones, tmp_path) -> None:
    a, b = two_clones
    clock = Clock(datetime(2026, 3, 2, 9, tzinfo=TZ))
    with Store.open(tmp_path / "a.db") as sa:
        deck, _ = open_deck(sa, [a / "notes.md"], clock())
        session = Session(sa, deck, Settings(new_per_day=3), clock)
        first = session.current
        assert first is not None
        session.answer(4)
        session.undo()
        sync(sa, a, "laptop")
        lines = (a / LOG_DIR / "laptop.jsonl").read_text().splitlines()
        assert [json.loads(x)["event"] for x in lines] == ["answer", "undo"]
    (b / LOG_DIR / "laptop.jsonl").write_text("\n".join(lines) + "\n")
    with Store.open(tmp_path / "b.db") as sb:
        open_deck(sb, [b / "notes.md"], clock())
        sync(sb, b, "desktop")
        assert sb.state(first.card.id).sm2.is_new
        assert sb.reviews(cid=first.card.id) == []


def test_a_truncated_last_line_is_skipped_reported_and_appended_after(two_clones, tmp_path) -> None:
    a, _ = two_clones
    clock = Clock(datetime(2026, 3, 2, 9, tzinfo=TZ))
    with Store.open(tmp_path / "a.db") as sa:
        review(sa, a / "notes.md", clock, [4, 4])
        sync(sa, a, "laptop")
        path = a / LOG_DIR / "laptop.jsonl"
        whole = path.read_text()
        path.write_text(whole + '{"id":"abc","at":"2026-03-0')  # killed mid-append
        logs = read_logs(a / LOG_DIR)
        assert len(logs.events) == 2
        assert [(p.line, "truncated" in p.what) for p in logs.problems] == [(3, True)]
        with DeviceLog(a / LOG_DIR, "laptop") as log:
            sa.journal = log.append
            review(sa, a / "notes.md", clock, [5])
            sa.journal = None
        logs = read_logs(a / LOG_DIR)
        assert len(logs.events) == 3
        assert [(p.line, "bad line" in p.what) for p in logs.problems] == [(3, True)]
        assert any("skipped" in line for line in status(sa, a, "laptop"))


def test_device_id_is_made_once_and_kept(tmp_path) -> None:
    first = device_id(tmp_path / "id")
    assert first.startswith("dev-") and device_id(tmp_path / "id") == first


def test_sync_init_writes_union_merge_attributes_and_status_reports(tmp_path, capsys) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.md").write_text(table(*ROWS[:2]), encoding="utf-8")
    (notes / ".gitattributes").write_text("*.png binary")
    db = str(tmp_path / "s.db")
    assert main(["sync", "--init", "--db", db, str(notes)]) == 0
    attrs = (notes / ".gitattributes").read_text().splitlines()
    assert attrs == ["*.png binary", ".studydeck/reviews/*.jsonl merge=union"]
    assert main(["sync", "--init", "--db", db, str(notes)]) == 0
    assert (notes / ".gitattributes").read_text().splitlines() == attrs
    capsys.readouterr()
    assert main(["sync", "--status", "--db", db, str(notes / "notes.md")]) == 0
    assert "this device is dev-" in capsys.readouterr().out


def test_sync_without_init_says_what_to_do(tmp_path, capsys) -> None:
    (tmp_path / "notes.md").write_text(table(*ROWS[:2]), encoding="utf-8")
    assert main(["sync", "--db", str(tmp_path / "s.db"), str(tmp_path / "notes.md")]) == 2
    err = capsys.readouterr().err
    assert "sync --init" in err and "Traceback" not in err


def test_a_paper_renamed_on_one_clone_keeps_its_history_on_both(two_clones, tmp_path) -> None:
    a, b = two_clones
    day = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    sa, sb = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    first = review(sa, a / "notes.md", Clock(day), [5])[0]
    review(sb, b / "notes.md", Clock(day + timedelta(hours=1)), [])
    sync(sa, a, "laptop")
    commit_and_share(a, "laptop reviews")
    # The laptop moves Paper 0 to a new link: a new key, the same paper.
    notes = a / "notes.md"
    notes.write_text(notes.read_text().replace("example.org/p0)", "example.org/p0-v2)"))
    later = Clock(day + timedelta(days=1))
    renamed = review(sa, notes, later, [4])[0]
    assert renamed != first and renamed.split("/")[1] == first.split("/")[1]
    assert [r.quality for r in sa.reviews(cid=renamed)] == [5, 4]
    sync(sa, a, "laptop")
    assert [r.quality for r in sa.reviews(cid=renamed)] == [5, 4]
    commit_and_share(a, "renamed a paper")
    git(b, "pull", "--no-edit", "origin", "main")
    open_deck(sb, [b / "notes.md"], later())
    sync(sb, b, "desktop")
    assert [r.quality for r in sb.reviews(cid=renamed)] == [5, 4]
    assert sb.states()[renamed] == sa.states()[renamed]
    sa.close()
    sb.close()


def test_answers_pulled_before_their_cards_exist_apply_at_the_next_sync(
    two_clones, tmp_path, monkeypatch
):
    """... and a sync with nothing new (as at each review's start and end) looks through the
    answers for ones still waiting for their cards only when answers or cards came since."""
    a, b = two_clones
    sa, sb = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    day = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    answered = review(sa, a / "notes.md", Clock(day), [5, 2])
    sync(sa, a, "laptop")
    commit_and_share(a, "laptop reviews")
    git(b, "pull", "--no-edit", "origin", "main")
    looks: list[int] = []
    unapplied = sb.unapplied_keys
    monkeypatch.setattr(sb, "unapplied_keys", lambda: looks.append(1) or unapplied())
    sync(sb, b, "desktop")  # before the desktop ever opened the notes: no cards yet
    assert sb.waiting_events() == 2
    sync(sb, b, "desktop")  # the first look since
    sync(sb, b, "desktop")
    sync(sb, b, "desktop")  # nothing came: no look
    assert len(looks) == 1
    open_deck(sb, [b / "notes.md"], day + timedelta(hours=1))
    assert {s.sm2.due for s in sb.states_of(answered).values()} == {None}
    sync(sb, b, "desktop")
    assert len(looks) == 2
    assert sb.states_of(answered) == sa.states_of(answered)
    assert sb.states_of(answered)[answered[0]].sm2.due is not None
    assert sb.review_count() == sa.review_count() == 2


def test_a_bulk_sync_keeps_every_index_of_the_store(two_clones, tmp_path, monkeypatch):
    """Big syncs drop the review and event indexes (and the review triggers) for the insert
    and make them again."""
    import studydeck.store.events as events

    monkeypatch.setattr(events, "BULK", 1)  # every insert counts as bulk
    a, _ = two_clones
    store = Store.open(tmp_path / "a.db")

    def indexes() -> list[tuple[str, str]]:  # and triggers: they are off for the bulk too
        rows = store.query("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')")
        return sorted((r["name"], r["sql"] or "") for r in rows)

    before = indexes()
    assert ("reviews_cid", "CREATE INDEX reviews_cid ON reviews(cid)") in before
    assert "reviews_total_in" in dict(before)
    review(store, a / "notes.md", Clock(datetime(2026, 3, 2, 9, tzinfo=TZ)), [5, 2, 4])
    sync(store, a, "laptop")
    store.rebuild()
    assert indexes() == before
    assert store.review_count() == 3


def test_a_bulk_sync_and_a_full_rebuild_count_the_running_totals_again(
    two_clones, tmp_path, monkeypatch
):
    """Bulk writes leave the review triggers off and count the totals once after: stats read
    the same totals as on the clone whose triggers counted each answer."""
    import studydeck.store.events as events

    monkeypatch.setattr(events, "BULK", 1)  # every sync is a bulk one
    a, b = two_clones
    sa, sb = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    day = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    review(sa, a / "notes.md", Clock(day), [5, 2, 4, 1, 3, 4])  # lapses come back the same day
    review(sa, a / "notes.md", Clock(day + timedelta(days=1)), [4, 5])

    def totals(store: Store) -> tuple[object, ...]:
        return (store.answers_by_day_and_grade(), sorted(store.card_figures().answered()))

    counted = totals(sa)
    assert sum(n for _, _, n in counted[0]) > sum(n for _, _, n in counted[1])  # repeats
    sync(sa, a, "laptop")
    commit_and_share(a, "laptop reviews")
    git(b, "pull", "--no-edit", "origin", "main")
    open_deck(sb, [b / "notes.md"], day)
    sync(sb, b, "desktop")
    assert totals(sb) == counted
    sa.rebuild()
    assert totals(sa) == counted
    sa.close()
    sb.close()


def test_a_statement_moved_on_one_clone_moves_on_the_other_and_back(two_clones, tmp_path):
    """`m` on the laptop moves an insight to the critique card; after commit and pull the
    desktop's deck has it there too. The desktop moves it back an hour later; the laptop,
    not yet pulled, moves it again half an hour later than its first move: after pulling
    both ways, the latest in time (the desktop's move back) stands on both."""
    from studydeck.carding import statements
    from studydeck.models import CardKind

    a, b = two_clones
    sa, sb = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    now = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)

    def cards(store: Store, clone: Path) -> list[tuple[str, str]]:
        deck, _ = open_deck(store, [clone / "notes.md"], now)
        return [(c.id, c.back) for c in deck.cards]

    def logged(clone: Path, device: str) -> list[tuple[str, str, str]]:
        lines = (clone / LOG_DIR / f"{device}.jsonl").read_text(encoding="utf-8").splitlines()
        return [(x["event"], x["kind"], x["value"]) for x in map(json.loads, lines)]

    classified = cards(sa, a)
    assert cards(sb, b) == classified
    paper = open_deck(sa, [a / "notes.md"], now)[0].papers[0]
    moved = next(s for s in statements(paper) if s.kind is CardKind.INSIGHT)
    sa.correct(paper.key, moved.key, CardKind.CRITIQUE, now)
    corrected = cards(sa, a)
    assert corrected != classified
    sync(sa, a, "laptop")
    assert logged(a, "laptop") == [("correct", "critique", moved.key)]
    commit_and_share(a, "moved a statement")

    git(b, "pull", "--no-edit", "origin", "main")
    sync(sb, b, "desktop")
    assert sb.corrections() == sa.corrections() == {(paper.key, moved.key): CardKind.CRITIQUE}
    assert cards(sb, b) == corrected

    sb.uncorrect(paper.key, moved.key, now + timedelta(hours=1))  # `m` on the critique card
    assert cards(sb, b) == classified
    sync(sb, b, "desktop")
    assert logged(b, "desktop") == [("correct", "", moved.key)]  # a line, not a deletion
    commit_and_share(b, "moved it back")
    sa.correct(paper.key, moved.key, CardKind.CRITIQUE, now + timedelta(minutes=30))
    sync(sa, a, "laptop")
    commit_and_share(a, "moved it again")  # pulls the desktop's line first
    sync(sa, a, "laptop")
    git(b, "pull", "--no-edit", "origin", "main")
    sync(sb, b, "desktop")
    for store, clone in ((sa, a), (sb, b)):
        assert store.corrections() == {}
        assert cards(store, clone) == classified
    sa.close()
    sb.close()


def test_answers_made_under_the_old_key_before_pulling_a_rename_land_on_the_card(
    two_clones, tmp_path
):
    """The laptop renames a paper (a new link: a new key) and answers it; the desktop, not
    yet pulled, answers the same card under the old key. After pulling both ways each
    store has the card's three answers, in time order, on the renamed card."""
    a, b = two_clones
    sa, sb = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    day = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    card = review(sa, a / "notes.md", Clock(day), [5])[0]
    sync(sa, a, "laptop")
    commit_and_share(a, "laptop reviews")
    git(b, "pull", "--no-edit", "origin", "main")
    open_deck(sb, [b / "notes.md"], day)
    sync(sb, b, "desktop")

    notes = a / "notes.md"
    notes.write_text(notes.read_text().replace("example.org/p0)", "example.org/p0-v2)"))
    renamed = review(sa, notes, Clock(day + timedelta(days=1)), [4])[0]
    assert renamed != card
    sync(sa, a, "laptop")
    commit_and_share(a, "renamed a paper")
    # Meanwhile, the desktop answers the card under its old key, an hour later the same day.
    assert review(sb, b / "notes.md", Clock(day + timedelta(days=1, hours=1)), [3])[0] == card
    sync(sb, b, "desktop")
    commit_and_share(b, "desktop reviews")  # pulls the rename, pushes its old-key line
    line = json.loads((b / LOG_DIR / "desktop.jsonl").read_text().splitlines()[-1])
    assert f"{line['paper']}/{line['kind']}" == card
    open_deck(sb, [b / "notes.md"], day + timedelta(days=1, hours=2))
    sync(sb, b, "desktop")
    git(a, "pull", "--no-edit", "origin", "main")
    sync(sa, a, "laptop")
    for store in (sa, sb):
        assert [(r.quality, r.repeat) for r in store.reviews(cid=renamed)] == [
            (5, False),
            (4, False),
            (3, True),  # the same study day as the laptop's answer: a same-day repeat
        ]
        assert store.reviews(cid=card) == []
    assert sa.states()[renamed] == sb.states()[renamed]
    assert sa.states()[renamed].sm2.repetitions == 2
    sa.close()
    sb.close()


def test_status_says_what_came_from_where_as_plain_text(two_clones, tmp_path, capsys) -> None:
    a, b = two_clones
    day = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    sa, sb = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    on_a = review(sa, a / "notes.md", Clock(day), [5, 2])
    sa.log_quiz("meeting", [(on_a[1], "k", "which_paper", True, 4.0)], day + timedelta(hours=1))
    sync(sa, a, "laptop")
    commit_and_share(a, "laptop reviews")
    git(b, "pull", "--no-edit", "origin", "main")
    review(sb, b / "notes.md", Clock(day + timedelta(hours=2)), [4])
    sb.bury(on_a[0], (day + timedelta(days=2)).date(), now=day + timedelta(hours=2, minutes=1))
    sb.set_suspended(on_a[0], True, now=day + timedelta(hours=2, minutes=2))
    sb.set_suspended(on_a[0], False, now=day + timedelta(hours=2, minutes=3))
    sync(sb, b, "desktop")
    # A device file from a hostile machine: its name, its device and its event are escapes.
    evil = b / LOG_DIR / "evil\x1b[2J.jsonl"
    line = json.loads((a / LOG_DIR / "laptop.jsonl").read_text().splitlines()[0])
    evil.write_text(
        json.dumps({**line, "id": "x1", "device": "evil"})
        + "\n"
        + json.dumps({**line, "id": "x2", "event": "\x1b[31mboom"})
        + "\n"
        + json.dumps({**line, "id": "x3", "device": "\x1b]0;owned\x07"})
        + "\n"
    )
    lines = status(sb, b, "desktop")
    assert lines[1:4] == [
        # (a trial's suspension and its undo read "2 suspensions")
        "  desktop.jsonl (this device): 4 events (1 answer, 1 burying, 1 suspension, "
        "1 suspension lifted), newest 2026-03-02T10:03:00.000Z, 0 not yet applied",
        "  evil\x1b[2J.jsonl: 1 event (1 answer), newest 2026-03-02T08:00:00.000Z, "
        "1 not yet applied",
        "  laptop.jsonl: 3 events (2 answers, 1 quiz answer), "
        "newest 2026-03-02T09:00:00.000Z, 0 not yet applied",
    ]
    assert lines[4] == "  this store: 7 events (4 from desktop, 3 from laptop), " \
        "0 of this device's not yet written"  # fmt: skip
    assert "unknown event" in lines[5] and "device id" in lines[6]
    # (the lines' text shown as escapes, '\\x1b'; the file name is the terminal's to clean)
    assert all("\x1b" not in line.partition(".jsonl:")[2] for line in lines[5:])
    sb.close()
    capsys.readouterr()
    assert main(["sync", "--status", "--db", str(tmp_path / "b.db"), str(b / "notes.md")]) == 0
    assert main(["sync", "--db", str(tmp_path / "b.db"), str(b / "notes.md")]) == 0
    out, err = capsys.readouterr()
    assert "  evil.jsonl: 1 event (1 answer)" in out  # the escapes are gone, not shown
    assert "\x1b" not in out + err and "\x07" not in out + err
    sa.close()
