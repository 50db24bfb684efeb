"""One note per paper forever: renames, Anki-side work and reviews done in Anki, with the
real `anki` package, through `studydeck anki push`/`pull` and through `.apkg` import."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection

from studydeck.cli import main
from studydeck.errors import StudydeckError
from studydeck.export.anki_sync import default_collection, pull, push
from studydeck.identity import card_id
from studydeck.models import CardKind
from studydeck.scheduling import AnkiButton
from studydeck.session import study_day

from .conftest import table
from .test_export_anki import User, import_apkg


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    (tmp_path / "anki").mkdir()
    path = tmp_path / "anki" / "collection.anki2"
    Collection(str(path)).close()
    return path


def send(user: User, path: Path, collection: Path, how: str, **kw: Any) -> Any:
    """Get the notes into Anki the way the user does: push, or export and import."""
    if how == "push":
        # Anki stamps what a push writes with the real time: the user's next push comes
        # after it, as it would (their clock starts a while ago, for what Anki does next).
        user.now = max(user.now, float(int(time.time())))
        return push(user.deck(path), collection, store=user.store, now=user.now, **kw)
    out = collection.parent / f"export-{user.now}.apkg"
    user.export(path, out, **kw)
    col = Collection(str(collection))
    try:
        return import_apkg(col, out)
    finally:
        col.close()


def in_anki(collection: Path, fn: Callable[[Collection], Any]) -> Any:
    col = Collection(str(collection))
    try:
        return fn(col)
    finally:
        col.close()


def studydeck_notes(col: Collection) -> dict[str, Any]:
    """Title -> note, for studydeck's notes; a duplicate title fails the test."""
    notes = [col.get_note(n) for n in col.find_notes('"note:studydeck paper"')]
    titles = [n["Title"] for n in notes]
    assert len(titles) == len(set(titles)), titles
    return {n["Title"]: n for n in notes}


def review_in_anki(collection: Path, title: str, ease: int, ord_: int = 0) -> None:
    def answer(col: Collection) -> None:
        note = studydeck_notes(col)[title]
        card = next(c for c in note.cards() if c.ord == ord_)
        card.start_timer()
        col.sched.answerCard(card, ease)

    in_anki(collection, answer)


def history(collection: Path, title: str) -> int:
    """How many answers Anki has for the note with this title."""

    def count(col: Collection) -> int:
        note = studydeck_notes(col)[title]
        assert col.db is not None
        return int(
            col.db.scalar(
                f"SELECT count(*) FROM revlog WHERE cid IN ({','.join(map(str, note.card_ids()))})"
            )
        )

    return int(in_anki(collection, count))


RENAMES = {
    "link added": (
        "| 2016 | Layer Normalization | k | c | | |",
        "| 2016 | [Layer Normalization](https://arxiv.org/abs/1607.06450) | k | c2 | | |",
    ),
    "link removed": (
        "| 2016 | [Layer Normalization](https://arxiv.org/abs/1607.06450) | k | c | | |",
        "| 2016 | Layer Normalization | k | c2 | | |",
    ),
    "link changed": (
        "| 2016 | [Layer Normalization](https://arxiv.org/abs/1607.06450) | k | c | | |",
        "| 2016 | [Layer Normalization](https://arxiv.org/pdf/1607.06450v1) | k | c2 | | |",
    ),
    "title typo": (
        "| 2016 | Layer Normalizaton | k | c | | |",
        "| 2016 | Layer Normalization | k | c2 | | |",
    ),
}


@pytest.mark.parametrize("how", ["push", "apkg"])
@pytest.mark.parametrize("case", list(RENAMES))
def test_each_rename_keeps_one_note_with_its_anki_history(
    tmp_path: Path, notes, collection: Path, case: str, how: str
) -> None:
    before, after = RENAMES[case]
    other = "| 2015 | Batch Normalization | k | b | | |"
    path = notes(table(before, other))
    user = User(tmp_path)
    send(user, path, collection, how)
    title = in_anki(collection, lambda col: sorted(studydeck_notes(col)))[1]
    review_in_anki(collection, title, 3)
    path.write_text(table(after, other))
    send(user, path, collection, how)
    notes_ = in_anki(collection, studydeck_notes)
    assert sorted(notes_) == ["Batch Normalization", "Layer Normalization"]
    assert notes_["Layer Normalization"]["Contribution"] == "c2"
    assert history(collection, "Layer Normalization") == 1


def sections(*parts: tuple[str, str]) -> str:
    return "# 论文阅读\n\n" + "".join(f"## {h}\n\n{table(row, title='')}\n" for h, row in parts)


