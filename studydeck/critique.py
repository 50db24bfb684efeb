"""Is a statement of the notes a critique of *this* paper? A small, explainable classifier.

A critique card is what a researcher keeps notes for: what is wrong with the
paper, what it costs, what it assumes or requires, what is missing, what the
reader doubts. :func:`classify` decides, and says why, in this order:

1. **Explicit prefix** — ``问题：`` ``缺点：`` ``局限：`` ``不足：`` ``Critique:``
   ``Limitation:`` make a statement critique; ``注：`` ``Note:`` ``Insight:`` make it
   insight. The writer's word beats any guess.
2. **Question and answer** — a statement holding a question and its answer
   explains a design choice (``为什么不用hook？因为…不合理``): insight.
3. **Evaluative marker** — the first hit of :data:`CN_MARKERS`, :data:`EN_MARKERS`
   or a concession (``虽然…但…``, ``although``). No hit: insight.
4. **What the judgement is about** — a marker does not make a critique when the
   statement is about prior work (``传统方法…``, ``现有的方法…``, ``前人…``: the
   motivation of the paper), or when the marker sits in a reason, purpose or
   hypothetical clause (``因为…``, ``为了避免…``, ``如果…也无法…``): a rationale.

``但``/``but``/``only``/``只`` are not markers by themselves: ``A 减小…，但保留了…``
is a contrast inside an explanation, ``not only … but also`` is praise, ``只需要
一次前向传播`` is a strength. ``只考虑``, ``只能``, ``can only`` are markers.
"""

from __future__ import annotations

import re
from typing import NamedTuple

CRITIQUE_PREFIXES: tuple[str, ...] = ("问题", "缺点", "局限", "不足", "critique", "limitation")
INSIGHT_PREFIXES: tuple[str, ...] = ("注", "note", "insight")

#: Chinese evaluative markers (regular expressions): judgement, cost, requirement,
#: assumption, missing part, doubt, disappointment.
CN_MARKERS: tuple[str, ...] = (
    "缺点",
    "不足",
    "局限",
    "不佳",
    "较差",
    "不如",
    "很差",
    "变差",
    "更差",
    "效果差",
    "性能差",
    "表现差",
    "差距",
    "多余",
    "冗余",
    "折衷",
    "折中",
    "失望",
    "可惜",
    "遗憾",
    "初浅",
    "肤浅",
    "粗糙",
    "不一致",
    "不合理",
    "不清楚",
    "不充分",
    "不公平",
    "不稳定",
    "不够",
    "没用到",
    "没有用到",
    "没有考虑",
    "未考虑",
    "未验证",
    "没有验证",
    "未比较",
    "没有比较",
    "没有开源",
    "未开源",
    "缺少",
    "缺乏",
    "只考虑",
    "仅考虑",
    "只能",
    "仅能",
    "只适用",
    "仅适用",
    "只针对",
    "只在.{1,12}?上",
    "需要(?:知道|定义|已知|额外|大量|预先|事先|提前|人工|手动|手工|标注|先验|.{1,12}?才)",
    "依赖",
    "假设了",
    "基于.{0,12}?假设",
    "强假设",
    "貌似",
    "似乎",
    "存疑",
    "怀疑",
    "值得商榷",
    "并非",
    "无法",
    "不能",
    "难以",
    "失效",
    "代价(?!函数)",
    "开销大",
    "上去了",
    "增加了.{0,6}?(?:复杂度|开销|时间|计算量)",
    "慢",
    "不明显",
    "有限",
    "声称",
    "宣称",
    "没有和.{1,20}?(?:比较|对比)",
    "没有与.{1,20}?(?:比较|对比)",
    "未和.{1,20}?(?:比较|对比)",
    "未与.{1,20}?(?:比较|对比)",
)

