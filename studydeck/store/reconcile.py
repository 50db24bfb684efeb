"""Bringing the store in line with the notes: new cards, renames, retired and restored rows."""

from __future__ import annotations

import json
import marshal
import os
import sqlite3
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from studydeck import digests
from studydeck.identity import (
    StoredPaper,
    anki_guid,
    card_id,
    key_guid,
    match_renames,
    new_paper_id,
)
from studydeck.models import Card, CardKind, Paper
from studydeck.store.base import StoreBase

#: Per paper key: a digest of its values as the papers table holds them and of its card ids.
Signature = dict[str, bytes]


@dataclass
class ReconcileReport:
    renamed: int = 0
    token: str = ""
    """Names this reconcile: a :class:`Known` taken from its deck is trusted while no other
    reconcile has run since."""
    signature: Signature = field(default_factory=dict)
    """The reconciled deck's :func:`signature`, for the next :class:`Known`."""
    renames: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    """(title and link as stored, title and link now) of each paper recognised under a new
    key: its history, Anki note and corrections follow it, so the user may check the match."""
    made: set[str] = field(default_factory=set, repr=False)
    """The ids of the cards made new."""
    gone: set[str] = field(default_factory=set, repr=False)
    """... retired."""
    back: set[str] = field(default_factory=set, repr=False)
    """... brought back from retirement."""

    @property
    def new(self) -> int:
        return len(self.made)

    @property
    def retired(self) -> int:
        return len(self.gone)

    @property
    def restored(self) -> int:
        return len(self.back)

    def then(self, later: ReconcileReport) -> ReconcileReport:
        """This reconcile followed by ``later``, as one: what changed from before this one to
        after ``later`` (a card retired by this one and restored by ``later`` changed
        nothing, and so did one restored by this one and retired again by ``later``). Renames
        are this one's and ``later``'s; the token and signature ``later``'s."""
        made = (self.made - later.gone) | later.made
        gone = (self.gone - later.back) | (later.gone - self.made - self.back)
        back = (self.back - later.gone) | (later.back - self.gone)
        return ReconcileReport(
            renamed=self.renamed + later.renamed,
            token=later.token,
            signature=later.signature,
            renames=self.renames + later.renames,
            made=made,
            gone=gone,
            back=back,
        )

    def rename_lines(self, most: int = 5) -> list[str]:
        """A line per rename (the first ``most``, then how many more)."""
        lines = [_renamed(*r) for r in self.renames[:most]]
        if len(self.renames) > most:
            lines.append(f"and {len(self.renames) - most} more")
        return lines

    def __str__(self) -> str:
        parts = [f"{self.new} new", f"{self.renamed} renamed", f"{self.retired} retired"]
        if self.restored:
            parts.append(f"{self.restored} restored")
        return ", ".join(parts)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.renamed or self.retired or self.restored)


def _renamed(old: str, new: str, old_url: str | None, new_url: str | None) -> str:
    if old != new:
        return f'"{old}" is now "{new}"'
    link = "added" if not old_url else "removed" if not new_url else "changed"
    return f'"{new}": its link {link}'


def _paper_values(p: Paper, named: Mapping[str, str] | None = None) -> tuple[Any, ...]:
    """A paper's row in the papers table (``named``: its file's identity by the name it was
    read by, :func:`_identities`; else its file as named)."""
    figures = "\n".join([f.src for f in p.figures]) if p.figures else ""
    source = p.source if named is None else named.get(p.source, p.source)
    return (p.key, p.title, p.url, p.year, figures, source, p.section)


def file_identity(name: str) -> str:
    """A notes file as the store records it: its real absolute path, the same under any
    name it is read by (relative from another folder, absolute, through a symbolic link).
    A trial's renamed paper lost its history when one command named its file
    ``paper-reading.md`` and the next ``notes/paper-reading.md``: the store took them for two
    files. A relative name recorded by an older studydeck is read from the working folder."""
    try:
        return os.path.realpath(name)
    except (OSError, ValueError):
        return name


