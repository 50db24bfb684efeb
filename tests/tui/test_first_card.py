"""A review's first card is painted before what it does not show yet is made: the grade
buttons are made when the answer is first revealed, and then work as before."""

from __future__ import annotations

from textual.widgets import Button

from studydeck.config import Settings

from ..conftest import SEED


async def test_the_grade_buttons_are_made_on_the_first_reveal_and_grade(make_app) -> None:
    app = make_app([SEED], start="review", settings=Settings(new_per_day=3))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.session.current is not None
        # The first card is on screen, without a single grade button behind it.
        assert not screen.query(Button)
        assert not screen.query_one("#grade-bar").display
        await pilot.press("space")
        await pilot.pause()
        labels = [str(b.label) for b in screen.query("#grade-bar Button")]
        assert labels == [*"012345", "Again (a)", "Hard (h)", "Good (g)", "Easy (E)"]
        assert screen.query_one("#grade-bar").display
        await pilot.click("#anki-easy")
        await pilot.pause()
        assert [r.quality for r in app.ctx.store.reviews()] == [5]
        # The next card hides the bar again; shown again, it keeps the same ten buttons.
        assert not screen.query_one("#grade-bar").display
        await pilot.press("space")
        await pilot.pause()
        assert len(screen.query("#grade-bar Button")) == 10
        await pilot.click("#grade-2")
        await pilot.pause()
        assert [r.quality for r in app.ctx.store.reviews()] == [5, 2]
