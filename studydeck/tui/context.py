"""How screens reach the app and its shared :class:`~studydeck.tui.app.AppContext`."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from studydeck.tui.app import AppContext, StudydeckApp


def app_of(node: DOMNode) -> StudydeckApp:
    return cast("StudydeckApp", node.app)


def ctx_of(node: DOMNode) -> AppContext:
    return app_of(node).ctx
