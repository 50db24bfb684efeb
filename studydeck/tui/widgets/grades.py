"""The row of grade buttons under a revealed card; it tells the screen through a message."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button

from studydeck.scheduling import AnkiButton

#: Anki's four buttons (their grades: :class:`~studydeck.scheduling.AnkiButton`) and their keys.
ANKI_KEYS: dict[AnkiButton, str] = {
    AnkiButton.AGAIN: "a",
    AnkiButton.HARD: "h",
    AnkiButton.GOOD: "g",
    AnkiButton.EASY: "E",
}
ANKI_BUTTONS: tuple[tuple[str, str, int], ...] = tuple(
    (b.name.title(), key, int(b)) for b, key in ANKI_KEYS.items()
)


class GradeBar(Horizontal):
    class Graded(Message):
        def __init__(self, quality: int) -> None:
            super().__init__()
            self.quality = quality

    def compose(self) -> ComposeResult:
        for q in range(6):
            yield Button(str(q), id=f"grade-{q}", classes="grade sm2", compact=True)
        for label, key, q in ANKI_BUTTONS:
            yield Button(
                f"{label} ({key})",
                id=f"anki-{label.lower()}",
                classes=f"grade anki q{q}",
                compact=True,
            )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id or ""
        if bid.startswith("grade-"):
            self.post_message(self.Graded(int(bid.removeprefix("grade-"))))
        else:
            q = next(q for label, _, q in ANKI_BUTTONS if f"anki-{label.lower()}" == bid)
            self.post_message(self.Graded(q))
