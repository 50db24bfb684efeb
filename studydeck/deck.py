"""Find notes files and read them into a :class:`~studydeck.models.Deck`."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck.errors import StudydeckError, no_such_path
from studydeck.models import Deck, Diagnostic
from studydeck.perf import gc_paused

if TYPE_CHECKING:  # imported when parsing: a warm start reads the cache and never parses
    from studydeck.parsing import FileResult

BUNDLED_NAME = "paper-reading.md"


def bundled_deck() -> Path:
    """The seed deck: ``cards/`` in a checkout, package data once installed."""
    checkout = Path(__file__).resolve().parent.parent / "cards" / BUNDLED_NAME
    if checkout.is_file():
        return checkout
    from importlib import resources  # (30 ms to import: only when the bundled deck is used)

    return Path(str(resources.files("studydeck.data").joinpath(BUNDLED_NAME)))


def default_paths(cwd: Path | None = None) -> list[Path]:
    """The notes folder you are in when it syncs its history (``studydeck sync --init``
    made ``.studydeck/``), else ``./cards`` when it exists, else the bundled deck."""
    here = cwd or Path.cwd()
    if (here / ".studydeck").is_dir() and any(here.glob("*.md")):
        return [here]
    local = here / "cards"
    if local.is_dir() and any(local.glob("*.md")):
        return [local]
    return [bundled_deck()]


@dataclass
class Found:
    """The notes files to read, and why some of the files named or listed were skipped."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Diagnostic] = field(default_factory=list)


def _skip(path: Path, why: str) -> Diagnostic:
    return Diagnostic(path=str(path), line=1, severity="warning", message=f"{why}, skipped")


def _kind(path: Path) -> str | None:
    """None for a regular file (through symlinks), else why the path is not one."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        if exc.errno == errno.ENOENT and path.is_symlink():
            return "dangling symlink (its target does not exist)"
        return f"cannot read file: {exc.strerror}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder, not a notes file"
    what = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
    return f"not a regular file ({what})"


def find_files(paths: Sequence[Path]) -> Found:
    """The notes files named, plus the ``.md`` files in the folders named (sorted, not
    recursive). Only regular files are kept: a FIFO would hang the read, a symlink loop or
    a folder named ``x.md`` would crash it. Each skipped entry is one warning; every command
    reads through here, so they all see the same files."""
    found = Found()
    for p in paths:
        try:
            is_dir = stat.S_ISDIR(p.stat().st_mode)
        except OSError:
            is_dir = False
            if not p.is_symlink():
                raise no_such_path(p) from None
        if not is_dir:
            why = _kind(p)
            if why is None:
                found.files.append(p)
            else:
                found.skipped.append(_skip(p, why))
            continue
        try:
            names = os.listdir(p)
        except OSError as exc:
            raise StudydeckError(
                f"cannot read this folder: {exc.strerror}",
                path=p,
                exit_code=2,
                hint="check its permissions (chmod u+rx)",
            ) from None
        listed = sorted(p / n for n in names if n.endswith(".md"))
        if not listed:
            raise StudydeckError(
                "no .md files in this folder",
                path=p,
                exit_code=2,
                hint="name a notes file or a folder that holds one",
            )
        for f in listed:
            why = _kind(f)
            if why is None:
                found.files.append(f)
            else:
                found.skipped.append(_skip(f, why))
    if found.skipped and not found.files:  # (``review /dev/null`` opened on an empty deck)
        first = found.skipped[0]
        raise StudydeckError(
            f"no notes file to read: {first.message.removesuffix(', skipped')}",
            path=first.path,
            exit_code=2,
            hint="name a .md notes file or a folder that holds one",
        )
    return found


def parse_files(files: Sequence[Path], skipped: Sequence[Diagnostic] = ()) -> Deck:
    """The deck from ``files`` (a fresh parse, carded by the carding rules); ``skipped``
    (from :func:`find_files`) joins its diagnostics. (An edited deck is read through the
    store's caches instead: ``loading.open_deck``.)"""
    from studydeck.carding import cards_for_all
    from studydeck.incremental import parse_fresh
    from studydeck.parsing import assign_keys

    with gc_paused():
        results, diags = read_files(files, skipped, parse_fresh)
        papers, more = assign_keys(results)
        diags.extend(more)
        diags.sort(key=lambda d: (d.path, d.line))
        return Deck(
            name=deck_name([r.title for r in results], files),
            papers=tuple(papers),
            cards=tuple(cards_for_all(papers)),
            diagnostics=tuple(diags),
            sources=tuple(str(f) for f in files),
        )


def read_files(
    files: Sequence[Path], skipped: Sequence[Diagnostic], parse: Callable[[str, str], FileResult]
) -> tuple[list[FileResult], list[Diagnostic]]:
    """Each readable file's result (rows before keys), and the diagnostics so far: the
    ``skipped`` entries', the unreadable files', the results' own."""
    from studydeck.parsing import read_text

    results: list[FileResult] = []
    diags: list[Diagnostic] = list(skipped)
    for f in files:
        text, problem = read_text(f)
        if problem is not None:
            diags.append(problem)
            continue
        assert text is not None
        res = parse(text, str(f))
        results.append(res)
        diags.extend(res.diagnostics)
    return results, diags


def deck_name(titles: Iterable[str], files: Sequence[Path]) -> str:
    """The first file's title (its first ``#`` heading; ``titles``: the readable files'),
    else the first file's name."""
    return next((t for t in titles if t), files[0].stem if files else "studydeck")


def load(paths: Sequence[Path]) -> Deck:
    found = find_files(paths)
    return parse_files(found.files, found.skipped)
