"""The review store: one SQLite file, split by job.

* :mod:`.schema` — migrations, one function each; :mod:`.base` — opening, transactions, errors;
* :mod:`.cache` — the parsed-deck cache; :mod:`.reconcile` — notes → papers and cards;
* :mod:`.answers` — card states, answers (one transaction each), undo, bury, suspend;
* :mod:`.log` — reading the review log; :mod:`.quiz_log` — quiz answers (never scheduling);
* :mod:`.corrections` — the user's corrections of the critique classifier.
* :mod:`.anki_state` — GUIDs, note content times, reviews pulled from Anki.

Rows are read by name (``sqlite3.Row``). Scheduling rules live in
:mod:`studydeck.scheduling`, rename matching in :mod:`studydeck.identity`: the store stores.
"""

from __future__ import annotations

from studydeck.scheduling import CardState
from studydeck.store.anki_state import AnkiState, PulledReview
from studydeck.store.answers import Answer, Answers
from studydeck.store.cache import DeckCache
from studydeck.store.corrections import CorrectionLog
from studydeck.store.log import ReviewLog, ReviewRow
from studydeck.store.quiz_log import QuizLog
from studydeck.store.reconcile import Reconciler, ReconcileReport
from studydeck.store.schema import SCHEMA_VERSION


class Store(DeckCache, Reconciler, Answers, ReviewLog, QuizLog, CorrectionLog, AnkiState):
    """An open review store. Use :meth:`open`; close it (or use ``with``)."""


__all__ = [
    "SCHEMA_VERSION",
    "Answer",
    "CardState",
    "PulledReview",
    "ReconcileReport",
    "ReviewRow",
    "Store",
]
