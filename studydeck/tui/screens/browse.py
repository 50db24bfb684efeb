"""Browse: every card in a table; filter, sort, see a card's SM-2 state and history, suspend.

The table is virtual (:class:`~studydeck.tui.widgets.cardlist.CardList` draws only the rows
on screen), the rows are kept sorted by the chosen column (a filter keeps that order: the
sort is stable), and a filter that only narrows the last one (a word typed longer, a word
added) looks only through the rows the last one showed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from studydeck import planner
from studydeck.carding import QUESTIONS
from studydeck.models import Card, CardKind, Paper
from studydeck.naming import short_names, titled
from studydeck.session import today_log
from studydeck.store import CardState
from studydeck.tui.context import app_of, ctx_of, reports_errors
from studydeck.tui.moving import move_statement
from studydeck.tui.widgets.cardlist import CardList

COLUMNS = ("paper", "kind", "year", "keywords", "state", "recall", "due", "EF", "interval")
#: Column widths in terminal cells (CJK counts double); the paper column takes the rest.
WIDTHS = {
    "kind": 12,
    "year": 4,
    "keywords": 12,
    "state": 9,
    "recall": 6,
    "due": 10,
    "EF": 4,
    "interval": 3,
}
LABELS = {"interval": "ivl"}
#: Cell padding (1 each side) of every column, the vertical scrollbar and a spare cell.
_CHROME = 2 * len(COLUMNS) + 4


def fit(text: str, width: int) -> Text:
    """``text`` cut to ``width`` terminal cells, with an ellipsis when cut."""
    out = Text(text)
    out.truncate(width, overflow="ellipsis")
    return out


@dataclass(frozen=True)
class Row:
    card: Card
    state: CardState | None

    owes_repeat: bool = False

    def status(self, today: date) -> str:
        """The planner's state of this card (one definition for every screen)."""
        return planner.status(self.state, today, self.owes_repeat)


def search_text(row: Row) -> str:
    """What free words are looked for in: title, short names, the card, keywords, notes."""
    p = row.card.paper
    names = short_names(p.short_name, p.contribution)
    return " ".join((p.title, *names, row.card.back, " ".join(p.keywords), p.notes)).casefold()


#: Filter terms whose matches shrink as the term grows (a substring, or a prefix for kind:);
#: ``year:`` and ``state:`` are equalities, so ``year:2`` -> ``year:20`` is a new search.
_NARROWING = ("", "kw", "keyword", "kind")


def term_kind(term: str) -> str:
    key, sep, _ = term.partition(":")
    return key if sep and key in ("kw", "keyword", "year", "state", "kind") else ""


def narrows(old: str, new: str) -> bool:
    """Whether every card ``new`` matches is one ``old`` matched: ``new`` keeps every term of
    ``old`` and may add terms, and only its last shared term may have grown (same filter
    kind, one that narrows as it grows)."""
    a, b = old.casefold().split(), new.casefold().split()
    if not a:
        return True
    if len(b) < len(a):
        return False
    if a[:-1] != b[: len(a) - 1]:
        return False
    last_old, last_new = a[-1], b[len(a) - 1]
    if last_old == last_new:
        return True
    kind = term_kind(last_old)
    return kind == term_kind(last_new) and kind in _NARROWING and last_new.startswith(last_old)


def matches(row: Row, query: str, today: date, hay: dict[str, str] | None = None) -> bool:
    """``kw:图像复原 year:2020 state:due free words`` (all must hold; case-insensitive).

    ``hay`` caches each card's :func:`search_text` (card id -> text) across keystrokes."""
    p = row.card.paper
    for term in query.casefold().split():
        key, sep, value = term.partition(":")
        if sep and key in ("kw", "keyword"):
            if not any(value in k.casefold() for k in p.keywords):
                return False
        elif sep and key == "year":
            if str(p.year or "") != value:
                return False
        elif sep and key == "state":
            if row.status(today) != value:
                return False
        elif sep and key == "kind":
            if not row.card.kind.value.startswith(value):
                return False
        else:
            text = hay.get(row.card.id) if hay is not None else None
            if text is None:
                text = search_text(row)
                if hay is not None:
                    hay[row.card.id] = text
            if term not in text:
                return False
    return True


