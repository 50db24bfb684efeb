"""Paper -> statements -> cards: contribution, key insight and critique.

The notes cell is cut into *statements* by meaning, not by punctuation:

- a question stays with its answer (``为什么…？因为…``);
- a sentence that opens with a connective (:data:`CONNECTIVES`: 因为, 所以, 即,
  例如, 这…, because, i.e. …) stays with the sentence it continues;
- ``；`` separates statements only when the part after it stands alone, by the
  same rule;
- a sentence opening with 此外/另外/moreover stays with the previous statement only
  when it continues the same judgement (both critique or both insight).

Each statement goes to the critique or the insight card as
:func:`studydeck.critique.classify` decides, unless the user corrected it (the
``corrections`` input, stored by the review store): corrections win. A paper
with an empty cell simply has fewer cards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from studydeck.critique import classify, explicit, without_prefix
from studydeck.identity import card_id_prefix
from studydeck.models import QUESTIONS, Card, CardKind, Deck, Paper
from studydeck.rendering import md_links

#: Openings that continue the previous sentence rather than start a statement.
CONNECTIVES: tuple[str, ...] = (
    "因为",
    "由于",
    "所以",
    "因此",
    "因而",
    "从而",
    "于是",
    "即",
    "也就是说",
    "换言之",
    "换句话说",
    "例如",
    "比如",
    "譬如",
    "而",
    "但",
    "然而",
    "不过",
    "可是",
    "否则",
    "这",
    "此(?!外)",
    "其(?!实|次)",
    "二者",
    "两者",
    "它",
    r"because\b",
    r"so\b",
    r"i\.e\.",
    r"e\.g\.",
    r"that is\b",
    r"for (?:example|instance)\b",
    r"thus\b",
    r"hence\b",
    r"therefore\b",
    r"this\b",
    r"which\b",
    r"but\b",
    r"however\b",
    r"otherwise\b",
)
#: Openings that continue the previous statement only when they judge alike.
ADDITIVES: tuple[str, ...] = (
    "此外",
    "另外",
    "而且",
    "并且",
    r"moreover\b",
    r"also\b",
    r"in addition\b",
    r"besides\b",
    r"furthermore\b",
)

Corrections = Mapping[tuple[str, str], CardKind]
"""The user's corrections: (paper key, :func:`normalise` d statement) -> the card it belongs on."""
NO_CORRECTIONS: Corrections = {}

CORRECTED = "corrected by you"

_SENTENCE_END = re.compile(
    r"(?<=[。！？!?；;\n])(?![。！？!?；;\n])|(?<=\.)(?=\s+[A-Z\u4e00-\u9fff])"
)
_LEAD = r"^[\s\W_]{0,3}?(?:"
_CONNECTIVE = re.compile(_LEAD + "|".join(CONNECTIVES) + ")", re.IGNORECASE)
_ADDITIVE = re.compile(_LEAD + "|".join(ADDITIVES) + ")", re.IGNORECASE)
_TRAILING = "；;，,、 \n"
_NORM_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Statement:
    """One thing the notes say, the card it goes to, and why."""

    text: str
    kind: CardKind
    reason: str
    corrected: bool = False

    @property
    def key(self) -> str:
        return normalise(self.text)


def normalise(text: str) -> str:
    """The statement as a correction remembers it: spacing, case and end punctuation ignored."""
    return _NORM_SPACE.sub(" ", text).strip().rstrip("。．.！!？?；;，,、 ").casefold()


_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
"""An HTML character reference (``&lt;``, ``&#39;``): its ``;`` ends no statement."""
_KEPT = "\ue000"
"""What an entity's ``;`` is while the cell is cut (a private-use character)."""


_ENDS = "。！？!?；;\n"
_HIDE = str.maketrans({c: chr(0xE001 + i) for i, c in enumerate(_ENDS)})
_SHOW = str.maketrans({chr(0xE001 + i): c for i, c in enumerate(_ENDS)})
"""What ends a statement, and private-use stand-ins for it where it ends none."""


