"""Hostile notes folders: every command reads them through one loader, and none crashes or hangs."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studydeck import frames, loading
from studydeck.deck import find_files, load
from studydeck.errors import StudydeckError
from studydeck.incremental import FileCaches
from studydeck.parsing import MAX_NOTES_BYTES
from studydeck.store import Store

from .conftest import env_without_user_dirs, table

# Root reads mode-000 files anyway; without these two capabilities it is refused like anyone.
SETPRIV = shutil.which("setpriv")
AS_USER = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search"] if SETPRIV else []


def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "good.md").write_text(table("| 2020 | Good paper | k | c | | |"), encoding="utf-8")
    (folder / "loop.md").symlink_to("loop.md")
    (folder / "dangling.md").symlink_to("missing-target.md")
    (folder / "folder.md").mkdir()
    os.mkfifo(folder / "fifo.md")  # a read would wait forever for a writer
    locked = folder / "locked.md"
    locked.write_text(table("| 2021 | Locked | k | c | | |"), encoding="utf-8")
    locked.chmod(0o000)
    return folder


def test_loader_keeps_regular_files_and_warns_once_per_other_entry(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    found = find_files([folder])
    assert [f.name for f in found.files] == ["good.md", "locked.md"]
    assert [(Path(d.path).name, d.severity, d.message) for d in found.skipped] == [
        ("dangling.md", "warning", "dangling symlink (its target does not exist), skipped"),
        ("fifo.md", "warning", "not a regular file (FIFO), skipped"),
        ("folder.md", "warning", "a folder, not a notes file, skipped"),
        ("loop.md", "warning", "symlink loop, skipped"),
    ]
    assert "Good paper" in [p.title for p in load([folder]).papers]


def test_a_fifo_named_directly_is_skipped_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    good = tmp_path / "good.md"
    good.write_text(table("| 2020 | A | k | c | | |"), encoding="utf-8")
    deck = load([fifo, good])  # would block forever on open() for reading
    assert [d.message for d in deck.diagnostics] == ["not a regular file (FIFO), skipped"]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_notes_that_are_all_skipped_are_one_line_not_an_empty_deck(
    tmp_path: Path, kind: str
) -> None:
    """(``review /dev/null`` warned, then opened the app on "Session complete".)"""
    path = tmp_path / "fifo.md"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/null")
    with pytest.raises(StudydeckError) as err:
        load([path])
    assert str(err.value) == (
        f"{path}: error: no notes file to read: not a regular file ({'FIFO' if kind == 'fifo' else 'device'}) "
        "(name a .md notes file or a folder that holds one)"
    )
    assert err.value.exit_code == 2
    run = run_cli(tmp_path, "review", str(path))
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1


def run_cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AS_USER, sys.executable, "-m", "studydeck", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env_without_user_dirs(tmp_path),
        timeout=60,  # a hang guard: a FIFO read used to block forever
        check=False,
    )


@pytest.mark.skipif(not SETPRIV, reason="setpriv is needed to drop root's read override")
@pytest.mark.parametrize(
    "command",
    [["check"], ["cards"], ["stats"], ["quiz", "--plain", "-n", "1", "--seed", "1"]],
)
def test_every_command_survives_a_hostile_folder(tmp_path: Path, command: list[str]) -> None:
    folder = hostile_folder(tmp_path)
    run = run_cli(tmp_path, *command, str(folder), stdin="q\n")
    out = run.stdout + run.stderr
    assert "Traceback" not in out
    for name, why in [
        ("loop.md", "symlink loop"),
        ("dangling.md", "dangling symlink"),
        ("folder.md", "a folder, not a notes file"),
        ("fifo.md", "not a regular file (FIFO)"),
        ("locked.md:1: error", "cannot read file: Permission denied"),
    ]:
        lines = [ln for ln in out.splitlines() if f"{folder / name}" in ln]
        assert len(lines) == 1 and why in lines[0], (name, out)
    assert run.returncode in (0, 1)


@pytest.mark.skipif(not SETPRIV, reason="setpriv is needed to drop root's read override")
def test_an_unreadable_folder_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "a.md").write_text(table("| 2020 | A | k | c | | |"), encoding="utf-8")
    folder.chmod(0o000)
    try:
        run = run_cli(tmp_path, "check", str(folder))
    finally:
        folder.chmod(0o755)
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"studydeck: {folder}: error: cannot read this folder: Permission denied "
        "(check its permissions (chmod u+rx))"
    )


def test_missing_path_is_still_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(StudydeckError, match="no such file or folder"):
        find_files([tmp_path / "nope.md"])


def test_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "utf16.md"
    path.write_text(table("| 2020 | A | k | c | | |"), encoding="utf-16")
    assert [d.message for d in load([path]).errors] == ["UTF-16 file: save it as UTF-8"]


def _cache(
    header: tuple[object, ...],
    papers: list[object],
    cards: list[object],
    sums: list[str] | None = None,
) -> tuple[bytes, list[tuple[str, bytes]]]:
    """A deck cache's head and its one frame row (fingerprint, bytes), made as the cache
    makes them; ``sums``: other fingerprints than the frames' own for the head to name."""
    rows = [(loading._fingerprint((papers, cards)), frames.encode(papers, cards, 0))]
    return marshal.dumps((*header, sums if sums is not None else [rows[0][0]])), rows


