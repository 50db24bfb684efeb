"""Cards worth studying: notes cut into statements by meaning; critique that judges the paper."""

from __future__ import annotations

from pathlib import Path

import pytest

from studydeck.carding import cards_for, row_card_texts, split_statements, statements
from studydeck.critique import classify
from studydeck.deck import bundled_deck, load
from studydeck.models import CardKind, Paper
from tests.carding_examples import HELD_OUT, TUNE
from tests.conftest import table


@pytest.mark.parametrize(
    ("notes", "want"),
    [
        # a question stays with its answer
        ("为什么不用hook？因为hook调用hook不合理", ["为什么不用hook？因为hook调用hook不合理"]),
        ("Why L1? Because L2 blurs.", ["Why L1? Because L2 blurs."]),
        ("为什么用L1？L2会过平滑。用了X", ["为什么用L1？L2会过平滑。", "用了X"]),
        # a sentence opening with a connective stays with the one it continues
        ("时间复杂度上去了；因为使用了可分离卷积", ["时间复杂度上去了；因为使用了可分离卷积"]),
        ("用了X。所以很快。即不用Y", ["用了X。所以很快。即不用Y"]),
        ("用了X；这种设计很初浅。", ["用了X；这种设计很初浅。"]),
        ("It is slow. I.e. 2 fps.", ["It is slow. I.e. 2 fps."]),
        # a ； between statements that stand alone separates them
        ("DAT并非万金油；跟在Swin后用效果好", ["DAT并非万金油；", "跟在Swin后用效果好"]),
        ("第一个loss惩罚像素；第二个loss惩罚特征", ["第一个loss惩罚像素；", "第二个loss惩罚特征"]),
        (
            "貌似没用到三域方法。上色是基于关键帧的方法",
            ["貌似没用到三域方法。", "上色是基于关键帧的方法"],
        ),
        # 此外 continues only the same judgement
        ("只考虑了LDP模式。此外，和PSNR不一致", ["只考虑了LDP模式。此外，和PSNR不一致"]),
        ("只考虑了LDP模式。此外，用了光流对齐", ["只考虑了LDP模式。", "此外，用了光流对齐"]),
        # an explicit prefix always starts a statement
        ("为什么？问题：没有开源", ["为什么？", "问题：没有开源"]),
        # an HTML entity's ";" ends no statement (a trial's "&lt;script&gt;" was torn)
        ("x &lt;y&gt; z &#39;q&#x27;。用了X", ["x &lt;y&gt; z &#39;q&#x27;。", "用了X"]),
        ("a &amp b; c", ["a &amp b;", " c"]),
    ],
)
def test_statements(notes: str, want: list[str]) -> None:
    assert split_statements(notes) == want


def _scores(rows: list[tuple[str, bool]]) -> tuple[float, float]:
    tp = sum(1 for s, want in rows if want and classify(s).critique)
    fp = sum(1 for s, want in rows if not want and classify(s).critique)
    fn = sum(1 for s, want in rows if want and not classify(s).critique)
    return tp / (tp + fp), tp / (tp + fn)


@pytest.mark.parametrize(
    ("name", "rows", "min_precision", "min_recall"),
    [("tune", TUNE, 0.95, 0.95), ("held-out", HELD_OUT, 0.85, 0.6)],
)
def test_classifier_precision_and_recall(
    name: str, rows: list[tuple[str, bool]], min_precision: float, min_recall: float
) -> None:
    precision, recall = _scores(rows)
    print(f"critique classifier on {name} ({len(rows)}): P {precision:.2f} R {recall:.2f}")
    assert precision >= min_precision and recall >= min_recall, (name, precision, recall)


@pytest.mark.parametrize(
    ("statement", "critique", "reason"),
    [
        ("问题：方法很好", True, "explicit prefix 问题："),
        ("缺点：无", True, "explicit prefix 缺点："),
        ("局限: 无", True, "explicit prefix 局限:"),
        ("不足：无", True, "explicit prefix 不足："),
        ("Critique: great", True, "explicit prefix Critique:"),
        ("**Limitation**: none", True, "explicit prefix Limitation:"),
        ("注：这里失效是设计使然", False, "explicit prefix 注："),
        ("Note: it fails on purpose", False, "explicit prefix Note:"),
        ("Insight: the drawback motivates it", False, "explicit prefix Insight:"),
        ("注意力只能看局部", True, "marker 只能"),
    ],
)
def test_explicit_prefixes_beat_the_guess(statement: str, critique: bool, reason: str) -> None:
    v = classify(statement)
    assert (v.critique, v.reason) == (critique, reason)


