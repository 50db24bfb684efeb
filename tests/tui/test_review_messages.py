"""Where the review screen's messages go: never over the grades; a link with no browser to
open it is shown, not silently dropped."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from studydeck.tui import links
from studydeck.tui.screens import review

from ..conftest import SEED, table


async def test_a_toast_left_by_an_undo_stands_above_the_grades_at_80x24(make_app) -> None:
    app = make_app([SEED], start="review")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("space", "4", "u", "space")  # the undo's toast is still up
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        assert toasts and "Undid the answer" in str(toasts[0].render())
        bar = app.screen.query_one("#grade-bar").region
        assert bar.height >= 1
        for toast in toasts:
            assert not toast.region.overlaps(bar), (toast.region, bar)
            assert toast.region.bottom <= bar.y


def shown(app) -> list[str]:
    return [str(t.render()) for t in app.screen.query(Toast)]


@pytest.mark.parametrize("opened", [True, False])
async def test_o_says_whether_the_link_opened_and_shows_it_when_not(
    make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: bool
) -> None:
    path = tmp_path / "notes.md"
    path.write_text(table("| 2020 | [Paper](https://arxiv.org/abs/1) | k | c | | |"), "utf-8")
    app = make_app([path], start="review")
    copied: list[str] = []
    monkeypatch.setattr(review, "open_in_browser", lambda url: opened)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        await pilot.press("o")
        await pilot.pause()
        (message,) = shown(app)
    assert "https://arxiv.org/abs/1" in message
    if opened:
        assert message.startswith("Asked your browser to open") and not copied
    else:
        assert message.startswith("No browser to open it") and copied == ["https://arxiv.org/abs/1"]


class Recorder(webbrowser.BaseBrowser):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


@pytest.mark.parametrize(
    ("env", "name", "opens"),
    [
        ({"DISPLAY": ":0"}, "firefox", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "xdg-open", True),
        ({}, "firefox", False),  # an SSH session: no display to show it on
        ({"DISPLAY": ":0"}, "lynx", False),  # would take the app's terminal
        ({"DISPLAY": ":0"}, "w3m", False),
    ],
)
def test_only_a_graphical_browser_is_started(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], name: str, opens: bool
) -> None:
    monkeypatch.setattr(links.sys, "platform", "linux")
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    browser = Recorder(name)
    monkeypatch.setattr(links.webbrowser, "get", lambda: browser)
    assert links.open_in_browser("https://a.org/") is opens
    assert browser.opened == (["https://a.org/"] if opens else [])


def test_no_browser_at_all_is_not_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")

    def none() -> webbrowser.BaseBrowser:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(links.webbrowser, "get", none)
    assert links.open_in_browser("https://a.org/") is False


async def test_browse_toasts_leave_the_cards_details_visible_at_80x24(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("b")
        await app.workers.wait_for_complete()
        await pilot.press("down", "s")  # to the list; suspend the top card: a toast names it
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        assert toasts and "Suspended" in str(toasts[0].render())
        details = app.screen.query_one("#card-detail").region
        for toast in toasts:
            assert not toast.region.overlaps(details), (toast.region, details)


async def test_help_opens_clear_of_the_last_screens_toasts(make_app) -> None:
    app = make_app([SEED], start="review")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("b")  # bury: a toast
        await pilot.pause()
        assert app._notifications
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app._notifications and not list(app.screen.query(Toast))


async def test_u_after_a_suspension_unsuspends_and_says_so(make_app) -> None:
    """The last action is the one undone, a suspension too; the toast names what was undone
    (a trial's ``u`` said "Undid the answer to …" of an earlier card and left this one
    suspended)."""
    app = make_app([SEED], start="review")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("space", "4")  # an answer
        card = app.screen.session.current.card
        await pilot.press("s")
        assert app.ctx.store.state(card.id).suspended
        app.clear_notifications()
        await pilot.press("u")
        await pilot.pause()
        assert shown(app) == [f"Unsuspended: {card.paper.title} ({card.kind.value})"]
        assert not app.ctx.store.state(card.id).suspended
        assert app.screen.session.current.card == card


@pytest.mark.parametrize("start", ["review", "home"])
async def test_the_demo_deck_says_it_is_the_demo(make_app, start: str) -> None:
    """Home showed the bundled deck's file name, the same as the trial's own notes: the
    demo says it is the demo, opened on review (a toast) or on home (its notice)."""
    app = make_app([SEED], start=start)
    app.ctx.demo = "The bundled demo deck, with a store of its own."
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert app.sub_title.endswith("(demo)")
        if start == "review":
            assert any("bundled demo deck" in m for m in shown(app))
        else:
            notice = str(app.screen.query_one("#home-notice").render())
            assert notice.startswith("The bundled demo deck")


async def test_messages_name_the_card_as_the_card_does(make_app, notes) -> None:
    """A trial's notices said "(insight)" where the card says "key insight"."""
    path = notes(table("| 2020 | Paper | k | c | | 注：只对batch敏感 |"))
    app = make_app([path], start="review")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        while app.screen.session.current.card.kind.value != "insight":
            await pilot.press("space", "5")
        await pilot.press("b")
        await pilot.pause()
        assert "Buried until tomorrow: Paper (key insight)" in shown(app)
