"""Textual's footer, without its leak: every screen uses this one.

Textual's ``Footer`` rebuilds its keys whenever the bindings change, and each new key binds
itself to the footer's ``compact`` setting by adding a watcher on the footer. The watchers
of removed keys are dropped only when ``compact`` changes, which in this app it never does:
the review screen changes its bindings twice a card, so every answer left ~16 dead keys
(and their styles and caches) alive for the whole session -- the cyclic collector's full
passes grew with each card, and so did the key-press latency.
"""

from __future__ import annotations

from textual.widgets import Footer


class StudydeckFooter(Footer):
    async def recompose(self) -> None:
        await super().recompose()  # the old keys removed, the new ones mounted
        # Textual keeps its watchers in this attribute and prunes them the same way itself
        # (``Reactive._check_watchers``), but only when the watched value changes.
        watchers = getattr(self, "__watchers", {}).get("compact")
        if watchers:
            watchers[:] = [(node, cb) for node, cb in watchers if node.is_attached]
