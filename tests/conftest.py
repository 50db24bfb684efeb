from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis's timing checks (a 200 ms deadline per example, "data generation too slow")
# measure the machine, not the code: on a loaded 2-core CI they fail tests at random. Every
# property test runs without them; what a test checks is its assertions.
settings.register_profile("studydeck", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("studydeck")

if TYPE_CHECKING:
    from studydeck.store import Store

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


def run_studydeck(
    tmp_path: Path, *args: str, stdin: str | None = ""
) -> subprocess.CompletedProcess[str]:
    """``python -m studydeck ARGS`` as a user runs it: from the checkout, the user's folders
    in ``tmp_path``, ``stdin`` as its input (None: no input at all, not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "studydeck", *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_without_user_dirs(tmp_path),
        timeout=300,  # (a hang guard: the app once spun for ever without a terminal)
        check=False,
    )


def env_without_user_dirs(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        HOME=str(home),
    )
    return env


def rewrite_frame(store: Store, deck: str, n: int, edit: Callable[[bytes], bytes]) -> None:
    """Put ``edit(its bytes)`` in place of the ``n``-th frame row of ``deck`` (its
    fingerprint kept, as damage or another program would leave it)."""
    from studydeck.store.cache import frame_name

    name = frame_name(deck, n)
    data = bytes(store.query("SELECT data FROM deck_cache WHERE deck = ?", (name,))[0][0])
    with store.transaction() as c:
        c.execute("UPDATE deck_cache SET data = ? WHERE deck = ?", (edit(data), name))


def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the notes are parsed from from now on (FileCaches.parse), in order."""
    from studydeck.incremental import FileCaches

    parsed: list[str] = []
    parse = FileCaches.parse

    def recorded(caches: Any, text: str, path: str) -> Any:
        parsed.append(path)
        return parse(caches, text, path)

    monkeypatch.setattr(FileCaches, "parse", recorded)
    return parsed
