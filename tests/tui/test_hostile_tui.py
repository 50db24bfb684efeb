"""Hostile notes in the app: titles with markup and escape sequences are shown, never run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from studydeck.tui.screens import review
from studydeck.tui.screens.review import ReviewScreen

from .. import test_hostile_writes as writes
from ..conftest import table

tiny_disk = writes.tiny_disk  # the fixture: a real small tmpfs
fill = writes.fill
OSC52 = "\x1b]52;c;aGVsbG8=\x1b\\"
TITLE = f"Evil [/] [@click=app.quit]q[/] [b]bold[/b]{OSC52}\x1b[2J"


def notes_with_hostile_title(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text(
        table(f"| 2020 | {TITLE} | k | contribution {OSC52} | | |", "| 2021 | B | k | c | | |"),
        encoding="utf-8",
    )
    return path


def shown(app, selector: str) -> str:
    content = app.screen.query_one(selector, Static).content
    return content if isinstance(content, str) else content.plain


async def test_markup_in_a_title_is_shown_literally_in_toasts(make_app, tmp_path: Path) -> None:
    app = make_app([notes_with_hostile_title(tmp_path)], start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.session.current.card.paper.title.startswith("Evil")
        await pilot.press("b")  # bury: the toast names the paper
        await pilot.pause()
        assert app.is_running  # "[/]" parsed as markup raised MarkupError here
        toasts = list(app._notifications)
        assert [t.markup for t in toasts] == [False]
        assert "[@click=app.quit]q[/]" in toasts[0].message
        assert "\x1b" not in toasts[0].message


async def test_escape_sequences_never_reach_the_screen(make_app, tmp_path: Path) -> None:
    app = make_app([notes_with_hostile_title(tmp_path)], start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space")
        for selector in ("#card-title", "#card-answer"):
            text = shown(app, selector)
            assert "Evil" in text or "contribution" in text
            assert "\x1b" not in text
            assert not any(0x80 <= ord(c) <= 0x9F or ord(c) < 0x09 for c in text)


class SuspendProbe:
    """Stands in for App.suspend with Textual's flaw: it resumes only on a normal exit."""

    def __init__(self) -> None:
        self.entered = self.resumed = 0

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        self.entered += 1
        yield
        self.resumed += 1


