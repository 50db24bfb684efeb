"""The studydeck app, built by :func:`create_app` (the CLI and the tests both use it)."""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import WorkerFailed

from studydeck.config import Settings
from studydeck.errors import StudydeckError
from studydeck.figures import FigureFetcher
from studydeck.loading import open_deck
from studydeck.models import Deck
from studydeck.safe import terminal
from studydeck.session import Clock, study_day, system_clock
from studydeck.store import ReconcileReport, Store
from studydeck.tui.collector import IdleCollector

if TYPE_CHECKING:  # the quiz package is imported when a quiz starts, not at start-up
    from studydeck.quiz import Question


@dataclass
class QuizLaunch:
    """A quiz built on the command line, for the app to open on."""

    questions: Sequence[Question]
    """Built as they are read (:class:`~studydeck.quiz.QuizQuestions`)."""
    seed: int
    selection: str = ""
    time_limit: float | None = None
    record: bool = False
    agenda_report: list[str] = field(default_factory=list)


@dataclass
class AppContext:
    """Everything the screens share: the open store, the deck, settings and the clock."""

    store: Store
    deck: Deck
    paths: list[Path]
    settings: Settings = field(default_factory=Settings)
    clock: Clock = system_clock
    fetcher: FigureFetcher = field(default_factory=lambda: FigureFetcher(None, offline=True))
    notice: str = ""
    demo: str = ""
    """What to say when the notes are the bundled demo deck (else "")."""
    quiz: QuizLaunch | None = None

    @property
    def today(self) -> date:
        return study_day(self.clock(), self.settings.day_starts_at)

    def reload(self) -> ReconcileReport:
        """Read the notes again (after an edit) and reconcile; history is kept. A file whose
        table the edit broke is refused (:class:`StudydeckError`): the deck stays as it was."""
        self.deck, report = open_deck(self.store, self.paths, self.clock(), before=self.deck)
        return report


def skipped_rows_notice(deck: Deck) -> str:
    """One line saying how many rows were left out for errors, or "" when none were."""
    n = len(deck.errors)
    if not n:
        return ""
    return (
        f"{n} {'row' if n == 1 else 'rows'} of the notes skipped for errors: run `studydeck check`"
    )


def warm_up() -> None:
    """What the first card does not need and a later screen would pay for on its first
    key, made while the user reads: the Markdown parser (markdown-it: ~40 ms of imports),
    which a card back, browse's detail pane or a quiz option that is not plain text needs
    (:func:`studydeck.tui.text.markdown_text`)."""
    from studydeck.rendering import inline_md

    inline_md()


class StudydeckApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "studydeck"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
    ]

    def __init__(self, ctx: AppContext, start: str = "home") -> None:
        super().__init__()
        self.ctx = ctx
        self.start = start
        self.refusal: str | None = None
        """The one line the app ended with, when a :class:`StudydeckError` ended it."""
        self.collector = IdleCollector()
        self.keys_seen = 0
        """Key presses the app has received, in order (each counted as it comes, before any
        widget has handled the keys before it): a screen tells where in a burst a key is."""
        self.keys_last: tuple[str, str] = ("", "")
        """The last two keys received (the one before, the last), as they came."""
        self._warm_up: Any = warm_up
        """Run once in a thread the first time the user is idle (None: done)."""

    def run(self, *args: Any, headless: bool = False, **kwargs: Any) -> int | None:
        """Run on the terminal; none there (stdin or stdout is not one, as in a script's
        ``</dev/null >file``) is one line, at once: a probe's app spun at 94% CPU for ever."""
        streams = (sys.__stdin__, sys.__stdout__)
        if not headless and not all(s is not None and s.isatty() for s in streams):
            what = {"review": "the review", "quiz": "the quiz app"}.get(self.start, "the app")
            hint = "run it in a terminal" + (
                ", or give --plain to ask line by line" if self.start == "quiz" else ""
            )
            raise StudydeckError(f"{what} needs a terminal: stdin or stdout is not one", hint=hint)
        return super().run(*args, headless=headless, **kwargs)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, from any screen or widget, shows its text literally.

        Messages carry titles and links from the notes: parsed as markup, ``[/]`` crashed
        the app and ``[@click=app.quit]`` became a live action. The ``markup`` argument is
        ignored on purpose, and escape sequences are dropped (:func:`studydeck.safe.terminal`).
        """
        kwargs: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        super().notify(
            terminal(message), title=terminal(title), severity=severity, markup=False, **kwargs
        )

    def exit(self, result: int | None = None, return_code: int = 0, message: Any = None) -> None:
        """Quitting stops figure downloads at once: a slow server must not keep us alive."""
        self.ctx.fetcher.cancel()
        super().exit(result, return_code, message)

    def _handle_exception(self, error: Exception) -> None:
        """A :class:`StudydeckError` no screen handled (a store found damaged while a screen
        opens, or while home counts in its worker) ends the app with the same one line the
        CLI prints, not a traceback."""
        if isinstance(error, WorkerFailed) and isinstance(error.error, StudydeckError):
            error = error.error
        if isinstance(error, StudydeckError):
            self.refusal = f"studydeck: {terminal(str(error))}"
            self.exit(return_code=error.exit_code, message=Text(self.refusal))
            return
        super()._handle_exception(error)

    def on_mount(self) -> None:
        # The deck, the store and Textual's own start-up objects live as long as the app;
        # moved out of the collector's sight once, its passes stop re-scanning them (the
        # cards alone are tens of thousands of objects). Frozen objects are still freed by
        # reference counting; only cycles among them would be kept -- so once per process.
        if not gc.get_freeze_count():
            gc.freeze()
        self.collector.start()
        self.set_interval(self.collector.quiet / 2, self._collect_when_idle)
        self.sub_title = self.ctx.deck.name + (" (demo)" if self.ctx.demo else "")
        if self.start != "home" and self.ctx.demo:
            self.notify(self.ctx.demo, timeout=10, markup=False)
        if self.start != "home" and (skipped := skipped_rows_notice(self.ctx.deck)):
            # Home shows this line itself; opening straight on review or a quiz, the
            # stderr lines printed before the app started are hidden behind it.
            self.notify(skipped, severity="warning", timeout=10, markup=False)
        # Opening on review or a quiz, home is built only when the user goes there.
        if self.start == "review":
            self.action_review()
        elif self.start == "quiz":
            self.action_quiz()
        else:
            from studydeck.tui.screens.home import HomeScreen

            self.push_screen(HomeScreen())
        # The command paused the collector while the deck was read (cli.cmd_review); it stays
        # paused until the first screen has been painted: building it makes thousands of
        # short-lived objects (widgets, styles, the first card) that young passes would
        # scan dozens of times before the user sees anything. Queued on that screen after
        # its own mount (which shows the first card), so it runs once that is on screen.
        self.screen.call_after_refresh(gc.enable)

    def on_unmount(self) -> None:
        gc.enable()  # (if the app ends before its first paint)
        self.collector.stop()

    def _collect_when_idle(self) -> None:
        now = time.monotonic()
        self.collector.tick(now)
        if self._warm_up is not None and self.collector.idle(now):
            work, self._warm_up = self._warm_up, None
            threading.Thread(target=work, name="studydeck-warm-up").start()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self.collector.input_seen(time.monotonic())
            if isinstance(event, events.Key):
                self.keys_seen += 1
                self.keys_last = (self.keys_last[1], event.key)
        await super().on_event(event)

    def leave(self, screen: Screen[Any]) -> None:
        """Close ``screen``: back to the screen below it, or to home if there is none."""
        from studydeck.tui.screens.home import HomeScreen

        if len(self.screen_stack) > 2:
            screen.dismiss(None)
        else:
            self.switch_screen(HomeScreen())

    # -- actions reachable from anywhere (home keys, command palette) -----------------
    def action_review(self) -> None:
        from studydeck.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen())

    def action_browse(self) -> None:
        from studydeck.tui.screens.browse import BrowseScreen

        self.push_screen(BrowseScreen())

    def action_stats(self) -> None:
        from studydeck.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def action_quiz(self) -> None:
        from studydeck.tui.screens.quiz import QuizScreen, QuizSetupScreen

        launch = self.ctx.quiz
        if launch is None:
            self.push_screen(QuizSetupScreen())
            return
        self.ctx.quiz = None  # a quiz from the command line runs once
        self.push_screen(
            QuizScreen(
                launch.questions,
                seed=launch.seed,
                selection=launch.selection,
                time_limit=launch.time_limit,
                record=launch.record,
                agenda_report=launch.agenda_report,
            )
        )

    def action_help(self) -> None:
        from studydeck.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """One palette entry per live binding, so every action can be found by name."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            b = active.binding
            if not b.description or b.action in seen or b.action in ("quit", "command_palette"):
                continue
            seen.add(b.action)
            node = active.node

            def run(action: str = b.action, target: object = node) -> None:
                self.call_later(self.run_action, action, target)

            shown = self.get_key_display(b)  # as the footer shows it: ?, ⏎, ^s
            yield SystemCommand(b.description, f"{b.tooltip or b.description} (key: {shown})", run)


def create_app(ctx: AppContext, start: str = "home") -> StudydeckApp:
    """The app, on an open store and deck. ``start``: home, review or quiz."""
    return StudydeckApp(ctx, start)
