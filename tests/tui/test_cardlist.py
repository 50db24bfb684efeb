"""The card list draws a plain cell that fits without Rich's Text machinery: each line it
draws is, segment for segment, the one Rich's rendering of the same cells gives (CJK
counted double, cut with an ellipsis, styled cells, empty ones, hostile text stripped)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from studydeck.tui.widgets.cardlist import CardList

WIDTHS = (10, 4, 6)
CELLS = [
    ("Layer Norm", "kind", "2020"),  # exactly the width
    ("Layer Normalization", "insight", ""),  # cut, with an ellipsis
    ("图像复原综述", "crit", "图像"),  # double-width glyphs: 12 cells in 10
    ("图像复原", "c", "x\x1b[31my"),  # fits in 8 of 10; an escape sequence is stripped
    ("", "", ""),
    (Text("…", style="dim"), Text("a", style="bold red"), Text("ab")),  # styled cells
    (Text.assemble(("bold", "bold"), " x"), Text.assemble(("ab", "red")), Text("ab")),  # spans
    ("a\tb", "é", "e\u0301x"),  # a tab, a precomposed and a combining accent
]


def rich_line(app: App[None], texts: Sequence[Text], style: Style) -> list[Segment]:
    """The line as Rich renders the cells: each copied, cut to its width (padded), rendered."""
    segments: list[Segment] = []
    for column, (text, width) in enumerate(zip(texts, WIDTHS, strict=True)):
        base = style + Style(meta={"column": column})
        cell = text.copy()
        cell.truncate(width, overflow="ellipsis", pad=True)
        cell.end = ""
        segments.append(Segment(" ", base))
        segments.extend(
            Segment(s.text, base + s.style if s.style else base, s.control)
            for s in cell.render(app.console)
        )
        segments.append(Segment(" ", base))
    return segments


class Lists(App[None]):
    def compose(self) -> ComposeResult:
        yield CardList(["a", "b", "c"], list(WIDTHS), lambda i: (), id="cards")


async def test_each_line_is_what_rich_renders_of_its_cells() -> None:
    app = Lists()
    async with app.run_test(size=(60, 10)):
        list_ = app.query_one(CardList)
        for name in ("cardlist--even", "cardlist--odd", "cardlist--cursor"):
            style = list_.get_component_rich_style(name)
            for cells in CELLS:
                texts = [c if isinstance(c, Text) else Text(c) for c in cells]
                ours = list(list_._line(texts, style))
                assert ours == rich_line(app, texts, style), cells
                assert sum(s.cell_length for s in ours) == sum(w + 2 for w in WIDTHS)
