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


def _ours(node: object) -> set[tuple[str, str]]:
    """(action, description) of the bindings studydeck's own classes declare for ``node``:
    not the scroll and focus keys every Textual container has (``Scroll Left``, ``Page
    Left``, ``Focus Next``), which would bury the screen's keys."""
    return {
        (b.action, b.description)
        for cls in type(node).__mro__
        if cls.__module__.startswith("studydeck.")
        for b in cls.__dict__.get("BINDINGS", ())
        if isinstance(b, Binding)
    }


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def _rows(self) -> list[tuple[str, str]]:
        """(keys, what they do): the screen's own keys first, all of them (even those its
        current state hides from the footer), then the keys that work everywhere."""
        rows: dict[tuple[str, str], list[str]] = {}

        def add(b: Binding) -> None:
            if not b.description:
                return
            key = self.app.get_key_display(b) if b.key_display is None else b.key_display
            keys = rows.setdefault((b.action, b.tooltip or b.description), [])
            if key not in keys:
                keys.append(key)

        declared = {
            (b.action, b.description) for b in type(self.under).BINDINGS if isinstance(b, Binding)
        }
        every = [b for bs in self.under._bindings.key_to_bindings.values() for b in bs]
        for b in every:
            if (b.action, b.description) in declared:
                add(b)
        for active in self.under.active_bindings.values():
            if (active.binding.action, active.binding.description) in _ours(active.node):
                add(active.binding)
        return [(" / ".join(keys), what) for (_, what), keys in rows.items()]

    def on_mount(self) -> None:
        # The toasts of the screen below (a suspension, an undo) would lie over the keys.
        self.app.clear_notifications()

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, expand=True)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action")
        for keys, what in self._rows():
            table.add_row(keys, Text(what))
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
                Text(
                    "ctrl+p opens the command palette: every action above, by name.\n"
                    "escape, q or ? closes this help.",
                    style="dim",
                ),
                id="help-palette",
            )

    def action_dismiss(self, result: object = None) -> None:  # type: ignore[override]
        self.dismiss(None)
