"""The review screen: front, reveal, grade; undo, bury, suspend, open link, edit the notes."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from studydeck.errors import StudydeckError
from studydeck.figures import FigureError, FigureFetcher, local_path
from studydeck.models import KIND_LABEL, Card
from studydeck.naming import titled
from studydeck.safe import safe_href
from studydeck.session import Session, SessionSummary
from studydeck.store.base import StoreLocked
from studydeck.tui.context import app_of, ctx_of, reports_errors
from studydeck.tui.links import open_in_browser
from studydeck.tui.text import MixedText, markdown_text
from studydeck.tui.widgets.figure import FigureView
from studydeck.tui.widgets.footer import StudydeckFooter
from studydeck.tui.widgets.grades import ANKI_KEYS, GradeBar
from studydeck.tui.widgets.title import TitleBar
from studydeck.wording import plural


def editor_command(path: str, line: int) -> list[str]:
    """``$VISUAL``/``$EDITOR`` (else vi) opened at ``line``; VS Code-like editors get ``-g``.
    The file is named by its absolute path: a notes file called ``-Rn.md`` is a file to the
    editor, not options (and ``--`` is not an end of options to every editor)."""
    import shlex  # (only when the editor is opened)

    path = os.path.abspath(path)

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    argv = shlex.split(editor)
    name = os.path.basename(argv[0])
    if name in ("code", "code-insiders", "codium", "cursor"):
        return [*argv, "-g", f"{path}:{line}"]
    if name in ("subl", "zed"):
        return [*argv, f"{path}:{line}"]
    return [*argv, f"+{line}", path]


class ReviewScreen(Screen[None]):
    TITLE = "Review"
    BINDINGS = [
        Binding(
            "space,enter",
            "reveal",
            "Show answer",
            id="review.reveal",
            tooltip="Show the answer",
        ),
        # The same keys once the answer is shown (check_action hides "reveal" then).
        Binding(
            "space,enter",
            "grade(4)",
            "Good",
            show=False,
            id="review.space-good",
            tooltip="Good (SM-2 grade 4), once the answer is shown",
        ),
        *(
            Binding(
                str(q),
                f"grade({q})",
                f"Grade {q}",
                show=False,
                id=f"review.grade{q}",
                tooltip=f"SM-2 grade {q}",
            )
            for q in range(6)
        ),
        *(
            Binding(
                key,
                f"grade({b:d})",
                b.name.title(),
                id=f"review.{b.name.lower()}",
                tooltip=f"{b.name.title()} (SM-2 grade {b:d})",
            )
            for b, key in ANKI_KEYS.items()
        ),
        Binding(
            "u",
            "undo",
            "Undo",
            id="review.undo",
            tooltip="Undo the last answer, burial or suspension",
        ),
        Binding("f", "figure", "Figure", id="review.figure", tooltip="Show the figure full size"),
        # x, not e: e sat next to E (Easy) and a slip opened the editor mid-review.
        Binding(
            "x",
            "edit",
            "Edit",
            id="review.edit",
            tooltip="Edit the paper's row in $EDITOR, then reload",
        ),
        # Less used: in help and the command palette, kept out of an 80-column footer.
        Binding(
            "b",
            "bury",
            "Bury",
            id="review.bury",
            tooltip="Hide this card until tomorrow",
        ),
        Binding(
            "s",
            "suspend",
            "Suspend",
            id="review.suspend",
            tooltip="Suspend this card (unsuspend in Browse)",
        ),
        Binding(
            "o",
            "open_link",
            "Link",
            show=False,
            id="review.open",
            tooltip="Open the paper's link",
        ),
        Binding("escape", "leave", "Home", id="review.home", tooltip="Back to home"),
        Binding(
            "m",
            "move",
            "Move",
            show=False,
            id="review.move",
            tooltip="Move a statement of this answer to the other card (insight ⇄ critique)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.session: Session | None = None
        self.revealed = False
        self.pending: tuple[int, int, float] | None = None
        """An answer waiting for another studydeck's write lock (grade, ms, seconds waited):
        further grades wait for it."""
        self.shown_at: datetime | None = None
        self._binding_state: tuple[bool, ...] | None = None
        self._answer_box: Vertical | None = None
        self._answer_text: Static | None = None

    def compose(self) -> ComposeResult:
        ctx = ctx_of(self)
        yield TitleBar()
        with Vertical(id="review-body"):
            yield Static(id="progress")
            yield from self._card_area(ctx.fetcher)
        yield StudydeckFooter()

    def _card_area(self, fetcher: FigureFetcher) -> ComposeResult:
        # The answer box is made when the first answer is shown (_answer), the summary
        # when the session ends (show_summary).
        # The paper's title and keywords stay above the scrolling card: an answer shown
        # below a figure scrolls the card, and the title with it, out of sight on a short
        # terminal (the question "What is its core contribution?" then names no paper).
        with Vertical(id="card-head"):
            yield Static(id="card-title")
            yield Static(id="card-meta")
        with (
            ContentSwitcher(initial="card-view", id="switcher"),
            VerticalScroll(id="card-view"),
        ):
            yield FigureView(fetcher, id="figure")
            yield Static(id="card-question")
        # Outside the scrolling card: on a short terminal a figure pushes the answer down,
        # but the grades stay on screen.
        yield GradeBar(id="grade-bar")

    def on_mount(self) -> None:
        ctx = ctx_of(self)
        self.session = Session(ctx.store, ctx.deck, ctx.settings, ctx.clock)
        self.set_interval(1.0, self._tick)
        self.show_current()

    # -- display ------------------------------------------------------------------
    def show_current(self) -> None:
        s = self.session
        assert s is not None
        self.revealed = False
        item = s.current
        if item is None:
            self.show_summary(s.summary())
            return
        self.query_one("#switcher", ContentSwitcher).current = "card-view"
        self.query_one("#card-head").display = True
        card = item.card
        p = card.paper
        title = Text(titled(p.title, p.short_name, p.contribution), style="bold")
        if p.year is not None:
            title.append(f"  ({p.venue or p.year})", style="dim")
        self.query_one("#card-title", Static).update(title)
        meta = Text()
        for kw in p.keywords:
            meta.append(f" {kw} ", style="black on cyan")
            meta.append(" ")
        meta.append(KIND_LABEL[card.kind], style="italic magenta")
        if item.repeat:
            meta.append("  · again today", style="yellow")
        if p.section and p.section != ctx_of(self).deck.name:
            meta.append(f"  · {p.section}", style="dim")
        self.query_one("#card-meta", Static).update(meta)
        fig = card.figures[0] if card.figures else None
        self.query_one(FigureView).show(fig, p.source)
        self.query_one("#card-question", Static).update(Text(card.question, style="bold green"))
        # The answer is made when it is shown (action_reveal): hidden until then, and the first
        # one with any Markdown in it costs the markdown-it import (~50 ms) -- not before the
        # first card is painted.
        if self._answer_box is not None:
            self._answer_box.display = False
        self.query_one(GradeBar).hide()
        self.shown_at = ctx_of(self).clock()
        self._update_progress()
        self._refresh_bindings_if_changed()

    def _refresh_bindings_if_changed(self) -> None:
        """Rebuilding the footer costs more than the rest of a card change: only when needed."""
        card = self._card()
        s = self.session
        state = (card is not None, self.revealed, self._has_figure(card), bool(s and s.can_undo))
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def _update_progress(self) -> None:
        s = self.session
        assert s is not None
        text = Text(f" {s.done} done · {s.remaining} to go", style="bold")
        if self.shown_at is not None and s.current is not None:
            secs = int((ctx_of(self).clock() - self.shown_at).total_seconds())
            text.append(f"   ⏱ {secs // 60}:{secs % 60:02d} on this card", style="dim")
        self.query_one("#progress", Static).update(text)

    def _tick(self) -> None:
        if self.session is not None and self.session.current is not None:
            self._update_progress()

    def show_summary(self, summary: SessionSummary) -> None:
        switcher = self.query_one("#switcher", ContentSwitcher)
        if not switcher.query_children("#summary-view"):
            switcher.mount(Static(id="summary-view"))
        switcher.current = "summary-view"
        self.query_one("#card-head").display = False
        self.query_one(GradeBar).hide()
        self.query_one(FigureView).show(None, "")
        head = Text("Session complete\n\n", style="bold green")
        mins, secs = divmod(int(summary.seconds), 60)
        answers = plural(summary.answered, "answer")
        head.append(f"{answers} on {plural(summary.cards, 'card')} in {mins}:{secs:02d}\n")
        head.append(f"due tomorrow: {summary.due_tomorrow}\n")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right")
        grid.add_column()
        most = max(summary.grades.values(), default=1)
        for q in range(6):
            n = summary.grades.get(q, 0)
            grid.add_row(Text(f"grade {q}"), Text("█" * (20 * n // most) + f" {n}", style="cyan"))
        parts: list[RenderableType] = [head, grid]
        if summary.leeches:
            parts.append(Text("\nLeeches suspended: " + ", ".join(summary.leeches), style="yellow"))
        parts.append(Text("\nu undo the last answer · escape home", style="dim"))
        self.query_one("#summary-view", Static).update(Group(*parts))
        self.query_one("#progress", Static).update(
            Text(f" {summary.answered} done · 0 to go", style="bold")
        )
        self._refresh_bindings_if_changed()

    # -- actions --------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer follows the state: "Show answer" before, grades after, neither once the
        session is complete (False hides a key; Textual then tries the next binding)."""
        card = self._card()
        if action == "reveal":
            return card is not None and not self.revealed
        if action == "grade":
            return card is not None and self.revealed
        if action == "figure":
            return self._has_figure(card) and not self.query_one(FigureView).unavailable
        if action == "undo":
            return self.session is not None and self.session.can_undo
        if action in ("bury", "suspend", "edit", "open_link"):
            return card is not None
        return True

    @staticmethod
    def _has_figure(card: Card | None) -> bool:
        """A figure to open: a web address (fetched or not), or a local file that exists."""
        if card is None or not card.figures:
            return False
        fig = card.figures[0]
        if fig.is_remote:
            return True
        try:
            return local_path(fig.src, Path(card.paper.source)).is_file()
        except FigureError:
            return False

    def on_figure_view_settled(self, event: FigureView.Settled) -> None:
        """The figure came, or could not: the footer offers ``f`` only for one there."""
        event.stop()
        self.refresh_bindings()

    def _card(self) -> Card | None:
        s = self.session
        return s.current.card if s is not None and s.current is not None else None

    def action_reveal(self) -> None:
        card = self._card()
        if card is None:
            return
        if self.revealed:
            self.action_grade(4)
            return
        self.revealed = True
        box = self._answer(MixedText(markdown_text(card.back)))
        self.query_one(GradeBar).show()
        self._refresh_bindings_if_changed()
        # After the refresh that lays the answer out: before it, the box has no height yet
        # and a figure above it would keep the answer below the fold.
        self.call_after_refresh(box.scroll_visible, animate=False, top=False)

    def _answer(self, text: MixedText) -> Vertical:
        """The answer box, shown with ``text``. Made the first time an answer is shown: the
        first card is painted without it (hidden widgets cost their styling and layout)."""
        if self._answer_box is None:
            self._answer_text = Static(text, id="card-answer")
            self._answer_box = Vertical(self._answer_text, id="answer-box")
            self.query_one("#card-view").mount(self._answer_box)
        else:
            assert self._answer_text is not None
            self._answer_text.update(text)
            self._answer_box.display = True
        return self._answer_box

    def action_figure(self) -> None:
        card = self._card()
        if card is None or not card.figures:
            return
        from studydeck.tui.screens.figure import FigureScreen

        self.app.push_screen(FigureScreen(card.figures[0], card.paper.source))

    def on_grade_bar_graded(self, message: GradeBar.Graded) -> None:
        self.action_grade(message.quality)

    LOCK_POLL = 1.0
    """Seconds one attempt to save an answer waits for another studydeck's write lock."""
    LOCK_GIVE_UP = 30.0

    def action_grade(self, quality: int) -> None:
        s = self.session
        if s is None or s.current is None or not self.revealed or self.pending is not None:
            return
        now = ctx_of(self).clock()
        ms = int((now - self.shown_at).total_seconds() * 1000) if self.shown_at else 0
        self.pending = (quality, ms, 0.0)
        self.retry_save()

    @reports_errors
    def retry_save(self) -> None:
        """Save the pending answer; while another studydeck holds the lock, say so and try
        again every :attr:`LOCK_POLL` seconds with the UI running in between."""
        s = self.session
        if self.pending is None or s is None:
            return
        quality, ms, waited = self.pending
        try:
            with ctx_of(self).store.waiting_at_most(self.LOCK_POLL):
                ans = s.answer(quality, ms)
        except StoreLocked:
            waited += self.LOCK_POLL
            if waited >= self.LOCK_GIVE_UP:
                self.pending = None
                raise
            if waited <= self.LOCK_POLL:
                self.notify(
                    "waiting for another studydeck to finish writing…",
                    title="Store busy",
                    timeout=self.LOCK_GIVE_UP,
                    markup=False,
                )
            self.pending = (quality, ms, waited)
            self.set_timer(0.05, self.retry_save)
            return
        except BaseException:
            self.pending = None
            raise
        self.pending = None
        if ans.became_leech:
            title = s.leeches[-1].paper.title
            self.notify(
                f"'{title}' failed {ans.after.lapses} times: tagged a leech and "
                "suspended. Rewrite it in your notes?",
                severity="warning",
                title="Leech",
                timeout=8,
                markup=False,
            )
        self.show_current()

    @reports_errors
    def action_undo(self) -> None:
        s = self.session
        if s is None:
            return
        undone = s.undo()
        if undone is None:
            self.notify("Nothing to undo", severity="warning", markup=False)
            return
        card = undone.card
        said = {
            "answer": f"Undid the answer to '{card.paper.title}'",
            "bury": f"Unburied: {card.paper.title} ({KIND_LABEL[card.kind]})",
            "suspend": f"Unsuspended: {card.paper.title} ({KIND_LABEL[card.kind]})",
        }
        self.notify(said[undone.what], markup=False)
        self.show_current()

    @reports_errors
    def action_bury(self) -> None:
        if self.session is not None and (card := self.session.bury()):
            self.notify(
                f"Buried until tomorrow: {card.paper.title} ({KIND_LABEL[card.kind]})", markup=False
            )
            self.show_current()

    @reports_errors
    def action_suspend(self) -> None:
        if self.session is not None and (card := self.session.suspend()):
            self.notify(f"Suspended: {card.paper.title} ({KIND_LABEL[card.kind]})", markup=False)
            self.show_current()

    def action_open_link(self) -> None:
        card = self._card()
        if card is None:
            return
        if not card.paper.url:
            self.notify("This paper has no link in the notes", severity="warning", markup=False)
            return
        # Only a web link goes to the browser: "-x" would be read as its option, file: or
        # javascript: would do more than show a page.
        url = safe_href(card.paper.url)
        if url is None or not url.startswith(("http://", "https://")):
            self.notify("Not opened: the link is not an http(s) address", severity="warning")
            return
        if open_in_browser(url):
            self.notify(f"Asked your browser to open {url}")
            return
        # An SSH session, a machine with no display: the link to copy, and to the terminal's
        # clipboard where it takes one (OSC 52).
        self.app.copy_to_clipboard(url)
        self.notify(
            f"No browser to open it from here. The link (also offered to your terminal's "
            f"clipboard): {url}",
            severity="warning",
            timeout=15,
        )

    @reports_errors
    def action_edit(self) -> None:
        card = self._card()
        if card is None:
            return
        try:
            argv = editor_command(card.paper.source, card.paper.line)
        except (ValueError, IndexError):  # unbalanced quotes, or only spaces
            self.notify(
                "Cannot read $VISUAL/$EDITOR: set it to an editor command", severity="error"
            )
            return
        failed: list[OSError] = []

        def run(stream: int | None = None) -> None:
            # Textual's suspend() resumes only when its block ends normally: nothing may
            # escape it, or the app is left suspended (blank screen, keys ignored).
            try:
                subprocess.run(argv, check=False, stdin=stream, stdout=stream, stderr=stream)
            except OSError as exc:
                failed.append(exc)

        if shutil.which(argv[0]) is None:  # not there: do not even suspend the app
            failed.append(FileNotFoundError(2, "not found"))
        else:
            try:
                with self.app.suspend():
                    run()
            except SuspendNotSupported:  # headless or web: run it without the terminal
                run(subprocess.DEVNULL)
        if failed:
            self.notify(
                f"Cannot start the editor {argv[0]!r}: {failed[0].strerror}. Set $EDITOR.",
                severity="error",
                timeout=8,
                markup=False,
            )
            return
        self.reload_after_edit(card)

    def reload_after_edit(self, card: Card) -> None:
        ctx = ctx_of(self)
        try:
            report = ctx.reload()
        except StudydeckError as exc:
            self.notify(str(exc), severity="error", timeout=10, markup=False)
            return
        for d in ctx.deck.errors:
            self.notify(str(d), severity="warning", timeout=8, markup=False)
        assert self.session is not None
        # The same sitting goes on: its done count and undo history are kept.
        self.session.reload(ctx.deck)
        # Keep going on the card that was being edited, if it is still due.
        q = self.session.queue
        idx = next((i for i, it in enumerate(q) if it.card.id == card.id), None)
        if idx:
            q.insert(0, q.pop(idx))
        self.notify(
            f"Notes reloaded: {report}" if report.changed else "Notes reloaded", markup=False
        )
        self.show_current()

    def action_leave(self) -> None:
        app_of(self).leave(self)

    @reports_errors
    def action_move(self) -> None:
        card = self._card()
        if card is None or not self.revealed:
            return
        from studydeck.tui.moving import move_statement  # (the classifier: only when asked)

        move_statement(self, card, self._after_move)

    def _after_move(self) -> None:
        ctx = ctx_of(self)
        ctx.reload()
        assert self.session is not None
        self.session.reload(ctx.deck)  # the sitting goes on: done count and undo kept
        self.show_current()
