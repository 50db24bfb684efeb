"""The parsed-deck cache gives back exactly the deck that was parsed: a warm start shows the
same papers, cards and warnings as reading the notes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from studydeck import loading
from studydeck.deck import parse_files
from studydeck.loading import open_deck
from studydeck.store import Store

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

NOTES = """# 论文阅读

## 视频

| 年份 | 论文 | Abbr. | 关键词 | 核心贡献 | 图 | 笔记 |
| :- | :- | :- | :- | :- | :- | :- |
| TPAMI 2019 | [EDVR: Video Restoration](https://x.org/edvr) | EDVR | 视频复原; 对齐 | 可形变卷积对齐 | ![arch](fig/a.png) <img src="b.png" alt="B"> | 很强。但计算复杂度上去了。 |
| | Paper Without Year | | | contribution only | | |
| 2020 | Notes Only | | k | | | 问题：只考虑了LDP模式。 |
| 2021 | Row With Extra | | k | c | x | n | extra |
"""


@pytest.mark.parametrize("frame_rows", [4096, 3, 1])
def test_the_cached_deck_is_the_parsed_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frame_rows: int
) -> None:
    """Also when its rows are written in several frames (a big deck's are)."""
    monkeypatch.setattr(loading, "_FRAME_ROWS", frame_rows)
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, "utf-8")
    deck = parse_files([notes])
    assert deck.diagnostics and any(p.figures for p in deck.papers)  # the cache has work to do
    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], NOW)
        cached, _ = open_deck(store, [notes], NOW)
    assert isinstance(cached, loading._CachedDeck)  # read from the cache
    assert cached == deck


def test_a_big_deck_is_cached_in_frames_and_opens_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loading, "_FRAME_ROWS", 2)
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES.replace("| k | c | x |", "| k | a longer contribution | x |"))
    with Store.open(tmp_path / "s.db") as store:
        parsed, _ = open_deck(store, [notes], NOW)
        cached, _ = open_deck(store, [notes], NOW)
        assert len(store.deck_frames(str(notes.resolve()))) > 1  # several frames
        assert isinstance(cached, loading._CachedDeck)  # from the cache, not parsed again
        # A card's back that is its paper's contribution is read as the same string, not a
        # copy (a frame holds its papers' cards: at 50k papers, ~10 MiB of copies).
        backs = [c for c in cached.cards if c.back == c.paper.contribution]
        assert len({c.paper.key for c in backs}) > 1
        assert all(c.back is c.paper.contribution for c in backs)
        assert cached == parsed == parse_files([notes])
        # Fewer rows, fewer frames: the frames of the longer deck are gone with it.
        notes.write_text(
            NOTES.replace("| 2020 | Notes Only | | k | | | 问题：只考虑了LDP模式。 |\n", "")
        )
        open_deck(store, [notes], NOW)
        shorter, _ = open_deck(store, [notes], NOW)
    assert isinstance(shorter, loading._CachedDeck)
    assert shorter == parse_files([notes]) != parsed


def test_a_warm_start_opens_the_deck_the_notes_give(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        parsed, _ = open_deck(store, [notes], NOW)
        cached, report = open_deck(store, [notes], NOW)
    assert cached == parsed == parse_files([notes])
    assert not report.changed


def test_every_cell_a_row_holds_reaches_its_paper(tmp_path: Path) -> None:
    from dataclasses import fields

    from studydeck.models import Paper
    from studydeck.parsing import assign_keys, parse_text

    result = parse_text(NOTES, "notes.md")
    papers, _ = assign_keys([result])
    names = {f.name for f in fields(Paper)} - {"key"}
    for paper, row in zip(papers, result.rows, strict=True):
        assert set(row) - {"base_key"} == names
        assert {n: getattr(paper, n) for n in names} == {n: row[n] for n in names}


def test_a_touched_file_is_hashed_once_then_known_by_its_new_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from studydeck import deck as deck_module
    from studydeck import loading

    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        parsed, _ = open_deck(store, [notes], NOW)
        os.utime(notes, (1, 1))  # touched, same content: its hash says so, no parse
        monkeypatch.setattr(deck_module, "parse_files", None)  # loading imports it on a miss
        assert open_deck(store, [notes], NOW)[0] == parsed
        monkeypatch.setattr(loading, "_hashes", None)  # the new time is remembered
        assert open_deck(store, [notes], NOW)[0] == parsed


def test_the_same_file_named_from_another_folder_gives_papers_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each paper keeps the name its file was opened by (the editor opens it, its figures
    are found beside it): the same file opened from another working folder, by another
    relative name, is read again under that name, not given the cached one (which named a
    file that is not there from the new folder: seen in a trial, `x` opened a new file)."""
    folder = tmp_path / "notes"
    (folder / "fig").mkdir(parents=True)
    (folder / "fig" / "a.png").write_bytes(b"png")
    (folder / "notes.md").write_text(NOTES, "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        monkeypatch.chdir(tmp_path)
        first, _ = open_deck(store, [Path("notes/notes.md")], NOW)
        again, _ = open_deck(store, [Path("notes/notes.md")], NOW)
        assert isinstance(again, loading._CachedDeck)  # the same name: from the cache
        monkeypatch.chdir(folder)
        here, _ = open_deck(store, [Path("notes.md")], NOW)
        by_its_name, _ = open_deck(store, [Path("notes.md")], NOW)
    assert {p.source for p in first.papers} == {"notes/notes.md"}
    for deck in (here, by_its_name):
        assert {p.source for p in deck.papers} == {"notes.md"}
        assert {d.path for d in deck.diagnostics} == {"notes.md"}
        edvr = next(p for p in deck.papers if p.title.startswith("EDVR"))
        assert (Path(edvr.source).parent / edvr.figures[0].src).is_file()
    assert isinstance(by_its_name, loading._CachedDeck)  # cached again under the new name


def test_a_broken_file_is_one_that_gave_papers_and_now_gives_none_for_an_error(
    tmp_path: Path,
) -> None:
    """(The rule an edit's reload is refused by: the cards are kept as they were.) A row's
    error in a file that still gives papers is not a broken file, nor is a file that gave
    no papers before; a file whose table header broke is."""
    from studydeck.loading import broken_file

    head = "| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n| :- | :- | :- | :- | :- | :- |\n"
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(head + "| 2020 | Paper A | k | c | | |\n", "utf-8")
    b.write_text("no table yet\n", "utf-8")
    before = parse_files([a, b])
    assert before.errors  # b's
    assert broken_file(parse_files([a, b]), before) is None  # b gave no papers before
    a.write_text(head + "| 2020 | Paper A | k | c | | |\n| 2021 | | k | no title | | |\n", "utf-8")
    with_a_bad_row = parse_files([a, b])
    assert any(d.path == str(a) for d in with_a_bad_row.errors)
    assert broken_file(with_a_bad_row, before) is None
    a.write_text(head.replace("| 论文 |", "| 文章 |") + "| 2020 | Paper A | k | c | | |\n", "utf-8")
    broken = broken_file(parse_files([a, b]), before)
    assert broken is not None and broken.path == str(a)
    assert broken.message.startswith("no paper table found")
