"""How screens reach the app and its shared :class:`~studydeck.tui.app.AppContext`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, cast

from textual.dom import DOMNode

from studydeck.errors import StudydeckError

if TYPE_CHECKING:
    from studydeck.tui.app import AppContext, StudydeckApp


def app_of(node: DOMNode) -> StudydeckApp:
    return cast("StudydeckApp", node.app)


def ctx_of(node: DOMNode) -> AppContext:
    return app_of(node).ctx


P = ParamSpec("P")


def reports_errors(action: Callable[P, None]) -> Callable[P, None]:
    """A store that cannot be written (locked for too long, disk full, damaged) is told to the
    user as a notification; the app keeps running and nothing already saved is touched."""

    @functools.wraps(action)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            action(*args, **kwargs)
        except StudydeckError as exc:
            node = args[0]
            assert isinstance(node, DOMNode)
            node.app.notify(str(exc), severity="error", timeout=10)

    return run
