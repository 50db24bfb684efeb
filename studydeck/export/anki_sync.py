"""Straight into an Anki collection, and back: ``studydeck anki push`` and ``anki pull``.

Push reconciles with the notes already in the collection: by GUID first, then by the
store's rename rules on the note's own fields (so a second machine with a fresh store
finds the same notes). A note is rewritten only when its row changed since the last push,
so tags and edits made in Anki survive; notes whose rows are
gone are tagged ``studydeck::retired`` (never deleted); a card whose field was emptied is
suspended and its note tagged ``studydeck::empty``.

Pull reads Anki's review log for studydeck's notes and hands the answers to the store,
which adds each once and replays SM-2 (:meth:`studydeck.store.Store.add_pulled_reviews`).
"""

from __future__ import annotations

import html
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studydeck.errors import StudydeckError
from studydeck.export import anki as note_type
from studydeck.export.anki import (
    CSS,
    EMPTY_TAG,
    KIND_FIELD,
    MODEL_ID,
    MODEL_NAME,
    RETIRED_TAG,
    TAG_PREFIX,
    PaperNote,
    _template,
    prepare_notes,
)
from studydeck.figures import FigureFetcher
from studydeck.identity import StoredPaper, card_id, match_renames
from studydeck.models import CardKind, Deck
from studydeck.replay import LOG_YEARS
from studydeck.scheduling import AnkiButton
from studydeck.store import PulledReview
from studydeck.wording import plural

if TYPE_CHECKING:
    from anki.collection import Collection

    from studydeck.store import Store

KINDS = tuple(CardKind)  # template order: card ``ord`` i is kind KINDS[i]


