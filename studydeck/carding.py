"""Paper -> cards: contribution, key insight and critique.

The notes cell is split into sentences; a sentence that judges the paper (it
holds one of :data:`CRITIQUE_MARKERS`) goes to the critique card, the others to
the key-insight card. A paper with an empty cell simply has fewer cards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from studydeck.identity import card_id
from studydeck.models import Card, CardKind, Paper

#: Words that mark a sentence of the notes as critique of the paper. Chinese
#: markers match anywhere in a sentence; English ones as whole words, any case.
CRITIQUE_MARKERS: tuple[str, ...] = (
    "问题：",
    "问题:",
    "但",
    "然而",
    "缺点",
    "不足",
    "局限",
    "只",
    "并非",
    "失望",
    "可惜",
    "无法",
    "不能",
    "差距",
    "不一致",
    "初浅",
    "肤浅",
    "存疑",
    "不合理",
    "however",
    "but",
    "limitation",
    "limitations",
    "limited",
    "drawback",
    "weakness",
    "unfortunately",
    "fails",
    "unclear",
    "only",
)

QUESTIONS: dict[CardKind, str] = {
    CardKind.CONTRIBUTION: "What is its core contribution?",
    CardKind.INSIGHT: "What is the key insight from your notes?",
    CardKind.CRITIQUE: "What is the critique: where does it fall short?",
}

_ASCII = [m for m in CRITIQUE_MARKERS if m.isascii() and m.isalpha()]
_CJK = [m for m in CRITIQUE_MARKERS if m not in _ASCII]
_CRITIQUE = re.compile(
    "|".join([*map(re.escape, _CJK), r"\b(?:" + "|".join(_ASCII) + r")\b"]), re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=\.)\s+(?=[A-Z\u4e00-\u9fff])")
_TRAILING = "；;，,、 \n"


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def is_critique(sentence: str) -> bool:
    return _CRITIQUE.search(sentence) is not None


def split_notes(notes: str) -> tuple[str, str]:
    """(insight, critique) parts of a notes cell, each in the notes' own words."""
    insight: list[str] = []
    critique: list[str] = []
    for s in split_sentences(notes):
        (critique if is_critique(s) else insight).append(s)
    return _join(insight), _join(critique)


def _join(parts: list[str]) -> str:
    return "".join(parts).strip().rstrip(_TRAILING).strip()


def cards_for(paper: Paper) -> list[Card]:
    insight, critique = split_notes(paper.notes) if paper.notes else ("", "")
    out: list[Card] = []
    for kind, back in (
        (CardKind.CONTRIBUTION, paper.contribution),
        (CardKind.INSIGHT, insight),
        (CardKind.CRITIQUE, critique),
    ):
        if back:
            out.append(
                Card(
                    id=card_id(paper.key, kind),
                    kind=kind,
                    paper=paper,
                    question=QUESTIONS[kind],
                    back=back,
                )
            )
    return out


def cards_for_all(papers: Iterable[Paper]) -> list[Card]:
    return [c for p in papers for c in cards_for(p)]
