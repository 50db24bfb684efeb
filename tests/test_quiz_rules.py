"""Quiz rules a user trusts, each on a deck built so that breaking the rule shows: no option
twice, never the paper as its own distractor, the right answer not always in one place, a
clue two papers share never asked as a clue, and the acronym of a title masked."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from studydeck.deck import load
from studydeck.quiz import QuestionKind, build_quiz
from studydeck.quiz.distractors import PaperIndex, similarity_order
from studydeck.quiz.masking import MIN_CLUE, mask, says_enough
from studydeck.quiz.order import CardsByPaper, card_order
from studydeck.quiz.similarity import most_similar

from .conftest import SEED, table

SHARED = "用特征域上的可形变卷积代替传统的运动补偿完成时序对齐"
"""A contribution copied into three rows (it happens: a template, a paste)."""


def test_no_option_is_shown_twice_when_rows_share_a_contribution(notes) -> None:
    """Three papers with the same contribution text: a "which contribution" question about
    one of them must not offer that text again as a wrong option (two right answers)."""
    deck = load(
        [
            notes(
                table(
                    f"| 2020 | Alpha Paper | 视频复原 | {SHARED} | | |",
                    f"| 2021 | Beta Paper | 视频复原 | {SHARED} | | |",
                    f"| 2022 | Gamma Paper | 视频复原 | {SHARED} | | |",
                    "| 2019 | Delta Paper | 视频复原 | 把不可差分的匹配用可差分松弛近似从而端到端训练 | | |",
                    "| 2018 | Epsilon Paper | 视频复原 | 不同编码模式的复原可以共享推理结构和特征 | | |",
                )
            )
        ]
    )
    asked = 0
    for seed in range(30):
        for q in build_quiz(deck, list(deck.papers), 6, seed):
            # Nor is the shared text a clue: "which paper contributes this?" has 3 answers.
            assert not (q.kind is QuestionKind.CONTRIBUTION_TO_PAPER and q.clue == SHARED)
            if q.kind is not QuestionKind.PAPER_TO_CONTRIBUTION or q.answer != SHARED:
                continue
            asked += 1
            texts = [o.text for o in q.options]
            assert texts.count(SHARED) == 1, (seed, texts)
            assert len(set(texts)) == len(texts), (seed, texts)
    assert asked > 0  # the deck does ask about the shared text


def test_a_paper_is_never_its_own_distractor_nor_its_own_nearest() -> None:
    deck = load([SEED])
    index = PaperIndex.build(deck.papers)
    for target in deck.papers:
        order = list(similarity_order(index, target, f"s/{target.key}", lambda q: True))
        assert target.key not in {q.key for q in order}, target.title
        assert target.key not in {q.key for q in most_similar(target, deck.papers)}


def test_the_right_answer_is_not_always_in_the_same_place() -> None:
    """Over a few quizzes the right option is seen at each of A-D, none far more than the
    others (a quiz whose answer is always A is learnt by its letter)."""
    deck = load([SEED])
    at: Counter[int] = Counter()
    for seed in range(12):
        for q in build_quiz(deck, list(deck.papers), 10, seed):
            if q.is_choice and len(q.options) == 4:
                assert q.answer_index is not None
                at[q.answer_index] += 1
    total = sum(at.values())
    assert total >= 40 and sorted(at) == [0, 1, 2, 3], at
    assert max(at.values()) < total / 2, at


def test_a_clue_two_papers_share_is_never_asked_as_a_clue(notes) -> None:
    """The same critique in two rows: "which paper does this critique belong to?" would
    have two right answers. The unique ones are asked as clues (the test is not vacuous)."""
    shared_critique = "只在合成数据上验证，真实场景下的效果完全未知"
    deck = load(
        [
            notes(
                table(
                    f"| 2020 | Alpha Paper | 视频复原 | 用可形变卷积做时序对齐的第一版网络 | | {shared_critique} |",
                    f"| 2021 | Beta Paper | 视频复原 | 把匹配松弛成可差分的近似再端到端训练 | | {shared_critique} |",
                    "| 2022 | Gamma Paper | 视频复原 | 不同编码模式的复原共享推理结构和特征 | | 参数量太大，推理速度慢得无法实用 |",
                    "| 2019 | Delta Paper | 视频复原 | 多阶段渐进式复原并且跨阶段融合特征 | | 训练不稳定，需要很多技巧才能收敛 |",
                )
            )
        ]
    )
    clues: set[str] = set()
    for seed in range(40):
        for q in build_quiz(deck, list(deck.papers), 12, seed):
            if q.kind in (QuestionKind.CRITIQUE_TO_PAPER, QuestionKind.CONTRIBUTION_TO_PAPER):
                clues.add(q.clue)
    assert shared_critique not in clues
    assert "参数量太大，推理速度慢得无法实用" in clues


def test_a_contribution_that_says_too_little_is_not_a_clue(notes) -> None:
    """ "MPRNet：很强" masks to two characters: asked as a clue it names nothing."""
    deck = load(
        [
            notes(
                table(
                    "| 2021 | Multi-Stage Progressive Image Restoration | 图像复原 | MPRNet：很强 | | |",
                    "| 2020 | Alpha Paper | 图像复原 | 用可形变卷积做时序对齐的第一版网络 | | |",
                    "| 2019 | Beta Paper | 图像复原 | 把匹配松弛成可差分的近似再端到端训练 | | |",
                )
            )
        ]
    )
    kinds = {
        (q.paper.title.split()[0], q.kind)
        for seed in range(30)
        for q in build_quiz(deck, list(deck.papers), 6, seed)
    }
    assert ("Multi-Stage", QuestionKind.CONTRIBUTION_TO_PAPER) not in kinds
    assert ("Multi-Stage", QuestionKind.PAPER_TO_CONTRIBUTION) in kinds
    assert ("Alpha", QuestionKind.CONTRIBUTION_TO_PAPER) in kinds


def test_the_acronym_of_the_title_is_masked(notes) -> None:
    deck = load(
        [
            notes(
                table(
                    "| 2022 | Vision Transformer with Deformable Attention | k "
                    "| VTDA 只对重要区域求 K/V，任意 Q 都和这些 K/V 配对 | | |"
                )
            )
        ]
    )
    p = deck.papers[0]
    masked = mask("VTDA 只对重要区域求 K/V，vtda 也一样", p)
    assert "VTDA" not in masked.upper() and masked.startswith("▢▢▢ 只对重要区域")


def test_a_clue_of_exactly_the_minimum_says_enough() -> None:
    """The threshold itself: 8 CJK characters (or 4 Latin words) is enough, one less is not."""
    assert MIN_CLUE == 8
    assert says_enough("一二三四五六七八") and not says_enough("一二三四五六七")
    assert says_enough("four words right here") and not says_enough("three words here")


def test_a_title_in_two_sections_is_never_a_distractor_for_itself(notes) -> None:
    """The same paper noted in two sections (two rows, two years typed): "which paper?"
    must not offer its title twice."""
    text = (
        "# 论文阅读\n\n## 规范化\n\n"
        + table(
            "| 2016 | Layer Normalization | 规范化 | 对每个样本的所有通道一起做归一化处理 | | |",
            "| 2015 | Batch Normalization | 规范化 | 对一个批次内的同一通道做归一化处理 | | |",
            title="",
        )
        + "\n## 复习\n\n"
        + table(
            "| 2017 | Layer Normalization | 规范化 | 不依赖批次大小所以适合循环网络使用 | | |",
            "| 2018 | Group Normalization | 规范化 | 把通道分组以后在每组之内做归一化 | | |",
            title="",
        )
    )
    deck = load([notes(text)])
    asked = 0
    for seed in range(30):
        for q in build_quiz(deck, list(deck.papers), 8, seed):
            if q.kind is not QuestionKind.CONTRIBUTION_TO_PAPER:
                continue
            asked += 1
            titles = [o.text.rsplit(" (", 1)[0] for o in q.options]
            assert titles.count(q.paper.title) == 1, (seed, titles)
    assert asked > 0


def test_kinds_are_spread_evenly_when_every_card_can_take_every_kind(tmp_path: Path) -> None:
    """Nine papers, each a contribution with a good clue and a figure on disk (three kinds
    each): however many questions there are, no kind is asked twice more than another.
    (A "which contribution" question shows three other contributions, which are then not
    asked back: nine papers give four to six questions.)"""
    (tmp_path / "f.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    clues = [
        "用特征域上的可形变卷积代替传统的运动补偿",
        "把不可差分的匹配用可差分松弛近似训练",
        "不同编码模式的复原共享推理结构和特征",
        "多阶段渐进式复原并且跨阶段融合特征",
        "用强化学习选择工具箱里的一个工具来复原",
        "平滑块简单复原而纹理块参考外部图像复原",
        "用一个循环网络在融合之前对齐相邻帧",
        "对每个样本的所有通道一起做归一化处理",
        "把通道分组以后在每组之内做归一化处理",
    ]
    path = tmp_path / "notes.md"
    path.write_text(
        table(
            *(
                f"| {2010 + i} | Paper {chr(65 + i)}{chr(65 + i)} | 图像复原 | {c} | ![f](f.png) | |"
                for i, c in enumerate(clues)
            )
        ),
        encoding="utf-8",
    )
    deck = load([path])
    for seed in range(10):
        qs = build_quiz(deck, list(deck.papers), 9, seed, can_show=lambda p, f: True)
        counts = Counter(q.kind for q in qs)
        assert len(qs) >= 3 and len(counts) == 3, (seed, counts)
        assert max(counts.values()) - min(counts.values()) <= 1, (seed, counts)


def test_the_order_asks_every_paper_before_any_a_second_time() -> None:
    """(One text once is tests/test_quiz_lazy.py's: the bundled deck has no text twice.)"""
    deck = load([SEED])
    n = len(deck.papers)
    for seed in range(10):
        order = list(
            card_order(CardsByPaper.of_cards(deck.cards), deck.papers, random.Random(seed))
        )
        assert len({c.paper.key for c in order[:n]}) == n, seed


def test_the_handout_key_letter_names_the_option_that_is_right() -> None:
    """Read as the group reads it: the option under the key's letter is the answer."""
    import re

    from studydeck.quiz.handout import handout_markdown
    from studydeck.safe import markdown_text

    deck = load([SEED])
    questions = build_quiz(deck, list(deck.papers), 12, seed=4)
    md = handout_markdown(questions, "t", "s")
    body, key = md.split("## Answer key")
    blocks = re.split(r"^\*\*\d+\.\*\* ", body, flags=re.M)[1:]
    checked = 0
    for q, block, line in zip(questions, blocks, key.strip().splitlines(), strict=True):
        if not q.is_choice:
            continue
        letter = re.match(r"\d+\. \*\*([A-D])\*\*", line)
        assert letter is not None, line
        options = dict(re.findall(r"^- ([A-D])\. (.*)$", block, re.M))
        assert options[letter.group(1)] == markdown_text(q.answer)
        assert markdown_text(q.paper.title) in line
        checked += 1
    assert checked >= 6


def test_sending_misses_says_which_were_due_by_then_already() -> None:
    """Eight misses, five sent: "5 missed cards are due tomorrow" read as three lost."""
    from studydeck.quiz.results import sent_line

    assert sent_line(5, 8) == "5 missed cards are due tomorrow; 3 others were due by then already"
    assert sent_line(1, 2) == "1 missed card is due tomorrow; 1 other was due by then already"
    assert sent_line(3, 3) == "3 missed cards are due tomorrow"
    assert sent_line(0, 0) == "No misses to send"