LN = "| 2016 | Layer Normalization | k | {} | | |"
BN = "| 2015 | Batch Normalization | k | b | | |"


@pytest.mark.parametrize("how", ["push", "apkg"])
def test_same_title_in_a_second_section_leaves_the_first_its_history(
    tmp_path: Path, notes, collection: Path, how: str
) -> None:
    path = notes(sections(("归一化", LN.format("first")), ("其他", BN)))
    user = User(tmp_path)
    send(user, path, collection, how)
    review_in_anki(collection, "Layer Normalization", 3)
    path.write_text(
        sections(("归一化", LN.format("first")), ("其他", BN + "\n" + LN.format("second")))
    )
    send(user, path, collection, how)

    def check(col: Collection) -> list[tuple[str, str, int]]:
        assert col.db is not None
        return sorted(
            (
                n["Contribution"],
                col.decks.name(n.cards()[0].did),
                col.db.scalar(f"SELECT count(*) FROM revlog WHERE cid = {n.cards()[0].id}"),
            )
            for n in (col.get_note(i) for i in col.find_notes("Title:Layer*"))
        )

    assert in_anki(collection, check) == [
        ("first", "论文阅读::归一化", 1),
        ("second", "论文阅读::其他", 0),
    ]


def test_section_moved_moves_the_cards_and_keeps_history(
    tmp_path: Path, notes, collection: Path
) -> None:
    path = notes(sections(("归一化", LN.format("c")), ("其他", BN)))
    user = User(tmp_path)
    send(user, path, collection, "push")
    review_in_anki(collection, "Layer Normalization", 4)
    path.write_text(sections(("规范化", LN.format("c")), ("其他", BN)))
    report = send(user, path, collection, "push")
    assert report.moved == 1
    decks = in_anki(
        collection,
        lambda col: [
            col.decks.name(c.did) for c in studydeck_notes(col)["Layer Normalization"].cards()
        ],
    )
    assert decks == ["论文阅读::规范化"]
    assert history(collection, "Layer Normalization") == 1


@pytest.mark.parametrize("how", ["push", "apkg"])
def test_unchanged_resend_updates_nothing_and_anki_side_work_survives(
    tmp_path: Path, notes, collection: Path, how: str
) -> None:
    path = notes(table(LN.format("c"), BN))
    user = User(tmp_path)
    send(user, path, collection, how)

    def edit(col: Collection) -> None:
        note = studydeck_notes(col)["Layer Normalization"]
        note.tags.append("marked")
        note["Insight"] = "my own words"
        col.update_note(note)

    in_anki(collection, edit)
    result = send(user, path, collection, how)
    if how == "push":
        assert (result.updated, result.added, result.unchanged) == (0, 0, 2)
    else:
        assert (len(result.updated), len(result.new), len(result.duplicate)) == (0, 0, 2)
    note = in_anki(collection, studydeck_notes)["Layer Normalization"]
    assert "marked" in note.tags and note["Insight"] == "my own words"


def test_a_first_push_after_an_import_keeps_the_edits_made_in_anki(
    tmp_path: Path, notes, collection: Path
) -> None:
    """Export, File > Import, an edit in Anki, then the first push from the same store: the
    edited note's row did not change since the export, so the edit stays (a trial lost it).
    A row changed since then is newer than the edit, and is written, as an import of a new
    package would."""
    path = notes(table(LN.format("c"), BN))
    user = User(tmp_path)
    send(user, path, collection, "apkg")

    def edit(col: Collection) -> None:
        for title in ("Layer Normalization", "Batch Normalization"):
            note = studydeck_notes(col)[title]
            note["Insight"] = f"my own words on {title}"
            col.update_note(note)

    in_anki(collection, edit)
    path.write_text(table(LN.format("c"), BN.replace("| b |", "| b2 |")))
    report = send(user, path, collection, "push")
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    notes_ = in_anki(collection, studydeck_notes)
    assert notes_["Layer Normalization"]["Insight"] == "my own words on Layer Normalization"
    assert notes_["Batch Normalization"]["Contribution"] == "b2"
    assert notes_["Batch Normalization"]["Insight"] == ""


@pytest.mark.parametrize("how", ["push", "apkg"])
def test_a_changed_row_updates_in_place_from_a_fresh_store(
    tmp_path: Path, notes, collection: Path, how: str
) -> None:
    path = notes(table(LN.format("old"), BN))
    send(User(tmp_path, "laptop.db"), path, collection, how)
    review_in_anki(collection, "Layer Normalization", 3)
    path.write_text(table(LN.format("new"), BN))
    send(User(tmp_path, "desktop.db", ago=300), path, collection, how)  # a second machine, later
    notes_ = in_anki(collection, studydeck_notes)
    assert sorted(notes_) == ["Batch Normalization", "Layer Normalization"]
    assert notes_["Layer Normalization"]["Contribution"] == "new"
    assert history(collection, "Layer Normalization") == 1


