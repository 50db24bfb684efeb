"""Inline Markdown of a cell -> safe HTML (Anki fields, handouts) or plain text.

Raw HTML in the notes is never passed through: ``<script>`` arrives as text.
Line breaks (``<br>`` in the notes) become ``<br>``.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

_md = MarkdownIt("zero", {"breaks": True}).enable(
    ["emphasis", "backticks", "link", "image", "autolink", "escape", "entity", "newline"]
)
# Keep URLs as typed: the renderer still escapes attributes and validateLink still refuses
# javascript:, vbscript: and file: links; percent-encoding every URL was a third of the cost.
_md.normalizeLink = lambda url: url.strip()  # type: ignore[method-assign]
_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)")
# Text without any of these renders to itself, HTML-escaped: no need to run the parser.
_MARKUP = re.compile(r"[\\`*_\[\]<>&]")
# What markdown-it makes of a line break with breaks=True: spaces before it dropped, spaces
# and tabs after it skipped.
_NEWLINE = re.compile(r" *\n[ \t]*")


def to_html(text: str) -> str:
    if not text:
        return ""
    if _MARKUP.search(text) is None:
        out = text.replace('"', "&quot;")
        if "\n" in out:
            out = _NEWLINE.sub("<br>\n", out)
        return out.strip()
    return str(_md.renderInline(text)).strip()


def to_plain(text: str) -> str:
    """Readable text without Markdown marks: ``[知乎](url)`` -> ``知乎 (url)``."""
    out = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(2) else m.group(1), text)
    return re.sub(r"(\*\*|__|`)", "", out)


def escape(text: str) -> str:
    return html.escape(text, quote=True)
