"""The event log in the store: what sync writes and reads, and rebuilding states from it.

Every change to a card's schedule or flags is also an :class:`~studydeck.replay.Event` row,
written in the same transaction as the change. Events from other devices are added by id
(one already here is skipped) and the cards they touch are rebuilt by
:func:`studydeck.replay.replay`; the ``cards`` and ``reviews`` tables are a cache of it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from studydeck import digests
from studydeck.perf import gc_paused
from studydeck.replay import Event, Policy, replay
from studydeck.store.base import StoreBase
from studydeck.store.rows import NEW_VALUES, Row, Values, replayed_rows, sm2_rows
from studydeck.store.schema import card_totals, count_review_totals, day_totals, utc_text
from studydeck.store.states import WRITE_COLS_BURIED

EVENT_COLS = "id, at, day, kind, card_key, quality, duration_ms, repeat, value, device"
_EVENT_FIELDS = (
    "id, at, day, kind, card_key, coalesce(quality, 0), coalesce(duration_ms, 0), "
    "coalesce(repeat, 0) != 0, coalesce(value, ''), ''"
)
"""An :class:`Event`'s fields in its order, as :func:`event_from_row` reads them (``repeat``
comes as 0/1, which compares and hashes as False/True), for a replay: the device is left
out ("", one shared text, not 100,000 made), as a replay does not read it."""


def _line_key(row: sqlite3.Row) -> str:
    """A card's key in the logs, from its ``cards`` row: the card id (paper key hash + kind),
    the same on every machine that reads the same notes. A paper's identity across a rename
    is the chain of ``rename`` lines (old key -> new), written by the device that saw the
    rename and applied before any other line on every device, so an answer logged under the
    old key (on a device that had not pulled yet) lands on the renamed card. Not the store's
    permanent paper id (random, per machine) nor the Anki GUID (from the key a machine first
    saw: a clone made after the rename computes another one): neither is shared by devices."""
    return str(row["card_id"])


def event_from_row(r: sqlite3.Row) -> Event:
    return Event(
        id=r["id"],
        at=r["at"],
        day=r["day"],
        kind=r["kind"],
        key=r["card_key"],
        quality=r["quality"] or 0,
        duration_ms=r["duration_ms"] or 0,
        repeat=bool(r["repeat"]),
        value=r["value"] or "",
        device=r["device"] or "",
    )


def insert_event(c: sqlite3.Connection, e: Event) -> bool:
    """Add ``e`` unless an event with its id is here; True when it was new."""
    cur = c.execute(
        f"INSERT OR IGNORE INTO events ({EVENT_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
        _event_values(e),
    )
    return cur.rowcount > 0


def _event_values(e: Event) -> tuple[object, ...]:
    return (
        e.id,
        e.at,
        e.day,
        e.kind,
        e.key,
        e.quality,
        e.duration_ms,
        int(e.repeat),
        e.value,
        e.device or None,
    )


_ANSWER_FIELDS = itemgetter(0, 1, 2, 4, 5, 6, 9)
"""An answer's fields that are not always the same (all but its kind, its empty value and
whether it is a same-day repeat)."""


def _insert_events(c: sqlite3.Connection, events: list[Event]) -> None:
    """Add ``events`` (ids already here are skipped). From :data:`BULK` on, the answers with
    no value (nearly every line of a log) bind 7 values, not 10: their kind, value and
    repeat flag are written by the statement (a sync of 100,000 answers: 300,000 fewer
    values to bind). The flag above all: an Event's is a bool, which sqlite3 binds only
    after looking for an adapter for it, each time (100,000 answers: a fifth of the insert)."""
    answers: list[Event] = []
    repeats: list[Event] = []
    if len(events) >= BULK:
        answers = [e for e in events if e[3] == "answer" and not e[8]]
        if answers:
            events = [e for e in events if e[3] != "answer" or e[8]]
            repeats = [e for e in answers if e[7]]
        if repeats:
            answers = [e for e in answers if not e[7]]
    for repeat, some in ((0, answers), (1, repeats)):
        _insert_rows(
            c,
            f"INSERT OR IGNORE INTO events ({EVENT_COLS})",
            f"(?,?,?,'answer',?,?,?,{repeat},'',nullif(?, ''))",
            some,
            _ANSWER_FIELDS,
        )
    # The events as they are (their fields are the columns, in order; a bool binds as 0/1):
    # as _event_values would give them, without a call each.
    c.executemany(
        f"INSERT OR IGNORE INTO events ({EVENT_COLS}) VALUES (?,?,?,?,?,?,?,?,?,nullif(?, ''))",
        events,
    )


class EventLog(StoreBase):
    policy: Policy = Policy()
    """The scheduler answers go through (set with :meth:`use_policy`)."""
    journal: Callable[[Event], None] | None = None
    """Called with each event this machine makes, after it is saved (sync appends it)."""

    def _journal(self, e: Event) -> None:
        if self.journal is not None:
            self.journal(e)

    def card_key(self, c: sqlite3.Connection, cid: int) -> str:
        return _line_key(c.execute("SELECT card_id FROM cards WHERE cid = ?", (cid,)).fetchone())

    def meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    def synced_files(self) -> dict[str, str]:
        """Each device file's content digest (by file name) when a sync last applied all of
        it to this store (a damaged record: none)."""
        try:
            got = json.loads(self.meta("synced_files") or "{}")
        except ValueError:
            return {}
        if not isinstance(got, dict):
            return {}
        return {k: v for k, v in got.items() if isinstance(k, str) and isinstance(v, str)}

    def remember_synced_files(self, digests: Mapping[str, str]) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO meta VALUES ('synced_files', ?)",
                (json.dumps(dict(sorted(digests.items()))),),
            )

    def use_policy(self, policy: Policy) -> bool:
        """Schedule with ``policy`` from now on. When the scheduler (or FSRS's settings) differs
        from the one the states were made with, every card is rebuilt from the log through the
        new one; True then. Nothing of the log changes, so switching back is lossless. (The
        leech threshold applies from now on, as before: changing it rebuilds nothing.)"""
        self.policy = policy
        made_with = self.meta("scheduler") or "sm2"  # a store from before this knew only SM-2
        if made_with == _fingerprint(policy):
            return False
        self.rebuild()
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO meta VALUES ('scheduler', ?)", (_fingerprint(policy),)
            )
        return True

    def event_ids(self) -> set[str]:
        return {r["id"] for r in self.query("SELECT id FROM events")}

    def events(self, device: str | None = None) -> list[Event]:
        """All events in time order; with ``device``, those made here (device not yet
        named, or ``device``)."""
        sql = f"SELECT {EVENT_COLS} FROM events"
        params: tuple[str, ...] = ()
        if device is not None:
            sql += " WHERE device IS NULL OR device = ?"
            params = (device,)
        with gc_paused():
            return [event_from_row(r) for r in self.query(sql + " ORDER BY at, id", params)]

    def follow_renames(self) -> int:
        """Re-key the events of cards whose key changed since (a paper renamed in the notes),
        and log the move as a ``rename`` event, so other devices (and lines still written
        under the old key) find the card too. Returns how many keys moved.

        A review row's event names another key than its card only once a card's key or an
        event's key moved (the cards' keys change when the notes are read, the events' keys
        with a line in ``key_aliases``): when neither changed since this last ran, there is
        nothing to look for, and the join over every review row (a fifth of a second at
        100,000) is not made."""
        with self.transaction() as c:
            mark = _keys_mark(c)
            if mark == _meta(c, "renames_followed"):
                return 0
            moved = c.execute(
                "SELECT DISTINCT e.card_key AS old, c.card_id AS new FROM reviews r "
                "JOIN events e ON e.id = r.event_id JOIN cards c USING (cid) "
                "WHERE e.card_key != c.card_id"
            ).fetchall()
            now = datetime.now(UTC)
            for r in moved:
                _move_key(c, r["old"], r["new"])
                insert_event(c, rename_event(r["old"], r["new"], now))
            c.execute(
                "INSERT OR REPLACE INTO meta VALUES ('renames_followed', ?)",
                (_keys_mark(c) if moved else mark,),
            )
        return len(moved)

    @contextmanager
    def _writing(self, rows: int) -> Iterator[sqlite3.Connection]:
        """One transaction that writes up to ``rows`` rows. From :data:`BULK` rows on, with
        a roomy page cache (:func:`_roomy`) and without the check that each review row's
        card exists (a look-up per row: a third of the time 100,000 rows take): every row a
        rebuild writes names a card it read from ``cards`` in this transaction, and nothing
        else writes meanwhile. (SQLite turns the check on and off only between
        transactions; it is on again before this returns.)"""
        conn = self._conn
        check = rows >= BULK and conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        if check:
            conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction() as c, _roomy(c, rows):
                yield c
        finally:
            if check:
                conn.execute("PRAGMA foreign_keys = ON")

    def add_events(self, events: Iterable[Event], known: Collection[str] | None = None) -> set[str]:
        """Add events made elsewhere (ids already here are skipped) and rebuild the cards
        they touch. Returns those cards' keys. ``known``: the ids of the store's events, when
        the caller has just read them (:meth:`event_ids`: 100,000 ids, a tenth of a second)."""
        events = list(events)
        if not events:
            return set()
        if known is None:
            known = self.event_ids()
        fresh: dict[str, Event] = {}
        # One transaction: the events and the states and review rows they make are written
        # together, so a kill meanwhile leaves the store as it was (and a sync that is run
        # again finds the same events new).
        kinds = set(map(attrgetter("kind"), events))  # (in C: 100,000 events)
        with self._writing(len(events)) as c:
            if "rename" in kinds:  # renames first: the other lines may use either key
                for e in events:
                    if e.kind == "rename" and e.id not in known:
                        _move_key(c, e.value, e.key)
            alias = {r["old"]: r["new"] for r in c.execute("SELECT old, new FROM key_aliases")}
            if not known and not alias and len(events) >= BULK:  # (in C, if no id is twice)
                fresh = dict(zip(map(attrgetter("id"), events), events, strict=True))
                if len(fresh) < len(events):
                    fresh = {}
            if not fresh:  # the first of each id
                for e in events:
                    if e.id not in known and e.id not in fresh:
                        fresh[e.id] = e._replace(key=alias[e.key]) if e.key in alias else e
            with _indexes_dropped(c, "events", len(fresh)):
                # In id order: the primary key's B-tree is then appended to, not split at
                # random places (ids are random across devices).
                _insert_events(c, [fresh[i] for i in sorted(fresh)])
            quiz = [e for e in fresh.values() if e.kind == "quiz"]
            if quiz:
                papers = {
                    _line_key(r): r["paper_key"]
                    for r in c.execute("SELECT card_id, paper_key FROM cards")
                }
                c.executemany(
                    "INSERT INTO quiz_log (quiz, at, card_id, paper_key, question_kind, correct, "
                    "seconds) VALUES (?,?,?,?,?,?,?)",
                    [_quiz_row(e, papers.get(e.key, "")) for e in quiz],
                )
            if kinds.isdisjoint(("quiz", "correct")):
                touched = set(map(attrgetter("key"), fresh.values()))
            else:
                touched = {e.key for e in fresh.values() if e.kind not in ("quiz", "correct")}
            if touched:
                with gc_paused():
                    # A store whose events are only these (it had none, and got none from
                    # elsewhere meanwhile): replayed from here, not read back (100,000 rows:
                    # a quarter of a second).
                    alone = c.execute("SELECT count(*) FROM events").fetchone()[0] == len(fresh)
                    self._rebuild(c, touched, list(fresh.values()) if alone else None)
        return touched

    def rebuild(self, keys: Collection[str] | None = None) -> int:
        """Rebuild the states and review rows of the cards with ``keys`` (all: None) by
        replaying their events; only what differs from the replay is written. Returns how
        many cards were replayed."""
        with self._writing(BULK if keys is None else len(keys)) as c, gc_paused():
            # In a function of its own: its 100,000s of objects are gone before the cyclic GC
            # comes back (else its first pass walks them all, a third of a second).
            return self._rebuild(c, keys)

    def _rebuild(
        self,
        c: sqlite3.Connection,
        keys: Collection[str] | None,
        given: list[Event] | None = None,
    ) -> int:
        """:meth:`rebuild`, in ``c``; ``given``: every event in the store, when the caller
        holds them (Events, or tuples in their field order), else they are read."""
        tuples = c.cursor()
        tuples.row_factory = None  # plain tuples: 100,000 rows
        # Each card's columns as they are, in the order the replay gives them: a card (and a
        # review row) the replay leaves as it was is not written again (a rebuild of a store
        # that is up to date writes nothing).
        sql = (
            f"SELECT cid, card_id, retired, {WRITE_COLS_BURIED.replace('=?', '')}, "
            "answered, passed FROM cards"
        )
        few: list[str] = []
        if keys is not None and len(keys) <= SCAN:  # (an undo, an Anki pull: read by key)
            few = list(keys)
            sql += f" WHERE card_id IN ({', '.join('?' * len(few))})"
        cards = {r[1]: (r[0], bool(r[2]), r[3:-2], r[-2:]) for r in tuples.execute(sql, few)}
        wanted = set(cards) if keys is None else set(keys) & set(cards)
        cid_of = {k: v[0] for k, v in cards.items()}
        scan = keys is None or len(wanted) > SCAN
        rows: list[Any] = [] if given is None else given
        if scan:
            if given is None:
                rows = tuples.execute(f"SELECT {_EVENT_FIELDS} FROM events").fetchall()
            old = tuples.execute(f"SELECT {_REVIEW_COLS} FROM reviews ORDER BY id").fetchall()
        else:
            old = []
            for key in wanted:
                if given is None:
                    rows += tuples.execute(
                        f"SELECT {_EVENT_FIELDS} FROM events WHERE card_key = ?", (key,)
                    ).fetchall()
                old += tuples.execute(
                    f"SELECT {_REVIEW_COLS} FROM reviews WHERE cid = ? ORDER BY id",
                    (cid_of[key],),
                ).fetchall()
        # (Events in Event's field order.)
        events = [r for r in rows if r[4] in wanted]
        if self.policy.scheduler == "sm2":  # the default: its one-pass twin, on the tuples
            values, reviews = sm2_rows(events, self.policy.leech_threshold, cid_of)
        else:
            result = replay(map(Event._make, events), self.policy, {k: cards[k][1] for k in wanted})
            values, reviews = replayed_rows(result, cid_of)
        cids = {cid_of[k] for k in wanted}
        # Whether the table holds exactly ``reviews`` once written: every row it has now is
        # of a card replayed here.
        whole = scan
        if keys is not None:
            kept = len(old)
            old = [r for r in old if r[0] in cids]
            whole = scan and len(old) == kept
        change = None if old == reviews else _review_change(old, reviews, cids, keys is None)
        # A bulk write of the whole table (a fresh sync, a store whose rows were lost): the
        # cards' totals are counted from the rows in hand and written with their states, in
        # the one UPDATE per card made anyway, not recounted from the table after.
        counted = whole and change is not None and change.bulk
        if counted:
            _update_cards(c, _with_totals(wanted, values, card_totals(reviews), cards), True)
        else:
            _update_cards(
                c,
                [
                    (*v, cards[k][0])
                    for k in wanted
                    if (v := values.get(k, NEW_VALUES)) != cards[k][2]  # (a tuple each)
                ],
                False,
            )
        if change is not None:
            _write_reviews(c, change, day_totals(reviews) if counted else None)
        return len(wanted)

    def unapplied_keys(self) -> set[str]:
        """Cards whose logged answers are not in their review rows yet: events that came
        before the card itself (the notes were pulled later)."""
        return {
            r["card_key"]
            for r in self.query(
                # One set difference over ids, then the keys: 3-4 times faster than two
                # NOT IN per event, over 100,000 events.
                "SELECT DISTINCT card_key FROM events WHERE id IN ("
                "SELECT id FROM events WHERE kind = 'answer' "
                "EXCEPT SELECT event_id FROM reviews "
                "EXCEPT SELECT value FROM events WHERE kind = 'undo') "
                "AND card_key IN (SELECT card_id FROM cards)"
            )
        }

    def late_check_due(self) -> bool:
        """Whether answers held for cards that did not exist yet may have found them since a
        sync last looked (:meth:`late_checked`): only when cards came or keys moved, which
        the mark :meth:`follow_renames` keeps tells (read it after that ran)."""
        rows = self.query(
            "SELECT key, value FROM meta WHERE key IN ('late_checked', 'renames_followed')"
        )
        marks = {r["key"]: r["value"] for r in rows}
        checked = marks.get("late_checked")
        return checked is None or checked != marks.get("renames_followed")

    def late_checked(self) -> None:
        """Remember that the held answers were looked for at the cards' present keys."""
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO meta SELECT 'late_checked', value FROM meta "
                "WHERE key = 'renames_followed'"
            )

    def name_device(self, device: str) -> int:
        """Events made here before this machine had a device id get it (at first sync)."""
        with self.transaction() as c:
            return c.execute(
                "UPDATE events SET device = ? WHERE device IS NULL", (device,)
            ).rowcount

    def sources(self) -> dict[str, int]:
        """Events per device ("" for this machine's, before its first sync)."""
        return {
            r["device"] or "": r["n"]
            for r in self.query("SELECT device, count(*) AS n FROM events GROUP BY device")
        }

    def waiting_events(self) -> int:
        """Events for cards these notes do not have (yet): kept, applied once the card exists."""
        return int(
            self.query(
                "SELECT count(*) AS n FROM events WHERE card_key NOT IN (SELECT card_id FROM cards)"
            )[0]["n"]
        )


