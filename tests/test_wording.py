"""Counts in words, as every message that counts says them."""

from __future__ import annotations

from pathlib import Path

from studydeck.export.anki import ExportReport
from studydeck.wording import plural


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert [plural(n, "card") for n in (0, 1, 2)] == ["0 cards", "1 card", "2 cards"]
    assert [plural(n, "leech", "leeches") for n in (0, 1, 2)] == [
        "0 leeches",
        "1 leech",
        "2 leeches",
    ]


def test_the_export_summary_counts_in_words() -> None:
    report = ExportReport(Path("deck.apkg"), notes=1, cards=1, figures=0)
    assert report.summary() == "wrote deck.apkg: 1 note, 1 card, 0 figures"
