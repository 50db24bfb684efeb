"""Readiness for a meeting: for each quizzed paper, how likely you are to recall it then.

The forgetting curve is exponential, with the SM-2 interval as the time to 90 % recall:
a card last reviewed on day ``L`` with interval ``I`` days is recalled on the meeting day
``M`` with probability ``0.9 ** ((M - L) / I)``, halved when that last review was a lapse
(graded below 3). A paper's predicted recall is the mean over its reviewed cards, halved
for each quiz miss on the paper since its last review. In plain words: *not yet studied*
(no card reviewed), *likely to recall* (predicted recall of 80 % or more), else *shaky*.
Order, weakest first: shaky papers (lowest recall first: you read them and they are
slipping, so re-read these first), then papers not yet studied, then the likely ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from studydeck.models import Deck, Paper
from studydeck.safe import markdown_text
from studydeck.store import CardState, ReviewRow

LIKELY = 0.8
TARGET = 0.9

NOT_STUDIED, SHAKY, LIKELY_TO_RECALL = "not yet studied", "shaky", "likely to recall"


@dataclass(frozen=True)
class Readiness:
    paper: Paper
    recall: float
    """Predicted recall on the meeting day, 0..1."""
    status: str
    lapses: int
    quiz_misses: int

    def describe(self) -> str:
        if self.status == NOT_STUDIED:
            why = "never reviewed"
        else:
            why = f"about {round(self.recall * 100)} % chance to recall it"
        extra = []
        if self.lapses:
            extra.append(f"forgotten {_times(self.lapses)} in review")
        if self.quiz_misses:
            extra.append(f"missed {_times(self.quiz_misses)} in quizzes since")
        return why + ("; " + ", ".join(extra) if extra else "")


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def card_recall(state: CardState, last: ReviewRow, meeting: date) -> float:
    interval = max(1, state.sm2.interval)
    days = max(0, (meeting - last.day).days)
    lapsed = 0.5 if last.quality < 3 else 1.0
    return float(TARGET ** (days / interval)) * lapsed


def readiness(
    papers: Sequence[Paper],
    deck: Deck,
    states: Mapping[str, CardState],
    history: Sequence[ReviewRow],
    misses: Sequence[tuple[str, datetime]] = (),
    meeting: date | None = None,
) -> list[Readiness]:
    """``papers`` (the quizzed ones) weakest first, predicted at ``meeting`` (default: the
    last review day seen, so pass it)."""
    last: dict[str, ReviewRow] = {}
    for r in history:
        last[r.card_id] = r
    when = meeting or max((r.day for r in history), default=date.min)
    cards: dict[str, list[str]] = defaultdict(list)
    for card_id, paper_key in deck.card_keys():  # (no Card made)
        cards[paper_key].append(card_id)
    out = []
    for p in papers:
        ids = cards.get(p.key, [])
        seen = [i for i in ids if i in last and i in states]
        lapses = sum(states[i].lapses for i in ids if i in states)
        recall = sum(card_recall(states[i], last[i], when) for i in seen) / max(1, len(seen))
        last_at = max((last[i].at for i in seen), default=None)
        n_miss = sum(1 for k, at in misses if k == p.key and (last_at is None or at > last_at))
        recall *= 0.5**n_miss
        status = NOT_STUDIED if not seen else LIKELY_TO_RECALL if recall >= LIKELY else SHAKY
        out.append(Readiness(p, round(recall, 4), status, lapses, n_miss))
    group = {SHAKY: 0, NOT_STUDIED: 1, LIKELY_TO_RECALL: 2}
    out.sort(key=lambda r: (group[r.status], r.recall, r.paper.title))
    return out


def readiness_markdown(ready: Sequence[Readiness], meeting: date) -> str:
    lines = [
        f"# Readiness for the meeting on {meeting.isoformat()}",
        "",
        "Weakest first. Predicted recall: an exponential forgetting curve with the review",
        "interval as the time to 90 % recall; each quiz miss since the last review halves it.",
        "",
    ]
    for i, r in enumerate(ready, start=1):
        lines.append(f"{i}. **{r.status}** — {markdown_text(r.paper.title)} ({r.describe()})")
    return "\n".join(lines) + "\n"
