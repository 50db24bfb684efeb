"""Opening a store, its transactions, and the one-line errors a damaged file gives.

* WAL, and every write is one ``BEGIN IMMEDIATE`` transaction, so two studydeck
  processes on one store never lose each other's work.
* A file that is not ours, is corrupt, or is from a newer studydeck is refused
  with one line and never written to.
* A COMMIT that fails (a full disk) has already been rolled back by SQLite; the
  caller gets one :class:`StudydeckError` saying the change was not saved.
"""

from __future__ import annotations

import copy
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

from studydeck.errors import StudydeckError
from studydeck.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrate

T = TypeVar("T")


class StoreBase:
    """An open store file. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self.busy_timeout = 30.0

    @classmethod
    def open(cls, path: Path, *, busy_timeout: float = 30.0) -> Self:
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
            raise open_error(path, exc) from exc
        conn.row_factory = sqlite3.Row
        store = cls(conn, path)
        store.busy_timeout = busy_timeout
        try:
            store._check_and_migrate(existed)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise open_error(path, exc) from exc
        except StudydeckError:
            conn.close()
            raise
        return store

    def reading(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(store, *args, **kwargs)`` with this store on a read-only connection of its
        own, opened and closed in the calling thread: what a screen's worker thread runs. One
        connection is never shared with a thread while the UI writes on it: a read inside
        the UI's open transaction would see a change that a rollback then undoes. (WAL: the
        reader sees the last commit, beside the writer.)"""
        conn = sqlite3.connect(
            self.path.resolve().as_uri() + "?mode=ro",
            uri=True,
            timeout=self.busy_timeout,
            isolation_level=None,
        )
        conn.row_factory = sqlite3.Row
        twin = copy.copy(self)
        twin._conn = conn
        try:
            return fn(twin, *args, **kwargs)
        finally:
            conn.close()

    def _check_and_migrate(self, existed: bool) -> None:
        c = self._conn
        app_id = retry_locked(lambda: c.execute("PRAGMA application_id").fetchone()[0])
        version = retry_locked(lambda: c.execute("PRAGMA user_version").fetchone()[0])
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
        mode = retry_locked(lambda: c.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        if str(mode).lower() != "wal":
            raise StudydeckError("cannot switch the database to WAL mode", path=self.path)
        c.execute("PRAGMA synchronous = NORMAL")
        c.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            with self.transaction():
                # Another process may have migrated while we waited for the lock.
                migrate(c, c.execute("PRAGMA user_version").fetchone()[0])

    def _has_tables(self) -> bool:
        return bool(
            retry_locked(
                lambda: self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            )
        )

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def waiting_at_most(self, seconds: float) -> Iterator[None]:
        """Wait at most ``seconds`` for another writer meanwhile (then :class:`StoreLocked`),
        so a screen can give the UI back and try again instead of freezing."""
        c = self._conn
        c.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        try:
            yield
        finally:
            c.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` … ``COMMIT``; everything or nothing."""
        c = self._conn
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise write_error(self.path, exc) from exc
        try:
            yield c
        except sqlite3.DatabaseError as exc:
            _rollback(c)
            raise open_error(self.path, exc) from exc
        except BaseException:
            _rollback(c)
            raise
        try:
            c.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            # A failed COMMIT (disk full, I/O error) has usually rolled back already.
            _rollback(c)
            raise write_error(self.path, exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows by name (``row["due"]``); a damaged file is one :class:`StudydeckError`."""
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise open_error(self.path, exc) from exc

    def tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, for reads of one row per card (a ``sqlite3.Row`` each costs
        more than the work done with it)."""
        try:
            cur = self._conn.execute(sql, params)
            cur.row_factory = None
            return cur.fetchall()
        except sqlite3.DatabaseError as exc:
            raise open_error(self.path, exc) from exc


def _rollback(c: sqlite3.Connection) -> None:
    if c.in_transaction:
        c.execute("ROLLBACK")


def retry_locked(fn: Callable[[], T], seconds: float = 30.0) -> T:
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


def open_error(path: Path, exc: sqlite3.Error) -> StudydeckError:
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


class StoreLocked(StudydeckError):
    """Another program held the write lock for longer than this store waits."""


def write_error(path: Path, exc: sqlite3.Error) -> StudydeckError:
    msg = str(exc)
    if "locked" in msg or "busy" in msg:
        return StoreLocked(
            "the database stayed locked by another program; this change was not saved",
            path=path,
            hint="close the other studydeck and try again",
        )
    if "full" in msg:
        return StudydeckError(
            "the disk is full; this change was not saved",
            path=path,
            hint="free some space and try again",
        )
    return open_error(path, exc)
