"""Opening straight on the review, and answering: what the screen shows, frame by frame.

The footer draws its keys itself (studydeck/tui/widgets/footer.py) and full garbage
collections wait for the user to be idle (studydeck/tui/collector.py): these tests say what
the user sees and does not lose because of that.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from studydeck.config import Settings
from studydeck.figures import FigureError, FigureFetcher
from studydeck.loading import open_deck
from studydeck.models import KIND_LABEL
from studydeck.store import Store
from studydeck.tui.collector import NEVER, IdleCollector
from studydeck.tui.screens.review import ReviewScreen
from studydeck.tui.widgets.figure import FigureView
from studydeck.tui.widgets.footer import FooterKeys, StudydeckFooter

from ..conftest import ROOT, env_without_user_dirs, table

TWO = table(
    "| 2020 | First Paper | GAN | a **bold** idea | | 很强。 |",
    "| 2021 | Second Paper | 去噪 | another idea | | 巧妙。 |",
)


def painted(screen) -> str:
    """The screen's rows as the compositor draws them now."""
    return "\n".join(strip.text for strip in screen._compositor.render_strips())


async def test_the_first_frame_painted_shows_the_whole_first_card_and_its_keys(
    make_app, notes
) -> None:
    app = make_app([notes(TWO)], start="review", settings=Settings(new_per_day=1))
    frames: list[str] = []
    display = app._display

    def first_frame(screen, renderable) -> None:
        if isinstance(screen, ReviewScreen) and not frames:
            frames.append(painted(screen))
        display(screen, renderable)

    app._display = first_frame
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        card = app.screen.session.current.card
        settled = painted(app.screen)
    first = frames[0]
    assert card.paper.title in first
    assert card.question.split()[0] in first
    assert "0 done · 1 to go" in first
    assert " space Show answer " in first  # the footer's keys, not an empty bar
    assert " x Edit " in first and " esc Home " in first
    assert " a Again " not in first  # no grades before the answer is shown
    # The frame the user sees first is the frame the screen settles on (no flicker).
    assert first.splitlines()[1:] == settled.splitlines()[1:]


_FIRST_CARD_CHILD = textwrap.dedent(
    """
    import sys
    from studydeck.cli import main
    from studydeck.tui import app as tui_app

    LAZY = (
        "markdown_it",  # the answer's Markdown: when it is shown
        "studydeck.tui.screens.home",  # when home is opened
        "studydeck.sync",  # only for a folder that opted in to the review log
        "studydeck.carding",  # the classifier: when a statement is moved
        "studydeck.critique",
    )
    mount = tui_app.StudydeckApp.on_mount

    def on_mount(self):
        mount(self)

        def check():
            if getattr(self.screen, "session", None) is not None:
                timer.stop()
                self.call_after_refresh(done)

        def done():
            print(sorted(m for m in LAZY if m in sys.modules))
            self.exit(0)

        timer = self.set_interval(0.005, check)

    tui_app.StudydeckApp.on_mount = on_mount
    run = tui_app.StudydeckApp.run
    tui_app.StudydeckApp.run = lambda self, **kw: run(self, headless=True)
    sys.exit(main(sys.argv[1:]))
    """
)


def test_the_first_card_is_painted_without_importing_what_it_does_not_show(
    notes, tmp_path: Path
) -> None:
    path = notes(TWO)  # the first card's answer has Markdown in it: "a **bold** idea"
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        open_deck(store, [path], datetime.now(UTC))  # the deck cached: a warm start
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_CARD_CHILD, "review", str(path), "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env_without_user_dirs(tmp_path / "home"),
        timeout=120,
    )
    # The answer is hidden until revealed: markdown-it is imported then, and home when opened;
    # the notes folder did not opt in to the review log; no statement is moved.
    assert out.stdout.strip().splitlines()[-1] == "[]"


