"""A warm start reads of the cached deck only what it shows: the keys, keywords and card ids
at open, a paper's title and texts (and its cards' backs) when it is first shown. What is
read later is exactly what a parse of the notes gives, and damage anywhere in the cache is
found when it is opened, then the notes are parsed again."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studydeck import frames, loading
from studydeck.deck import parse_files
from studydeck.errors import StudydeckError
from studydeck.store import Store

from .conftest import parses, rewrite_frame, table

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

ROWS = [
    f"| {2000 + i} | [Paper {i}](https://x.org/{i}) | k{i % 3}; shared | "
    f"contribution {i} | {'![f](fig.png)' if i % 4 == 0 else ''} | "
    f"{'问题：too slow ' + str(i) if i % 2 else ''} |"
    for i in range(11)
]


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Frames of 4 papers, heavy chunks of 2: a small deck in many of each."""
    monkeypatch.setattr(loading, "_FRAME_ROWS", 4)
    monkeypatch.setattr(frames, "CHUNK_ROWS", 2)


def _cached(tmp_path: Path) -> tuple[loading._CachedDeck, Path]:
    notes = tmp_path / "notes.md"
    notes.write_text(table(*ROWS), "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        loading.open_deck(store, [notes], NOW)
        deck, _ = loading.open_deck(store, [notes], NOW)
    assert isinstance(deck, loading._CachedDeck)
    return deck, notes


def _chunks_read(deck: loading._CachedDeck) -> list[int]:
    rows = deck.__dict__["_raw_cards"]
    assert isinstance(rows, frames.Columns)
    return [k for k, got in enumerate(rows._read) if got is not None]


@pytest.mark.usefixtures("small_pieces")
def test_a_warm_start_reads_the_texts_of_the_first_card_only(tmp_path: Path) -> None:
    deck, notes = _cached(tmp_path)
    parsed = parse_files([notes])
    # today's plan and the stats: ids, keys and keywords, no text read
    assert deck.card_keys() == [(c.id, c.paper.key) for c in parsed.cards]
    assert deck.card_keywords() == [(c.id, c.paper.keywords) for c in parsed.cards]
    assert _chunks_read(deck) == []
    # the first card: a card of the sixth paper (third chunk of two papers)
    wanted = next(c for c in parsed.cards if c.paper.key == parsed.papers[5].key)
    got = deck.cards_by_id([wanted.id])[wanted.id]
    assert _chunks_read(deck) == [2]
    assert got == wanted and got.paper == parsed.papers[5]


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("seed", range(4))
def test_whatever_is_read_first_is_what_the_parse_gives(tmp_path: Path, seed: int) -> None:
    deck, notes = _cached(tmp_path)
    parsed = parse_files([notes])
    order = [("paper", i) for i in range(len(parsed.papers))]
    order += [("card", j) for j in range(len(parsed.cards))]
    random.Random(seed).shuffle(order)
    for what, i in order:  # each read alone, in a random order, across chunks and frames
        if what == "paper":
            assert deck.paper_at(i) == parsed.papers[i]
        else:
            assert deck.card_at(i) == parsed.cards[i]
    assert deck.card_backs() == [c.back for c in parsed.cards]
    assert deck.paper_column("title") == [p.title for p in parsed.papers]
    assert deck.papers_with_figures() == [bool(p.figures) for p in parsed.papers]
    assert deck == parsed


@pytest.mark.usefixtures("small_pieces")
def test_a_frame_read_whole_is_the_parsed_deck(tmp_path: Path) -> None:
    deck, notes = _cached(tmp_path)
    assert deck.papers == parse_files([notes]).papers  # all at once, nothing read before
    assert deck.cards == parse_files([notes]).cards


@pytest.mark.usefixtures("small_pieces")
def test_a_changed_byte_in_a_text_is_found_at_open_and_the_notes_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(table(*ROWS), "utf-8")
    key = str(notes.resolve())
    with Store.open(tmp_path / "s.db") as store:
        loading.open_deck(store, [notes], NOW)
        at = b"contribution 6"  # in the second frame's heavy part (its first)
        rewrite_frame(store, key, 1, lambda d: d.replace(at, b"C" + at[1:], 1))
        parsed = parses(monkeypatch)
        deck, _ = loading.open_deck(store, [notes], NOW)
        assert parsed == [str(notes)]  # found at open: read again from the notes
        again, _ = loading.open_deck(store, [notes], NOW)
        assert parsed == [str(notes)]  # and the cache written over
    assert [p.contribution for p in deck.papers][6] == "contribution 6"
    assert deck == again == parse_files([notes])


def test_a_text_chunk_of_another_shape_under_a_valid_crc_is_one_clear_error(
    tmp_path: Path,
) -> None:
    """Only another program could write it (studydeck's own damage fails the CRC): reading
    that paper's texts says what is wrong, never a traceback from deep inside."""
    light = (
        [("k",), ((),), (2020,), ("",), ("s",), (1,), (0,), ((),)],
        [(0,), ("k/contribution",), ("contribution",)],
        [(len(frames.marshal.dumps(([("t",)], ("b",)))), 1)],
    )
    data = frames.pack(light, [frames.marshal.dumps(([("t",)], ("b",)))])  # titles alone
    columns = loading._Columns([data])  # its light part is sound
    assert columns.n_papers == 1
    deck = loading._CachedDeck.of("n", columns, (), ())
    assert deck.card_keys() == [("k/contribution", "k")]
    with pytest.raises(StudydeckError, match=r"deck cache .* is damaged"):
        deck.paper_at(0)


def test_frame_bytes_give_back_their_rows() -> None:
    papers = [tuple(f"{f}{i}" for f in frames.FIELDS) for i in range(7)]
    cards = [(10 + i // 2, f"id{i}", "insight", f"back {i}") for i in range(14)]
    data = frames.encode(papers, cards, 10)
    assert frames.Columns([data], 10).all_rows() == (papers, cards)
    for base in (9, 11):  # counted from another first paper: a card of none of them
        with pytest.raises(frames.Damaged):
            frames.Columns([data], base)


def test_after_that_error_any_change_to_the_notes_reads_the_damaged_file_again(
    tmp_path: Path,
) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(table(*ROWS[:3]), "utf-8")
    b.write_text(table(*ROWS[3:6]), "utf-8")
    key = "\n".join(str(p.resolve()) for p in (a, b))
    with Store.open(tmp_path / "s.db") as store:
        loading.open_deck(store, [tmp_path], NOW)

        def repacked(data: bytes) -> bytes:  # under a valid CRC, its fingerprint kept
            paper_cols, card_cols, chunks = frames.light(data)
            bad = frames.marshal.dumps(([("t",) * 3], ("b",) * chunks[0][4]))  # titles alone
            return frames.pack((paper_cols, card_cols, [(len(bad), chunks[0][4])]), [bad])

        rewrite_frame(store, key, 1, repacked)  # b.md's one frame
        deck, _ = loading.open_deck(store, [tmp_path], NOW)
        assert deck.paper_at(0) == parse_files([a, b]).papers[0]  # a.md's: sound
        with pytest.raises(StudydeckError, match="change any notes file"):
            deck.paper_at(3)
        a.write_text(a.read_text("utf-8") + "\n", "utf-8")  # as the error says
        again, _ = loading.open_deck(store, [tmp_path], NOW)
        assert again == parse_files([a, b])
        assert again.paper_at(3).title == "Paper 3"
