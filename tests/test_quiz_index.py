"""The indexes give what a plain pass over every paper and card would: the same distractor
order as sorting the whole deck, the same "shared clue" answer as masking every card."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck.deck import load
from studydeck.models import Paper
from studydeck.quiz.clues import ClueIndex
from studydeck.quiz.distractors import (
    JITTER,
    SHORTLIST,
    PaperIndex,
    draw,
    nearness_key,
    nearness_order,
    similarity_order,
)
from studydeck.quiz.masking import key, mask
from studydeck.quiz.similarity import is_candidate, similarity

from .conftest import table

KEYWORDS = [
    "图像复原",
    "图像增强",
    "视频复原",
    "视频编码",
    "Transformer",
    "transformer",
    "工具",
    "k",
]
CONTRIBUTIONS = [
    "用可形变卷积完成时序对齐",
    "多阶段渐进式结构",
    "a recurrent network",
    "交互式复原",
]
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def decks(draw_: st.DrawFn) -> str:
    rows = []
    for i in range(draw_(st.integers(2, 2 * SHORTLIST + 6))):
        year = draw_(st.one_of(st.just(""), st.integers(2015, 2022).map(str)))
        kws = "；".join(draw_(st.lists(st.sampled_from(KEYWORDS), max_size=3, unique=True)))
        text = draw_(st.sampled_from(CONTRIBUTIONS)) + draw_(st.sampled_from(["", f" {i}"]))
        rows.append(f"| {year} | Paper {i} | {kws} | {text} | | |")
    return table(*rows)


def full_sort(papers: tuple[Paper, ...], target: Paper, salt: str, ok) -> list[Paper]:  # type: ignore[no-untyped-def]
    """Every candidate sorted by nearness, then each run of SHORTLIST by similarity."""
    cands = sorted(
        (q for q in papers if is_candidate(target, q) and ok(q)),
        key=lambda q: nearness_key(target, q, salt),
    )
    out: list[Paper] = []
    for at in range(0, len(cands), SHORTLIST):
        chunk = cands[at : at + SHORTLIST]
        out += sorted(
            chunk,
            key=lambda q: (-(similarity(target, q) + JITTER * draw(salt, q.key)), q.title, q.key),
        )
    return out


@SETTINGS
@given(text=decks(), seed=st.integers(0, 10**6))
def test_index_order_is_the_full_sort(tmp_path: Path, text: str, seed: int) -> None:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    papers = load([path]).papers
    index = PaperIndex.build(papers)
    odd = lambda q: int(q.title.split()[-1]) % 2 == 1  # noqa: E731  (a figure filter, say)
    for target in papers:
        salt = f"{seed}/{target.key}"
        whole = sorted(papers, key=lambda q: nearness_key(target, q, salt))
        assert list(nearness_order(index, target, salt)) == whole
        for ok in (lambda q: True, odd):
            assert list(similarity_order(index, target, salt, ok)) == full_sort(
                papers, target, salt, ok
            )


def test_the_index_reads_no_further_than_asked(tmp_path: Path) -> None:
    """Three distractors from 200 papers: one shortlist is read, not the deck."""
    rows = [
        f"| {2000 + i % 20} | Paper {i} | {'图像复原' if i % 10 == 0 else '视频编码'} | text {i} | | |"
        for i in range(200)
    ]
    path = tmp_path / "notes.md"
    path.write_text(table(*rows), encoding="utf-8")
    papers = load([path]).papers
    index = PaperIndex.build(papers)
    read: list[Paper] = []

    def ok(q: Paper) -> bool:
        read.append(q)
        return True

    target = papers[0]
    first = list(islice(similarity_order(index, target, "s", ok), 3))
    assert all("图像复原" in q.keywords for q in first)
    assert len(read) == SHORTLIST  # one shortlist, of 图像复原: not the 199 others
    assert all("图像复原" in q.keywords for q in read)


CLUE_BITS = ["用可形变卷积", "完成时序对齐", "Deep Video", "deep video", "ß", "ss", "第2版", "。"]


@st.composite
def clue_decks(draw_: st.DrawFn) -> str:
    rows = []
    for i in range(draw_(st.integers(2, 8))):
        name = draw_(st.sampled_from(["EDVR", "TDAN", "Deep", "视频复原"]))
        title = f"{name} {draw_(st.sampled_from(['Video', 'Face', 'Image']))} Restoration {i}"
        bits = draw_(st.lists(st.sampled_from([*CLUE_BITS, name]), min_size=1, max_size=5))
        crit = draw_(st.lists(st.sampled_from([*CLUE_BITS, name]), max_size=5))
        rows.append(f"| 2020 | {title} | k | {' '.join(bits)} | | {''.join(crit)} |")
    return table(*rows)


@SETTINGS
@given(text=clue_decks())
def test_shared_clue_index_agrees_with_masking_every_card(tmp_path: Path, text: str) -> None:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    cards = load([path]).cards
    index = ClueIndex.of_cards(cards)
    for card in cards:
        k = key(mask(card.back, card.paper))
        every = any(key(mask(c.back, c.paper)) == k for c in cards if c.paper.key != card.paper.key)
        assert index.shared(k, card) == every, (card.back, k)
