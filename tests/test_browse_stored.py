"""Browse's search texts stored with the deck cache (each frame's search part, frames.py):
a filter through them finds what a plain search of the parsed deck finds (written here,
card by card), for random decks and terms, and still after an edit that rewrites one frame
(a frame's texts are its own rows', never an older writing's). A warm start never reads
them; a search part damaged under the frame's CRC is not read as texts (made from the
rows instead); a frame whose texts cannot be stored has none, and its texts are made."""

from __future__ import annotations

import random
import struct
import tempfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck import frames, loading
from studydeck.deck import parse_files
from studydeck.models import Card, Deck
from studydeck.naming import short_names
from studydeck.store import Store
from studydeck.tui.screens.browse_rows import (
    Cards,
    FirstRows,
    StoredMaker,
    notes_index,
    ranks,
    refilter,
    select,
    sort_rows,
    stored_index,
)

from .conftest import parses, rewrite_frame, table

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

#: Characters whose casefolding is not a lowercasing (ß -> ss, the ligature ﬁ -> fi, the
#: Kelvin sign -> k), CJK, and plain letters.
LETTERS = "aAbBkKfFiIsS\u00df\ufb01\u212a图像复原视频 "
word = st.text(alphabet=LETTERS.strip(), min_size=1, max_size=6)
phrase = st.lists(word, min_size=1, max_size=3).map(" ".join)


def row(n: int, title: str, kw: str, contribution: str, notes: str) -> str:
    return (
        f"| {2000 + n % 7} | [{title} {n}](https://x.org/{n}) | {kw} | {contribution} | | {notes} |"
    )


papers = st.lists(st.tuples(phrase, word, phrase, phrase), min_size=1, max_size=12)


def plain_has(card: Card, term: str) -> bool:
    """A free term's match, from the card as parsed (what browse's filter must find)."""
    p = card.paper
    words = (p.title, *short_names(p.short_name, p.contribution), *p.keywords, p.notes, card.back)
    return term.casefold() in " ".join(words).casefold()


def has_keyword(card: Card, value: str) -> bool:
    return any(value.casefold() in k.casefold() for k in card.paper.keywords)


def found(deck: Deck, term: str) -> list[int]:
    """The cards the stored texts give for ``term``, every way browse reads them."""
    cards = Cards(deck)
    assert cards.stored()  # (read from the cache: the stored texts are what is searched)
    order = sort_rows(range(len(cards)), "paper", cards, None, False)
    index = stored_index(cards, order)
    got = sorted(select(order, term, cards, index, None))
    # Searched as decoded (in notes order), and copied in the list's order a slice of two
    # rows at a time (browse's two stages): the same rows, the list in the same order.
    copy = StoredMaker(cards, order, cards.texts())
    while not copy.done:
        copy.step(2)
        copy.index.keyword_texts()  # (asked midway: those of the papers copied so far)
    assert len(copy.index.paper_text) == len(set(cards.column("paper")))  # each paper's once
    shown = [r for r in order if r in set(got)]
    for other in (notes_index(cards, cards.texts()), copy.index):
        assert sorted(select(order, term, cards, other, None)) == got, term
        assert refilter(None, term, order, lambda: ranks(order), cards, other, None).shown == shown
    # Each text read alone (browse's first rows, before the decode; a damaged frame's made
    # from its rows): walked in the list's order a few rows at a time, the first rows found
    # are the result's first rows, and walked to the end, its rows in its order.
    peeked = cards.peek()
    assert peeked is not None
    first = FirstRows(term, order, cards, peeked)
    first.walk(2, 3)
    assert first.matched == shown[: len(first.matched)] and first.walked <= max(3, len(order))
    while not first.done:
        first.walk(len(order), 3)
    assert first.matched == shown, term
    return got


def terms(parsed: Deck, rnd: random.Random) -> list[str]:
    """Pieces of the deck's own texts (in any case), and single letters."""
    texts = [c.paper.title + c.back + c.paper.notes for c in parsed.cards]
    out = list("skfiß\ufb01\u212aSK图")
    for t in rnd.sample(texts, min(4, len(texts))):
        t = t.replace(" ", "")
        if t:
            at = rnd.randrange(len(t))
            piece = t[at : at + rnd.randint(1, 4)]
            out += [piece, piece.upper(), piece.casefold()]
    return out