def test_reasons_name_the_rule() -> None:
    assert classify("貌似没用到三域方法").reason == "marker 貌似"
    assert classify("传统方法无法处理大运动").reason == "about prior work, not this paper (无法)"
    assert classify("减小差异，但保留了内部差异").reason == "contrast, not a judgement (但)"
    assert classify("为什么？因为这样不合理").critique is False
    assert classify("为什么要两阶段？单阶段效果差").reason == (
        "question with its answer: explains a design choice"
    )


CRITIQUED = [
    "Metric Learning based Interactive Modulation for Real-World Super-Resolution",
    "Bringing Old Films Back to Life",
    "Vision Transformer with Deformable Attention",
    "Early Exit or Not: Resource-Efficient Blind Quality Enhancement for Compressed Images",
    "MFQE 2.0: A New Approach for Multi-Frame Quality Enhancement on Compressed Video",
    "Path-Restore: Learning Network Path Selection for Image Restoration",
    "Combined Internal and External Category-Specific Image Denoising",
]


@pytest.mark.parametrize(
    ("statement", "critique", "reason"),
    [
        # A marker inside a reason, purpose or hypothesis clause explains a choice...
        ("如果按图输入CNN，即使某个区域置零也无法跳过", False, "reason or hypothesis, not a judgement (无法)"),
        ("为了避免过拟合，只能用小模型", False, "reason or hypothesis, not a judgement (只能)"),
        ("Because memory is small it can only use small batches", False,
         "reason or hypothesis, not a judgement (can only)"),
        ("If the scene moves, the method fails.", False,
         "reason or hypothesis, not a judgement (fails)"),
        # ... unless a consequence turns it into a judgement, or the clause comes after it
        ("because memory is small, so it can only use small batches", True, "marker can only"),
        ("The method fails if the scene moves.", True, "marker fails"),
        ("只能处理静态场景", True, "marker 只能"),
        # ("if" and "because" as whole words only; a word holding them opens no clause)
        ("Iffy results: the method fails.", True, "marker fails"),
    ],
)  # fmt: skip
def test_a_marker_in_a_reason_or_hypothesis_explains(
    statement: str, critique: bool, reason: str
) -> None:
    assert tuple(classify(statement)) == (critique, reason)


def test_bundled_deck_critique_cards() -> None:
    deck = load([bundled_deck()])
    critiqued = [c.paper.title for c in deck.cards if c.kind is CardKind.CRITIQUE]
    assert critiqued == CRITIQUED
    for c in deck.cards:
        if c.kind is CardKind.CONTRIBUTION:
            continue
        assert not c.back.startswith(("因为", "所以", "因此")), c.back
        assert not c.back.rstrip().endswith(("？", "?")), c.back


def test_bundled_deck_cards_keep_answers_and_reasons_whole() -> None:
    deck = load([bundled_deck()])
    backs = {(c.paper.title, c.kind): c.back for c in deck.cards}
    assert backs[("Runner & Hook", CardKind.INSIGHT)].endswith("hook调用hook不合理")
    assert ("Runner & Hook", CardKind.CRITIQUE) not in backs
    early = backs[(CRITIQUED[3], CardKind.CRITIQUE)]
    assert early.endswith("但时间复杂度上去了；因为使用了可分离卷积")


def test_corrections_override_the_classifier(tmp_path: Path) -> None:
    paper = Paper(
        key="k", title="T", notes="貌似没用到三域方法。上色是基于关键帧的方法", source="x", line=1
    )
    moved = {("k", "貌似没用到三域方法"): CardKind.INSIGHT}
    kinds = [c.kind for c in cards_for(paper, moved)]
    assert kinds == [CardKind.INSIGHT]
    first = statements(paper, moved)[0]
    assert (first.kind, first.reason, first.corrected) == (
        CardKind.INSIGHT,
        "corrected by you",
        True,
    )
    assert [c.kind for c in cards_for(paper)] == [CardKind.INSIGHT, CardKind.CRITIQUE]