def _identities(names: Iterable[str]) -> dict[str, str]:
    """:func:`file_identity` of each distinct name (a deck names a few files; its papers
    name them 50,000 times)."""
    return {n: file_identity(n) for n in set(names)}


def _rename_files(c: sqlite3.Connection, identity: Mapping[str, str]) -> None:
    """Record the papers of these files (by a name another command read them by) under
    their identity, retired ones too, so that the retired cards of a deck's files are found
    by the files' identities."""
    c.executemany(
        "UPDATE papers SET source = ? WHERE source = ?",
        [(new, old) for old, new in identity.items() if new != old],
    )


_COLS = "paper_key, title, url, year, figures, source, section"
#: The deck_cache row holding the token of the last reconcile (by any deck, any process).
_MARK = "\x00reconciled"


def signature(papers: Sequence[Paper], cards: Sequence[Card]) -> Signature:
    """What a reconcile of this deck leaves in the store, per paper (see :class:`Known`): a
    64-bit digest, so the next open reads a few bytes per paper, not the deck again."""
    ids: dict[str, list[str]] = {}
    for card in cards:
        key = card.paper.key
        if key in ids:
            ids[key].append(card.id)
        else:
            ids[key] = [card.id]
    return _signed(map(_paper_values, papers), ids)


def row_signature(
    rows: Sequence[Sequence[Any]],
    card_rows: Sequence[Sequence[Any]],
    fields: Sequence[str],
    start: int = 0,
    known: Sequence[bytes | None] | None = None,
) -> Signature:
    """:func:`signature` of the deck whose papers are ``rows`` (values in the order of
    ``fields``, figures as (src, alt) pairs) and whose cards are ``card_rows`` (paper index,
    card id, ...): the deck cache's rows, signed without a Paper or Card built. The cards'
    paper indices count from ``start`` (the rows are one file's, ``start`` its first).
    ``known``: per row, its signature when the caller knows it (a row whose values and
    card ids are those of a row signed before), else None."""
    key, title, url, year, figs, source, section = (
        fields.index(n) for n in ("key", "title", "url", "year", "figures", "source", "section")
    )

    def values(r: Sequence[Any]) -> tuple[Any, ...]:
        return (
            r[key],
            r[title],
            r[url],
            r[year],
            "\n".join([f[0] for f in r[figs]]) if r[figs] else "",
            r[source],
            r[section],
        )

    out: Signature
    if known is not None:
        # Only the rows not known are signed, each with its cards found by their paper
        # index (card rows are in paper order).
        need = [j for j, sig in enumerate(known) if sig is None]
        at = [c[0] for c in card_rows] if need else []
        made: dict[int, bytes] = {}
        for j in need:
            lo = bisect_left(at, j + start)
            hi = bisect_right(at, j + start, lo)
            made[j] = _sign(values(rows[j]), [c[1] for c in card_rows[lo:hi]] or None)
        return {
            r[key]: made[j] if sig is None else sig
            for j, (r, sig) in enumerate(zip(rows, known, strict=True))
        }
    # (what :func:`_signed` does, in one pass over the rows: ~35 % quicker at 10,000 papers)
    ids: list[list[str] | None] = [None] * len(rows)
    for card in card_rows:
        have = ids[card[0] - start]
        if have is None:
            ids[card[0] - start] = [card[1]]
        else:
            have.append(card[1])
    out = {}
    for r, i in zip(rows, ids, strict=True):
        v = values(r)
        out[v[0]] = _sign(v, i)
    return out


def _signed(values: Iterable[tuple[Any, ...]], ids: Mapping[str, list[str]]) -> Signature:
    """Per paper (its values as :func:`_paper_values` gives them, key first), the digest of
    its values and its card ids."""
    get = ids.get
    return {v[0]: _sign(v, get(v[0])) for v in values}