def test_fresh_store_finds_renamed_notes_by_their_fields(
    tmp_path: Path, notes, collection: Path
) -> None:
    path = notes(table(RENAMES["link added"][0], BN))
    laptop = User(tmp_path, "laptop.db")
    send(laptop, path, collection, "push")
    review_in_anki(collection, "Layer Normalization", 3)
    path.write_text(table(RENAMES["link added"][1], BN))
    report = send(User(tmp_path, "desktop.db"), path, collection, "push")
    assert (report.added, report.updated) == (0, 1)
    assert history(collection, "Layer Normalization") == 1


def test_a_note_found_by_its_fields_brings_its_anki_reviews_to_that_store(
    tmp_path: Path, notes, collection: Path
) -> None:
    """A fresh store that found a renamed note by its fields remembers which note it is:
    the answers given to it in Anki are pulled into that store's card."""
    path = notes(table(RENAMES["link added"][0], BN))
    send(User(tmp_path, "laptop.db"), path, collection, "push")
    review_in_anki(collection, "Layer Normalization", 3)
    path.write_text(table(RENAMES["link added"][1], BN))
    desktop = User(tmp_path, "desktop.db")
    send(desktop, path, collection, "push")
    report = pull(collection, store=desktop.store)
    assert (report.seen, report.added) == (1, 1)
    deck = desktop.deck(path)
    ln = next(c for c in deck.cards if c.paper.title == "Layer Normalization")
    assert [r.card_id for r in desktop.store.reviews()] == [ln.id]


def test_emptied_field_suspends_its_card_and_gone_rows_are_retired(
    tmp_path: Path, notes, collection: Path
) -> None:
    path = notes(table("| 2016 | Layer Normalization | k | c | | 笔记。问题：不足 |", BN))
    user = User(tmp_path)
    send(user, path, collection, "push")
    path.write_text(table("| 2016 | Layer Normalization | k | c | | |"))
    report = send(user, path, collection, "push")
    assert (report.emptied, report.retired) == (2, 1)  # insight + critique; Batch Norm

    def check(col: Collection) -> tuple[list[str], list[tuple[str, int]], list[str], list[int]]:
        notes_ = studydeck_notes(col)
        ln, bn = notes_["Layer Normalization"], notes_["Batch Normalization"]
        cards = [(CardKind(list(CardKind)[c.ord]).value, c.queue) for c in ln.cards()]
        return sorted(ln.tags), sorted(cards), bn.tags, [c.queue for c in bn.cards()]

    tags, cards, bn_tags, bn_queues = in_anki(collection, check)
    assert "studydeck::empty" in tags
    assert cards == [("contribution", 0), ("critique", -1), ("insight", -1)]
    # Batch Norm's row is gone: studydeck no longer asks its card, nor does Anki.
    assert "studydeck::retired" in bn_tags and bn_queues == [-1]
    # ... until the row is back: untagged, asked again.
    path.write_text(table("| 2016 | Layer Normalization | k | c | | |", BN))
    send(user, path, collection, "push")
    tags, cards, bn_tags, bn_queues = in_anki(collection, check)
    assert "studydeck::retired" not in bn_tags and bn_queues == [0]
    # --kinds leaving a kind out makes no card for it on a new note
    path2 = notes(table("| 2017 | Attention | k | c | | 笔记 |"), name="more.md")
    send(User(tmp_path, "other.db"), path2, collection, "push", kinds=[CardKind.CONTRIBUTION])
    n_cards = in_anki(collection, lambda col: len(studydeck_notes(col)["Attention"].cards()))
    assert n_cards == 1


def test_push_while_anki_is_open_writes_nothing(
    tmp_path: Path, notes, collection: Path, capsys
) -> None:
    path = notes(table(LN.format("c")))
    col = Collection(str(collection))  # Anki has it open
    try:
        code = main(
            [
                "anki",
                "push",
                str(path),
                "--collection",
                str(collection),
                "--db",
                str(tmp_path / "d"),
            ]
        )
    finally:
        col.close()
    err = capsys.readouterr().err
    assert code == 1 and "close Anki first" in err and "Traceback" not in err
    assert in_anki(collection, lambda c: c.note_count()) == 0


