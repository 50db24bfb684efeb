"""Reading the review log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from studydeck.store.base import StoreBase


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


class ReviewLog(StoreBase):
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
                card_id=r["card_id"],
                paper_key=r["paper_key"],
                kind=r["kind"],
                at=datetime.fromisoformat(r["at"]),
                day=date.fromisoformat(r["day"]),
                quality=r["quality"],
                duration_ms=r["duration_ms"],
                repeat=bool(r["repeat"]),
                was_new=bool(r["was_new"]),
            )
            # UTC text sorts in time order; ties go by event id, as replay orders them
            for r in self.query(sql + " ORDER BY r.at, r.event_id", params)
        ]

    def answer_times(self) -> Iterator[tuple[str, str, int, int]]:
        """(card id, UTC time, grade, duration in ms) of every answer, same-day repeats
        included, in time order; read a batch at a time as it is consumed, so a log of a
        million answers is never in memory at once (``studydeck log --csv``)."""
        cur = self._conn.cursor()
        cur.row_factory = None
        cur.execute(
            "SELECT c.card_id, r.at, r.quality, r.duration_ms FROM reviews r "
            "JOIN cards c USING (cid) ORDER BY r.at, r.event_id"
        )
        try:
            while batch := cur.fetchmany(5000):
                yield from batch
        finally:
            cur.close()

    def answers_by_day_and_grade(self) -> list[tuple[date, int, int]]:
        """(day, grade, how many answers), from the running totals (schema v5)."""
        rows = self.tuples("SELECT day, quality, n FROM review_days ORDER BY day")
        return [(date.fromisoformat(day), quality, n) for day, quality, n in rows]

    def review_count(self) -> int:
        return int(self.query("SELECT count(*) AS n FROM reviews")[0]["n"])
