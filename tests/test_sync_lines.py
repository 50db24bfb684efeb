"""A device file is text from another machine: every line that is not an event is skipped
and reported, with the standard library's JSON reader and with orjson alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import studydeck.sync as sync_module
from studydeck.replay import Event
from studydeck.sync import read_logs, to_line

KEY = "0123456789abcdef/insight"
"""A card key of the form studydeck writes (a paper's hash, a card kind)."""
GOOD = Event("e1", "2026-03-02T08:00:00.000Z", "2026-03-02", "answer", KEY, 4, 900)
FIELDS = json.loads(to_line(GOOD, "laptop"))

BAD = {
    "not an object": "[1, 2]",
    "no id": {k: v for k, v in FIELDS.items() if k != "id"},
    "an empty id": {**FIELDS, "id": ""},
    "an id that is a number": {**FIELDS, "id": 5},
    "a paper that is a list": {**FIELDS, "paper": ["x"]},
    "a card kind that is null": {**FIELDS, "kind": None},
    "a value that is an object": {**FIELDS, "value": {"a": 1}},
    "a device that is a number": {**FIELDS, "device": 7},
    "a day that is a number": {**FIELDS, "day": 20260302},
    "a local time": {**FIELDS, "at": "2026-03-02T09:00:00+01:00"},
    "a time that is no time": {**FIELDS, "at": "2026-13-45T99:00:00.000Z"},
    "a time in another form": {**FIELDS, "at": "20260302T090000.000000Z"},
    "a time on a day that is none": {**FIELDS, "at": "2026-02-30T09:00:00.000Z"},
    "a time at an hour that is none": {**FIELDS, "at": "2026-03-02T24:00:00.000Z"},
    "a time at a second that is none": {**FIELDS, "at": "2026-03-02T09:00:60.000Z"},
    "a day in the week form (10 characters too)": {**FIELDS, "day": "2026-W10-1"},
    "a burying to a day in another form": {**FIELDS, "event": "bury", "value": "2026-W10-1"},
    "a time with a space for the T (it would sort out of order)": {
        **FIELDS,
        "at": "2026-03-02 09:00:00.000Z",
    },
    "a time with digits of another script (it would sort wrong)": {
        **FIELDS,
        "at": "2026-03-02T0\u0663:00:00.000Z",
    },
    "a day that is no day": {**FIELDS, "day": "2026-02-30"},
    "a day in another form": {**FIELDS, "day": "20260302"},
    "a day near the end of the calendar": {**FIELDS, "day": "9999-12-31"},
    "a time near the end of the calendar": {**FIELDS, "at": "9999-12-31T23:00:00.000Z"},
    "a burying to no day": {**FIELDS, "event": "bury", "value": "soon-ish!!"},
    **{
        f"a {kind} to a day more than a year away": {
            **{k: v for k, v in FIELDS.items() if k not in ("grade", "ms", "repeat")},
            "event": kind,
            "value": "2027-03-04",  # (FIELDS' day is 2026-03-02: 367 days)
        }
        for kind in ("bury", "send")
    },
    "a send to a day that is none": {**FIELDS, "event": "send", "value": "2026-99-01"},
    "a send to no day at all": {**FIELDS, "event": "send", "value": ""},
    "a grade as text": {**FIELDS, "grade": "4"},
    "a grade that is a boolean": {**FIELDS, "grade": True},
    "a grade above 5": {**FIELDS, "grade": 6},
    "a grade below 0": {**FIELDS, "grade": -1},
    "a duration that is a float": {**FIELDS, "ms": 1.5},
    "repeat as a number": {**FIELDS, "repeat": 1},
    "an unknown event": {**FIELDS, "event": "explode"},
    "an event that is an escape": {**FIELDS, "event": "\x1b[31mboom"},
    # What studydeck writes and nothing else (a user trial: this line was applied).
    "a card kind that is an escape": {**FIELDS, "kind": "bogus\x1b[31m", "ms": -5},
    "a card kind studydeck has not": {**FIELDS, "kind": "summary"},
    "no card kind on an answer (only a correction has none)": {**FIELDS, "kind": ""},
    "a paper that is not a key's hash": {**FIELDS, "paper": "abc"},
    "a paper hash in capitals": {**FIELDS, "paper": "0123456789ABCDEF"},
    "a paper with an escape": {**FIELDS, "paper": "0123456789abcdef\x1b[2J"},
    "a duration below 0": {**FIELDS, "ms": -5},
    "a duration of 31,700 years": {**FIELDS, "ms": 10**15},
    "a duration past what SQLite stores": {**FIELDS, "ms": 2**64},
    "a device id with an escape": {**FIELDS, "device": "\x1b]0;owned\x07"},
    "a device id with a space": {**FIELDS, "device": "my laptop"},
    "a device id of a megabyte": {**FIELDS, "device": "d" * 2**20},
    "a device id of 65 characters": {**FIELDS, "device": "d" * 65},
    "an id with an escape": {**FIELDS, "id": "e1\x1b[2J"},
    "an id of a megabyte": {**FIELDS, "id": "e" * 2**20},
    "a burying with a grade": {
        **{k: v for k, v in FIELDS.items() if k not in ("grade", "ms", "repeat")},
        "event": "bury",
        "value": "2026-03-04",
        "grade": 9,
    },
    "a burying that is a same-day repeat": {
        **{k: v for k, v in FIELDS.items() if k not in ("grade", "ms", "repeat")},
        "event": "bury",
        "value": "2026-03-04",
        "repeat": True,
    },
    "a burying with a duration below 0": {
        **{k: v for k, v in FIELDS.items() if k not in ("grade", "ms", "repeat")},
        "event": "bury",
        "value": "2026-03-04",
        "ms": -5,
    },
    # A quiz answer's details (a probe's stopped every sync with a RecursionError; a NaN
    # second broke the quiz log's NOT NULL).
    **{
        f"a quiz answer whose details are {what}": {
            **{k: v for k, v in FIELDS.items() if k not in ("grade", "ms", "repeat")},
            "event": "quiz",
            "value": value,
        }
        for what, value in (
            ("nested 100,000 deep", "[" * 100_000 + "]" * 100_000),
            ("a second that is NaN", '["q", "contribution->paper", true, NaN]'),
            ("a second that is infinite", '["q", "contribution->paper", true, Infinity]'),
            ("seconds below 0", '["q", "contribution->paper", true, -1]'),
            ("right as a number", '["q", "contribution->paper", 1, 2.5]'),
            ("three", '["q", "contribution->paper", true]'),
            ("no JSON", "quiz!"),
            ("a megabyte", json.dumps(["q" * 2**20, "k", True, 1.0])),
        )
    },
    "a rename from no card key": {
        **{k: v for k, v in FIELDS.items() if k not in ("grade", "ms", "repeat")},
        "event": "rename",
        "value": "../../etc",
    },
}

LOADERS = [pytest.param(json.loads, id="json")]
try:
    import orjson

    LOADERS.append(pytest.param(orjson.loads, id="orjson"))
except ImportError:  # optional: the standard library reads the same lines
    pass


@pytest.fixture(params=LOADERS)
def loader(request, monkeypatch):
    monkeypatch.setattr(sync_module, "_loads", request.param)


def write(folder: Path, *lines: str | bytes) -> Path:
    path = folder / "other.jsonl"
    path.write_bytes(b"".join(x if isinstance(x, bytes) else x.encode() for x in lines))
    return path


@pytest.mark.parametrize("what", BAD)
def test_a_line_that_is_not_an_event_is_skipped_and_reported(tmp_path, loader, what) -> None:
    bad = BAD[what]
    text = bad if isinstance(bad, str) else json.dumps(bad)
    path = write(
        tmp_path, to_line(GOOD, "laptop"), text + "\n", to_line(GOOD._replace(id="e2"), "x")
    )
    logs = read_logs(tmp_path)
    assert [e.id for e in logs.events] == ["e1", "e2"]
    assert [(p.path, p.line) for p in logs.problems] == [(path, 2)]
    assert logs.per_file == {"other": 2}


def test_good_lines_read_back_as_the_events_they_were(tmp_path, loader) -> None:
    sent = [
        GOOD._replace(value="x", repeat=True, device="desk"),
        GOOD._replace(id="d1", device="设备-٣_2", duration_ms=10**15 - 1),  # (any script's)
        GOOD._replace(id="b1", kind="bury", value="2026-03-04", quality=0, duration_ms=0),
        GOOD._replace(id="b2", kind="bury", value="", quality=0, duration_ms=0),
        GOOD._replace(id="s1", kind="send", value="2026-03-05", quality=0, duration_ms=0),
        # a correction moving a statement back to the card the classifier chose: no card kind
        GOOD._replace(
            id="c1",
            kind="correct",
            key="0123456789abcdef/",
            value="a statement",
            quality=0,
            duration_ms=0,
        ),
        GOOD._replace(
            id="rename-1", kind="rename", value="fedcba9876543210/insight", quality=0, duration_ms=0
        ),
    ]
    write(tmp_path, *(to_line(e, "laptop") for e in sent))
    logs = read_logs(tmp_path)
    # (an event with no device is this device's: the line names the file's device)
    expected = [*sent[:2], *(e._replace(device="laptop") for e in sent[2:])]
    assert (logs.events, logs.problems) == (expected, [])


def test_bytes_that_are_not_utf8_and_a_truncated_last_line_are_reported(tmp_path, loader):
    path = write(
        tmp_path, b'{"id": "\xff\xfe"}\n', to_line(GOOD, "laptop"), to_line(GOOD, "x")[:30]
    )
    logs = read_logs(tmp_path)
    assert [e.id for e in logs.events] == ["e1"]
    assert [(p.line, "truncated" in p.what) for p in logs.problems] == [(1, False), (3, True)]
    assert all(p.path == path for p in logs.problems)


def test_a_device_file_that_is_not_a_regular_file_of_a_sane_size_is_skipped_and_said(
    tmp_path: Path,
) -> None:
    """Git carries links, and a folder may hold anything named ``*.jsonl``: a probe's link
    to /dev/zero took every byte of memory, a FIFO hung the sync, a folder named
    ``dir.jsonl`` stopped it. Each is skipped and said; the other files are read."""
    import os

    write(tmp_path, to_line(GOOD, "laptop"))
    (tmp_path / "zero.jsonl").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo.jsonl")
    (tmp_path / "dir.jsonl").mkdir()
    with (tmp_path / "huge.jsonl").open("wb") as fh:
        fh.truncate(sync_module.LOG_MAX_BYTES + 1)  # (sparse: no disk used)
    logs = read_logs(tmp_path)
    assert [e.id for e in logs.events] == ["e1"]
    said = sorted(str(p).replace(f"{tmp_path}/", "") for p in logs.problems)
    assert said == [
        "dir.jsonl: warning: Is a directory; the file was skipped",
        "fifo.jsonl: warning: not a regular file; the file was skipped",
        "huge.jsonl: warning: larger than 128 MB; the file was skipped",
        "zero.jsonl: warning: not a regular file; the file was skipped",
    ]


def test_lines_dated_well_after_this_clock_are_held_back_until_then(tmp_path: Path) -> None:
    """A probe's answer dated 8999-12-31 put its card's next review in the year 9000. A
    line dated more than a day after this machine's clock is held back, said, and applied
    once that time comes; the others are read."""
    from datetime import UTC, datetime

    soon = GOOD._replace(id="e2", at="2026-03-02T23:00:00.000Z")
    later = GOOD._replace(id="e3", at="8999-12-31T00:00:00.000Z", day="8999-12-31")
    path = write(tmp_path, *(to_line(e, "other") for e in (GOOD, soon, later)))
    now = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    logs = read_logs(tmp_path, now=now)
    assert [e.id for e in logs.events] == ["e1", "e2"] and logs.held == {"e3"}
    assert [str(p) for p in logs.problems] == [
        f"{path}: warning: 1 line dated after 2026-03-03 08:30 UTC (a clock set wrong?); "
        "they are applied once that time comes"
    ]
    assert [e.id for e in read_logs(tmp_path, now=datetime(9000, 1, 1, tzinfo=UTC)).events] == [
        "e1",
        "e2",
        "e3",
    ]
