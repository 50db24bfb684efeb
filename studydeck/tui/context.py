"""How screens reach the shared :class:`~studydeck.tui.app.AppContext`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from studydeck.tui.app import AppContext


def ctx_of(node: DOMNode) -> AppContext:
    return node.app.ctx  # type: ignore[attr-defined, no-any-return]
