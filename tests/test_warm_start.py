"""A warm start reads the cached deck lazily: the plan, the counts and the first card come
from the cache's rows, and they are exactly what the parsed deck gives."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck.config import Settings
from studydeck.deck import parse_files
from studydeck.loading import open_deck
from studydeck.session import Session
from studydeck.stats import compute
from studydeck.store import Store
from tests.conftest import table

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

_WORDS = ["视频", "对齐", "GAN", "attention", "去噪", "transformer"]
_ROW = st.tuples(
    st.sampled_from(["2019", "2020", "TPAMI 2021", ""]),
    st.lists(st.sampled_from(_WORDS), max_size=3),
    st.sampled_from(["", "可形变卷积对齐", "a **bold** idea"]),
    st.sampled_from(["", "![a](fig/a.png)"]),
    st.sampled_from(["", "很强。但计算复杂度上去了。", "问题：只考虑了LDP模式。", "巧妙。"]),
)


def _notes(rows: list[tuple[str, list[str], str, str, str]]) -> str:
    return table(
        *(
            f"| {year} | Paper {i} | {'; '.join(kws)} | {contrib} | {fig} | {notes} |"
            for i, (year, kws, contrib, fig, notes) in enumerate(rows)
        )
    )


def _answer_some(store: Store, ids: list[str], grades: list[int]) -> None:
    """Answers given on earlier days, so that today's queue has due and learning cards."""
    for k, (cid, q) in enumerate(zip(ids, grades, strict=False)):
        when = NOW - timedelta(days=3 + k % 5)
        store.record_answer(cid, q, now=when, today=when.date())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(_ROW, min_size=1, max_size=12),
    grades=st.lists(st.integers(0, 5), max_size=20),
    picks=st.lists(st.integers(0, 10_000), max_size=6),
)
def test_the_lazy_cached_deck_gives_the_parsed_decks_plan_cards_and_counts(
    tmp_path_factory, rows, grades, picks
) -> None:
    folder = tmp_path_factory.mktemp("warm")
    notes = folder / "notes.md"
    notes.write_text(_notes(rows), "utf-8")
    parsed = parse_files([notes])
    with Store.open(folder / "s.db") as store:
        open_deck(store, [notes], NOW)  # a miss: parsed and cached
        _answer_some(store, [c.id for c in parsed.cards], grades)
        lazy, report = open_deck(store, [notes], NOW)  # a hit
        assert not report.changed
        assert "cards" not in vars(lazy)  # read from the cache's rows, not yet built

        # What the plan and the counts read, without a Card.
        assert lazy.card_keys() == [(c.id, c.paper.key) for c in parsed.cards]
        assert lazy.card_keywords() == [(c.id, c.paper.keywords) for c in parsed.cards]
        assert lazy.card_ids() == [c.id for c in parsed.cards]
        assert lazy.card_kinds() == [c.kind.value for c in parsed.cards]
        assert (lazy.paper_count, lazy.card_count) == (len(parsed.papers), len(parsed.cards))
        today = NOW.date()
        assert compute(store, lazy, today, Settings()) == compute(store, parsed, today, Settings())

        # Today's queue: the same cards, in the same order, and only those built.
        queue = Session(store, lazy, clock=lambda: NOW).queue
        assert queue == Session(store, parsed, clock=lambda: NOW).queue
        assert "cards" not in vars(lazy)

        # Any cards by id, then all of them: equal to the parsed ones, each made once.
        ids = [parsed.cards[p % len(parsed.cards)].id for p in picks if parsed.cards] + ["no/such"]
        some = lazy.cards_by_id(ids)
        assert some == {c.id: c for c in parsed.cards if c.id in ids}
        assert lazy.cards == parsed.cards and lazy.papers == parsed.papers
        for it in queue:
            assert any(c is it.card for c in lazy.cards)
        for cid, card in some.items():
            assert any(c is card for c in lazy.cards if c.id == cid)
        assert lazy == parsed
        # Read in full, the rows are dropped; the questions still have the same answers.
        assert lazy.card_keys() == parsed.card_keys()
        assert lazy.cards_by_id(ids) == some