def anki_base() -> Path:
    """Anki's own data folder (``ANKI_BASE`` overrides it, as in Anki)."""
    if os.environ.get("ANKI_BASE"):
        return Path(os.environ["ANKI_BASE"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "Anki2"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "Anki2"


def default_collection(base: Path | None = None) -> Path:
    """The collection of the only Anki profile; with none or several, ``--collection``."""
    base = anki_base() if base is None else base
    found = sorted(p for p in base.glob("*/collection.anki2") if p.is_file())
    if len(found) == 1:
        return found[0]
    what = "no Anki profile" if not found else f"{len(found)} Anki profiles"
    raise StudydeckError(
        f"{what} in this folder; say which collection to use",
        path=base,
        hint="pass --collection PATH/collection.anki2",
    )


@contextmanager
def open_collection(path: Path) -> Iterator[Collection]:
    """The collection, or one line: it is missing, or Anki has it open (nothing written)."""
    from anki.collection import Collection
    from anki.errors import DBError

    if not path.is_file():
        raise StudydeckError(
            "no Anki collection here", path=path, hint="pass --collection PATH/collection.anki2"
        )
    try:
        col = Collection(str(path))
    except DBError as exc:
        if "already open" in str(exc) or "locked" in str(exc):
            raise StudydeckError(
                "Anki has this collection open; close Anki first (nothing was written)",
                path=path,
            ) from exc
        raise StudydeckError(f"cannot open the Anki collection: {exc}", path=path) from exc
    try:
        yield col
    finally:
        col.close()


def ensure_note_type(col: Collection) -> dict[str, Any]:
    """studydeck's note type in the collection, created or brought up to date (fields added,
    never removed; templates and CSS rewritten only when they differ)."""
    from anki.models import NotetypeId

    models = col.models
    # By id first: a note type the user renamed is still ours.
    m = models.get(NotetypeId(MODEL_ID)) or models.by_name(MODEL_NAME)
    if m is None:
        _import_note_type(col)
        m = models.get(NotetypeId(MODEL_ID))
        if m is None:
            raise StudydeckError("Anki did not take studydeck's note type", path=Path(col.path))
    changed = False
    have = {f["name"] for f in m["flds"]}
    for name in note_type.FIELDS:
        if name not in have:
            models.add_field(m, models.new_field(name))
            changed = True
    for kind, tmpl in zip(KINDS, m["tmpls"], strict=False):
        t = _template(kind)
        if (tmpl["qfmt"], tmpl["afmt"]) != (t["qfmt"], t["afmt"]):
            tmpl["qfmt"], tmpl["afmt"] = t["qfmt"], t["afmt"]
            changed = True
    if m["css"] != CSS:
        m["css"] = CSS
        changed = True
    if changed:
        models.update_dict(m)
    return dict(m)


def _import_note_type(col: Collection) -> None:
    """Create studydeck's note type with the id an exported ``.apkg`` carries, so that a
    package imported later updates the pushed notes instead of adding a second note type
    ("studydeck paper+") beside conflicting notes. Anki gives a note type made through its
    API a new id, and imports one only with a note that uses it: a package with one
    placeholder note in a deck of its own is imported, then both are removed."""
    import tempfile
    import time

    import genanki
    from anki.decks import DeckId
    from anki.notes import NoteId

    model = note_type.note_model()
    deck = genanki.Deck(_SETUP_DECK_ID, _SETUP_DECK)
    deck.add_note(genanki.Note(model=model, fields=["-"] * len(model.fields), guid=_SETUP_GUID))
    with tempfile.TemporaryDirectory(prefix="studydeck-") as tmp:
        apkg = Path(tmp) / "note-type.apkg"
        # Not genanki's write_to_file: it leaves its collection file in the temp folder.
        note_type.write_package([deck], {}, apkg, time.time())
        _import_package(col, apkg)
    for nid in col.find_notes(f'"note:{MODEL_NAME}"'):
        if col.get_note(NoteId(nid)).guid == _SETUP_GUID:
            col.remove_notes([NoteId(nid)])
    setup = col.decks.id_for_name(_SETUP_DECK)
    if setup is not None and not col.decks.card_count(DeckId(setup), include_subdecks=True):
        col.decks.remove([DeckId(setup)])


_SETUP_DECK = "studydeck (setting up)"
_SETUP_DECK_ID = 1771487625
_SETUP_GUID = "studydeck:note-type"


def _import_package(col: Collection, apkg: Path) -> None:
    from anki.import_export_pb2 import (
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
        ImportAnkiPackageUpdateCondition,
    )

    never = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER
    col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(apkg),
            options=ImportAnkiPackageOptions(
                merge_notetypes=False,
                with_scheduling=False,
                update_notes=never,
                update_notetypes=never,
            ),
        )
    )


@dataclass
class PushReport:
    path: Path
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    retired: int = 0
    emptied: int = 0
    unavailable: list[Any] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"pushed to {self.path}: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {plural(self.moved, 'card')} moved, {self.retired} retired, "
            f"{plural(self.emptied, 'empty card')} suspended"
        )


_FIG_SRC = re.compile(r'src="([^"]+)"')


def _as_stored(note: Any, deck: str) -> StoredPaper:
    """What an Anki note says about its paper, for the rename rules."""
    year = note["Year"].strip()
    section = deck.rsplit("::", 1)[-1] if "::" in deck else ""
    return StoredPaper(
        key=str(note.id),
        title=html.unescape(note["Title"]),
        url=html.unescape(note["Link"]) or None,
        year=int(year) if year.isdigit() else None,
        figures=frozenset(),
        section=section,
    )


