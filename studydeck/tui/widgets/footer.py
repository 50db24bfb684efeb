"""The footer every screen uses: Textual's ``Footer``, with its keys drawn as one line.

Textual's ``Footer`` makes one widget per key and, whenever the bindings change, removes
them all and mounts new ones after the next refresh. The review screen changes its bindings
twice a card, so every answer paid for ~16 widgets made and styled, two extra layouts of the
whole screen, and one frame painted with the old keys; and the removed keys stayed alive
(each key's style cache is held by an ``lru_cache`` in Textual's ``StylesCache``, and its
``compact`` watcher by the footer) -- the cyclic collector's full passes grew with each card.

Here the keys are one widget that draws the screen's active bindings itself: a change of
bindings repaints one line, no layout. Each key still comes from a binding (its key, its
``description``, its ``tooltip``, dimmed when the screen disables it), clicking a key presses
it, and the command-palette key on the right is Textual's own, made once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen


class ShownKey(NamedTuple):
    """One key in the footer, as Textual's ``Footer`` would show it. (A named tuple: made
    at import ~5x cheaper than a frozen dataclass.)"""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    pinned: bool = False
    """Kept on the line when the keys are more than it holds (the help key: where every
    key is listed), the keys before it dropped from the last."""


def shown_keys(screen: Screen[object]) -> list[ShownKey]:
    """The keys ``screen`` shows: the first shown binding of each action, in binding order
    (the same choice Textual's ``Footer`` makes), without the command palette's."""
    app = screen.app
    palette = app.COMMAND_PALETTE_BINDING
    seen: set[str] = set()
    out: list[ShownKey] = []
    for key, (_, binding, enabled, tooltip) in screen.active_bindings.items():
        if not binding.show or binding.action in seen or key == palette:
            continue
        seen.add(binding.action)
        out.append(
            ShownKey(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                enabled,
                tooltip or binding.description,
                binding.id in PINNED,
            )
        )
    return out


PINNED = frozenset({"app.help"})
"""The bindings (by id) whose key the footer keeps when the line is too short for all."""


class FooterKeys(Widget):
    """The keys of the footer, drawn as one line of text."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "footer-key--key",
        "footer-key--description",
        "footer-key--hover",
    }
    # FooterKey's look, per key instead of per widget.
    DEFAULT_CSS = """
    FooterKeys {
        width: 1fr;
        height: 1;
        text-wrap: nowrap;
        background: $footer-item-background;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[ShownKey] | None = None
        """The keys shown, made again when the screen's bindings change."""
        self.spans: list[tuple[int, int, ShownKey]] = []
        """Where each key was last drawn (its first and past-the-last cell), for the mouse."""
        self._hover: ShownKey | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self._keys = None
            self._hover = None
            self.refresh()

    @property
    def keys(self) -> list[ShownKey]:
        if self._keys is None:
            self._keys = shown_keys(self.screen)
        return self._keys

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        hover_style = self.get_component_rich_style("footer-key--hover")
        out = Text(no_wrap=True, overflow="crop", end="")
        self.spans = []
        labels = []
        for k in self.keys:
            label = (
                Text.assemble(
                    (f" {k.display} ", key_style), (f"{k.description} ", description_style)
                )
                if k.description
                else Text(k.display, key_style)
            )
            if not k.enabled:
                label.stylize("dim")
            if k == self._hover:
                label.stylize_before(hover_style)
            labels.append((k, label))
        for k, label in _fitting(labels, self.size.width):
            start = out.cell_len
            out.append_text(label)
            self.spans.append((start, out.cell_len, k))
        return out

    def _at(self, x: int) -> ShownKey | None:
        return next((k for a, b, k in self.spans if a <= x < b), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._at(event.x)
        if key != self._hover:
            self._hover = key
            self.tooltip = key.tooltip if key else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()


def _fitting(labels: list[tuple[ShownKey, Text]], width: int) -> list[tuple[ShownKey, Text]]:
    """The keys to draw on a line of ``width`` cells: all when they fit (or nothing tells
    the width yet); else the pinned ones and, before them, as many of the others, in order,
    as the line holds beside them."""
    if width <= 0 or sum(label.cell_len for _, label in labels) <= width:
        return labels
    room = width - sum(label.cell_len for k, label in labels if k.pinned)
    kept: list[tuple[ShownKey, Text]] = []
    for k, label in labels:
        if k.pinned:
            kept.append((k, label))
        elif label.cell_len <= room:
            kept.append((k, label))
            room -= label.cell_len
        else:
            room = 0  # (in order: no later, shorter key after a dropped one)
    return kept


class StudydeckFooter(Footer):
    def compose(self) -> ComposeResult:
        yield FooterKeys()
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return
        # The app's binding, the same on every screen: Textual's own key, made once.
        active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if active is not None:
            _, binding, enabled, _ = active
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Nothing to rebuild: :class:`FooterKeys` repaints itself."""
