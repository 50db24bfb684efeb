"""Quizzes for the hour before a group meeting: selection and agenda matching, questions
(kinds, similar-paper distractors, masking), results, readiness, handouts and a briefing
sheet. Randomness takes a seed; nothing here touches SM-2."""

from __future__ import annotations

from studydeck.quiz.agenda import AgendaMatch, match_agenda, match_agenda_line
from studydeck.quiz.assemble import QuizPlan, plan_quiz
from studydeck.quiz.questions import (
    LETTERS,
    MAX_OPTIONS,
    CanShow,
    Option,
    Question,
    QuestionKind,
    QuizQuestions,
    build_quiz,
    count_line,
    quiz_questions,
)
from studydeck.quiz.readiness import Readiness, readiness
from studydeck.quiz.results import QuizAnswer, QuizResult, is_late
from studydeck.quiz.selection import Selection, select_papers

__all__ = [
    "LETTERS",
    "MAX_OPTIONS",
    "AgendaMatch",
    "CanShow",
    "Option",
    "Question",
    "QuestionKind",
    "QuizAnswer",
    "QuizPlan",
    "QuizQuestions",
    "QuizResult",
    "Readiness",
    "Selection",
    "build_quiz",
    "count_line",
    "is_late",
    "match_agenda",
    "match_agenda_line",
    "plan_quiz",
    "quiz_questions",
    "readiness",
    "select_papers",
]
