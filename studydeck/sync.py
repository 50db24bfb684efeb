"""Review history that travels with the notes: one append-only JSON-lines file per device.

``<notes folder>/.studydeck/reviews/<device-id>.jsonl`` holds one line per event this device
made (answer, quiz answer, correction, bury, suspend, send to review, undo), each with a
unique id. Git merges these files without conflict: each device appends only to its own, and
``.gitattributes`` asks for ``merge=union`` in case one device's file was edited in two
clones. Syncing reads every device's file, adds the events the store has not seen (by id)
and rebuilds the cards they touch by replaying their whole history in time order; so every
clone that has the same lines has the same states. The store stays the fast cache; :func:`rebuild` makes it again from the
logs alone.

A line that cannot be read (a kill during an append leaves a truncated last line) is skipped
and reported, never fatal; the next append starts on a new line.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import IO, Any

from studydeck import digests
from studydeck.errors import StudydeckError
from studydeck.fileio import ReadRefused, read_regular
from studydeck.identity import PAPER_HASH, card_id
from studydeck.models import CardKind
from studydeck.perf import gc_paused
from studydeck.replay import KINDS, LOG_YEARS, Event, suspends
from studydeck.store import Store
from studydeck.store.events import quiz_details
from studydeck.store.schema import utc_text
from studydeck.sync_root import LOG_DIR as LOG_DIR
from studydeck.sync_root import find_root as find_root
from studydeck.wording import plural

_loads: Callable[[str | bytes], Any] = json.loads
# orjson, when installed, reads the logs faster; same result, and its errors are ValueErrors.
with contextlib.suppress(ImportError):
    from orjson import loads as _loads


ATTRIBUTES = ".studydeck/reviews/*.jsonl merge=union"


def init(root: Path) -> list[Path]:
    """Opt a notes folder in; returns the files written. Safe to run again."""
    written: list[Path] = []
    logs = root / LOG_DIR
    if not logs.is_dir():
        logs.mkdir(parents=True)
        keep = logs / ".gitkeep"
        keep.touch()
        written.append(keep)
    attrs = root / ".gitattributes"
    old = attrs.read_text(encoding="utf-8") if attrs.is_file() else ""
    if ATTRIBUTES not in old.splitlines():
        sep = "" if not old or old.endswith("\n") else "\n"
        attrs.write_text(old + sep + ATTRIBUTES + "\n", encoding="utf-8")
        written.append(attrs)
    return written


def device_id(path: Path) -> str:
    """This computer's id in the logs, made once and kept at ``path`` (outside the notes)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        text = ""
    if _DEVICE_ID.fullmatch(text):
        return text
    text = "dev-" + digests.token_hex(4)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return text


# -- lines ----------------------------------------------------------------------------------

# What a line holds, in the forms studydeck writes (one place: :func:`from_line` checks them,
# :data:`_ANSWER_LINE` is made of them). A line of another form was not written by studydeck:
# it is skipped and reported, never applied (its text reaches the store and the terminal).
_DEVICE = r"[\w-]{1,64}"
"""A device id (:func:`device_id`): letters and digits of any script, ``-`` and ``_``, at
most 64 (a probe's id of a megabyte was printed whole by ``sync --status``)."""
_DEVICE_ID = re.compile(_DEVICE)
_ID = r"[0-9A-Za-z_-]{1,64}"
"""An event's id (:func:`~studydeck.store.schema.new_event_id`'s hex, ``rename-<hex>``,
``anki-<revlog id>``)."""
_EVENT_ID = re.compile(_ID, re.ASCII)
_CARD_KINDS = "|".join(k.value for k in CardKind)
"""A line's card kind (``kind``); a ``correct`` line may have none (its paper's statement
goes back to the card the classifier chose)."""
_CARD_KEY = re.compile(rf"{PAPER_HASH}/(?:{_CARD_KINDS})", re.ASCII)
"""A card's key in the logs (:func:`~studydeck.identity.card_id`), as a rename's old key."""
_PAPER = re.compile(PAPER_HASH, re.ASCII)
_KIND_OF_CARD = frozenset(k.value for k in CardKind)
_MS_DIGITS = 15
_MS_BOUND = 10**_MS_DIGITS
"""An answer's duration is below this (31,000 years in milliseconds; SQLite stores no
integer from 2**63 on)."""