_MEMORY_COLS = "fsrs_stability=?, fsrs_difficulty=?, fsrs_last_review=?"
_MEMORY_AT = WRITE_COLS_BURIED.split(", ").index("fsrs_stability=?")
"""Where FSRS's memory columns stand among a card's values (three, in :data:`_MEMORY_COLS`
order): None under SM-2."""
assert _MEMORY_COLS in WRITE_COLS_BURIED
assert WRITE_COLS_BURIED.split(", ")[_MEMORY_AT - 1] == "buried_until=?"  # (just before them)


def _update_cards(c: sqlite3.Connection, params: list[tuple[object, ...]], totals: bool) -> None:
    """``UPDATE cards`` with each card's values (:data:`WRITE_COLS_BURIED` order), then its
    totals (``totals``), then its cid. A card with no FSRS memory (every card under SM-2) has
    its three memory columns written as NULL by the statement, not bound: a third less time
    to update 30,000 cards; and so has a card that is not buried its ``buried_until`` (nearly
    every card): sqlite3 binds None only after looking for an adapter for it, each time."""
    sets = WRITE_COLS_BURIED + (", answered=?, passed=?" if totals else "")
    at, end = _MEMORY_AT, _MEMORY_AT + 3
    bury = _MEMORY_AT - 1
    plain, unburied, full = [], [], []
    for p in params:
        if p[at] is None is p[at + 1] is p[at + 2]:
            if p[bury] is None:
                unburied.append(p[:bury] + p[end:])
            else:
                plain.append(p[:at] + p[end:])
        else:
            full.append(p)
    written = [s.split("=")[0] for s in sets.split(", ")]
    with _indexes_dropped(c, "cards", len(params), of=written):
        c.executemany(f"UPDATE cards SET {sets} WHERE cid=?", full)
        nulls = _MEMORY_COLS.replace("=?", "=NULL")
        sql = f"UPDATE cards SET {sets.replace(_MEMORY_COLS, nulls)} WHERE cid=?"
        c.executemany(sql, plain)
        c.executemany(sql.replace("buried_until=?", "buried_until=NULL"), unburied)


