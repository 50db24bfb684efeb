"""Opening a deck after an edit builds it as the deck cache's rows (no Paper or Card for the
rows nobody reads) and reconciles the store from them. Whatever the edits -- rows changed,
inserted, deleted or moved, across files, a file renamed, added or removed, two files'
contents swapped -- the deck it gives is the deck a fresh parse gives (papers, cards, keys,
diagnostics), and the store is left as a full reconcile of that parse leaves it."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studydeck import segments
from studydeck.deck import find_files, parse_files
from studydeck.incremental import FileCaches, paper_card_rows
from studydeck.loading import open_deck
from studydeck.parsing import PAPER_FIELDS
from studydeck.store import Store
from studydeck.store.reconcile import row_signature, signature
from tests.test_reconcile_known import contents

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
HEADER = "| 年份 | 论文 | 关键词 | 核心贡献 | 笔记 | 图 |\n| :- | :- | :- | :- | :- | :- |"
TITLES = [
    "Deep Net",
    "Deep Nett",  # a typo of the first: a rename when the year or section agrees
    "[Deep Net](https://x.org/1)",
    "[Deep Network](https://x.org/1)",  # same link, new title
    "Wide Net",
    "Wide Net",  # repeated: K, K#2 (or by section)
    "Tall Net",
]
Row = tuple[str, str, int, str, str, str]
row = st.tuples(
    st.sampled_from(["A", "B"]),  # section
    st.sampled_from(TITLES),
    st.sampled_from([2020, 2021]),
    st.sampled_from(["", "c", "很强。"]),  # contribution (a back may equal it)
    st.sampled_from(["", "很强。", "但很慢。", "很强。但很慢。很快。", "c"]),  # notes
    st.sampled_from(["", "![f](a.png)", "![g](b.png) ![f](a.png)"]),  # figures
)
NAMES = ["a.md", "b.md", "c.md", "d.md"]
op = st.one_of(
    st.tuples(st.just("change"), st.sampled_from(NAMES), st.integers(0, 9), row),
    st.tuples(st.just("insert"), st.sampled_from(NAMES), st.integers(0, 9), row),
    st.tuples(st.just("delete"), st.sampled_from(NAMES), st.integers(0, 9)),
    st.tuples(st.just("move"), st.sampled_from(NAMES), st.integers(0, 9), st.sampled_from(NAMES)),
    st.tuples(st.just("rename"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
    st.tuples(st.just("add"), st.sampled_from(NAMES), st.lists(row, max_size=4)),
    st.tuples(st.just("remove"), st.sampled_from(NAMES)),
    st.tuples(st.just("broken"), st.sampled_from(NAMES)),  # a row that is only a diagnostic
    st.tuples(st.just("swap"), st.sampled_from(NAMES), st.sampled_from(NAMES)),  # contents
)


def text(rows: list[Row], broken: bool = False) -> str:
    out = ["# T"]
    for section in ("A", "B"):
        out += ["", f"## {section}", "", HEADER]
        out += [f"| {y} | {t} | k | {c} | {n} | {f} |" for s, t, y, c, n, f in rows if s == section]
        if broken and section == "A":
            out.append("|  | | k | c | n | |")  # no title: a warning, no paper
    return "\n".join(out) + "\n"


def apply(files: dict[str, list[Row]], broken: set[str], o: tuple) -> None:  # type: ignore[type-arg]
    kind, name = o[0], o[1]
    rows = files.get(name)
    if kind == "add":
        files.setdefault(name, list(o[2]))
    elif rows is None:
        return
    elif kind == "change" and rows:
        rows[o[2] % len(rows)] = o[3]
    elif kind == "insert":
        rows.insert(o[2] % (len(rows) + 1), o[3])
    elif kind == "delete" and rows:
        del rows[o[2] % len(rows)]
    elif kind == "move" and rows and o[3] in files:
        files[o[3]].append(rows.pop(o[2] % len(rows)))
    elif kind == "rename" and o[2] not in files:
        files[o[2]] = files.pop(name)
        if name in broken:
            broken.discard(name)
            broken.add(o[2])
    elif kind == "remove" and len(files) > 1:
        del files[name]
    elif kind == "broken":
        broken ^= {name}
    elif kind == "swap" and o[2] in files:
        files[name], files[o[2]] = files[o[2]], rows
        if (name in broken) != (o[2] in broken):
            broken ^= {name, o[2]}


def write(folder: Path, files: dict[str, list[Row]], broken: set[str]) -> None:
    for p in folder.glob("*.md"):
        if p.name not in files:
            p.unlink()
    for name, rows in files.items():
        t = text(rows, name in broken)
        p = folder / name
        if not p.exists() or p.read_text("utf-8") != t:
            p.write_text(t, "utf-8")


def same_deck(got: object, folder: Path) -> None:
    want = parse_files(find_files([folder]).files)
    assert got == want
    assert isinstance(got, type(want))
    assert got.papers == want.papers
    assert [(c.id, c.kind, c.paper, c.question, c.back) for c in got.cards] == [
        (c.id, c.kind, c.paper, c.question, c.back) for c in want.cards
    ]
    assert got.diagnostics == want.diagnostics
    assert (got.name, got.sources) == (want.name, want.sources)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(NAMES[:3]), st.lists(row, max_size=5), min_size=1),
    st.lists(op, min_size=1, max_size=6),
)
@example(  # renamed and back: the first name's cache is still there, and still the notes
    start={"a.md": [("A", "Deep Net", 2020, "", "", "")]},
    ops=[("rename", "a.md", "b.md"), ("rename", "b.md", "a.md")],
)
@example(  # a kept file's title repeated in the file edited, then not: its keys change twice
    start={"a.md": [("A", "Wide Net", 2020, "", "", "")], "b.md": []},
    ops=[
        ("insert", "b.md", 0, ("A", "Wide Net", 2021, "c", "", "")),
        ("delete", "b.md", 0),
        ("swap", "a.md", "b.md"),
    ],
)
def test_an_edited_deck_opens_as_a_fresh_parse_and_reconciles_as_in_full(
    start: dict[str, list[Row]],
    ops: list[tuple],  # type: ignore[type-arg]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "notes"
        folder.mkdir()
        files = {k: list(v) for k, v in start.items()}
        broken: set[str] = set()
        write(folder, files, broken)
        fast, full = Store.open(root / "a.db"), Store.open(root / "b.db")
        try:
            for o in [("none", "a.md"), *ops]:
                apply(files, broken, o)
                write(folder, files, broken)
                deck, got = open_deck(fast, [folder], NOW)
                want = parse_files(find_files([folder]).files)
                report = full.reconcile(want.papers, want.cards, want.sources, NOW)
                same_deck(deck, folder)
                assert (got.new, got.renamed, got.retired, got.restored) == (
                    report.new,
                    report.renamed,
                    report.retired,
                    report.restored,
                )
                assert contents(fast) == contents(full)
                again, _ = open_deck(fast, [folder], NOW)  # a hit: the rows just written
                same_deck(again, folder)
        finally:
            fast.close()
            full.close()


def test_rows_sign_as_the_papers_and_cards_they_make(tmp_path: Path) -> None:
    notes = tmp_path / "n.md"
    rows: list[Row] = [
        ("A", "Deep Net", 2020, "c", "很强。但很慢。", "![g](b.png) ![f](a.png)"),
        ("A", "Wide Net", 2021, "", "c", ""),
        ("B", "Wide Net", 2021, "很强。", "很强。", "![f](a.png)"),
    ]
    notes.write_text(text(rows), "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        # (the rows an edited deck is made of: loading.open_deck)
        segs, _ = segments.read([notes], [], [None], {}, FileCaches(store).parse)
        papers, cards, signed, _ = segments.settle(segs, paper_card_rows)
    got = row_signature(papers, cards, PAPER_FIELDS)
    assert list(signed.items()) == list(got.items())
    parsed = parse_files([notes])
    assert list(got.items()) == list(signature(parsed.papers, parsed.cards).items())
    assert len(got) == 3 and len({len(v) for v in got.values()}) == 1


def test_an_edit_builds_papers_and_cards_only_for_the_row_it_changed(tmp_path: Path) -> None:
    notes = tmp_path / "n.md"
    rows: list[Row] = [
        ("A", t, 2020, "c", "很强。", "") for t in ("Deep Net", "Wide Net", "Tall Net")
    ]
    notes.write_text(text(rows), "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], NOW)
        rows[1] = ("A", "Wide Net", 2020, "c", "但很慢。", "")
        notes.write_text(text(rows), "utf-8")
        deck, report = open_deck(store, [notes], NOW)
        made = deck.__dict__
        assert sorted(made["_made_papers"]) == [1]  # the reconcile read the changed paper only
        assert [c.paper.title for c in made["_made_cards"].values()] == ["Wide Net", "Wide Net"]
        assert (report.new, report.retired) == (1, 1)  # its insight card became a critique
        assert deck == parse_files([notes])


def sections(*tables: list[Row], names: str = "ABCDEF") -> str:
    """A section per table, each table its own stretch (a blank line before each head)."""
    out = ["# T"]
    for section, rows in zip(names, tables, strict=False):
        out += ["", f"## {section}", "", HEADER]
        out += [f"| {y} | {t} | k | {c} | {n} | {f} |" for _, t, y, c, n, f in rows]
    return "\n".join(out) + "\n"


def frame_rows(store: Store, *notes: Path) -> list[tuple[object, ...]]:
    """The deck cache's frame rows of the deck of these files (rowid, name): a row written
    again has a new rowid."""
    low = "\n".join(str(n.resolve()) for n in notes) + "\x00frame "
    return [
        tuple(r)
        for r in store.query(
            "SELECT rowid, deck FROM deck_cache WHERE deck > ? AND deck < ? ORDER BY deck",
            (low, low[:-1] + "!"),
        )
    ]


def test_an_edit_writes_again_only_the_cache_frames_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studydeck import loading

    monkeypatch.setattr(loading, "_FRAME_ROWS", 2)
    notes = tmp_path / "n.md"
    rows: list[Row] = [("A", f"Net {n}", 2020, "c", "很强。", "") for n in range(6)]
    # (a frame per table: a frame is written again when a stretch its rows come from changed)
    notes.write_text(sections(rows[:2], rows[2:4], rows[4:]), "utf-8")

    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], NOW)
        before = frame_rows(store, notes)
        rows[3] = ("A", "Net 3", 2020, "c", "但很慢。", "")  # the second frame's second paper
        notes.write_text(sections(rows[:2], rows[2:4], rows[4:]), "utf-8")
        edited, _ = open_deck(store, [notes], NOW)
        after = frame_rows(store, notes)
        assert len(before) == len(after) == 3
        assert [a == b for a, b in zip(before, after, strict=True)] == [True, False, True]
        cached, _ = open_deck(store, [notes], NOW)
        assert edited == cached == parse_files([notes])
        # fewer papers, fewer frames: the third frame's row is gone
        notes.write_text(sections(rows[:2], rows[2:4], []), "utf-8")
        open_deck(store, [notes], NOW)
        assert frame_rows(store, notes) == after[:2]
        shorter, _ = open_deck(store, [notes], NOW)
        assert shorter == parse_files([notes])


NET0, NET1 = ("A", "Net 0", 2020, "c", "很强。", ""), ("A", "Net 1", 2020, "c", "很强。", "")
TALL: Row = ("A", "Tall Net", 2020, "c", "很强。", "")


@pytest.mark.parametrize(
    "before, after, changed",
    [
        # the second table's text and place unchanged, its section renamed
        (sections([NET0], [NET1]), sections([NET0], [NET1], names="AC"), [False, True]),
        # its title now repeated in the first table (edited): its row keyed otherwise
        (sections([NET0, TALL], [NET1]), sections([NET0, NET1], [NET1]), [True, True, True]),
        # a line more above it: its rows' lines moved
        (sections([NET0], [NET1]), sections([NET0], [NET1]).replace("## B", "## B\n"), [0, 1]),
    ],
    ids=["section", "key", "line"],
)
def test_a_frame_of_unchanged_stretches_is_written_again_when_its_rows_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: str, after: str, changed: list[bool]
) -> None:
    from studydeck import loading

    monkeypatch.setattr(loading, "_FRAME_ROWS", 1)
    notes = tmp_path / "n.md"
    with Store.open(tmp_path / "s.db") as store:
        notes.write_text(before, "utf-8")
        open_deck(store, [notes], NOW)
        was = frame_rows(store, notes)
        notes.write_text(after, "utf-8")
        open_deck(store, [notes], NOW)
        now = frame_rows(store, notes)
        assert [a != b for a, b in zip(was, now, strict=True)] == [bool(c) for c in changed]
        cached, _ = open_deck(store, [notes], NOW)  # a hit: the frames as written
        assert cached == parse_files([notes])


def test_a_frame_of_unchanged_stretches_moved_in_the_deck_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studydeck import loading

    monkeypatch.setattr(loading, "_FRAME_ROWS", 2)
    folder = tmp_path / "notes"
    folder.mkdir()
    a, b = folder / "a.md", folder / "b.md"
    with Store.open(tmp_path / "s.db") as store:
        a.write_text(sections([NET0]), "utf-8")
        b.write_text(sections([NET1], [TALL], [TALL]), "utf-8")
        open_deck(store, [folder], NOW)
        was = frame_rows(store, a, b)
        # b's papers one place later in the deck (a still one frame); b read again, its
        # first frame's two tables unchanged in the file
        a.write_text(sections([NET0, WIDE]), "utf-8")
        b.write_text(sections([NET1], [TALL], [(*TALL[:4], "但很慢。", "")]), "utf-8")
        deck, _ = open_deck(store, [folder], NOW)
        same_deck(deck, folder)
        assert [x != y for x, y in zip(was, frame_rows(store, a, b), strict=True)] == [
            True,
            True,
            True,
        ]
        cached, _ = open_deck(store, [folder], NOW)  # a hit: the frames as written
        same_deck(cached, folder)


def test_frames_of_a_file_read_whole_are_fingerprinted_by_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studydeck import loading

    monkeypatch.setattr(loading, "_FRAME_ROWS", 1)
    notes = tmp_path / "n.md"
    odd = "\u2028"  # (a line break markdown-it counts otherwise: the file is read whole)
    with Store.open(tmp_path / "s.db") as store:
        notes.write_text(sections([NET0], [NET1]) + odd, "utf-8")
        open_deck(store, [notes], NOW)
        was = frame_rows(store, notes)
        notes.write_text(sections([NET0], [(*NET1[:4], "但很慢。", "")]) + odd, "utf-8")
        open_deck(store, [notes], NOW)
        assert [a != b for a, b in zip(was, frame_rows(store, notes), strict=True)] == [
            False,
            True,
        ]
        cached, _ = open_deck(store, [notes], NOW)
        assert cached == parse_files([notes])


def test_stretches_of_another_block_format_write_every_frame_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studydeck import incremental, loading

    monkeypatch.setattr(loading, "_FRAME_ROWS", 1)
    notes = tmp_path / "n.md"
    with Store.open(tmp_path / "s.db") as store:
        notes.write_text(sections([NET0], [NET1]), "utf-8")
        open_deck(store, [notes], NOW)
        was = frame_rows(store, notes)
        # the same stretches, as the events of another version of the parser make them
        monkeypatch.setattr(incremental, "_TAG", "another")
        monkeypatch.setattr(segments, "BLOCKS_TAG", "another")
        notes.write_text(sections([(*NET0[:4], "但很慢。", "")], [NET1]), "utf-8")
        open_deck(store, [notes], NOW)
        assert [a != b for a, b in zip(was, frame_rows(store, notes), strict=False)] == [
            True,
            True,
        ]


def settled_rows(store: Store, files: list[Path]) -> tuple[list[object], list[object], dict]:  # type: ignore[type-arg]
    """An edited deck's rows and signature as ``loading.open_deck`` makes them (its files
    read through their block caches, the memos it settles kept with their stretches)."""
    blocks = FileCaches(store)
    segs, _ = segments.read(files, [], [None] * len(files), {}, blocks.parse)
    papers, cards, signed, _ = segments.settle(segs, paper_card_rows)
    for s in segs:
        if s.settled is not None:
            blocks.remember(s.path, s.settled)
    return papers, cards, signed


def fresh_rows(files: list[Path]) -> tuple[list[object], list[object], dict]:  # type: ignore[type-arg]
    """The same from a parse that keeps nothing: each row signed and carded."""
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "s.db") as store:
        return settled_rows(store, files)


def two_sections(a: list[Row], b: list[Row]) -> str:
    """Sections A and B, each table its own stretch (a blank line before each head)."""
    out = ["# T"]
    for section, rows in (("A", a), ("B", b)):
        out += ["", f"## {section}", "", HEADER]
        out += [f"| {y} | {t} | k | {c} | {n} | {f} |" for _, t, y, c, n, f in rows]
    return "\n".join(out) + "\n"


NET: Row = ("A", "Deep Net", 2020, "c", "很强。但很慢。", "![f](a.png)")
WIDE: Row = ("A", "Wide Net", 2021, "c", "很强。", "")


@pytest.mark.parametrize(
    "before, after",
    [
        # the same table text under another heading: the rows' section changed
        (two_sections([NET, WIDE], []), two_sections([], [NET, WIDE])),
        # a title repeated above a table nobody touched: that table's row changes key
        (two_sections([NET], [WIDE]), two_sections([NET, WIDE], [WIDE])),
        # and not repeated any more: back to its own key
        (two_sections([NET, WIDE], [WIDE]), two_sections([NET], [WIDE])),
    ],
    ids=["section", "key", "key-back"],
)
def test_a_row_read_from_an_unchanged_stretch_is_signed_for_where_it_is_now(
    tmp_path: Path, before: str, after: str
) -> None:
    notes = tmp_path / "n.md"
    with Store.open(tmp_path / "s.db") as store:
        notes.write_text(before, "utf-8")
        assert settled_rows(store, [notes]) == fresh_rows([notes])
        notes.write_text(after, "utf-8")
        got = settled_rows(store, [notes])
    want = fresh_rows([notes])
    assert got[0] == want[0]
    assert got[1] == want[1]  # card ids: the prefix of the key the row has now
    assert list(got[2].items()) == list(want[2].items())
    parsed = parse_files([notes])
    assert list(got[2].items()) == list(signature(parsed.papers, parsed.cards).items())


def test_rows_of_a_later_file_read_again_are_signed_with_their_own_cards(
    tmp_path: Path,
) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(sections([NET0, NET1]), "utf-8")
    b.write_text(sections([TALL], [WIDE]), "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        settled_rows(store, [a, b])
        b.write_text(sections([TALL], [(*WIDE[:4], "但很慢。", "")]), "utf-8")  # its kinds
        got = settled_rows(store, [a, b])
    parsed = parse_files([a, b])
    assert list(got[2].items()) == list(signature(parsed.papers, parsed.cards).items())


def test_a_file_read_under_another_name_is_signed_with_that_name(tmp_path: Path) -> None:
    notes = tmp_path / "n.md"
    notes.write_text(two_sections([NET], [WIDE]), "utf-8")
    other = tmp_path / "sub" / ".." / "n.md"  # the same file (one block cache), named otherwise
    (tmp_path / "sub").mkdir()
    with Store.open(tmp_path / "s.db") as store:
        settled_rows(store, [notes])
        got = settled_rows(store, [other])
        again = settled_rows(store, [notes])
    for rows, name in ((got, other), (again, notes)):
        assert [r[PAPER_FIELDS.index("source")] for r in rows[0]] == [str(name)] * 2  # type: ignore[index]
        assert list(rows[2].items()) == list(fresh_rows([name])[2].items())


def test_an_edit_signs_and_keys_again_only_the_rows_of_the_stretches_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studydeck.store import reconcile

    notes = tmp_path / "n.md"
    a = [("A", f"Net {n}", 2020, "c", "很强。", "") for n in range(4)]
    b = [("B", f"Web {n}", 2021, "c", "但很慢。", "") for n in range(3)]
    notes.write_text(two_sections(a, b), "utf-8")
    signed: list[object] = []
    prefixed: list[str] = []
    sign, prefix = reconcile._sign, segments.card_id_prefix
    monkeypatch.setattr(reconcile, "_sign", lambda v, i: signed.append(v[1]) or sign(v, i))
    monkeypatch.setattr(segments, "card_id_prefix", lambda k: prefixed.append(k) or prefix(k))
    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], NOW)
        assert len(signed) == len(prefixed) == 7  # (and nothing twice)
        signed.clear()
        prefixed.clear()
        b[1] = ("B", "Web 1", 2021, "c", "很强。", "")
        notes.write_text(two_sections(a, b), "utf-8")
        deck, report = open_deck(store, [notes], NOW)
        assert signed == ["Web 0", "Web 1", "Web 2"]  # table B's stretch, read again
        assert prefixed == ["title:web 0", "title:web 1", "title:web 2"]
        assert deck == parse_files([notes])
        assert (report.new, report.retired) == (1, 1)
        signed.clear()
        a[0] = ("A", "Net 0", 2021, "c", "很强。", "")
        notes.write_text(two_sections(a, b), "utf-8")
        deck, report = open_deck(store, [notes], NOW)
        assert signed == ["Net 0", "Net 1", "Net 2", "Net 3"]  # B's memos were kept
        assert deck == parse_files([notes])
