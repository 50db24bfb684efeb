"""Keys and card ids are stored in every user's review history: their exact values matter."""

from __future__ import annotations

from studydeck.identity import card_id, duplicates, paper_key
from studydeck.models import CardKind


def test_paper_keys_are_the_link_or_the_normalised_title() -> None:
    assert paper_key("Deep  Residual *Learning*", None) == "title:deep residual learning"
    assert paper_key("Anything", "https://www.Arxiv.org/abs/1706.03762/#v2") == (
        "url:arxiv.org/abs/1706.03762"
    )
    assert paper_key("T", "https://a.org/p", "视觉 Vision", by_section=True) == (
        "视觉 vision/url:a.org/p"
    )


def test_a_card_id_is_a_fixed_hash_of_the_paper_key_and_kind() -> None:
    assert card_id("title:deep residual learning", CardKind.CONTRIBUTION) == (
        "1d7935fa4a4ecd86/contribution"
    )
    assert card_id("title:deep residual learning", CardKind.INSIGHT) == ("1d7935fa4a4ecd86/insight")


def test_duplicates_are_the_keys_seen_more_than_once() -> None:
    assert duplicates(["a", "b", "a", "c", "b", "a"]) == {"a", "b"}
    assert duplicates(["a", "b"]) == set()
