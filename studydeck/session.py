"""Today's review: the queue, same-day repeats, bury/suspend/undo and leeches.

Time comes from an injected clock (a function returning an aware ``datetime``);
the study day starts at ``Settings.day_starts_at`` local time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from studydeck.config import Settings
from studydeck.models import Card, Deck
from studydeck.scheduling import GOOD_ENOUGH
from studydeck.store import Answer, Store

Clock = Callable[[], datetime]

#: How many other cards come between a failed card and its same-day repeat.
REPEAT_GAP = 3


def system_clock() -> datetime:
    return datetime.now().astimezone()


def study_day(now: datetime, day_starts_at: int) -> date:
    """The study day ``now`` (local wall-clock time, as the clock gives it) belongs to:
    before ``day_starts_at`` o'clock it is still yesterday."""
    return (now - timedelta(hours=day_starts_at)).date()


@dataclass(frozen=True)
class QueueItem:
    card: Card
    repeat: bool = False
    """A same-day repeat (SM-2 step 7): logged, but leaves the SM-2 state alone."""


def spread_papers(items: list[QueueItem]) -> list[QueueItem]:
    """Reorder so that two cards of the same paper are never back to back, where possible."""
    out: list[QueueItem] = []
    pending = list(items)
    left = Counter(it.card.paper.key for it in pending)
    while pending:
        last = out[-1].card.paper.key if out else None
        # Notes order, except that a paper holding half of what is left must go now, or
        # its cards would end up back to back at the tail.
        most, n = left.most_common(1)[0]
        must = most if most != last and 2 * n > len(pending) else None
        idx = next(
            (
                i
                for i, it in enumerate(pending)
                if it.card.paper.key != last and must in (None, it.card.paper.key)
            ),
            0,
        )
        item = pending.pop(idx)
        left[item.card.paper.key] -= 1
        out.append(item)
    return out


def build_queue(
    cards: Sequence[Card],
    candidates: Mapping[str, date | None],
    settings: Settings,
    *,
    new_seen_today: int = 0,
    reviewed_today: int = 0,
    pending_repeats: Sequence[str] = (),
) -> list[QueueItem]:
    """Today's queue from the cards that may be studied (``candidates``: card id -> due date,
    or None for a new card): due cards, most overdue first, up to the review limit; then
    new cards in notes order up to the new-card limit; then cards still owed a same-day
    repeat. Cards of one paper are kept apart."""
    due: list[tuple[date, int, Card]] = []
    new: list[Card] = []
    for i, card in enumerate(cards):
        if card.id not in candidates:
            continue
        when = candidates[card.id]
        if when is None:
            new.append(card)
        else:
            due.append((when, i, card))
    due.sort(key=lambda t: (t[0], t[1]))
    review_room = max(0, settings.reviews_per_day - reviewed_today)
    new_room = max(0, settings.new_per_day - new_seen_today)
    chosen = [QueueItem(c) for _, _, c in due[:review_room]]
    chosen += [QueueItem(c) for c in new[:new_room]]
    queued = {it.card.id for it in chosen}
    by_id = {c.id: c for c in cards}
    for cid in pending_repeats:
        repeat_card = by_id.get(cid)
        if repeat_card is not None and cid not in queued:
            chosen.append(QueueItem(repeat_card, repeat=True))
    return spread_papers(chosen)


@dataclass
class _Undo:
    answer: Answer
    queue: list[QueueItem]
    done: int


@dataclass
class SessionSummary:
    answered: int
    cards: int
    seconds: float
    grades: dict[int, int]
    due_tomorrow: int
    leeches: list[str] = field(default_factory=list)


