"""After an edit, the store is reconciled against the deck it was last reconciled with:
only new, changed and gone papers are read and written. The store it leaves is the one a
reconcile of every paper leaves, whatever the edits (renames, repeated titles, deleted and
restored rows) and whatever another studydeck reconciled in between."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studydeck.deck import parse_files
from studydeck.loading import open_deck
from studydeck.models import Deck
from studydeck.store import Store
from studydeck.store.reconcile import Known

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
HEADER = "| 年份 | 论文 | 关键词 | 核心贡献 | 笔记 |\n| :- | :- | :- | :- | :- |"

TITLES = [
    "Deep Net",
    "Deep Nett",  # a typo of the first: a rename when the year or section agrees
    "[Deep Net](https://x.org/1)",
    "[Deep Network](https://x.org/1)",  # same link, new title: a rename
    "Wide Net",
    "Wide Net",  # repeated titles get keys K, K#2 in file order
]
row = st.tuples(
    st.sampled_from(["A", "B"]),  # section
    st.sampled_from(TITLES),
    st.sampled_from([2020, 2021]),
    st.sampled_from(["", "c"]),  # contribution
    st.sampled_from(["", "很强。", "但很慢。", "很强。但很慢。"]),  # notes: insight, critique
)
deck = st.lists(row, max_size=6)


def notes_text(rows: list[tuple[str, str, int, str, str]]) -> str:
    out = ["# T"]
    for section in ("A", "B"):
        out += ["", f"## {section}", "", HEADER]
        out += [f"| {y} | {t} | k | {c} | {n} |" for s, t, y, c, n in rows if s == section]
    return "\n".join(out) + "\n"


def contents(store: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Everything a reconcile writes, but the random permanent ids."""
    papers = store.query(
        "SELECT paper_key, title, url, year, figures, source, section, retired, "
        "guid LIKE 'sd-%' FROM papers ORDER BY paper_key"
    )
    cards = store.query(
        "SELECT card_id, paper_key, kind, retired, added FROM cards ORDER BY card_id"
    )
    return [tuple(r) for r in papers], [tuple(r) for r in cards]


def read(path: Path, rows: list[tuple[str, str, int, str, str]]) -> Deck:
    path.write_text(notes_text(rows), "utf-8")
    return parse_files([path])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(deck, st.booleans()), min_size=1, max_size=5))
@example(  # another studydeck moves a paper to its own file between two edits
    [([("A", "Deep Net", 2020, "c", "")], False), ([("A", "Deep Net", 2020, "c", "很强。")], True)]
)
def test_reconciling_only_what_changed_leaves_the_store_a_full_reconcile_leaves(
    steps: list[tuple[list[tuple[str, str, int, str, str]], bool]],
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        notes, other = folder / "notes.md", folder / "other.md"
        partial, full = Store.open(folder / "a.db"), Store.open(folder / "b.db")
        known: Known | None = None
        try:
            for rows, meanwhile in steps:
                d = read(notes, rows)
                got = partial.reconcile(d.papers, d.cards, d.sources, NOW, known)
                want = full.reconcile(d.papers, d.cards, d.sources, NOW)
                known = Known(got.token, d.sources, got.signature)
                assert (got.new, got.renamed, got.retired, got.restored) == (
                    want.new,
                    want.renamed,
                    want.retired,
                    want.restored,
                )
                assert contents(partial) == contents(full)
                if meanwhile:  # another deck, holding the same papers, reconciled in between
                    o = read(other, rows)
                    for store in (partial, full):
                        store.reconcile(o.papers, o.cards, o.sources, NOW)
        finally:
            partial.close()
            full.close()


def test_an_edit_reads_only_the_changed_paper_from_the_store(tmp_path: Path) -> None:
    rows = [("A", f"Paper {i}", 2020, "c", "很强。") for i in range(20)]
    notes = tmp_path / "notes.md"
    notes.write_text(notes_text(rows), "utf-8")
    statements: list[str] = []
    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], NOW)
        notes.write_text(
            notes_text([*rows[:5], ("A", "Paper 5", 2020, "c", "但很慢。"), *rows[6:]])
        )
        store._conn.set_trace_callback(statements.append)
        deck, report = open_deck(store, [notes], NOW)
        store._conn.set_trace_callback(None)
    assert [c.back for c in deck.cards if c.paper.title == "Paper 5"] == ["c", "但很慢。"]
    assert (report.new, report.retired) == (1, 1)  # the insight card went, a critique came
    card_reads = [s for s in statements if s.startswith("SELECT card_id, retired, paper_key")]
    assert len(card_reads) == 1 and "json_each" in card_reads[0]


