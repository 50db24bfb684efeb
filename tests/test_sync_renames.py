"""Sync follows renamed cards (their events re-keyed) without joining every review row when
no card's key and no event's key moved since it last looked: each step gives what looking
every time gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from studydeck.store import Store
from studydeck.store.events import rename_event

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
KEYS = ["p1/contribution", "p1/insight", "p2/critique"]


def answered_store(path: Path) -> Store:
    store = Store.open(path)
    with store.transaction() as c:
        c.executemany(
            "INSERT INTO cards (cid, card_id, paper_key, kind, added) VALUES (?, ?, ?, ?, '')",
            [(i + 1, k, *k.split("/")) for i, k in enumerate(KEYS)],
        )
    for key in KEYS[:2]:
        store.record_answer(key, 4, now=NOW, today=NOW.date())
    return store


def every_time(store: Store) -> int:
    """The straightforward way: forget what was seen, and look."""
    with store.transaction() as c:
        c.execute("DELETE FROM meta WHERE key = 'renames_followed'")
    return store.follow_renames()


def events(store: Store) -> list[tuple[object, ...]]:
    return store.tuples("SELECT id, kind, card_key, value FROM events ORDER BY id")


def test_renames_are_followed_as_when_looking_every_time(tmp_path: Path) -> None:
    answered_store(tmp_path / "a.db").close()  # (closing folds the WAL into the file)
    (tmp_path / "b.db").write_bytes((tmp_path / "a.db").read_bytes())  # the same event ids
    remembers, looks = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")

    def step() -> None:
        assert remembers.follow_renames() == every_time(looks)
        assert events(remembers) == events(looks)

    step()  # nothing moved
    step()  # nothing moved, and this time it is remembered
    for store in (remembers, looks):  # the notes renamed a paper (as reading them does)
        with store.transaction() as c:
            c.execute(
                "UPDATE cards SET card_id = 'p9/contribution', paper_key = 'p9' WHERE cid = 1"
            )
    step()
    assert {e[2] for e in events(remembers) if e[1] == "answer"} == {"p9/contribution", KEYS[1]}
    step()
    # Another device's line moves the events back to the old key (it saw the rename the
    # other way): the card is found again.
    for store in (remembers, looks):
        store.add_events([rename_event("p9/contribution", "p1/contribution", NOW)])
    step()
    assert {e[2] for e in events(remembers) if e[1] == "answer"} == {"p9/contribution", KEYS[1]}
    step()
    remembers.close()
    looks.close()