def cached(store: Store, notes: Path) -> loading._CachedDeck:
    deck, _ = loading.open_deck(store, [notes], NOW)
    assert isinstance(deck, loading._CachedDeck) and deck.stored_texts() is not None
    return deck


@pytest.fixture
def small_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    """Frames of 3 papers, heavy chunks of 2: a small deck in many of each."""
    monkeypatch.setattr(loading, "_FRAME_ROWS", 3)
    monkeypatch.setattr(frames, "CHUNK_ROWS", 2)


@pytest.mark.usefixtures("small_frames")
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=papers, edit=st.tuples(st.integers(0, 11), phrase), seed=st.integers(0, 99))
def test_a_search_of_the_stored_texts_finds_what_a_plain_search_finds(
    rows: list[tuple[str, str, str, str]], edit: tuple[int, str], seed: int
) -> None:
    rnd = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes.md"
        lines = [row(n, *r) for n, r in enumerate(rows)]
        notes.write_text(table(*lines), "utf-8")
        with Store.open(Path(tmp) / "s.db") as store:
            loading.open_deck(store, [notes], NOW)  # parsed: the cache written
            for _ in range(2):  # as written, then after one row's edit
                deck, parsed = cached(store, notes), parse_files([notes])
                assert deck.card_count == len(parsed.cards)
                for term in [*terms(parsed, rnd), "edited", "new" + edit[1][:2]]:
                    expected = [j for j, c in enumerate(parsed.cards) if plain_has(c, term)]
                    assert found(deck, term) == expected, term
                for value in [*terms(parsed, rnd)[-3:], "k", ""]:
                    expected = [j for j, c in enumerate(parsed.cards) if has_keyword(c, value)]
                    assert found(deck, "kw:" + value) == expected, value
                # The list's sort by title: the stored title keys give the plain one.
                cards = Cards(deck)
                by_title = sorted(
                    range(len(parsed.cards)), key=lambda j: parsed.cards[j].paper.title.casefold()
                )
                assert sort_rows(range(len(cards)), "paper", cards, None, False) == by_title
                # One row's title and notes changed: its frame is written again.
                n = edit[0] % len(lines)
                lines[n] = row(n, edit[1] + " edited", "k", edit[1], "new " + edit[1])
                notes.write_text(table(*lines), "utf-8")
                loading.open_deck(store, [notes], NOW)  # the edit's parse


@pytest.mark.usefixtures("small_frames")
def test_a_warm_start_reads_no_search_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(table(*[row(n, "Video fi", "k", "M: a method", "ß") for n in range(8)]))
    with Store.open(tmp_path / "s.db") as store:
        loading.open_deck(store, [notes], NOW)
        read: list[int] = []
        real = frames.texts
        monkeypatch.setattr(frames, "texts", lambda *a, **k: read.append(1) or real(*a, **k))
        deck = cached(store, notes)
        parsed = parse_files([notes])
        assert deck.card_keys() == [(c.id, c.paper.key) for c in parsed.cards]
        assert deck.card_at(5) == parsed.cards[5]  # a first card
        assert read == []
        assert found(deck, "ss") == list(range(len(parsed.cards)))  # browse: read now
        assert read


@pytest.mark.usefixtures("small_frames")
def test_a_damaged_search_part_is_not_read_as_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its own CRC finds a changed byte (the frame's CRC leaves the search part out, so the
    open is still a hit): its frame's texts are made from the rows."""
    notes = tmp_path / "notes.md"
    notes.write_text(table(*[row(n, f"Paper{n}", "k", "x", "y") for n in range(6)]), "utf-8")
    key = str(notes.resolve())
    with Store.open(tmp_path / "s.db") as store:
        loading.open_deck(store, [notes], NOW)

        def renamed(data: bytes) -> bytes:  # in the search part (casefolded: the texts')
            at = data.rindex(b"paper4")
            return data[:at] + b"paper9" + data[at + 6 :]

        rewrite_frame(store, key, 1, renamed)  # papers 3-5
        parsed_files = parses(monkeypatch)
        deck = cached(store, notes)
        assert parsed_files == []  # a hit: the search part is checked when read
        parsed = parse_files([notes])
        for term in ("paper4", "paper9", "paper"):
            expected = [j for j, c in enumerate(parsed.cards) if plain_has(c, term)]
            assert found(deck, term) == expected, term