class BadLine(ValueError):
    """A line that is JSON but not an event as studydeck writes one."""


def _shown(text: str) -> str:
    """Hostile text in a message: quoted, its control characters as escapes, cut short."""
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def to_line(e: Event, device: str) -> str:
    """One line of a device's file (:func:`from_line` reads it back)."""
    paper, _, kind = e.key.rpartition("/")
    row: dict[str, object] = {
        "id": e.id,
        "at": e.at,
        "day": e.day,
        "device": e.device or device,
        "event": e.kind,
        "paper": paper,
        "kind": kind,
    }
    if e.kind == "answer":
        row.update(grade=e.quality, ms=e.duration_ms, repeat=e.repeat)
    if e.value:
        row["value"] = e.value
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


_UTC = re.compile(r"\d{4}-\d\d-\d\dT([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z", re.ASCII)
"""The one form a log time takes (:func:`~studydeck.store.schema.utc_text`): replay orders
events by comparing these texts, so any other form (a space for the ``T``) would sort wrong.
Its clock is checked here (hours 0-23, minutes and seconds 0-59) and its day by
:func:`_a_day`, so no datetime is made per line."""
_DAY = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)
"""(ASCII: ``\\d`` alone takes any script's digits, and a time would then sort wrong.)"""


@lru_cache(maxsize=4096)
def _a_day(text: str) -> bool:
    """Whether ``text`` is a real day in the log's form (``YYYY-MM-DD``), as replay reads it
    (:func:`date.fromisoformat`). Cached: a log's 100,000 lines fall on a few hundred days."""
    if not _DAY.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=4096)
def _a_year_after(day: str) -> str:
    """The day 366 days after ``day``: a burying or a send to review goes no further (a
    probe's burying to 9999-12-31 hid its card for ever)."""
    return (date.fromisoformat(day) + timedelta(days=366)).isoformat()


_FIRST, _LAST = (str(y) for y in LOG_YEARS)
"""The years a line's time and day may be in (:data:`~studydeck.replay.LOG_YEARS`), as text."""
_DAY_VALUE = ("bury", "send")
"""Events whose value is a day."""


