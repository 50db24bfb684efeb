"""A sync applies only lines studydeck could have written (a user trial: a hand-made line of
card kind ``bogus\\x1b[31m`` and duration -5 was kept in the store). Each other line is
said once a sync, with its file and line, and changes nothing; the good lines beside it are
applied; and a file holding one is never taken as applied, now or after an upgrade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studydeck import digests
from studydeck.replay import Event
from studydeck.store import Store
from studydeck.sync import LOG_DIR, from_line, read_logs, sync, to_line

from .test_sync_lines import LOADERS
from .test_sync_rows import KEYS
from .test_sync_totals import with_cards

ANSWER = Event("g1", "2026-03-02T08:00:00.000Z", "2026-03-02", "answer", KEYS[0], 4, 900)
LINE = json.loads(to_line(ANSWER, "desk"))
FLAG = {k: v for k, v in LINE.items() if k not in ("grade", "ms", "repeat")}

BAD = {
    "bogus card kind with an escape, -5 ms (the trial's line)": {
        **LINE,
        "kind": "bogus\x1b[31m",
        "ms": -5,
    },
    "a card kind studydeck has not": {**LINE, "kind": "summary"},
    "an unknown event": {**LINE, "event": "bogus\x1b[31m"},
    "a duration below 0": {**LINE, "ms": -5},
    "a duration past the bound": {**LINE, "ms": 10**15},
    "a duration SQLite cannot store": {**LINE, "ms": 2**64},
    "a duration that is a float": {**LINE, "ms": 900.5},
    "a paper that is no key's hash": {**LINE, "paper": "title:attention"},
    "a device id with an escape": {**LINE, "device": "\x1b]0;owned\x07"},
    "a device id with a space": {**LINE, "device": "my laptop"},
    "an event id with an escape": {**LINE, "id": "x\x1b[2J"},
    "a grade above 5": {**LINE, "grade": 9},
    "a burying with a grade": {**FLAG, "event": "bury", "value": "2026-03-09", "grade": 9},
    "a rename from no card key": {**FLAG, "event": "rename", "value": "x\x1b[2J"},
    "a year far ahead": {**LINE, "day": "9999-12-31"},
}


def hostile_file(folder: Path) -> tuple[Path, list[str], dict[int, str]]:
    """A device file: each bad line between two good ones. Returns it, the good lines' ids
    and each bad line's number (what it is)."""
    lines, good, bad = [], [], {}
    for n, (what, row) in enumerate(BAD.items()):
        e = ANSWER._replace(id=f"g{n}", key=KEYS[n % len(KEYS)], quality=n % 6)
        lines.append(to_line(e, "desk"))
        good.append(e.id)
        lines.append(
            json.dumps({**row, "id": row["id"] if what.startswith("an event id") else f"b{n}"})
            + "\n"
        )
        bad[len(lines)] = what
    lines.append(to_line(ANSWER._replace(id="last"), "desk"))
    good.append("last")
    path = folder / "desk.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path, good, bad


@pytest.fixture(params=LOADERS)
def loader(request, monkeypatch):
    import studydeck.sync as sync_module

    monkeypatch.setattr(sync_module, "_loads", request.param)


def store_rows(store: Store) -> tuple[object, ...]:
    return (
        store.tuples("SELECT * FROM events ORDER BY id"),
        store.tuples("SELECT * FROM cards ORDER BY cid"),
        store.tuples("SELECT cid, at, quality, duration_ms, event_id FROM reviews ORDER BY id"),
    )


def test_each_bad_line_is_said_and_skipped_and_the_good_ones_beside_it_applied(
    tmp_path, loader
) -> None:
    folder = tmp_path / "notes" / LOG_DIR
    folder.mkdir(parents=True)
    path, good, bad = hostile_file(folder)
    store = with_cards(tmp_path / "store.db")
    report = sync(store, tmp_path / "notes", "laptop")
    assert [(p.path, p.line) for p in report.problems] == [(path, n) for n in bad]
    for p in report.problems:  # one line each: file, line, what, that it was skipped
        assert "\n" not in str(p) and "\x1b" not in p.what and "\x07" not in p.what
        assert str(p).startswith(f"{path}:{p.line}: warning: bad line (")
        assert str(p).endswith("; the line was skipped")
    assert sorted(store.event_ids()) == sorted(good)
    assert report.added == {"desk": len(good)}
    # ... and the store is what the good lines alone make.
    alone = tmp_path / "alone"
    (alone / LOG_DIR).mkdir(parents=True)
    kept = [x for i, x in enumerate(path.read_text().splitlines(True), 1) if i not in bad]
    (alone / LOG_DIR / "desk.jsonl").write_text("".join(kept))
    clean = with_cards(tmp_path / "clean.db")
    assert sync(clean, alone, "laptop").problems == []
    assert store_rows(store) == store_rows(clean)
    durations = {r[0] for r in store.tuples("SELECT duration_ms FROM events")}
    kinds = {r[0].partition("/")[2] for r in store.tuples("SELECT card_key FROM events")}
    assert durations == {900} and kinds <= {"contribution", "insight", "critique"}
    # A file with a bad line is never taken as applied: the next sync says them again.
    again = sync(store, tmp_path / "notes", "laptop")
    assert [p.line for p in again.problems] == list(bad)
    assert again.added == {} and store_rows(store) == store_rows(clean)
    store.close()
    clean.close()


def test_a_file_applied_under_looser_checks_is_read_again_and_its_bad_lines_said(
    tmp_path,
) -> None:
    """A store whose older studydeck applied a file (and remembered its digest as applied)
    before these checks: the file is read again, not skipped as unchanged."""
    folder = tmp_path / "notes" / LOG_DIR
    folder.mkdir(parents=True)
    path, _, bad = hostile_file(folder)
    store = with_cards(tmp_path / "store.db")
    # (what a sync remembered before: the file's bare digest)
    store.remember_synced_files({path.name: digests.sha256(path.read_bytes()).hexdigest()})
    report = sync(store, tmp_path / "notes", "laptop")
    assert [p.line for p in report.problems] == list(bad)
    # A file without a bad line is remembered, and then not read again.
    path.write_text(to_line(ANSWER, "desk"))
    assert sync(store, tmp_path / "notes", "laptop").problems == []
    assert read_logs(folder, store.synced_files()).unchanged == [path.name]
    store.close()


@pytest.mark.parametrize("what", BAD)
def test_the_one_pass_reading_refuses_what_the_line_by_line_one_does(tmp_path, what) -> None:
    """The checks are one set: a file of answers whose one line fails them is not read in
    the fast pass (which would take it whole), and the line is refused line by line."""
    row = BAD[what]
    text = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    with pytest.raises(ValueError):
        from_line(text)
    (tmp_path / "desk.jsonl").write_text(to_line(ANSWER, "desk") + text + "\n")
    logs = read_logs(tmp_path)
    assert [e.id for e in logs.events] == ["g1"] and [p.line for p in logs.problems] == [2]
