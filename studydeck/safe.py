"""The only ways out for text from notes files and the network: to a terminal, HTML, Markdown.

``terminal`` makes text safe to write to a terminal: no escape sequence (CSI, OSC, DCS,
...) and no C0/C1 control character survives, except newline and tab; nor a bidirectional
override or a zero-width space (text that reads other than it is). A notes cell with
``ESC ] 52`` would otherwise write the user's clipboard, ``ESC [ 2J`` clear the screen.

``html_attr`` escapes text for HTML (content or attribute); ``safe_href`` lets a link through only
when a browser would read its scheme as http, https or mailto. Browsers drop leading
control characters and spaces and remove tabs and newlines anywhere before reading the
scheme (``\\x01javascript:`` runs as ``javascript:``), so the check does the same first.

``markdown_text`` puts one piece of text into a Markdown document (a handout, a briefing or
readiness sheet) as it reads: a viewer shows it as typed, never as a link, HTML or markup.
The document's own structure is written around the pieces, never escaped with them.
"""

from __future__ import annotations

import html
import io
import re
from typing import TextIO

# Escape sequences as a terminal reads them. Every alternative is a run of one character
# class, so the scan is linear. An unterminated string (OSC, DCS, ...) is dropped up to the
# next ESC, newline or the end. Safety does not rest on this pattern (every ESC and C1 left
# is removed after it); it only keeps the parameters of a sequence from showing as text.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC..
    r"|\x1b[ -/]*[0-~]?"  # two-character and nF escapes
)
# C0 except tab and newline, DEL, C1; and the invisible characters that make text read
# other than it is: bidirectional marks, embeddings, overrides and isolates (U+061C,
# U+200E-F, U+202A-E, U+2066-9: 'Trojan Source'), the zero-width space, word joiner and BOM
# (U+200B, U+2060, U+FEFF: a title that reads 'ZeroWidth' would not be found by typing it),
# the soft hyphen, the Mongolian vowel separator, the line and paragraph separators, the
# interlinear annotation marks and the tag characters (U+00AD, U+180E, U+2028-9,
# U+FFF9-B, U+E0000-7F: text hidden inside text). The zero-width (non-)joiners stay: emoji
# and scripts need them.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2060\u2066-\u2069\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
# ... as UTF-8: each C0 byte and DEL alone (no other character's bytes hold one), C1 and the
# soft hyphen as two, the invisible ones as two, three or four.
_CONTROL_BYTES = [bytes([b]) for b in (*range(0x09), *range(0x0B, 0x20), 0x7F)]
_C1_UTF8 = re.compile(
    b"\xc2[\x80-\x9f\xad]|\xd8\x9c|\xe1\xa0\x8e|\xe2\x80[\x8b\x8e\x8f\xa8\xa9\xaa-\xae]"
    b"|\xe2\x81[\xa0\xa6-\xa9]|\xef\xbb\xbf|\xef\xbf[\xb9-\xbb]|\xf3\xa0[\x80\x81][\x80-\xbf]"
)
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
# What the WHATWG URL parser strips before it reads a scheme.
_URL_EDGE = "".join(chr(c) for c in range(0x21))
_URL_INNER = re.compile(r"[\t\n\r]")


def terminal(text: str) -> str:
    """Text as a terminal may show it: printable characters, newlines and tabs only.

    A carriage return (which would let text overwrite its own line) becomes a newline, so
    a file's line count is kept.
    """
    if _CONTROL.search(text) is None:
        return text
    out = text.replace("\r\n", "\n").replace("\r", "\n")
    out = _SEQUENCE.sub("", out)
    return _CONTROL.sub("", out)


class TerminalStream(io.TextIOBase):
    """A text stream with every write passed through :func:`terminal`: the CLI's messages
    (``sys.stderr`` for the whole command) and the plain quiz's output, whatever text from
    the notes, an agenda, a device log or the command line they quote."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(terminal(text))

    def flush(self) -> None:
        self._out.flush()

    def isatty(self) -> bool:
        return self._out.isatty()


def utf8_has_controls(data: bytes) -> bool:
    """Whether the text whose UTF-8 bytes are ``data`` holds a character :func:`terminal`
    removes or changes: when not, that text is already as a terminal may show it. (A byte
    search per control byte is a few times quicker than :func:`terminal`'s look through the
    text: a whole notes file is read so after each edit.)"""
    return any(b in data for b in _CONTROL_BYTES) or _C1_UTF8.search(data) is not None


def html_attr(text: str) -> str:
    """Text as HTML element content or a quoted attribute value: escaped, controls removed."""
    return html.escape(terminal(text), quote=True)


def safe_href(url: str) -> str | None:
    """The link as a browser would read it when its scheme is http, https or mailto; else None.

    Relative links, ``javascript:``, ``data:``, ``file:`` and every other scheme are refused.
    The result is not HTML-escaped: pass it through :func:`html_attr`.
    """
    u = _URL_INNER.sub("", url.strip(_URL_EDGE))
    m = _SCHEME.match(u)
    if m is None or m.group(1).lower() not in ALLOWED_SCHEMES:
        return None
    u = _CONTROL.sub("", u).replace(" ", "%20")
    return m.group(1).lower() + u[m.end(1) :]


# Every ASCII punctuation character: CommonMark lets a backslash stand before any of them, and
# escaped, none of them starts or ends markup (link, image, autolink, HTML, entity, emphasis,
# code, heading, list, quote, table, fence, setext line, or an extension's ~ = $ ^ : @ ...).
_MD_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
# A line break with the spaces around it, and blank lines: one hard line break (a blank line
# would end the quote, list item or paragraph the text was put in).
_MD_BREAKS = re.compile(r"[ \t]*\n\s*")


def markdown_text(text: str) -> str:
    """One piece of text (a title, a cell) as it reads, for a Markdown document: nothing in it
    becomes markup. Every ASCII punctuation character is backslash-escaped, controls are
    removed (:func:`terminal`), line breaks are hard breaks, and the spaces at either end
    (four before a quote's text would start a code block) are dropped. The document's own
    structure (headings, ``>``, ``**labels**``, list markers) is written around the pieces."""
    out = _MD_PUNCTUATION.sub(r"\\\g<0>", terminal(text).strip())
    return _MD_BREAKS.sub(lambda _: "\\\n", out)


def markdown_destination(url: str) -> str:
    """A link or image destination the program chose (a file it wrote, a data URI), in
    ``<...>`` so spaces and parentheses in it end nothing. Not for a URL from the notes:
    pass that through :func:`safe_href` first."""
    return "<" + re.sub(r"[<>\\]", r"\\\g<0>", _CONTROL.sub("", url).replace("\n", "")) + ">"
