"""The review log in FSRS's shape: CSV for the FSRS tools, and fitting FSRS's parameters.

FSRS tools want an integer card id, the review time in epoch milliseconds (UTC), the rating
1–4 (Again..Easy, the same grade mapping the scheduler uses) and the duration in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

from studydeck import digests
from studydeck.fsrs_scheduler import rating
from studydeck.store import ReviewRow

MIN_REVIEWS = 400
"""Fewer answers than this and fitted parameters are mostly noise; keep the defaults."""


def numeric_card_id(card_id: str) -> int:
    """A stable positive 63-bit integer for a card id."""
    return int.from_bytes(digests.blake2b(card_id.encode(), digest_size=8).digest()) >> 1


def csv_rows(answers: Iterable[tuple[str, str, int, int]]) -> Iterator[tuple[int, int, int, int]]:
    """``studydeck log --csv``'s rows (``card_id, review_time, review_rating,
    review_duration``) of answers as :meth:`~studydeck.store.log.ReviewLog.answer_times`
    gives them (UTC times), one at a time."""
    for card_id, at, quality, ms in answers:
        since = datetime.fromisoformat(at) - EPOCH
        yield numeric_card_id(card_id), since // MILLISECOND, int(rating(quality)), ms


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)


def optimizer_available() -> bool:
    """py-fsrs's optimizer is an extra: without torch and pandas, ``fsrs.Optimizer`` imports
    but is a stub that raises when made."""
    from importlib.util import find_spec

    return all(find_spec(m) is not None for m in ("torch", "pandas"))


def fit_parameters(rows: Sequence[ReviewRow]) -> list[float]:
    """FSRS's parameters fitted to ``rows`` with py-fsrs's optimizer (an optional extra,
    ``fsrs[optimizer]``: ``ImportError`` without it)."""
    from fsrs import Optimizer, ReviewLog

    logs = [
        ReviewLog(
            card_id=numeric_card_id(r.card_id),
            rating=rating(r.quality),
            review_datetime=r.at.astimezone(UTC),
            review_duration=r.duration_ms,
        )
        for r in rows
    ]
    return [float(x) for x in Optimizer(logs).compute_optimal_parameters()]
