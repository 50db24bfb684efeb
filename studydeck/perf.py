"""Small helpers for the hot paths (loading tens of thousands of cards)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building tens of thousands of small objects triggers the cyclic GC over and over
    (it more than doubles load time); they hold no cycles, so pause it meanwhile."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was built is long-lived: move it out of the collector's sight, or the
        # first collection after this would walk all of it again.
        gc.freeze()
        if was:
            gc.enable()
