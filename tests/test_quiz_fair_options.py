"""Options that don't tell which is right: a "which contribution" question shows every option
the same way, whichever paper is asked. Masked with its own paper's names, each option
quoting a labelled contribution read ``▢▢▢：…`` while the asked paper's, often unlabelled,
read plainly: the one option without ``▢▢▢`` was the answer (seen in a user trial)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from studydeck.deck import load
from studydeck.models import CardKind, Deck, Paper
from studydeck.naming import method_label, without_label
from studydeck.quiz import Question, QuestionKind, build_quiz
from studydeck.quiz.masking import MASK, fair_options, mask

from .conftest import SEED, table

PLAIN = (
    "| 2020 | Alpha Restoration Network | 视频复原 | 用可形变卷积完成时序对齐并融合多帧信息 | | |"
)
"""The asked paper: its contribution has no method label."""

LABELLED = [
    "| 2021 | BetaNet for Video Deblurring | 视频复原 | BetaNet：用光流引导的注意力做多帧去模糊，比Alpha更快 | | |",
    "| 2019 | Gamma Deraining Network | 视频复原 | GDN：把雨纹建模成可学习的字典，GDN逐帧去雨 | | |",
    "| 2018 | Delta Denoising | 视频复原 | **DeltaDN**: 用自监督的方式在真实噪声视频上训练去噪网络 | | |",
]
"""Distractors with labels, one naming itself again in its text, one naming the asked paper."""

REVERSE = [
    "| 2020 | Alpha Restoration Network | 视频复原 | ARN：用可形变卷积完成时序对齐并融合多帧信息 | | |",
    "| 2021 | BetaNet for Video Deblurring | 视频复原 | 用光流引导的注意力做多帧去模糊，比ARN更快 | | |",
    "| 2019 | Gamma Deraining Network | 视频复原 | 把雨纹建模成可学习的字典，然后逐帧去雨 | | |",
    "| 2018 | Delta Denoising | 视频复原 | 用自监督的方式在真实噪声视频上训练去噪网络 | | |",
]
"""The reverse: the asked paper labelled (and named by a distractor), no distractor labelled."""


def names(text: str, p: Paper) -> bool:
    """Whether ``text`` names ``p`` (masking would change it)."""
    return mask(text, p) != text


def opens_with_label(text: str) -> bool:
    return method_label(text) is not None or text[:1] in "：:，,、;；-"


def contribution_questions(deck: Deck, about: str, seeds: range) -> list[Question]:
    """Every "which contribution" question about the paper titled ``about``."""
    return [
        q
        for seed in seeds
        for q in build_quiz(deck, list(deck.papers), 4, seed)
        if q.kind is QuestionKind.PAPER_TO_CONTRIBUTION and q.paper.title == about
    ]


@pytest.mark.parametrize("rows", [[PLAIN, *LABELLED], REVERSE], ids=["answer-plain", "reverse"])
def test_no_option_carries_a_mark_or_names_a_paper_of_the_question(notes, rows) -> None:
    deck = load([notes(table(*rows))])
    by_key = {p.key: p for p in deck.papers}
    asked = contribution_questions(deck, "Alpha Restoration Network", range(40))
    assert asked  # the deck does ask about the paper (the test is not vacuous)
    for q in asked:
        texts = [o.text for o in q.options]
        assert len(texts) == 4, texts
        papers = [by_key[o.paper_key] for o in q.options]
        for t in texts:
            assert MASK not in t, texts
            assert not opens_with_label(t), texts
            assert not any(names(t, p) for p in papers), texts
        assert q.answer == texts[q.answer_index or 0]
        assert q.answer == "用可形变卷积完成时序对齐并融合多帧信息"
    distractors = {o.text for q in asked for o in q.options} - {asked[0].answer}
    assert "用光流引导的注意力做多帧去模糊，比更快" in distractors  # the asked name left out


def test_a_clue_still_masks_its_own_paper(notes) -> None:
    """(Options change, clues don't: "which paper contributes this?" shows ``▢▢▢：…``.)"""
    deck = load([notes(table(*REVERSE))])
    clues = [
        q.clue
        for seed in range(40)
        for q in build_quiz(deck, list(deck.papers), 4, seed)
        if q.kind is QuestionKind.CONTRIBUTION_TO_PAPER and q.paper.title.startswith("Alpha")
    ]
    assert clues and all(c == "▢▢▢：用可形变卷积完成时序对齐并融合多帧信息" for c in clues)


def alone(marked: Callable[[str], bool], q: Question) -> bool:
    """Whether the answer alone carries (or alone lacks) what ``marked`` looks for, while
    some option carries it."""
    marks = [marked(o.text) for o in q.options]
    i = q.answer_index or 0
    return any(marks) and marks[i] not in marks[:i] + marks[i + 1 :]


def choice_questions(seeds: Sequence[int]) -> list[Question]:
    deck = load([SEED])
    return [q for s in seeds for q in build_quiz(deck, list(deck.papers), 30, s) if q.is_choice]


def test_in_the_bundled_deck_the_answer_never_alone_carries_a_mark() -> None:
    """Several quizzes over the bundled deck: in every choice question the answer has the
    mark (``▢▢▢``, or a contribution's leading label) as some distractor has, or no option has it. (With
    each option masked by its own paper's names, einops' "一种深度学习算子" stood alone
    among three ``▢▢▢：`` options; masking every paper's names in every option still left
    "用深度学习预测▢▢▢ blur" alone, the answer about Deep Defocus Map Estimation.)"""
    questions = choice_questions(range(6))
    asked = [q for q in questions if q.kind is QuestionKind.PAPER_TO_CONTRIBUTION]
    assert len(asked) >= 20
    for q in questions:
        texts = [o.text for o in q.options]
        assert not alone(lambda t: MASK in t, q), (q.paper.title, texts)
        if q.kind is QuestionKind.PAPER_TO_CONTRIBUTION:  # (a title may open "MFQE 2.0:")
            assert not alone(opens_with_label, q), (q.paper.title, texts)


def test_fair_options_leave_out_every_papers_names() -> None:
    deck = load([SEED])
    by_title = {p.title.split(":")[0]: p for p in deck.papers}
    papers = [by_title["einops"], by_title["Deep Defocus Map Estimation using Domain Adaptation"]]
    texts = [p.contribution for p in papers]
    assert texts[1].startswith("DMENet")  # (labelled; einops' is not)
    assert fair_options(texts, papers) == ["一种深度学习算子", "用深度学习预测 blur"]


@pytest.mark.parametrize(
    ("contribution", "rest"),
    [
        ("MPRNet：性能很强的baseline结构", "性能很强的baseline结构"),
        ("**DMENet**: predicts defocus blur", "predicts defocus blur"),
        ("**DMENet：** predicts defocus blur", "predicts defocus blur"),
        ("交互式图像复原，使得复原强度可控", "交互式图像复原，使得复原强度可控"),
        ("2019: a year", "2019: a year"),
    ],
)
def test_without_label(contribution: str, rest: str) -> None:
    assert without_label(contribution) == rest


def test_a_contribution_that_is_only_names_is_not_an_option(notes) -> None:
    """ "Omega Net：OmegaNet" shows nothing once its names are left out: asked about, it is a
    recall card; as a distractor, it is skipped (no empty option)."""
    deck = load(
        [notes(table(*LABELLED, "| 2022 | Omega Net | 视频复原 | OmegaNet：Omega Net | | |"))]
    )
    asked = 0
    for seed in range(30):
        for q in build_quiz(deck, list(deck.papers), 4, seed):
            assert all(o.text.strip() for o in q.options), q.options
            if q.paper.title == "Omega Net" and q.card.kind is CardKind.CONTRIBUTION:
                asked += 1
                assert q.kind is QuestionKind.FLIP
    assert asked
