"""Pydantic at the edges: the config file is checked strictly, the JSON keeps its shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studydeck.boundary import CardJSON
from studydeck.cli import main
from studydeck.config import Settings, load_settings
from studydeck.errors import StudydeckError

from .conftest import table


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("new_per_dya = 5\n", "unknown setting 'new_per_dya' (known: new_per_day,"),
        ("new_per_day = true\n", "'new_per_day': Input should be a valid integer, not True"),
        ("new_per_day = -1\n", "'new_per_day': Input should be greater than or equal to 0"),
        ("day_starts_at = 24\n", "'day_starts_at': Input should be less than or equal to 23"),
        ("scheduler = 'sm3'\n", "'scheduler': Input should be 'sm2' or 'fsrs', not 'sm3'"),
        ("desired_retention = 1\n", "'desired_retention': Input should be less than or equal"),
        ("leech_threshold = 2.5\n", "'leech_threshold': Input should be a valid integer"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    with pytest.raises(StudydeckError) as err:
        load_settings(cfg)
    assert str(err.value).startswith(f"{cfg}: error: {message}"), str(err.value)


def test_good_settings_are_read(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        "new_per_day = 0\nday_starts_at = 23\nscheduler = 'fsrs'\ndesired_retention = 0.85\n"
    )
    assert load_settings(cfg) == Settings(
        new_per_day=0, day_starts_at=23, scheduler="fsrs", desired_retention=0.85
    )


def test_cards_json_follows_its_schema(notes, capsys) -> None:
    path = notes(
        table("| 2016 | Layer Normalization | 规范化 | LN：按样本归一化 | ![a](f.png) | |")
    )
    assert main(["cards", str(path), "--json"]) == 0
    cards = json.loads(capsys.readouterr().out)
    assert [c["kind"] for c in cards] == ["contribution"]
    card = CardJSON.model_validate(cards[0])  # strict: any extra or mistyped field fails
    assert (card.paper, card.short_name, card.year) == ("Layer Normalization", "", 2016)
    assert [f.src for f in card.figures] == ["f.png"]
    assert set(cards[0]) == set(CardJSON.model_json_schema()["properties"])
