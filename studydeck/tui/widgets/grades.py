"""The row of grade buttons under a revealed card; it tells the screen through a message."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal
from textual.message import Message

from studydeck.scheduling import AnkiButton

if TYPE_CHECKING:
    from textual.widgets import Button

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
    """Hidden until :meth:`show`. Its ten buttons are made the first time it is shown: a
    review's first card is painted without them (made and styled while hidden, they cost
    about a twentieth of a warm start's instructions), and the keys grade without them."""

    class Graded(Message):
        def __init__(self, quality: int) -> None:
            super().__init__()
            self.quality = quality

    def show(self) -> None:
        self.display = True
        if not self.children:
            self.mount_all(_buttons())

    def hide(self) -> None:
        self.display = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id or ""
        if bid.startswith("grade-"):
            self.post_message(self.Graded(int(bid.removeprefix("grade-"))))
        else:
            q = next(q for label, _, q in ANKI_BUTTONS if f"anki-{label.lower()}" == bid)
            self.post_message(self.Graded(q))


def _buttons() -> list[Button]:
    from textual.widgets import Button

    sm2 = [Button(str(q), id=f"grade-{q}", classes="grade sm2", compact=True) for q in range(6)]
    return sm2 + [
        Button(
            f"{label} ({key})", id=f"anki-{label.lower()}", classes=f"grade anki q{q}", compact=True
        )
        for label, key, q in ANKI_BUTTONS
    ]
