"""The quiz log: quiz answers, kept apart from the review log (they never schedule)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from studydeck.replay import Event
from studydeck.store.events import EventLog, insert_event, quiz_value
from studydeck.store.schema import new_event_id, utc_text


class QuizLog(EventLog):
    def log_quiz(
        self, quiz: str, rows: Sequence[tuple[str, str, str, bool, float]], now: datetime
    ) -> None:
        """Quiz answers, each also a ``quiz`` event so it travels with sync."""
        at = now.isoformat(timespec="seconds")
        made = [
            Event(
                new_event_id(),
                utc_text(now),
                now.date().isoformat(),
                "quiz",
                cid,
                value=quiz_value(quiz, qk, ok, secs),
            )
            for cid, _, qk, ok, secs in rows
        ]
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO quiz_log (quiz, at, card_id, paper_key, question_kind, correct, seconds)"
                " VALUES (?,?,?,?,?,?,?)",
                [(quiz, at, cid, pk, qk, int(ok), secs) for cid, pk, qk, ok, secs in rows],
            )
            for e in made:
                insert_event(c, e)
        for e in made:
            self._journal(e)

    def quiz_results(self) -> list[tuple[str, str, bool]]:
        return [
            (r["quiz"], r["paper_key"], bool(r["correct"]))
            for r in self.query("SELECT quiz, paper_key, correct FROM quiz_log ORDER BY id")
        ]

    def quiz_misses(self) -> list[tuple[str, datetime]]:
        """(paper key, when) of every missed quiz answer, oldest first (for readiness)."""
        return [
            (r["paper_key"], datetime.fromisoformat(r["at"]))
            for r in self.query("SELECT paper_key, at FROM quiz_log WHERE NOT correct ORDER BY id")
        ]
