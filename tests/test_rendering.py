"""Cell Markdown -> safe HTML: the fast path must agree with markdown-it-py exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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
