"""Quiz screens (see studydeck.quiz)."""

from __future__ import annotations

from textual.screen import Screen


class QuizSetupScreen(Screen[None]):
    def on_mount(self) -> None:
        self.notify("Quiz mode is not available yet")
        self.dismiss(None)