@pytest.mark.parametrize(
    "editor",
    [
        "/nonexistent/editor",  # not there
        "vim '",  # shlex: no closing quotation
        "   ",  # shlex: nothing
        "{not_exec}",  # there and executable, but exec fails (no #! line, not ELF)
    ],
)
async def test_an_editor_that_cannot_start_leaves_the_app_running(
    make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, editor: str
) -> None:
    bad = tmp_path / "not-exec"
    bad.write_bytes(b"\x7fELF garbage")
    bad.chmod(0o755)
    monkeypatch.setenv("EDITOR", editor.format(not_exec=bad))
    app = make_app([notes_with_hostile_title(tmp_path)], start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        probe = SuspendProbe()
        monkeypatch.setattr(app, "suspend", probe)
        app.screen.action_edit()
        await pilot.pause()
        assert probe.entered == probe.resumed  # never left suspended
        assert app.is_running
        toasts = list(app._notifications)
        assert len(toasts) == 1 and toasts[0].severity == "error"
        assert "EDITOR" in toasts[0].message


DAMAGED = "not a studydeck database, or it is corrupt; it was left untouched"


def damage(store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's reads fail as a damaged index page makes them fail."""
    from studydeck.errors import StudydeckError

    def boom(*args: object, **kwargs: object) -> object:
        raise StudydeckError(DAMAGED, path=store.path, hint="restore it from a backup")

    for name in ("reviews", "states", "states_of"):
        monkeypatch.setattr(store, name, boom)


@pytest.mark.parametrize("action", ["review", "browse"])
async def test_a_damaged_store_is_one_line_and_a_clean_exit(
    make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    app = make_app([notes_with_hostile_title(tmp_path)], start="home")
    async with app.run_test(size=(100, 30)) as pilot:
        damage(app.ctx.store, monkeypatch)
        app.call_later(getattr(app, f"action_{action}"))
        await pilot.pause()
    assert app.return_code == 1
    assert app.refusal == (
        f"studydeck: {app.ctx.store.path}: error: {DAMAGED} (restore it from a backup)"
    )


@pytest.mark.parametrize("screen", ["home", "stats"])
async def test_a_store_damaged_while_a_screen_counts_is_one_line_and_a_clean_exit(
    make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    """Home and stats count in a worker; the worker's failure ends the app as any screen's
    would."""
    from studydeck.tui.screens.home import HomeScreen
    from studydeck.tui.screens.stats import StatsScreen

    app = make_app([notes_with_hostile_title(tmp_path)], start="home")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        damage(app.ctx.store, monkeypatch)
        app.call_later(app.push_screen, {"home": HomeScreen, "stats": StatsScreen}[screen]())
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 1
    assert app.refusal == (
        f"studydeck: {app.ctx.store.path}: error: {DAMAGED} (restore it from a backup)"
    )


async def test_a_full_disk_loses_the_answer_not_the_app(
    make_app, tmp_path: Path, tiny_disk: Path
) -> None:
    app = make_app([notes_with_hostile_title(tmp_path)], start="review", db=tiny_disk / "s.db")
    async with app.run_test(size=(100, 30)) as pilot:
        store = app.ctx.store
        # An empty WAL must grow to take the answer, and the disk has no byte left.
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill(tiny_disk)
        before = store.review_count()
        await pilot.press("space", "g")
        await pilot.pause()
        assert app.is_running
        toasts = list(app._notifications)
        assert [t.severity for t in toasts] == ["error"]
        assert "the disk is full; this change was not saved" in toasts[0].message
        filler.unlink()
        assert store.review_count() == before  # nothing half-written
        await pilot.press("space", "g")  # the same card again, now with room
        await pilot.pause()
        assert store.review_count() == before + 1


@pytest.mark.parametrize(
    ("link", "opened"),
    [
        ("-–new-window", []),  # would be read as a browser option
        ("--remote-debugging-port=9222", []),
        ("mailto:a@b.org", []),
        ("https://arxiv.org/abs/1", ["https://arxiv.org/abs/1"]),
    ],
)
async def test_o_opens_only_web_links(
    make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, link: str, opened: list[str]
) -> None:
    path = tmp_path / "notes.md"
    path.write_text(table(f"| 2020 | [Paper]({link}) | k | c | | |"), encoding="utf-8")
    app = make_app([path], start="review")
    calls: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.screen.session.current.card.paper.url == link
        monkeypatch.setattr(review, "open_in_browser", lambda url: calls.append(url) or True)
        await pilot.press("o")
        await pilot.pause()
    assert calls == opened


async def test_quitting_cancels_figure_downloads(make_app, tmp_path: Path) -> None:
    from studydeck.figures import FigureError, FigureFetcher
    from studydeck.models import Figure

    fetcher = FigureFetcher(tmp_path / "cache")
    app = make_app([notes_with_hostile_title(tmp_path)], start="review", fetcher=fetcher)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+q")
    # A download still running in a worker thread stops at its next chunk; none starts.
    with pytest.raises(FigureError, match="cancelled"):
        fetcher.get(Figure(src="http://127.0.0.1:9/x.png"), tmp_path / "notes.md")


async def test_text_pasted_into_the_filter_is_kept_as_a_terminal_may_show_it(make_app) -> None:
    """A paste (from the notes, a web page) with escape sequences, a clipboard write and a
    bidi override: the filter box holds its words only, and draws no control character."""
    from textual import events
    from textual.widgets import Input

    from ..conftest import SEED

    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("b", "slash")
        box = app.screen.query_one(Input)
        box.post_message(events.Paste("\x1b[31mvid\x1b]52;c;aGVsbG8=\x07eo\u202e\x1b"))
        await pilot.pause()
        assert box.value == "video"
        box.value = "old\x1b[2J films"  # set by the program: the same rule
        assert box.value == "old films"
        await pilot.pause()
        drawn = "".join(s.text for s in app.screen._compositor.render_strips())
        assert not any(c in drawn for c in "\x1b\x07\u202e")
