"""The store's schema: one function per migration, ``PRAGMA user_version`` counts them.

``MIGRATIONS[v]`` takes a store from version ``v`` to ``v + 1``; it runs inside the
transaction that also bumps ``user_version``, so a migration happens whole or not at all.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from studydeck import digests

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


def v3_paper_ids(c: sqlite3.Connection) -> None:
    """A permanent id per paper (and the Anki GUID it had), the section it stood in, the
    hash of its Anki fields with the time they last changed, the hash last pushed into
    Anki, and what ``anki pull`` took.

    Papers already in the store keep the GUID earlier exports gave them (from the key),
    so notes already in Anki stay the same notes.
    """
    from studydeck.identity import key_guid, new_paper_id

    _script(
        c,
        """
        ALTER TABLE papers ADD COLUMN paper_id TEXT;
        ALTER TABLE papers ADD COLUMN guid TEXT;
        ALTER TABLE papers ADD COLUMN section TEXT NOT NULL DEFAULT '';
        ALTER TABLE papers ADD COLUMN content_hash TEXT;
        ALTER TABLE papers ADD COLUMN content_mod INTEGER;
        ALTER TABLE papers ADD COLUMN pushed_hash TEXT;
        CREATE TABLE anki_meta (
            name  TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE anki_pulled (
            revlog_id INTEGER PRIMARY KEY,
            review_id INTEGER
        )
        """,
    )
    for (key,) in c.execute("SELECT paper_key FROM papers").fetchall():
        c.execute(
            "UPDATE papers SET paper_id = ?, guid = ? WHERE paper_key = ?",
            (new_paper_id(), key_guid(key), key),
        )
    c.execute("CREATE UNIQUE INDEX papers_id ON papers(paper_id)")


def v4_sync_log(c: sqlite3.Connection) -> None:
    """The event log that sync writes beside the notes, FSRS memory, and the chosen scheduler.

    Every change a replay needs (answer, bury, suspend, send to review, undo) is an event with
    a unique id. Existing answers, suspensions and buryings become events here, so a replay of
    an upgraded store gives back the state it has.
    """
    _script(
        c,
        """
        ALTER TABLE cards ADD COLUMN fsrs_stability REAL;
        ALTER TABLE cards ADD COLUMN fsrs_difficulty REAL;
        ALTER TABLE cards ADD COLUMN fsrs_last_review TEXT;
        ALTER TABLE reviews ADD COLUMN event_id TEXT;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE events (
            id          TEXT PRIMARY KEY,
            at          TEXT NOT NULL,
            day         TEXT NOT NULL,
            device      TEXT,
            kind        TEXT NOT NULL,
            card_key    TEXT NOT NULL,
            quality     INTEGER,
            duration_ms INTEGER,
            repeat      INTEGER,
            value       TEXT
        );
        CREATE INDEX events_card ON events(card_key);
        CREATE TABLE key_aliases (old TEXT PRIMARY KEY, new TEXT NOT NULL);
        """,
    )
    for r in c.execute("SELECT r.id, r.at FROM reviews r ORDER BY r.id").fetchall():
        c.execute(
            "UPDATE reviews SET event_id = ?, at = ? WHERE id = ?",
            (new_event_id(), utc_text(datetime.fromisoformat(r[1])), r[0]),
        )
    c.execute(
        "INSERT INTO events (id, at, day, kind, card_key, quality, duration_ms, repeat) "
        "SELECT r.event_id, r.at, r.day, 'answer', c.card_id, r.quality, r.duration_ms, r.repeat "
        "FROM reviews r JOIN cards c USING (cid)"
    )
    now = datetime.now(UTC)
    flags = c.execute(
        "SELECT card_id, suspended, leech, buried_until FROM cards "
        "WHERE (suspended = 1 AND leech = 0) OR buried_until IS NOT NULL"
    ).fetchall()
    for card_id, suspended, leech, buried in flags:
        for kind, value in (
            ("suspend", "1" if suspended and not leech else None),
            ("bury", buried),
        ):
            if value is not None:
                c.execute(
                    "INSERT INTO events (id, at, day, kind, card_key, value) VALUES (?,?,?,?,?,?)",
                    (new_event_id(), utc_text(now), now.date().isoformat(), kind, card_id, value),
                )


def v5_review_totals(c: sqlite3.Connection) -> None:
    """Running totals of the review log, kept by triggers in the same transaction as every
    insert, delete or update of a review (answers, undo, replay, Anki pulls alike): answers
    per day and grade, and scheduled answers (not same-day repeats) per card and grade. Stats
    and home read these, never the log's rows, so they do not grow with the years. A total
    that falls to 0 is deleted, so a day with a row is a day with a review."""
    _script(
        c,
        """
        CREATE TABLE review_days (
            day     TEXT NOT NULL,
            quality INTEGER NOT NULL,
            n       INTEGER NOT NULL,
            PRIMARY KEY (day, quality)
        ) WITHOUT ROWID;
        CREATE TABLE review_cards (
            cid     INTEGER NOT NULL,
            quality INTEGER NOT NULL,
            n       INTEGER NOT NULL,
            PRIMARY KEY (cid, quality)
        ) WITHOUT ROWID;
        """,
    )
    count_review_totals(c)
    card_in = """
        INSERT INTO review_cards (cid, quality, n) SELECT NEW.cid, NEW.quality, 1
            WHERE NEW.repeat = 0 ON CONFLICT (cid, quality) DO UPDATE SET n = n + 1;
    """
    card_out = """
        UPDATE review_cards SET n = n - 1
            WHERE OLD.repeat = 0 AND cid = OLD.cid AND quality = OLD.quality;
        DELETE FROM review_cards WHERE cid = OLD.cid AND quality = OLD.quality AND n <= 0;
    """
    _day_triggers(c, card_in, card_out)


_DAY_IN = """
    INSERT INTO review_days (day, quality, n) VALUES (NEW.day, NEW.quality, 1)
        ON CONFLICT (day, quality) DO UPDATE SET n = n + 1;
"""
_DAY_OUT = """
    UPDATE review_days SET n = n - 1 WHERE day = OLD.day AND quality = OLD.quality;
    DELETE FROM review_days WHERE day = OLD.day AND quality = OLD.quality AND n <= 0;
"""


def _day_triggers(c: sqlite3.Connection, also_in: str = "", also_out: str = "") -> None:
    """The triggers that keep ``review_days`` (v5), with ``also_in``/``also_out`` run after
    their own statements (v5's ``review_cards``, which v8 dropped)."""
    count_in, count_out = _DAY_IN + also_in, _DAY_OUT + also_out
    # A trigger's body holds semicolons: one execute each, not split like _script.
    c.execute(f"CREATE TRIGGER reviews_total_in AFTER INSERT ON reviews BEGIN {count_in} END")
    c.execute(f"CREATE TRIGGER reviews_total_out AFTER DELETE ON reviews BEGIN {count_out} END")
    c.execute(
        "CREATE TRIGGER reviews_total_moved AFTER UPDATE OF cid, day, quality, repeat "
        f"ON reviews BEGIN {count_out} {count_in} END"
    )


def v6_card_totals(c: sqlite3.Connection) -> None:
    """Each card's scheduled answers (same-day repeats left out) and how many of them passed
    (graded :data:`~studydeck.scheduling.PASSING` or more), in the card's own row, kept by
    triggers like the totals of v5: stats reads them in the one scan of ``cards`` it makes
    anyway, instead of grouping ``review_cards`` (1M reviews: 0.05 s less). A change of
    ``PASSING`` needs a migration that makes these triggers again."""
    _script(
        c,
        """
        ALTER TABLE cards ADD COLUMN answered INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cards ADD COLUMN passed INTEGER NOT NULL DEFAULT 0
        """,
    )
    _count_card_totals(c)
    _card_triggers(c)


def _card_triggers(c: sqlite3.Connection) -> None:
    """The triggers that keep each card's totals (v6)."""
    passing = _passing()
    count_in = f"""
        UPDATE cards SET answered = answered + 1, passed = passed + (NEW.quality >= {passing})
            WHERE NEW.repeat = 0 AND cid = NEW.cid;
    """
    count_out = f"""
        UPDATE cards SET answered = answered - 1, passed = passed - (OLD.quality >= {passing})
            WHERE OLD.repeat = 0 AND cid = OLD.cid;
    """
    c.execute(f"CREATE TRIGGER reviews_card_in AFTER INSERT ON reviews BEGIN {count_in} END")
    c.execute(f"CREATE TRIGGER reviews_card_out AFTER DELETE ON reviews BEGIN {count_out} END")
    c.execute(
        "CREATE TRIGGER reviews_card_moved AFTER UPDATE OF cid, quality, repeat "
        f"ON reviews BEGIN {count_out} {count_in} END"
    )


def v7_plan_index(c: sqlite3.Connection) -> None:
    """An index holding what the planner and the predicted recall read of a card, in that
    order, then its id: the plan reads every card's row grouped by those fields, with each
    group's card ids (:func:`studydeck.store.states.grouped_cards`), straight from the index
    in its order -- no sort, and a few dozen rows instead of one per card (10k papers: ~3x
    faster to read). Its columns are :data:`studydeck.store.states.PLAN_COLS` and
    :data:`~studydeck.store.states.RECALL_COLS`."""
    c.execute(
        "CREATE INDEX cards_plan ON cards (due, repetitions, suspended, leech, buried_until, "
        "retired, interval, fsrs_stability, fsrs_difficulty, fsrs_last_review, card_id)"
    )


def v8_lean_reviews(c: sqlite3.Connection) -> None:
    """The review log without each answer's state texts (``before`` and ``after``), and
    without the per-card, per-grade totals (``review_cards``), which nothing read once the
    cards held their own (v6). A rebuild wrote every text again (100,000 answers: 5 MB of a
    12 MB table) and undo alone read ``before``; undo now replays the card's events, as a
    rebuild does. The table is made anew and its rows copied (SQLite before 3.35 cannot
    drop a column), keeping each row's id; its indexes and triggers are made again."""
    c.execute("DROP TABLE IF EXISTS review_cards")
    c.execute(
        """
        CREATE TABLE reviews_v8 (
            id          INTEGER PRIMARY KEY,
            cid         INTEGER NOT NULL REFERENCES cards(cid),
            at          TEXT NOT NULL,
            day         TEXT NOT NULL,
            quality     INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL,
            repeat      INTEGER NOT NULL,
            was_new     INTEGER NOT NULL,
            event_id    TEXT
        )
        """
    )
    cols = "id, cid, at, day, quality, duration_ms, repeat, was_new, event_id"
    c.execute(f"INSERT INTO reviews_v8 ({cols}) SELECT {cols} FROM reviews ORDER BY id")
    c.execute("DROP TABLE reviews")  # (its indexes and triggers with it)
    c.execute("ALTER TABLE reviews_v8 RENAME TO reviews")
    c.execute("CREATE INDEX reviews_cid ON reviews(cid)")
    c.execute("CREATE INDEX reviews_day ON reviews(day)")
    _day_triggers(c)
    _card_triggers(c)


def v9_retired_index(c: sqlite3.Connection) -> None:
    """An index of the retired cards alone (a partial index: a few rows), so a deck's
    retired count (:meth:`studydeck.store.Store.retired_count`), read with every plan, does
    not scan every card (145,000 at 50,000 papers: 16 ms a plan)."""
    c.execute("CREATE INDEX IF NOT EXISTS cards_retired ON cards(paper_key) WHERE retired = 1")


def v10_anki_sent(c: sqlite3.Connection) -> None:
    """Every version of a paper's note fields studydeck has sent to Anki (a package or a
    push), by permanent paper id, as a digest: a note whose fields are none of them was
    edited in Anki (:func:`studydeck.export.anki_sync.push` keeps such an edit), one that
    holds an older one was not (an import that did not update it, Anki's merge)."""
    c.execute(
        "CREATE TABLE IF NOT EXISTS anki_sent (paper_id TEXT NOT NULL, fields TEXT NOT NULL, "
        "PRIMARY KEY (paper_id, fields)) WITHOUT ROWID"
    )


def _passing() -> int:
    from studydeck.scheduling import PASSING  # (not needed by a store that is up to date)

    return int(PASSING)


def _count_card_totals(c: sqlite3.Connection) -> None:
    """The cards' totals (v6) counted from the review rows, written only where they differ."""
    # Read, compared and written per card (not UPDATE ... FROM: SQLite 3.33 or later).
    passing = _passing()
    now = dict.fromkeys((r[0] for r in c.execute("SELECT cid FROM cards")), (0, 0))
    for cid, n, ok in c.execute(
        "SELECT cid, count(*), sum(quality >= ?) FROM reviews NOT INDEXED WHERE repeat = 0 "
        "GROUP BY cid",
        (passing,),
    ):
        if cid in now:
            now[cid] = (n, ok)
    stale = [
        (*now[cid], cid)
        for cid, answered, passed in c.execute("SELECT cid, answered, passed FROM cards")
        if now[cid] != (answered, passed)
    ]
    c.executemany("UPDATE cards SET answered = ?, passed = ? WHERE cid = ?", stale)


def card_totals(rows: Iterable[Sequence[Any]]) -> dict[int, tuple[int, int]]:
    """What :func:`_count_card_totals` writes, from review rows in hand (cid, quality and
    repeat at 0, 3 and 5, the order of :data:`studydeck.store.rows.Row`): each card's
    scheduled answers and how many passed, by cid (a card with no rows: none). A rebuild
    that writes the whole review table writes these with the cards' states, in the one
    UPDATE per card it makes anyway (tests/test_sync_totals.py checks both counts agree)."""
    passing = _passing()
    # Counted in C (Counter) by (cid, passed), then folded per card: a third of the time of
    # a get and a tuple per row (100,000 rows).
    tally = Counter([(r[0], r[3] >= passing) for r in rows if not r[5]])
    counts: dict[int, tuple[int, int]] = {}
    get = counts.get
    for (cid, ok), n in tally.items():
        was_n, was_ok = get(cid, (0, 0))
        counts[cid] = (was_n + n, was_ok + (n if ok else 0))
    return counts


def day_totals(rows: Iterable[Sequence[Any]]) -> Counter[tuple[str, int]]:
    """What :func:`count_review_totals` writes to ``review_days``, from review rows in hand
    (day and quality at 2 and 3, the order of :data:`studydeck.store.rows.Row`): answers by
    day and grade. Counted in C, a third less time than the table's own count (100,000
    rows); tests/test_sync_totals.py checks both counts agree."""
    return Counter(map(itemgetter(2, 3), rows))


def count_review_totals(
    c: sqlite3.Connection, cards: bool = True, days: Mapping[tuple[str, int], int] | None = None
) -> None:
    """The running totals counted afresh from the review rows: at the upgrade, and after a
    bulk write made with the triggers off (100,000 rows: one count beats 100,000 upserts).
    ``NOT INDEXED``: one scan and a sort, twice as fast as walking the cid index and fetching
    each row from it. The cards' own totals too, once the store has them (v6), unless the
    caller wrote them already (``cards`` False: :func:`card_totals`); and ``review_cards``
    while a store being upgraded has it (v5 to v8). ``days``: the day totals, when the
    caller counted them from the rows it wrote, the whole table (:func:`day_totals`)."""
    c.execute("DELETE FROM review_days")
    if days is None:
        c.execute(
            "INSERT INTO review_days SELECT day, quality, count(*) FROM reviews NOT INDEXED "
            "GROUP BY day, quality"
        )
    else:
        c.executemany(
            "INSERT INTO review_days (day, quality, n) VALUES (?, ?, ?)",
            [(day, quality, n) for (day, quality), n in sorted(days.items())],
        )
    tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "review_cards" in tables:
        _script(
            c,
            """
            DELETE FROM review_cards;
            INSERT INTO review_cards SELECT cid, quality, count(*) FROM reviews NOT INDEXED
                WHERE repeat = 0 GROUP BY cid, quality
            """,
        )
    if cards and any(r[1] == "answered" for r in c.execute("PRAGMA table_info(cards)")):
        _count_card_totals(c)


_last_ns = 0


def new_event_id() -> str:
    """A unique event id that sorts in the order this process made its events, so events
    logged within one millisecond replay in the order they happened (then 64 random bits)."""
    global _last_ns
    _last_ns = max(_last_ns + 1, time.time_ns())
    return f"{_last_ns:016x}{digests.token_hex(8)}"


def utc_text(at: datetime) -> str:
    """A time as the logs keep it: UTC, milliseconds, sortable as text."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    0: v1_initial,
    1: v2_corrections,
    2: v3_paper_ids,
    3: v4_sync_log,
    4: v5_review_totals,
    5: v6_card_totals,
    6: v7_plan_index,
    7: v8_lean_reviews,
    8: v9_retired_index,
    9: v10_anki_sent,
}
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(c: sqlite3.Connection, version: int) -> int:
    """Run every migration from ``version`` on; the caller holds the transaction."""
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](c)
        version += 1
    c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    c.execute(f"PRAGMA user_version = {version}")
    return version
