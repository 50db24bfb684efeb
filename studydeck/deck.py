"""Find notes files and read them into a :class:`~studydeck.models.Deck`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

from studydeck.carding import cards_for_all
from studydeck.errors import StudydeckError
from studydeck.models import Deck, Diagnostic
from studydeck.parsing import FileResult, assign_keys, parse_text, read_text
from studydeck.perf import gc_paused

BUNDLED_NAME = "paper-reading.md"


def bundled_deck() -> Path:
    """The seed deck: ``cards/`` in a checkout, package data once installed."""
    checkout = Path(__file__).resolve().parent.parent / "cards" / BUNDLED_NAME
    if checkout.is_file():
        return checkout
    return Path(str(resources.files("studydeck.data").joinpath(BUNDLED_NAME)))


def default_paths(cwd: Path | None = None) -> list[Path]:
    """``./cards`` when it exists, else the bundled deck."""
    local = (cwd or Path.cwd()) / "cards"
    if local.is_dir() and any(local.glob("*.md")):
        return [local]
    return [bundled_deck()]


def expand(paths: Sequence[Path]) -> list[Path]:
    """Files named, plus the ``.md`` files in directories named (sorted, not recursive)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("*.md"))
            if not found:
                raise StudydeckError(
                    "no .md files in this folder",
                    path=p,
                    exit_code=2,
                    hint="name a notes file or a folder that holds one",
                )
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise StudydeckError(
                "no such file or folder", path=p, exit_code=2, hint="check the path"
            )
    return files


def parse_files(
    files: Sequence[Path], parse: Callable[[str, str], FileResult] = parse_text
) -> Deck:
    """``parse`` reads one file's text (the incremental parser passes its own)."""
    with gc_paused():
        return _parse_files(files, parse)


def _parse_files(files: Sequence[Path], parse: Callable[[str, str], FileResult]) -> Deck:
    results: list[FileResult] = []
    diags: list[Diagnostic] = []
    for f in files:
        text, problem = read_text(f)
        if problem is not None:
            diags.append(problem)
            continue
        assert text is not None
        res = parse(text, str(f))
        results.append(res)
        diags.extend(res.diagnostics)
    papers, more = assign_keys(results)
    diags.extend(more)
    diags.sort(key=lambda d: (d.path, d.line))
    name = next((r.title for r in results if r.title), files[0].stem if files else "studydeck")
    return Deck(
        name=name,
        papers=tuple(papers),
        cards=tuple(cards_for_all(papers)),
        diagnostics=tuple(diags),
        sources=tuple(str(f) for f in files),
    )


def load(paths: Sequence[Path]) -> Deck:
    return parse_files(expand(paths))