async def test_the_answer_is_made_when_it_is_shown(make_app, notes) -> None:
    app = make_app([notes(TWO)], start="review", settings=Settings(new_per_day=1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        card = app.screen.session.current.card
        assert card.back == "a **bold** idea"
        assert "bold idea" not in painted(app.screen)
        await pilot.press("space")
        await pilot.pause()
        shown = painted(app.screen)
        assert "a bold idea" in shown and "**" not in shown  # rendered, not typed


async def test_after_an_answer_the_screen_shows_the_next_card_front_side(make_app, notes) -> None:
    app = make_app([notes(TWO)], start="review", settings=Settings(new_per_day=2))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        first = screen.session.current.card
        await pilot.press("space")
        await pilot.pause()
        back = painted(screen)
        assert " a Again " in back and " g Good " in back and "Show answer" not in back
        assert "Good (g)" in back  # the grade bar
        await pilot.press("4")
        await pilot.pause()
        nxt = screen.session.current.card
        assert nxt.id != first.id
        shown = painted(screen)
        assert nxt.paper.title in shown and nxt.question in shown
        assert KIND_LABEL[nxt.kind] in shown and KIND_LABEL[first.kind] not in shown
        assert nxt.back not in shown  # its answer is not shown yet
        assert "1 done · 1 to go" in shown
        assert " space Show answer " in shown and " u Undo " in shown
        assert " a Again " not in shown and "Good (g)" not in shown
        assert not screen.revealed


async def test_clicking_a_footer_key_presses_it_and_hovering_shows_its_tooltip(
    make_app, notes
) -> None:
    app = make_app([notes(TWO)], start="review")
    async with app.run_test(size=(160, 30)) as pilot:  # (room past the last key)
        await pilot.pause()
        keys = app.screen.query_one(FooterKeys)
        keys.render()
        spans = {k.description: (start, end) for start, end, k in keys.spans}
        start, end = spans["Show answer"]
        await pilot.hover(FooterKeys, offset=(end - 2, 0))
        assert keys.tooltip == "Show the answer"  # the binding's tooltip
        await pilot.click(FooterKeys, offset=(start, 0))
        await pilot.pause()
        assert app.screen.revealed
        assert "Show answer" not in [k.description for k in keys.keys]
        # Past the last key: nothing is pressed.
        done = app.screen.session.done
        await pilot.click(FooterKeys, offset=(keys.spans[-1][1] + 1, 0))
        await pilot.pause()
        assert app.screen.session.done == done and app.screen.revealed


class _Disabled(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "poke", "Poke", id="t.poke", tooltip="Poke it"),
        Binding("j", "nudge", "Nudge", id="t.nudge"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.poked = 0
        self.nudged = 0

    def compose(self) -> ComposeResult:
        yield StudydeckFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "poke" else True  # None: shown, but disabled

    def action_poke(self) -> None:
        self.poked += 1

    def action_nudge(self) -> None:
        self.nudged += 1


async def test_a_disabled_key_is_drawn_dim_and_a_click_on_it_does_nothing() -> None:
    app = _Disabled()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        keys = app.screen.query_one(FooterKeys)
        text = keys.render()
        (poke,) = [(a, b) for a, b, k in keys.spans if k.description == "Poke"]
        (nudge,) = [(a, b) for a, b, k in keys.spans if k.description == "Nudge"]
        assert text.plain.startswith(" k Poke  j Nudge ")
        assert all(text.get_style_at_offset(app.console, x).dim for x in range(*poke))
        assert not any(text.get_style_at_offset(app.console, x).dim for x in range(*nudge))
        bells: list[int] = []
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        await pilot.click(FooterKeys, offset=(poke[0], 0))
        await pilot.click(FooterKeys, offset=(nudge[0], 0))
        await pilot.pause()
        assert (app.poked, app.nudged) == (0, 1)
        assert bells == [1]  # the disabled key says no, as Textual's footer key does


def test_a_full_collection_waits_for_the_user_to_be_idle_unless_overdue() -> None:
    pending = [0]
    made: list[int] = []
    c = IdleCollector(
        quiet=0.5, cap=100, pending=lambda: pending[0], collect=lambda: made.append(1)
    )
    c.due = 10
    c.input_seen(100.0)
    pending[0] = 9
    assert not c.tick(200.0)  # idle, but not due yet
    pending[0] = 10
    assert not c.tick(100.2)  # due, but a key came 0.2 s ago
    assert c.tick(100.5)  # due, and idle for 0.5 s
    pending[0] = 99
    c.input_seen(300.0)
    assert not c.tick(300.1)
    pending[0] = 100
    assert c.tick(300.1)  # a stream of keys with no pause: made anyway
    assert len(made) == 2


def test_settling_makes_one_young_pass_and_only_while_the_app_runs() -> None:
    made: list[int] = []
    c = IdleCollector(young=lambda: made.append(1))
    c.settle()  # (not started: Python's own passes are the rule)
    assert made == []
    c.start()
    try:
        c.settle()
        assert made == [1]
    finally:
        c.stop()


async def test_the_app_defers_full_collections_while_it_runs_and_restores_python_after(
    make_app, notes
) -> None:
    python_own = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # known values, whatever an earlier test left behind
    before = gc.get_threshold()
    app = make_app([notes(TWO)], start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert gc.get_threshold() == (before[0], before[1], NEVER)
        assert app.collector.due == before[2]
        gc.collect()
        assert gc.get_count()[2] == 0
        app.collector.input_seen(float("-inf"))  # idle for ever
        for _ in range(before[2]):
            gc.collect(1)  # what Python's own passes do as the app allocates
        assert gc.get_count()[2] >= before[2]
        app._collect_when_idle()
        assert gc.get_count()[2] == 0  # the full pass was made
    restored = gc.get_threshold()
    gc.set_threshold(*python_own)
    assert restored == before


async def test_what_a_later_screen_needs_is_made_once_the_first_time_the_user_is_idle(
    make_app, notes
) -> None:
    """markdown-it (a card back or browse's detail pane that is not plain text) is made in
    a thread while the user reads, not on the key that first needs it; never while keys
    come, and once."""
    from studydeck.tui import app as app_module

    app = make_app([notes(TWO)], start="review")
    made: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app._warm_up = lambda: made.append(threading.current_thread().name)
        app.collector.input_seen(time.monotonic() + 3600)  # a key just came (for an hour)
        app._collect_when_idle()
        assert made == []
        app.collector.input_seen(float("-inf"))  # idle for ever
        app._collect_when_idle()
        app._collect_when_idle()
        for t in threading.enumerate():
            if t.name == "studydeck-warm-up":
                t.join()
        assert made == ["studydeck-warm-up"]  # once, in its own thread
    assert app_module.StudydeckApp(app.ctx)._warm_up is app_module.warm_up


def test_the_warm_up_makes_the_markdown_parser() -> None:
    from studydeck import rendering
    from studydeck.tui.app import warm_up

    rendering._make_inline_md.cache_clear()
    warm_up()
    assert rendering._make_inline_md.cache_info().currsize == 1


class _RecordingFetcher(FigureFetcher):
    """A fetcher that never reaches the network: every figure is unavailable."""

    def __init__(self) -> None:
        super().__init__(None, offline=True)
        self.asked: list[str] = []

    def get(self, figure, notes_file):  # type: ignore[no-untyped-def]
        self.asked.append(figure.src)
        raise FigureError("not fetched in this test")


async def test_the_card_text_is_painted_before_its_figure_is_fetched(
    make_app, notes, monkeypatch
) -> None:
    """A fetch's thread imports httpx (tens of ms holding the GIL): it starts only once the
    card is painted and the screen has nothing left to lay out, so the text comes first."""
    path = notes(
        table("| 2020 | Figure Paper | k | a contribution | ![arch](https://x.org/a.png) | |")
    )
    fetcher = _RecordingFetcher()
    app = make_app([path], start="review", fetcher=fetcher)
    events: list[tuple[str, bool]] = []
    display = app._display

    def record_paint(screen, renderable) -> None:
        display(screen, renderable)
        if isinstance(screen, ReviewScreen) and screen.session and screen.session.current:
            events.append(("paint", screen.session.current.card.question in painted(screen)))

    run_worker = FigureView.run_worker

    def record_fetch(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        screen = self.screen
        idle = not (screen._layout_required or screen._repaint_required or screen._dirty_widgets)
        events.append(("fetch", idle))
        return run_worker(self, *args, **kwargs)

    app._display = record_paint
    monkeypatch.setattr(FigureView, "run_worker", record_fetch)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.screen.query_one("#figure-status").render())
    assert fetcher.asked == ["https://x.org/a.png"]  # fetched once, after all
    assert "figure unavailable" in status
    fetch = events.index(("fetch", True))  # started with nothing left to lay out or paint
    assert ("paint", True) in events[:fetch]  # after a frame that shows the card's question