def push(
    deck: Deck,
    collection: Path,
    *,
    store: Store,
    now: float,
    deck_name: str | None = None,
    kinds: Sequence[CardKind] = KINDS,
    figures: bool = True,
    fetcher: FigureFetcher | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PushReport:
    """Write ``deck`` into the Anki collection at ``collection`` (see the module doc)."""
    report = PushReport(collection)
    name = deck_name or deck.name
    sent = store.sent_fields()  # (before prepare_notes records this run's)
    with open_collection(collection) as col:
        prepared = prepare_notes(
            deck,
            store=store,
            now=now,
            deck_name=name,
            kinds=kinds,
            figures=figures,
            fetcher=fetcher,
            out=collection,
            progress=progress,
        )
        report.unavailable = prepared.report.unavailable
        m = ensure_note_type(col)
        mid = m["id"]
        ours = [col.get_note(nid) for nid in col.find_notes(f"mid:{mid}")]
        by_guid = {n.guid: n for n in ours}
        by_id = {str(n.id): n for n in ours}
        note_deck = {
            n.id: col.decks.name(col.get_card(n.card_ids()[0]).did) if n.card_ids() else name
            for n in ours
        }
        matched: dict[str, Any] = {}
        for pn in prepared.notes:
            if pn.guid in by_guid:
                matched[pn.paper.key] = by_guid.pop(pn.guid)
        in_scope = {
            str(n.id): _as_stored(n, note_deck[n.id])
            for n in by_guid.values()
            if note_deck[n.id] == name or note_deck[n.id].startswith(name + "::")
        }
        unmatched = [pn for pn in prepared.notes if pn.paper.key not in matched]
        for key, nid in match_renames([pn.paper for pn in unmatched], in_scope).items():
            found = by_id[nid]
            matched[key] = found
            by_guid.pop(found.guid, None)
            store.set_anki_guid(key, found.guid)  # this machine now knows the note
        _write_media(col, prepared.media)
        pushed = store.pushed_hashes()
        for pn in prepared.notes:
            note = matched.get(pn.paper.key)
            if note is None:
                _add(col, mid, pn, report)
            else:
                key = pn.paper.key
                # Changed since this store last pushed it (or never pushed from here), and
                # not edited in Anki since it last changed here: the rule of File > Import's
                # "if newer", whose notes bear the time their content last changed (an
                # export, then an import, then an edit in Anki: the edit stays). Edited: the
                # note holds text studydeck never sent (not an older version of its own,
                # left by an import that did not update it, or rewritten by Anki's merge).
                # (A fresh store dates its rows now: it takes its own, as its export would.)
                edited = note.mod >= pn.mod and (
                    note_type.fields_digest([note[n] for n in note_type.FIELDS])
                    not in sent.get(key, ())
                )
                _update(col, note, pn, pushed.get(key) != pn.content_hash and not edited, report)
        for note in by_guid.values():
            if note.id in {int(k) for k in in_scope} and RETIRED_TAG not in note.tags:
                note.tags.append(RETIRED_TAG)
                col.update_note(note)
                # studydeck no longer asks them: nor does Anki (nor the phone it syncs to)
                col.sched.suspend_cards([c.id for c in note.cards() if c.queue != -1])
                report.retired += 1
    store.mark_pushed({pn.paper.key: pn.content_hash for pn in prepared.notes})
    return report


def _deck_id(col: Collection, name: str) -> int:
    did = col.decks.id(name)
    assert did is not None
    return int(did)


def _add(col: Collection, mid: int, pn: PaperNote, report: PushReport) -> None:
    if not pn.n_cards:
        return
    from anki.models import NotetypeId

    note = col.new_note(col.models.get(NotetypeId(mid)))  # type: ignore[arg-type]
    note.guid = pn.guid
    for i, name in enumerate(note_type.FIELDS):
        note[name] = pn.fields[i]
    note.tags = list(pn.tags)
    col.add_note(note, _deck_id(col, pn.deck))  # type: ignore[arg-type]
    report.added += 1


def _update(
    col: Collection, note: Any, pn: PaperNote, changed_here: bool, report: PushReport
) -> None:
    # Rewrite fields only when studydeck's content changed since the last push from this
    # store and since the note was last edited in Anki (a fresh store cannot tell, and takes
    # its own): edits made in Anki to a paper whose row did not change are the user's and
    # stay.
    rewrite = changed_here and any(note[n] != pn.fields[i] for i, n in enumerate(note_type.FIELDS))
    fields = pn.fields if rewrite else [note[n] for n in note_type.FIELDS]
    empty = [k for k in KINDS if not fields[note_type.FIELDS.index(KIND_FIELD[k])]]
    blank = [c for c in note.cards() if KINDS[c.ord] in empty]
    user_tags = [t for t in note.tags if not t.startswith(TAG_PREFIX)]
    tags = [*user_tags, *pn.tags, *([EMPTY_TAG] if blank else [])]
    if rewrite or sorted(tags) != sorted(note.tags):
        if rewrite:
            for i, name in enumerate(note_type.FIELDS):
                note[name] = pn.fields[i]
        back = EMPTY_TAG in note.tags or RETIRED_TAG in note.tags
        note.tags = tags
        col.update_note(note)
        report.updated += 1
        if back:  # a field filled again, a row back in the notes: its cards come back
            col.sched.unsuspend_cards([c.id for c in note.cards() if KINDS[c.ord] not in empty])
    else:
        report.unchanged += 1
    did = _deck_id(col, pn.deck)
    away = [c.id for c in note.cards() if c.did != did and not c.odid]
    if away:
        col.set_deck(away, did)
        report.moved += len(away)
    to_suspend = [c.id for c in blank if c.queue != -1]
    if to_suspend:
        col.sched.suspend_cards(to_suspend)
        report.emptied += len(to_suspend)


def _write_media(col: Collection, media: dict[str, bytes]) -> None:
    folder = Path(col.media.dir())
    for name, data in media.items():
        if not (folder / name).exists():  # names are content hashes: same name, same bytes
            col.media.write_data(name, data)


@dataclass
class PullReport:
    path: Path
    seen: int = 0
    """Answers to studydeck's cards in Anki's log (the store skips those it has)."""
    added: int = 0
    skipped: int = 0
    """Answers whose time is out of the log's years (:data:`~studydeck.replay.LOG_YEARS`)."""

    def summary(self) -> str:
        text = (
            f"pulled from {self.path}: {self.added} new reviews "
            f"({self.seen - self.added} already in studydeck)"
        )
        if self.skipped:
            first, last = LOG_YEARS
            text += (
                f"; {self.skipped} skipped: their time is not in the years {first}-{last} "
                "(a damaged review log?)"
            )
        return text


def pull(
    collection: Path, *, store: Store, leech_threshold: int = 8, day_starts_at: int = 4
) -> PullReport:
    """Bring the answers given in Anki to studydeck's cards into studydeck's history."""
    report = PullReport(collection)
    keys = {guid: key for key, guid in store.anki_guids().items()}
    with open_collection(collection) as col:
        m = col.models.by_name(MODEL_NAME)
        if m is None:
            return report
        assert col.db is not None
        rows = col.db.all(
            "SELECT r.id, r.ease, r.time, r.type, c.ord, n.guid FROM revlog r "
            "JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid "
            "WHERE n.mid = ? AND r.ease BETWEEN 1 AND 4 AND r.type < 4 ORDER BY r.id",
            m["id"],
        )
    from studydeck.session import study_day

    pulled = []
    # A review's id is its time in milliseconds: one out of the log's years is not applied
    # (as a device file's line is not), and said.
    first, last = (int(datetime(y, 1, 1, tzinfo=UTC).timestamp() * 1000) for y in LOG_YEARS)
    for rid, ease, ms, _type, ord_, guid in rows:
        key = keys.get(guid)
        if key is None or ord_ >= len(KINDS):
            continue
        if not first <= rid < last:
            report.skipped += 1
            continue
        at = datetime.fromtimestamp(rid / 1000).astimezone()
        pulled.append(
            PulledReview(
                revlog_id=rid,
                card_id=card_id(key, KINDS[ord_]),
                at=at,
                day=study_day(at, day_starts_at),
                quality=int(AnkiButton.from_ease(ease)),
                duration_ms=int(ms),
            )
        )
    report.seen = len(pulled)
    report.added = store.add_pulled_reviews(pulled, leech_threshold=leech_threshold)
    return report


__all__ = ["KIND_FIELD", "PullReport", "PushReport", "default_collection", "pull", "push"]
