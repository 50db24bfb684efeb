"""A quiz's answers: score, misses, per keyword, rows for the quiz log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from studydeck.quiz.questions import Question
from studydeck.wording import plural


@dataclass(frozen=True)
class QuizAnswer:
    question: Question
    correct: bool
    seconds: float
    chosen: int | None = None
    late: bool = False
    """Answered after the time limit: counted as missed."""


@dataclass
class QuizResult:
    answers: list[QuizAnswer]
    interrupted: bool = False
    """Stopped by Ctrl-C (the CLI exits 130)."""

    @property
    def score(self) -> int:
        return sum(a.correct for a in self.answers)

    @property
    def seconds(self) -> float:
        return sum(a.seconds for a in self.answers)

    @property
    def misses(self) -> list[Question]:
        return [a.question for a in self.answers if not a.correct]

    def by_keyword(self) -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for a in self.answers:
            for k in a.question.paper.keywords or ("(no keyword)",):
                out[k][0] += a.correct
                out[k][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(out.items())}

    def log_rows(self) -> list[tuple[str, str, str, bool, float]]:
        return [
            (
                a.question.card.id,
                a.question.paper.key,
                a.question.kind.value,
                a.correct,
                round(a.seconds, 2),
            )
            for a in self.answers
        ]


def is_late(seconds: float, time_limit: float | None) -> bool:
    """The one rule for a late answer: more than the limit from question to answer."""
    return time_limit is not None and seconds > time_limit


def sent_line(sent: int, missed: int) -> str:
    """What sending a quiz's ``missed`` cards to tomorrow's review did: ``sent`` of them
    are due tomorrow, the others were due by then already (a card is never put later)."""
    if not missed:
        return "No misses to send"
    line = f"{plural(sent, 'missed card')} {'is' if sent == 1 else 'are'} due tomorrow"
    if sent < missed:
        rest = missed - sent
        line += f"; {plural(rest, 'other')} {'was' if rest == 1 else 'were'} due by then already"
    return line
