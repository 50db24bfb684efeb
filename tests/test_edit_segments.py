"""A notes folder edited file by file: the files whose bytes did not change are not read
again (their rows, cards, signature and cache frames come from the deck cache), and the deck
still opens exactly as a fresh parse gives it, the store left as a full reconcile leaves it:
when a file's rows move in the deck, when a title repeated across files changes the keys of a
file nobody touched, when two files swap contents, when a file changes back, when a file's
bytes change under its old size and time, or when the cache is damaged or of another format."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from studydeck import loading
from studydeck.deck import find_files, parse_files
from studydeck.incremental import FileCaches
from studydeck.loading import open_deck
from studydeck.store import Store
from tests.test_edit_rows import NOW, Row, same_deck, text
from tests.test_reconcile_known import contents

A: list[Row] = [
    ("A", "Deep Net", 2020, "c", "很强。但很慢。", "![f](a.png)"),
    ("A", "Wide Net", 2021, "", "c", ""),
    ("B", "Tall Net", 2020, "很强。", "很强。", ""),
]
B: list[Row] = [
    ("A", "Short Net", 2021, "c", "很强。", ""),
    ("B", "Long Net", 2020, "c", "但很慢。", "![g](b.png)"),
]
C: list[Row] = [("B", "Round Net", 2020, "c", "", "")]


class Folder:
    """A notes folder opened through the cache (``fast``) beside a store reconciled in full
    from a fresh parse each time (``full``); ``parsed`` lists the files each open read."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.dir = root / "notes"
        self.dir.mkdir()
        self.fast = Store.open(root / "fast.db")
        self.full = Store.open(root / "full.db")
        self.parsed: list[str] = []
        parse = FileCaches.parse

        def recorded(caches: FileCaches, t: str, path: str) -> object:
            self.parsed.append(Path(path).name)
            return parse(caches, t, path)

        monkeypatch.setattr(FileCaches, "parse", recorded)

    def write(self, name: str, rows: list[Row]) -> None:
        (self.dir / name).write_text(text(rows), "utf-8")

    def open(self) -> list[str]:
        """Open (checked against a fresh parse and a full reconcile); the files it read."""
        self.parsed.clear()
        deck, got = open_deck(self.fast, [self.dir], NOW)
        want = parse_files(find_files([self.dir]).files)
        report = self.full.reconcile(want.papers, want.cards, want.sources, NOW)
        same_deck(deck, self.dir)
        assert (got.new, got.renamed, got.retired, got.restored) == (
            report.new,
            report.renamed,
            report.retired,
            report.restored,
        )
        assert contents(self.fast) == contents(self.full)
        read = list(self.parsed)
        again, _ = open_deck(self.fast, [self.dir], NOW)  # a hit: the rows just written
        same_deck(again, self.dir)
        return read

    def close(self) -> None:
        self.fast.close()
        self.full.close()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Folder:
    f = Folder(tmp_path, monkeypatch)
    f.write("a.md", A)
    f.write("b.md", B)
    f.write("c.md", C)
    assert f.open() == ["a.md", "b.md", "c.md"]
    yield f  # type: ignore[misc]
    f.close()


def test_only_the_edited_file_is_read_again(folder: Folder) -> None:
    folder.write("b.md", [B[0], ("B", "Long Net", 2020, "c", "很强。但很慢。", "")])
    assert folder.open() == ["b.md"]


def test_rows_added_to_a_file_move_the_papers_of_the_files_after_it(folder: Folder) -> None:
    folder.write("a.md", [*A, ("B", "New Net", 2022, "c", "很强。", "")])
    assert folder.open() == ["a.md"]  # b.md and c.md kept, their papers one further on
    folder.write("a.md", A[:1])
    assert folder.open() == ["a.md"]


def test_a_title_repeated_in_another_file_rekeys_a_file_nobody_touched(folder: Folder) -> None:
    # c.md now holds a.md's "Wide Net" in another section: both are keyed by section.
    folder.write("c.md", [*C, ("B", "Wide Net", 2021, "", "c", "")])
    assert folder.open() == ["c.md"]
    keys = [p.key for p in parse_files(find_files([folder.dir]).files).papers]
    assert sum("Wide" in k or "wide" in k for k in keys) == 2 and len(set(keys)) == len(keys)
    # ... and in the same section: the second one is K#2, with a warning
    folder.write("c.md", [*C, ("A", "Wide Net", 2021, "", "c", "")])
    assert folder.open() == ["c.md"]
    deck = parse_files(find_files([folder.dir]).files)
    assert any("duplicate paper" in d.message for d in deck.diagnostics)
    folder.write("c.md", C)  # gone again: a.md's key is its own once more
    assert folder.open() == ["c.md"]