NOTES = """\
| 年份 | 论文 | Abbr. | 核心贡献 | 笔记 |
| :- | :- | :- | :- | :- |
| 2019 | Path-Restore | PR | Path-Restore：多路径CNN | 性能上和CNN有差距。用RL学路径 |
| 2016 | Layer Normalization | | LN：针对每个sample | 减小差异，但保留了内部差异\x1b[31m |
"""


def test_explain_lists_statements_cards_and_reasons(tmp_path: Path, capsys) -> None:
    from studydeck.cli import main

    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    assert main(["cards", "--explain", str(notes)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{notes}:3  Path-Restore",
        "  critique 性能上和CNN有差距。",
        "           why: marker 差距",
        "  insight  用RL学路径",
        "           why: no evaluative marker",
        f"{notes}:4  Layer Normalization",
        "  insight  减小差异，但保留了内部差异",  # the escape sequence is gone whole
        "           why: contrast, not a judgement (但)",
    ]


def test_short_name_beside_the_title_on_every_card(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    fronts = [c.front.splitlines()[0] for c in load([notes]).cards]
    assert fronts == [
        "Path-Restore — PR / Path-Restore (2019)",
        "Path-Restore — PR / Path-Restore (2019)",
        "Path-Restore — PR / Path-Restore (2019)",
        "Layer Normalization — LN (2016)",
        "Layer Normalization — LN (2016)",
    ]


def test_browse_finds_a_card_by_its_short_name(tmp_path: Path) -> None:
    from datetime import date

    from studydeck.tui.screens.browse import Row, matches

    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    rows = [Row(c, None) for c in load([notes]).cards]
    found = [r.card.paper.title for r in rows if matches(r, "LN", date(2026, 1, 1))]
    assert found == ["Layer Normalization", "Layer Normalization"]


def test_a_card_keeps_an_entity_that_ends_its_notes() -> None:
    assert row_card_texts("c", "&lt;script&gt; &amp;") == [
        (CardKind.CONTRIBUTION, "c"),
        (CardKind.INSIGHT, "&lt;script&gt; &amp;"),
    ]
    assert row_card_texts("c", "用了X；") == [
        (CardKind.CONTRIBUTION, "c"),
        (CardKind.INSIGHT, "用了X"),
    ]


def test_statements_keep_every_character_of_the_notes() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    pieces = st.sampled_from(
        [*"。；;？?！.\n 因为所以这此外但只貌似差距Because so i.e. AbX&#", "&lt;", "&amp;", "&#39;"]
    )

    @given(st.lists(pieces, max_size=40).map("".join))
    def check(notes: str) -> None:
        kept = "".join(split_statements(notes))
        assert "".join(kept.split()) == "".join(notes.split())

    check()


def test_a_correction_follows_the_paper_through_a_rename(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from studydeck.loading import open_deck
    from studydeck.store import Store

    now = datetime(2026, 3, 2, tzinfo=UTC)
    notes = tmp_path / "notes.md"
    row = "| 2020 | {title} | k | c | ![](f.png) | 貌似没用到三域方法。上色是基于关键帧的方法 |\n"
    head = "| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n| :- | :- | :- | :- | :- | :- |\n"
    notes.write_text(head + row.format(title="Deep Residual Learning"), encoding="utf-8")
    with Store.open(tmp_path / "s.sqlite3") as store:
        deck, _ = open_deck(store, [notes], now)
        store.correct(deck.papers[0].key, "貌似没用到三域方法", CardKind.INSIGHT, now)
        _, report = open_deck(store, [notes], now)  # (as `m` does: the critique card retires)
        assert str(report) == "0 new, 0 renamed, 1 retired"
        notes.write_text(head + row.format(title="ResNet: a whole new name"), encoding="utf-8")
        deck, report = open_deck(store, [notes], now)
        # (what changed, net: the critique card, brought back under the correction's old key
        # and retired again under its new one in the same read, changed nothing)
        assert str(report) == "0 new, 1 renamed, 0 retired"
        assert [(c.kind, c.back) for c in deck.cards][1:] == [
            (CardKind.INSIGHT, "貌似没用到三域方法。上色是基于关键帧的方法")
        ]
        assert not store.state(deck.cards[1].id).retired


def test_a_card_made_by_a_correction_is_not_said_retired_when_its_paper_is_renamed(
    tmp_path: Path,
) -> None:
    """A trial moved a critique statement of DAT to a key insight (DAT had none), then
    renamed DAT: "1 retired" was said, of the insight card retired under the correction's old
    key and brought back under its new one in the same read. What is said is the net change."""
    from datetime import UTC, datetime

    from studydeck.loading import open_deck
    from studydeck.store import Store

    now = datetime(2026, 3, 2, tzinfo=UTC)
    notes = tmp_path / "notes.md"
    row = "| 2022 | {title} | k | c | ![](f.png) | DAT并非万金油；跟在Swin后用效果好，单独用效果差 |\n"
    head = "| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n| :- | :- | :- | :- | :- | :- |\n"
    notes.write_text(head + row.format(title="Vision Transformer with Deformable Attention"))
    with Store.open(tmp_path / "s.sqlite3") as store:
        deck, _ = open_deck(store, [notes], now)
        assert [c.kind for c in deck.cards] == [CardKind.CONTRIBUTION, CardKind.CRITIQUE]
        moved = next(s for s in statements(deck.papers[0]) if s.text.startswith("跟在"))
        store.correct(deck.papers[0].key, moved.key, CardKind.INSIGHT, now)
        deck, _ = open_deck(store, [notes], now)
        assert [c.kind for c in deck.cards][1] == CardKind.INSIGHT  # (made by the correction)
        notes.write_text(head + row.format(title="Deformable Attention Transformer"))
        deck, report = open_deck(store, [notes], now)
        assert str(report) == "0 new, 1 renamed, 0 retired"
        assert [c.kind for c in deck.cards] == [
            CardKind.CONTRIBUTION,
            CardKind.INSIGHT,
            CardKind.CRITIQUE,
        ]
        assert store.tuples("SELECT count(*) FROM cards WHERE retired = 1") == [(0,)]


@pytest.mark.parametrize(
    ("notes", "pieces"),
    [
        ("不足![x](https://a.b/c;d.png)。好", ["不足![x](https://a.b/c;d.png)。", "好"]),
        (
            "看图![arch](data:image/png;base64,iVBOR)；缺点是慢。",
            ["看图![arch](data:image/png;base64,iVBOR)；", "缺点是慢。"],
        ),
        (
            "见[知乎](https://z.com/a?b=1;c=2)。问题：慢",
            ["见[知乎](https://z.com/a?b=1;c=2)。", "问题：慢"],
        ),
        ("A。B！C!D", ["A。", "B！", "C!", "D"]),
    ],
)
def test_a_markdown_link_or_image_is_never_cut_into_statements(notes: str, pieces) -> None:
    """A probe's ``![x](url)`` was cut after its ``!`` (a ``!`` on the critique card, a link
    on the insight card), and a ``data:image/png;base64`` URL at its ``;``."""
    assert split_statements(notes) == pieces


def test_an_explicit_prefix_decides_the_card_and_is_not_shown_on_it(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        table("| 2020 | A | k | c | | Note: global pooling helps. Limitation: needs labels. |"),
        encoding="utf-8",
    )
    backs = {c.kind.value: c.back for c in load([notes]).cards}
    assert backs["insight"] == "global pooling helps."
    assert backs["critique"] == "needs labels."


@pytest.mark.parametrize(
    ("statement", "critique", "reason"),
    [
        # A Latin marker must start a word: "unlimited" is not "limited".
        ("The buffer is unlimited in size.", False, "no evaluative marker"),
        ("The evaluation is limited to one dataset.", True, "marker limited"),
        # The first marker in the statement decides, Chinese or English.
        ("It fails on text; 效果较差 elsewhere.", True, "marker fails"),
        ("效果较差, and it fails on text.", True, "marker 较差"),
        # A negation right before a marker cancels it; one further away does not.
        ("It does not fail on noisy input.", False, "no evaluative marker"),
        ("Not in this setting, but it fails on noisy input.", True, "marker fails"),
        # Edges: a marker that opens the statement, a negation that opens it, a contrast
        # word that opens it.
        ("Fails on large images", True, "marker fails"),
        ("不依赖额外标注", False, "no evaluative marker"),
        ("但保留了内部差异", False, "contrast, not a judgement (但)"),
    ],
)
def test_marker_position_word_start_and_negation(
    statement: str, critique: bool, reason: str
) -> None:
    v = classify(statement)
    assert (v.critique, v.reason) == (critique, reason)
