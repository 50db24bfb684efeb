"""Questions that don't give themselves away, ask each fact once, and offer similar papers."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck.deck import load
from studydeck.figures import FigureFetcher
from studydeck.models import Paper
from studydeck.naming import acronym, short_names, title_words
from studydeck.quiz import QuestionKind, build_quiz, count_line
from studydeck.quiz.assemble import figure_on_hand
from studydeck.quiz.masking import mask, says_enough
from studydeck.quiz.similarity import family, most_similar

from .conftest import SEED, table

WORDS = ["Deep", "Video", "Restoration", "Network", "Attention", "Compressed", "Blind", "Face"]
CLUES = [
    "用特征域上的可形变卷积代替传统的运动补偿完成时序对齐",
    "把不可差分的匹配用可差分松弛近似从而端到端训练",
    "a recurrent network that aligns neighbouring frames before fusing them",
    "不同编码模式的复原可以共享推理结构和特征",
]


def forbidden(p: Paper) -> list[str]:
    """The paper's own names and distinctive title words (4+ letters)."""
    names = [*short_names(p.short_name, p.contribution), acronym(p.title) or ""]
    words = [w for w in title_words(p.title) if len(w) >= 4]
    return [n for n in [*names, *words] if n]


def contains(text: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text, re.I) is not None


@st.composite
def decks(draw: st.DrawFn) -> str:
    rows = []
    n = draw(st.integers(3, 6))
    for i in range(n):
        title = " ".join(
            draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=4, unique=True))
        )
        title = f"{title} {i}x"  # distinct titles
        label = draw(st.sampled_from(["", f"Net{i}：", f"{title.split()[0]}Net: "]))
        use_title = draw(st.booleans())
        clue = draw(st.sampled_from(CLUES)) + f" 第{i}版"
        contribution = label + (f"{title} " if use_title else "") + clue
        critique = draw(
            st.sampled_from(
                ["", "有点失望。", f"{title.split()[1]} 只在合成数据上验证，真实场景未知"]
            )
        )
        rows.append(f"| {2015 + i} | {title} | k{i % 2} | {contribution} | | {critique} |")
    return table(*rows)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=decks(), seed=st.integers(0, 10_000))
def test_no_clue_or_option_names_its_own_paper(tmp_path: Path, text: str, seed: int) -> None:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    deck = load([path])
    by_key = {p.key: p for p in deck.papers}
    for q in build_quiz(deck, list(deck.papers), 20, seed):
        if (
            q.kind is not QuestionKind.FLIP
            and q.clue
            and q.kind is not QuestionKind.PAPER_TO_CONTRIBUTION
        ):
            assert not any(contains(q.clue, n) for n in forbidden(q.paper)), q.clue
            assert says_enough(q.clue)
        if q.kind is QuestionKind.PAPER_TO_CONTRIBUTION:
            # no option names a paper of the question (its own, the asked one, another's)
            question_papers = [by_key[o.paper_key] for o in q.options]
            for o in q.options:
                for p in question_papers:
                    assert not any(contains(o.text, n) for n in forbidden(p)), o.text


def test_the_bundled_giveaways_are_masked() -> None:
    deck = load([SEED])
    p = next(p for p in deck.papers if p.title.startswith("Neural Nearest"))
    assert mask(p.contribution, p).startswith("▢▢▢：把不可差分")
    dat = next(p for p in deck.papers if p.title.startswith("Vision Transformer"))
    assert "DAT" not in mask("DAT并非万金油", dat)
    assert not says_enough(mask("DAT并非万金油", dat))  # 5 characters left: not a clue
    assert not says_enough("有点失望。") and not says_enough("底层可拓展")
    assert says_enough("用特征域上的可形变卷积代替传统的MEMC")


def test_no_card_twice_and_a_short_quiz_stops() -> None:
    deck = load([SEED])
    four = [
        p for p in deck.papers if p.title.startswith(("Layer", "Multi-Stage", "einops", "MFQE"))
    ]
    for seed in range(30):
        qs = build_quiz(deck, four, 20, seed)
        ids = [q.card.id for q in qs]
        assert len(ids) == len(set(ids)), seed
        assert len(qs) <= 3 + 3 + 2 + 3  # no more questions than cards
        assert count_line(qs) == f"{len(qs)} questions from 4 papers"


def test_a_text_shown_is_not_asked_back() -> None:
    deck = load([SEED])
    for seed in range(30):
        shown: set[str] = set()
        for q in build_quiz(deck, list(deck.papers), 40, seed):
            assert q.card.back not in shown, (seed, q.number)
            shown.add(q.card.back)
            if q.kind is QuestionKind.PAPER_TO_CONTRIBUTION:
                shown.update(
                    c.back
                    for c in deck.cards
                    if c.kind.value == "contribution"
                    and c.paper.key in {o.paper_key for o in q.options}
                )


def test_figure_questions_need_a_figure_on_disk(notes, tmp_path: Path) -> None:
    (tmp_path / "here.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    rows = [
        f"| 20{10 + i} | Paper {name} about restoration | 图像复原 | 方法{name}把图像复原做得更好更快更稳 "
        f"| ![f]({fig}) | |"
        for i, (name, fig) in enumerate(
            [("A", "here.png"), ("B", "missing.png"), ("C", "here.png"), ("D", "gone.png")]
        )
    ]
    path = notes(table(*rows))
    deck = load([path])
    with FigureFetcher(None) as fetcher:
        can = lambda p, f: figure_on_hand(fetcher, p, f)  # noqa: E731
        for seed in range(20):
            for q in build_quiz(deck, list(deck.papers), 12, seed, can_show=can):
                if q.kind is QuestionKind.FIGURE_TO_PAPER:
                    assert q.figure is not None and q.figure.src == "here.png"
                    by_key = {p.key: p for p in deck.papers}
                    assert all(by_key[o.paper_key].figures[0].src == "here.png" for o in q.options)
        assert any(
            q.kind is QuestionKind.FIGURE_TO_PAPER
            for s in range(20)
            for q in build_quiz(deck, list(deck.papers), 12, s, can_show=can)
        )


def test_similar_papers_by_keyword_family_and_never_a_tool() -> None:
    assert family("视频增强") == family("视频复原")
    deck = load([SEED])
    films = next(p for p in deck.papers if p.title == "Bringing Old Films Back to Life")
    ranked = most_similar(films, deck.papers)
    assert {"视频复原"} & set(ranked[0].keywords) or "视频增强" in ranked[0].keywords
    assert all(p.title not in ("einops", "Runner & Hook") for p in ranked)
