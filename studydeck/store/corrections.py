"""The user's corrections of the critique classifier: which card a statement belongs on.

Carding reads them as an input (:data:`studydeck.carding.Corrections`); the store
only keeps them. Undo is deleting the row: the classifier decides again.

Each correction is also a ``correct`` event in the log (the key of the card the statement
moves to, the normalised statement as its value), so it travels to the other devices like
an answer; moving a statement back is an ``undo`` line naming the corrections it cancels.
After a sync brings any, :meth:`CorrectionLog.replay_corrections` makes the table agree with
the log: for each statement of a paper the latest correction not undone wins, whatever the
device.
"""

from __future__ import annotations

from datetime import UTC, datetime

from studydeck.identity import card_id
from studydeck.models import CardKind
from studydeck.replay import Event
from studydeck.store.events import EventLog, insert_event
from studydeck.store.schema import new_event_id, utc_text


class CorrectionLog(EventLog):
    def corrections(self) -> dict[tuple[str, str], CardKind]:
        return {
            (r["paper_key"], r["statement"]): CardKind(r["kind"])
            for r in self.query("SELECT paper_key, statement, kind FROM corrections")
        }

    def correct(self, paper_key: str, statement: str, kind: CardKind, now: datetime) -> None:
        """Remember that ``statement`` (normalised) of the paper belongs on the ``kind`` card."""
        e = _event(now, "correct", card_id(paper_key, kind), statement)
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO corrections (paper_key, statement, kind, at) "
                "VALUES (?, ?, ?, ?)",
                (paper_key, statement, kind.value, now.isoformat(timespec="seconds")),
            )
            insert_event(c, e)
        self._journal(e)

    def uncorrect(self, paper_key: str, statement: str, now: datetime | None = None) -> bool:
        """Forget a correction; True when there was one. Every logged correction of the
        statement still standing gets an ``undo`` line (one made on another device too)."""
        at = now or datetime.now(UTC)
        keys = [card_id(paper_key, k) for k in CardKind]
        with self.transaction() as c:
            cur = c.execute(
                "DELETE FROM corrections WHERE paper_key = ? AND statement = ?",
                (paper_key, statement),
            )
            standing = c.execute(
                "SELECT id, card_key FROM events WHERE kind = 'correct' AND value = ? "
                f"AND card_key IN ({','.join('?' * len(keys))}) "
                "AND id NOT IN (SELECT value FROM events WHERE kind = 'undo') ORDER BY at, id",
                (statement, *keys),
            ).fetchall()
            undos = [_event(at, "undo", r["card_key"], r["id"]) for r in standing]
            for e in undos:
                insert_event(c, e)
        for e in undos:
            self._journal(e)
        return cur.rowcount > 0

    def replay_corrections(self) -> int:
        """Make the table agree with the logged corrections (after a sync); returns how many
        statements changed. Corrections never logged (made before sync existed) stay; those
        of papers these notes do not have wait in the log."""
        with self.transaction() as c:
            papers = {
                card_id(key, kind): (key, kind)
                for (key,) in c.execute("SELECT paper_key FROM papers")
                for kind in CardKind
            }
            latest: dict[tuple[str, str], tuple[CardKind, str] | None] = {}
            rows = c.execute(
                "SELECT id, at, card_key, value, id IN (SELECT value FROM events "
                "WHERE kind = 'undo') AS undone FROM events WHERE kind = 'correct' ORDER BY at, id"
            ).fetchall()
            for r in rows:
                hit = papers.get(r["card_key"])
                if hit is None:
                    continue
                pair = (hit[0], r["value"])
                if not r["undone"]:
                    latest[pair] = (hit[1], r["at"])
                else:
                    latest.setdefault(pair, None)
            have = self.corrections()
            changed = 0
            for (key, statement), won in latest.items():
                if won is None:
                    if (key, statement) in have:
                        c.execute(
                            "DELETE FROM corrections WHERE paper_key = ? AND statement = ?",
                            (key, statement),
                        )
                        changed += 1
                elif have.get((key, statement)) is not won[0]:
                    c.execute(
                        "INSERT OR REPLACE INTO corrections (paper_key, statement, kind, at) "
                        "VALUES (?, ?, ?, ?)",
                        (key, statement, won[0].value, won[1]),
                    )
                    changed += 1
        return changed


def _event(at: datetime, kind: str, key: str, value: str) -> Event:
    return Event(
        new_event_id(), utc_text(at), at.astimezone().date().isoformat(), kind, key, value=value
    )
