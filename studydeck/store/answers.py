"""Card states and what changes them: answers (one transaction each), undo, bury, suspend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from studydeck.perf import gc_paused
from studydeck.scheduling import CardState, answer, check_quality
from studydeck.store.base import StoreBase
from studydeck.store.states import STATE_COLS, parse_state_text, row_state, state_text, write_state


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


class Answers(StoreBase):
    def states(self) -> dict[str, CardState]:
        rows = self.query(f"SELECT card_id, {STATE_COLS} FROM cards")
        with gc_paused():
            return {r["card_id"]: row_state(r) for r in rows}

    def queue_candidates(self, today: date) -> dict[str, date | None]:
        """Cards that may be studied today: due (card id -> due date) or new (-> None)."""
        d = today.isoformat()
        rows = self.query(
            "SELECT card_id, due FROM cards WHERE retired = 0 AND suspended = 0 "
            "AND (buried_until IS NULL OR buried_until <= ?) AND (due IS NULL OR due <= ?)",
            (d, d),
        )
        return {r["card_id"]: (date.fromisoformat(r["due"]) if r["due"] else None) for r in rows}

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
        """One answer, one transaction. A same-day ``repeat`` is logged but leaves SM-2 alone.

        A card already given a first answer today, by another studydeck on the same store
        since this one built its queue, is recorded as a same-day repeat whatever the caller
        says: two windows must not make a card seen once today into repetition 2. The
        returned :class:`Answer` has ``repeat`` set then; the check runs inside the write
        transaction, so two processes cannot both pass it.
        """
        check_quality(quality)
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
                after = answer(before, quality, today, leech_threshold)
                write_state(c, row["cid"], after)
            cur = c.execute(
                "INSERT INTO reviews (cid, at, day, quality, duration_ms, repeat, was_new, before, after)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    row["cid"],
                    now.isoformat(timespec="milliseconds"),
                    today.isoformat(),
                    quality,
                    max(0, int(duration_ms)),
                    int(repeat),
                    int(before.sm2.is_new and not repeat),
                    state_text(before),
                    state_text(after),
                ),
            )
            rid = cur.lastrowid
            assert rid is not None
        return Answer(rid, cid, quality, before, after, repeat)

    def new_answered_today(self, today: date) -> int:
        """New cards given their first answer on ``today`` by any process on this store: the
        new-card limit counts these, not only this window's."""
        rows = self.query(
            "SELECT COUNT(*) AS n FROM reviews WHERE day = ? AND was_new = 1", (today.isoformat(),)
        )
        return int(rows[0]["n"])

    def undo(self, review_id: int) -> str | None:
        """Remove answer ``review_id`` if it is its card's last, and restore the state before it."""
        with self.transaction() as c:
            row = c.execute(
                "SELECT r.cid, r.before, c.card_id FROM reviews r "
                "JOIN cards c USING (cid) WHERE r.id = ?",
                (review_id,),
            ).fetchone()
            if row is None:
                return None
            later = c.execute(
                "SELECT 1 FROM reviews WHERE cid = ? AND id > ?", (row["cid"], review_id)
            ).fetchone()
            if later:
                return None
            write_state(c, row["cid"], parse_state_text(row["before"]))
            c.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
        return str(row["card_id"])

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
