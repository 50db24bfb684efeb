"""User text -> Rich ``Text``, always literally: ``[bold]`` stays ``[bold]``, never markup.

Inline Markdown (bold, italics, code, links) is shown with styles; everything else,
including raw HTML, is shown as typed.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from studydeck.rendering import INLINE_MD
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
    stack: list[Style] = []
    for tok in INLINE_MD.parseInline(source)[0].children or ():
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
