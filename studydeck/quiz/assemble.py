"""One assembly path for a quiz (CLI, ``--plain`` and the TUI all use it): select the papers,
match the agenda, plan the questions (each built when first read)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studydeck.errors import StudydeckError, no_such_path
from studydeck.figures import FigureError, FigureFetcher, local_path
from studydeck.fileio import ReadRefused, read_regular
from studydeck.models import Deck, Figure, Paper
from studydeck.quiz.agenda import AgendaMatch
from studydeck.quiz.questions import CanShow, QuizQuestions, count_line, quiz_questions
from studydeck.quiz.selection import Added, Selection, select_papers


@dataclass(frozen=True)
class QuizPlan:
    selection: Selection
    papers: Sequence[Paper]
    """(Each made when read: see :class:`~studydeck.quiz.selection.PapersAt`.)"""
    matches: list[AgendaMatch]
    questions: QuizQuestions
    seed: int

    @property
    def summary(self) -> str:
        """``quiz: 12 questions from 4 papers (agenda), seed 7`` (no question built for it)."""
        planned = count_line(self.questions)
        return f"quiz: {planned} ({self.selection.describe()}), seed {self.seed}"

    def agenda_report(self) -> list[str]:
        return [m.report() for m in self.matches]


def plan_quiz(
    deck: Deck,
    sel: Selection,
    n: int,
    seed: int,
    added: Added | None = None,
    can_show: CanShow | None = None,
) -> QuizPlan:
    papers, matches = select_papers(deck, sel, added)
    if not papers:
        raise StudydeckError(
            f"no papers match the selection ({sel.describe()})",
            hint="try fewer filters; `studydeck cards` lists what there is",
        )
    questions = quiz_questions(deck, papers, n, seed, can_show)
    return QuizPlan(sel, papers, matches, questions, seed)


def figure_on_hand(fetcher: FigureFetcher, paper: Paper, figure: Figure) -> bool:
    """A figure we can show without waiting: a local file that exists, or a cached download.

    (``FigureFetcher.available_without_network`` says yes to any local path, even a
    missing file, so local files are checked here.)"""
    if figure.is_remote:
        return fetcher.available_without_network(figure)
    try:
        return local_path(figure.src, Path(paper.source)).is_file()
    except FigureError:
        return False


AGENDA_BYTES = 2**20
"""An agenda is a reading list: a megabyte is thousands of lines."""


def read_agenda(path: Path) -> list[str]:
    """The agenda's lines. Only a regular file is read, and at most :data:`AGENDA_BYTES` (a
    FIFO would hang the read, ``/dev/zero`` fill the memory)."""
    try:
        data = read_regular(path, AGENDA_BYTES)
        return data.decode("utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise no_such_path(path) from exc
    except ReadRefused as exc:
        raise StudydeckError(
            f"cannot read the agenda: {exc}", path=path, exit_code=2, hint="give a text file"
        ) from exc
    except UnicodeDecodeError as exc:
        raise StudydeckError(
            "cannot read the agenda: not UTF-8", path=path, exit_code=2, hint="save it as UTF-8"
        ) from exc
    except OSError as exc:
        raise StudydeckError(
            f"cannot read the agenda: {exc.strerror}",
            path=path,
            exit_code=2,
            hint="give a text file you can read",
        ) from exc
