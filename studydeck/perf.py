"""Small helpers for the hot paths (loading tens of thousands of cards)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building tens of thousands of small objects triggers the cyclic GC over and over
    (it more than doubles load time); they hold no cycles, so pause it meanwhile.

    Collection resumes afterwards and nothing is frozen: whatever was alive here can
    still be collected later (freezing here made every object alive at any load,
    closed screens included, uncollectable for good).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
