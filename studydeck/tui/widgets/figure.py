"""A card's figure: fetched and cached off the UI thread; alt text and link when it cannot be had."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from studydeck.figures import FigureError, FigureFetcher, decode_image
from studydeck.models import Figure


class FigureView(Container):
    """Shows one figure. ``show(None)`` hides it."""

    class Settled(Message):
        """The figure, or why there is none, is in place: what follows it has moved."""

    def __init__(self, fetcher: FigureFetcher, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.fetcher = fetcher
        self._current: tuple[str, str] | None = ("", "")  # nothing shown yet, not even "none"
        self.unavailable = False
        """The figure shown could not be had (said in its place)."""

    def compose(self) -> ComposeResult:
        yield Static(id="figure-status")

    def show(self, figure: Figure | None, notes_file: str) -> None:
        key = (figure.src, notes_file) if figure else None
        if key == self._current:
            return
        self._current = key
        self.unavailable = False
        self._clear_image()
        if figure is None:
            self.display = False
            return
        self.display = True
        self.query_one("#figure-status", Static).update(
            Text(f"loading figure… {figure.alt or figure.src}", style="dim")
        )
        # The card comes first, the figure follows: a fetch's thread imports httpx (~50 ms
        # holding the GIL), which would slow the first paint and the layouts that paint sets
        # off (the header's title, the footer). The first callback runs right after the paint
        # that shows the card; the one it schedules, once the screen has nothing left to lay
        # out or paint (Textual holds after-refresh callbacks while the screen is dirty).
        self.call_after_refresh(self._when_settled, figure, notes_file, key)

    def _when_settled(self, figure: Figure, notes_file: str, key: tuple[str, str] | None) -> None:
        self.call_after_refresh(self._start, figure, notes_file, key)

    def _start(self, figure: Figure, notes_file: str, key: tuple[str, str] | None) -> None:
        if key != self._current:
            return
        self.run_worker(
            lambda: self._load(figure, notes_file, key), thread=True, exclusive=True, group="figure"
        )

    def _load(self, figure: Figure, notes_file: str, key: tuple[str, str] | None) -> None:
        worker = get_current_worker()
        try:
            data = self.fetcher.get(figure, Path(notes_file))
            if data.kind == "svg":
                raise FigureError("SVG figures are shown in the Anki export only")
            image = decode_image(data.data)
        except (FigureError, OSError, ValueError) as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, figure, str(exc), key)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._loaded, image, key)

    def _clear_image(self) -> None:
        for child in list(self.query(".figure-image")):
            child.remove()

    def _loaded(self, image: object, key: tuple[str, str] | None) -> None:
        if key != self._current:
            return
        from textual_image.widget import Image as ImageWidget

        self._clear_image()
        self.query_one("#figure-status", Static).update("")
        self.mount(ImageWidget(image, classes="figure-image"))  # type: ignore[arg-type]
        self.call_after_refresh(self.post_message, self.Settled())

    def _failed(self, figure: Figure, reason: str, key: tuple[str, str] | None) -> None:
        if key != self._current:
            return
        self.unavailable = True
        text = Text("figure unavailable", style="bold yellow")
        text.append(f" ({reason}): ", style="yellow")
        text.append(figure.alt + " " if figure.alt else "")
        text.append(figure.src, style="underline")
        self.query_one("#figure-status", Static).update(text)
        self.call_after_refresh(self.post_message, self.Settled())
