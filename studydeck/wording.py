"""Counts in words: one rule for "1 paper" / "2 papers" everywhere."""

from __future__ import annotations


def plural(n: int, word: str, many: str = "") -> str:
    """``n`` and ``word``, with an ``s`` unless ``n`` is 1 (or ``many``, for a word that
    does not just take ``s``: ``plural(n, "leech", "leeches")``)."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"
