"""Quiz mode: selection, questions, distractors, handouts, plain runs; the schedule untouched."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from studydeck.deck import load
from studydeck.quiz import QuestionKind, Selection, build_quiz, select_papers
from studydeck.store import Store

from .conftest import ROOT, SEED, table


@pytest.fixture(scope="module")
def seed_deck():
    return load([SEED])


def titles(papers) -> set[str]:
    return {p.title for p in papers}


def test_selection_filters(seed_deck, tmp_path: Path) -> None:
    kw, _ = select_papers(seed_deck, Selection(keywords=["图像复原"]))
    assert len(kw) == 7 and all("图像复原" in p.keywords for p in kw)
    two, _ = select_papers(seed_deck, Selection(keywords=["图像复原", "视频复原"]))
    assert len(two) == 11
    y, _ = select_papers(seed_deck, Selection(year=2019))
    assert {p.year for p in y} == {2019} and len(y) == 3
    since, _ = select_papers(seed_deck, Selection(since=2021))
    assert all(p.year >= 2021 for p in since) and len(since) == 9
    recent, _ = select_papers(seed_deck, Selection(recent=2))
    assert [p.title for p in recent] == ["Runner & Hook", seed_deck.papers[1].title]
    agenda = [
        "# meeting 12",
        "- Layer Normalization",
        "https://github.com/arogozhnikov/einops",
        "MFQE 2.0 a new approach for multi-frame quality enhancement",
        "Nothing Like This",
    ]
    picked, matches = select_papers(seed_deck, Selection(agenda=agenda))
    assert [p.title.split(":")[0] for p in picked] == ["Layer Normalization", "einops", "MFQE 2.0"]
    assert [m.line for m in matches if m.paper is None] == ["Nothing Like This"]


def test_same_seed_same_quiz(seed_deck) -> None:
    papers = list(seed_deck.papers)
    a = build_quiz(seed_deck, papers, 10, seed=7)
    b = build_quiz(seed_deck, papers, 10, seed=7)
    c = build_quiz(seed_deck, papers, 10, seed=8)
    assert a == b and a != c
    assert len(a) == 10 and len({q.paper.key for q in a}) == 10  # ten different papers
    assert len({q.kind for q in a}) >= 4  # kinds are spread


def test_distractors_never_the_answer_and_similar_first(seed_deck) -> None:
    papers, _ = select_papers(seed_deck, Selection(keywords=["图像复原"]))
    by_key = {p.key: p for p in seed_deck.papers}
    for seed in range(20):
        for q in build_quiz(seed_deck, papers, 12, seed):
            if not q.is_choice:
                continue
            right = q.options[q.answer_index]
            assert right.paper_key == q.paper.key and right.text == q.answer
            wrong = [o for i, o in enumerate(q.options) if i != q.answer_index]
            assert all(o.paper_key != q.paper.key and o.text != q.answer for o in wrong)
            assert len({o.text for o in q.options}) == len(q.options)
            # 7 papers share 图像复原: every distractor comes from the same keyword.
            assert all("图像复原" in by_key[o.paper_key].keywords for o in wrong)


def test_small_pool_gives_fewer_options(notes) -> None:
    deck = load(
        [notes(table("| 2020 | A | k | does a | | 但慢 |", "| 2021 | B | k | does b | | |"))]
    )
    qs = build_quiz(deck, list(deck.papers), 6, seed=1)
    choice = [q for q in qs if q.is_choice]
    assert choice and all(len(q.options) == 2 for q in choice)
    assert all(q.note == "only 2 options: too few other papers to choose from" for q in choice)


def test_figure_questions_only_when_figure_can_be_shown(seed_deck) -> None:
    papers = list(seed_deck.papers)
    none = build_quiz(seed_deck, papers, 60, 1, can_show=lambda p, f: False)
    assert all(q.kind is not QuestionKind.FIGURE_TO_PAPER for q in none)
    some = build_quiz(seed_deck, papers, 60, 1, can_show=lambda p, f: True)
    assert any(q.kind is QuestionKind.FIGURE_TO_PAPER and q.figure for q in some)


def run(*args: str, stdin: str = "", db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studydeck", "quiz", str(SEED), "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_handout_markdown_and_html(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    md = tmp_path / "h.md"
    r = run("--keyword", "图像复原", "-n", "8", "--seed", "5", "--handout", str(md), db=db)
    assert r.returncode == 0, r.stderr
    text = md.read_text()
    questions = re.findall(r"^\*\*(\d+)\.\*\*", text, re.M)
    assert questions == [str(i) for i in range(1, 9)]
    key = text.split("## Answer key")[1]
    assert len(re.findall(r"^\d+\. ", key, re.M)) == 8
    assert "Readiness" not in text  # personal: never in the group handout
    html_path = tmp_path / "h.html"
    assert (
        run(
            "--keyword", "图像复原", "-n", "8", "--seed", "5", "--handout", str(html_path), db=db
        ).returncode
        == 0
    )
    html = html_path.read_text()
    assert html.count('<ol class="options">') == text.count("\n- A. ")
    assert 'class="key"' in html and "break-before: page" in html
    # the answer letters agree between the two handouts (same seed)
    letters_md = re.findall(r"^\d+\. \*\*([A-D])\*\*", key, re.M)
    letters_html = re.findall(r"<li><b>([A-D])</b>", html)
    assert letters_md == letters_html


def test_plain_quiz_leaves_schedule_alone_unless_recorded(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        from datetime import UTC, date, datetime

        from studydeck.loading import open_deck

        deck, _ = open_deck(store, [SEED], datetime.now(UTC))
        store.record_answer(deck.cards[0].id, 5, now=datetime.now(UTC), today=date(2026, 1, 1))
        before_states = store.states()
        before_log = store.reviews()
    # Whatever the mix: a choice question takes "1" (an "n" there is asked again); a recall
    # card takes any line to reveal, then "n" (a "1" there is asked again): missed.
    answers = "1\nn\n" * 10
    r = run("--plain", "-n", "5", "--seed", "3", stdin=answers, db=db)
    assert r.returncode == 0, r.stderr
    assert "score " in r.stdout and "missed:" in r.stdout
    with Store.open(db) as store:
        assert store.states() == before_states
        assert store.reviews() == before_log
        assert len(store.quiz_results()) == 5
    r = run("--plain", "-n", "5", "--seed", "3", "--record", stdin=answers, db=db)
    missed = int(re.search(r"(\d+) missed cards? (is|are) due tomorrow", r.stdout).group(1))
    with Store.open(db) as store:
        changed = [cid for cid, st in store.states().items() if st != before_states[cid]]
        assert len(changed) == missed > 0
        assert store.reviews() == before_log


def test_unknown_keyword_is_one_line_error(tmp_path: Path) -> None:
    r = run("--keyword", "nothing-like-this", "--plain", db=tmp_path / "s.db")
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("studydeck: error: no papers match")


def test_recent_means_most_recently_added_to_the_store(tmp_path: Path, notes) -> None:
    from datetime import UTC, datetime, timedelta

    from studydeck.loading import open_deck

    path = notes(table("| 2020 | Old A | k | c | | |", "| 2020 | Old B | k | c | | |"))
    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [path], datetime(2026, 1, 1, tzinfo=UTC))
        path.write_text(
            table(
                "| 2020 | Old A | k | c | | |",
                "| 2020 | Old B | k | c | | |",
                "| 2021 | New at the bottom | k | c | | |",
            )
        )
        deck, _ = open_deck(store, [path], datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=3))
        picked, _ = select_papers(deck, Selection(recent=2), store.papers_added())
    assert [p.title for p in picked] == ["New at the bottom", "Old A"]
