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
    return any(k.casefold() in TOOL_KEYWORDS for k in p.keywords)


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


def is_candidate(target: Paper, q: Paper) -> bool:
    """Whether ``q`` may stand beside ``target``: never the paper itself; a tool or
    library row only for a tool."""
    return q.key != target.key and (is_tool(target) or not is_tool(q))


def most_similar(target: Paper, pool: Iterable[Paper]) -> list[Paper]:
    """``pool`` most similar first (ties by title); tools only for a tool."""
    cands = [p for p in pool if is_candidate(target, p)]
    return sorted(cands, key=lambda p: (-round(similarity(target, p), 6), p.title))
