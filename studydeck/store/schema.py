"""The store's schema: one function per migration, ``PRAGMA user_version`` counts them.

``MIGRATIONS[v]`` takes a store from version ``v`` to ``v + 1``; it runs inside the
transaction that also bumps ``user_version``, so a migration happens whole or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

APPLICATION_ID = 0x53544459  # "STDY"


def _script(c: sqlite3.Connection, sql: str) -> None:
    # executescript() would COMMIT the caller's transaction; run statement by statement.
    for stmt in sql.split(";"):
        if stmt.strip():
            c.execute(stmt)


def v1_initial(c: sqlite3.Connection) -> None:
    """Papers, cards with their SM-2 state, the review log, the deck cache, the quiz log."""
    _script(
        c,
        """
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
        )
        """,
    )


def v2_corrections(c: sqlite3.Connection) -> None:
    """The user's corrections of the critique classifier (the ``m`` key).

    Keyed by the paper's key and the normalised statement text, so an edit elsewhere in
    the row leaves a correction in place; ``kind`` is the card the statement belongs on.
    """
    _script(
        c,
        """
        CREATE TABLE corrections (
            paper_key TEXT NOT NULL,
            statement TEXT NOT NULL,
            kind      TEXT NOT NULL,
            at        TEXT NOT NULL,
            PRIMARY KEY (paper_key, statement)
        )
        """,
    )


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: v1_initial, 1: v2_corrections}
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(c: sqlite3.Connection, version: int) -> int:
    """Run every migration from ``version`` on; the caller holds the transaction."""
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](c)
        version += 1
    c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    c.execute(f"PRAGMA user_version = {version}")
    return version
