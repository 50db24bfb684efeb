"""The user's corrections of the critique classifier: which card a statement belongs on.

Carding reads them as an input (:data:`studydeck.carding.Corrections`); the store
only keeps them. Undo is deleting the row: the classifier decides again.
"""

from __future__ import annotations

from datetime import datetime

from studydeck.models import CardKind
from studydeck.store.base import StoreBase


class CorrectionLog(StoreBase):
    def corrections(self) -> dict[tuple[str, str], CardKind]:
        return {
            (r["paper_key"], r["statement"]): CardKind(r["kind"])
            for r in self.query("SELECT paper_key, statement, kind FROM corrections")
        }

    def correct(self, paper_key: str, statement: str, kind: CardKind, now: datetime) -> None:
        """Remember that ``statement`` (normalised) of the paper belongs on the ``kind`` card."""
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO corrections (paper_key, statement, kind, at) "
                "VALUES (?, ?, ?, ?)",
                (paper_key, statement, kind.value, now.isoformat(timespec="seconds")),
            )

    def uncorrect(self, paper_key: str, statement: str) -> bool:
        """Forget a correction; True when there was one."""
        with self.transaction() as c:
            cur = c.execute(
                "DELETE FROM corrections WHERE paper_key = ? AND statement = ?",
                (paper_key, statement),
            )
            return cur.rowcount > 0
