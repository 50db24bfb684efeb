"""Inline Markdown of a cell -> safe HTML (Anki fields, handouts) or plain text.

Raw HTML in the notes is never passed through: ``<script>`` arrives as text.
Line breaks (``<br>`` in the notes) become ``<br>``.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

#: The one inline-Markdown parser of studydeck (cells are inline text: no blocks, no raw
#: HTML). Parsing reads its tokens for titles and figures, the app styles them, and the
#: HTML renderer uses it for fields and handouts.
INLINE_MD = MarkdownIt("zero", {"breaks": True}).enable(
    ["emphasis", "backticks", "link", "image", "autolink", "escape", "entity", "newline"]
)
# Keep URLs as typed: the renderer still escapes attributes and validateLink still refuses
# javascript:, vbscript: and file: links; percent-encoding every URL was a third of the cost.
INLINE_MD.normalizeLink = lambda url: url.strip()  # type: ignore[method-assign]
_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)")
# Text without any of these renders to itself, HTML-escaped: no need to run the parser.
_MARKUP = re.compile(r"[\\`*_\[\]<>&]")
# What markdown-it makes of a line break with breaks=True: spaces before it dropped, spaces
# and tabs after it skipped.
_NEWLINE = re.compile(r" *\n[ \t]*")


# The two pieces of Markdown notes are made of, in the forms whose rendering is certain:
# **bold** between word characters, and [text](url) with a plain text and a plain URL.
# Anything else (underscores, code, entities, images, nested or odd forms) goes to the parser.
# tests/test_rendering.py checks this against markdown-it-py on random text.
_FAST = re.compile(
    r"(?<!\*)\*\*(?P<bold>[^\W_](?:[^\\`*_\[\]<>&\n]*[^\W_])?)\*\*(?!\*)"
    r"|(?<!!)\[(?P<label>[^\\`*_\[\]<>&!\n]+)\]\((?P<url>[^\s()<>\\&\"']+)\)"
)
_BAD_PROTOCOL = re.compile(r"^(vbscript|javascript|file|data):", re.IGNORECASE)


def _plain_html(text: str) -> str:
    out = text.replace('"', "&quot;")
    return _NEWLINE.sub("<br>\n", out) if "\n" in out else out


def _fast_html(text: str) -> str | None:
    """HTML for text made of plain runs, simple bold and simple links; None otherwise."""
    parts: list[str] = []
    pos = 0
    for m in _FAST.finditer(text):
        plain = text[pos : m.start()]
        if _MARKUP.search(plain):
            return None
        parts.append(_plain_html(plain))
        bold = m.group("bold")
        if bold is not None:
            parts.append(f"<strong>{_plain_html(bold)}</strong>")
        else:
            url = m.group("url")
            if _BAD_PROTOCOL.match(url):
                return None
            parts.append(f'<a href="{url}">{_plain_html(m.group("label"))}</a>')
        pos = m.end()
    tail = text[pos:]
    if _MARKUP.search(tail):
        return None
    parts.append(_plain_html(tail))
    return "".join(parts).strip()


def to_html(text: str) -> str:
    if not text:
        return ""
    fast = _fast_html(text)
    return fast if fast is not None else str(INLINE_MD.renderInline(text)).strip()


def to_plain(text: str) -> str:
    """Readable text without Markdown marks: ``[知乎](url)`` -> ``知乎 (url)``."""
    out = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(2) else m.group(1), text)
    return re.sub(r"(\*\*|__|`)", "", out)


def escape(text: str) -> str:
    return html.escape(text, quote=True)
