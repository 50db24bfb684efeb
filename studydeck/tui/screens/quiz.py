"""Quiz screens: pick papers, answer (keys 1-4), see right/wrong, and a final score.

Quiz answers go to the quiz log only; the review schedule is touched only when the user
asks to send the misses to tomorrow's review.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, SelectionList, Static

from studydeck.errors import StudydeckError
from studydeck.quiz import Question, QuizAnswer, QuizResult, Selection, is_late, plan_quiz
from studydeck.quiz.assemble import figure_on_hand, read_agenda
from studydeck.quiz.results import sent_line
from studydeck.tui.context import app_of, ctx_of, reports_errors
from studydeck.tui.text import MixedText, markdown_text
from studydeck.tui.widgets.figure import FigureView
from studydeck.tui.widgets.footer import StudydeckFooter
from studydeck.tui.widgets.textinput import SafeInput
from studydeck.tui.widgets.title import TitleBar


class QuizSetupScreen(Screen[None]):
    """Pick the papers for a quiz: keywords, a first year, how many questions."""

    TITLE = "Quiz"
    BINDINGS = [
        Binding(
            "ctrl+s",
            "start",
            "Start quiz",
            id="quizsetup.start",
            priority=True,
            tooltip="Start the quiz",
        ),
        Binding("escape", "leave", "Back", id="quizsetup.back", tooltip="Back"),
    ]

    def compose(self) -> ComposeResult:
        deck = ctx_of(self).deck
        counts: dict[str, int] = {}
        # From the keywords column (no Paper made), each list of keywords counted once.
        for keywords, n in Counter(deck.paper_column("keywords")).items():
            for k in keywords:
                counts[k] = counts.get(k, 0) + n
        yield TitleBar()
        with Vertical(id="quiz-setup"):
            yield Label("Keywords (none = all papers)")
            yield SelectionList[str](
                *((f"{k} ({n})", k) for k, n in sorted(counts.items())), id="quiz-keywords"
            )
            with Horizontal(id="quiz-fields"):
                yield Label("since year")
                yield Input(placeholder="e.g. 2019", id="quiz-since", type="integer")
                yield Label("questions")
                yield Input(value="10", id="quiz-n", type="integer")
                yield Label("seed")
                yield Input(placeholder="random", id="quiz-seed", type="integer")
                yield Label("seconds each")
                yield Input(placeholder="no limit", id="quiz-time", type="number")
            with Horizontal(id="quiz-agenda-row"):
                yield Label("agenda file")
                yield SafeInput(placeholder="path to a reading list (optional)", id="quiz-agenda")
            yield Button("Start quiz (ctrl+s)", id="quiz-start", variant="primary")
        yield StudydeckFooter()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_start()

    def action_start(self) -> None:
        ctx = ctx_of(self)

        def value(name: str) -> str:
            return self.query_one(f"#quiz-{name}", Input).value.strip()

        try:
            n = int(value("n") or 10)
            limit = float(value("time")) if value("time") else None
            seed = (
                int(value("seed")) if value("seed") else random.SystemRandom().randrange(1, 10**6)
            )
        except ValueError:
            self.notify("Questions, seed and seconds must be numbers", severity="warning")
            return
        if n < 1 or (limit is not None and not limit > 0):
            self.notify("Questions and seconds must be more than 0", severity="warning")
            return
        try:
            sel = Selection(
                keywords=list(self.query_one(SelectionList).selected),
                since=int(value("since")) if value("since") else None,
                agenda=read_agenda(Path(value("agenda")).expanduser()) if value("agenda") else None,
            )
            plan = plan_quiz(
                ctx.deck,
                sel,
                n,
                seed,
                ctx.store.papers_added,  # (asked only for the most recent)
                can_show=lambda p, f: figure_on_hand(ctx.fetcher, p, f),
            )
        except StudydeckError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.app.switch_screen(
            QuizScreen(
                plan.questions,
                seed=seed,
                selection=sel.describe(),
                time_limit=limit,
                agenda_report=plan.agenda_report(),
            )
        )

    def action_leave(self) -> None:
        app_of(self).leave(self)


class QuizScreen(Screen[None]):
    TITLE = "Quiz"
    BINDINGS = [
        *(
            Binding(
                str(i + 1),
                f"choose({i})",
                "Choose" if i == 0 else f"Option {i + 1}",
                # (one footer key for the four: "1-4 Choose")
                show=i == 0,
                key_display="1-4" if i == 0 else None,
                id=f"quiz.option{i + 1}",
                tooltip=f"Choose option {i + 1}",
            )
            for i in range(4)
        ),
        Binding(
            "space,enter",
            "next",
            "Next / show",
            id="quiz.next",
            tooltip="Show the answer of a recall card, or go to the next question",
        ),
        Binding(
            "y", "self_grade(True)", "Knew it", id="quiz.yes", tooltip="Recall card: I knew it"
        ),
        Binding(
            "n",
            "self_grade(False)",
            "Didn't",
            id="quiz.no",
            tooltip="Recall card: I did not know it",
        ),
        Binding(
            "r",
            "record",
            "Send misses to review",
            id="quiz.record",
            tooltip="Send the missed cards to tomorrow's review",
        ),
        Binding("f", "figure", "Figure", id="quiz.figure", tooltip="Show the figure full size"),
        Binding("escape", "leave", "Home", id="quiz.home", tooltip="Back to home"),
    ]

    def __init__(
        self,
        questions: Sequence[Question],
        *,
        seed: int,
        selection: str = "",
        time_limit: float | None = None,
        record: bool = False,
        agenda_report: Sequence[str] = (),
    ) -> None:
        super().__init__()
        # Read one at a time: a planned quiz builds each question when it is first shown.
        self.questions = questions
        self.seed = seed
        self.selection = selection
        self.time_limit = time_limit
        self.auto_record = record
        self.index = 0
        self.answers: list[QuizAnswer] = []
        self.answered = False
        self.revealed = False
        self.started: datetime | None = None
        self.stopped: datetime | None = None
        """When a recall card was revealed: the clock stops there."""
        self.agenda_report = list(agenda_report)
        self.quiz_id = ""
        self.recorded = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="quiz-progress")
        with VerticalScroll(id="quiz-body"):
            yield Static(id="quiz-agenda")
            yield Static(id="quiz-prompt")
            yield FigureView(ctx_of(self).fetcher, id="quiz-figure")
            yield Static(id="quiz-options")
            yield Static(id="quiz-feedback")
        yield StudydeckFooter()

    def on_mount(self) -> None:
        ctx = ctx_of(self)
        self.quiz_id = f"{ctx.clock().isoformat(timespec='seconds')} seed {self.seed}"
        # Named, so a test whose clock is fake can stop it and tick by hand.
        self.ticker = self.set_interval(0.5, self._tick)
        self.show_question()

    @property
    def current(self) -> Question | None:
        return self.questions[self.index] if self.index < len(self.questions) else None

    # -- display ------------------------------------------------------------------
    def show_question(self) -> None:
        q = self.current
        if q is None:
            self.show_result()
            return
        self.answered = self.revealed = False
        self.started = ctx_of(self).clock()
        self.stopped = None
        agenda = Text()
        if self.index == 0 and self.agenda_report:
            agenda.append("Agenda\n", style="bold")
            for line in self.agenda_report:
                agenda.append(f"  {line}\n", style="dim")
        box = self.query_one("#quiz-agenda", Static)
        box.update(agenda)
        box.display = bool(agenda.plain)
        self.query_one("#quiz-prompt", Static).update(
            markdown_text(q.prompt.replace("\n\n> ", "\n\n"))
        )
        self.query_one("#quiz-figure", FigureView).show(q.figure, q.paper.source)
        opts: RenderableType
        if q.is_choice:
            # A grid: an option's wrapped lines stand under its text, not under its number,
            # and a Chinese option wraps by characters (it has no spaces to wrap at) rather
            # than leaving its number alone on a line.
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True)
            grid.add_column(ratio=1)
            for i, o in enumerate(q.options):
                badge = Text(f" {i + 1} ", style="bold black on cyan")
                grid.add_row(badge, MixedText(markdown_text(o.text)))
            opts = Group(grid, Text(f"({q.note})", style="dim")) if q.note else grid
        else:
            opts = Text("Recall it, then press space to see the answer.", style="dim")
        self.query_one("#quiz-options", Static).update(opts)
        self.query_one("#quiz-feedback", Static).update("")
        self._progress()
        self.call_after_refresh(self._in_view, "#quiz-options")

    def on_figure_view_settled(self, event: FigureView.Settled) -> None:
        """A figure shown after the question pushed what follows it down: in view again
        (and ``f`` opens it full size now)."""
        event.stop()
        self.refresh_bindings()
        self._in_view("#quiz-feedback" if self.answered or self.revealed else "#quiz-options")

    def _in_view(self, selector: str) -> None:
        """Scroll the question so the widget ``selector`` names is in view, as much of it
        as fits: a trial's agenda report above the first question pushed options 3 and 4,
        and then the answer's result, below the screen with no sign of them."""
        body = self.query_one("#quiz-body", VerticalScroll)
        body.scroll_to_widget(self.query_one(selector), animate=False)

    def _progress(self) -> None:
        self.refresh_bindings()
        q = self.current
        right = sum(a.correct for a in self.answers)
        text = Text(
            f" question {min(self.index + 1, len(self.questions))}/{len(self.questions)} · "
            f"{right} right",
            style="bold",
        )
        if self.time_limit and q is not None and not self.answered and self.started:
            left = self.time_limit - (ctx_of(self).clock() - self.started).total_seconds()
            text.append(f"   ⏱ {max(0, left):.0f} s left", style="yellow" if left > 5 else "red")
        self.query_one("#quiz-progress", Static).update(text)

    def _tick(self) -> None:
        q = self.current
        if q is None or self.answered or self.revealed:
            return
        if self.time_limit and self.started:
            spent = (ctx_of(self).clock() - self.started).total_seconds()
            if spent >= self.time_limit:
                self._answer(False, None, timed_out=True)
                return
        self._progress()

    @reports_errors
    def _answer(self, correct: bool, chosen: int | None, timed_out: bool = False) -> None:
        q = self.current
        if q is None or self.answered:
            return
        ctx = ctx_of(self)
        end = self.stopped or ctx.clock()
        secs = (end - self.started).total_seconds() if self.started else 0.0
        late = timed_out or is_late(secs, self.time_limit)
        correct = correct and not late
        ans = QuizAnswer(q, correct, secs, chosen, late)
        self.answers.append(ans)
        self.answered = True
        ctx.store.log_quiz(self.quiz_id, QuizResult([ans]).log_rows(), ctx.clock())
        fb = Text()
        if timed_out:
            fb.append("Time's up: counted as missed. ", style="bold red")
        elif late:
            fb.append(f"Late ({secs:.0f} s): counted as missed. ", style="bold red")
        elif q.is_choice:
            fb.append(
                "Right! " if correct else "Wrong. ", style="bold green" if correct else "bold red"
            )
        else:
            fb.append(
                "Knew it. " if correct else "Missed. ",
                style="bold green" if correct else "bold red",
            )
        if q.is_choice and q.answer_index is not None:
            fb.append(f"Answer: {q.answer_index + 1}. ", style="bold")
            fb.append_text(markdown_text(q.options[q.answer_index].text))
        else:  # the answer revealed stays (it was replaced by the paper's contribution)
            fb.append("Answer: ", style="bold")
            fb.append_text(markdown_text(q.answer))
        fb.append("\n\n")
        fb.append(q.paper.title, style="bold")
        fb.append(f"  ({q.paper.year})\n" if q.paper.year else "\n", style="dim")
        fb.append_text(markdown_text(q.paper.contribution))
        fb.append("\n\nspace: next question", style="dim")
        self.query_one("#quiz-feedback", Static).update(fb)
        self._progress()
        self.call_after_refresh(self._in_view, "#quiz-feedback")

    def show_result(self) -> None:
        result = QuizResult(self.answers)
        self.query_one("#quiz-figure", FigureView).show(None, "")
        self.query_one("#quiz-prompt", Static).update(Text("Quiz finished", style="bold green"))
        self.query_one("#quiz-options", Static).update("")
        total = len(self.answers)
        parts: list[RenderableType] = [
            Text(
                f"score {result.score}/{total} · {result.seconds:.0f} s · {self.selection} · seed "
                f"{self.seed}\n",
                style="bold",
            )
        ]
        kw = Text("by keyword\n", style="bold")
        for k, (ok, n) in result.by_keyword().items():
            kw.append(f"  {k}: {ok}/{n}\n")
        parts.append(kw)
        if result.misses:
            miss = Text("missed\n", style="bold")
            for q in result.misses:
                miss.append(f"  {q.number}. {q.paper.title}\n")
            parts.append(miss)
            parts.append(
                Text("r: send the missed cards to tomorrow's review · escape: home", style="dim")
            )
        self.query_one("#quiz-feedback", Static).update(Group(*parts))
        self.query_one("#quiz-progress", Static).update(
            Text(f" finished · {result.score}/{total} right", style="bold")
        )
        if self.auto_record:
            self.action_record()
        self.refresh_bindings()
        self.call_after_refresh(self._in_view, "#quiz-prompt")  # (the score, from its top)

    # -- actions ---------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer follows the state: option keys and "Next / show" while a question is
        open, "Knew it"/"Didn't" only on a revealed recall card, "Send misses" only at the end."""
        q = self.current
        if action == "choose":
            return q is not None and q.is_choice and not self.answered
        if action == "next":
            return q is not None and (self.answered or not (q.is_choice or self.revealed))
        if action == "self_grade":
            return q is not None and not q.is_choice and self.revealed and not self.answered
        if action == "record":
            return q is None and not self.recorded and bool(QuizResult(self.answers).misses)
        if action == "figure":
            shown = self.query_one("#quiz-figure", FigureView)
            return q is not None and q.figure is not None and bool(shown.query(".figure-image"))
        return True

    def action_figure(self) -> None:
        """The question's figure full size, as ``f`` shows a card's in review."""
        q = self.current
        if q is None or q.figure is None:
            return
        from studydeck.tui.screens.figure import FigureScreen

        self.app.push_screen(FigureScreen(q.figure, q.paper.source))

    def action_choose(self, i: int) -> None:
        q = self.current
        if q is None or self.answered or not q.is_choice or i >= len(q.options):
            return
        self._answer(i == q.answer_index, i)

    def action_next(self) -> None:
        q = self.current
        if q is None:
            return
        if not q.is_choice and not self.revealed:
            self.revealed = True
            self.stopped = ctx_of(self).clock()
            fb = Text("Answer: ", style="bold")
            fb.append_text(markdown_text(q.answer))
            fb.append("\n\ny: I knew it · n: I did not", style="dim")
            self.query_one("#quiz-feedback", Static).update(fb)
            self.refresh_bindings()
            self.call_after_refresh(self._in_view, "#quiz-feedback")
            return
        if not self.answered:
            return
        self.index += 1
        self.show_question()

    def action_self_grade(self, knew: bool) -> None:
        q = self.current
        if q is None or q.is_choice or not self.revealed or self.answered:
            return
        self._answer(knew, None)

    @reports_errors
    def action_record(self) -> None:
        if self.current is not None or self.recorded:
            return
        ctx = ctx_of(self)
        misses = QuizResult(self.answers).misses
        n = ctx.store.send_to_review([q.card.id for q in misses], ctx.today + timedelta(days=1))
        self.recorded = True
        self.refresh_bindings()
        self.notify(sent_line(n, len(misses)))

    def action_leave(self) -> None:
        app_of(self).leave(self)
