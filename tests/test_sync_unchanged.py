"""A sync reads only the device files that changed since it last applied them: at the
start and end of every review, another machine's unchanged history is not parsed again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import studydeck.sync as sync_module
from studydeck.replay import Event
from studydeck.store import Store
from studydeck.store.schema import utc_text
from studydeck.sync import LOG_DIR, sync, to_line

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def line(n: int, device: str) -> str:
    at = T0 + timedelta(minutes=n)
    e = Event(
        id=f"{device}-{n}",
        at=utc_text(at),
        day=at.date().isoformat(),
        kind="answer",
        key=f"{n:016x}/contribution",
        quality=4,
        duration_ms=1000,
    )
    return to_line(e, device)


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The names of the files a sync parses, in order."""
    seen: list[str] = []
    original = sync_module._read_file

    def read_file(path: Path, out, data=None, now=None) -> None:
        seen.append(path.name)
        original(path, out, data, now)

    monkeypatch.setattr(sync_module, "_read_file", read_file)
    return seen


def test_only_changed_files_are_parsed_and_their_new_lines_applied(
    tmp_path: Path, parsed: list[str]
) -> None:
    folder = tmp_path / LOG_DIR
    folder.mkdir(parents=True)
    phone, desk = folder / "phone.jsonl", folder / "desk.jsonl"
    phone.write_text(line(1, "phone") + line(2, "phone"), encoding="utf-8")
    desk.write_text(line(3, "desk"), encoding="utf-8")
    with Store.open(tmp_path / "s.db") as store:
        first = sync(store, tmp_path, "laptop")
        assert (sorted(parsed), sum(first.added.values())) == (["desk.jsonl", "phone.jsonl"], 3)

        parsed.clear()
        again = sync(store, tmp_path, "laptop")
        assert (parsed, sum(again.added.values())) == ([], 0)

        # an append (another review on the phone), and a line git's union merge put first
        phone.write_text(phone.read_text() + line(4, "phone"), encoding="utf-8")
        desk.write_text(line(0, "desk") + desk.read_text(), encoding="utf-8")
        parsed.clear()
        third = sync(store, tmp_path, "laptop")
        assert sorted(parsed) == ["desk.jsonl", "phone.jsonl"]
        assert dict(third.added) == {"desk": 1, "phone": 1}
        assert {"phone-4", "desk-0"} <= store.event_ids()


def test_this_devices_own_file_is_always_read(tmp_path: Path, parsed: list[str]) -> None:
    """Its events the store has and the file lacks are written back: the file is read."""
    folder = tmp_path / LOG_DIR
    folder.mkdir(parents=True)
    (folder / "laptop.jsonl").write_text(line(1, "laptop"), encoding="utf-8")
    with Store.open(tmp_path / "s.db") as store:
        sync(store, tmp_path, "laptop")
        parsed.clear()
        sync(store, tmp_path, "laptop")
        assert parsed == ["laptop.jsonl"]


def test_a_file_with_a_bad_line_is_read_and_reported_every_time(
    tmp_path: Path, parsed: list[str]
) -> None:
    folder = tmp_path / LOG_DIR
    folder.mkdir(parents=True)
    (folder / "phone.jsonl").write_text(line(1, "phone") + "{not json\n", encoding="utf-8")
    with Store.open(tmp_path / "s.db") as store:
        for _ in range(2):
            parsed.clear()
            report = sync(store, tmp_path, "laptop")
            assert parsed == ["phone.jsonl"]
            assert [p.line for p in report.problems] == [2]


def test_a_new_store_reads_every_file(tmp_path: Path, parsed: list[str]) -> None:
    """What was applied is the store's own record: another store starts from nothing."""
    folder = tmp_path / LOG_DIR
    folder.mkdir(parents=True)
    (folder / "phone.jsonl").write_text(line(1, "phone"), encoding="utf-8")
    with Store.open(tmp_path / "a.db") as a:
        sync(a, tmp_path, "laptop")
    parsed.clear()
    with Store.open(tmp_path / "b.db") as b:
        report = sync(b, tmp_path, "laptop")
        assert (parsed, dict(report.added)) == (["phone.jsonl"], {"phone": 1})
