"""The parsed-deck cache: one blob per deck, keyed by a fingerprint of its files."""

from __future__ import annotations

from collections.abc import Sequence

from studydeck.store.base import StoreBase


class DeckCache(StoreBase):
    def cached_deck(self, deck: str, fingerprint: str) -> bytes | None:
        rows = self.query(
            "SELECT data FROM deck_cache WHERE deck = ? AND fingerprint = ?", (deck, fingerprint)
        )
        return bytes(rows[0]["data"]) if rows else None

    def cache_fingerprint(self, deck: str) -> str | None:
        rows = self.query("SELECT fingerprint FROM deck_cache WHERE deck = ?", (deck,))
        return str(rows[0]["fingerprint"]) if rows else None

    def save_deck_cache(self, deck: str, fingerprint: str, data: bytes) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO deck_cache VALUES (?, ?, ?)", (deck, fingerprint, data)
            )

    def save_deck_cache_pieces(self, deck: str, fingerprint: str, pieces: Sequence[bytes]) -> None:
        """:meth:`save_deck_cache` of the pieces joined, written one by one into the row (a
        joined copy, and the copy SQLite makes of a bound value, would be two more of a blob
        that is ~30 MB at 50,000 papers)."""
        with self.transaction() as c:
            cur = c.execute(
                "INSERT OR REPLACE INTO deck_cache VALUES (?, ?, zeroblob(?))",
                (deck, fingerprint, sum(map(len, pieces))),
            )
            assert cur.lastrowid is not None
            with c.blobopen("deck_cache", "data", cur.lastrowid) as blob:
                for piece in pieces:
                    blob.write(piece)

    def refingerprint_deck_cache(self, deck: str, fingerprint: str) -> None:
        """A new fingerprint for the same data (files touched but unchanged)."""
        with self.transaction() as c:
            c.execute("UPDATE deck_cache SET fingerprint = ? WHERE deck = ?", (fingerprint, deck))

    def cached_decks_under(self, name: str) -> dict[str, bytes]:
        """The row ``name`` and the rows named ``name + "\\x00" + anything`` (a file's
        pieces), by name."""
        rows = self.query(
            "SELECT deck, data FROM deck_cache WHERE deck = ? OR (deck > ? AND deck < ?)",
            (name, name + "\x00", name + "\x01"),
        )
        return {str(r[0]): bytes(r[1]) for r in rows}

    def save_deck_caches(
        self, fingerprint: str, rows: Sequence[tuple[str, bytes]], drop: Sequence[str]
    ) -> None:
        """Write these rows and drop those named, in one transaction."""
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO deck_cache VALUES (?, ?, ?)",
                [(name, fingerprint, data) for name, data in rows],
            )
            c.executemany("DELETE FROM deck_cache WHERE deck = ?", [(n,) for n in drop])

    def deck_cache_names(self, prefix: str) -> list[str]:
        rows = self.query(
            "SELECT deck FROM deck_cache WHERE substr(deck, 1, ?) = ?", (len(prefix), prefix)
        )
        return [str(r[0]) for r in rows]

    def drop_deck_caches(self, names: Sequence[str]) -> None:
        if names:
            with self.transaction() as c:
                c.executemany("DELETE FROM deck_cache WHERE deck = ?", [(n,) for n in names])
