"""``quiz --plain`` as a user meets it: time limits, Ctrl-D, Ctrl-C, words not internals."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from studydeck.deck import load
from studydeck.plain import run_plain
from studydeck.quiz import QuestionKind, build_quiz

from .conftest import SEED, run_studydeck, table


class Clock:
    """A timer the test moves: each read returns the next value."""

    def __init__(self, *times: float) -> None:
        self.times = list(times)

    def __call__(self) -> float:
        return self.times.pop(0)


@pytest.fixture(scope="module")
def deck():
    return load([SEED])


def first(deck, kind: QuestionKind):
    for seed in range(50):
        for q in build_quiz(deck, list(deck.papers), 30, seed):
            if q.kind is kind:
                return q
    raise AssertionError(kind)


def test_a_right_but_late_choice_is_late_and_shows_the_answer(deck) -> None:
    q = first(deck, QuestionKind.CONTRIBUTION_TO_PAPER)
    out = io.StringIO()
    stdin = io.StringIO(f"{q.answer_index + 1}\n")
    result = run_plain([q], stdin, out, time_limit=10, timer=Clock(0.0, 12.0))
    text = out.getvalue()
    assert "late (12 s > 10 s): counted as missed" in text
    assert f"late; the answer is {q.answer_index + 1}) {q.answer}" in text
    assert "wrong" not in text
    assert result.score == 0 and result.answers[0].late


def test_a_wrong_choice_names_the_right_one_as_the_answer(deck) -> None:
    """Not "wrong: 2) ...", which reads as the choice made."""
    q = first(deck, QuestionKind.CONTRIBUTION_TO_PAPER)
    out = io.StringIO()
    wrong = (q.answer_index + 1) % len(q.options)
    run_plain([q], io.StringIO(f"{wrong + 1}\n"), out, time_limit=None, timer=Clock(0.0, 2.0))
    assert f"   wrong; the answer is {q.answer_index + 1}) {q.answer}\n" in out.getvalue()


def test_reading_a_recall_answer_does_not_count(deck) -> None:
    q = first(deck, QuestionKind.FLIP)
    out = io.StringIO()
    # Enter at 3 s (reveal), the answer is read until 60 s: 3 s count, within 10 s.
    result = run_plain([q], io.StringIO("\ny\n"), out, time_limit=10, timer=Clock(0.0, 3.0))
    assert result.score == 1 and result.answers[0].seconds == 3.0
    assert "late" not in out.getvalue()


def test_end_of_input_and_words_not_internal_names(deck) -> None:
    qs = build_quiz(deck, list(deck.papers), 3, seed=4)
    out = io.StringIO()
    wrong = (qs[0].answer_index + 1) % len(qs[0].options) + 1 if qs[0].is_choice else None
    stdin = io.StringIO(f"{wrong}\n" if wrong else "\nn\n")  # then Ctrl-D
    result = run_plain(qs, stdin, out)
    text = out.getvalue()
    assert "score 0/1" in text and "missed:" in text
    assert not any(k.value in text for k in QuestionKind if "->" in k.value)
    assert "(flip)" not in text and not result.interrupted


def test_ctrl_c_keeps_the_score(deck) -> None:
    qs = build_quiz(deck, list(deck.papers), 3, seed=4)

    class Interrupting(io.StringIO):
        def readline(self, *a: object) -> str:
            raise KeyboardInterrupt

    out = io.StringIO()
    result = run_plain(qs, Interrupting(), out)
    assert result.interrupted and "score 0/0" in out.getvalue()


def run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_studydeck(
        tmp_path, "quiz", str(SEED), "--db", str(tmp_path / "s.db"), *args, stdin=stdin
    )


@pytest.mark.parametrize(
    "args", [("--time-limit", "-5"), ("--time-limit", "0"), ("-n", "0"), ("--meeting", "soon")]
)
def test_invalid_values_exit_2(tmp_path: Path, args: tuple[str, str]) -> None:
    r = run(tmp_path, "--plain", *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert args[1] in r.stderr.splitlines()[-1]


def test_end_of_input_at_once_is_a_clean_exit(tmp_path: Path) -> None:
    r = run(tmp_path, "--plain", "-n", "3", "--seed", "2", stdin="")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert "score 0/0" in r.stdout


def test_a_recall_reply_other_than_y_or_n_is_asked_again() -> None:
    import io

    from studydeck.plain import _knew_it

    out = io.StringIO()
    assert _knew_it(io.StringIO("maybe\n\nyes\n"), out) is True
    assert out.getvalue().count("please type y or n") == 2
    assert _knew_it(io.StringIO("N\n"), io.StringIO()) is False


def test_the_quiz_command_turns_the_collector_back_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """``quiz`` pauses the cyclic GC while it reads the deck and plans; a sheet, a refusal
    and the plain quiz (a session of answers, with the collector on while it runs) must all
    leave it on."""
    import gc

    from studydeck import cli, plain

    db = str(tmp_path / "s.db")
    assert gc.isenabled()
    assert (
        cli.main(["quiz", "-n", "2", "--seed", "1", str(SEED), "--db", db, "--handout", "md"]) == 0
    )
    assert "# " in capsys.readouterr().out
    assert gc.isenabled()
    assert cli.main(["quiz", str(tmp_path / "missing.md"), "--db", db]) != 0
    assert "missing.md" in capsys.readouterr().err
    assert gc.isenabled()
    during: list[bool] = []

    def answered(questions, stdin, stdout, time_limit, on_answer=None):  # type: ignore[no-untyped-def]
        during.append(gc.isenabled())
        return run_plain(questions, io.StringIO(""), stdout, time_limit, on_answer=on_answer)

    monkeypatch.setattr(plain, "run_plain", answered)
    cli.main(["quiz", "-n", "1", "--seed", "1", str(SEED), "--db", db, "--plain"])
    assert during == [True]
    assert gc.isenabled()


def test_plain_quiz_shows_the_paper_named_as_typed_not_markdown_escaped(notes) -> None:
    """The terminal shows note text as typed (only what a terminal acts on removed): the
    title a question names is not the Markdown-escaped form the app renders."""
    from .conftest import table
    from .test_hostile_text import has_control

    titles = ("<script>alert(1)</script> XSS Paper", "Runner & Hook", "C++ #1 - under_score!")
    rows = [f"| 2019 | {t} | k | c{i}：一种方法 | | 缺点是慢{i} |" for i, t in enumerate(titles)]
    deck = load([notes(table(*rows))])
    questions = [
        q for s in range(6) for q in build_quiz(deck, deck.papers, 6, s) if q.wording.named
    ]
    out = io.StringIO()
    run_plain(questions, io.StringIO("s\n\ny\n" * len(questions)), out)
    shown = out.getvalue()
    assert not has_control(shown) and "\\" not in shown
    for q in questions:
        assert f"{q.wording.before}{q.wording.named}{q.wording.after}\n" in shown
    assert {q.paper.title for q in questions} == set(titles)
    assert " — <script>alert(1)</script> XSS Paper (2019)\n" in shown


def test_a_plain_quiz_asks_no_figure_question(tmp_path: Path) -> None:
    """A line-by-line quiz cannot show a figure: a trial's was asked "which paper is this
    figure from?" over a bare file name, which a named file would answer by itself. The same
    notes in the app do get figure questions."""
    (tmp_path / "resnet-architecture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    rows = [
        f"| 20{10 + i} | Paper {n} about restoration | 图像复原 | 方法{n}把图像复原做得更好更快 "
        "| ![f](resnet-architecture.png) | |"
        for i, n in enumerate("ABCD")
    ]
    notes = tmp_path / "notes.md"
    notes.write_text(table(*rows), encoding="utf-8")
    for seed in range(6):
        more = ("--seed", str(seed), "--db", str(tmp_path / "s.db"))
        r = run_studydeck(
            tmp_path, "quiz", str(notes), "--plain", "-n", "8", *more, stdin="1\ny\n" * 40
        )
        assert r.returncode == 0, r.stderr
        assert "score" in r.stdout and "figure" not in r.stdout.casefold()
        assert "resnet" not in r.stdout.casefold()
    # (the same notes where a figure can be shown: figure questions)
    deck = load([notes])
    assert any(
        q.kind is QuestionKind.FIGURE_TO_PAPER
        for s in range(6)
        for q in build_quiz(deck, list(deck.papers), 8, s)
    )
