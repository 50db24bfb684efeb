"""Pydantic at the edges: data that enters (the config file) and leaves (``cards --json``).

Inside, studydeck's data is frozen dataclasses (:mod:`studydeck.models`): everything there is
built by our own parser, so validating it again would only cost time. What crosses the
boundary is checked here, by pydantic, strictly: a config value of the wrong type or out of
range, or a setting we do not know, is refused with a message naming it; the JSON we print
is built through a schema, so its shape is a documented contract (``CardJSON.model_json_schema()``).

Imported only by the commands that need it, so starting the review never pays for pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studydeck.models import Deck


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class ConfigFile(_Strict):
    """``config.toml``: every key optional; the defaults live in :class:`config.Settings`."""

    new_per_day: int | None = Field(None, ge=0)
    reviews_per_day: int | None = Field(None, ge=0)
    day_starts_at: int | None = Field(None, ge=0, le=23)
    leech_threshold: int | None = Field(None, ge=0)
    scheduler: Literal["sm2", "fsrs"] | None = None
    desired_retention: float | None = Field(None, ge=0.7, le=0.99)


def config_values(raw: Mapping[str, object]) -> dict[str, object]:
    """The settings a parsed TOML table gives, or ``ValueError`` with one readable line."""
    try:
        # TOML integers are fine where a float is wanted (desired_retention = 1 is refused
        # by its range, not its type).
        cleaned = {
            k: float(v) if k == "desired_retention" and type(v) is int else v
            for k, v in raw.items()
        }
        parsed = ConfigFile.model_validate(cleaned)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "config"
        if err["type"] == "extra_forbidden":
            known = ", ".join(ConfigFile.model_fields)
            raise ValueError(f"unknown setting '{where}' (known: {known})") from None
        raise ValueError(f"'{where}': {err['msg']}, not {err.get('input')!r}") from None
    return {k: v for k, v in parsed.model_dump().items() if v is not None}


class FigureJSON(_Strict):
    src: str
    alt: str = ""


class CardJSON(_Strict):
    """One flashcard as ``studydeck cards --json`` prints it."""

    id: str
    kind: Literal["contribution", "insight", "critique"]
    paper: str
    paper_key: str
    short_name: str
    url: str | None
    year: int | None
    keywords: list[str]
    section: str
    front: str
    back: str
    figures: list[FigureJSON]
    source: str


def cards_json(deck: Deck) -> list[dict[str, object]]:
    """Every card of ``deck`` through :class:`CardJSON`."""
    return [
        CardJSON(
            id=c.id,
            kind=c.kind.value,
            paper=c.paper.title,
            paper_key=c.paper.key,
            short_name=c.paper.short_name,
            url=c.paper.url,
            year=c.paper.year,
            keywords=list(c.paper.keywords),
            section=c.paper.section,
            front=c.front,
            back=c.back,
            figures=[FigureJSON(**asdict(f)) for f in c.figures],
            source=c.paper.where,
        ).model_dump()
        for c in deck.cards
    ]
