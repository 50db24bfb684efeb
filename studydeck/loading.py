"""Open a deck through the store: parsed-deck cache, then reconcile with the review history.

An unchanged set of notes files (same size and mtime, or same content hash) is
never parsed again: its papers and card texts come back from the store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

from studydeck.carding import QUESTIONS
from studydeck.deck import expand, parse_files
from studydeck.models import Card, CardKind, Deck, Diagnostic, Paper, trusted
from studydeck.perf import gc_paused
from studydeck.storage import ReconcileReport, Store

CACHE_FORMAT = 2


class _Cached(BaseModel):
    format: int = CACHE_FORMAT
    name: str
    papers: list[Paper]
    cards: list[tuple[int, str, CardKind, str]]
    diagnostics: list[Diagnostic]
    sources: list[str]


_adapter = TypeAdapter(_Cached)


def _stat_print(files: Sequence[Path]) -> list[list[object]]:
    out: list[list[object]] = []
    for f in files:
        st = f.stat()
        out.append([str(f.resolve()), st.st_size, st.st_mtime_ns])
    return out


def _hashes(files: Sequence[Path]) -> list[str]:
    return [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]


def _to_blob(deck: Deck) -> bytes:
    index = {p.key: i for i, p in enumerate(deck.papers)}
    cached = _Cached(
        name=deck.name,
        papers=list(deck.papers),
        cards=[(index[c.paper.key], c.id, c.kind, c.back) for c in deck.cards],
        diagnostics=list(deck.diagnostics),
        sources=list(deck.sources),
    )
    return _adapter.dump_json(cached)


def _from_blob(blob: bytes) -> Deck | None:
    try:
        cached = _adapter.validate_json(blob)
    except ValueError:
        return None
    if cached.format != CACHE_FORMAT:
        return None
    papers = cached.papers
    cards = tuple(
        trusted(
            Card,
            {
                "id": cid,
                "kind": kind,
                "paper": papers[i],
                "question": QUESTIONS[kind],
                "back": back,
            },
        )
        for i, cid, kind, back in cached.cards
    )
    return Deck(
        name=cached.name,
        papers=tuple(papers),
        cards=cards,
        diagnostics=tuple(cached.diagnostics),
        sources=tuple(cached.sources),
    )


def open_deck(store: Store, paths: Sequence[Path], now: datetime) -> tuple[Deck, ReconcileReport]:
    """Read the deck, from the cache when its files have not changed, and reconcile the
    store with it (new, renamed, retired cards). The cache is written only after the
    reconcile has committed, so a cached deck is always one the store knows."""
    files = expand(paths)
    key = "\n".join(str(f.resolve()) for f in files)
    stats = _stat_print(files)
    old = store.cache_fingerprint(key)
    if old is not None:
        fp = json.loads(old)
        if fp.get("stat") == stats or fp.get("sha") == _hashes(files):
            blob = store.cached_deck(key, old)
            with gc_paused():
                deck = _from_blob(blob) if blob is not None else None
            if deck is not None:
                if fp["stat"] != stats:
                    fp["stat"] = stats
                    store.save_deck_cache(key, json.dumps(fp), blob or b"")
                return deck, ReconcileReport()
    deck = parse_files(files)
    report = store.reconcile(deck.papers, deck.cards, deck.sources, now)
    store.save_deck_cache(key, json.dumps({"stat": stats, "sha": _hashes(files)}), _to_blob(deck))
    return deck, report
