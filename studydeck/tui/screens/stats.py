"""Stats: a calendar heatmap of reviews, the 30-day due forecast, retention per keyword, grades."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from studydeck.stats import Stats, compute
from studydeck.tui.context import app_of, ctx_of
from studydeck.tui.widgets.footer import StudydeckFooter
from studydeck.tui.widgets.title import TitleBar
from studydeck.wording import plural

HEAT = ("grey23", "dark_green", "green4", "green3", "bright_green")
BARS = " ▁▂▃▄▅▆▇█"


def heatmap(per_day: dict[str, int], today: date, weeks: int = 26) -> Text:
    """Seven rows (Mon..Sun), one column a week, ending with this week."""
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    most = max(per_day.values(), default=0)
    text = Text("    ", style="dim")
    months = ""
    for w in range(weeks):
        first = start + timedelta(days=7 * w)
        if (w == 0 or first.month != (first - timedelta(days=7)).month) and len(months) <= 2 * w:
            months = months.ljust(2 * w) + first.strftime("%b")
    text.append(months.rstrip() + "\n", style="dim")
    for dow, label in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        text.append(f"{label:<4}", style="dim")
        for w in range(weeks):
            d = start + timedelta(days=7 * w + dow)
            if d > today:
                text.append("  ")
                continue
            n = per_day.get(d.isoformat(), 0)
            level = 0 if n == 0 else 1 + min(3, (4 * n - 1) // max(most, 1))
            text.append("■ ", style=HEAT[level])
        text.append("\n")
    text.append(
        f"    {plural(sum(per_day.values()), 'review')} in all · busiest day {most}", style="dim"
    )
    return text


def forecast(due: dict[str, int]) -> Text:
    values = list(due.values())
    most = max(values, default=0)
    text = Text()
    for v in values:
        text.append(BARS[0 if most == 0 else round(8 * v / most)], style="cyan")
    text.append(
        f"\ntoday {values[0] if values else 0} · next 7 days {sum(values[:7])} · "
        f"next 30 days {sum(values)}",
        style="dim",
    )
    return text


def render_stats(st: Stats, today: date) -> Group:
    kw = Table(
        box=None,
        show_header=False,
        padding=(0, 1),
    )
    kw.add_column()
    kw.add_column(justify="right")
    for k, share in sorted(
        st.retention_by_keyword.items(),
        key=lambda kv: (kv[1] is None, kv[1] if kv[1] is not None else 0),
    ):
        kw.add_row(Text(k), Text("–" if share is None else f"{share:.0%}"))
    grades = Table(box=None, show_header=False)
    grades.add_column(justify="right")
    grades.add_column()
    most = max(st.answers_by_grade.values(), default=0) or 1
    for g, n in st.answers_by_grade.items():
        grades.add_row(Text(str(g)), Text("█" * (24 * n // most) + f" {n}", style="magenta"))
    # Two short lines rather than one that wraps at 80-100 columns.
    head = Text(
        f"due today {st.due_today} · new {st.new_available} · again today {st.repeats} · "
        f"reviewed today {st.reviewed_today} · streak {st.streak} d",
        style="bold",
    )
    head.append(
        f"\n{plural(st.total_cards, 'card')} · {st.learning} learning · {st.suspended} suspended · "
        f"{st.buried} buried · "
        f"{plural(st.leeches, 'leech', 'leeches')} · {st.retired} retired · "
        f"due tomorrow {st.due_tomorrow}",
        style="dim",
    )
    quiz = Text(
        f"quizzes taken: {st.quizzes}"
        + (f" · {st.quiz_correct_share:.0%} right" if st.quiz_correct_share is not None else ""),
        style="dim",
    )
    return Group(
        head,
        Text(""),
        Text("reviews per day (all your notes)", style="bold"),
        heatmap(st.reviews_per_day, today),
        Text(""),
        Text("due in the next 30 days", style="bold"),
        forecast(st.due_forecast),
        Text(""),
        Text("retention by keyword (share of answers graded 3 or more)", style="bold"),
        kw,
        Text(""),
        Text("answers per grade", style="bold"),
        grades,
        Text(""),
        quiz,
    )


class StatsScreen(Screen[None]):
    TITLE = "Stats"
    BINDINGS = [Binding("escape", "leave", "Back", id="stats.back", tooltip="Back")]

    counted = False
    """Whether the figures are shown (they are made in a worker thread)."""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="stats-body"):
            yield Static(Text("counting…", style="dim"), id="stats")
        yield StudydeckFooter()

    def on_mount(self) -> None:
        # After the first paint, and off the UI thread: a long history must not freeze it.
        self.call_after_refresh(self._start_counting)

    def _start_counting(self) -> None:
        self.run_worker(self._count(), group="stats-count", exclusive=True)

    async def _count(self) -> None:
        ctx = ctx_of(self)
        st = await asyncio.to_thread(ctx.store.reading, compute, ctx.deck, ctx.today, ctx.settings)
        self.query_one("#stats", Static).update(render_stats(st, ctx.today))
        self.counted = True

    def action_leave(self) -> None:
        app_of(self).leave(self)
