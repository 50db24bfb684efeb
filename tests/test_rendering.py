"""Cell Markdown -> safe HTML: the fast path must agree with markdown-it-py exactly."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck import rendering
from studydeck.rendering import INLINE_MD, to_html, to_plain

# Pieces of notes the fast renderer handles, and near-misses it must leave to markdown-it.
NOTE_PIECES = [
    *list("ab 中文，。!~-:/.\"'\n\t()#>"),
    "https://x.org",
    "  ",
    "\n\n",
    "1.",
    "---",
    "**b**",
    "**粗体**",
    "**a b**",
    "** a**",
    "**：x**",
    "***x***",
    "**a",
    "b**",
    "x**y**z",
    "中**文**字",
    "a**b",
    "**a**b**",
    "**",
    "*",
    "[t](u)",
    "[知乎](https://z.com/p?a=1)",
    "[t](javascript:x)",
    '[t](a"b)',
    "](x)",
    "[t]",
    "(u)",
    "[a b](c)",
    "[ ](u)",
    "[t]( u)",
]
# Everything else Markdown gives meaning to.
SPECIALS = [
    *list("&*_[]<>`\\!"),
    "<br>",
    "&amp;",
    "&copy;",
    "<script>",
    "<https://a.b>",
    "![i](p.png)",
    "`code`",
    "_em_",
]


# Text the fast path is made for: plain runs, **bold** and [label](url), in any mix.
_PLAIN = st.text(alphabet="ab xy中文，。~-:/.\"'\n\t()#", max_size=6)
_WORD = st.text(alphabet="ab中文", min_size=1, max_size=4)
_BOLD = st.builds(
    lambda a, b: f"**{a}{b}**", _WORD, st.sampled_from(["", " x", " 中 文", ' "q" x'])
)
_LINK_ = st.builds(
    lambda label, url: f"[{label}]({url})",
    st.text(alphabet="ab 中文", min_size=1, max_size=5).filter(str.strip),
    # Only links safe.safe_href keeps: any other goes to markdown-it, which drops it.
    st.sampled_from(["https://x.org", "https://z.com/p?a=1", "http://a.b/c", "mailto:a@b.c"]),
)
FAST_TEXT = st.lists(st.tuples(_PLAIN, st.one_of(_BOLD, _LINK_)), min_size=1, max_size=6).map(
    lambda parts: " ".join(p + m for p, m in parts)
)


class _SlowPathTaken(AssertionError):
    pass


def _no_parser() -> mock.Mock:
    parser = mock.Mock()
    parser.renderInline.side_effect = _SlowPathTaken("markdown-it was called")
    return parser


@settings(max_examples=2000, deadline=None)
@given(FAST_TEXT)
def test_fast_path_is_taken_and_matches_markdown_it(text: str) -> None:
    expected = str(INLINE_MD.renderInline(text)).strip()
    with mock.patch.object(rendering, "INLINE_MD", _no_parser()):
        got = to_html(text)  # raises if the fast path gave up on this text
    assert got == expected
    assert ("<strong>" in got) == ("**" in text) and ("<a href=" in got) == ("](" in text)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(NOTE_PIECES), min_size=1, max_size=12).map("".join))
def test_note_like_text_matches_markdown_it(text: str) -> None:
    assert to_html(text) == str(INLINE_MD.renderInline(text)).strip()


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(NOTE_PIECES + SPECIALS), min_size=1, max_size=20).map("".join))
def test_any_text_matches_markdown_it(text: str) -> None:
    assert to_html(text) == str(INLINE_MD.renderInline(text)).strip()


def test_escaping_and_markup() -> None:
    assert to_html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert (
        to_html("**强** [知乎](https://z.com)")
        == '<strong>强</strong> <a href="https://z.com">知乎</a>'
    )
    assert to_html('a "b"\nc') == "a &quot;b&quot;<br>\nc"
    assert to_html("[x](javascript:alert(1))") == "[x](javascript:alert(1))"
    assert to_plain("见[知乎](https://z.com)和**粗**") == "见知乎 (https://z.com)和粗"


@pytest.mark.parametrize(
    ("cell", "html"),
    [
        (
            "见![pixel](http://127.0.0.1:8765/p.gif)图",
            '见<a href="http://127.0.0.1:8765/p.gif">[image: pixel]</a>图',
        ),
        ("![](https://x.org/a.png)", '<a href="https://x.org/a.png">[image]</a>'),
        ("![x](data:image/png;base64,iVBOR)", "[image: x]"),
        (
            "![x](http://169.254.169.254/latest/)",
            '<a href="http://169.254.169.254/latest/">[image: x]</a>',
        ),
        (
            '![a"b<c](https://x.org/q?a=1&b=2)',
            '<a href="https://x.org/q?a=1&amp;b=2">[image: a&quot;b&lt;c]</a>',
        ),
    ],
)
def test_an_image_in_a_cell_is_a_link_never_fetched(cell: str, html: str) -> None:
    """A probe's one-pixel image in a contribution became an ``<img>`` in the briefing, the
    handout and the Anki fields: opening the handout fetched it from the probe's server."""
    assert to_html(cell) == html and "<img" not in to_html(cell)


@pytest.mark.parametrize("piece", ["[!", "**_`<", "a *b* [c](https://x.org) "])
def test_text_too_long_to_parse_is_shown_as_typed_without_the_parser(piece: str) -> None:
    """A probe's 800 kB cell of ``[!`` froze the review for 24 s (markdown-it's link rule is
    quadratic on it). Past MARKUP_MAX characters a cell is shown as typed, escaped, in HTML and
    in the terminal alike; the parser is not called."""
    from studydeck.tui.text import markdown_text

    long = piece * (rendering.MARKUP_MAX // len(piece) + 1) + "\n<end>"
    with mock.patch.object(rendering, "INLINE_MD", _no_parser()):
        html = to_html(long)
        shown = markdown_text(long).plain
    assert html.endswith("<br>\n&lt;end&gt;") and "<a" not in html and "<strong>" not in html
    assert shown == long
    short = piece * 3
    assert to_html(short) == str(INLINE_MD.renderInline(short)).strip()


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(st.sampled_from(NOTE_PIECES + SPECIALS), min_size=1, max_size=12).map("".join)
    | st.text(max_size=30)
)
def test_text_called_plain_is_read_by_markdown_it_as_typed(text: str) -> None:
    # The app shows a plain cell as typed without running the parser (tui/text.py).
    text = rendering.safe.terminal(text)
    tokens = INLINE_MD.parseInline(text)[0].children or []
    kinds = {t.type for t in tokens}
    shown = "".join("\n" if t.type == "softbreak" else t.content for t in tokens)
    if rendering.is_plain(text):
        assert kinds <= {"text", "softbreak"} and shown == text


def test_plain_cells_are_plain_and_markup_is_not() -> None:
    assert rendering.is_plain("Deep residual learning 中文，。! ~-:/.\"'()#")
    assert rendering.is_plain("Title (2020) · GAN\nWhat is the contribution?")
    for text in ("a **b**", "a \nb", "a\n b", "[x](y)", "a & b", "`c`", "x_y", "<a>", "a\\b"):
        assert not rendering.is_plain(text), text