#: English evaluative markers (regular expressions, whole words, any case).
EN_MARKERS: tuple[str, ...] = (
    r"drawbacks?",
    r"limitations?",
    r"limited",
    r"weakness(?:es)?",
    r"shortcomings?",
    r"fails?",
    r"failed",
    r"poor(?:ly)?",
    r"worse",
    r"weak",
    r"unclear",
    r"questionable",
    r"doubt(?:ful)?",
    r"unconvincing",
    r"not convincing",
    r"disappointing",
    r"unfortunately",
    r"incremental",
    r"marginal",
    r"inconsistent",
    r"expensive",
    r"costly",
    r"slow(?:er)?",
    r"overfits?",
    r"requires?",
    r"relies on",
    r"depends on",
    r"assumes?",
    r"lacks?",
    r"lack of",
    r"missing",
    r"no ablation",
    r"not (?:validated|evaluated|tested|compared|released)",
    r"unverified",
    r"can only",
    r"could only",
    r"only (?:works?|consider\w*|tested|evaluated|validated|applies|handles?|supports?)",
    r"cannot",
    r"can't",
    r"does(?: not|n't) (?:generalize|scale|compare|work)",
    r"seems? to",
    r"apparently",
    r"no (?:comparison|comparisons|baseline|code)",
    r"vanish(?:es)?",
    r"claims?",
)

#: A marker right after a negation is no judgement: 不需要额外信息, 不依赖batch, no drawback.
NEGATION = re.compile(r"(?:不|无|没|未|\bnot|\bno|\bwithout)\s?$", re.IGNORECASE)

#: A concession: the paper gains one thing and pays with another.
CONCESSION = r"虽然.{0,40}?但|尽管.{0,40}?(?:但|仍)"
EN_CONCESSION = r"although"

PRIOR_WORK = re.compile(
    r"^\W{0,3}(?:与|和|相比于?|比起)?\s*(?:传统|现有|已有|以往|之前|先前|前人|过去|早期|"
    r"prior work|previous (?:work|methods?|approaches)|existing (?:work|methods?|approaches)|"
    r"traditional|conventional|earlier (?:work|methods?))",
    re.IGNORECASE,
)
THIS_PAPER = re.compile(r"本文|本方法|该方法|作者|this paper|the authors|our method", re.IGNORECASE)
#: The words that open a clause giving a reason, a purpose or a hypothesis.
RATIONALE_CN: tuple[str, ...] = (
    "因为",
    "由于",
    "为了",
    "以避免",
    "以免",
    "避免",
    "如果",
    "假如",
    "若",
)
RATIONALE_EN: tuple[str, ...] = ("because", "to avoid", "so that", "if")
#: Such a clause: a marker inside it explains.
RATIONALE = re.compile(
    "(?:" + "|".join([*RATIONALE_CN, *(rf"\b{w}\b" for w in RATIONALE_EN)]) + ")"
    # ... up to the marker, unless a consequence (所以, 导致, so) turns it into a judgement.
    r"(?:(?!所以|因此|导致|\bso\b)[^。！？!?；;])*$",
    re.IGNORECASE,
)
# Where RATIONALE may start, looked for first (it can match only at one of its words): a
# plain alternation of literals is skipped through by first character, and RATIONALE tries
# its words case-blind at every character (~0.1 us each; 24,000 statements at 10k papers).
_RATIONALE_CN = re.compile("|".join(RATIONALE_CN))
_RATIONALE_EN = re.compile("|".join(RATIONALE_EN), re.IGNORECASE)
#: Words the old classifier took for critique; now they only explain why a statement is not one.
CONTRAST = re.compile(r"但|然而|只|仅|but\b|however\b|only\b")  # (no group: first-character skip)
QUESTION = re.compile(r"[？?]\s*\S")

_PREFIX = re.compile(
    r"^\W{0,4}(?P<label>" + "|".join(CRITIQUE_PREFIXES + INSIGHT_PREFIXES) + r")\s*\**\s*[：:]",
    re.IGNORECASE,
)
# Two patterns, for speed: the Chinese one is case-sensitive and every alternative opens
# with a literal, so the regex engine skips ahead by first character; the English one
# (case-insensitive, whole words) runs only on statements holding Latin letters.
# (No groups: a group in front would turn that first-character skip off, 5x slower.)
_CN_MARKER = re.compile("|".join([CONCESSION, *CN_MARKERS]))
# English: searched in the lower-cased statement, case-sensitive and without a leading
# \b for the same first-character skip; the word's left edge is checked by _word_at.
_EN_MARKER = re.compile("(?:" + "|".join([EN_CONCESSION, *EN_MARKERS]) + r")\b")
_CONCESSION_OPENS = ("虽然", "尽管", EN_CONCESSION)
_LATIN = re.compile("[A-Za-z]")