def test_two_files_swapping_contents_are_both_read(folder: Folder) -> None:
    folder.write("a.md", B)
    folder.write("b.md", A)
    assert folder.open() == ["a.md", "b.md"]  # the same bytes under another name: its rows
    # name their file


def test_a_file_changed_and_changed_back(folder: Folder) -> None:
    folder.write("b.md", B[:1])
    assert folder.open() == ["b.md"]
    folder.write("b.md", B)
    assert folder.open() == ["b.md"]


def test_bytes_changed_under_the_same_size_and_time_are_read(folder: Folder) -> None:
    """Another file's edit makes the deck a miss: then each file is known by its bytes'
    hash, not its size and time."""
    path = folder.dir / "b.md"
    st = path.stat()
    folder.write("b.md", [("A", "Short Net", 2022, *B[0][3:]), B[1]])  # 2021 -> 2022
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    folder.write("c.md", [("B", "Round Net", 2021, "c", "", "")])
    assert sorted(folder.open()) == ["b.md", "c.md"]


@pytest.mark.parametrize("what", ["facts-bytes", "facts-before", "frame-bytes", "frame-before"])
def test_a_damaged_segment_is_read_again_from_its_file(folder: Folder, what: str) -> None:
    key = "\n".join(str(p.resolve()) for p in sorted(folder.dir.glob("*.md")))
    # b.md is the second segment: its facts row 1, its frame row 1 (one frame per file)
    kind = "\x00facts " if what.startswith("facts") else "\x00frame "
    row = key + kind + f"{1:08d}"
    get = "SELECT fingerprint, data FROM deck_cache WHERE deck = ?"
    before = folder.fast.query(get, (row,))[0]
    folder.write("b.md", [("A", "Short Net", 2022, *B[0][3:]), B[1]])  # the same keys
    assert folder.open() == ["b.md"]
    assert folder.fast.query(get, (row,))[0] != before
    with folder.fast.transaction() as db:
        if what.endswith("bytes"):
            db.execute("UPDATE deck_cache SET data = x'00' WHERE deck = ?", (row,))
        else:  # the row b.md had before its edit, as it was
            db.execute(
                "UPDATE deck_cache SET fingerprint = ?, data = ? WHERE deck = ?", (*before, row)
            )
    folder.write("a.md", A[:2])
    assert folder.open() == ["a.md", "b.md"]  # c.md is still kept


def test_a_cache_of_the_format_before_is_ignored(folder: Folder) -> None:
    """Format 8's head: (tag, name, diagnostics, sources, fingerprints); no segments."""
    key = "\n".join(str(p.resolve()) for p in sorted(folder.dir.glob("*.md")))
    head = folder.fast.query("SELECT data FROM deck_cache WHERE deck = ?", (key,))[0][0]
    tag, _table, name, diags, sources, sums = marshal.loads(head)
    old = marshal.dumps((tag, name, diags, sources, sums))
    with folder.fast.transaction() as c:
        c.execute("UPDATE deck_cache SET data = ? WHERE deck = ?", (old, key))
    assert folder.open() == ["a.md", "b.md", "c.md"]  # a hit no more: all parsed, no crash
    with folder.fast.transaction() as c:
        c.execute("UPDATE deck_cache SET data = ? WHERE deck = ?", (old, key))
    folder.write("a.md", A[:2])
    assert folder.open() == ["a.md", "b.md", "c.md"]  # nor kept for an edit


def test_a_segment_in_several_frames_is_kept_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loading, "_FRAME_ROWS", 2)
    f = Folder(tmp_path, monkeypatch)
    try:
        f.write("a.md", A)
        f.write("b.md", [*B, *C, ("A", "Deep Net", 2020, "c", "", "")])  # a repeated title
        assert f.open() == ["a.md", "b.md"]
        f.write("a.md", A[1:])  # one paper fewer before b.md, and Deep Net no more repeated
        assert f.open() == ["a.md"]
        f.write("a.md", A)
        assert f.open() == ["a.md"]
    finally:
        f.close()


def test_a_duplicate_in_an_edited_file_names_its_first_in_a_kept_file(folder: Folder) -> None:
    folder.write("c.md", [("A", "Wide Net", 2021, "", "c", ""), *C])
    assert folder.open() == ["c.md"]
    deck, _ = open_deck(folder.fast, [folder.dir], NOW)
    warnings = [d for d in deck.diagnostics if "duplicate" in d.message]
    assert [(d.path, d.line, d.message) for d in warnings] == [
        (
            str(folder.dir / "c.md"),
            7,  # "# T", "", "## A", "", the header's two lines, then the row
            f"duplicate paper 'Wide Net' (first at {folder.dir / 'a.md'}:8); "
            "its cards are kept apart but share nothing",
        )
    ]
