"""The title line every screen starts with: "<screen title> — <deck name>", one widget.

Textual's ``Header`` is four widgets (itself, an icon that opens the command palette, the
title and a clock's space), each styled and laid out, and it watches four reactives: one line
of text cost ~50-75 M of the ~1.8 G instructions to a warm start's first card (callgrind).
This is one widget that draws the same words (the screen's title, else the app's; then the
app's sub-title, dimmed) centred on the same ``$panel`` line. The palette stays on its key.

The deck's name comes from the notes: it is drawn as plain text (never markup), through
:func:`studydeck.safe.terminal`, like every other text from the notes.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from studydeck.safe import terminal


def title_text(title: str, sub_title: str) -> Text:
    """The line drawn: the title, then " — " and the sub-title (dimmed) when there is one."""
    text = Text(terminal(title), no_wrap=True, overflow="ellipsis")
    if sub_title:
        text.append(" — ", style="dim")
        text.append(terminal(sub_title), style="dim")
    return text


class TitleBar(Widget):
    """The screen's title and the deck's name, centred on one line at the top."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        content-align: center middle;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        # The app's sub-title (the deck's name) is set before any screen is made; a change
        # (the notes read again under another name) repaints the line.
        self.watch(self.app, "sub_title", self._changed, init=False)
        self.watch(self.app, "title", self._changed, init=False)

    def _changed(self) -> None:
        self.refresh()

    def render(self) -> Text:
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        return title_text(title, sub_title)
