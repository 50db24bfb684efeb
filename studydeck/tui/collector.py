"""Full passes of the cyclic garbage collector while the user thinks, not while a key is handled.

A key press allocates thousands of objects (Textual's layout and rendering), so Python's own
full passes -- which scan every object made since the deck was frozen, tens of milliseconds --
landed inside key presses: they were the slow tail of key-to-next-card. While the app runs,
Python makes young passes only, and :class:`IdleCollector` makes the full pass as soon as no
input came for :attr:`quiet` seconds and as many young passes as Python would wait for have
happened -- or, under a stream of keys with no pause, once :attr:`cap` of them have.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

NEVER = 1 << 30
"""The third threshold while the app runs: Python never starts a full pass itself."""


def _pending() -> int:
    # How many middle-generation passes happened since the last full one.
    return gc.get_count()[2]


def _collect() -> None:
    gc.collect()


def _young() -> None:
    gc.collect(1)


class IdleCollector:
    def __init__(
        self,
        quiet: float = 0.5,
        cap: int = 100,
        pending: Callable[[], int] = _pending,
        collect: Callable[[], None] = _collect,
        young: Callable[[], None] = _young,
    ) -> None:
        self.quiet = quiet
        """Seconds without input that count as the user not waiting for the screen."""
        self.cap = cap
        self._pending = pending
        self._collect = collect
        self._young = young
        self._saved: tuple[int, int, int] | None = None
        self.due = gc.get_threshold()[2]
        """Pending passes after which a full pass is made (Python's own third threshold)."""
        self.last_input = float("-inf")

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            first, second, self.due = self._saved
            gc.set_threshold(first, second, NEVER)

    def stop(self) -> None:
        """Python's thresholds as they were (tests run many apps in one process)."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def input_seen(self, now: float) -> None:
        self.last_input = now

    def idle(self, now: float) -> bool:
        """Whether no input came for :attr:`quiet` seconds: the user is not waiting for the
        screen (the rule for any work put off until then, this pass or another)."""
        return now - self.last_input >= self.quiet

    def settle(self) -> None:
        """One young pass now: what the young generations hold moves to the old one. For a
        screen that has just made lists of 100,000s of items it keeps (a search index, a
        filter's whole result), at a moment of its choosing: young, each list is walked
        item by item by every young pass until it is old -- and those passes come with the
        allocations of the next key's frame (5-15 ms inside it, at 126k cards)."""
        if self._saved is not None:  # (only while the app runs, as the full passes)
            self._young()

    def tick(self, now: float) -> bool:
        """Make the full pass if it is due and the user is idle (or it is overdue)."""
        pending = self._pending()
        if pending < self.due:
            return False
        if not self.idle(now) and pending < self.cap:
            return False
        self._collect()
        return True
