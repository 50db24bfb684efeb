"""Whether a notes folder opted in to the review log (:mod:`studydeck.sync`), asked before
every review: on its own, so a review of a folder that did not opt in never imports the
sync module (its readers and their compiled patterns)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

LOG_DIR = Path(".studydeck") / "reviews"


def find_root(paths: Sequence[Path]) -> Path | None:
    """The notes folder that opted in (has ``.studydeck/reviews``), looking up from ``paths``."""
    for p in paths:
        start = p.resolve()
        for folder in [start, *start.parents]:
            if (folder / LOG_DIR).is_dir():
                return folder
    return None
