"""A device file whose lines are all answers as studydeck writes them is read in one pass
(``sync._our_answers``); any other file line by line through the JSON reader. Both readings
must agree on every file, hostile ones included: the same events, the same lines skipped
and reported, with the standard library's JSON reader and with orjson alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import studydeck.sync as sync_module
from studydeck.replay import Event
from studydeck.sync import LogFiles, _our_answers, _read_file, _read_lines, read_logs, to_line

from .test_sync_lines import KEY, LOADERS

GOOD = Event("e1", "2026-03-02T08:00:00.000Z", "2026-03-02", "answer", KEY, 4, 900)

# Text a hostile line may hold: quotes, escapes, control characters, other scripts' digits.
ODD = st.text(
    alphabet=st.sampled_from(
        ["a", "0", "/", '"', "\\", "\x00", "\x1f", "\x7f", "é", "٣", "😀", " "]
    ),
    max_size=4,
)
TIMES = st.sampled_from(
    [
        "2026-03-02T08:00:00.000Z",
        "1970-01-01T00:00:00.000Z",
        "8999-12-31T23:59:59.999Z",
        "9000-01-01T00:00:00.000Z",
        "1969-12-31T23:59:59.999Z",
        "2026-02-30T08:00:00.000Z",
        "2026-03-02T24:00:00.000Z",
        "2026-03-02T0٣:00:00.000Z",
        "2026-03-02 08:00:00.000Z",
    ]
)
DAYS = st.sampled_from(
    [
        "2026-03-02",
        "2024-02-29",
        "2025-02-29",
        "1970-01-01",
        "9000-01-01",
        "2026-W10-1",
        "٢٠٢٦-03-02",
    ]
)


FIELDS = ["id", "at", "day", "kind", "key", "quality", "duration_ms", "value", "device"]
ODDS: dict[str, st.SearchStrategy] = {
    "id": ODD,
    "at": TIMES,
    "day": DAYS,
    "kind": st.sampled_from(["bury", "undo", "quiz", "explode"]),
    "key": st.one_of(
        ODD.map(lambda t: f"0123456789abcde{t}/insight"),
        ODD.map(lambda t: f"0123456789abcdef/c{t}"),
    ),
    "quality": st.integers(-1, 9),
    "duration_ms": st.sampled_from([0, 7, 10**15 - 1, 10**15, 2**64 - 1, 2**64, -5]),
    "value": st.sampled_from(["2026-03-04", "x"]),
    "device": ODD,
}


@st.composite
def events(draw: st.DrawFn) -> Event:
    """An answer as studydeck writes one, or with one field odd (half the time)."""
    e = Event(
        f"e{draw(st.integers(0, 9))}", "2026-03-02T08:00:00.000Z", "2026-03-02", "answer",
        KEY, draw(st.integers(0, 5)), 900, draw(st.booleans()), "", "laptop",
    )  # fmt: skip
    odd = draw(st.sampled_from([None] * len(FIELDS) + FIELDS))
    return e if odd is None else e._replace(**{odd: draw(ODDS[odd])})


EDITS = st.sampled_from(
    [b"", b" ", b'"', b"\\", b"\x00", b"\xff", b"0", b"9", b"\n", b"\r", b"\xd9\xa3", b"1.5", b"}"]
)


@st.composite
def lines(draw: st.DrawFn) -> bytes:
    line = to_line(draw(events()), "laptop").encode()
    if draw(st.integers(0, 7)) == 0:  # a byte replaced, removed or added somewhere
        at = draw(st.integers(0, len(line) - 1))
        cut = draw(st.integers(0, 1))
        line = line[:at] + draw(EDITS) + line[at + cut :]
    return line


@st.composite
def files(draw: st.DrawFn) -> bytes:
    parts = draw(st.lists(st.one_of(lines(), st.sampled_from([b"", b"  \t", b"\x1c"])), max_size=6))
    data = b"".join(p if p.endswith(b"\n") else p + b"\n" for p in parts)
    if data and draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data) - 1))]  # a kill during an append
    return data


def both(path: Path, data: bytes) -> tuple[LogFiles, LogFiles]:
    fast, slow = LogFiles(), LogFiles()
    _read_file(path, fast, data, datetime(9000, 1, 1, tzinfo=UTC))  # (no line held back)
    _read_lines(path, slow, data)
    return fast, slow


@pytest.mark.parametrize("loads", LOADERS)
@settings(max_examples=300, deadline=None)
@given(data=files())
def test_any_file_reads_the_same_in_one_pass_as_line_by_line(loads, data: bytes) -> None:
    was = sync_module._loads
    sync_module._loads = loads
    try:
        fast, slow = both(Path("other.jsonl"), data)
    finally:
        sync_module._loads = was
    assert (fast.events, fast.problems, fast.per_file) == (
        slow.events,
        slow.problems,
        slow.per_file,
    )


def test_a_file_of_our_answers_is_read_in_one_pass_and_any_other_line_by_line(tmp_path) -> None:
    answers = [
        GOOD,
        GOOD._replace(
            id="e2",
            quality=0,
            duration_ms=0,
            repeat=True,
            key="fedcba9876543210/critique",
            device="设备-٣",
        ),
        GOOD._replace(id="e3", device="desk", at="2024-02-29T23:59:59.999Z", day="2024-02-29"),
    ]
    data = "".join(to_line(e, "laptop") for e in answers).encode()
    read = _our_answers(data)
    assert read == [
        answers[0]._replace(device="laptop"),
        answers[1],
        answers[2],
    ]
    assert read == [json_event(line) for line in data.splitlines()]
    for other in [
        to_line(GOOD._replace(kind="bury", value="2026-03-04"), "laptop"),  # another kind
        to_line(GOOD._replace(key='a"b/insight'), "laptop"),  # an escape
        to_line(GOOD._replace(day="2026-02-30"), "laptop"),  # a day that is none
        to_line(GOOD._replace(at="1969-12-31T23:00:00.000Z"), "laptop"),  # out of the years
        to_line(GOOD, "laptop").replace(":", ": ", 1),  # another spacing
        to_line(GOOD, "laptop")[:40],  # truncated
        to_line(GOOD._replace(quality=6), "laptop"),  # a grade that is none
        to_line(GOOD._replace(duration_ms=2**64), "laptop"),  # past what orjson reads
        to_line(GOOD, "laptop").replace(":900", ":0900"),  # not JSON
        to_line(GOOD._replace(at="2026-03-02T0٣:00:00.000Z"), "laptop"),  # another script
        to_line(GOOD._replace(key="0123456789abcdef/bogus"), "laptop"),  # no card kind
        to_line(GOOD._replace(key="0123456789ABCDEF/insight"), "laptop"),  # no paper hash
        to_line(GOOD._replace(device="a b"), "laptop"),  # no device id
        to_line(GOOD._replace(id="e 1"), "laptop"),  # no event id
        to_line(GOOD._replace(duration_ms=-5), "laptop"),  # a duration below 0
        to_line(GOOD._replace(duration_ms=10**15), "laptop"),  # past the bound
    ]:
        assert _our_answers(data + other.encode()) is None, other
    # blank lines and a last line without its newline are still our answers
    assert _our_answers(b"\n  \n" + data.rstrip(b"\n")) == read
    # and read_logs gives what it gave before
    (tmp_path / "laptop.jsonl").write_bytes(data)
    assert read_logs(tmp_path).events == read


def json_event(line: bytes) -> Event:
    row = json.loads(line)
    return Event(
        row["id"], row["at"], row["day"], row["event"], f"{row['paper']}/{row['kind']}",
        row["grade"], row["ms"], row["repeat"], row.get("value", ""), row["device"],
    )  # fmt: skip
