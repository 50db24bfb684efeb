"""Editing a notes file re-parses only what changed, and gives exactly what a full parse of
the edited file gives: the same papers (sections, line numbers, order) and diagnostics."""

from __future__ import annotations

import marshal
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studydeck import incremental
from studydeck.incremental import BlockCache, parse_incremental
from studydeck.loading import open_deck
from studydeck.models import CardKind
from studydeck.parsing import parse_text, scan, scan_table
from studydeck.store import Store

HEADER = "| 年份 | 论文 | 关键词 | 核心贡献 | 笔记 |"
DELIM = "| :- | :- | :- | :- | :- |"

# Lines that make and break tables, containers and fences, and rows with problems.
LINES = [
    HEADER,
    DELIM,
    "| Title | Year |",
    "|---|---|",
    "| 2021 | EDVR: Video Restoration | 视频复原 | 可形变卷积对齐 | 很强 |",
    "| 2020 | [BasicVSR](https://x.org/a) | VSR | 双向传播 |  |",
    "| 2019 | MPRNet | 图像复原 | | 但计算复杂度上去了 |",
    "|  | | | | |",
    "| 20xx | Pipe | A|B | x | y |",
    "| 2018 | ![](fig.png) | k | c | n |",
    "2022 | No Leading Pipe | kw | contribution | notes",
    "## Section A",
    "# 论文阅读",
    "Section B",
    "---",
    "",
    "",
    "   ",
    "```",
    "~~~~",
    "``` not a closing fence",
    "\u3000",
    "    | 2017 | Indented | k | c | n |",
    "  | 2016 | Two spaces | k | c | n |",
    "- item",
    "  - nested | x |",
    "  | 2014 | In a list item | k | c | n |",
    "> quote | a |",
    "1. first",
    "plain paragraph text",
    "\t| tab | row |",
    "| 2015 | Same Title | k | c | n |",
    "| 2015 | Same Title | k | c | n |",
    # What the table rule's own cell splitting does: escaped pipes, odd spaces, short rows.
    "| 2013 | Escaped \\| pipe | a \\\\| b | c\\ | n \\|",
    "|\u00a0 2012 \u3000| Odd\u2003spaces |\tk\t| c |  |",
    "| 2011 | Short row |",
    "|| 2010 | Empty first |",
    "   | 2009 | Three spaces in | k | c | n |",
    "| 2008 | No closing pipe | k | c | n",
    "| 2007 | Trailing backslash \\",
    "|",
]

ROWS = [x for x in LINES if x.count("|") >= 3 and x not in (HEADER, DELIM)]
line = st.sampled_from(LINES)
# Tables (at the top level or two spaces in, as in a list item) among loose lines.
table_piece = st.builds(
    lambda indent, head, rows: [indent + head[0], indent + head[1], *(indent + r for r in rows)],
    st.sampled_from(["", "  "]),
    st.sampled_from([(HEADER, DELIM), ("| Title | Year |", "|---|---|")]),
    st.lists(st.sampled_from(ROWS), max_size=8),
)
# A fence, a blank line, then a table: code, not a table, up to where the fence closes.
fenced = st.builds(
    lambda fence, inner, table: [fence, "", inner, "", *table],
    st.sampled_from(["```", "~~~~", "  ```"]),
    st.sampled_from(["code", "``` not a closing fence"]),
    table_piece,
)
# A line of full-width spaces is not blank to markdown-it.
spaced = table_piece.map(lambda t: ["plain paragraph text", "\u3000", *t])
doc = st.lists(st.one_of(table_piece, fenced, spaced, line.map(lambda x: [x])), max_size=12).map(
    lambda pieces: [x for piece in pieces for x in piece]
)
edit = st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.integers(0, 60), line)


