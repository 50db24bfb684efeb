"""The quiz, read from a lazy cached deck through its columns, is exactly the quiz the old
path (every Paper and Card built, one sort per question) gave: pinned question by question
(papers, order, kinds, prompts, options and where the answer is) for fixed decks, selections
and seeds. The pins were written by the code of main at 9b07b0a, before the quiz read
columns (``python -m tests.test_quiz_fast_golden`` with that checkout first on PYTHONPATH).
The ``texts`` digests were rewritten when options quoting contributions stopped being
masked each with its own paper's names (fix-mask): every other pin was unchanged.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from studydeck.deck import load
from studydeck.errors import StudydeckError
from studydeck.loading import open_deck
from studydeck.models import Deck, Figure, Paper
from studydeck.quiz import Selection, plan_quiz
from studydeck.store import Store

DATA = Path(__file__).parent / "quiz_golden"
GOLDEN = DATA / "golden.json"
DECKS = ("generated.md", "local_figures.md", "bundled.md", "tiny.md")
SEEDS = (1, 7, 42)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def can_show(p: Paper, f: Figure) -> bool:
    """Some figures can be shown, some not (a rule of the text only: the same in every run)."""
    return len(f.src) % 3 != 0


def selections(deck: Deck) -> list[dict[str, Any]]:
    """Every kind of selection, made from what the deck holds."""
    ps = deck.papers
    kw = next(k for p in ps for k in p.keywords)
    year = next(p.year for p in ps if p.year is not None)
    with_url = [p for p in ps if p.url][:1]
    agenda = [
        ps[min(3, len(ps) - 1)].title,
        "# a comment",
        "",
        ps[-1].title.upper(),
        "nothing like any title at all",
        *(f"- [{p.title}]({p.url})" for p in with_url),
    ]
    return [
        {},
        {"keywords": [kw]},
        {"keywords": [kw[:2]]},
        {"year": year},
        {"since": year},
        {"section": ps[-1].section[-3:]},
        {"recent": 4},
        {"agenda": agenda},
        {"keywords": [kw], "since": year - 3},
    ]


def added(deck: Deck) -> dict[str, str]:
    """When the store first saw some papers: every third, on one of three days."""
    return {p.key: f"2026-0{1 + i % 3}-01" for i, p in enumerate(deck.papers) if i % 3 == 0}


def fingerprint(deck: Deck, sel: dict[str, Any], n: int, seed: int) -> dict[str, Any]:
    plan = plan_quiz(deck, Selection(**sel), n, seed, added(deck), can_show)
    qs = plan.questions
    return {
        "papers": [len(plan.papers), _digest([p.key for p in plan.papers])],
        "agenda": plan.agenda_report(),
        "summary": plan.summary,
        # Who is asked, as what, among whom (readable when a pin fails) ...
        "questions": [
            [
                q.number,
                q.kind.value,
                q.card.id,
                [o.paper_key for o in q.options],
                q.answer_index,
                q.figure.src if q.figure else None,
            ]
            for q in qs
        ],
        # ... and every text shown, as one digest.
        "texts": _digest(
            [[q.prompt, [o.text for o in q.options], q.answer, q.note, q.clue] for q in qs]
        ),
    }


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def cases(deck: Deck) -> list[tuple[dict[str, Any], int, int]]:
    return [(sel, n, seed) for sel in selections(deck) for n in (6, 20) for seed in SEEDS]


def parsed(name: str) -> Deck:
    return load([DATA / name])


def cached(name: str, tmp: Path) -> Deck:
    """The deck as the cache gives it back (lazy: Papers and Cards made when read)."""
    notes = tmp / name
    notes.write_text((DATA / name).read_text(encoding="utf-8"), encoding="utf-8")
    with Store.open(tmp / "store.db") as store:
        open_deck(store, [notes], NOW)
        deck, _ = open_deck(store, [notes], NOW)
    assert type(deck).__name__ == "_CachedDeck"
    return deck


def run_all(deck: Deck) -> list[dict[str, Any]]:
    out = []
    for sel, n, seed in cases(deck):
        try:
            got = fingerprint(deck, sel, n, seed)
        except StudydeckError as exc:  # (pinned too: no papers match)
            got = {"error": f"{type(exc).__name__}: {exc}"}
        out.append({"selection": sel, "n": n, "seed": seed, "quiz": got})
    return out


def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", DECKS)
def test_a_parsed_deck_gives_the_pinned_quizzes(name: str) -> None:
    want = golden()[name]
    assert run_all(parsed(name)) == want


@pytest.mark.parametrize("name", DECKS)
def test_a_cached_lazy_deck_gives_the_pinned_quizzes(name: str, tmp_path: Path) -> None:
    want = golden()[name]
    assert run_all(cached(name, tmp_path)) == want


if __name__ == "__main__":  # writes the pins: run with the old code first on PYTHONPATH
    GOLDEN.write_text(
        json.dumps({name: run_all(parsed(name)) for name in DECKS}, ensure_ascii=False, indent=None)
        + "\n",
        encoding="utf-8",
    )