def test_papers_read_first_are_the_papers_of_the_cards_read_later(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(_notes([("2020", ["GAN"], "c", "", "很强。")] * 3), "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], NOW)
        lazy, _ = open_deck(store, [notes], NOW)
        papers = lazy.papers
        assert "cards" not in vars(lazy)
        for card in lazy.cards:
            assert any(card.paper is p for p in papers)


_GUARD = textwrap.dedent(
    """
    import io, sys, contextlib, json
    from studydeck import cli
    notes, db = sys.argv[1], sys.argv[2]
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert cli.main(["stats", "--json", notes, "--db", db]) == 0
    assert json.loads(out.getvalue())["total_cards"] > 0
    stats_modules = set(sys.modules)
    # The review's start: the cached deck, today's queue, the first card's text.
    from studydeck.session import Session
    from studydeck.tui.app import create_app
    from studydeck.tui.screens.review import ReviewScreen
    from studydeck.tui.text import markdown_text
    args = cli.build_parser().parse_args(["review", notes, "--db", db])
    store, deck, _ = cli.open_store_and_deck(args)
    card = Session(store, deck).current.card
    markdown_text(card.front), markdown_text(card.back)
    print(json.dumps({
        "stats": sorted(stats_modules),
        "review": sorted(sys.modules),
        "cards_built": "cards" in vars(deck),
    }))
    """
)

#: Modules a warm start and ``stats --json`` never need: the notes parser (markdown-it and
#: studydeck's own), the network client, and the array and image libraries.
HEAVY = (
    "markdown_it",
    "studydeck.parsing",
    "studydeck.incremental",
    "httpx",
    "numpy",
    "PIL",
    "fsrs",  # (under SM-2: py-fsrs is imported when FSRS schedules or predicts)
)
#: ... and, with no config file (as here), the TOML parser.
NO_CONFIG_FILE = ("tomllib",)
#: ... and the review screen draws its title line itself (Textual's Header is four widgets).
REVIEW_NEVER = ("textual.widgets._header",)
#: ... and modules ``stats --json`` never needs: it makes no card (the classifier and the
#: cards' questions), and corrects none.
STATS_NEVER = (
    "studydeck.carding",
    "studydeck.critique",
    "difflib",  # (only to name the command a mistyped word was meant to be)
)


def test_stats_and_a_warm_start_import_no_parser_and_build_no_card_list(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    # Plain cells (no Markdown marks): the first card needs no parser either.
    notes.write_text(_notes([("2020", ["GAN"], "plain words", "", "很强。")] * 30), "utf-8")
    db = str(tmp_path / "s.db")
    # Parse once (a cache miss), then the warm process under test.
    subprocess.run(
        [sys.executable, "-m", "studydeck", "stats", "--json", str(notes), "--db", db],
        check=True,
        capture_output=True,
    )
    proc = subprocess.run(
        [sys.executable, "-c", _GUARD, str(notes), db],
        check=True,
        capture_output=True,
        text=True,
    )
    import json

    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    for name in HEAVY + NO_CONFIG_FILE:
        assert name not in seen["stats"], name
        assert name not in seen["review"], name
    for name in REVIEW_NEVER:
        assert name not in seen["review"], name
    for name in STATS_NEVER:
        assert name not in seen["stats"], name
    assert "studydeck.stats" in seen["stats"]  # the guard did run the command
    assert "studydeck.tui.screens.review" in seen["review"]
    assert not seen["cards_built"]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab 中文。·()\n\t:!-", max_size=30))
def test_a_plain_cell_is_shown_as_the_parser_would_show_it(text: str) -> None:
    from unittest import mock

    from studydeck.tui import text as tui_text

    fast = tui_text.markdown_text(text, "bold")
    with mock.patch.object(tui_text, "is_plain", lambda _t: False):
        assert tui_text.markdown_text(text, "bold") == fast


def test_a_refused_review_leaves_the_collector_on(tmp_path: Path, capsys) -> None:
    """The review command pauses the cyclic GC while it starts; refused before the app runs
    (here: no such notes file), it must still turn it back on."""
    import gc

    from studydeck import cli

    assert gc.isenabled()
    code = cli.main(["review", str(tmp_path / "missing.md"), "--db", str(tmp_path / "s.db")])
    assert code != 0
    assert "missing.md" in capsys.readouterr().err
    assert gc.isenabled()