def apply(lines: list[str], edits: list[tuple[str, int, str]]) -> list[str]:
    out = list(lines)
    for kind, at, text in edits:
        at = at % (len(out) + 1)
        if kind == "insert":
            out.insert(at, text)
        elif out and at < len(out):
            if kind == "delete":
                del out[at]
            else:
                out[at] = text
    return out


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of two rows, so the generated files are cut inside tables as a long file is.
    monkeypatch.setattr(incremental, "CHUNK_ROWS", 2)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc, st.lists(edit, min_size=1, max_size=4), st.booleans())
# A fence in a list item ends with the item; the ``` further down opens a new one.
@example(
    ["- item", "  ```", "", "code", "", HEADER, DELIM, "```", "", "code", "", HEADER, DELIM],
    [("insert", 13, "| 2021 | EDVR | k | c | n |")],
    False,
)
def test_random_edits_parse_like_the_whole_file(
    base: list[str], edits: list[tuple[str, int, str]], trailing_newline: bool
) -> None:
    end = "\n" if trailing_newline else ""
    before = "\n".join(base) + end
    after = "\n".join(apply(base, edits)) + end
    cache = BlockCache()
    assert parse_incremental(before, "notes.md", cache) == parse_text(before, "notes.md")
    # The cache survives being stored, as it is between two runs.
    cache = BlockCache.from_bytes(cache.to_bytes())
    assert parse_incremental(after, "notes.md", cache) == parse_text(after, "notes.md")


def table(rows: int) -> list[str]:
    return [
        f"| {2000 + i % 20} | Paper {i} | 视频复原 | contribution {i} | notes {i} |"
        for i in range(rows)
    ]


def test_an_edited_row_is_the_only_stretch_read_again() -> None:
    lines = ["# 论文阅读", "", "## A", "", HEADER, DELIM, *table(9), "", "## B", HEADER, DELIM]
    text = "\n".join([*lines, *table(9)]) + "\n"
    cache = BlockCache()
    first = parse_incremental(text, "notes.md", cache)
    edited = text.replace("contribution 7 |", "contribution 7, edited |", 1)
    again = parse_incremental(edited, "notes.md", cache)
    # Its chunk is read again; if the edit made the row end a chunk, the chunk is two now.
    assert cache.parsed <= 2
    assert again == parse_text(edited, "notes.md")
    changed = [
        (a.get("line"), b["contribution"])
        for a, b in zip(first.rows, again.rows, strict=True)
        if a != b
    ]
    assert changed == [(14, "contribution 7, edited")]


def test_the_same_text_again_reads_every_stretch_from_the_cache_and_changes_nothing() -> None:
    text = "\n".join(["# T", "", "## A", HEADER, DELIM, *table(9), "", "text"]) + "\n"
    cache = BlockCache()
    first = parse_incremental(text, "notes.md", cache)
    assert cache.changed and cache.parsed > 3
    assert parse_incremental(text, "notes.md", cache) == first
    assert (cache.parsed, cache.changed) == (0, False)  # (so nothing is written)


def test_other_line_breaks_fall_back_to_the_full_parse() -> None:
    text = f"# T\u2028x\n\n{HEADER}\n{DELIM}\n" + "\n".join(table(5)) + "\n"
    cache = BlockCache()
    assert parse_incremental(text, "notes.md", cache) == parse_text(text, "notes.md")
    assert cache.blocks == {}


