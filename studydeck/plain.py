"""The quiz, line by line on stdin/stdout: for ssh sessions and scripts (``quiz --plain``).

The time limit counts from the question to the answer (the choice, or Enter to reveal a
recall card), not the time spent reading the revealed answer. End of input (Ctrl-D) and
Ctrl-C end the quiz with the score so far.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TextIO, cast

from studydeck.quiz import LETTERS, Question, QuizAnswer, QuizResult, is_late
from studydeck.rendering import to_plain
from studydeck.safe import TerminalStream


class _Stop(Exception):
    """End of input or ``q``."""


def ask(prompt: str, stdin: TextIO, stdout: TextIO) -> str | None:
    """One line of input, stripped; None at end of input."""
    stdout.write(prompt)
    stdout.flush()
    line = stdin.readline()
    if not line:
        stdout.write("\n")
        return None
    return line.strip()


def _choose(q: Question, stdin: TextIO, stdout: TextIO) -> int | None:
    while True:
        reply = ask(f"answer 1-{len(q.options)} (s skip, q quit): ", stdin, stdout)
        if reply is None or reply.lower() == "q":
            raise _Stop
        if reply.lower() == "s":
            return None
        if reply.isdigit() and 1 <= int(reply) <= len(q.options):
            return int(reply) - 1
        if len(reply) == 1 and reply.upper() in LETTERS[: len(q.options)]:
            return LETTERS.index(reply.upper())
        stdout.write("   please type a number from the list\n")


def _knew_it(stdin: TextIO, stdout: TextIO) -> bool:
    """y or n, asked again until it is one of them (as a choice is)."""
    while True:
        reply = ask("did you know it? [y/n]: ", stdin, stdout)
        if reply is None or reply.lower() == "q":
            raise _Stop
        if reply.lower() in ("y", "yes", "n", "no"):
            return reply.lower().startswith("y")
        stdout.write("   please type y or n\n")


def prompt_text(q: Question) -> str:
    """The question as the terminal shows it: the paper it names as typed (the inline
    Markdown of :attr:`Question.prompt` escapes it), the clue quoted as readable text. The
    stream it is written to removes what a terminal would act on."""
    w = q.wording
    text = f"{w.before}{w.named}{w.after}"
    return f"{text}\n\n> {to_plain(w.quote)}" if w.quote else text


def _one(
    q: Question,
    total: int,
    stdin: TextIO,
    stdout: TextIO,
    time_limit: float | None,
    timer: Callable[[], float],
) -> QuizAnswer:
    w = stdout.write
    w(f"\n{q.number}/{total}  {prompt_text(q)}\n")
    if q.figure is not None:
        w(f"   figure: {q.figure.src}\n")
    start = timer()
    chosen: int | None = None
    if q.is_choice:
        for i, o in enumerate(q.options):
            w(f"   {i + 1}) {to_plain(o.text)}\n")
        if q.note:
            w(f"   ({q.note})\n")
        chosen = _choose(q, stdin, stdout)
        secs = timer() - start
        correct = chosen is not None and chosen == q.answer_index
    else:
        if ask("press Enter to see the answer (q quit): ", stdin, stdout) in (None, "q"):
            raise _Stop
        secs = timer() - start  # reading the answer is not part of the time
        w(f"   {to_plain(q.answer)}\n")
        correct = _knew_it(stdin, stdout)
    late = is_late(secs, time_limit)
    if late:
        w(f"   late ({secs:.0f} s > {time_limit:g} s): counted as missed\n")
    if q.is_choice and q.answer_index is not None:
        mark = "late" if late else ("right" if correct else "wrong")
        right = f"{q.answer_index + 1}) {to_plain(q.answer)}"
        w(f"   {mark}; the answer is {right}\n")
    return QuizAnswer(q, correct and not late, secs, chosen, late)


def run_plain(
    questions: Sequence[Question],
    stdin: TextIO,
    stdout: TextIO,
    time_limit: float | None = None,
    timer: Callable[[], float] = time.monotonic,
    on_answer: Callable[[QuizAnswer], None] | None = None,
) -> QuizResult:
    """Ask every question; ``q``, end of input or Ctrl-C stop early. Returns what was answered."""
    stdout = cast(TextIO, TerminalStream(stdout))  # notes reach the terminal as text only
    answers: list[QuizAnswer] = []
    interrupted = False
    try:
        for q in questions:
            ans = _one(q, len(questions), stdin, stdout, time_limit, timer)
            answers.append(ans)
            if on_answer is not None:
                on_answer(ans)
    except _Stop:
        pass
    except KeyboardInterrupt:
        interrupted = True
        stdout.write("\n(interrupted)\n")
    return _finish(QuizResult(answers, interrupted), stdout)


def _finish(result: QuizResult, stdout: TextIO) -> QuizResult:
    w = stdout.write
    total = len(result.answers)
    w(f"\nscore {result.score}/{total} in {result.seconds:.0f} s\n")
    for kw, (ok, n) in result.by_keyword().items():
        w(f"  {kw}: {ok}/{n}\n")
    if result.misses:
        w("missed:\n")
        for a in result.answers:
            if not a.correct:
                late = " (late)" if a.late else ""
                w(f"  {a.question.number}. {a.question.paper.title}{late}\n")
    return result