def _sign(values: tuple[Any, ...], ids: list[str] | None) -> bytes:
    """A paper's signature: the digest of its values and its card ids (None: no card)."""
    # marshal's format 2: values only. Formats 3 and up mark an object they may meet again
    # (a string another paper shares) by its reference count, so an unchanged paper could
    # sign otherwise from one open to the next, and be read and written again for nothing.
    return digests.blake2b(marshal.dumps((values, ids), 2), digest_size=8).digest()


@dataclass(frozen=True)
class Known:
    """The deck the store was last reconciled with (kept beside the deck cache), and that
    reconcile's token. Given one whose token is still the store's last, a reconcile reads and
    writes only the papers whose values or cards differ from it, and those gone: the rest are
    in the store exactly as it says."""

    token: str
    sources: tuple[str, ...]
    papers: Mapping[str, bytes]


def _stored(r: sqlite3.Row) -> StoredPaper:
    figures = frozenset(r["figures"].split("\n")) if r["figures"] else frozenset()
    return StoredPaper(r["paper_key"], r["title"], r["url"], r["year"], figures, r["section"])


class Reconciler(StoreBase):
    def reconcile(
        self,
        papers: Sequence[Paper],
        cards: Sequence[Card],
        sources: Sequence[str],
        now: datetime,
        known: Known | None = None,
    ) -> ReconcileReport:
        """Bring the store in line with the notes; history follows papers through renames.

        Retiring is scoped to ``sources``: papers of other notes files are left alone.
        ``known``: the deck of the last reconcile, when the caller kept it (see there).
        """

        def select(keys: set[str] | None) -> tuple[Sequence[Paper], Sequence[Card]]:
            if keys is None:
                return papers, cards
            return [p for p in papers if p.key in keys], [c for c in cards if c.paper.key in keys]

        return self.reconcile_signed(signature(papers, cards), select, sources, now, known)

    def reconcile_signed(
        self,
        signed: Signature,
        select: Callable[[set[str] | None], tuple[Sequence[Paper], Sequence[Card]]],
        sources: Sequence[str],
        now: datetime,
        known: Known | None = None,
    ) -> ReconcileReport:
        """:meth:`reconcile` of the deck whose :func:`signature` is ``signed``: ``select(keys)``
        gives its papers and cards of those keys (all for None), in deck order, so that a
        deck read from rows builds Papers and Cards only for the papers the reconcile reads."""
        report = ReconcileReport()
        stamp = now.isoformat(timespec="seconds")
        with self.transaction() as c:
            present = signed.keys()
            # Files by what they are, not by the name they were read by this time.
            named = _identities(sources)
            source_set = set(named.values())
            report.signature = signed
            touched = _touched(c, signed, sources, known)
            card_args: tuple[str, ...] = ()
            papers, cards = select(touched)
            if touched is None:  # everything
                rows = c.execute(f"SELECT {_COLS}, retired FROM papers ORDER BY rowid")
                card_rows = "SELECT card_id, retired, paper_key FROM cards"
            else:
                keys = json.dumps(sorted(touched))
                rows = c.execute(
                    f"SELECT {_COLS}, retired FROM papers WHERE retired = 1 OR paper_key IN "
                    "(SELECT value FROM json_each(?)) ORDER BY rowid",
                    (keys,),
                )
            stored = {r["paper_key"]: r for r in rows}
            file_of = _identities({r["source"] for r in stored.values()})
            _rename_files(c, {old: file_of[old] for old in file_of if file_of[old] in source_set})
            missing = {
                k: _stored(r)
                for k, r in stored.items()
                if k not in present and (file_of[r["source"]] in source_set or r["retired"])
            }
            guids: set[str] | None = None  # read when a paper is new
            report.renamed += _follow_reordered_duplicates(c, papers, stored)
            renames = match_renames([p for p in papers if p.key not in stored], missing)
            for paper in papers:
                values = _paper_values(paper, named)
                row = stored.get(paper.key)
                old = renames.get(paper.key) if row is None else None
                if old is not None:
                    del missing[old]
                    _rename_paper(c, old, paper.key)
                    report.renamed += 1
                    row = stored[old]
                    report.renames.append((row["title"], paper.title, row["url"], paper.url))
                if row is None:
                    pid = new_paper_id()
                    guid = key_guid(paper.key)
                    if guids is None:
                        guids = {r[0] for r in c.execute("SELECT guid FROM papers")}
                    if guid in guids:  # a renamed paper was first seen under this key
                        guid = anki_guid(pid)
                    guids.add(guid)
                    c.execute(
                        f"INSERT INTO papers ({_COLS}, retired, paper_id, guid) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                        (*values, pid, guid),
                    )
                elif row["retired"] or values[1:] != tuple(row)[1:7]:
                    c.execute(
                        "UPDATE papers SET title=?, url=?, year=?, figures=?, source=?, "
                        "section=?, retired=0 WHERE paper_key=?",
                        (*values[1:], paper.key),
                    )
            if touched is not None:  # renamed cards carry their new keys by now
                card_rows = (
                    "SELECT card_id, retired, paper_key FROM cards WHERE paper_key IN "
                    "(SELECT value FROM json_each(?))"
                )
                card_args = (keys,)
            existing = {
                r["card_id"]: (r["retired"], r["paper_key"])
                for r in c.execute(card_rows, card_args)
            }
            wanted = {card.id for card in cards}
            new_rows = [
                (card.id, card.paper.key, card.kind.value, stamp)
                for card in cards
                if card.id not in existing
            ]
            c.executemany(
                "INSERT INTO cards (card_id, paper_key, kind, added) VALUES (?,?,?,?)", new_rows
            )
            report.made = {row[0] for row in new_rows}
            report.back = {cid for cid, r in existing.items() if r[0] and cid in wanted}
            c.executemany(
                "UPDATE cards SET retired = 0 WHERE card_id = ?", [(cid,) for cid in report.back]
            )
            in_scope = {k for k, r in stored.items() if file_of[r["source"]] in source_set}
            in_scope |= present
            gone = [
                (cid,)
                for cid, r in existing.items()
                if not r[0] and cid not in wanted and r[1] in in_scope
            ]
            c.executemany("UPDATE cards SET retired = 1 WHERE card_id = ?", gone)
            report.gone = {cid for (cid,) in gone}
            c.executemany(
                "UPDATE papers SET retired = 1 WHERE paper_key = ?",
                [(k,) for k in missing if not stored[k]["retired"]],
            )
            report.token = digests.token_hex(8)
            c.execute("INSERT OR REPLACE INTO deck_cache VALUES (?, ?, x'')", (_MARK, report.token))
        return report

    def last_reconcile(self) -> str | None:
        """The token of the last reconcile of this store (by any deck, any process)."""
        row = self.query("SELECT fingerprint FROM deck_cache WHERE deck = ?", (_MARK,))
        return str(row[0][0]) if row else None

    def paper_ids(self) -> dict[str, str]:
        """Paper key -> permanent paper id (assigned once, kept through renames)."""
        return {
            r["paper_key"]: r["paper_id"]
            for r in self.query("SELECT paper_key, paper_id FROM papers")
        }

    def papers_added(self) -> dict[str, str]:
        """When each paper was first seen (ISO time), for "most recently added"."""
        return {
            r["paper_key"]: r["added"]
            for r in self.query(
                "SELECT paper_key, min(added) AS added FROM cards GROUP BY paper_key"
            )
        }

    def retired_cards(
        self, sources: Sequence[str]
    ) -> list[tuple[str, str, str, str, int | None, str, bool]]:
        """Retired cards of the notes files ``sources`` (a deck's: one store holds several
        decks, and another deck's cards are not this one's): (card id, kind, paper key,
        title, year, the paper's file, whether the paper itself left the notes, rather
        than only the card's statements)."""
        return [
            (
                r["card_id"],
                r["kind"],
                r["paper_key"],
                r["title"],
                r["year"],
                r["source"],
                bool(r["retired"]),
            )
            for r in self.query(
                "SELECT c.card_id, c.kind, c.paper_key, p.title, p.year, p.source, p.retired "
                + _RETIRED_OF,
                _files(sources),
            )
        ]

    def retired_ids(self, sources: Sequence[str]) -> set[str]:
        """The ids of the :meth:`retired_cards` the notes files ``sources`` have."""
        rows = self.query("SELECT c.card_id " + _RETIRED_OF, _files(sources))
        return {r["card_id"] for r in rows}

    def retired_count(self, sources: Sequence[str]) -> int:
        """How many :meth:`retired_cards` the notes files ``sources`` have."""
        rows = self.query("SELECT count(*) AS n " + _RETIRED_OF, _files(sources))
        return int(rows[0]["n"])