@pytest.mark.parametrize(
    "brk", ["\x00", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
def test_every_line_break_markdown_it_counts_otherwise_reads_like_the_whole_file(
    brk: str,
) -> None:
    # str.splitlines() ends a line at each of these (NUL: the row splitter reads it as
    # markdown-it does not); in a row, the rest of the row reads otherwise if cut there.
    rows = table(6)
    rows[2] = rows[2].replace("notes 2", f"notes{brk}| 2")
    text = "\n".join(["# T", "", HEADER, DELIM, *rows]) + "\n"
    assert parse_incremental(text, "notes.md", BlockCache()) == parse_text(text, "notes.md")


def test_opening_an_edited_deck_reads_it_through_the_block_cache(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 6, 1, tzinfo=UTC)
    notes = tmp_path / "notes.md"
    notes.write_text("\n".join(["# 论文阅读", "", HEADER, DELIM, *table(7)]) + "\n", "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], now)
        notes.write_text(notes.read_text("utf-8").replace("Paper 3 |", "Paper Three |"), "utf-8")
        deck, report = open_deck(store, [notes], now)
    titles = [p.title for p in deck.papers]
    assert titles[3] == "Paper Three"
    assert [p.line for p in deck.papers] == list(range(5, 12))
    assert report.changed


CELL_PIECES = [*"ab 中\t\\|`*_[]!()#", " ", "\u3000", "\xa0", "\u2003", "\\|", "\\\\|"]
cell_text = st.lists(st.sampled_from(CELL_PIECES), max_size=8).map("".join)
table_row = st.tuples(
    st.sampled_from(["|", " |", "   |", "||"]),
    st.lists(cell_text, max_size=8).map(" | ".join),
    st.sampled_from(["|", " |", "", "\\", " | |"]),
).map("".join)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(
        [(HEADER, DELIM), ("| Title | Year |", "|---|---|"), ("Title | Abbr", "--|--")]
    ),
    st.lists(table_row, max_size=6),
    st.sampled_from(["", "\n", "\n\n  \t\n"]),
)
def test_a_table_stretch_reads_as_markdown_it_reads_it(
    head: tuple[str, str], rows: list[str], end: str
) -> None:
    # The full parse splits table rows itself (markdown-it's table rule is most of its
    # time): cell for cell, what markdown-it makes of them -- escaped pipes, odd spaces,
    # short and long rows.
    lines = [*head, *rows]
    text = "\n".join(lines) + end
    assert scan_table(text.split("\n"), "notes.md") == scan(text, "notes.md")


PIECES = [
    *"ab 中\t\\`*_[]<>&!()#:/\n\r\u3000\xa0~%\"'",
    "&amp;",
    "&#39;",
    "](x)",
    "<http://a.b>",
    "[",
    "](",
    "https://",
    "http://",
    "javascript:",
    "arxiv.org/abs/2003.00003",
    ")",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
@example("[Deep Net (v2)](https://arxiv.org/abs/2003.00003)")
@example("[ a  b ](https://x.org/a%20b#c)")
@example("[a](javascript:alert)")  # a link markdown-it refuses is text
@example("[a &amp; b](https://x.org)")
def test_plain_titles_skip_the_inline_parser_and_read_the_same(cell: str) -> None:
    from studydeck import parsing

    fast = parsing._title_and_link(cell)
    kept = parsing._INLINE_MARKUP, parsing._SIMPLE_LINK
    parsing._INLINE_MARKUP = re.compile(r"[\s\S]")  # every cell through the inline parser
    parsing._SIMPLE_LINK = re.compile(r"(?!)")
    try:
        assert parsing._title_and_link(cell) == fast
    finally:
        parsing._INLINE_MARKUP, parsing._SIMPLE_LINK = kept


FIGURE_PIECES = [
    *"ab 中!()[]<>&\\`*_:/\"' \n",
    "![",
    "](",
    "http://x.org/a.png",
    "https://",
    "fig.png",
    "javascript:alert(1)",
    "javascript:",
    "file:",
    "data:image/png;base64,AAA",
    "&amp;",
    "%20",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FIGURE_PIECES), max_size=12).map("".join))
@example("![](javascript:)")  # a link markdown-it refuses is no figure
@example("![a](http://x.org/a.png)")
def test_plain_image_cells_skip_the_inline_parser_and_read_the_same(cell: str) -> None:
    from studydeck import parsing

    fast = parsing._markdown_figures(cell)
    kept = parsing._SIMPLE_IMAGE
    parsing._SIMPLE_IMAGE = re.compile(r"(?!)")  # every cell through the inline parser
    try:
        assert parsing._markdown_figures(cell) == fast
    finally:
        parsing._SIMPLE_IMAGE = kept


NOTE_PIECES = [
    "但计算复杂度上去了；",
    "问题：只考虑了LDP模式。",
    "整体上很强。",
    "However, it is slow. ",
    "",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 5), st.sampled_from(NOTE_PIECES), st.booleans()), max_size=6)
)
def test_cards_from_cached_rows_after_edits_equal_fresh_cards(
    edits: list[tuple[int, str, bool]],
) -> None:
    from datetime import UTC, datetime

    from studydeck.carding import cards_for_all

    now = datetime(2026, 6, 1, tzinfo=UTC)
    rows = [
        f"| 2020 | Paper {i} | 视频复原 | contribution {i} | {NOTE_PIECES[i % 4]} |"
        for i in range(6)
    ]
    # One contribution, two notes: cards are the pair's, not the contribution's.
    rows += [
        "| 2020 | Twin A | k | same | 整体上很强。 |",
        "| 2020 | Twin B | k | same | 但不够快。 |",
    ]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "s.db") as store:
        notes = Path(tmp) / "notes.md"
        notes.write_text("\n".join(["# T", "", HEADER, DELIM, *rows]) + "\n", "utf-8")
        open_deck(store, [notes], now)
        for at, note, contribution in edits:
            cells = rows[at].split("|")
            if contribution:
                cells[4] = f" contribution {at} {note} "
            else:
                cells[5] = f" {note} "
            rows[at] = "|".join(cells)
        rows.insert(0, "| 2019 | Inserted | k | c | n |")  # every later row moves a line down
        notes.write_text("\n".join(["# T", "", HEADER, DELIM, *rows]) + "\n", "utf-8")
        carded: list[tuple[str, str]] = []
        real = incremental.row_card_texts

        def counting(contribution: str, notes: str) -> list[tuple[CardKind, str]]:
            carded.append((contribution, notes))
            return real(contribution, notes)

        incremental.row_card_texts = counting  # type: ignore[assignment]
        try:
            new, _ = open_deck(store, [notes], now)
        finally:
            incremental.row_card_texts = real
    assert list(new.cards) == cards_for_all(new.papers)
    assert len(carded) == len(set(carded))  # a row is carded once, when its stretch is read
    # Memory: a contribution card shows the paper's own string, not a copy from the cache.
    assert all(c.back is c.paper.contribution for c in new.cards if c.kind is CardKind.CONTRIBUTION)
    assert all(c.paper is p for p in new.papers for c in new.cards if c.paper.key == p.key)


