"""A quiz over a deck read from the cache makes a Paper or Card only for what its questions
read, and is still exactly the quiz of the parsed deck: for random decks, selections and
seeds, the quiz reads the cached (lazy) deck's stored columns and the parsed deck's Papers and
Cards, and both give the same quiz. (``test_quiz_fast_golden`` pins both to the quizzes the
slow path of 9b07b0a made, before the quiz read columns.)"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import studydeck.loading as loading
from studydeck.deck import load
from studydeck.models import Deck, Figure, Paper
from studydeck.quiz import Selection, plan_quiz
from studydeck.quiz.selection import select_papers
from studydeck.store import Store

from .conftest import table

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

KEYWORDS = ["图像复原", "图像增强", "视频复原", "视频编码", "Transformer", "transformer", "工具"]
NAMES = ["EDVR", "TDAN", "Deep", "Video", "Blind", "Face", "视频复原", "可形变"]
CONTRIBUTIONS = [
    "用可形变卷积完成时序对齐并且融合多帧信息",
    "多阶段渐进式结构，性能很强的 **baseline**",
    "a recurrent network that aligns frames with deformable convolution",
    "交互式复原，使得复原强度可控",
    "",
]
NOTES = [
    "只在合成数据上验证，真实场景的效果未知",
    "但计算复杂度上去了很多",
    "However, the evaluation is limited.",
    "其实就是对相似块加权，权重类似NCE。",
    "",
]
FIGURES = ["", "![](figs/a.png)", "![](https://e.org/b.png)", "![x](figs/ccc.png)"]
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def notes(draw: st.DrawFn) -> str:
    """One or two tables of papers that share keywords, names, texts and years."""
    parts = []
    for t in range(draw(st.integers(1, 2))):
        rows = []
        for i in range(draw(st.integers(1, 14))):
            year = draw(st.one_of(st.just(""), st.integers(2015, 2022).map(str)))
            name = draw(st.sampled_from(NAMES))
            title = f"{name} {draw(st.sampled_from(['Video', 'Image', 'Face']))} Net {t}{i}"
            if draw(st.booleans()):
                title = f"[{title}](https://arxiv.org/abs/2{t}01.{i:05d})"
            kws = "；".join(draw(st.lists(st.sampled_from(KEYWORDS), max_size=3, unique=True)))
            text = draw(st.sampled_from(CONTRIBUTIONS))
            text = f"{name}: {text}" if text and draw(st.booleans()) else text
            note = "".join(draw(st.lists(st.sampled_from(NOTES), max_size=2)))
            fig = draw(st.sampled_from(FIGURES))
            rows.append(f"| {year} | {title} | {kws} | {text} | {fig} | {note} |")
        parts.append(table(*rows, title=f"## Section {t}\n\n"))
    return "# 论文阅读\n\n" + "\n".join(parts)


@st.composite
def selections(draw: st.DrawFn) -> dict[str, Any]:
    sel: dict[str, Any] = {}
    if draw(st.booleans()):
        sel["keywords"] = draw(
            st.lists(st.sampled_from([*KEYWORDS, "图像", "trans", "none"]), min_size=1, max_size=2)
        )
    if draw(st.booleans()):
        sel["year"] = draw(st.integers(2014, 2023))
    if draw(st.booleans()):
        sel["since"] = draw(st.integers(2014, 2023))
    if draw(st.booleans()):
        sel["section"] = draw(st.sampled_from(["section 0", "1", "论文", "nothing"]))
    if draw(st.booleans()):
        sel["recent"] = draw(st.integers(1, 6))
    if draw(st.integers(0, 3)) == 0:
        sel["agenda"] = draw(
            st.lists(
                st.sampled_from(
                    [
                        "EDVR",
                        "TDAN Video Net 01",
                        "Deep Face Net 12",
                        "https://arxiv.org/abs/2001.00003",
                        "可形变 Image Net 13",
                        "# a comment",
                        "nothing like a title",
                    ]
                ),
                max_size=4,
            )
        )
    return sel


def can_show(p: Paper, f: Figure) -> bool:
    return len(f.src) % 3 != 0


def added(deck: Deck) -> dict[str, str]:
    return {p.key: f"2026-0{1 + i % 3}-01" for i, p in enumerate(deck.papers) if i % 2 == 0}


@contextmanager
def cached_and_parsed(text: str) -> Iterator[tuple[Deck, Deck]]:
    """The same notes as the cache gives them back (lazy) and as parsed."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notes.md"
        path.write_text(text, encoding="utf-8")
        with Store.open(Path(tmp) / "store.db") as store:
            open_deck_twice = [loading.open_deck(store, [path], NOW)[0] for _ in range(2)]
            cached = open_deck_twice[1]
            assert type(cached) is not Deck  # read from the cache, lazily
            yield cached, load([path])