_RETIRED_OF = (
    "FROM cards c JOIN papers p USING (paper_key) WHERE c.retired = 1 "
    "AND p.source IN (SELECT value FROM json_each(?))"
)
"""The retired cards of some notes files (a deck's): one store holds several decks."""


def _files(sources: Sequence[str]) -> tuple[str]:
    """:data:`_RETIRED_OF`'s parameter: the files' identities (:func:`file_identity`)."""
    return (json.dumps(sorted(set(_identities(sources).values()))),)


def _base(key: str) -> str:
    """The key without the ``#n`` that tells repeated titles apart."""
    return key.split("#", 1)[0]


def _touched(
    c: sqlite3.Connection, now: Signature, sources: Sequence[str], known: Known | None
) -> set[str] | None:
    """The paper keys a reconcile must read and write, or None for all of them: those new,
    changed or gone since ``known``, with every key sharing a title with one of them (a
    reordered pair of repeated titles moves history between them). None unless ``known``
    is the deck the store was last reconciled with, over the same files."""
    if known is None or tuple(sources) != known.sources:
        return None
    mark = c.execute("SELECT fingerprint FROM deck_cache WHERE deck = ?", (_MARK,)).fetchone()
    if mark is None or mark[0] != known.token:
        return None
    get = known.papers.get
    changed = {k for k, v in now.items() if get(k) != v}
    changed |= known.papers.keys() - now.keys()
    bases = {_base(k) for k in changed}
    # A key is its own base unless it holds a '#' (most do not: no split for them).
    return changed | {k for k in now if (_base(k) if "#" in k else k) in bases}


