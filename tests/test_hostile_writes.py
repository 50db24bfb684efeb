"""Every write is all-or-nothing and a failed one is one clear line, never a traceback."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from studydeck import fileio
from studydeck.cli import main
from studydeck.config import load_settings
from studydeck.errors import StudydeckError
from studydeck.fileio import write_atomic

from .conftest import env_without_user_dirs, table

SETPRIV = shutil.which("setpriv")
needs_setpriv = pytest.mark.skipif(not SETPRIV, reason="setpriv drops root's write override")


def run_as_user(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI without root's permission override (CAP_DAC_OVERRIDE), as a user runs it."""
    assert SETPRIV is not None
    drop_root_override = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search"]
    return subprocess.run(
        [*drop_root_override, sys.executable, "-m", "studydeck", *args],
        capture_output=True,
        text=True,
        env=env_without_user_dirs(home),
        timeout=120,
        check=False,
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name)


@pytest.fixture
def notes_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text(table("| 2020 | A <b> | k | c | | |"), encoding="utf-8")
    return path


def one_error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if "error" in ln]
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    return lines[0]


@needs_setpriv
def test_export_into_a_read_only_folder(tmp_path: Path, notes_file: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    run = run_as_user(
        tmp_path, "export", str(notes_file), "--no-figures", "-o", str(out / "d.apkg")
    )
    assert run.returncode == 1
    assert one_error_line(run.stderr) == (
        f"studydeck: {out / 'd.apkg'}: error: cannot write the Anki package: Permission denied "
        "(choose a folder you can write to)"
    )
    assert list(out.iterdir()) == []


def test_export_onto_a_folder(tmp_path: Path, notes_file: Path, capsys) -> None:
    target = tmp_path / "taken.apkg"
    target.mkdir()
    assert main(["export", str(notes_file), "--no-figures", "-o", str(target)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line.endswith(
        "cannot write the Anki package: Is a directory (name a file, not a folder)"
    )
    assert leftovers(tmp_path) == []


def test_a_full_disk_keeps_the_old_file_and_leaves_no_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "handout.md"
    target.write_text("old", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(StudydeckError) as err:
        write_atomic(target, "new " * 1000, what="handout")
    assert str(err.value) == (
        f"{target}: error: cannot write the handout: No space left on device "
        "(free some disk space and try again)"
    )
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_handout_into_a_missing_folder(tmp_path: Path, notes_file: Path, capsys) -> None:
    target = tmp_path / "no" / "such" / "h.md"
    assert main(["quiz", str(notes_file), "-n", "1", "--seed", "1", "--handout", str(target)]) == 1
    assert one_error_line(capsys.readouterr().err) == (
        f"studydeck: {target}: error: cannot write the handout: No such file or directory "
        f"(create the folder {target.parent} first)"
    )


@needs_setpriv
def test_handout_into_a_read_only_folder(tmp_path: Path, notes_file: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    run = run_as_user(tmp_path, "quiz", str(notes_file), "--handout", str(out / "h.html"))
    assert run.returncode == 1
    assert "cannot write the handout: Permission denied" in one_error_line(run.stderr)
    assert list(out.iterdir()) == []


@needs_setpriv
def test_read_only_cache_with_no_figures(tmp_path: Path, notes_file: Path) -> None:
    cache = tmp_path / "cache" / "studydeck"
    cache.mkdir(parents=True)
    cache.chmod(0o555)
    run = run_as_user(
        tmp_path, "export", str(notes_file), "--no-figures", "-o", str(tmp_path / "d")
    )
    # Export state lives in the store now, so a read-only cache costs nothing without figures.
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "d.apkg").is_file()
    assert "Traceback" not in run.stderr


@needs_setpriv
def test_unreadable_config(tmp_path: Path, notes_file: Path) -> None:
    config = tmp_path / "config" / "studydeck" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("new_per_day = 5\n")
    config.chmod(0o000)
    run = run_as_user(tmp_path, "stats", str(notes_file))
    assert run.returncode == 1
    assert one_error_line(run.stderr) == (
        f"studydeck: {config}: error: cannot read the config file: Permission denied "
        "(fix its permissions or delete it)"
    )


def test_deeply_nested_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("x = " + "[" * 100_000)
    with pytest.raises(StudydeckError, match="not valid TOML: nested too deeply"):
        load_settings(config)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB tmpfs (root only): the disk the store lives on can really fill up."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)]
    if os.geteuid() != 0 or subprocess.run(mount, capture_output=True, check=False).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def test_stats_on_a_full_disk_is_one_line(
    tiny_disk: Path, notes_file: Path, tmp_path: Path
) -> None:
    db = tiny_disk / "s.db"
    assert main(["stats", str(notes_file), "--db", str(db)]) == 0
    notes_file.write_text(table("| 2020 | A | k | c | | |", "| 2021 | B | k | c2 | | |"))
    fill(tiny_disk)  # the next open must record the new row and cannot
    env = env_without_user_dirs(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "studydeck", "stats", str(notes_file), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    # SQLite says "disk is full" or "disk I/O error" depending on which file could not grow.
    assert one_error_line(run.stderr).startswith(f"studydeck: {db}: error: ")
    (tiny_disk / "filler").unlink()
    assert main(["stats", str(notes_file), "--db", str(db)]) == 0  # the store is intact
