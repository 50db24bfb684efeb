from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from studydeck.config import Settings
from studydeck.figures import FigureFetcher
from studydeck.loading import open_deck
from studydeck.store import Store
from studydeck.tui.app import AppContext, create_app
from studydeck.tui.screens import browse

FIXED = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))


class Clock:
    def __init__(self) -> None:
        self.now = FIXED

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def make_app(tmp_path: Path):
    stores: list[Store] = []

    def make(
        paths: list[Path],
        start: str = "home",
        settings: Settings | None = None,
        fetcher: FigureFetcher | None = None,
        db: Path | None = None,
    ):
        store = Store.open(db or tmp_path / "store.sqlite3")
        stores.append(store)
        clock = Clock()
        deck, _ = open_deck(store, paths, clock())
        ctx = AppContext(
            store=store,
            deck=deck,
            paths=paths,
            settings=settings or Settings(),
            clock=clock,
            fetcher=fetcher or FigureFetcher(tmp_path / "cache", offline=True),
        )
        return create_app(ctx, start=start)

    yield make
    for s in stores:
        s.close()


def held(monkeypatch, owner: object, name: str) -> threading.Event:
    """``owner.name`` held, in whatever thread calls it, until the event returned is set
    (10 s at most: a test that forgets does not hang)."""
    release = threading.Event()
    real = getattr(owner, name)

    def slow(*args, **kwargs):
        release.wait(timeout=10)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, slow)
    return release


@pytest.fixture
def gate(monkeypatch):
    """Browse's worker reading every card state, held until the test opens the gate."""
    release = held(monkeypatch, browse, "load_columns")
    yield release
    release.set()
