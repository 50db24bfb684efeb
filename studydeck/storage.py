"""The review store: one SQLite file, schema versions in ``PRAGMA user_version``.

* WAL, and every answer is one ``BEGIN IMMEDIATE`` transaction that appends to
  the review log and updates the card, computed from the state *in the file*, so
  two studydeck processes on one store never lose an answer.
* The review log is append-only; undo deletes only the last answer and puts back
  the state recorded before it.
* A file that is not ours, is corrupt, or is from a newer studydeck is refused
  with one line and never written to.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from studydeck.errors import StudydeckError
from studydeck.identity import card_id, normalise_url, similar_titles
from studydeck.models import Card, CardKind, Paper
from studydeck.perf import gc_paused
from studydeck.scheduling import PASSING, Sm2State, review

T = TypeVar("T")

APPLICATION_ID = 0x53544459  # "STDY"
SCHEMA_VERSION = 1

_SCHEMA_V1 = """
CREATE TABLE papers (
    paper_key TEXT PRIMARY KEY,
    title     TEXT NOT NULL,
    url       TEXT,
    year      INTEGER,
    figures   TEXT NOT NULL DEFAULT '',
    source    TEXT NOT NULL DEFAULT '',
    retired   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE cards (
    cid          INTEGER PRIMARY KEY,
    card_id      TEXT NOT NULL UNIQUE,
    paper_key    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    repetitions  INTEGER NOT NULL DEFAULT 0,
    easiness     REAL NOT NULL DEFAULT 2.5,
    interval     INTEGER NOT NULL DEFAULT 0,
    due          TEXT,
    lapses       INTEGER NOT NULL DEFAULT 0,
    suspended    INTEGER NOT NULL DEFAULT 0,
    leech        INTEGER NOT NULL DEFAULT 0,
    buried_until TEXT,
    retired      INTEGER NOT NULL DEFAULT 0,
    added        TEXT NOT NULL
);
CREATE INDEX cards_paper ON cards(paper_key);
CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY,
    cid         INTEGER NOT NULL REFERENCES cards(cid),
    at          TEXT NOT NULL,
    day         TEXT NOT NULL,
    quality     INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    repeat      INTEGER NOT NULL,
    was_new     INTEGER NOT NULL,
    before      TEXT NOT NULL,
    after       TEXT NOT NULL
);
CREATE INDEX reviews_cid ON reviews(cid);
CREATE INDEX reviews_day ON reviews(day);
CREATE TABLE deck_cache (
    deck        TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    data        BLOB NOT NULL
);
CREATE TABLE quiz_log (
    id            INTEGER PRIMARY KEY,
    quiz          TEXT NOT NULL,
    at            TEXT NOT NULL,
    card_id       TEXT NOT NULL,
    paper_key     TEXT NOT NULL,
    question_kind TEXT NOT NULL,
    correct       INTEGER NOT NULL,
    seconds       REAL NOT NULL
);
"""

#: Forward migrations: ``MIGRATIONS[v]`` takes a store from version v to v + 1.
MIGRATIONS: dict[int, str] = {0: _SCHEMA_V1}


@dataclass(frozen=True, slots=True)
class CardState:
    """What the store knows of a card besides its text."""

    sm2: Sm2State
    lapses: int = 0
    suspended: bool = False
    leech: bool = False
    buried_until: date | None = None
    retired: bool = False

    def is_active(self, today: date) -> bool:
        buried = self.buried_until is not None and self.buried_until > today
        return not (self.suspended or self.retired or buried)


@dataclass(frozen=True, slots=True)
class Answer:
    review_id: int
    card_id: str
    quality: int
    before: CardState
    after: CardState
    repeat: bool

    @property
    def became_leech(self) -> bool:
        return self.after.leech and not self.before.leech


@dataclass(frozen=True, slots=True)
class ReviewRow:
    card_id: str
    paper_key: str
    kind: str
    at: datetime
    day: date
    quality: int
    duration_ms: int
    repeat: bool
    was_new: bool


@dataclass
class ReconcileReport:
    new: int = 0
    renamed: int = 0
    retired: int = 0
    restored: int = 0

    def __str__(self) -> str:
        parts = [f"{self.new} new", f"{self.renamed} renamed", f"{self.retired} retired"]
        if self.restored:
            parts.append(f"{self.restored} restored")
        return ", ".join(parts)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.renamed or self.retired or self.restored)


def _state_text(s: CardState) -> str:
    due = s.sm2.due.isoformat() if s.sm2.due else ""
    bury = s.buried_until.isoformat() if s.buried_until else ""
    return (
        f"{s.sm2.repetitions},{s.sm2.easiness},{s.sm2.interval},{due},"
        f"{s.lapses},{int(s.suspended)},{int(s.leech)},{bury}"
    )


def _parse_state(text: str, retired: bool = False) -> CardState:
    reps, ef, interval, due, lapses, susp, leech, bury = text.split(",")
    return CardState(
        sm2=Sm2State(int(reps), float(ef), int(interval), date.fromisoformat(due) if due else None),
        lapses=int(lapses),
        suspended=susp == "1",
        leech=leech == "1",
        buried_until=date.fromisoformat(bury) if bury else None,
        retired=retired,
    )


_STATE_COLS = (
    "repetitions, easiness, interval, due, lapses, suspended, leech, buried_until, retired"
)


def _row_state(r: Sequence[Any]) -> CardState:
    return CardState(
        sm2=Sm2State(r[0], r[1], r[2], date.fromisoformat(r[3]) if r[3] else None),
        lapses=r[4],
        suspended=bool(r[5]),
        leech=bool(r[6]),
        buried_until=date.fromisoformat(r[7]) if r[7] else None,
        retired=bool(r[8]),
    )


class Store:
    """An open review store. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self.busy_timeout = 30.0

    # -- opening -------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, busy_timeout: float = 30.0) -> Store:
        """Open (creating if needed) the store at ``path``; wait up to ``busy_timeout`` seconds
        for another studydeck that is writing."""
        path = Path(path)
        existed = path.exists() and path.stat().st_size > 0
        if path.exists() and path.is_dir():
            raise StudydeckError("is a folder, not a studydeck database", path=path, exit_code=1)
        if not existed:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StudydeckError(
                    f"cannot create the database folder: {exc.strerror}",
                    path=path,
                    hint="use --db PATH somewhere writable",
                ) from exc
        try:
            conn = sqlite3.connect(
                path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise _open_error(path, exc) from exc
        store = cls(conn, path)
        store.busy_timeout = busy_timeout
        try:
            store._check_and_migrate(existed)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _open_error(path, exc) from exc
        except StudydeckError:
            conn.close()
            raise
        return store

    def _check_and_migrate(self, existed: bool) -> None:
        c = self._conn
        app_id = _retry_locked(lambda: c.execute("PRAGMA application_id").fetchone()[0])
        version = _retry_locked(lambda: c.execute("PRAGMA user_version").fetchone()[0])
        if existed and app_id != APPLICATION_ID and self._has_tables():
            # (An empty file, or one another studydeck is creating this very moment, is fine.)
            raise StudydeckError(
                "not a studydeck database; it was left untouched",
                path=self.path,
                hint="pass another file with --db",
            )
        if version > SCHEMA_VERSION:
            raise StudydeckError(
                f"made by a newer studydeck (schema {version}, this one knows {SCHEMA_VERSION})",
                path=self.path,
                hint="upgrade studydeck; the file was left untouched",
            )
        c.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        mode = _retry_locked(lambda: c.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        if str(mode).lower() != "wal":
            raise StudydeckError("cannot switch the database to WAL mode", path=self.path)
        c.execute("PRAGMA synchronous = NORMAL")
        c.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            with self.transaction():
                v = c.execute("PRAGMA user_version").fetchone()[0]
                while v < SCHEMA_VERSION:
                    for stmt in MIGRATIONS[v].split(";"):
                        if stmt.strip():
                            c.execute(stmt)
                    v += 1
                c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                c.execute(f"PRAGMA user_version = {v}")

    def _has_tables(self) -> bool:
        return bool(
            _retry_locked(
                lambda: self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            )
        )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        c = self._conn
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _write_error(self.path, exc) from exc
        try:
            yield c
        except sqlite3.DatabaseError as exc:
            c.execute("ROLLBACK")
            raise _open_error(self.path, exc) from exc
        except BaseException:
            c.execute("ROLLBACK")
            raise
        try:
            c.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            c.execute("ROLLBACK")
            raise _write_error(self.path, exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _open_error(self.path, exc) from exc

    # -- parsed-deck cache -----------------------------------------------------------
    def cached_deck(self, deck: str, fingerprint: str) -> bytes | None:
        rows = self.query(
            "SELECT data FROM deck_cache WHERE deck = ? AND fingerprint = ?", (deck, fingerprint)
        )
        return bytes(rows[0][0]) if rows else None

    def cache_fingerprint(self, deck: str) -> str | None:
        rows = self.query("SELECT fingerprint FROM deck_cache WHERE deck = ?", (deck,))
        return str(rows[0][0]) if rows else None

    def save_deck_cache(self, deck: str, fingerprint: str, data: bytes) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO deck_cache VALUES (?, ?, ?)", (deck, fingerprint, data)
            )

    # -- reconciling the notes with the store ----------------------------------------
    def reconcile(
        self, papers: Sequence[Paper], cards: Sequence[Card], sources: Sequence[str], now: datetime
    ) -> ReconcileReport:
        """Bring the store in line with the notes; history follows papers through renames."""
        report = ReconcileReport()
        stamp = now.isoformat(timespec="seconds")
        with self.transaction() as c:
            stored = {
                r[0]: r
                for r in c.execute(
                    "SELECT paper_key, title, url, year, figures, source, retired FROM papers"
                )
            }
            present = {p.key for p in papers}
            source_set = set(sources)
            missing = {
                k: r for k, r in stored.items() if k not in present and (r[5] in source_set or r[6])
            }
            for paper in papers:
                values = _paper_values(paper)
                row = stored.get(paper.key)
                if row is None:
                    old = _match_rename(paper, missing)
                    if old is not None:
                        del missing[old]
                        self._rename_paper(c, old, paper.key)
                        report.renamed += 1
                        row = stored[old]
                if row is None:
                    c.execute("INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, 0)", values)
                elif row[6] or values[1:] != tuple(row[1:6]):
                    c.execute(
                        "UPDATE papers SET title=?, url=?, year=?, figures=?, source=?, "
                        "retired=0 WHERE paper_key=?",
                        (*values[1:], paper.key),
                    )
            existing = {
                r[0]: (r[1], r[2])
                for r in c.execute("SELECT card_id, retired, paper_key FROM cards")
            }
            wanted = {card.id for card in cards}
            new_rows = []
            for card in cards:
                was = existing.get(card.id)
                if was is None:
                    new_rows.append((card.id, card.paper.key, card.kind.value, stamp))
                elif was[0]:
                    report.restored += 1
            c.executemany(
                "INSERT INTO cards (card_id, paper_key, kind, added) VALUES (?,?,?,?)", new_rows
            )
            report.new = len(new_rows)
            if report.restored:
                c.executemany(
                    "UPDATE cards SET retired = 0 WHERE card_id = ?",
                    [(cid,) for cid, r in existing.items() if r[0] and cid in wanted],
                )
            in_scope = {k for k, r in stored.items() if r[5] in source_set} | present
            gone = [
                (cid,)
                for cid, r in existing.items()
                if not r[0] and cid not in wanted and r[1] in in_scope
            ]
            c.executemany("UPDATE cards SET retired = 1 WHERE card_id = ?", gone)
            report.retired = len(gone)
            c.executemany(
                "UPDATE papers SET retired = 1 WHERE paper_key = ?",
                [(k,) for k in missing if not stored[k][6]],
            )
        return report

    @staticmethod
    def _rename_paper(c: sqlite3.Connection, old: str, new: str) -> None:
        c.execute("UPDATE papers SET paper_key = ? WHERE paper_key = ?", (new, old))
        for cid, kind in c.execute(
            "SELECT cid, kind FROM cards WHERE paper_key = ?", (old,)
        ).fetchall():
            c.execute(
                "UPDATE cards SET paper_key = ?, card_id = ? WHERE cid = ?",
                (new, card_id(new, CardKind(kind)), cid),
            )

    # -- card states -------------------------------------------------------------
    def states(self) -> dict[str, CardState]:
        rows = self.query(f"SELECT card_id, {_STATE_COLS} FROM cards")
        with gc_paused():
            return {r[0]: _row_state(r[1:]) for r in rows}

    def queue_candidates(self, today: date) -> dict[str, date | None]:
        """Cards that may be studied today: due (card id -> due date) or new (-> None)."""
        d = today.isoformat()
        rows = self.query(
            "SELECT card_id, due FROM cards WHERE retired = 0 AND suspended = 0 "
            "AND (buried_until IS NULL OR buried_until <= ?) AND (due IS NULL OR due <= ?)",
            (d, d),
        )
        return {r[0]: (date.fromisoformat(r[1]) if r[1] else None) for r in rows}

    def states_of(self, cids: Sequence[str]) -> dict[str, CardState]:
        out: dict[str, CardState] = {}
        for cid in cids:
            rows = self.query(f"SELECT {_STATE_COLS} FROM cards WHERE card_id = ?", (cid,))
            if rows:
                out[cid] = _row_state(rows[0])
        return out

    def papers_added(self) -> dict[str, str]:
        """When each paper was first seen (ISO time), for "most recently added"."""
        return {
            r[0]: r[1]
            for r in self.query("SELECT paper_key, min(added) FROM cards GROUP BY paper_key")
        }

    def retired_cards(self) -> list[tuple[str, str, str, str, int | None]]:
        """Cards whose rows left the notes: (card id, kind, paper key, title, year)."""
        return [
            tuple(r)
            for r in self.query(
                "SELECT c.card_id, c.kind, c.paper_key, coalesce(p.title, c.paper_key), p.year "
                "FROM cards c LEFT JOIN papers p USING (paper_key) WHERE c.retired = 1"
            )
        ]

    def state(self, cid: str) -> CardState:
        rows = self.query(f"SELECT {_STATE_COLS} FROM cards WHERE card_id = ?", (cid,))
        if not rows:
            raise KeyError(cid)
        return _row_state(rows[0])

    def record_answer(
        self,
        cid: str,
        quality: int,
        *,
        now: datetime,
        today: date,
        duration_ms: int = 0,
        repeat: bool = False,
        leech_threshold: int = 8,
    ) -> Answer:
        """One answer, one transaction. A same-day ``repeat`` is logged but leaves SM-2 alone."""
        if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
            raise ValueError(f"quality must be 0-5, not {quality!r}")
        with self.transaction() as c:
            row = c.execute(
                f"SELECT cid, {_STATE_COLS} FROM cards WHERE card_id = ?", (cid,)
            ).fetchone()
            if row is None:
                raise KeyError(cid)
            before = _row_state(row[1:])
            after = before
            if not repeat:
                lapses = before.lapses + (quality < PASSING)
                leech = before.leech or (quality < PASSING and lapses >= leech_threshold > 0)
                after = CardState(
                    sm2=review(before.sm2, quality, today),
                    lapses=lapses,
                    suspended=before.suspended or leech,
                    leech=leech,
                    buried_until=before.buried_until,
                    retired=before.retired,
                )
                s = after.sm2
                c.execute(
                    "UPDATE cards SET repetitions=?, easiness=?, interval=?, due=?, lapses=?, "
                    "suspended=?, leech=? WHERE cid=?",
                    (
                        s.repetitions,
                        s.easiness,
                        s.interval,
                        s.due.isoformat() if s.due else None,
                        after.lapses,
                        int(after.suspended),
                        int(after.leech),
                        row[0],
                    ),
                )
            cur = c.execute(
                "INSERT INTO reviews (cid, at, day, quality, duration_ms, repeat, was_new, before, after)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    row[0],
                    now.isoformat(timespec="milliseconds"),
                    today.isoformat(),
                    quality,
                    max(0, int(duration_ms)),
                    int(repeat),
                    int(before.sm2.is_new and not repeat),
                    _state_text(before),
                    _state_text(after),
                ),
            )
            rid = cur.lastrowid
            assert rid is not None
        return Answer(rid, cid, quality, before, after, repeat)

    def undo(self, review_id: int) -> str | None:
        """Remove answer ``review_id`` if it is its card's last, and restore the state before it."""
        with self.transaction() as c:
            row = c.execute(
                "SELECT r.cid, r.before, c.card_id, c.retired FROM reviews r "
                "JOIN cards c USING (cid) WHERE r.id = ?",
                (review_id,),
            ).fetchone()
            if row is None:
                return None
            later = c.execute(
                "SELECT 1 FROM reviews WHERE cid = ? AND id > ?", (row[0], review_id)
            ).fetchone()
            if later:
                return None
            s = _parse_state(row[1])
            c.execute(
                "UPDATE cards SET repetitions=?, easiness=?, interval=?, due=?, lapses=?, "
                "suspended=?, leech=? WHERE cid=?",
                (
                    s.sm2.repetitions,
                    s.sm2.easiness,
                    s.sm2.interval,
                    s.sm2.due.isoformat() if s.sm2.due else None,
                    s.lapses,
                    int(s.suspended),
                    int(s.leech),
                    row[0],
                ),
            )
            c.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
        return str(row[2])

    def set_suspended(self, cid: str, suspended: bool) -> None:
        with self.transaction() as c:
            c.execute("UPDATE cards SET suspended = ? WHERE card_id = ?", (int(suspended), cid))

    def bury(self, cid: str, until: date | None) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE cards SET buried_until = ? WHERE card_id = ?",
                (until.isoformat() if until else None, cid),
            )

    def send_to_review(self, cids: Sequence[str], day: date) -> int:
        """Make cards due on ``day`` (no earlier than they already are); used by the quiz."""
        with self.transaction() as c:
            n = 0
            for cid in cids:
                n += c.execute(
                    "UPDATE cards SET due = ? WHERE card_id = ? AND (due IS NULL OR due > ?)",
                    (day.isoformat(), cid, day.isoformat()),
                ).rowcount
        return n

    # -- logs ------------------------------------------------------------------------
    def reviews(self, since: date | None = None, cid: str | None = None) -> list[ReviewRow]:
        sql = (
            "SELECT c.card_id, c.paper_key, c.kind, r.at, r.day, r.quality, r.duration_ms, "
            "r.repeat, r.was_new FROM reviews r JOIN cards c USING (cid)"
        )
        where, params = [], []
        if since is not None:
            where.append("r.day >= ?")
            params.append(since.isoformat())
        if cid is not None:
            where.append("c.card_id = ?")
            params.append(cid)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [
            ReviewRow(
                r[0],
                r[1],
                r[2],
                datetime.fromisoformat(r[3]),
                date.fromisoformat(r[4]),
                r[5],
                r[6],
                bool(r[7]),
                bool(r[8]),
            )
            for r in self.query(sql + " ORDER BY r.id", params)
        ]

    def review_count(self) -> int:
        return int(self.query("SELECT count(*) FROM reviews")[0][0])

    def log_quiz(
        self, quiz: str, rows: Sequence[tuple[str, str, str, bool, float]], now: datetime
    ) -> None:
        at = now.isoformat(timespec="seconds")
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO quiz_log (quiz, at, card_id, paper_key, question_kind, correct, seconds)"
                " VALUES (?,?,?,?,?,?,?)",
                [(quiz, at, cid, pk, qk, int(ok), secs) for cid, pk, qk, ok, secs in rows],
            )

    def quiz_results(self) -> list[tuple[str, str, bool]]:
        return [
            (r[0], r[1], bool(r[2]))
            for r in self.query("SELECT quiz, paper_key, correct FROM quiz_log ORDER BY id")
        ]