def test_an_edited_row_is_the_only_row_carded_again(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from studydeck import carding
    from studydeck.critique import Verdict

    now = datetime(2026, 6, 1, tzinfo=UTC)
    notes = tmp_path / "notes.md"
    notes.write_text("\n".join(["# 论文阅读", "", HEADER, DELIM, *table(9)]) + "\n", "utf-8")
    classified: list[str] = []
    real = carding.classify

    def counting(text: str) -> Verdict:
        classified.append(text)
        return real(text)

    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], now)
        notes.write_text(notes.read_text("utf-8").replace("notes 4 |", "but slow |"), "utf-8")
        carding.classify = counting  # type: ignore[assignment]
        try:
            deck, _ = open_deck(store, [notes], now)
        finally:
            carding.classify = real
    # Its chunk is read again, but only the edited row is carded: the others' cards are
    # known from the cache.
    assert classified == ["but slow"]
    backs = [c.back for c in deck.cards if c.paper.title == "Paper 4"]
    assert backs == ["contribution 4", "but slow"]


def test_only_the_edited_file_s_cache_is_written_and_a_deleted_file_s_is_dropped(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 6, 1, tzinfo=UTC)
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("a", "b"):
        rows = [r.replace("Paper", f"Paper {name}") for r in table(3)]
        (notes / f"{name}.md").write_text("\n".join([HEADER, DELIM, *rows]) + "\n", "utf-8")

    def cached_files(store: Store) -> list[str]:
        """The files named by the block-cache rows (a head row and one row per stretch)."""
        rows = store.query("SELECT deck FROM deck_cache WHERE deck LIKE 'file-blocks %'")
        return sorted({Path(r[0].split("\x00")[0]).name for r in rows})

    written: list[str] = []
    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], now)
        assert cached_files(store) == ["a.md", "b.md"]
        a = notes / "a.md"
        a.write_text(a.read_text("utf-8").replace("Paper a 1 |", "Paper a One |"), "utf-8")
        store._conn.set_trace_callback(written.append)
        open_deck(store, [notes], now)
        store._conn.set_trace_callback(None)
        (notes / "b.md").unlink()
        open_deck(store, [notes], now)
        assert cached_files(store) == ["a.md"]
    saved = [s for s in written if "INSERT OR REPLACE INTO deck_cache" in s and "blocks" in s]
    assert saved and all("a.md" in s for s in saved)


