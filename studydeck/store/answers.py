"""Card states and what changes them: answers (one transaction each), undo, bury, suspend."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as _replace
from datetime import UTC, date, datetime
from typing import Any

from studydeck.perf import gc_paused
from studydeck.replay import Event
from studydeck.scheduling import CardState, check_quality
from studydeck.store.events import EventLog, insert_event
from studydeck.store.schema import new_event_id, utc_text
from studydeck.store.states import (
    STATE_COLS,
    CardFigures,
    row_state,
    state_of,
    write_state,
)


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


class Answers(EventLog):
    def states(self) -> dict[str, CardState]:
        """Every card's state, by id. Cards whose columns are the same share one (frozen)
        state: every new card, many a card due the same day. A screen that keeps every
        card's (browse, 126k cards) then keeps a few objects for the collector's full
        passes to walk, not 250k (a pass took 70-200 ms, while the user might type)."""
        rows = self.tuples(f"SELECT card_id, {STATE_COLS} FROM cards")
        days: dict[str, date] = {}
        made: dict[tuple[Any, ...], CardState] = {}
        out: dict[str, CardState] = {}
        with gc_paused():
            for r in rows:
                key = r[1:]  # (the row's values: a tuple, hashed as it is)
                state = made.get(key)
                if state is None:
                    state = made[key] = state_of(*key, days=days)
                out[r[0]] = state
        return out

    def card_figures(self) -> CardFigures:
        """What stats reads of every card (:class:`~studydeck.store.states.CardFigures`)."""
        return CardFigures.read(self.tuples)

    def states_of(self, cids: Sequence[str]) -> dict[str, CardState]:
        out: dict[str, CardState] = {}
        for cid in cids:
            rows = self.query(f"SELECT {STATE_COLS} FROM cards WHERE card_id = ?", (cid,))
            if rows:
                out[cid] = row_state(rows[0])
        return out

    def state(self, cid: str) -> CardState:
        rows = self.query(f"SELECT {STATE_COLS} FROM cards WHERE card_id = ?", (cid,))
        if not rows:
            raise KeyError(cid)
        return row_state(rows[0])

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
        """One answer, one transaction, through the store's scheduler (:attr:`policy`).
        A same-day ``repeat`` is logged but leaves the schedule alone.

        A card already given a first answer today, by another studydeck on the same store
        since this one built its queue, is recorded as a same-day repeat whatever the caller
        says: two windows must not make a card seen once today into repetition 2. The
        returned :class:`Answer` has ``repeat`` set then; the check runs inside the write
        transaction, so two processes cannot both pass it.
        """
        check_quality(quality)
        event = Event(
            new_event_id(),
            utc_text(now),
            today.isoformat(),
            "answer",
            "",
            quality,
            max(0, int(duration_ms)),
            repeat,
        )
        policy = _replace(self.policy, leech_threshold=leech_threshold)
        with self.transaction() as c:
            row = c.execute(
                f"SELECT cid, {STATE_COLS} FROM cards WHERE card_id = ?", (cid,)
            ).fetchone()
            if row is None:
                raise KeyError(cid)
            if not repeat:
                repeat = (
                    c.execute(
                        "SELECT 1 FROM reviews WHERE cid = ? AND day = ? AND repeat = 0 LIMIT 1",
                        (row["cid"], today.isoformat()),
                    ).fetchone()
                    is not None
                )
            before = row_state(row)
            after = before
            if not repeat:
                after = policy.answer(before, quality, now, today)
                write_state(c, row["cid"], after)
            event = event._replace(key=self.card_key(c, row["cid"]), repeat=repeat)
            insert_event(c, event)
            cur = c.execute(
                "INSERT INTO reviews (cid, at, day, quality, duration_ms, repeat, was_new, "
                "event_id) VALUES (?,?,?,?,?,?,?,?)",
                (
                    row["cid"],
                    event.at,
                    event.day,
                    quality,
                    event.duration_ms,
                    int(repeat),
                    int(before.sm2.is_new and not repeat),
                    event.id,
                ),
            )
            rid = cur.lastrowid
            assert rid is not None
        self._journal(event)
        return Answer(rid, cid, quality, before, after, repeat)

    def scheduled_today(self, today: date) -> set[str]:
        """Cards given their scheduled (not repeat) answer on ``today`` by any process."""
        rows = self.query(
            "SELECT DISTINCT c.card_id FROM reviews r JOIN cards c USING (cid) "
            "WHERE r.day = ? AND r.repeat = 0",
            (today.isoformat(),),
        )
        return {r["card_id"] for r in rows}

    def _flag_event(
        self, c: sqlite3.Connection, cid: int, kind: str, value: str, now: datetime | None
    ) -> Event:
        at = now or datetime.now(UTC)
        e = Event(
            new_event_id(),
            utc_text(at),
            at.astimezone().date().isoformat(),
            kind,
            self.card_key(c, cid),
            value=value,
        )
        insert_event(c, e)
        return e

    def undo(self, review_id: int, now: datetime | None = None) -> str | None:
        """Remove answer ``review_id`` if it is its card's last, and restore the state before it.
        The event log keeps the answer and gains an ``undo`` event naming it; the card's state
        is its events replayed without the answer (as ``sync --rebuild`` makes it), in the
        same transaction."""
        with self.transaction() as c:
            row = c.execute(
                "SELECT r.cid, r.event_id, c.card_id FROM reviews r "
                "JOIN cards c USING (cid) WHERE r.id = ?",
                (review_id,),
            ).fetchone()
            if row is None or not row["event_id"]:
                return None
            later = c.execute(
                "SELECT 1 FROM reviews WHERE cid = ? AND id > ?", (row["cid"], review_id)
            ).fetchone()
            if later:
                return None
            c.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            e = self._flag_event(c, row["cid"], "undo", row["event_id"], now)
            self._rebuild(c, (e.key,))
        self._journal(e)
        return str(row["card_id"])

    def _flag(
        self, cid: str, sql: str, value: object, kind: str, text: str, now: datetime | None
    ) -> None:
        with self.transaction() as c:
            row = c.execute("SELECT cid FROM cards WHERE card_id = ?", (cid,)).fetchone()
            if row is None:
                return
            c.execute(sql, (value, row["cid"]))
            e = self._flag_event(c, row["cid"], kind, text, now)
        self._journal(e)

    def set_suspended(self, cid: str, suspended: bool, now: datetime | None = None) -> None:
        self._flag(
            cid,
            "UPDATE cards SET suspended = ? WHERE cid = ?",
            int(suspended),
            "suspend",
            str(int(suspended)),
            now,
        )

    def bury(self, cid: str, until: date | None, now: datetime | None = None) -> None:
        day = until.isoformat() if until else None
        self._flag(
            cid, "UPDATE cards SET buried_until = ? WHERE cid = ?", day, "bury", day or "", now
        )

    def send_to_review(self, cids: Sequence[str], day: date) -> int:
        """Make cards due on ``day`` (no earlier than they already are); used by the quiz."""
        made: list[Event] = []
        with self.transaction() as c:
            n = 0
            for cid in cids:
                row = c.execute("SELECT cid FROM cards WHERE card_id = ?", (cid,)).fetchone()
                if row is None:
                    continue
                changed = c.execute(
                    "UPDATE cards SET due = ? WHERE cid = ? AND (due IS NULL OR due > ?)",
                    (day.isoformat(), row["cid"], day.isoformat()),
                ).rowcount
                if changed:
                    made.append(self._flag_event(c, row["cid"], "send", day.isoformat(), None))
                n += changed
        for e in made:
            self._journal(e)
        return n