def from_line(text: str | bytes) -> Event:
    """An event from one line; ``ValueError`` when it is not one (:class:`BadLine` when it
    is JSON). Every field is checked for its type (hostile text reaches SQL and the terminal
    only as text), the time for UTC, an answer's grade for 0-5 and its duration for 0 to
    :data:`_MS_BOUND`; the kind for one studydeck writes, and the id, device and card key
    for the forms it writes them in. As chained ``is`` tests, no set or generator per line
    (a sync reads 100,000 lines)."""
    row = _loads(text)
    if type(row) is not dict:
        raise BadLine("not an object")
    try:
        eid, at, day, kind = row["id"], row["at"], row["day"], row["event"]
        paper, card_kind = row["paper"], row["kind"]
    except KeyError as exc:
        raise BadLine(f"no {exc.args[0]!r}") from exc
    get = row.get
    grade, ms, repeat = get("grade", 0), get("ms", 0), get("repeat", False)
    value, device = get("value", ""), get("device", "")
    if not (
        type(eid) is type(at) is type(day) is type(kind) is type(paper) is type(card_kind)
        is type(value) is type(device) is str
    ):  # fmt: skip
        raise BadLine("a field that should be text is not")
    if not (eid and _UTC.fullmatch(at) and len(day) == 10):
        raise BadLine("no id, or a time or day not in the log's form")
    if not (_FIRST <= at < _LAST and _FIRST <= day < _LAST):
        raise BadLine(f"a time or day out of the years {_FIRST}-{_LAST}")
    if kind not in KINDS:
        raise BadLine(f"unknown event {_shown(kind)}")
    if kind in _DAY_VALUE and len(value) != (10 if value or kind == "send" else 0):
        raise BadLine(f"a {kind} to no day")  # (a burying to "" is an unburying)
    # Replay reads them as dates: a line it cannot read is skipped here, not fatal there.
    if not (
        _a_day(at[:10]) and _a_day(day) and (kind not in _DAY_VALUE or not value or _a_day(value))
    ):
        raise BadLine("a time or day that is not one")
    if kind in _DAY_VALUE and value and value > _a_year_after(day):
        raise BadLine(f"a {kind} to {value}, more than a year after its day")  # (forms checked)
    if not (type(grade) is type(ms) is int) or type(repeat) is not bool:
        raise BadLine("grade, ms or repeat of the wrong type")
    if kind == "answer":
        if not 0 <= grade <= 5:
            raise BadLine(f"grade {_shown(str(grade))} is not 0-5")
        if not 0 <= ms < _MS_BOUND:
            raise BadLine(f"a duration of {_shown(str(ms))} ms, not 0 to {_MS_BOUND - 1}")
    elif grade or ms or repeat:
        raise BadLine(f"a {kind} with a grade, duration or repeat (only answers have them)")
    if not _EVENT_ID.fullmatch(eid):
        raise BadLine(f"an event id {_shown(eid)} not of the form studydeck writes")
    if device and not _DEVICE_ID.fullmatch(device):  # (none: a line from before device ids)
        raise BadLine(f"a device id {_shown(device)} not of the form studydeck writes")
    if not (
        _PAPER.fullmatch(paper)
        and (card_kind in _KIND_OF_CARD or (kind == "correct" and not card_kind))
    ):
        raise BadLine(f"a card {_shown(f'{paper}/{card_kind}')} not of the form studydeck writes")
    if kind == "rename" and not _CARD_KEY.fullmatch(value):
        raise BadLine(f"a rename from {_shown(value)}, not a card key")
    if kind == "quiz" and quiz_details(value) is None:
        raise BadLine("a quiz answer whose details are not [quiz, question kind, right, seconds]")
    return Event(eid, at, day, kind, f"{paper}/{card_kind}", grade, ms, repeat, value, device)


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    """0: the whole file."""
    what: str
    then: str = ""
    """What was done about it ("": the line, or the file, was skipped)."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        then = self.then or ("the line was skipped" if self.line else "the file was skipped")
        return f"{where}: warning: {self.what}; {then}"


LOG_MAX_BYTES = 128 * 2**20
"""The largest device file read (a device's log grows by a few MB a year): a probe's
``zero.jsonl``, a link to ``/dev/zero`` that git carries, took every byte of memory."""


def _log_bytes(path: Path, out: LogFiles) -> bytes | None:
    """A device file's bytes, or None when it is not a regular file of at most
    :data:`LOG_MAX_BYTES` (a FIFO hung the sync, a folder named ``x.jsonl`` stopped it), or
    cannot be read: said in ``out.problems``, the other files are read."""
    try:
        return read_regular(path, LOG_MAX_BYTES)
    except ReadRefused as exc:
        why = str(exc)
    except OSError as exc:
        why = exc.strerror or str(exc)
    out.problems.append(Problem(path, 0, why))
    return None


@dataclass
class LogFiles:
    events: list[Event] = field(default_factory=list)
    per_file: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)
    """Each file's content digest (by name), for files read without a problem."""
    unchanged: list[str] = field(default_factory=list)
    """Files left unread: their content is what a finished sync applied (``applied``)."""
    held: set[str] = field(default_factory=set)
    """The ids of events in the files held back (:func:`_screen`): in a file all the same."""


def read_logs(
    folder: Path, applied: Mapping[str, str] | None = None, now: datetime | None = None
) -> LogFiles:
    """Every device's events; unreadable lines skipped and reported. ``applied``: each
    file's digest when a sync last applied all of it (:meth:`Store.synced_files`); a file
    whose content has that digest is not parsed again (its events are in the store).
    ``now``: this machine's clock (events dated well after it are held back, :func:`_screen`)."""
    with gc_paused():
        return _read_logs(folder, applied or {}, now or datetime.now(UTC))


def _read_logs(folder: Path, applied: Mapping[str, str], now: datetime) -> LogFiles:
    out = LogFiles()
    for path in sorted(folder.glob("*.jsonl")):
        data = _log_bytes(path, out)
        if data is None:
            continue
        digest = f"{_CHECKS}:{digests.sha256(data).hexdigest()}"
        if applied.get(path.name) == digest:
            out.unchanged.append(path.name)
            out.digests[path.name] = digest
            continue
        problems = len(out.problems)
        _read_file(path, out, data, now)
        if len(out.problems) == problems:  # a file with bad lines is read (and said) each time
            out.digests[path.name] = digest
    return out


_CHECKS = "checks3"
"""Which checks of a line a file's remembered digest was read under. A file applied under
older, looser checks (which let a line of no card kind or of a negative duration through)
is read again once, so its lines that the checks now refuse are said, not hidden behind
"already applied". Change it when :func:`from_line` refuses more."""


def _read_file(
    path: Path, out: LogFiles, data: bytes | None = None, now: datetime | None = None
) -> None:
    data = _log_bytes(path, out) if data is None else data
    if data is None:
        return
    first = len(out.events)
    answers = _our_answers(data)
    if answers is None:
        _read_lines(path, out, data)
    else:
        out.events += answers
        out.per_file[path.stem] = len(answers)
    _screen(path, out, first, now or datetime.now(UTC))


FUTURE_SLACK = timedelta(days=1)
"""How far after this machine's clock a logged time may be (clocks and time zones differ)."""


def _screen(path: Path, out: LogFiles, first: int, now: datetime) -> None:
    """Hold back the events of one file (``out.events[first:]``) dated more than
    :data:`FUTURE_SLACK` after this machine's clock: a clock set wrong, or a line forged to
    hide a card for centuries (a probe's answer of 8999-12-31 put its card's next review in
    the year 9000). They are said, and applied once that time comes. (Looked for in C
    first: 100,000 events pass in a millisecond.)"""
    events = out.events[first:]
    limit = utc_text(now + FUTURE_SLACK)
    if not events or max(map(_AT_OF, events)) <= limit:
        return
    later = {e.id for e in events if e.at > limit}
    out.held |= later
    kept = [e for e in events if e.id not in later]
    del out.events[first:]
    out.events += kept
    out.per_file[path.stem] = len(kept)
    out.problems.append(
        Problem(
            path,
            0,
            f"{plural(len(later), 'line')} dated after {limit[:16].replace('T', ' ')} UTC "
            "(a clock set wrong?)",
            "they are applied once that time comes",
        )
    )


_AT_OF = attrgetter("at")


def _read_lines(path: Path, out: LogFiles, data: bytes) -> None:
    """Each line of ``data`` through :func:`from_line`, the bad ones reported."""
    lines = data.split(b"\n")
    n = 0
    for i, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        last = i == len(lines)  # no newline after it: the append did not finish
        try:
            e = from_line(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            cut = last and not isinstance(exc, BadLine)  # (a whole line that is no event: said so)
            why = "truncated last line (an interrupted write?)" if cut else f"bad line ({exc})"
            out.problems.append(Problem(path, i, why))
            continue
        out.events.append(e)
        n += 1
    out.per_file[path.stem] = n


_BLANK = "[ \t\r\x0b\x0c]"
"""What ``bytes.strip`` takes off a line (and the newline)."""
_ANSWER_LINE = re.compile(
    rf'^(?:\{{"id":"({_ID})","at":"(\d{{4}}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{{3}}Z)",'
    rf'"day":"(\d{{4}}-\d\d-\d\d)","device":"((?u:{_DEVICE})?)","event":"answer",'
    rf'"paper":"({PAPER_HASH})","kind":"({_CARD_KINDS})","grade":([0-5]),'
    rf'"ms":(0|[1-9]\d{{0,{_MS_DIGITS - 1}}}),"repeat":(true|false)\}}'
    rf"|({_BLANK}*[^ \t\r\x0b\x0c\n].*))$",
    re.MULTILINE | re.ASCII,
)
"""A line as :func:`to_line` writes an answer (nearly every line of a log), its fields caught;
or any other line that is not blank, caught whole (the last group)."""


def _our_answers(data: bytes) -> list[Event] | None:
    """The events of a file whose every line is an answer as :func:`to_line` writes it, read
    in one regular-expression pass over the file (twice as fast as a JSON reader and the
    checks of :func:`from_line` line by line); None for any other file (a line of another
    kind or form, bytes that are not UTF-8, a day that is none), which is read line by line.
    What this accepts, :func:`from_line` accepts as the same event: its id, device, paper
    and card kind have the forms both take them in (the same patterns), which hold no
    escape and no control character, so they are the line's text itself; its time and
    day have the log's form, and the days they name are checked here as there (once per
    day); its grade is 0-5 and its duration a plain integer of at most :data:`_MS_DIGITS`
    digits.
    tests/test_sync_fast_lines.py checks both readings agree on any line."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return None
    found = _ANSWER_LINE.findall(text)
    if any(map(_OTHER, found)):  # (the loops over 100,000 lines in C where they can be)
        return None
    days = {at[:10] for at in map(_AT, found)}.union(map(_DAY_OF, found))
    if not all(_FIRST <= d < _LAST and _a_day(d) for d in days):
        return None
    make = Event._make  # (no Python-level __new__ per line, as Event(...) has)
    return [
        make(
            (eid, at, day, "answer", f"{paper}/{kind}", int(grade), int(ms), rep == "true", "", dev)
        )
        for eid, at, day, dev, paper, kind, grade, ms, rep, _ in found
    ]


_AT, _DAY_OF, _OTHER = itemgetter(1), itemgetter(2), itemgetter(9)
"""An :data:`_ANSWER_LINE` match's time, day, and other line ("" for an answer)."""


def card_keys(papers: Iterable[str]) -> frozenset[str]:
    """Every key the events of these papers (by paper key) can have: one per card kind."""
    return frozenset(card_id(p, kind) for p in papers for kind in CardKind)


class DeviceLog:
    """This device's file, open for appending during a review: one write and flush per event.
    With ``keys`` (:func:`card_keys`), events of other notes' cards are not this folder's
    and are left out."""

    def __init__(self, folder: Path, device: str, keys: Collection[str] | None = None) -> None:
        self.path = folder / f"{device}.jsonl"
        self.device = device
        self.keys = keys
        self._fh: IO[str] | None = None

    def _open(self) -> IO[str]:
        if self._fh is None:
            fh = self.path.open("a+", encoding="utf-8", newline="\n")
            if fh.tell() > 0:
                fh.seek(fh.tell() - 1)
                if fh.read(1) != "\n":
                    fh.write("\n")  # after a truncated line, start a fresh one
            self._fh = fh
        return self._fh

    def append(self, e: Event) -> None:
        if self.keys is not None and e.key not in self.keys:
            return
        fh = self._open()
        fh.write(to_line(e, self.device))
        fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> DeviceLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- syncing --------------------------------------------------------------------------------


@dataclass
class SyncReport:
    written: int = 0
    added: Counter[str] = field(default_factory=Counter)
    cards: int = 0
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        got = sum(self.added.values())
        frm = ", ".join(f"{n} from {d}" for d, n in sorted(self.added.items()))
        text = f"sync: wrote {plural(self.written, 'event')}, read {got} new"
        if frm:
            text += f" ({frm})"
        return text + f"; {plural(self.cards, 'card')} rebuilt"


def _folder(root: Path) -> Path:
    folder = root / LOG_DIR
    if not folder.is_dir():
        raise StudydeckError(
            "this notes folder does not sync its review history",
            path=root,
            hint="run `studydeck sync --init` there first",
        )
    return folder


def sync(
    store: Store, root: Path, device: str, papers: Collection[str] | None = None
) -> SyncReport:
    """Write this device's events the file lacks, then read every device's and apply
    the new ones. ``papers``: the paper keys of this folder's notes; only their cards' events
    are written (a store can hold other notes' history too). None: every event."""
    folder = _folder(root)
    keys = None if papers is None else card_keys(papers)
    with gc_paused():  # the whole of it: 100,000 events stay alive from reading to applying
        return _sync(store, folder, device, keys)


def _unwritten(
    store: Store, device: str, files: LogFiles, keys: Collection[str] | None
) -> list[Event]:
    """This device's events of these cards (``keys``; None: all) that its file lacks."""
    mine = store.events(device)
    if not mine:  # (a fresh store: the files' 100,000 ids need no set)
        return []
    seen = set(map(attrgetter("id"), files.events)) | files.held
    return [e for e in mine if e.id not in seen and (keys is None or e.key in keys)]


def _sync(store: Store, folder: Path, device: str, keys: Collection[str] | None) -> SyncReport:
    # A function of its own, so its objects are gone before the cyclic GC comes back.
    report = SyncReport()
    store.follow_renames()
    store.name_device(device)
    applied = store.synced_files()
    applied.pop(f"{device}.jsonl", None)
    files = read_logs(folder, applied)
    report.problems = files.problems
    # (An unread file is another device's: this device's own file is always read, for the
    # events of this device it lacks.)
    missing = _unwritten(store, device, files, keys)
    if missing:
        with DeviceLog(folder, device) as log:
            for e in missing:
                log.append(e)
        report.written = len(missing)
    known = store.event_ids() if files.events else set()
    new = [e for e in files.events if e.id not in known]
    report.added.update(map(attrgetter("device"), new))  # (in C)
    if "" in report.added:
        report.added["?"] += report.added.pop("")
    touched = store.add_events(new, known)
    if not {"correct", "undo"}.isdisjoint(map(attrgetter("kind"), new)):  # (in C: 100,000 events)
        store.replay_corrections()
    # Answers the store held before whose cards came since (the notes were pulled later).
    # A store that held no event (a fresh one: ``known`` read and empty) has none such: its
    # events are all new, and their cards were rebuilt just now (100,000 events: a tenth of
    # a second not spent).
    held = bool(known) or not files.events
    # ... and only when answers came or cards did (the notes were read since): a sync with
    # nothing new, as at each review's start and end, does not look through every answer.
    late: set[str] = set()
    if held and (new or store.late_check_due()):
        late = store.unapplied_keys() - touched
        if late:
            store.rebuild(late)
        store.late_checked()
    report.cards = len(touched | late)
    store.remember_synced_files(files.digests)
    return report


def rebuild(
    store: Store, root: Path, device: str, papers: Collection[str] | None = None
) -> SyncReport:
    """Sync, then rebuild every card's state from the log (the store is only a cache)."""
    report = sync(store, root, device, papers)
    report.cards = store.rebuild()
    return report


KIND_NAMES = {
    "answer": ("answer", ""),
    "quiz": ("quiz answer", ""),
    "correct": ("correction", ""),
    "bury": ("burying", ""),
    "unbury": ("unburying", ""),
    "suspend": ("suspension", ""),
    "unsuspend": ("suspension lifted", "suspensions lifted"),
    "send": ("sent to review", "sent to review"),
    "undo": ("undo", ""),
    "rename": ("rename", ""),
}
"""How :func:`status` names each kind of line (:func:`_status_kind`), in the order it lists them:
one and many, as :func:`studydeck.wording.plural` takes them."""


def _status_kind(e: Event) -> str:
    """How :func:`status` counts an event: a suspension lifted and a burying ended apart
    from the ones made (a trial's suspension and its undo read "2 suspensions")."""
    if e.kind == "suspend" and not suspends(e.value):
        return "unsuspend"
    if e.kind == "bury" and not e.value:
        return "unbury"
    return e.kind


def status(
    store: Store, root: Path, device: str, papers: Collection[str] | None = None
) -> list[str]:
    """What came from where: each device file's events by kind, its newest and how many the
    store has not applied; the store's events by device and how many this device has not
    written (``papers`` as for :func:`sync`); the lines skipped. File names and lines are
    other machines' text: print them through :func:`studydeck.safe.terminal`."""
    folder = _folder(root)
    known = store.event_ids()
    lines = [f"notes folder {root}; this device is {device}"]
    everything = LogFiles()
    for path in sorted(folder.glob("*.jsonl")):
        got = LogFiles()
        _read_file(path, got)
        events = got.events
        kinds = Counter(map(_status_kind, events))
        what = ", ".join(
            plural(kinds[k], *KIND_NAMES.get(k, (k, ""))) for k in KIND_NAMES if kinds[k]
        )
        newest = max((e.at for e in events), default="")
        lines.append(
            f"  {path.name}{' (this device)' if path.stem == device else ''}: "
            f"{plural(len(events), 'event')}{f' ({what})' if what else ''}"
            f"{f', newest {newest}' if newest else ''}, "
            f"{sum(e.id not in known for e in events)} not yet applied"
        )
        everything.events += events
        everything.problems += got.problems
        everything.held |= got.held
    keys = None if papers is None else card_keys(papers)
    unwritten = len(_unwritten(store, device, everything, keys))
    sources = store.sources()
    frm = ", ".join(
        f"{n} from {d or 'this device, not yet named'}" for d, n in sorted(sources.items())
    )
    lines.append(
        f"  this store: {plural(sum(sources.values()), 'event')}{f' ({frm})' if frm else ''}, "
        f"{unwritten} of this device's not yet written"
    )
    waiting = store.waiting_events()
    if waiting:
        lines.append(f"  {plural(waiting, 'event')} for cards these notes do not have (kept)")
    lines += [str(p) for p in everything.problems]
    return lines