def _pieces(notes: str) -> list[str]:
    if "&" in notes and ";" in notes and _KEPT not in notes:
        kept = _ENTITY.sub(lambda m: m.group()[:-1] + _KEPT, notes)
        return [s.replace(_KEPT, ";") for s in _split(kept)]
    return _split(notes)


def _split(notes: str) -> list[str]:
    """The cell cut at its sentence ends, except inside a Markdown link or image: a probe's
    ``![x](url)`` was cut after its ``!`` (the image became a ``!`` on one card and a link
    on another), and a ``data:image/png;base64`` URL at its ``;``."""
    if "](" in notes and not any(0xE001 <= ord(c) < 0xE001 + len(_ENDS) for c in notes):
        parts, pos = [], 0
        for start, end, _, _ in md_links(notes):
            parts += [notes[pos:start], notes[start:end].translate(_HIDE)]
            pos = end
        hidden = "".join([*parts, notes[pos:]])
        return [s.translate(_SHOW) for s in _SENTENCE_END.split(hidden) if s.strip()]
    return [s for s in _SENTENCE_END.split(notes) if s.strip()]


def _is_question(text: str) -> bool:
    return text.rstrip().endswith(("？", "?"))


def split_statements(notes: str) -> list[str]:
    """Statements of a notes cell, in order, each in the notes' own words (see module doc)."""
    out: list[str] = []
    pending: list[bool] = []  # per statement: opened with an additive, not yet decided
    for piece in _pieces(notes):
        continues = _is_question(out[-1]) or _CONNECTIVE.match(piece) if out else False
        if continues and explicit(piece.lstrip()) is None:
            out[-1] += piece
            continue
        out.append(piece)
        pending.append(_ADDITIVE.match(piece) is not None)
    return out if not any(pending) else _merge_additives(out, pending)


def _merge_additives(parts: list[str], additive: list[bool]) -> list[str]:
    out: list[str] = []
    last: bool | None = None
    for text, add in zip(parts, additive, strict=True):
        verdict = classify(text).critique
        if add and out and verdict == last:
            out[-1] += text
        else:
            out.append(text)
        last = verdict
    return out


def statements(paper: Paper, corrections: Corrections = NO_CORRECTIONS) -> list[Statement]:
    """The statements of a paper's notes, each with its card and the reason."""
    return _statements(paper.key, paper.notes, corrections)


def _statements(key: str, notes: str, corrections: Corrections) -> list[Statement]:
    out: list[Statement] = []
    for text in split_statements(notes):
        clean = text.strip()
        fixed = corrections.get((key, normalise(clean))) if corrections else None
        if fixed is not None:
            out.append(Statement(clean, fixed, CORRECTED, corrected=True))
            continue
        v = classify(clean)
        out.append(
            Statement(clean, CardKind.CRITIQUE if v.critique else CardKind.INSIGHT, v.reason)
        )
    return out


def _join(parts: Iterable[Statement]) -> str:
    text = ""
    for s in parts:
        shown = without_prefix(s.text)
        if text and text[-1].isascii() and shown[:1].isascii():
            text += " "
        text += shown
    return _without_trailing(text)


def _without_trailing(text: str) -> str:
    """``text`` without the separators it ends with; an entity's ``;`` is its own."""
    while text and text[-1] in _TRAILING:
        if text[-1] == ";" and _ENTITY_END.search(text[-40:]):  # (at most 34 characters)
            break
        text = text[:-1]
    return text.strip()


_ENTITY_END = re.compile(_ENTITY.pattern + "$")


def card_texts(contribution: str, found: Iterable[Statement]) -> list[tuple[CardKind, str]]:
    """(kind, back) of each card: contribution, insight, critique, leaving out empty ones."""
    found = list(found)
    out: list[tuple[CardKind, str]] = []
    for kind, back in (
        (CardKind.CONTRIBUTION, contribution),
        (CardKind.INSIGHT, _join(s for s in found if s.kind is CardKind.INSIGHT)),
        (CardKind.CRITIQUE, _join(s for s in found if s.kind is CardKind.CRITIQUE)),
    ):
        if back:
            out.append((kind, back))
    return out