class BrowseScreen(Screen[None]):
    TITLE = "Browse"
    BINDINGS = [
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            id="browse.filter",
            tooltip="Filter: words, kw:…, year:…, state:new|due|learning|review|suspended",
        ),
        Binding(
            "s",
            "toggle_suspend",
            "Suspend/unsuspend",
            id="browse.suspend",
            tooltip="Suspend or unsuspend the selected card",
        ),
        Binding("o", "cycle_sort", "Sort", id="browse.sort", tooltip="Sort by the next column"),
        Binding(
            "m",
            "move",
            "Move",
            show=False,
            id="browse.move",
            tooltip="Move a statement of this card to the other card (insight ⇄ critique)",
        ),
        Binding("escape", "leave", "Back", id="browse.back", tooltip="Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.sort_col = 0
        self.sort_reverse = False
        self._hay: dict[str, str] = {}
        self.shown: list[Row] = []
        """The rows in the table, in its order (the cursor's row is ``shown[cursor_row]``)."""
        self._sorted: list[Row] | None = None
        """All rows in the order of the sort column (None: to be sorted again)."""
        self.applied_query: str | None = None
        """The filter the table shows the result of."""
        self._refill_queued = False

    def compose(self) -> ComposeResult:
        self.paper_width = max(16, self.app.size.width - sum(WIDTHS.values()) - _CHROME)
        yield Header()
        yield Input(placeholder="filter: words  kw:图像复原  year:2020  state:due", id="filter")
        with Vertical(id="browse-body"):
            yield CardList(
                [LABELS.get(c, c) for c in COLUMNS],
                [WIDTHS.get(c, self.paper_width) for c in COLUMNS],
                self._cells_at,
                id="cards",
            )
            yield Static(id="card-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.rows = self._rows()
        self.refill()
        self.query_one(CardList).focus()

    def _rows(self) -> list[Row]:
        ctx = ctx_of(self)
        states = ctx.store.states()
        owed = set(planner.owed_repeats(today_log(ctx.store, ctx.today, ctx.deck)))
        rows = [Row(c, states.get(c.id), c.id in owed) for c in ctx.deck.cards]
        for cid, kind, key, title, year in ctx.store.retired_cards():
            paper = Paper(
                key=key, title=title, year=year, source="(removed from the notes)", line=0
            )
            card = Card(
                id=cid,
                kind=CardKind(kind),
                paper=paper,
                question=QUESTIONS[CardKind(kind)],
                back="(this row is no longer in the notes; its history is kept)",
            )
            rows.append(Row(card, states.get(cid)))
        return rows

    def _cells_at(self, i: int) -> tuple[Text, ...]:
        return self._cells(self.shown[i], ctx_of(self).today)

    def _recall(self, row: Row, today: date) -> float | None:
        """The predicted chance of recall today (None: never reviewed), by the store's policy."""
        return None if row.state is None else ctx_of(self).store.policy.recall(row.state, today)

    def _cells(self, row: Row, today: date) -> tuple[Text, ...]:
        p, st = row.card.paper, row.state
        sm2 = st.sm2 if st else None
        recall = self._recall(row, today)
        return (
            fit(titled(p.title, p.short_name, p.contribution), self.paper_width),
            Text(row.card.kind.value),
            Text(str(p.year or "")),
            fit(", ".join(p.keywords), WIDTHS["keywords"]),
            Text(row.status(today)),
            Text("" if recall is None else f"{recall:.0%}"),
            Text(sm2.due.isoformat() if sm2 and sm2.due else ""),
            Text(f"{sm2.easiness:.2f}" if sm2 else ""),
            Text(str(sm2.interval) if sm2 else ""),
        )

    def _sort_key(self, row: Row, today: date) -> object:
        col = COLUMNS[self.sort_col]
        st = row.state.sm2 if row.state else None
        if col == "paper":
            return row.card.paper.title.casefold()
        if col == "kind":
            return row.card.kind.value
        if col == "year":
            return row.card.paper.year or 0
        if col == "keywords":
            return ",".join(row.card.paper.keywords)
        if col == "state":
            return row.status(today)
        if col == "recall":
            recall = self._recall(row, today)
            return -1.0 if recall is None else recall
        if col == "due":
            return st.due.isoformat() if st and st.due else "~"
        if col == "EF":
            return st.easiness if st else 0.0
        return st.interval if st else 0

    def _rows_sorted(self) -> list[Row]:
        if self._sorted is None:
            # Stable: rows with equal keys keep notes order, ascending or not.
            today = ctx_of(self).today
            self._sorted = sorted(
                self.rows,
                key=lambda r: self._sort_key(r, today),  # type: ignore[arg-type,return-value]
                reverse=self.sort_reverse,
            )
            self.applied_query = None
        return self._sorted

    def refill(self) -> None:
        today = ctx_of(self).today
        query = self.query_one("#filter", Input).value
        rows = self._rows_sorted()
        if not query.split():
            shown = list(rows)
        else:
            # Narrowing the last filter: only the rows it showed can match.
            pool = (
                self.shown
                if self.applied_query is not None and narrows(self.applied_query, query)
                else rows
            )
            shown = [r for r in pool if matches(r, query, today, self._hay)]
        self.shown = shown
        self.applied_query = query
        table = self.query_one(CardList)
        table.set_row_count(len(shown))
        table.border_title = (
            f"{len(shown)} of {len(self.rows)} cards · sorted by {COLUMNS[self.sort_col]}"
        )
        self.show_detail()

    def resort(self) -> None:
        self._sorted = None
        self.refill()

    def on_input_changed(self, event: Input.Changed) -> None:
        # Keys typed while a refill runs arrive together: one refill, after the next
        # refresh, for all of them.
        if not self._refill_queued:
            self._refill_queued = True
            self.call_after_refresh(self._queued_refill)

    def _queued_refill(self) -> None:
        self._refill_queued = False
        self.refill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(CardList).focus()

    def on_card_list_header_clicked(self, event: CardList.HeaderClicked) -> None:
        idx = event.column
        self.sort_reverse = not self.sort_reverse if idx == self.sort_col else False
        self.sort_col = idx
        self.resort()

    def on_card_list_highlighted(self, event: CardList.Highlighted) -> None:
        self.show_detail()

    def selected(self) -> Row | None:
        table = self.query_one(CardList)
        if table.row_count == 0 or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def show_detail(self) -> None:
        row = self.selected()
        detail = self.query_one("#card-detail", Static)
        if row is None:
            detail.update(Text("no card matches", style="dim"))
            return
        ctx = ctx_of(self)
        from studydeck.tui.text import markdown_text

        p = row.card.paper
        text = Text(titled(p.title, p.short_name, p.contribution), style="bold")
        where = f"{Path(row.card.paper.source).name}:{row.card.paper.line}"
        text.append(f"\n{row.card.kind.value} · {where}\n\n", style="dim")
        text.append_text(markdown_text(row.card.back))
        st = row.state
        if st is not None:
            s = st.sm2
            text.append(
                f"\n\nSM-2: repetitions {s.repetitions}, EF {s.easiness:.2f}, "
                f"interval {s.interval} d, due {s.due or 'new'}; lapses {st.lapses}"
                f"{', leech' if st.leech else ''}{', suspended' if st.suspended else ''}",
                style="cyan",
            )
        history = ctx.store.reviews(cid=row.card.id)
        if history:
            text.append("\n\nhistory:", style="bold")
            for r in history[-12:]:
                text.append(
                    f"\n  {r.day}  grade {r.quality}{'  (same-day repeat)' if r.repeat else ''}"
                )
        detail.update(text)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_cycle_sort(self) -> None:
        self.sort_col = (self.sort_col + 1) % len(COLUMNS)
        self.resort()

    @reports_errors
    def action_toggle_suspend(self) -> None:
        row = self.selected()
        if row is None or row.state is None:
            return
        ctx = ctx_of(self)
        ctx.store.set_suspended(row.card.id, not row.state.suspended)
        new = Row(row.card, ctx.store.state(row.card.id), row.owes_repeat)
        self.rows = [new if r.card.id == row.card.id else r for r in self.rows]
        if self._sorted is not None:
            self._sorted = [new if r is row else r for r in self._sorted]
        table = self.query_one(CardList)
        at = table.cursor_row
        self.shown[at] = new
        self.notify(
            ("Suspended: " if new.state and new.state.suspended else "Unsuspended: ")
            + row.card.paper.title,
            markup=False,
        )
        table.refresh_row(at)
        self.show_detail()

    @reports_errors
    def action_move(self) -> None:
        row = self.selected()
        if row is not None:
            move_statement(self, row.card, self._after_move)

    def _after_move(self) -> None:
        ctx_of(self).reload()
        self.rows = self._rows()
        self._hay.clear()  # the cards' texts changed
        self.resort()

    def action_leave(self) -> None:
        if (
            self.focused is self.query_one("#filter", Input)
            and self.query_one("#filter", Input).value
        ):
            self.query_one("#filter", Input).value = ""
            return
        app_of(self).leave(self)
