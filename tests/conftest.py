from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis's timing checks (a 200 ms deadline per example, "data generation too slow")
# measure the machine, not the code: on a loaded 2-core CI they fail tests at random. Every
# property test runs without them; what a test checks is its assertions.
settings.register_profile("studydeck", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("studydeck")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "cards" / "paper-reading.md"

HEADER = "| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n| :- | :- | :- | :- | :- | :- |\n"


def table(*rows: str, header: str = HEADER, title: str = "# 论文阅读\n\n") -> str:
    return title + header + "".join(r.rstrip("\n") + "\n" for r in rows)


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Never touch the user's data, config or cache directories."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    # A test spawning `python -m studydeck` runs this checkout, not whatever is installed:
    # an editable install follows the last `pip install -e` (another clone, maybe deleted).
    path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, (str(ROOT), path))))
    monkeypatch.delenv("STUDYDECK_DB", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.chdir(home)
    yield


@pytest.fixture
def notes(tmp_path: Path):
    """Write a notes file in tmp_path and return its path."""

    def write(text: str, name: str = "notes.md") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


def env_without_user_dirs(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        HOME=str(home),
    )
    return env