_REVIEW_COLS = "cid, at, day, quality, duration_ms, repeat, was_new, event_id"
"""A review row's columns, in :data:`studydeck.store.rows.Row`'s order."""


def _with_totals(
    wanted: Collection[str],
    values: Mapping[str, Values],
    totals: Mapping[int, tuple[int, int]],
    cards: Mapping[str, tuple[int, bool, Values, Values]],
) -> list[tuple[object, ...]]:
    """The new columns (of the cards ``wanted``) and totals (of every card: one that was not
    replayed has no rows) of the cards where either differs, as the UPDATE's parameters
    (the cid last)."""
    out = []
    for k, (cid, _, was, was_totals) in cards.items():
        v = values.get(k, NEW_VALUES) if k in wanted else was
        t = totals.get(cid, (0, 0))
        if v != was or t != was_totals:
            out.append((*v, *t, cid))
    return out


class _Change(NamedTuple):
    """What a rebuild changes in the review table (:func:`_review_change`)."""

    changed: set[int]
    """The cards whose rows are deleted and written again."""
    rows: list[Row]
    """Their new rows, in time order."""
    every: bool
    """No card keeps its rows: the table is emptied first."""

    @property
    def bulk(self) -> bool:
        """Written with the table's triggers off and its totals counted once after."""
        return self.every or len(self.rows) >= BULK


