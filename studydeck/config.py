"""Where studydeck keeps its files, and the user's settings (TOML). No I/O at import time."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from studydeck.errors import StudydeckError
from studydeck.fileio import ReadRefused, read_regular

APP = "studydeck"


@dataclass(frozen=True)
class Settings:
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_starts_at: int = 4
    """Hour (local time) at which a new study day begins."""
    leech_threshold: int = 8
    """Failures (grade < 3) after which a card is tagged a leech and suspended."""
    scheduler: str = "sm2"
    """``"sm2"`` (SM-2 exactly as published) or ``"fsrs"`` (py-fsrs, default parameters)."""
    desired_retention: float = 0.9
    """FSRS's target chance of recall when a card falls due (0.7–0.99)."""

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def db_path(explicit: Path | None = None) -> Path:
    """``--db``, else ``$STUDYDECK_DB``, else ``studydeck.sqlite3`` in the user data dir."""
    if explicit is not None:
        return explicit
    env = os.environ.get("STUDYDECK_DB")
    if env:
        return Path(env)
    return data_dir() / "studydeck.sqlite3"


MAX_CONFIG_BYTES = 2**20  # a settings file is a few lines


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.is_file():
        return Settings()
    try:
        raw = tomllib.loads(read_regular(path, MAX_CONFIG_BYTES).decode("utf-8"))
    except (OSError, ReadRefused) as exc:
        why = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise StudydeckError(
            f"cannot read the config file: {why}",
            path=path,
            hint="fix its permissions or delete it",
        ) from None
    except RecursionError:  # tomllib recurses once per nested "[" or "{"
        raise StudydeckError(
            "not valid TOML: nested too deeply", path=path, hint="fix or delete the config file"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StudydeckError(
            f"not valid TOML: {exc}", path=path, hint="fix or delete the config file"
        ) from exc
    known = {f.name: f.type for f in fields(Settings)}
    values: dict[str, int | float | str] = {}
    for key, value in raw.items():
        if key not in known:
            raise StudydeckError(
                f"unknown setting '{key}'", path=path, hint="known: " + ", ".join(known)
            )
        if key == "scheduler":
            values[key] = check_scheduler(value, path)
        elif key == "desired_retention":
            values[key] = check_retention(value, path)
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise StudydeckError(f"'{key}' must be a whole number >= 0", path=path)
        else:
            values[key] = value
    settings = Settings(**values)  # type: ignore[arg-type]
    if not 0 <= settings.day_starts_at <= 23:
        raise StudydeckError("'day_starts_at' must be an hour from 0 to 23", path=path)
    return settings


SCHEDULERS = ("sm2", "fsrs")


def check_scheduler(value: object, path: Path | None = None) -> str:
    if value not in SCHEDULERS:
        raise StudydeckError(f'\'scheduler\' must be "sm2" or "fsrs", not {value!r}', path=path)
    return str(value)


def check_retention(value: object, path: Path | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.7 <= value <= 0.99:
        raise StudydeckError("'desired_retention' must be a number from 0.7 to 0.99", path=path)
    return float(value)


def device_id_path() -> Path:
    """This computer's name in the synced review logs (kept outside the notes)."""
    return data_dir() / "device-id"
