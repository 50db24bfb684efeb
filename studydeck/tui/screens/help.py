"""Help, generated from the live bindings of the screen it was opened on."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from studydeck.scheduling import AnkiButton

GRADES_HELP = (
    "SM-2 grades: 0 blackout · 1 wrong, remembered on seeing the answer · 2 wrong, but it "
    "felt easy · 3 right, with serious difficulty · 4 right, after hesitation · 5 perfect.\n"
    "Anki's buttons map to them: "
    + ", ".join(f"{b.name.title()} = {b:d}" for b in AnkiButton)
    + ". "
    "A grade below 4 brings the card back later the same day (SM-2 step 7)."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, expand=True)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action")
        for key, active in self.under.active_bindings.items():
            b = active.binding
            if not b.description:
                continue
            table.add_row(
                self.app.get_key_display(b) if b.key_display is None else b.key_display or key,
                Text(b.tooltip or b.description),
            )
        with VerticalScroll(id="help-body"):
            yield Static(
                Text(
                    f"Keys on this screen ({self.under.title or type(self.under).__name__})",
                    style="bold",
                ),
                id="help-title",
            )
            yield Static(table, id="help-keys")
            yield Static(Text(GRADES_HELP), id="help-grades")
            yield Static(
                Text("ctrl+p opens the command palette: every action above, by name.", style="dim"),
                id="help-palette",
            )

    def action_dismiss(self, result: object = None) -> None:  # type: ignore[override]
        self.dismiss(None)
