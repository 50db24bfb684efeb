"""Which papers look alike, for distractors: keywords and keyword families, the wording of
the contributions (character n-grams), and the year. Tool and library rows are never a
distractor for a paper."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable

from studydeck.models import Paper
from studydeck.rendering import to_plain

TOOL_KEYWORDS = frozenset(
    {"算法实现", "工具", "代码", "openmmlab", "tool", "tools", "library", "code", "framework"}
)
_CJK = re.compile(r"[\u3400-\u9fff]")


def is_tool(p: Paper) -> bool:
    """A code, tool or library row (``einops``, ``Runner & Hook``), not a paper."""
    return tool_keywords(p.keywords)


def tool_keywords(keywords: Iterable[str]) -> bool:
    """Whether these keywords make a row a tool's (:func:`is_tool`)."""
    return any(k.casefold() in TOOL_KEYWORDS for k in keywords)


@functools.lru_cache(maxsize=4096)  # a deck has few keywords, each asked for often
def family(keyword: str) -> str:
    """The family a keyword belongs to: its first two CJK characters (视频增强 and 视频复原
    are both 视频), else its first word."""
    k = keyword.strip().casefold()
    if _CJK.match(k):
        return k[:2]
    return k.split()[0] if k.split() else k


@functools.lru_cache(maxsize=4096)
def ngrams(text: str, n: int = 2) -> Counter[str]:
    """(Cached: a paper is compared with many others; callers must not change the result.)"""
    t = re.sub(r"\s+", " ", to_plain(text).casefold())
    return Counter(t[i : i + n] for i in range(max(0, len(t) - n + 1)))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def in_common(a: Paper, b: Paper) -> int:
    """2 per shared keyword, 1 per shared keyword family (the part of :func:`similarity`
    an index of keywords can tell)."""
    ka, kb = {k.casefold() for k in a.keywords}, {k.casefold() for k in b.keywords}
    return 2 * len(ka & kb) + len({family(k) for k in ka} & {family(k) for k in kb})


def similarity(a: Paper, b: Paper) -> float:
    """Higher is more alike: shared keyword 2, shared keyword family 1, contribution
    wording up to 2, same year 0.5 (less as the years drift apart)."""
    score = float(in_common(a, b))
    score += 2.0 * cosine(ngrams(a.contribution), ngrams(b.contribution))
    if a.year is not None and b.year is not None:
        score += 0.5 / (1 + abs(a.year - b.year))
    return score


RELATED = 1.0
"""The least :func:`similarity` at which two papers are worth comparing: a keyword family in
common reaches it alone, and so do contributions worded half alike. Below it, what is left
is a year and a few common characters (an OpenMMLab note beside a paper on old films: 0.5)."""


def related(a: Paper, b: Paper) -> bool:
    """Whether ``b`` is worth naming as the paper to compare ``a`` with."""
    return similarity(a, b) >= RELATED


def is_candidate(target: Paper, q: Paper) -> bool:
    """Whether ``q`` may stand beside ``target``: never the paper itself; a tool or
    library row only for a tool."""
    return may_stand_beside(target.key, is_tool(target), q.key, is_tool(q))


def may_stand_beside(target_key: str, target_is_tool: bool, key: str, key_is_tool: bool) -> bool:
    """:func:`is_candidate` from the two papers' keys and whether each is a tool."""
    return key != target_key and (target_is_tool or not key_is_tool)


def most_similar(target: Paper, pool: Iterable[Paper]) -> list[Paper]:
    """``pool`` most similar first (ties by title); tools only for a tool."""
    cands = [p for p in pool if is_candidate(target, p)]
    return sorted(cands, key=lambda p: (-round(similarity(target, p), 6), p.title))
