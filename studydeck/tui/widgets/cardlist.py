"""A virtual table: draws only the rows on screen (Textual's line API), whatever their number.

The screen owns the rows; this widget asks it for the cells of row ``i`` (``cells(i)``) when
that row is drawn, and knows only how many rows there are. So opening or filtering a list of
100 000 cards costs what the screen spends choosing them, not drawing them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cells = Callable[[int], Sequence[Text]]


class CardList(ScrollView, can_focus=True):
    """Columns of fixed widths, a header line that stays put, a cursor row, zebra stripes."""

    DEFAULT_CSS = """
    CardList { background: $surface; }
    CardList > .cardlist--header { text-style: bold; background: $panel; color: $foreground; }
    CardList > .cardlist--even { background: $surface; }
    CardList > .cardlist--odd { background: $surface-lighten-1; }
    CardList > .cardlist--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    """
    COMPONENT_CLASSES = {
        "cardlist--header",
        "cardlist--even",
        "cardlist--odd",
        "cardlist--cursor",
    }
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move(-1_000_000_000)", "First", show=False),
        Binding("end", "move(1_000_000_000)", "Last", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to ``row`` (an index into the screen's rows)."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    class HeaderClicked(Message):
        def __init__(self, column: int) -> None:
            super().__init__()
            self.column = column

    def __init__(
        self, labels: Sequence[str], widths: Sequence[int], cells: Cells, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.labels = list(labels)
        self.widths = list(widths)
        self.cells = cells
        self.row_count = 0
        self._line_width = sum(w + 2 for w in self.widths)
        self._styles: dict[Style, list[Style]] = {}
        self._frame_style: Style | None = None

    # -- the rows ---------------------------------------------------------------------------

    def set_row_count(self, count: int) -> None:
        """The rows changed (a filter, a sort): ``count`` of them; the cursor goes to the top."""
        self.row_count = count
        self.virtual_size = Size(self._line_width, count + 1)  # + the header line
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor_row = 0
        self.refresh()

    def set_widths(self, widths: Sequence[int]) -> None:
        """The columns' widths changed (the terminal's did): the rows drawn again in them."""
        self.widths = list(widths)
        self._line_width = sum(w + 2 for w in self.widths)
        self.virtual_size = Size(self._line_width, self.row_count + 1)
        self.refresh()

    def grow(self, count: int, *, now: bool = False) -> None:
        """Rows were added after the last (a filter's result growing as it reads on):
        ``count`` of them; the cursor and the scroll stay where they are. Drawn when some
        are on screen, or ``now`` (a new height is a new frame: the scrollbar)."""
        shown_before = self.row_count
        if now or shown_before < round(self.scroll_offset.y) + self.size.height:
            self.row_count = count
            self.virtual_size = Size(self._line_width, count + 1)
            self.refresh()

    def row_text(self, i: int) -> tuple[str, ...]:
        """Row ``i`` as plain text, cell by cell (what the user reads)."""
        return tuple(t.plain for t in self.cells(i))

    def refresh_row(self, i: int) -> None:
        y = i - round(self.scroll_offset.y) + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # -- drawing ----------------------------------------------------------------------------

    def _cell_styles(self, style: Style) -> list[Style]:
        """``style`` with each column's number (made once per style: a style with meta is
        costly to make)."""
        styles = self._styles.get(style)
        if styles is None:
            styles = [style + Style(meta={"column": c}) for c in range(len(self.widths))]
            self._styles[style] = styles
        return styles

    def _line(self, texts: Sequence[Text], style: Style) -> Strip:
        # One segment run per cell: a terminal (or a picture of one) places each cell at its
        # own column, whatever the glyph widths before it.
        # (The column in each cell's style keeps neighbouring cells from merging into one run.)
        segments: list[Segment] = []
        for text, width, base in zip(texts, self.widths, self._cell_styles(style), strict=True):
            plain = text.plain
            room = width - cell_len(plain)
            segments.append(Segment(" ", base))
            if room >= 0 and not text.spans and not text.style:
                # A plain cell that fits (most of them): what Rich would render, without
                # copying and rendering a Text.
                segments.append(Segment(plain + " " * room, base))
            else:
                cell = text.copy()
                cell.truncate(width, overflow="ellipsis", pad=True)
                cell.end = ""
                segments.extend(
                    Segment(s.text, base + s.style if s.style else base, s.control)
                    for s in cell.render(self.app.console)
                )
            segments.append(Segment(" ", base))
        return Strip(segments, self._line_width)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The list's own style looked up once a frame, not at each row (it walks every
        # ancestor's background: ~25 µs, a third of drawing a row that is cached).
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        style = self._frame_style or self.rich_style
        if y == 0:
            header = self.get_component_rich_style("cardlist--header")
            strip = self._line([Text(label) for label in self.labels], header)
        else:
            i = scroll_y + y - 1
            if i >= self.row_count:
                return Strip.blank(width, style)
            name = (
                "cardlist--cursor"
                if i == self.cursor_row
                else ("cardlist--odd" if i % 2 else "cardlist--even")
            )
            strip = self._line(self.cells(i), self.get_component_rich_style(name))
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    # -- the cursor -------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_row(old)
        self.refresh_row(new)
        self.post_message(self.Highlighted(new))

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, self.row_count - 1))

    @property
    def rows_seen(self) -> int:
        """How many rows are on screen: the lines under the header, less the horizontal
        scrollbar's when the columns are wider than the list (80 columns)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _show_cursor(self) -> None:
        rows_seen = self.rows_seen
        top = round(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + rows_seen:
            self.scroll_to(y=self.cursor_row - rows_seen + 1, animate=False, immediate=True)

    def action_move(self, by: int) -> None:
        self.cursor_row = self.cursor_row + by
        self._show_cursor()

    def action_page(self, pages: int) -> None:
        self.action_move(pages * max(1, self.rows_seen - 1))

    def on_click(self, event: Click) -> None:
        at = event.get_content_offset(self)
        if at is None:
            return
        if at.y == 0:
            x = at.x + round(self.scroll_offset.x)
            for column, width in enumerate(self.widths):
                if x < width + 2:
                    self.post_message(self.HeaderClicked(column))
                    return
                x -= width + 2
            return
        row = round(self.scroll_offset.y) + at.y - 1
        if row < self.row_count:
            self.cursor_row = row
