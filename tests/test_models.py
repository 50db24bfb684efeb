"""The data model keeps its promises: frozen, and no unknown fields."""

from __future__ import annotations

import dataclasses

import pytest

from studydeck.deck import load
from studydeck.loading import open_deck
from studydeck.models import Figure, Paper
from studydeck.store import Store

from .conftest import SEED
from .test_storage import NOW


def test_a_paper_cannot_be_changed_or_given_unknown_fields() -> None:
    p = Paper(key="title:a", title="A", source="n.md", line=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.title = "B"  # type: ignore[misc]
    with pytest.raises(TypeError, match="unexpected keyword"):
        Paper(key="k", title="A", source="n.md", line=3, colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Figure("positional.png")  # type: ignore[misc]


def test_cached_deck_is_the_parsed_deck(tmp_path) -> None:
    parsed = load([SEED])
    with Store.open(tmp_path / "s.db") as store:
        first, _ = open_deck(store, [SEED], NOW)
        cached, _ = open_deck(store, [SEED], NOW)
    assert first == parsed and cached == parsed
    with pytest.raises(dataclasses.FrozenInstanceError):
        cached.cards[0].back = "x"  # type: ignore[misc]
