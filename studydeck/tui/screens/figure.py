"""A card's figure at full size, over the review; escape (or f, or q) closes it.

In the app rather than a system viewer: it works over ssh and in any terminal that
textual-image can draw in (elsewhere it falls back to the alt text and the link).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from studydeck.models import Figure
from studydeck.tui.context import ctx_of
from studydeck.tui.widgets.figure import FigureView
from studydeck.tui.widgets.footer import StudydeckFooter


class FigureScreen(ModalScreen[None]):
    TITLE = "Figure"
    BINDINGS = [Binding("escape,f,q", "close", "Close", id="figure.close")]

    def __init__(self, figure: Figure, notes_file: str) -> None:
        super().__init__()
        self.figure = figure
        self.notes_file = notes_file

    def compose(self) -> ComposeResult:
        caption = Text(self.figure.alt or "figure", style="bold")
        caption.append(f"  {self.figure.src}", style="dim")
        yield Static(caption, id="figure-caption")
        yield FigureView(ctx_of(self).fetcher, id="figure-full")
        yield StudydeckFooter()

    def on_mount(self) -> None:
        self.query_one(FigureView).show(self.figure, self.notes_file)

    def action_close(self) -> None:
        self.dismiss(None)