def _word_at(rx: re.Pattern[str], text: str, pos: int) -> re.Match[str] | None:
    """``rx`` from ``pos``; a Latin hit must start a word (``\b`` on the left)."""
    while (m := rx.search(text, pos)) is not None:
        at = m.start()
        if at == 0 or not m.group(0)[0].isascii() or not _in_word(text[at - 1]):
            return m
        pos = at + 1
    return None


def _search(statement: str, pos: int, lowered: str | None) -> re.Match[str] | None:
    """The first marker from ``pos``; ``lowered``: the statement lower-cased, if it has Latin."""
    cn = _CN_MARKER.search(statement, pos)
    if lowered is None:
        return cn
    en = _word_at(_EN_MARKER, lowered, pos)
    if cn is None or (en is not None and en.start() < cn.start()):
        return en
    return cn


class Verdict(NamedTuple):
    """(A tuple: made in C, a third of a frozen dataclass's cost; one per statement.)"""

    critique: bool
    reason: str
    """The rule or marker that decided, in words (shown by ``studydeck cards --explain``)."""


_NO_MARKER = Verdict(False, "no evaluative marker")
_QUESTION = Verdict(False, "question with its answer: explains a design choice")
"""The verdicts whose reason names no marker: one each (24,000 statements at 10k papers)."""


def explicit(statement: str) -> Verdict | None:
    """The verdict of an explicit ``问题：``/``Note:``… prefix, if the statement has one."""
    m = _PREFIX.match(statement)
    if m is None:
        return None
    label = m.group("label")
    crit = label.casefold() in CRITIQUE_PREFIXES
    return Verdict(crit, f"explicit prefix {label}{statement[m.end() - 1]}")


def without_prefix(statement: str) -> str:
    """The statement as a card shows it: an explicit prefix decided its card, so the card
    does not repeat it (``Limitation: needs X`` on the critique card reads ``needs X``)."""
    m = _PREFIX.match(statement)
    return statement[m.end() :].lstrip() if m is not None else statement


def classify(statement: str) -> Verdict:
    """Critique or insight, and why."""
    if (v := explicit(statement)) is not None:
        return v
    # str.lower() keeps the length of every string we meet here (no ß, İ): offsets hold.
    lowered = statement.lower() if _LATIN.search(statement) else None
    hit = _search(statement, 0, lowered)
    while hit is not None and not _is_concession(hit) and _negated(statement, hit.start()):
        hit = _search(statement, hit.end(), lowered)
    if hit is None:
        c = _word_at(CONTRAST, statement if lowered is None else lowered, 0)
        if c is not None:
            return Verdict(False, f"contrast, not a judgement ({c.group(0)})")
        return _NO_MARKER
    marker = hit.group(0)
    if QUESTION.search(statement):
        return _QUESTION
    if PRIOR_WORK.match(statement) and not THIS_PAPER.search(statement):
        return Verdict(False, f"about prior work, not this paper ({marker})")
    if _is_concession(hit):
        return Verdict(True, "concession: " + ("虽然…但" if "但" in marker else marker.strip()))
    if _rationale(statement, hit.start(), lowered is not None):
        return Verdict(False, f"reason or hypothesis, not a judgement ({marker})")
    return Verdict(True, f"marker {marker}")


def _rationale(statement: str, at: int, latin: bool) -> bool:
    """Whether a clause of :data:`RATIONALE` holds the marker at ``at``; ``latin``: the
    statement has Latin letters (each English word has one: else none can be there)."""
    if _RATIONALE_CN.search(statement, 0, at) is None and (
        not latin or _RATIONALE_EN.search(statement, 0, at) is None
    ):
        return False
    return RATIONALE.search(statement, 0, at) is not None


def _negated(statement: str, at: int) -> bool:
    return NEGATION.search(statement, max(0, at - 8), at) is not None


def _is_concession(hit: re.Match[str]) -> bool:
    return hit.group(0).casefold().startswith(_CONCESSION_OPENS)


def _in_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"