def _retry_locked(fn: Callable[[], T], seconds: float = 30.0) -> T:
    """Run ``fn``, retrying while another process holds the lock. SQLite does not call its
    busy handler for every lock (switching a new file to WAL while a second studydeck opens
    it, say), so those come back as "database is locked" at once."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _paper_values(p: Paper) -> tuple[Any, ...]:
    return (p.key, p.title, p.url, p.year, "\n".join(f.src for f in p.figures), p.source)


def _match_rename(paper: Paper, missing: dict[str, Any]) -> str | None:
    """The stored paper this new row most likely renames: same link, same figure, or
    same year and a near-identical title."""
    if paper.url:
        url = normalise_url(paper.url)
        for k, r in missing.items():
            if r[2] and normalise_url(r[2]) == url:
                return k
    srcs = {f.src for f in paper.figures}
    if srcs:
        for k, r in missing.items():
            if r[4] and srcs & set(r[4].split("\n")):
                return k
    for k, r in missing.items():
        if r[3] == paper.year and similar_titles(r[1], paper.title):
            return k
    return None


def _open_error(path: Path, exc: sqlite3.Error) -> StudydeckError:
    msg = str(exc)
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return StudydeckError(
            "not a studydeck database, or it is corrupt; it was left untouched",
            path=path,
            hint="restore it from a backup or pass another --db",
        )
    if "unable to open" in msg or "readonly" in msg or "read-only" in msg:
        return StudydeckError(
            "cannot open the database for writing (read-only folder or file?)",
            path=path,
            hint="use --db PATH somewhere writable",
        )
    return StudydeckError(f"database error: {msg}", path=path)


def _write_error(path: Path, exc: sqlite3.OperationalError) -> StudydeckError:
    if "locked" in str(exc) or "busy" in str(exc):
        return StudydeckError(
            "the database stayed locked by another program; this change was not saved",
            path=path,
            hint="close the other studydeck and try again",
        )
    return _open_error(path, exc)
