"""What Anki needs from the store: GUIDs, when each note's content last changed, the note
type's time, and which Anki reviews were already pulled (with the replay they cause)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from studydeck.scheduling import CardState, Sm2State, answer
from studydeck.store.base import StoreBase
from studydeck.store.states import state_text, write_state


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


class AnkiState(StoreBase):
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

    def pulled_revlog_ids(self) -> set[int]:
        return {int(r["revlog_id"]) for r in self.query("SELECT revlog_id FROM anki_pulled")}

    def add_pulled_reviews(
        self, pulled: Sequence[PulledReview], *, leech_threshold: int = 8
    ) -> int:
        """Add Anki's answers to the review log and replay SM-2 for the cards they touch.

        A review already in the log (same card, same millisecond, same grade: it was given
        here and reached Anki, or was pulled before under another id) counts once. The whole pull is
        one transaction. Returns the number of reviews added.
        """
        added = 0
        with self.transaction() as c:
            done = {int(r[0]) for r in c.execute("SELECT revlog_id FROM anki_pulled")}
            touched: set[int] = set()
            for rv in sorted(pulled, key=lambda r: (r.at, r.revlog_id)):
                if rv.revlog_id in done:
                    continue
                row = c.execute("SELECT cid FROM cards WHERE card_id = ?", (rv.card_id,)).fetchone()
                if row is None:
                    continue
                cid = row["cid"]
                at = rv.at.isoformat(timespec="milliseconds")
                same = c.execute(  # to the millisecond, as both sides stamp answers
                    "SELECT id FROM reviews WHERE cid = ? AND quality = ? AND substr(at, 1, 23) = ?",
                    (cid, rv.quality, at[:23]),
                ).fetchone()
                review_id = same["id"] if same is not None else None
                if review_id is None:
                    cur = c.execute(
                        "INSERT INTO reviews (cid, at, day, quality, duration_ms, repeat, was_new,"
                        " before, after) VALUES (?,?,?,?,?,0,0,'','')",
                        (cid, at, rv.day.isoformat(), rv.quality, max(0, rv.duration_ms)),
                    )
                    review_id = cur.lastrowid
                    added += 1
                    touched.add(cid)
                c.execute(
                    "INSERT INTO anki_pulled (revlog_id, review_id) VALUES (?, ?)",
                    (rv.revlog_id, review_id),
                )
                done.add(rv.revlog_id)
            for cid in sorted(touched):
                _replay(c, cid, leech_threshold)
        return added


def _replay(c: sqlite3.Connection, cid: int, leech_threshold: int) -> None:
    """Rebuild a card's state from its whole log in time order, as studydeck's session
    would have: the first answer of a day is scheduled, later ones that day are repeats."""
    flags = c.execute("SELECT suspended, leech FROM cards WHERE cid = ?", (cid,)).fetchone()
    state = CardState(sm2=Sm2State())
    last_day: str | None = None
    rows: Iterable[sqlite3.Row] = c.execute(
        "SELECT id, day, quality, repeat, id IN (SELECT review_id FROM anki_pulled) AS pulled "
        "FROM reviews WHERE cid = ? ORDER BY at, id",
        (cid,),
    ).fetchall()
    for r in rows:
        # Local answers keep the session's own call; Anki's count as repeats when the card
        # was already answered that day (Anki's learning steps).
        repeat = r["day"] == last_day if r["pulled"] else bool(r["repeat"])
        before = state
        if not repeat:
            state = answer(state, r["quality"], date.fromisoformat(r["day"]), leech_threshold)
            last_day = r["day"]
        c.execute(
            "UPDATE reviews SET repeat = ?, was_new = ?, before = ?, after = ? WHERE id = ?",
            (
                int(repeat),
                int(before.sm2.is_new and not repeat),
                state_text(before),
                state_text(state),
                r["id"],
            ),
        )
    # A suspension made by hand outlives the replay; a leech stays a leech.
    manual = bool(flags["suspended"]) and not bool(flags["leech"])
    write_state(c, cid, replace(state, suspended=state.suspended or manual))
