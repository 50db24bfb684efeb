"""Counts in words, as every message that counts says them."""

from __future__ import annotations

from pathlib import Path

from studydeck.deck import load
from studydeck.export.anki import ExportError, ExportReport
from studydeck.quiz import build_quiz
from studydeck.wording import plural


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert [plural(n, "card") for n in (0, 1, 2)] == ["0 cards", "1 card", "2 cards"]
    assert [plural(n, "leech", "leeches") for n in (0, 1, 2)] == [
        "0 leeches",
        "1 leech",
        "2 leeches",
    ]


def test_the_export_summary_counts_in_words() -> None:
    report = ExportReport(Path("deck.apkg"), notes=1, cards=1, figures=0)
    assert report.summary() == "wrote deck.apkg: 1 note, 1 card, 0 figures"


def test_a_quiz_of_one_paper_says_one_option(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(
        "# 论文阅读\n\n| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n| :- | :- | :- | :- | :- | :- |\n"
        "| 2020 | Only Paper | k | 用可形变卷积做时序对齐的第一版网络 | | |\n",
        encoding="utf-8",
    )
    deck = load([path])
    [q] = build_quiz(deck, list(deck.papers), 1, seed=1)
    assert q.note == "only 1 option: too few other papers to choose from"


def test_one_figure_that_could_not_be_embedded_is_one_figure() -> None:
    report = ExportReport(Path("deck.apkg"))
    report.unavailable.append(None)  # type: ignore[arg-type]  (only counted)
    assert str(ExportError(report)) == "1 figure could not be embedded"