def test_default_collection_is_the_only_profile(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANKI_BASE", str(tmp_path))
    (tmp_path / "User 1").mkdir()
    (tmp_path / "User 1" / "collection.anki2").write_bytes(b"")
    assert default_collection() == tmp_path / "User 1" / "collection.anki2"
    (tmp_path / "Work").mkdir()
    (tmp_path / "Work" / "collection.anki2").write_bytes(b"")
    with pytest.raises(StudydeckError, match="2 Anki profiles"):
        default_collection()


def _stats(path: Path, db: Path, capsys) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["stats", str(path), "--db", str(db), "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_reviews_pulled_from_anki_count_as_the_same_answers_given_here(
    tmp_path: Path, notes, collection: Path, capsys
) -> None:
    path = notes(table("| 2016 | Layer Normalization | k | c | | 笔记 |", BN))
    phone = User(tmp_path, "phone.db")
    send(phone, path, collection, "push")
    review_in_anki(collection, "Layer Normalization", 1)  # Again
    review_in_anki(collection, "Layer Normalization", 3)  # Good, same day: a repeat here
    review_in_anki(collection, "Batch Normalization", 4)  # Easy
    review_in_anki(collection, "Layer Normalization", 2, ord_=1)  # Hard on the insight
    assert pull(collection, store=phone.store).added == 4
    # The same answers, given in studydeck at the same moments.
    here = User(tmp_path, "here.db")
    here.deck(path)

    def revlog(col: Collection) -> list[tuple[int, int, int, str]]:
        assert col.db is not None
        return [
            tuple(r)
            for r in col.db.all(
                "SELECT r.id, r.ease, c.ord, n.flds FROM revlog r JOIN cards c ON c.id = r.cid "
                "JOIN notes n ON n.id = c.nid ORDER BY r.id"
            )
        ]

    seen: set[str] = set()
    for rid, ease, ord_, flds in in_anki(collection, revlog):
        title = flds.split("\x1f")[0]
        key = next(p.key for p in here.deck(path, gap=0).papers if p.title == title)
        cid = card_id(key, list(CardKind)[ord_])
        at = datetime.fromtimestamp(rid / 1000).astimezone()
        here.store.record_answer(
            cid,
            int(AnkiButton.from_ease(ease)),
            now=at,
            today=study_day(at, 4),
            repeat=cid in seen,
        )
        seen.add(cid)
    assert phone.store.states() == here.store.states()
    phone_db, here_db = phone.store.path, here.store.path
    assert _stats(path, phone_db, capsys) == _stats(path, here_db, capsys)
    nothing = User(tmp_path, "nothing.db").store.path
    assert _stats(path, phone_db, capsys) != _stats(path, nothing, capsys)


@pytest.mark.parametrize("bad_id", [2**63 - 1, 253402300000000, -5])
def test_a_review_whose_time_is_out_of_the_logs_years_is_skipped_and_the_real_one_kept(
    tmp_path: Path, notes, collection: Path, bad_id: int
) -> None:
    """A probe added Anki review-log rows of year 9999 and of id 2**63 - 1: the pull stopped
    with a traceback, after the events were written and before their cards were rebuilt,
    so the real review of an hour before was in the log and never applied (and the next
    pull said it was "already in studydeck"). A time out of the log's years (as a device
    file's line is refused) is skipped; the rest is applied, in one transaction."""
    path = notes(table(LN.format("c")))
    user = User(tmp_path)
    deck = user.deck(path)
    push(deck, collection, store=user.store, now=user.now)
    review_in_anki(collection, "Layer Normalization", 3)  # Good: a real review

    def forge(col: Collection) -> None:
        assert col.db is not None
        rid = col.db.scalar("SELECT id FROM revlog")
        col.db.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "SELECT ?, cid, usn, ease, ivl, lastIvl, factor, time, type FROM revlog WHERE id = ?",
            bad_id,
            rid,
        )

    in_anki(collection, forge)
    report = pull(collection, store=user.store)
    assert (report.added, report.seen, report.skipped) == (1, 1, 1)
    assert report.summary().endswith(
        "; 1 skipped: their time is not in the years 1970-9000 (a damaged review log?)"
    )
    assert user.store.state(deck.cards[0].id).sm2.repetitions == 1
    assert len(user.store.reviews()) == 1


