"""A quiz over a big deck shows its first question without building the others, and says
truly how many there will be; lazily or all at once, the same seed gives the same quiz."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from studydeck.deck import load
from studydeck.models import Deck
from studydeck.quiz import Selection, build_quiz, count_line, plan_quiz
from studydeck.quiz.order import CardsByPaper, card_order
from studydeck.quiz.questions import _Builder

from .conftest import SEED, table

TOPICS = ["图像复原", "视频复原", "视频增强", "Transformer", "规范化"]


def many_papers(n: int) -> str:
    rnd = random.Random(n)
    rows = []
    for i in range(n):
        words = " ".join(rnd.sample(["Deep", "Video", "Image", "Fast", "Blind", "Face"], 3))
        critique = rnd.choice(
            ["", "只在合成数据上验证，真实场景的效果未知", "但计算复杂度上去了很多"]
        )
        rows.append(
            f"| {2010 + i % 14} | {words} Restoration {i} | {rnd.choice(TOPICS)} "
            f"| 用第{i}种可形变卷积完成时序对齐并且融合多帧信息 | | {critique} |"
        )
    return table(*rows)


@pytest.fixture
def big_deck(tmp_path: Path) -> Deck:
    path = tmp_path / "notes.md"
    path.write_text(many_papers(100), encoding="utf-8")
    return load([path])


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of every question built, in order."""
    built: list[int] = []
    question = _Builder.question

    def counting(self: _Builder, number: int, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        built.append(number)
        return question(self, number, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(_Builder, "question", counting)
    return built


def test_the_first_question_is_built_alone_and_the_count_is_known(big_deck, builds) -> None:
    plan = plan_quiz(big_deck, Selection(), 5, seed=3)
    assert len(plan.questions) == 5
    assert plan.summary == "quiz: 5 questions from 5 papers (all papers), seed 3"
    assert builds == []  # the count and the summary build nothing
    first = plan.questions[0]
    assert builds == [1]
    assert plan.questions[0] is first  # built once
    assert plan.questions[3].number == 4
    assert builds == [1, 2, 3, 4]  # in order, as far as asked
    assert len(list(plan.questions)) == 5 and builds == [1, 2, 3, 4, 5]
    assert count_line(list(plan.questions)) == count_line(plan.questions)


def test_read_in_any_order_the_same_quiz_as_built_at_once(big_deck) -> None:
    papers = list(big_deck.papers)
    for seed in range(8):
        eager = build_quiz(big_deck, papers, 6, seed)
        plan = plan_quiz(big_deck, Selection(), 6, seed)
        order = list(range(6))
        random.Random(seed).shuffle(order)
        lazy = {i: plan.questions[i] for i in order}
        assert [lazy[i] for i in range(6)] == eager


def test_the_count_is_true_when_shown_texts_skip_cards(tmp_path: Path) -> None:
    """Twelve papers with one card each: options show other papers' contributions, which
    are then not asked, so the quiz is shorter than asked, and says so before it starts."""
    rows = [
        f"| {2010 + i} | Paper {i} about restoration | 图像复原 | 方法{i}把图像复原做得更好更快更稳定 | | |"
        for i in range(12)
    ]
    path = tmp_path / "notes.md"
    path.write_text(table(*rows), encoding="utf-8")
    deck = load([path])
    shorter = 0
    for seed in range(10):
        plan = plan_quiz(deck, Selection(), 12, seed)
        n, line = len(plan.questions), plan.summary
        questions = list(plan.questions)
        assert len(questions) == n
        assert line == f"quiz: {count_line(questions)} (all papers), seed {seed}"
        shorter += n < 12
    assert shorter  # some options did show a contribution


#: The bundled deck, seed 0, 5 questions: (paper, kind, options, answer).
RECORDED = [
    (
        "MFQE 2.0: A New Approach for Multi-Frame Quality Enhancement on Compressed Video",
        "contribution->paper",
        [
            "Spatio-Temporal Deformable Convolution for Compressed Video Quality Enhancement (2020)",
            "MFQE 2.0: A New Approach for Multi-Frame Quality Enhancement on Compressed Video (2019)",
            "NTIRE 2022 Challenge on Super-Resolution and Quality Enhancement of Compressed Video: Dataset, Methods and Results (2022)",
            "Progressive Training of A Two-Stage Framework for Video Restoration (2022)",
        ],
        1,
    ),
    (
        "Bringing Old Films Back to Life",
        "figure->paper",
        [
            "Bringing Old Films Back to Life (2022)",
            "动态分辨率编码 (2022)",
            "Progressive Training of A Two-Stage Framework for Video Restoration (2022)",
            "NTIRE 2022 Challenge on Super-Resolution and Quality Enhancement of Compressed Video: Dataset, Methods and Results (2022)",
        ],
        0,
    ),
    (
        "Deep Defocus Map Estimation using Domain Adaptation",
        "paper->contribution",
        [
            "用深度学习预测 blur",
            "把不可差分的non-local KNN匹配用可差分松弛近似，从而用神经网络端到端训练",
            "相邻帧具有相关性；编码视频存在关键帧；先提取视频中的关键帧，然后充分利用关键帧对非关键帧进行质量提升，有效缓和质量波动情况",
            "性能很强的baseline结构",
        ],
        0,
    ),
    (
        "Combined Internal and External Category-Specific Image Denoising",
        "figure->paper",
        [
            "Metric Learning based Interactive Modulation for Real-World Super-Resolution (2022)",
            "Crafting a Toolchain for Image Restoration by Deep Reinforcement Learning (2018)",
            "Combined Internal and External Category-Specific Image Denoising (2017)",
            "Path-Restore: Learning Network Path Selection for Image Restoration (2019)",
        ],
        2,
    ),
    (
        "Bringing Old Photos Back to Life",
        "flip",
        [],
        None,
    ),
]


def fingerprint(q) -> tuple[str, str, list[str], int | None]:  # type: ignore[no-untyped-def]
    return (q.paper.title, q.kind.value, [o.text for o in q.options], q.answer_index)


def test_the_same_seed_gives_the_recorded_quiz() -> None:
    """(Draws are keyed hashes, not Python's salted ``hash``: the same in every process.)"""
    deck = load([SEED])
    plan = plan_quiz(deck, Selection(), 5, seed=0)
    assert [fingerprint(q) for q in plan.questions] == RECORDED


def test_a_text_several_papers_share_is_planned_once(tmp_path: Path) -> None:
    same = "只在合成数据上验证，真实场景的效果未知"
    rows = [
        f"| 2020 | Paper {i} | k | 方法{i}把图像复原做得更好更快 | | {same} |" for i in range(10)
    ]
    path = tmp_path / "notes.md"
    path.write_text(table(*rows), encoding="utf-8")
    deck = load([path])
    planned = list(card_order(CardsByPaper.of_cards(deck.cards), deck.papers, random.Random(1)))
    backs = [c.back for c in planned]
    assert backs.count(same) == 1 and len(backs) == len(set(backs)) == 11
