"""The quiz, line by line on stdin/stdout: for ssh sessions and scripts (``quiz --plain``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from studydeck.quiz import LETTERS, Question, QuizAnswer, QuizResult
from studydeck.rendering import to_plain
from studydeck.safe import terminal


def _ask(prompt: str, stdin: TextIO, stdout: TextIO) -> str | None:
    stdout.write(prompt)
    stdout.flush()
    line = stdin.readline()
    if not line:
        return None  # end of input
    return line.strip()


def run_plain(
    questions: list[Question],
    stdin: TextIO,
    stdout: TextIO,
    time_limit: float | None = None,
    timer: Callable[[], float] = time.monotonic,
    on_answer: Callable[[QuizAnswer], None] | None = None,
) -> QuizResult:
    """Ask every question; ``q`` or end of input stops early. Returns what was answered."""
    answers: list[QuizAnswer] = []

    def w(text: str) -> None:
        stdout.write(terminal(text))  # titles, links and notes reach the terminal as text

    for q in questions:
        w(f"\n{q.number}/{len(questions)}  {to_plain(q.prompt)}\n")
        if q.figure is not None:
            w(f"   figure: {q.figure.src}\n")
        start = timer()
        chosen: int | None = None
        if q.is_choice:
            for i, o in enumerate(q.options):
                w(f"   {i + 1}) {to_plain(o.text)}\n")
            if q.note:
                w(f"   ({q.note})\n")
            while True:
                reply = _ask(f"answer 1-{len(q.options)} (s skip, q quit): ", stdin, stdout)
                if reply is None or reply.lower() == "q":
                    return _finish(answers, stdout)
                if reply.lower() == "s":
                    break
                if reply.isdigit() and 1 <= int(reply) <= len(q.options):
                    chosen = int(reply) - 1
                    break
                if len(reply) == 1 and reply.upper() in LETTERS[: len(q.options)]:
                    chosen = LETTERS.index(reply.upper())
                    break
                w("   please type a number from the list\n")
            correct = chosen == q.answer_index
        else:
            if _ask("press Enter to see the answer (q quit): ", stdin, stdout) in (None, "q"):
                return _finish(answers, stdout)
            w(f"   {to_plain(q.answer)}\n")
            reply = _ask("did you know it? [y/n]: ", stdin, stdout)
            if reply is None:
                return _finish(answers, stdout)
            correct = reply.lower().startswith("y")
        secs = timer() - start
        late = time_limit is not None and secs > time_limit
        if late:
            correct = False
        ans = QuizAnswer(q, correct, secs, chosen)
        answers.append(ans)
        if on_answer is not None:
            on_answer(ans)
        if late:
            w(f"   time's up ({secs:.0f} s > {time_limit:g} s)\n")
        if q.is_choice:
            mark = "right" if correct else "wrong"
            w(
                f"   {mark}: {q.paper.title}"
                + (
                    ""
                    if correct or q.answer_index is None
                    else f" ({q.answer_index + 1}) {to_plain(q.answer)[:80]}"
                )
                + "\n"
            )
    return _finish(answers, stdout)


def _finish(answers: list[QuizAnswer], stdout: TextIO) -> QuizResult:
    result = QuizResult(answers)
    w = stdout.write
    total = len(answers)
    w(f"\nscore {result.score}/{total} in {result.seconds:.0f} s\n")
    for kw, (ok, n) in result.by_keyword().items():
        w(f"  {kw}: {ok}/{n}\n")
    if result.misses:
        w("missed:\n")
        for q in result.misses:
            w(f"  {q.number}. {q.paper.title}\n")
    return result