def test_a_pull_that_fails_while_applying_its_answers_leaves_nothing_half_done(
    tmp_path: Path, notes, collection: Path, monkeypatch
) -> None:
    """The answers pulled and the states they make are one transaction: a failure in
    between leaves the store as it was, and the next pull applies the answers."""
    path = notes(table(LN.format("c")))
    user = User(tmp_path)
    deck = user.deck(path)
    push(deck, collection, store=user.store, now=user.now)
    review_in_anki(collection, "Layer Normalization", 3)

    def fails(*args: object, **kwargs: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(type(user.store), "_rebuild", fails)
    with pytest.raises(OverflowError):
        pull(collection, store=user.store)
    monkeypatch.undo()
    assert user.store.tuples("SELECT count(*) FROM events") == [(0,)]
    assert pull(collection, store=user.store).added == 1
    assert user.store.state(deck.cards[0].id).sm2.repetitions == 1


def test_pull_twice_and_reviews_on_both_sides_count_once(
    tmp_path: Path, notes, collection: Path
) -> None:
    path = notes(table(LN.format("c")))
    user = User(tmp_path)
    deck = user.deck(path)
    push(deck, collection, store=user.store, now=user.now)
    cid = deck.cards[0].id
    at = datetime.now().astimezone().replace(microsecond=123000)
    user.store.record_answer(cid, 4, now=at, today=study_day(at, 4))  # answered here...

    def same_answer_in_anki(col: Collection) -> None:  # ...and the same answer reached Anki
        assert col.db is not None
        anki_cid = studydeck_notes(col)["Layer Normalization"].cards()[0].id
        col.db.execute(
            "INSERT INTO revlog VALUES (?, ?, -1, 3, 1, 0, 2500, 5000, 0)",
            int(at.timestamp() * 1000),
            anki_cid,
        )

    in_anki(collection, same_answer_in_anki)
    review_in_anki(collection, "Layer Normalization", 4)
    first = pull(collection, store=user.store)
    after_first = [(r.at, r.quality) for r in user.store.reviews()]
    second = pull(collection, store=user.store)
    assert (first.seen, first.added) == (2, 1)
    assert (second.seen, second.added) == (2, 0)
    assert [(r.at, r.quality) for r in user.store.reviews()] == after_first
    assert len(after_first) == 2


def test_a_package_imported_after_a_push_updates_the_pushed_notes(
    tmp_path: Path, notes, collection: Path
) -> None:
    """Push first, later File > Import of an exported .apkg (another computer's export,
    say): the package's note type is the pushed one, so its newer notes update the pushed
    notes in place — no second note type, no conflicting notes, the history kept."""
    from studydeck.export.anki import MODEL_ID, MODEL_NAME

    path = notes(sections(("归一化", LN.format("first"))))
    user = User(tmp_path)
    send(user, path, collection, "push")
    review_in_anki(collection, "Layer Normalization", 3)
    path.write_text(sections(("归一化", LN.format("second"))))
    user.now = time.time() + 60  # the export is newer than Anki's stamp of the push
    send(user, path, collection, "apkg")

    def look(col: Collection) -> tuple[list[tuple[int, str]], list[str], list[str]]:
        kinds = [(m["id"], m["name"]) for m in col.models.all() if "studydeck" in m["name"]]
        contributions = [col.get_note(i)["Contribution"] for i in col.find_notes("Title:Layer*")]
        return kinds, contributions, sorted(d.name for d in col.decks.all_names_and_ids())

    kinds, contributions, decks = in_anki(collection, look)
    assert kinds == [(MODEL_ID, MODEL_NAME)]
    assert contributions == ["second"]
    assert not [d for d in decks if "setting up" in d]  # the placeholder deck is gone
    assert history(collection, "Layer Normalization") == 1


def test_push_finds_its_note_type_after_the_user_renamed_it(
    tmp_path: Path, notes, collection: Path
) -> None:
    path = notes(sections(("归一化", LN.format("first"))))
    user = User(tmp_path)
    send(user, path, collection, "push")

    def rename(col: Collection) -> None:
        m = col.models.by_name("studydeck paper")
        assert m is not None
        m["name"] = "my papers"
        col.models.update_dict(m)

    in_anki(collection, rename)
    path.write_text(sections(("归一化", LN.format("second"))))
    send(user, path, collection, "push")
    names = in_anki(
        collection, lambda col: sorted(m["name"] for m in col.models.all() if "pap" in m["name"])
    )
    assert names == ["my papers"]


def test_a_push_leaves_no_file_in_the_temporary_folder(
    tmp_path: Path, notes, collection: Path, monkeypatch
) -> None:
    """Setting the note type up writes a one-note package to a temporary folder; nothing of
    it may stay there (genanki's own writer leaves its collection file behind)."""
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    path = notes(sections(("归一化", LN.format("first"))))
    send(User(tmp_path), path, collection, "push")
    assert in_anki(collection, lambda col: col.models.id_for_name("studydeck paper")) is not None
    assert sorted(p.name for p in scratch.iterdir()) == []
