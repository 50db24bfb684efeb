"""Readiness in plain words, predicted on the meeting day, weakest first, quizzed papers only."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from studydeck.loading import open_deck
from studydeck.quiz import readiness
from studydeck.quiz.readiness import card_recall
from studydeck.store import Store

from .conftest import ROOT, SEED, env_without_user_dirs

T0 = datetime(2026, 1, 1, 9, tzinfo=UTC)


def test_lapses_and_quiz_misses_rank_before_never_studied_and_strong(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        deck, _ = open_deck(store, [SEED], T0)
        contribution = {c.paper.title: c for c in deck.cards if c.kind.value == "contribution"}
        strong, lapsed, missed, never = (
            contribution[t]
            for t in (
                "Layer Normalization",
                "einops",
                "Multi-Stage Progressive Image Restoration",
                "Runner & Hook",
            )
        )
        day = date(2026, 1, 1)
        for i, q in enumerate((5, 5, 5)):  # three good reviews: a long interval
            store.record_answer(strong.id, q, now=T0 + timedelta(days=i), today=day + timedelta(i))
            store.record_answer(missed.id, q, now=T0 + timedelta(days=i), today=day + timedelta(i))
        for i in range(3):
            store.record_answer(lapsed.id, 1, now=T0 + timedelta(days=i), today=day + timedelta(i))
        # Later, a quiz misses MPRNet.
        store.log_quiz("q1", [(missed.id, missed.paper.key, "flip", False, 3.0)], T0 + timedelta(4))
        papers = [strong.paper, lapsed.paper, missed.paper, never.paper]
        ranked = readiness(
            papers, deck, store.states(), store.reviews(), store.quiz_misses(), date(2026, 1, 6)
        )
    assert [(r.paper.title, r.status) for r in ranked] == [
        ("einops", "shaky"),
        ("Multi-Stage Progressive Image Restoration", "shaky"),
        ("Runner & Hook", "not yet studied"),
        ("Layer Normalization", "likely to recall"),
    ]
    assert ranked[0].lapses == 3 and ranked[1].quiz_misses == 1
    assert "forgotten 3 times in review" in ranked[0].describe()
    assert ranked[3].recall >= 0.8 > ranked[1].recall


def test_forgetting_curve_reaches_90_percent_at_the_interval() -> None:
    from studydeck.scheduling import Sm2State
    from studydeck.store import CardState, ReviewRow

    state = CardState(Sm2State(repetitions=3, easiness=2.5, interval=10, due=date(2026, 1, 11)))
    last = ReviewRow("c", "p", "contribution", T0, date(2026, 1, 1), 5, 0, False, False)
    assert card_recall(state, last, date(2026, 1, 11)) == pytest.approx(0.9)
    assert card_recall(state, last, date(2026, 1, 21)) == pytest.approx(0.81)
    assert card_recall(state, last, date(2026, 1, 1)) == pytest.approx(1.0)


def test_readiness_goes_to_its_own_file_not_the_handout(tmp_path: Path) -> None:
    out, ready = tmp_path / "h.md", tmp_path / "ready.md"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "studydeck",
            "quiz",
            str(SEED),
            "--db",
            str(tmp_path / "s.db"),
            "-n",
            "4",
            "--seed",
            "3",
            "--handout",
            str(out),
            "--readiness",
            str(ready),
            "--meeting",
            "2026-02-01",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_without_user_dirs(tmp_path),
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "not yet studied" not in out.read_text() and "Readiness" not in out.read_text()
    text = ready.read_text()
    assert text.startswith("# Readiness for the meeting on 2026-02-01")
    assert text.count("**not yet studied**") == 4  # only the four quizzed papers


def test_a_quiz_miss_before_the_last_review_is_forgiven(tmp_path: Path) -> None:
    """Missed in a quiz, then reviewed well: the review answered the miss."""
    with Store.open(tmp_path / "s.db") as store:
        deck, _ = open_deck(store, [SEED], T0)
        card = next(c for c in deck.cards if c.paper.title == "Layer Normalization")
        day = date(2026, 1, 1)
        store.record_answer(card.id, 5, now=T0, today=day)
        store.log_quiz("q1", [(card.id, card.paper.key, "flip", False, 3.0)], T0 + timedelta(1))
        for i in (2, 3):
            store.record_answer(card.id, 5, now=T0 + timedelta(i), today=day + timedelta(i))
        [r] = readiness(
            [card.paper], deck, store.states(), store.reviews(), store.quiz_misses(), day
        )
    assert r.quiz_misses == 0 and r.status == "likely to recall"


def test_readiness_sheet_shows_titles_as_typed_never_markup(notes) -> None:
    """The sheet is Markdown: a title from the notes is text in it, never a link or HTML."""
    from html.parser import HTMLParser

    from markdown_it import MarkdownIt

    from studydeck.deck import load
    from studydeck.quiz.readiness import SHAKY, Readiness, readiness_markdown

    from .conftest import table

    # (A title linked to javascript: is its text, "JS Title"; the brackets of the third
    # are text, not a link: the sheet shows them as typed.)
    titles = ["[JS Title](javascript:alert(8))", "<script>alert(1)</script> XSS", "[Runner] & Hook"]
    shown = ["JS Title", "<script>alert(1)</script> XSS", "[Runner] & Hook"]
    deck = load([notes(table(*(f"| 2020 | {t} | k | c{i} | | |" for i, t in enumerate(titles))))])
    sheet = readiness_markdown(
        [Readiness(p, 0.5, SHAKY, 0, 0) for p in deck.papers], date(2026, 1, 1)
    )
    assert sheet.endswith("\n") and not sheet.endswith("\n\n")
    tags: set[str] = set()
    items: list[str] = []

    class Viewed(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            tags.add(tag)
            if tag == "li":
                items.append("")

        def handle_data(self, data: str) -> None:
            if items:
                items[-1] += data

    Viewed().feed(MarkdownIt("commonmark").render(sheet))  # raw HTML on, as most viewers
    assert tags == {"h1", "p", "ol", "li", "strong"}
    assert [i.split(" — ")[1].split(" (about")[0] for i in items] == shown
