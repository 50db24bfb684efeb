"""The parsed-deck cache: per deck, a head row keyed by a fingerprint of its files and
frame rows; beside it, per file, the rows of its parsed stretches (see incremental.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from studydeck.store.base import StoreBase

if TYPE_CHECKING:
    import sqlite3

#: A deck's frame rows are named by the deck's row, this, and their number.
_FRAME = "\x00frame "


#: ... and its files' facts rows (see ``studydeck.segments``) by this and their number.
_FACTS = "\x00facts "


def _frame_range(deck: str, kind: str = _FRAME) -> tuple[str, str]:
    """Bounds (exclusive) of the names of ``deck``'s frame rows (facts rows): no other row's
    name lies between them (a file's block rows have a NUL and a hex digest after their
    file's row name, the reconcile mark is a NUL and ``reconciled``)."""
    return deck + kind, deck + kind[:-1] + "!"


def frame_name(deck: str, n: int) -> str:
    """The name of ``deck``'s ``n``-th frame row."""
    return f"{deck}{_FRAME}{n:08d}"


def facts_name(deck: str, n: int) -> str:
    """The name of ``deck``'s ``n``-th facts row."""
    return f"{deck}{_FACTS}{n:08d}"


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

    def save_deck_frames(
        self,
        deck: str,
        fingerprint: str,
        head: Callable[[list[str]], bytes],
        frames: Iterable[tuple[str, Callable[[], bytes]]],
        *,
        reuse: bool = True,
        facts: Sequence[tuple[str, Callable[[], bytes]]] = (),
    ) -> None:
        """A row per frame, each written as it comes (at 50,000 papers a deck is ~30 MB: one
        blob of it, and the copy SQLite makes of a bound value, are a large part of the TUI's
        peak memory), then the row ``deck`` holding ``head(fingerprints of the frames)``. A
        frame is its fingerprint (a digest of its rows) and what makes its bytes: one whose
        fingerprint is already stored in its place is not made or written again (after a
        one-row edit, most of a deck's frames), unless ``reuse`` is false (the stored ones
        were found damaged). ``facts``: the rows beside the frames that only an edit reads
        (fingerprint, what makes its bytes), written the same way."""
        with self.transaction() as c:
            sums = _write_rows(c, deck, _FRAME, frames, reuse)
            _write_rows(c, deck, _FACTS, facts, reuse)
            c.execute(
                "INSERT OR REPLACE INTO deck_cache VALUES (?, ?, ?)",
                (deck, fingerprint, head(sums)),
            )

    def deck_rows(self, names: Sequence[str]) -> dict[str, tuple[str, bytes]]:
        """The rows named (fingerprint, data) that exist, by name."""
        out: dict[str, tuple[str, bytes]] = {}
        for at in range(0, len(names), 500):  # (SQLite's bound on a statement's variables)
            part = names[at : at + 500]
            marks = ",".join("?" * len(part))
            for n, t, d in self.tuples(
                f"SELECT deck, fingerprint, data FROM deck_cache WHERE deck IN ({marks})", part
            ):
                out[str(n)] = (str(t), bytes(d))
        return out

    def deck_frames(self, deck: str) -> list[tuple[str, bytes]]:
        """The frame rows of ``deck`` (fingerprint, data), in order."""
        low, high = _frame_range(deck)
        return [
            (str(t), bytes(d))
            for t, d in self.tuples(
                "SELECT fingerprint, data FROM deck_cache WHERE deck > ? AND deck < ? "
                "ORDER BY deck",
                (low, high),
            )
        ]

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


def _write_rows(
    c: sqlite3.Connection,
    deck: str,
    kind: str,
    rows: Iterable[tuple[str, Callable[[], bytes]]],
    reuse: bool,
) -> list[str]:
    """Write ``deck``'s rows of this kind in order (a row already stored under its
    fingerprint in its place is left as it is, unless not ``reuse``), drop those past the
    last; the fingerprints, in order."""
    low, high = _frame_range(deck, kind)
    if not reuse:
        c.execute("DELETE FROM deck_cache WHERE deck > ? AND deck < ?", (low, high))
    have = {
        str(n): str(f)
        for n, f in c.execute(
            "SELECT deck, fingerprint FROM deck_cache WHERE deck > ? AND deck < ?", (low, high)
        )
    }
    sums: list[str] = []
    for n, (digest, data) in enumerate(rows):
        name = f"{low}{n:08d}"
        sums.append(digest)
        if have.pop(name, None) != digest:
            c.execute("INSERT OR REPLACE INTO deck_cache VALUES (?, ?, ?)", (name, digest, data()))
    c.executemany("DELETE FROM deck_cache WHERE deck = ?", [(n,) for n in have])
    return sums