class Session:
    """One sitting of today's review. The store is written once per answer."""

    def __init__(
        self,
        store: Store,
        deck: Deck,
        settings: Settings | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.store = store
        self.deck = deck
        self.settings = settings or Settings()
        self.clock = clock
        self.started = clock()
        self.today = study_day(self.started, self.settings.day_starts_at)
        self._undo: list[_Undo] = []
        self.answers: list[Answer] = []
        self.leeches: list[Card] = []
        self.queue = self._build()
        self.total = len(self.queue)

    def _build(self) -> list[QueueItem]:
        today_rows = [r for r in self.store.reviews(since=self.today) if r.day == self.today]
        last_grade = {r.card_id: r.quality for r in today_rows}
        pending = [cid for cid, q in last_grade.items() if q < GOOD_ENOUGH]
        states = self.store.states_of(pending)
        pending = [cid for cid in pending if cid in states and states[cid].is_active(self.today)]
        return build_queue(
            self.deck.cards,
            self.store.queue_candidates(self.today),
            self.settings,
            new_seen_today=sum(1 for r in today_rows if r.was_new),
            reviewed_today=sum(1 for r in today_rows if not r.repeat),
            pending_repeats=pending,
        )

    def reload(self, deck: Deck) -> None:
        """Go on with the notes read again (after an edit): the queue is rebuilt from the
        store, and this sitting's answers, undo history and leeches are kept. Undo snapshots
        point at the new cards; a card that left the notes leaves them too."""
        self.deck = deck
        by_id = {c.id: c for c in deck.cards}
        for u in self._undo:
            u.queue = [QueueItem(by_id[i.card.id], i.repeat) for i in u.queue if i.card.id in by_id]
        self.queue = self._build()

    # -- what the UI shows ----------------------------------------------------------
    @property
    def current(self) -> QueueItem | None:
        return self.queue[0] if self.queue else None

    @property
    def done(self) -> int:
        return len(self.answers)

    @property
    def remaining(self) -> int:
        return len(self.queue)

    # -- actions --------------------------------------------------------------------
    def answer(self, quality: int, duration_ms: int = 0) -> Answer:
        """Grade the current card 0-5. Below 4 it comes back later today (SM-2 step 7)."""
        item = self.current
        if item is None:
            raise LookupError("the queue is empty")
        snapshot = list(self.queue)
        ans = self.store.record_answer(
            item.card.id,
            quality,
            now=self.clock(),
            today=self.today,
            duration_ms=duration_ms,
            repeat=item.repeat,
            leech_threshold=self.settings.leech_threshold,
        )
        self._undo.append(_Undo(ans, snapshot, self.done))
        self.answers.append(ans)
        self.queue.pop(0)
        if ans.became_leech:
            self.leeches.append(item.card)
        elif quality < GOOD_ENOUGH:
            self._requeue(QueueItem(item.card, repeat=True))
        return ans

    def _requeue(self, item: QueueItem) -> None:
        pos = min(REPEAT_GAP, len(self.queue))
        while pos < len(self.queue) and self.queue[pos - 1].card.paper.key == item.card.paper.key:
            pos += 1
        self.queue.insert(pos, item)

    def undo(self) -> Card | None:
        """Take back the last answer of this session; its card comes back first."""
        while self._undo:
            u = self._undo.pop()
            if self.store.undo(u.answer.review_id) is None:
                continue
            self.queue = u.queue
            self.answers.pop()
            if self.leeches and self.leeches[-1].id == u.answer.card_id:
                self.leeches.pop()
            return self.queue[0].card
        return None

    def bury(self) -> Card | None:
        """Hide the current card until tomorrow."""
        item = self.current
        if item is None:
            return None
        self.store.bury(item.card.id, self.today + timedelta(days=1))
        self._drop(item.card.id)
        return item.card

    def suspend(self) -> Card | None:
        item = self.current
        if item is None:
            return None
        self.store.set_suspended(item.card.id, True)
        self._drop(item.card.id)
        return item.card

    def _drop(self, cid: str) -> None:
        self.queue = [it for it in self.queue if it.card.id != cid]
        self._undo = [u for u in self._undo if u.answer.card_id != cid]

    def summary(self) -> SessionSummary:
        tomorrow = self.today + timedelta(days=1)
        due_tomorrow = sum(
            1
            for st in self.store.states().values()
            if st.sm2.due is not None
            and st.sm2.due <= tomorrow
            and not st.retired
            and not st.suspended
        )
        return SessionSummary(
            answered=self.done,
            cards=len({a.card_id for a in self.answers}),
            seconds=(self.clock() - self.started).total_seconds(),
            grades=dict(sorted(Counter(a.quality for a in self.answers).items())),
            due_tomorrow=due_tomorrow,
            leeches=[c.paper.title for c in self.leeches],
        )
