"""Today's review: the queue, same-day repeats, bury/suspend/undo and leeches.

The queue and every count come from :func:`studydeck.planner.plan` (see there for the
rules); this module adds what happens during a sitting. Time comes from an injected clock
(a function returning an aware ``datetime``); the study day starts at
``Settings.day_starts_at`` local time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from studydeck.config import Settings
from studydeck.models import Card, Deck
from studydeck.planner import CardRow, Plan, RowGroups, TodayAnswer, plan
from studydeck.scheduling import GOOD_ENOUGH, CardState
from studydeck.store import Answer, Store
from studydeck.store.states import plan_groups

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
    passed: bool = False
    """A failed card was put in front of this one while it waited (see ``_requeue``)."""


def today_log(store: Store, today: date, deck: Deck) -> list[TodayAnswer]:
    """Today's answers to ``deck``'s cards (by any process), in the order given, as the
    planner takes them: the daily limits and today's counts are a deck's own, as in Anki."""
    return _today_log(store, today, lambda: _deck_ids(store, deck, deck.card_keys()))


def _deck_ids(store: Store, deck: Deck, cards: Iterable[tuple[str, str]]) -> set[str]:
    """The ids whose answers today are the deck's: its cards, and its files' cards retired
    since (an answer given stays given: a row deleted after its card was studied today
    still counts toward the day's limits). Another deck's cards are not among them."""
    return {cid for cid, _ in cards} | store.retired_ids(deck.sources)


def _today_log(store: Store, today: date, ids: Callable[[], Container[str]]) -> list[TodayAnswer]:
    """``ids``: the deck's card ids, asked for only when something was answered today (a
    set of tens of thousands of ids is not made for a first sitting of the day)."""
    rows = [r for r in store.reviews(since=today) if r.day == today]
    if not rows:
        return []
    known = ids()
    return [
        TodayAnswer(r.card_id, r.quality, r.repeat, r.was_new) for r in rows if r.card_id in known
    ]


def today_plan(
    store: Store,
    deck: Deck,
    today: date,
    settings: Settings,
    states: Mapping[str, CardRow] | Mapping[str, CardState] | RowGroups | None = None,
) -> Plan:
    """The planner's view of ``deck`` in ``store`` on ``today``: the only way counts are made
    (``states``: the store's card states, when the caller has just read them; by default
    the planner's few fields of each, grouped, read straight from SQL)."""
    cards = deck.card_keys()
    return plan(
        cards,
        plan_groups(store.tuples) if states is None else states,
        today,
        settings,
        _today_log(store, today, lambda: _deck_ids(store, deck, cards)),
        store.retired_count(deck.sources),
    )


@dataclass
class _Undo:
    answer: Answer
    queue: list[QueueItem]
    done: int


@dataclass
class _Hidden:
    """A card buried or suspended in this sitting: undone, it is back where it was."""

    card: Card
    how: str
    """"bury" or "suspend"."""
    before: date | None
    """Its burial before (a bury): what the undo puts back."""
    queue: list[QueueItem]


@dataclass(frozen=True)
class Undone:
    """What :meth:`Session.undo` took back: the card, and whether it was an answer, a
    burial or a suspension ("answer", "bury", "suspend")."""

    card: Card
    what: str


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
        self._undo: list[_Undo | _Hidden] = []
        """The sitting's answers, burials and suspensions, the last last: undo takes back
        the last one first, whatever it was."""
        self.answers: list[Answer] = []
        self.leeches: list[Card] = []
        self._removed: set[str] = set()
        """Cards buried or suspended in this sitting: no undo brings them back."""
        self._deck_ids: frozenset[str] | None = None
        """The deck's card ids, made once per deck (each answer checks today's log)."""
        self.queue = self._build()
        self.total = len(self.queue)

    def _build(self) -> list[QueueItem]:
        p = today_plan(self.store, self.deck, self.today, self.settings)
        by_id = self.deck.cards_by_id(it.card_id for it in p.queue)  # only these are built
        self._new_ids = {it.card_id for it in p.queue if p.status.get(it.card_id) == "new"}
        return [QueueItem(by_id[it.card_id], it.repeat) for it in p.queue]

    def _catch_up(self) -> None:
        """Another studydeck on this store may have studied since this queue was built: a
        card it answered today leaves this queue (same-day repeats stay), and the day's
        new-card limit counts its new cards too."""
        done = self.store.scheduled_today(self.today)
        queue = [it for it in self.queue if it.repeat or it.card.id not in done]
        if any(it.card.id in self._new_ids and not it.repeat for it in queue) and (
            sum(a.was_new for a in _today_log(self.store, self.today, self._ids))
            >= self.settings.new_per_day
        ):
            queue = [it for it in queue if it.repeat or it.card.id not in self._new_ids]
        self.queue = queue

    def _ids(self) -> frozenset[str]:
        # Tens of thousands of ids: made again on every answer, they cost more than the
        # rest of the answer.
        if self._deck_ids is None:
            self._deck_ids = frozenset(_deck_ids(self.store, self.deck, self.deck.card_keys()))
        return self._deck_ids

    def reload(self, deck: Deck) -> None:
        """Go on with the notes read again (after an edit): the queue is rebuilt from the
        store, and this sitting's answers, undo history and leeches are kept. Undo snapshots
        point at the new cards; a card that left the notes leaves them too."""
        self.deck = deck
        self._deck_ids = None
        by_id = deck.cards_by_id({i.card.id for u in self._undo for i in u.queue})
        for u in self._undo:
            u.queue = [replace(i, card=by_id[i.card.id]) for i in u.queue if i.card.id in by_id]
        self.queue = self._build()

    # -- what the UI shows ----------------------------------------------------------
    @property
    def current(self) -> QueueItem | None:
        return self.queue[0] if self.queue else None

    @property
    def done(self) -> int:
        return len(self.answers)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

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
        self._catch_up()
        return ans

    def _requeue(self, item: QueueItem) -> None:
        """A failed card comes back :data:`REPEAT_GAP` cards later, but never in front of a
        card a failed card was put in front of already while it waited: else, when every
        card shown is failed, the cards at the back would wait for ever (a small deck, all
        failed: the same three came round and round)."""
        q = self.queue
        last = max((i for i, it in enumerate(q) if it.passed), default=-1)
        # (the card was just answered: the next place is right after itself)
        first = max(1, last + 1)
        at = self._insert_apart(item, max(min(REPEAT_GAP, len(q)), first), first=first)
        if at + 1 < len(q):
            q[at + 1] = replace(q[at + 1], passed=True)

    def _insert_apart(self, item: QueueItem, at: int, first: int = 0) -> int:
        """Put ``item`` in the queue at ``at``, or the first place after it (else before it,
        down to ``first``) where neither neighbour is a card of the same paper: cards of one
        paper are never back to back, where possible (a trial's lapsed contribution came
        back just before its paper's critique: only the card before was looked at). Where
        no place is, at ``at``."""
        q, key = self.queue, item.card.paper.key

        def apart(p: int) -> bool:
            return (p == 0 or q[p - 1].card.paper.key != key) and (
                p == len(q) or q[p].card.paper.key != key
            )

        places = [*range(at, len(q) + 1), *range(at - 1, first - 1, -1)]
        place = next((p for p in places if apart(p)), at)
        q.insert(place, item)
        return place

    def undo(self) -> Undone | None:
        """Take back the last answer, burial or suspension of this session; its card comes
        back first (a trial's ``u`` after a suspension took back the grade before it, and
        left the card suspended)."""
        while self._undo:
            u = self._undo.pop()
            if isinstance(u, _Hidden):
                if u.how == "bury":
                    self.store.bury(u.card.id, u.before)
                else:
                    self.store.set_suspended(u.card.id, False)
                self._removed.discard(u.card.id)
                self.queue = list(u.queue)
                return Undone(u.card, u.how)
            if self.store.undo(u.answer.review_id) is None:
                continue
            self.queue = [it for it in u.queue if it.card.id not in self._removed]
            self.answers.pop()
            if self.leeches and self.leeches[-1].id == u.answer.card_id:
                self.leeches.pop()
            return Undone(self.queue[0].card, "answer")
        return None

    def bury(self) -> Card | None:
        """Hide the current card until tomorrow."""
        item = self.current
        if item is None:
            return None
        before = self.store.state(item.card.id).buried_until
        self.store.bury(item.card.id, self.today + timedelta(days=1))
        self._hide(item.card, "bury", before)
        return item.card

    def suspend(self) -> Card | None:
        item = self.current
        if item is None:
            return None
        self.store.set_suspended(item.card.id, True)
        self._hide(item.card, "suspend", None)
        return item.card

    def _hide(self, card: Card, how: str, before: date | None) -> None:
        """``card`` leaves the sitting (buried or suspended just now); undo brings it back."""
        self._undo.append(_Hidden(card, how, before, list(self.queue)))
        self._removed.add(card.id)
        self.queue = [it for it in self.queue if it.card.id != card.id]
        if card.id in self._new_ids:
            self._fill_new()

    def _fill_new(self) -> None:
        """A new card buried or suspended was not studied: its place among today's new
        cards goes to the next one the planner gives (as in Anki, and as home counts them),
        at the end of the queue (or the last place there that keeps it apart from its
        paper's cards)."""
        p = today_plan(self.store, self.deck, self.today, self.settings)
        have = {it.card.id for it in self.queue}
        more = [
            it.card_id
            for it in p.queue
            if not it.repeat and it.card_id not in have and p.status.get(it.card_id) == "new"
        ]
        by_id = self.deck.cards_by_id(more)
        for cid in more:
            self._insert_apart(QueueItem(by_id[cid], False), len(self.queue))
        self._new_ids.update(more)

    def summary(self) -> SessionSummary:
        p = today_plan(self.store, self.deck, self.today, self.settings)
        return SessionSummary(
            answered=self.done,
            cards=len({a.card_id for a in self.answers}),
            seconds=(self.clock() - self.started).total_seconds(),
            grades=dict(sorted(Counter(a.quality for a in self.answers).items())),
            due_tomorrow=p.due_tomorrow,
            leeches=[c.paper.title for c in self.leeches],
        )