def _crafted(light: object, chunks: list[bytes]) -> tuple[bytes, list[tuple[str, bytes]]]:
    """A deck cache whose one frame holds these parts, under a valid CRC."""
    rows = [("f", frames.pack(light, chunks))]
    return marshal.dumps((*_header(), ["f"])), rows


def _header(diags: list[object] | None = None) -> tuple[object, ...]:
    return (loading._TAG, [], "n", diags or [], [])


_PAPER = tuple(range(14))
_COLS = [("k",), ((),), (2020,), ("",), ("s",), (1,), (0,), ((),)]  # one paper's light columns


def _swapped() -> tuple[bytes, list[tuple[str, bytes]]]:
    rows = [
        (loading._fingerprint(f), frames.encode(*f, 0))
        for f in [([row], []) for row in (_PAPER, (*_PAPER[:-1], 99))]
    ]
    return marshal.dumps((*_header(), [t for t, _ in rows])), rows[::-1]


def _flipped() -> tuple[bytes, list[tuple[str, bytes]]]:
    """One byte of a paper's title changed (still unmarshals, still a title)."""
    head, [(t, data)] = _cache(_header(), [("k", "Title", *_PAPER[2:])], [])
    at = data.rindex(b"Title")
    return head, [(t, data[:at] + b"X" + data[at + 1 :])]