def row_card_texts(contribution: str, notes: str) -> list[tuple[CardKind, str]]:
    """The cards of a row with these cells before any correction: all that carding reads
    of a paper (its key only matters to corrections), so a parse can card a row once and
    keep the result with the row."""
    return card_texts(contribution, _statements("", notes, NO_CORRECTIONS) if notes else [])


def make_cards(paper: Paper, texts: Iterable[tuple[CardKind, str]]) -> list[Card]:
    """The cards; a back that reads as the paper's contribution or notes (notes that are all
    insight, say) is the paper's own string, not a copy of it."""
    shared = {paper.contribution: paper.contribution, paper.notes: paper.notes}
    prefix = card_id_prefix(paper.key)
    return [
        Card(
            id=prefix + kind._value_,
            kind=kind,
            paper=paper,
            question=QUESTIONS[kind],
            back=shared.get(b, b),
        )
        for kind, b in texts
    ]


def card_rows(
    papers: Iterable[tuple[str, str, str, Iterable[tuple[str, str]]]],
    start: int = 0,
    prefixes: Sequence[str] | None = None,
) -> list[tuple[int, str, str, str]]:
    """What :func:`make_cards` makes for each paper (its key, contribution, notes and card
    texts, as (kind value, back) pairs), as the deck cache's card rows: (paper index, id,
    kind value, back), a back equal to the contribution or the notes that string itself.
    The papers' indices count from ``start`` (a file's first paper in the deck);
    ``prefixes``: each paper's ``card_id_prefix(key)``, when the caller has them."""
    out: list[tuple[int, str, str, str]] = []
    add = out.append
    for i, (key, contribution, notes, texts) in enumerate(papers, start):
        prefix = card_id_prefix(key) if prefixes is None else prefixes[i - start]
        for k, b in texts:
            # as make_cards' {contribution: contribution, notes: notes}: notes win a tie
            add(
                (
                    i,
                    prefix + k,
                    k,
                    notes if b == notes else contribution if b == contribution else b,
                )
            )
    return out


def cards_for(paper: Paper, corrections: Corrections = NO_CORRECTIONS) -> list[Card]:
    """A paper's cards; ``corrections`` (from the review store) override the classifier."""
    found = statements(paper, corrections) if paper.notes else []
    return make_cards(paper, card_texts(paper.contribution, found))


def cards_for_all(papers: Iterable[Paper], corrections: Corrections = NO_CORRECTIONS) -> list[Card]:
    return [c for p in papers for c in cards_for(p, corrections)]


def explain(papers: Iterable[Paper], corrections: Corrections = NO_CORRECTIONS) -> list[str]:
    """Lines for ``studydeck cards --explain``: each statement, its card and why."""
    lines: list[str] = []
    for p in papers:
        found = statements(p, corrections) if p.notes else []
        lines.append(f"{p.where}  {p.title}")
        if not found:
            lines.append("  (no notes: contribution card only)")
        for s in found:
            lines.append(f"  {s.kind.value:<8} {' '.join(s.text.split())}")
            lines.append(f"  {'':<8} why: {s.reason}")
    return lines


def with_corrections(deck: Deck, corrections: Corrections) -> Deck:
    """The deck with the cards of corrected papers made again, in the same order."""
    keys = {key for key, _ in corrections}
    if not keys or not any(p.key in keys for p in deck.papers):
        return deck
    cards: list[Card] = []
    done: set[str] = set()
    for c in deck.cards:
        key = c.paper.key
        if key not in keys:
            cards.append(c)
        elif key not in done:
            done.add(key)
            cards.extend(cards_for(c.paper, corrections))
    return replace(deck, cards=tuple(cards))


def other_kind(kind: CardKind) -> CardKind:
    """Where ``m`` sends a statement: insight <-> critique."""
    return CardKind.INSIGHT if kind is CardKind.CRITIQUE else CardKind.CRITIQUE


def guessed_kind(statement: Statement) -> CardKind:
    """The card the classifier alone would give the statement."""
    return CardKind.CRITIQUE if classify(statement.text).critique else CardKind.INSIGHT
