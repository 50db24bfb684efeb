"""The fast paths of ``stats --json`` and home's counts give what the straightforward
computation gives: py-fsrs's constants held without importing it, and the planner's
per-distinct-row classification."""

from __future__ import annotations

from studydeck import fsrs_scheduler


def test_the_held_fsrs_defaults_are_the_installed_py_fsrs_defaults() -> None:
    """``stats`` and a warm start do not import py-fsrs for its default parameters; the copy
    held instead must be what py-fsrs itself starts from."""
    from fsrs import Scheduler

    assert tuple(Scheduler().parameters) == fsrs_scheduler.DEFAULT_PARAMETERS
    assert fsrs_scheduler.FsrsSettings().parameters == tuple(Scheduler().parameters)


def test_each_grade_is_rated_as_before_the_lazy_import() -> None:
    from fsrs import Rating

    expected = [Rating.Again, Rating.Again, Rating.Again, Rating.Hard, Rating.Good, Rating.Easy]
    assert [fsrs_scheduler.rating(g) for g in range(6)] == expected