def shown(questions: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Everything a question shows or keeps (the Paper and Card compared whole)."""
    return [
        (
            q.number,
            q.kind.value,
            q.prompt,
            q.paper,
            q.card,
            [(o.text, o.paper_key) for o in q.options],
            q.answer_index,
            q.answer,
            q.figure,
            q.note,
            q.clue,
        )
        for q in questions
    ]


def new_quiz(
    deck: Deck, sel: dict[str, Any], n: int, seed: int, known: dict[str, str]
) -> tuple[Any, ...]:
    papers, matches = select_papers(deck, Selection(**sel), lambda: known)
    if not papers:
        return [], [m.report() for m in matches], []
    plan = plan_quiz(deck, Selection(**sel), n, seed, lambda: known, can_show)
    if plan.questions:  # (none when the papers have no cards)
        first = plan.questions[0]  # first, alone (as the screens read it)
    qs = list(plan.questions)
    assert not qs or qs[0] is first
    return list(plan.papers), plan.agenda_report(), shown(qs)


@SETTINGS
@given(
    text=notes(),
    sels=st.lists(selections(), min_size=1, max_size=3),
    n=st.integers(1, 12),
    seed=st.integers(0, 10**6),
)
def test_the_cached_decks_quiz_is_the_parsed_decks_quiz(
    text: str, sels: list[dict[str, Any]], n: int, seed: int
) -> None:
    with cached_and_parsed(text) as (cached, parsed):
        known = added(parsed)
        for sel in sels:
            assert new_quiz(cached, sel, n, seed, known) == new_quiz(parsed, sel, n, seed, known)


def many_papers(n: int) -> str:
    """``n`` papers over a few keywords, years and texts, a third with a figure (as
    ``bench/generate.py`` makes them)."""
    rows = []
    for i in range(n):
        kw = KEYWORDS[i % 6]
        fig = f"![](figs/{i}.png)" if i % 3 == 0 else ""
        rows.append(
            f"| {2010 + i % 13} | {NAMES[i % 6]} Video Restoration {i} | {kw} "
            f"| {CONTRIBUTIONS[i % 4]} {i} | {fig} | {NOTES[i % 4]} |"
        )
    return table(*rows)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many Papers and Cards the cached deck has made (counted where it makes them)."""
    count = {"papers": 0, "cards": 0}
    paper, card = loading._paper, loading.Card

    def counted(make: Callable[..., Any], what: str) -> Callable[..., Any]:
        def inner(*args: Any, **kw: Any) -> Any:
            count[what] += 1
            return make(*args, **kw)

        return inner

    monkeypatch.setattr(loading, "_paper", counted(paper, "papers"))
    monkeypatch.setattr(loading, "Card", counted(card, "cards"))
    return count


@pytest.mark.parametrize("sel", [Selection(), Selection(keywords=["视频"], since=2012)])
def test_a_quiz_over_a_big_lazy_deck_makes_only_what_it_asks(
    tmp_path: Path, made: dict[str, int], sel: Selection
) -> None:
    path = tmp_path / "notes.md"
    path.write_text(many_papers(4000), encoding="utf-8")
    with Store.open(tmp_path / "store.db") as store:
        loading.open_deck(store, [path], NOW)
        made.update(papers=0, cards=0)
        deck, _ = loading.open_deck(store, [path], NOW)
        assert (made["papers"], made["cards"]) == (0, 0)  # (the cache is lazy to begin with)
        plan = plan_quiz(deck, sel, 20, 7, store.papers_added, can_show)
        kinds = {q.kind.value for q in plan.questions}
    assert len(plan.questions) == 20
    assert {"flip", "figure->paper", "paper->contribution"} <= kinds  # distractors were picked
    # Twenty questions read: the papers drawn until 9 x 20 cards of new texts are found
    # (a paper whose drawn card repeats a text gives none), a shortlist or two of
    # distractors per question, the cards a clue's characters point to. ~750 here: not
    # the 4000 papers and 8000 cards of the deck.
    assert 20 <= made["papers"] <= 1000, made
    assert 20 <= made["cards"] <= 1500, made