def _review_change(old: list[Row], new: list[Row], cids: set[int], full: bool) -> _Change:
    """Make the review rows of cards ``cids`` (all of them: ``full``) ``new`` instead of
    ``old`` (both in time order). A card whose rows are the same keeps them; the others lose
    all theirs and get the new ones in time order, as one card's rows must stay (undo takes
    back only a card's last row)."""
    if not old:  # these cards have none (a fresh store, or its rows lost): only to add
        return _Change(set(), new, False)
    was: dict[object, list[Row]] = {}  # by cid
    for r in old:
        was.setdefault(r[0], []).append(r)
    now: dict[object, list[Row]] = {}
    for r in new:
        now.setdefault(r[0], []).append(r)
    changed = {cid for cid in cids if was.get(cid) != now.get(cid)}
    rows = [r for r in new if r[0] in changed]
    return _Change(changed, rows, full and changed.issuperset(was))  # (no card keeps its rows)


def _write_reviews(
    c: sqlite3.Connection, change: _Change, counted: Mapping[tuple[str, int], int] | None
) -> None:
    """Write ``change``. ``counted``: the table is to hold the rows the caller holds, whose
    day totals these are (:func:`~studydeck.store.schema.day_totals`), and the cards' own
    totals are written already."""
    changed, rows, every = change
    with _review_triggers_off(c, change.bulk, counted):
        if every:
            c.execute("DELETE FROM reviews")  # all of them: no index to keep up meanwhile
        elif changed:  # (through the cid index, before it is dropped)
            c.executemany("DELETE FROM reviews WHERE cid = ?", [(cid,) for cid in changed])
        with _indexes_dropped(c, "reviews", len(rows)):
            insert = f"INSERT INTO reviews ({_REVIEW_COLS})"
            if len(rows) >= BULK:
                _insert_rows(c, insert, "(?,?,?,?,?,?,?,?)", rows)
            else:
                c.executemany(f"{insert} VALUES (?,?,?,?,?,?,?,?)", rows)