def test_a_full_parse_classifies_each_statement_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studydeck import carding
    from studydeck.critique import Verdict
    from studydeck.deck import parse_files

    notes = tmp_path / "notes.md"
    notes.write_text("\n".join(["# 论文阅读", "", HEADER, DELIM, *table(9)]) + "\n", "utf-8")
    classified: list[str] = []
    real = carding.classify

    def counting(text: str) -> Verdict:
        classified.append(text)
        return real(text)

    monkeypatch.setattr(carding, "classify", counting)
    deck = parse_files([notes])
    assert classified == [f"notes {i}" for i in range(9)]
    assert len(deck.cards) == 18


row_edit = st.tuples(
    st.sampled_from(["insert", "delete", "move", "replace"]),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from(ROWS),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row_edit, min_size=1, max_size=5))
def test_a_folder_opened_after_edits_to_its_middle_file_reads_as_a_fresh_parse(
    edits: list[tuple[str, int, int, str]],
) -> None:
    """A folder of three files, its middle one edited again and again (rows inserted,
    deleted, moved, replaced), each time read through the block caches kept in a real store
    as the last run left them: the same deck as a parse from scratch, and each file's rows
    in the store are exactly its current stretches."""
    import tempfile
    from datetime import UTC, datetime

    from studydeck.deck import parse_files
    from studydeck.incremental import FileCaches

    now = datetime(2026, 6, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "s.db") as store:
        folder = Path(tmp) / "notes"
        folder.mkdir()
        bodies = {n: [r.replace("Paper", f"Paper {n}") for r in table(12)] for n in "abc"}
        files = [folder / f"{n}.md" for n in "abc"]

        def write(name: str) -> None:
            head = ["# T", "", f"## {name}", "", HEADER, DELIM]
            (folder / f"{name}.md").write_text("\n".join([*head, *bodies[name]]) + "\n", "utf-8")

        def read_through_the_caches() -> None:
            got, _ = open_deck(store, [folder], now)
            assert got == parse_files(files)
            for f in files:
                fresh = BlockCache()
                parse_incremental(f.read_text("utf-8"), str(f), fresh)
                assert set(FileCaches(store)._read(str(f)).blocks) == set(fresh.blocks)

        for n in "abc":
            write(n)
        read_through_the_caches()
        for kind, at, to, row in edits:
            body = bodies["b"]
            at %= len(body) + 1
            if kind == "insert":
                body.insert(at, row)
            elif body and at < len(body):
                if kind == "delete":
                    del body[at]
                elif kind == "replace":
                    body[at] = row
                else:
                    body.insert(to % len(body), body.pop(at))
            write("b")
            read_through_the_caches()


def test_a_row_inserted_near_the_top_of_a_long_table_leaves_later_chunks_cached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(incremental, "CHUNK_ROWS", 8)
    rows = table(400)
    text = "\n".join(["# T", "", HEADER, DELIM, *rows]) + "\n"
    cache = BlockCache()
    parse_incremental(text, "notes.md", cache)
    chunks = len(cache.blocks)
    rows.insert(3, "| 2019 | Inserted | k | c | n |")
    edited = "\n".join(["# T", "", HEADER, DELIM, *rows]) + "\n"
    assert parse_incremental(edited, "notes.md", cache) == parse_text(edited, "notes.md")
    # Its own chunk is read again (two, if the new row ends one); every later one is cached.
    assert chunks > 20
    assert cache.parsed <= 2