def test_a_damaged_record_of_the_last_reconcile_reads_everything(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(notes_text([("A", "Paper", 2020, "c", "很强。")]), "utf-8")
    with Store.open(tmp_path / "s.db") as store:
        open_deck(store, [notes], NOW)
        store._conn.execute("UPDATE deck_cache SET data = x'00' WHERE deck LIKE 'reconciled%'")
        notes.write_text(notes_text([("A", "Paper", 2021, "c", "很强。")]), "utf-8")
        deck, _ = open_deck(store, [notes], NOW)
        year = store.query("SELECT year FROM papers")[0][0]
    assert year == 2021 and deck.papers[0].year == 2021


def test_a_twin_whose_figure_its_changed_twin_takes_up_is_reconciled_too(tmp_path: Path) -> None:
    """Two rows of one title in one section (keys K, K#2), K#2 with a figure. The user adds
    that figure to K: the rename rules now pair K with K#2's stored row (the same figure, a
    strong signal) and K#2 with K's (same title, year and section), so a reconcile of every
    paper swaps their histories. Only K changed: a reconcile of what changed must read its
    twin too (``_touched`` widens a changed key to every key of its title), else it leaves
    the histories where they were."""
    from tests.test_edit_rows import text

    notes = tmp_path / "notes.md"
    twin = ("A", "Wide Net", 2020, "c", "", "![f](a.png)")
    steps = [
        [("A", "Wide Net", 2020, "c", "", ""), twin],
        [("A", "Wide Net", 2020, "c", "", "![f](a.png)"), twin],
    ]
    partial, full = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")

    def ids(store: Store) -> dict[str, str]:
        return {r["paper_id"]: r["paper_key"] for r in store.query("SELECT * FROM papers")}

    known: Known | None = None
    try:
        before: list[dict[str, str]] = []
        for rows in steps:
            before = [ids(partial), ids(full)]
            notes.write_text(text(rows), "utf-8")
            d = parse_files([notes])
            got = partial.reconcile(d.papers, d.cards, d.sources, NOW, known)
            want = full.reconcile(d.papers, d.cards, d.sources, NOW)
            known = Known(got.token, d.sources, got.signature)
            assert (got.renamed, got.new, got.retired) == (want.renamed, want.new, want.retired)
            assert contents(partial) == contents(full)
        assert want.renamed == 2  # the histories (permanent ids) swapped keys
        moves = [
            sorted((was[pid], key) for pid, key in ids(store).items())
            for was, store in zip(before, (partial, full), strict=True)
        ]
        k = d.papers[0].key
        assert moves[0] == moves[1] == [(k, f"{k}#2"), (f"{k}#2", k)]
    finally:
        partial.close()
        full.close()


def test_an_unchanged_paper_signs_the_same_whatever_its_neighbours_share(tmp_path: Path) -> None:
    """Its signature depends on its values only: not on another paper now holding the same
    figure string (marshal's newer formats write a shared object otherwise), which would
    make a reconcile read and write it again for nothing."""
    from studydeck.store.reconcile import signature
    from tests.test_edit_rows import text

    notes = tmp_path / "notes.md"
    twin = ("A", "Wide Net", 2021, "c", "", "![f](a.png)")
    signed = []
    for first in ("", "![f](a.png)"):
        notes.write_text(text([("A", "Deep Net", 2020, "c", "", first), twin]), "utf-8")
        d = parse_files([notes])
        signed.append(signature(d.papers, d.cards))
    k = d.papers[1].key
    assert signed[0][k] == signed[1][k]
    assert signed[0][d.papers[0].key] != signed[1][d.papers[0].key]