def _insert_rows(
    c: sqlite3.Connection,
    insert: str,
    values: str,
    rows: Sequence[Sequence[object]],
    pick: Callable[[Any], Sequence[object]] | None = None,
) -> None:
    """``insert`` (``INSERT INTO t (columns)``) of ``rows`` (or of ``pick`` of each), each
    bound to ``values`` (one row's ``(?, ...)``), :data:`ROWS` rows a statement: the rows in
    order, as one statement each would insert them, in a third less time than that (100,000
    review rows). Each statement's run costs the same whatever its rows: a reset, a step,
    and the GIL released and taken again around it."""
    width = values.count("?")
    most = max(1, min(ROWS, c.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // max(width, 1)))
    full = f"{insert} VALUES {','.join([values] * most)}"
    for at in range(0, len(rows), most):
        part = rows[at : at + most]
        sql = full if len(part) == most else f"{insert} VALUES {','.join([values] * len(part))}"
        c.execute(sql, list(chain.from_iterable(part if pick is None else map(pick, part))))


ROWS = 500
"""Rows an insert of :func:`_insert_rows` holds at most (fewer when SQLite allows fewer
values a statement: 999 before 3.32)."""


SCAN = 500
"""From more cards than this on, a rebuild reads every event and review row in one scan and
keeps those of its cards: one scan beats thousands of look-ups."""

BULK = 5000
"""From this many rows on, a table's indexes are dropped for the insert and made again after:
one sort beats that many B-tree inserts (the whole sync of 100,000 answers: a second less)."""


@contextmanager
def _dropped(
    c: sqlite3.Connection, kind: str, table: str, when: bool, of: Collection[str] | None = None
) -> Iterator[bool]:
    """Without ``table``'s ``kind`` objects (indexes or triggers) meanwhile, when ``when``;
    they are made again from their own SQL, read back from the schema, so
    :mod:`studydeck.store.schema` stays their one place. Inside the caller's transaction, so
    a failure rolls the drop back too. (A primary key's own index has no SQL and stays.)
    ``of``: only the indexes on any of these columns (those an UPDATE of them would keep up;
    the others stay)."""
    made = []
    if when:
        made = c.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = ? AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (kind, table),
        ).fetchall()
    if of is not None:
        made = [
            (name, sql)
            for name, sql in made
            if not set(of).isdisjoint(r[2] for r in c.execute(f'PRAGMA index_info("{name}")'))
        ]
    for name, _ in made:
        c.execute(f'DROP {kind.upper()} "{name}"')
    yield bool(made)
    for _, sql in made:
        c.execute(sql)


@contextmanager
def _roomy(c: sqlite3.Connection, rows: int) -> Iterator[None]:
    """From :data:`BULK` rows (or cards) on, a page cache of up to :data:`ROOM` KiB meanwhile
    (SQLite's default: 2 MiB), in the caller's transaction: 100,000 rows and their indexes
    outgrow the default, and every dirty page that no longer fits is written to the WAL
    before the commit, then again if it changes once more (a quarter less time to insert
    100,000 review rows). Only the cache changes: the commit is as durable as any."""
    if rows < BULK:
        yield
        return
    size = c.execute("PRAGMA cache_size").fetchone()[0]
    c.execute(f"PRAGMA cache_size = -{ROOM}")
    try:
        yield
    finally:
        c.execute(f"PRAGMA cache_size = {int(size)}")


ROOM = 64 * 1024
"""The page cache of a bulk write, in KiB (:func:`_roomy`): freed when it ends."""


def _indexes_dropped(
    c: sqlite3.Connection, table: str, rows: int, of: Collection[str] | None = None
) -> AbstractContextManager[bool]:
    """Insert ``rows`` rows into ``table`` meanwhile: from :data:`BULK` rows on, without its
    indexes. ``of``: update these columns of ``rows`` rows meanwhile, without the indexes on
    any of them (30,000 cards' states: the plan index made again in one sort beats 30,000
    entries moved in it, a fifth less time)."""
    return _dropped(c, "index", table, rows >= BULK, of)


@contextmanager
def _review_triggers_off(
    c: sqlite3.Connection, off: bool, counted: Mapping[tuple[str, int], int] | None = None
) -> Iterator[None]:
    """Write the review log in bulk meanwhile, without its triggers (``off``): they keep
    running totals, two upserts per row (a second over 100,000 rows), so they are
    counted afresh once after (:func:`~studydeck.store.schema.count_review_totals`, the one
    place that counts them); the cards' own totals too, and the day totals from the table,
    unless the caller ``counted`` them from the rows it wrote."""
    with _dropped(c, "trigger", "reviews", off) as made:
        yield
    if made:
        count_review_totals(c, cards=counted is None, days=counted)


def _meta(c: sqlite3.Connection, key: str) -> str | None:
    row = c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _keys_mark(c: sqlite3.Connection) -> str:
    """A digest of every card's key (by cid) and every key move: what decides whether a
    review row's event can name another key than its card (:meth:`EventLog.follow_renames`)."""
    h = digests.blake2b(digest_size=16)
    tuples = c.cursor()
    tuples.row_factory = None  # plain tuples, whose repr is their values
    for table, sql in (
        ("cards", "SELECT cid, card_id FROM cards ORDER BY cid"),
        ("key_aliases", "SELECT old, new FROM key_aliases ORDER BY old"),
    ):
        h.update(f"{table}: {tuples.execute(sql).fetchall()!r}".encode())
    return h.hexdigest()


def rename_event(old: str, new: str, now: datetime) -> Event:
    """The log line for a card key that changed; its id comes from the two keys, so devices
    that notice the same rename write the same event."""
    digest = digests.blake2b(f"{old}\n{new}".encode(), digest_size=12).hexdigest()
    return Event(
        f"rename-{digest}", utc_text(now), now.date().isoformat(), "rename", new, value=old
    )


def _move_key(c: sqlite3.Connection, old: str, new: str) -> None:
    if old == new:
        return
    c.execute("UPDATE key_aliases SET new = ? WHERE new = ?", (new, old))
    c.execute("INSERT OR REPLACE INTO key_aliases VALUES (?, ?)", (old, new))
    c.execute("UPDATE events SET card_key = ? WHERE card_key = ? AND kind != 'rename'", (new, old))


def quiz_value(quiz: str, question_kind: str, correct: bool, seconds: float) -> str:
    """A quiz answer's details, as a ``quiz`` event's value."""
    return json.dumps([quiz, question_kind, bool(correct), float(seconds)], ensure_ascii=False)


QUIZ_VALUE_MAX = 1000
"""The longest quiz answer's details :func:`quiz_value` writes, with room to spare (a quiz's
name is a time and a seed)."""


def quiz_details(value: str) -> tuple[str, str, bool, float] | None:
    """A quiz answer's details as :func:`quiz_value` wrote them (quiz, question kind, right,
    seconds: a finite number, not below 0), or None for anything else: a line from another
    device is hostile (a probe's ``[[[...]]]`` of 100,000 levels stopped every sync with a
    RecursionError; a ``NaN`` second broke the quiz log's NOT NULL)."""
    if len(value) > QUIZ_VALUE_MAX:
        return None
    try:
        got = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if type(got) is not list or len(got) != 4:
        return None
    quiz, kind, correct, seconds = got
    if not (type(quiz) is type(kind) is str and type(correct) is bool):
        return None
    if type(seconds) not in (int, float) or not 0 <= seconds < float("inf"):  # (NaN: False)
        return None
    return quiz, kind, correct, float(seconds)


def _quiz_row(e: Event, paper_key: str) -> tuple[object, ...]:
    got = quiz_details(e.value)
    if got is None:  # a damaged line from another device: keep what is sure
        return ("?", e.at, e.key, paper_key, "?", 0, 0.0)
    quiz, kind, correct, seconds = got
    return (quiz, e.at, e.key, paper_key, kind, int(correct), seconds)


def _fingerprint(policy: Policy) -> str:
    if policy.scheduler == "sm2":
        return "sm2"
    return json.dumps(asdict(policy.fsrs), sort_keys=True)
