"""Card text that mixes Chinese and Latin wraps like a reader expects."""

from __future__ import annotations

import io
import itertools
import re

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from studydeck.tui.text import MixedText, markdown_text

NOTE = "我们使用CNN提取feature，然后 用 transformer 融合多尺度特征得到最终的 **detection** 结果"


def rendered_lines(text: Text, width: int) -> list[str]:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(MixedText(text))
    return console.export_text().rstrip("\n").split("\n")


def test_latin_words_are_never_split_and_lines_are_filled() -> None:
    text = markdown_text(NOTE)
    latin = set(re.findall(r"[A-Za-z]+", text.plain))
    for width in range(12, 40):
        lines = rendered_lines(text, width)
        assert "".join(lines).replace(" ", "") == text.plain.replace(" ", "")
        for line in lines:
            assert cell_len(line.rstrip()) <= width
            for word in re.findall(r"[A-Za-z]+", line):
                assert word in latin, (width, line)
        # Filled: a line ends only where the next unit would not fit (no early break at
        # the space before Chinese text).
        for line, following in itertools.pairwise(lines):
            nxt = re.match(r"[A-Za-z]+|.", following.lstrip())
            assert nxt is not None
            assert cell_len(line.rstrip()) + cell_len(nxt.group()) + 1 > width, (width, line)


def test_styles_and_newlines_survive_wrapping() -> None:
    text = markdown_text("第一行 **CNN**\n第二行")
    lines = rendered_lines(text, 40)
    assert lines == ["第一行 CNN", "第二行"]
    assert MixedText(text).plain == "第一行 CNN\n第二行"


def test_the_heatmap_counts_reviews_in_words() -> None:
    from datetime import date

    from studydeck.tui.screens.stats import heatmap

    today = date(2026, 11, 25)
    assert heatmap({"2026-11-25": 1}, today).plain.endswith("1 review in all · busiest day 1")
    assert heatmap({"2026-11-24": 2, "2026-11-25": 1}, today).plain.endswith(
        "3 reviews in all · busiest day 2"
    )