def test_block_rows_of_another_version_are_replaced_not_trusted(tmp_path: Path) -> None:
    """Rows left by an older studydeck (a whole-file blob, or a stretch row whose events
    have another shape) are never read as this version's: the file is parsed afresh and
    those rows are dropped or rewritten."""
    from datetime import UTC, datetime

    from studydeck.deck import parse_files

    notes = tmp_path / "notes.md"
    notes.write_text("\n".join(["# T", "", HEADER, DELIM, *table(5)]) + "\n", "utf-8")
    fresh = BlockCache()
    parse_incremental(notes.read_text("utf-8"), str(notes), fresh)
    name = "file-blocks " + str(notes.resolve())
    with Store.open(tmp_path / "s.db") as store:
        store.save_deck_cache(name, "old", marshal.dumps(("studydeck-blocks/4", {})))
        some = next(iter(fresh.blocks))
        wrong = [("t", 1, [], [])]  # a stretch's events with its rows missing
        stale = {some.hex(): wrong, "ab" * 16: wrong}
        for h, events in stale.items():
            store.save_deck_cache(name + "\x00" + h, "old", marshal.dumps(events))
        got, _ = open_deck(store, [notes], datetime(2026, 6, 1, tzinfo=UTC))
        assert got == parse_files([notes])
        rows = store.cached_decks_under(name)
    assert name + "\x00" + "ab" * 16 not in rows
    assert marshal.loads(rows[name + "\x00" + some.hex()]) == fresh.blocks[some]


def test_a_row_edit_is_read_without_markdown_it_a_new_table_head_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from studydeck import parsing
    from studydeck.deck import parse_files

    now = datetime(2026, 6, 1, tzinfo=UTC)
    notes = tmp_path / "notes.md"
    notes.write_text("\n".join(["# 论文阅读", "", HEADER, DELIM, *table(9)]) + "\n", "utf-8")
    asked: list[str] = []
    real = parsing.block_md

    def counting() -> object:
        asked.append("block_md")
        return real()

    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], now)
        monkeypatch.setattr(parsing, "block_md", counting)
        # A row edited (its chunk read again): the table's head lines are known from the cache.
        notes.write_text(notes.read_text("utf-8").replace("Paper 4 |", "Paper Four |"), "utf-8")
        deck, _ = open_deck(store, [notes], now)
        assert asked == []
        assert deck == parse_files([notes])
        # A column renamed: a head not seen before is markdown-it's to read.
        notes.write_text(notes.read_text("utf-8").replace("| 笔记 |", "| 备注 |"), "utf-8")
        deck, _ = open_deck(store, [notes], now)
        assert asked
        assert deck == parse_files([notes])
    # And the modules an edit imports do not import it themselves.
    import subprocess
    import sys

    probe = (
        "import sys, studydeck.loading, studydeck.segments, studydeck.incremental; "
        "print('markdown_it' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_changed_table_head_reads_every_chunk_of_its_table_again() -> None:
    # A chunk's rows read by the head above them: the same rows under another head are
    # another stretch (here the contribution and notes columns swap).
    text = "\n".join(["# T", "", HEADER, DELIM, *table(12)]) + "\n"
    cache = BlockCache()
    parse_incremental(text, "notes.md", cache)
    assert len(cache.blocks) > 3
    swapped = text.replace("| 核心贡献 | 笔记 |", "| 笔记 | 核心贡献 |", 1)
    assert parse_incremental(swapped, "notes.md", cache) == parse_text(swapped, "notes.md")
    assert cache.parsed == len(cache.blocks) - 1  # all but the heading
