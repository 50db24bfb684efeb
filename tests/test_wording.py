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


def test_a_quiz_of_one_paper_asks_recall_questions_not_one_option_choices(
    tmp_path: Path,
) -> None:
    """With no other paper to choose from, a choice question would show the answer as its
    only option: it is asked as a self-graded recall question instead."""
    path = tmp_path / "notes.md"
    path.write_text(
        "# 论文阅读\n\n| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n| :- | :- | :- | :- | :- | :- |\n"
        "| 2020 | Only Paper | k | 用可形变卷积做时序对齐的第一版网络 | | |\n",
        encoding="utf-8",
    )
    deck = load([path])
    [q] = build_quiz(deck, list(deck.papers), 1, seed=1)
    assert (q.kind.value, q.options, q.answer_index) == ("flip", (), None)
    assert q.answer == "用可形变卷积做时序对齐的第一版网络"


def test_a_quiz_of_two_papers_says_two_options(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(
        "# 论文阅读\n\n| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n| :- | :- | :- | :- | :- | :- |\n"
        "| 2020 | First Paper | k | 用可形变卷积做时序对齐的第一版网络 | | |\n"
        "| 2021 | Second Paper | k | 把视频超分中的光流估计换成了隐式的注意力对齐 | | |\n",
        encoding="utf-8",
    )
    deck = load([path])
    qs = [q for seed in range(6) for q in build_quiz(deck, list(deck.papers), 2, seed=seed)]
    chosen = [q for q in qs if q.options]
    assert chosen and all(len(q.options) == 2 for q in chosen)
    assert {q.note for q in chosen} == {"only 2 options: too few other papers to choose from"}


def test_one_figure_that_could_not_be_embedded_is_one_figure() -> None:
    report = ExportReport(Path("deck.apkg"))
    report.unavailable.append(None)  # type: ignore[arg-type]  (only counted)
    assert str(ExportError(report)) == "1 figure could not be embedded"


def test_stats_says_a_streak_of_one_day(tmp_path: Path, monkeypatch, capsys) -> None:
    from datetime import datetime, timedelta, timezone

    from studydeck import cli
    from studydeck.loading import open_deck
    from studydeck.session import study_day
    from studydeck.store import Store

    now = datetime(2026, 5, 4, 12, 0, tzinfo=timezone(timedelta(hours=8)))
    monkeypatch.setattr(cli, "system_clock", lambda: now)
    notes = tmp_path / "notes.md"
    notes.write_text(
        "| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n| :- | :- | :- | :- | :- | :- |\n"
        "| 2020 | A | k | Contribution. | | |\n",
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        deck, _ = open_deck(store, [notes], now)
        store.record_answer(deck.cards[0].id, 4, now=now, today=study_day(now, 4))
    assert cli.main(["stats", str(notes), "--db", str(db)]) == 0
    assert "streak         1 day\n" in capsys.readouterr().out
