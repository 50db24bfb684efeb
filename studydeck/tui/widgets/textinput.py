"""A text box whose text is always as a terminal may show it."""

from __future__ import annotations

from textual.widgets import Input

from studydeck.safe import terminal


class SafeInput(Input):
    """An :class:`~textual.widgets.Input` whose value goes through
    :func:`studydeck.safe.terminal` whenever it is set: typed, pasted (a paste of the notes
    or a web page can carry escape sequences and bidi overrides, which the box would draw
    to the terminal as they are) or set by the program."""

    def validate_value(self, value: str) -> str:
        return terminal(value).replace("\n", " ")
