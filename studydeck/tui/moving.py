"""The ``m`` key: send a statement of an insight or critique card to the other card.

The correction goes to the review store (keyed by paper and normalised statement) and
the deck is read again with it; moving a statement back forgets the correction, so the
classifier decides again. Card ids, and so the history of both cards, never change.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from studydeck.carding import Statement, guessed_kind, other_kind, statements
from studydeck.models import KIND_LABEL, Card, CardKind
from studydeck.tui.context import ctx_of

MOVABLE = (CardKind.INSIGHT, CardKind.CRITIQUE)
"""The kinds of card a statement moves between (a contribution has none)."""


class StatementPicker(ModalScreen[int | None]):
    """Which statement of the card to move (when it has several)."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="move.cancel")]

    def __init__(self, found: list[Statement], target: CardKind) -> None:
        super().__init__()
        self.found = found
        self.target = target

    def compose(self) -> ComposeResult:
        options = OptionList(
            *(Option(Text(" ".join(s.text.split())), id=str(i)) for i, s in enumerate(self.found)),
            id="move-picker",
        )
        options.border_title = f"Move which statement to the {KIND_LABEL[self.target]} card?"
        # (a trial's picker did not say which keys choose)
        options.border_subtitle = "↑↓ choose · enter move · esc cancel"
        yield options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def move_statement(screen: Screen[None], card: Card, done: Callable[[], None]) -> None:
    """Ask which statement (if several), store the correction, then call ``done``."""
    if card.kind not in MOVABLE:
        screen.notify("Only key-insight and critique cards can be moved", severity="warning")
        return
    ctx = ctx_of(screen)
    found = [s for s in statements(card.paper, ctx.store.corrections()) if s.kind is card.kind]
    if not found:
        return
    target = other_kind(card.kind)

    def apply(index: int | None) -> None:
        if index is None:
            return
        s = found[index]
        if guessed_kind(s) is target:
            ctx.store.uncorrect(card.paper.key, s.key)
        else:
            ctx.store.correct(card.paper.key, s.key, target, ctx.clock())
        done()
        screen.notify(
            f"Moved to the {KIND_LABEL[target]} card (m there moves it back)", markup=False
        )

    if len(found) == 1:
        apply(0)
    else:
        screen.app.push_screen(StatementPicker(found, target), apply)