@pytest.mark.parametrize(
    "cache",
    [
        (b"garbage", []),
        _cache(("wrong tag", [], "n", [], []), [], []),
        _crafted((_COLS[:-1], [(), (), ()], [(0, 0)]), []),  # a paper column missing
        _crafted(([*_COLS[:-1], ()], [(), (), ()], [(0, 0)]), []),  # a column short
        _cache(_header(), [], [(7, "id", "contribution", "b")]),
        _cache(_header(), [_PAPER], [(7, "id", "contribution", "b")]),
        _cache(_header([("p", 1)]), [], []),
        _cache(_header(), [_PAPER], [], sums=["another write"]),
        (_cache(_header(), [_PAPER], [])[0], []),  # a frame missing
        # the layout before frames: one marshalled tuple
        (marshal.dumps((loading._TAG, "n", [], [], [], [])), []),
        # format 7: the head names its write's token and a frame count, not frames
        (marshal.dumps((loading._TAG, "n", [], [], "t", 1)), [("t", marshal.dumps(([], [])))]),
        # a frame's bytes changed under the fingerprint the head names
        (lambda h, r: (h, [(r[0][0], b"garbage")]))(*_cache(_header(), [_PAPER], [])),
        _flipped(),  # ... by one byte, in a part read only when asked for
        _swapped(),  # frames in another order
    ],
    ids=[
        "garbage",
        "wrong-tag",
        "paper-column-missing",
        "paper-column-short",
        "card-without-paper",
        "card-of-no-paper",
        "short-diagnostic",
        "frame-of-another-write",
        "frame-missing",
        "unframed",
        "format-7",
        "frame-bytes-changed",
        "heavy-byte-flipped",
        "frames-swapped",
    ],
)
def test_a_tampered_deck_cache_is_parsed_again_and_then_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: tuple[bytes, list[tuple[str, bytes]]]
) -> None:
    monkeypatch.setattr(loading, "_FRAME_ROWS", 1)
    path = tmp_path / "notes.md"
    path.write_text(table("| 2020 | Cached | k | c | | |\n| 2021 | Other | k | c | | |"), "utf-8")
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with Store.open(tmp_path / "s.db") as store:
        loading.open_deck(store, [path], now)
        key = str(path.resolve())
        fingerprint = store.cache_fingerprint(key)
        assert fingerprint is not None
        head, frames = cache
        low = key + "\x00frame "
        with store.transaction() as c:  # planted as they are, whatever they hold
            c.execute("DELETE FROM deck_cache WHERE deck > ? AND deck < ?", (low, low[:-1] + "!"))
            for n, (t, data) in enumerate(frames):
                c.execute("INSERT INTO deck_cache VALUES (?, ?, ?)", (f"{low}{n:08d}", t, data))
            c.execute("UPDATE deck_cache SET data = ? WHERE deck = ?", (head, key))
        parsed: list[str] = []
        parse = FileCaches.parse
        monkeypatch.setattr(
            FileCaches, "parse", lambda self, text, p: parsed.append(p) or parse(self, text, p)
        )
        deck, _ = loading.open_deck(store, [path], now)
        assert parsed == [str(path)]
        again, _ = loading.open_deck(store, [path], now)
        assert parsed == [str(path)]  # read from the cache: the damage was written over
    assert [p.title for p in deck.papers] == ["Cached", "Other"] == [p.title for p in again.papers]


def test_a_notes_file_above_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as fh:
        fh.write(table("| 2020 | A | k | c | | |").encode())
        fh.truncate(MAX_NOTES_BYTES + 1)  # sparse: nothing is read, so nothing is stored
    assert [d.message for d in load([path]).errors] == [
        "cannot read file: larger than 8 MB (split the notes into several files)"
    ]


def test_check_on_150000_unclosed_brackets_in_a_title(tmp_path: Path) -> None:
    path = tmp_path / "brackets.md"
    path.write_text(table("| 2020 | " + "[" * 150_000 + " | k | c | | |"), encoding="utf-8")
    run = run_cli(tmp_path, "check", str(path))  # timeout: a hang guard (was minutes)
    assert run.stdout.splitlines()[-1] == "1 paper, 1 card, 0 errors, 0 warnings"


def test_a_damaged_frame_under_its_own_fingerprint_is_written_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit keeps the frames whose fingerprint is unchanged: not those found damaged."""
    monkeypatch.setattr(loading, "_FRAME_ROWS", 1)
    path = tmp_path / "notes.md"
    path.write_text(table("| 2020 | Cached | k | c | | |\n| 2021 | Other | k | c | | |"), "utf-8")
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with Store.open(tmp_path / "s.db") as store:
        loading.open_deck(store, [path], now)
        key = str(path.resolve())
        name = key + "\x00frame " + f"{0:08d}"
        with store.transaction() as c:  # the bytes damaged, the fingerprint left
            c.execute("UPDATE deck_cache SET data = x'00' WHERE deck = ?", (name,))
        parsed: list[str] = []
        parse = FileCaches.parse
        monkeypatch.setattr(
            FileCaches, "parse", lambda self, text, p: parsed.append(p) or parse(self, text, p)
        )
        deck, _ = loading.open_deck(store, [path], now)
        again, _ = loading.open_deck(store, [path], now)
    assert parsed == [str(path)]  # the second open read the cache, written over
    assert [p.title for p in deck.papers] == ["Cached", "Other"] == [p.title for p in again.papers]
