"""Counts in words: one rule for "1 paper" / "2 papers" everywhere."""

from __future__ import annotations


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an ``s`` unless ``n`` is 1 (the words we count take ``s``)."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
