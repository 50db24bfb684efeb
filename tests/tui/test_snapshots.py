"""Screens as the user sees them at 100x30 (pytest-textual-snapshot).

Update after an intended change with: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from studydeck.config import Settings

from ..conftest import SEED

SIZE = (100, 30)


async def counted(pilot) -> None:
    """Home's and stats' figures are made in a worker once the screen has painted: wait
    for them before the picture."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert pilot.app.screen.counted


def test_home(snap_compare, make_app) -> None:
    assert snap_compare(make_app([SEED]), terminal_size=SIZE, run_before=counted)


def test_review_front(snap_compare, make_app) -> None:
    assert snap_compare(make_app([SEED], start="review"), terminal_size=SIZE)


def test_review_back(snap_compare, make_app) -> None:
    assert snap_compare(make_app([SEED], start="review"), press=["space"], terminal_size=SIZE)


def test_summary(snap_compare, make_app) -> None:
    app = make_app([SEED], start="review", settings=Settings(new_per_day=3))
    assert snap_compare(app, press=["space", "5", "space", "4", "space", "5"], terminal_size=SIZE)


def test_browse(snap_compare, make_app) -> None:
    assert snap_compare(make_app([SEED]), press=["b"], terminal_size=SIZE)


def test_stats(snap_compare, make_app) -> None:
    app = make_app([SEED], start="review", settings=Settings(new_per_day=3))

    async def review_then_stats(pilot) -> None:
        await pilot.press("space", "5", "space", "1", "escape", "s")
        await counted(pilot)

    assert snap_compare(app, run_before=review_then_stats, terminal_size=SIZE)


def test_quiz_question(snap_compare, make_app) -> None:
    from studydeck.deck import load
    from studydeck.quiz import Selection, build_quiz, select_papers
    from studydeck.tui.app import QuizLaunch

    deck = load([SEED])
    papers, _ = select_papers(deck, Selection(keywords=["图像复原"]))
    app = make_app([SEED], start="quiz")
    app.ctx.quiz = QuizLaunch(build_quiz(deck, papers, 3, seed=6), 6, "keyword 图像复原")
    # a recall card answered "knew it", then a multiple-choice question answered with 1
    assert snap_compare(app, press=["space", "y", "space", "1"], terminal_size=SIZE)
