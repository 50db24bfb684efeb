"""What `studydeck check` looks at beyond the table itself: local figure files.

Reading the notes never touches figure files (parsing stays pure and fast); `check` does,
so a typo in an image path is found before a review shows "figure unavailable".
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from studydeck.figures import FigureError, local_path, sniff
from studydeck.fileio import ReadRefused, read_head
from studydeck.models import Diagnostic, Paper
from studydeck.parsing import outside_folder

#: Enough bytes for :func:`studydeck.figures.sniff` to recognise any kind it knows.
SNIFF_BYTES = 4096


def _problem(path: Path) -> str | None:
    """What is wrong with a local figure file, or None. Only a regular file is opened (a
    FIFO named ``fig.png`` hung `check`; a device would be read for ever)."""
    try:
        head = read_head(path, SNIFF_BYTES)
    except FileNotFoundError:
        return "does not exist"
    except IsADirectoryError:
        return "is a folder, not an image"
    except ReadRefused as exc:
        return f"is {exc}, not an image"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if sniff(head) is None:
        return "is not an image (expected PNG, JPEG, GIF, WebP or SVG)"
    return None


def figure_diagnostics(papers: Iterable[Paper]) -> list[Diagnostic]:
    """A warning per local figure that is missing or not an image, at its paper's line."""
    out: list[Diagnostic] = []
    for paper in papers:
        for fig in paper.figures:
            if fig.is_remote or fig.src.startswith("data:"):
                continue
            problem: str | None
            try:
                path = local_path(fig.src, Path(paper.source))
            except FigureError as exc:
                if outside_folder(fig.src):
                    continue  # outside the notes folder as typed: parsing has said so
                problem = f"cannot be shown: {exc} (a link to elsewhere?)"
            else:
                problem = _problem(path)
            if problem is not None:
                out.append(
                    Diagnostic(
                        path=paper.source,
                        line=paper.line,
                        severity="warning",
                        message=f"figure '{fig.src}' {problem}",
                    )
                )
    return out
