"""Where studydeck keeps its files, and the user's settings (TOML). No I/O at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
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


def demo_db_path() -> Path:
    """The bundled demo deck's own store, in the user data dir: the demo's answers never
    join your notes' history (it holds real papers, whose titles would match yours)."""
    return data_dir() / "demo.sqlite3"


MAX_CONFIG_BYTES = 2**20  # a settings file is a few lines


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.is_file():
        return Settings()
    import tomllib  # only when there is a file: a warm start without one never parses TOML

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
    from studydeck.boundary import config_values  # pydantic only when there is a file

    if not isinstance(raw, dict):
        raise StudydeckError("not a TOML table", path=path)
    try:
        values = config_values(raw)
    except ValueError as exc:
        raise StudydeckError(str(exc), path=path, hint="fix or delete the config file") from None
    return Settings(**values)  # type: ignore[arg-type]


def device_id_path() -> Path:
    """This computer's name in the synced review logs (kept outside the notes)."""
    return data_dir() / "device-id"
