"""User text -> Rich ``Text``, always literally: ``[bold]`` stays ``[bold]``, never markup.

Inline Markdown (bold, italics, code, links) is shown with styles; everything else,
including raw HTML, is shown as typed.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text

from studydeck.rendering import MARKUP_MAX, inline_md, is_plain
from studydeck.safe import terminal

_STYLES = {
    "strong_open": Style(bold=True),
    "em_open": Style(italic=True),
}


def markdown_text(source: str, base: Style | str = "") -> Text:
    """Render one cell's inline Markdown as Rich text (no Rich markup is ever parsed)."""
    out = Text(style=base)
    source = terminal(source)  # no escape sequence reaches the screen, link targets included
    if not source:
        return out
    # Most cells: no parser, and markdown-it is not even imported. (A cell too long to parse
    # is shown as typed.)
    if is_plain(source) or len(source) > MARKUP_MAX:
        out.append(source)
        return out
    stack: list[Style] = []
    for tok in inline_md().parseInline(source)[0].children or ():
        style = Style.chain(*stack) if stack else Style()
        t = tok.type
        if t == "text":
            out.append(tok.content, style)
        elif t == "code_inline":
            out.append(tok.content, style + Style(bold=True, color="cyan"))
        elif t in ("softbreak", "hardbreak"):
            out.append("\n")
        elif t in _STYLES:
            stack.append(_STYLES[t])
        elif t == "link_open":
            href = str(tok.attrGet("href") or "")
            stack.append(Style(underline=True, color="bright_blue", link=href or None))
        elif t in ("strong_close", "em_close", "link_close"):
            if stack:
                stack.pop()
        elif t == "image":
            out.append(f"[image: {tok.content or tok.attrGet('src')}]", style + Style(dim=True))
        else:
            out.append(tok.content, style)
    return out


# Break opportunities for text that mixes Chinese and Latin: a run of Latin letters, digits
# and the punctuation that sticks to them is one unit (``CNN``, ``feature-map`` are never
# split); every other character is a unit of its own, so a line fills up with CJK text
# instead of breaking early at the space before it (Rich breaks at spaces only).
_UNITS = re.compile(r"\s+|[A-Za-z0-9_\-.,;:!?'\"()\[\]/+*=<>%#&@~^$|\\]+|.", re.DOTALL)


def _break_offsets(line: str, width: int) -> list[int]:
    """Where to cut one line (no newlines) so no piece is wider than ``width`` cells."""
    cuts: list[int] = []
    used = 0
    for m in _UNITS.finditer(line):
        unit = m.group()
        w = cell_len(unit)
        if unit.isspace():
            used += w if used else 0  # a space at the start of a line is dropped below
            continue
        if used and used + w > width:
            cuts.append(m.start())
            used = 0
        if w > width:  # a unit wider than the line: fold it, it cannot fit anywhere
            for i, ch in enumerate(unit):
                cw = cell_len(ch)
                if used and used + cw > width:
                    cuts.append(m.start() + i)
                    used = 0
                used += cw
            continue
        used += w
    return cuts


def wrap_mixed(text: Text, width: int) -> list[Text]:
    """``text`` cut into lines of at most ``width`` cells, styles kept."""
    lines: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        for i, piece in enumerate(line.divide(_break_offsets(line.plain, max(1, width)))):
            if i:  # a line cut at a space does not start with it
                piece = piece[len(piece.plain) - len(piece.plain.lstrip()) :]
            piece.rstrip()
            lines.append(piece)
    return lines


class MixedText:
    """A Rich renderable for card text: wraps Chinese/Latin mixes as described above."""

    def __init__(self, text: Text) -> None:
        self.text = text

    @property
    def plain(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from wrap_mixed(self.text, options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)