def _follow_reordered_duplicates(
    c: sqlite3.Connection, papers: Sequence[Paper], stored: dict[str, sqlite3.Row]
) -> int:
    """Rows with one title (keys ``K``, ``K#2``…) that changed places: their keys follow
    the file order, so history follows the rows by the rename rules (year, figures).
    ``stored`` is updated to the new keys. Returns how many papers changed key."""
    groups: dict[str, list[Paper]] = {}
    for p in papers:
        groups.setdefault(_base(p.key), []).append(p)
    moved = 0
    for group in groups.values():
        if len(group) < 2 or any(p.key not in stored for p in group):
            continue
        olds = {p.key: _stored(stored[p.key]) for p in group}
        best = match_renames(group, olds)
        if len(best) != len(group) or all(new == old for new, old in best.items()):
            continue
        rows = {old: stored[old] for old in best.values()}
        for old in best.values():
            _rename_paper(c, old, f"{old}\x00moving")
        for new, old in best.items():
            _rename_paper(c, f"{old}\x00moving", new)
            stored[new] = rows[old]
            moved += new != old
    return moved


def _rename_paper(c: sqlite3.Connection, old: str, new: str) -> None:
    c.execute("UPDATE papers SET paper_key = ? WHERE paper_key = ?", (new, old))
    c.execute("UPDATE corrections SET paper_key = ? WHERE paper_key = ?", (new, old))
    for r in c.execute("SELECT cid, kind FROM cards WHERE paper_key = ?", (old,)).fetchall():
        c.execute(
            "UPDATE cards SET paper_key = ?, card_id = ? WHERE cid = ?",
            (new, card_id(new, CardKind(r["kind"])), r["cid"]),
        )
