"""The user's corrections of the critique classifier: which card a statement belongs on.

Carding reads them as an input (:data:`studydeck.carding.Corrections`); the store
only keeps them. Undo is deleting the row: the classifier decides again.

Each correction is also a ``correct`` event in the log (the key of the card the statement
moves to, the normalised statement as its value), so it travels to the other devices like
an answer; moving a statement back to the card the classifier chose is a ``correct`` line
too, with no card kind (never a deletion). After a sync brings any,
:meth:`CorrectionLog.replay_corrections` makes the table agree with the log: for each
statement of a paper the latest line wins (by time, as answers replay), whatever device made
it and whatever the others knew then.
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
        """Forget a correction (the classifier decides again); True when there was one."""
        at = now or datetime.now(UTC)
        e = _event(at, "correct", _paper_prefix(paper_key), statement)
        with self.transaction() as c:
            cur = c.execute(
                "DELETE FROM corrections WHERE paper_key = ? AND statement = ?",
                (paper_key, statement),
            )
            insert_event(c, e)
        self._journal(e)
        return cur.rowcount > 0

    def replay_corrections(self) -> int:
        """Make the table agree with the logged corrections (after a sync); returns how many
        statements changed. Corrections never logged (made before sync existed) stay; those
        of papers these notes do not have wait in the log."""
        with self.transaction() as c:
            papers: dict[str, tuple[str, CardKind | None]] = {}
            for (key,) in c.execute("SELECT paper_key FROM papers"):
                papers[_paper_prefix(key)] = (key, None)
                papers.update({card_id(key, kind): (key, kind) for kind in CardKind})
            latest: dict[tuple[str, str], tuple[CardKind | None, str]] = {}
            for r in c.execute(
                "SELECT at, card_key, value FROM events WHERE kind = 'correct' "
                "AND id NOT IN (SELECT value FROM events WHERE kind = 'undo') ORDER BY at, id"
            ):
                hit = papers.get(r["card_key"])
                if hit is not None:
                    latest[(hit[0], r["value"])] = (hit[1], r["at"])
            have = self.corrections()
            changed = 0
            for (key, statement), (kind, at) in latest.items():
                if have.get((key, statement)) is kind:
                    continue
                changed += 1
                if kind is None:
                    c.execute(
                        "DELETE FROM corrections WHERE paper_key = ? AND statement = ?",
                        (key, statement),
                    )
                else:
                    c.execute(
                        "INSERT OR REPLACE INTO corrections (paper_key, statement, kind, at) "
                        "VALUES (?, ?, ?, ?)",
                        (key, statement, kind.value, at),
                    )
        return changed


def _paper_prefix(paper_key: str) -> str:
    """The key of a line about the paper, not one of its cards: ``<paper key hash>/``."""
    return card_id(paper_key, CardKind.CONTRIBUTION).rpartition("/")[0] + "/"


def _event(at: datetime, kind: str, key: str, value: str) -> Event:
    return Event(
        new_event_id(), utc_text(at), at.astimezone().date().isoformat(), kind, key, value=value
    )
