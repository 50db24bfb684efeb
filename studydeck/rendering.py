"""Inline Markdown of a cell -> safe HTML (Anki fields, handouts) or plain text.

Raw HTML in the notes is never passed through: ``<script>`` arrives as text.
Line breaks (``<br>`` in the notes) become ``<br>``. Every string goes through
:mod:`studydeck.safe` first: control characters and escape sequences are dropped, and a
link keeps its ``href`` only when :func:`studydeck.safe.safe_href` allows its scheme.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from studydeck import safe

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict


#: The one inline-Markdown parser of studydeck (cells are inline text: no blocks, no raw
#: HTML). Parsing reads its tokens for titles and figures, the app styles them, and the
#: HTML renderer uses it for fields and handouts. Made on first use (``INLINE_MD`` or
#: :func:`inline_md`): importing markdown-it is a large part of a warm start, and a cached
#: deck of plain cells never needs it.
def __getattr__(name: str) -> MarkdownIt:
    if name == "INLINE_MD":
        return inline_md()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def inline_md() -> MarkdownIt:
    """The parser (a test may put another in its place as ``INLINE_MD``)."""
    patched = globals().get("INLINE_MD")
    return patched if patched is not None else _make_inline_md()


@cache
def _make_inline_md() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero", {"breaks": True}).enable(
        ["emphasis", "backticks", "link", "image", "autolink", "escape", "entity", "newline"]
    )
    # Keep URLs as typed: the renderer still escapes attributes and validateLink still refuses
    # javascript:, vbscript: and file: links; percent-encoding every URL was a third of the cost.
    md.normalizeLink = lambda url: url.strip()  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    return md


def _image(
    renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An image in a note's text is never fetched where the text is shown (a handout in a
    browser, an Anki card): a probe's one-pixel ``![](http://…)`` in a contribution told a
    server each time a handout was opened. It is a link to the image, named by its alt text
    (no link for any scheme but http(s)); a figure is what the 图 column is for."""
    tok = tokens[idx]
    alt = renderer.renderInlineAsText(tok.children or [], options, env).strip()
    label = safe.html_attr(f"[image: {alt}]" if alt else "[image]")
    href = safe.safe_href(str(tok.attrGet("src") or ""))
    return label if href is None else f'<a href="{safe.html_attr(href)}">{label}</a>'


def _link_open(
    renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An ``<a>`` keeps its href only when a browser would read it as http(s) or mailto."""
    from markdown_it.renderer import RendererHTML

    tok = tokens[idx]
    href = safe.safe_href(str(tok.attrGet("href") or ""))
    if href is None:
        tok.attrs.pop("href", None)
    else:
        tok.attrSet("href", href)
    return str(RendererHTML.renderToken(renderer, tokens, idx, options, env))


# Text without any of these renders to itself, HTML-escaped: no need to run the parser.
_MARKUP = re.compile(r"[\\`*_\[\]<>&]")


def is_plain(text: str) -> bool:
    """Whether the inline parser reads ``text`` as runs of text exactly as typed, split only
    by soft line breaks (no markup character, no space or tab beside a line break, which it
    would drop): then it need not run, and the text is shown as it is (tests/test_rendering.py
    checks this against markdown-it-py on random text)."""
    return _MARKUP.search(text) is None and _SPACED_NEWLINE.search(text) is None


_SPACED_NEWLINE = re.compile(r"[ \t]\n|\n[ \t]")


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
            url = safe.safe_href(m.group("url"))
            if url != m.group("url"):
                return None  # refused or rewritten: the parser's path decides
            parts.append(f'<a href="{url}">{_plain_html(m.group("label"))}</a>')
        pos = m.end()
    tail = text[pos:]
    if _MARKUP.search(tail):
        return None
    parts.append(_plain_html(tail))
    return "".join(parts).strip()


MARKUP_MAX = 20_000
"""Text longer than this is shown as typed, never parsed as Markdown (here and in the
terminal, :func:`studydeck.tui.text.markdown_text`): markdown-it's link rule is quadratic on
a run of ``[!`` (a probe's 800 kB cell froze the review for 24 s; its 7 MB ones took an
export 280 s and 1.5 GB). A note's cell is a few hundred characters."""


def to_html(text: str) -> str:
    """A cell's inline Markdown as HTML: text escaped, links only to http(s) and mailto."""
    text = safe.terminal(text)
    if not text:
        return ""
    if len(text) > MARKUP_MAX:
        return _NEWLINE.sub("<br>\n", escape(text)).strip()
    fast = _fast_html(text)
    return fast if fast is not None else str(inline_md().renderInline(text)).strip()


def md_links(text: str) -> Iterator[tuple[int, int, str, str]]:
    """``(start, end, label, url)`` of each ``[label](url)`` or ``![label](url)``, left to right.

    The matches of ``!?\\[([^\\]]*)\\]\\(([^)]*)\\)``, found in linear time: that regex
    rescans the rest of the text from every unclosed ``[`` (150,000 of them took minutes).
    """
    pos = 0
    while True:
        i = text.find("[", pos)
        if i < 0:
            return
        j = text.find("]", i + 1)
        if j < 0:
            return  # no "]" after this "[" means none after any later "[" either
        if not text.startswith("(", j + 1):
            pos = j + 1  # every "[" before j ends at this same "]": none can match
            continue
        k = text.find(")", j + 2)
        if k < 0:
            return
        start = i - 1 if i > pos and text[i - 1] == "!" else i
        yield start, k + 1, text[i + 1 : j], text[j + 2 : k]
        pos = k + 1


def replace_links(text: str, repl: Callable[[str, str], str]) -> str:
    """``text`` with each Markdown link replaced by ``repl(label, url)``."""
    parts: list[str] = []
    pos = 0
    for start, end, label, url in md_links(text):
        parts.append(text[pos:start])
        parts.append(repl(label, url))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def to_plain(text: str) -> str:
    """Readable terminal-safe text without Markdown marks: ``[知乎](url)`` -> ``知乎 (url)``."""
    out = replace_links(
        safe.terminal(text), lambda label, url: f"{label} ({url})" if url else label
    )
    return re.sub(r"(\*\*|__|`)", "", out)


def escape(text: str) -> str:
    """Plain text as HTML content or a quoted attribute value."""
    return safe.html_attr(text)
