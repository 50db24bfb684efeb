"""What Anki needs from the store: GUIDs, when each note's content last changed, the note
type's time, and which Anki reviews were already pulled (as events in the log)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from studydeck.perf import gc_paused
from studydeck.replay import Event
from studydeck.store.events import EventLog, insert_event
from studydeck.store.schema import utc_text


@dataclass(frozen=True, slots=True)
class PulledReview:
    """One answer from Anki's review log, mapped to a studydeck card and grade."""

    revlog_id: int
    card_id: str
    at: datetime
    day: date
    """The study day it belongs to (as a session would have counted it)."""
    quality: int
    duration_ms: int


class AnkiState(EventLog):
    def anki_guids(self) -> dict[str, str]:
        """Paper key -> the GUID of its Anki note (derived from its permanent id)."""
        return {r["paper_key"]: r["guid"] for r in self.query("SELECT paper_key, guid FROM papers")}

    def set_anki_guid(self, key: str, guid: str) -> None:
        """Adopt the GUID of a note found in Anki for this paper (a second machine's store)."""
        with self.transaction() as c:
            c.execute("UPDATE papers SET guid = ? WHERE paper_key = ?", (guid, key))

    def note_mods(self, hashes: Mapping[str, str], now: int) -> dict[str, int]:
        """Paper key -> the time its note's content last changed: ``now`` for a changed
        (or first seen) hash, the recorded time for an unchanged one."""
        out: dict[str, int] = {}
        with self.transaction() as c:
            known = {
                r["paper_key"]: (r["content_hash"], r["content_mod"])
                for r in c.execute("SELECT paper_key, content_hash, content_mod FROM papers")
            }
            changed = []
            for key, h in hashes.items():
                old = known.get(key)
                if old is not None and old[0] == h and old[1] is not None:
                    out[key] = int(old[1])
                else:
                    out[key] = now
                    if old is not None:
                        changed.append((h, now, key))
            c.executemany(
                "UPDATE papers SET content_hash = ?, content_mod = ? WHERE paper_key = ?", changed
            )
        return out

    def remember_sent(self, fields: Mapping[str, str]) -> None:
        """Paper key -> the digest of the note fields just sent to Anki
        (:func:`studydeck.export.anki.fields_digest`), kept by permanent paper id."""
        with self.transaction() as c:
            c.executemany(
                "INSERT OR IGNORE INTO anki_sent (paper_id, fields) "
                "SELECT paper_id, ? FROM papers WHERE paper_key = ?",
                [(h, k) for k, h in fields.items()],
            )

    def sent_fields(self) -> dict[str, set[str]]:
        """Paper key -> the digests of every version of its note fields sent to Anki."""
        out: dict[str, set[str]] = {}
        for r in self.query(
            "SELECT p.paper_key, s.fields FROM anki_sent s JOIN papers p USING (paper_id)"
        ):
            out.setdefault(r["paper_key"], set()).add(r["fields"])
        return out

    def pushed_hashes(self) -> dict[str, str]:
        """Paper key -> the content hash last pushed into Anki from this store."""
        return {
            r["paper_key"]: r["pushed_hash"]
            for r in self.query("SELECT paper_key, pushed_hash FROM papers")
            if r["pushed_hash"]
        }

    def mark_pushed(self, hashes: Mapping[str, str]) -> None:
        with self.transaction() as c:
            c.executemany(
                "UPDATE papers SET pushed_hash = ? WHERE paper_key = ?",
                [(h, k) for k, h in hashes.items()],
            )

    def model_mod(self, model_hash: str, now: int) -> int:
        """The note type's time: ``now`` when its make-up changed since last recorded."""
        with self.transaction() as c:
            rows = dict(c.execute("SELECT name, value FROM anki_meta").fetchall())
            if rows.get("model_hash") == model_hash and "model_mod" in rows:
                return int(rows["model_mod"])
            c.executemany(
                "INSERT OR REPLACE INTO anki_meta (name, value) VALUES (?, ?)",
                [("model_hash", model_hash), ("model_mod", str(now))],
            )
        return now

    def add_pulled_reviews(
        self, pulled: Sequence[PulledReview], *, leech_threshold: int = 8
    ) -> int:
        """Add Anki's answers to the event log and rebuild the cards they touch by replay
        (:func:`studydeck.replay.replay`, the one replay), so they also travel with sync.

        A review already in the log (same card, same millisecond, same grade: it was given
        here and reached Anki, or was pulled before under another id) counts once. Anki's
        answer counts as a same-day repeat when the card was already answered that day
        (Anki's learning steps). Each pulled review's event id comes from its revlog id, so
        two machines that pull the same collection log the same event. Returns the number
        of reviews added.
        """
        del leech_threshold  # the store's policy carries it
        added = 0
        touched: set[str] = set()
        made: list[Event] = []
        # One transaction: the answers and the states they make (a rebuild that failed after
        # the answers were written left a real review in the log and never applied, and the
        # next pull took it for one already in studydeck).
        with self._writing(len(pulled)) as c:
            done = {int(r[0]) for r in c.execute("SELECT revlog_id FROM anki_pulled")}
            for rv in sorted(pulled, key=lambda r: (r.at, r.revlog_id)):
                if rv.revlog_id in done:
                    continue
                row = c.execute("SELECT cid FROM cards WHERE card_id = ?", (rv.card_id,)).fetchone()
                if row is None:
                    continue
                key = self.card_key(c, row["cid"])
                at = utc_text(rv.at)
                same = c.execute(  # to the millisecond, as both sides stamp answers
                    "SELECT id FROM events WHERE card_key = ? AND kind = 'answer' AND quality = ? "
                    "AND substr(at, 1, 23) = ?",
                    (key, rv.quality, at[:23]),
                ).fetchone()
                if same is None:
                    answered_that_day = c.execute(
                        "SELECT 1 FROM events WHERE card_key = ? AND kind = 'answer' AND day = ? "
                        "AND at < ?",
                        (key, rv.day.isoformat(), at),
                    ).fetchone()
                    e = Event(
                        f"anki-{rv.revlog_id}",
                        at,
                        rv.day.isoformat(),
                        "answer",
                        key,
                        rv.quality,
                        max(0, rv.duration_ms),
                        answered_that_day is not None,
                    )
                    if insert_event(c, e):
                        added += 1
                        touched.add(key)
                        made.append(e)
                c.execute(
                    "INSERT INTO anki_pulled (revlog_id, review_id) VALUES (?, NULL)",
                    (rv.revlog_id,),
                )
                done.add(rv.revlog_id)
            if touched:
                with gc_paused():
                    self._rebuild(c, touched)
        for e in made:
            self._journal(e)
        return added