def paper(i: int, title: str) -> tuple[object, ...]:
    """A paper row (values in frames.FIELDS order) titled ``title``."""
    values = {f: f"{f}{i}" for f in frames.FIELDS}
    values.update(title=title, keywords=("k",), figures=(), year=2020, line=i, order=i)
    return tuple(values[f] for f in frames.FIELDS)


def test_a_frame_whose_texts_hold_a_nul_has_no_search_part_and_they_are_made() -> None:
    papers = [paper(0, "A\x00B"), paper(1, "Straße")]
    cards = [(0, "id0", "insight", "Back\x00one"), (1, "id1", "insight", "ﬁne")]
    data = frames.encode(papers, cards, 0)
    assert frames.search_part(list(zip(*papers, strict=True)), [c[3] for c in cards]) == b""
    texts, own = frames.Columns([data]).search()
    assert own == ["back\x00one", "fine"]
    assert texts[0].startswith("a\x00b ") and texts[1].startswith("strasse ")
    assert frames.Columns([data]).title_keys() == ["a\x00b", "strasse"]


@pytest.mark.usefixtures("small_frames")
def test_a_search_parts_crc_is_checked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read for the sort's title keys (at open), then for the texts (browse): each frame's
    search part's CRC is computed once, and the texts are still its own."""
    notes = tmp_path / "notes.md"
    notes.write_text(table(*[row(n, f"Paper{n}", "k", "x", "y") for n in range(7)]), "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        loading.open_deck(store, [notes], NOW)
        deck = cached(store, notes)
        rows = deck.stored_texts()
        assert rows is not None
        sums: list[int] = []
        crc32 = frames.zlib.crc32

        class Counted:
            @staticmethod
            def crc32(data: memoryview) -> int:
                sums.append(len(data))
                return crc32(data)

        monkeypatch.setattr(frames, "zlib", Counted)
        rows.title_keys()
        assert len(sums) == 3  # three frames of three papers, then one
        parsed = parse_files([notes])
        assert found(deck, "paper6") == [
            j for j, c in enumerate(parsed.cards) if plain_has(c, "paper6")
        ]
        assert len(sums) == 3


def test_where_each_stored_text_ends_is_checked_before_one_is_read_alone() -> None:
    """A frame's texts read one at a time (browse's first rows) are the ones decoded whole.
    Written by another program under a valid CRC: ends that do not end where the texts
    do give no such reading, and an end inside a character is damage (a ValueError browse
    gives up on, then waits for the whole decode), never a UnicodeDecodeError."""
    papers = [paper(0, "图像复原"), paper(1, "Straße"), paper(2, "")]
    cards = [(0, "a", "insight", "视频"), (1, "b", "insight", ""), (2, "c", "insight", "ﬁne")]
    data = frames.encode(papers, cards, 0)
    whole = frames.Columns([data]).search()
    peeked = frames.Columns([data]).peek()
    assert peeked is not None
    assert [list(peeked[0]), list(peeked[1])] == [whole[0], whole[1]]
    assert whole[1] == ["视频", "", "fine"] and whole[0][0].startswith("图像复原 ")
    assert [peeked[1][j] for j in (2, 0, 1)] == ["fine", "视频", ""]  # in any order
    search_len = frames._HEAD.unpack_from(data)[2]
    ends_at = search_len - 4 * (len(papers) + len(cards))

    def resealed(change: Callable[[bytearray], None]) -> frames.Columns:
        part = bytearray(data[-search_len:])
        change(part)
        part[:4] = struct.pack("<I", zlib.crc32(part[4:]))  # a valid CRC
        return frames.Columns([data[:-search_len] + bytes(part)])

    def last_short(part: bytearray) -> None:  # the last paper text's end, one byte short
        at = ends_at + 4 * (len(papers) - 1)
        part[at : at + 4] = struct.pack("<I", struct.unpack_from("<I", part, at)[0] - 1)

    assert resealed(last_short).peek() is None
    mid = resealed(lambda part: part.__setitem__(slice(ends_at, ends_at + 4), b"\x01\0\0\0"))
    split = mid.peek()
    assert split is not None  # (its last end is right)
    for i in (0, 1):  # the first ends, the second starts, inside 图 (three bytes)
        with pytest.raises(frames.Damaged):
            split[0][i]
    assert split[0][2] == whole[0][2]
