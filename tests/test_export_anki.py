"""Anki export, verified by importing into the real Anki (the `anki` package)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import (
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportAnkiPackageUpdateCondition,
)

from studydeck.cli import main
from studydeck.deck import load
from studydeck.export import anki as anki_export
from studydeck.export.anki import export_deck
from studydeck.figures import FigureFetcher

from .conftest import SEED, table
from .figserver import GOOD, OTHER, serve


def import_apkg(col: Collection, apkg: Path, merge: bool = False) -> None:
    col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(apkg),
            options=ImportAnkiPackageOptions(
                merge_notetypes=merge,
                with_scheduling=False,
                update_notes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
                update_notetypes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            ),
        )
    )


@pytest.fixture
def col(tmp_path: Path):
    (tmp_path / "anki").mkdir()
    c = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield c
    c.close()


def notes_by_title(col: Collection) -> dict[str, object]:
    return {col.get_note(nid)["Title"]: col.get_note(nid) for nid in col.find_notes("")}


def test_seed_deck_imports_with_same_counts_fields_and_tags(
    col: Collection, tmp_path: Path
) -> None:
    deck = load([SEED])
    out = tmp_path / "papers.apkg"
    report = export_deck(
        deck, out, fetcher=FigureFetcher(None, offline=True), state_file=tmp_path / "state.json"
    )
    import_apkg(col, out)
    assert col.note_count() == report.notes == 22
    assert col.card_count() == report.cards == len(deck.cards) == 44
    notes = notes_by_title(col)
    ln = notes["Layer Normalization"]
    assert ln["Year"] == "2016"
    assert ln["Contribution"] == "LN：针对每个sample处理，使得LN不受batch size影响"
    assert (
        '<a href="https://www.zhihu.com/question/487766088/answer/2422936310">知乎</a>'
        in ln["Insight"]
    )
    assert set(ln.tags) == {"规范化", "year::2016"}
    runner = notes["Runner &amp; Hook"]
    assert runner["Link"] == "https://b23.tv/USoGoJY"
    assert runner["Critique"] == ""  # the answer to a question explains: it stays with it
    assert runner["Insight"].endswith("因为val的过程中也有可能调用其他hook，hook调用hook不合理")
    # offline with no cache: figures fall back to a link, and are reported
    assert len(report.unavailable) == 17
    mprn = notes["Multi-Stage Progressive Image Restoration"]
    assert mprn["Figure"].startswith('<a href="https://raw.githubusercontent.com/')
    assert col.decks.by_name("论文阅读") is not None
    # card kinds: one card per non-empty kind, like studydeck
    face = next(n for t, n in notes.items() if t.startswith("Learning face image"))
    assert len(face.cards()) == 1


def test_figures_embedded_once_by_content(col: Collection, tmp_path: Path, notes) -> None:
    folder = tmp_path / "deck"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    (folder / "a" / "image.png").write_bytes(GOOD)
    (folder / "b" / "image.png").write_bytes(OTHER)
    with serve() as url:
        path = folder / "notes.md"
        path.write_text(
            table(
                "| 2020 | A | k | c | ![](a/image.png) | |",
                "| 2021 | B | k | c | ![](b/image.png) | |",
                f"| 2022 | C | k | c | ![remote]({url}/fig/image.png) | |",
                f"| 2023 | D | k | c | ![]({url}/missing.png) | |",
            )
        )
        report = export_deck(
            load([path]),
            tmp_path / "o.apkg",
            fetcher=FigureFetcher(tmp_path / "cache"),
            state_file=tmp_path / "s",
        )
    assert report.figures == 2  # a/image.png and the remote one are the same bytes
    assert [(p.title, r) for p, _, r in report.unavailable] == [("D", "HTTP 404")]
    import_apkg(col, tmp_path / "o.apkg")
    media_dir = Path(col.media.dir())
    notes_ = notes_by_title(col)
    for title, data in (("A", GOOD), ("B", OTHER), ("C", GOOD)):
        src = notes_[title]["Figure"].split('src="')[1].split('"')[0]
        assert (media_dir / src).read_bytes() == data
        assert src == f"studydeck-{hashlib.sha256(data).hexdigest()[:20]}.png"
    assert "missing.png" in notes_["D"]["Figure"]


def test_html_is_escaped_but_markdown_rendered(col: Collection, tmp_path: Path, notes) -> None:
    path = notes(
        table("| 2020 | [bold] <b>T</b> | a b | **强** `x` <script>alert(1)</script> a<br>b | | |")
    )
    export_deck(load([path]), tmp_path / "o.apkg", state_file=tmp_path / "s")
    import_apkg(col, tmp_path / "o.apkg")
    note = col.get_note(col.find_notes("")[0])
    assert note["Contribution"] == (
        "<strong>强</strong> <code>x</code> &lt;script&gt;alert(1)&lt;/script&gt; a<br>\nb"
    )
    assert note["Title"] == "[bold] &lt;b&gt;T&lt;/b&gt;"
    assert note.tags == ["a_b", "year::2020"]


def test_reexport_after_edits_updates_in_place(col: Collection, tmp_path: Path, notes) -> None:
    path = notes(
        table(
            "| 2020 | [Old Titel](https://x.org/p1) | k | first | | 笔记。问题：不足 |",
            "| 2021 | Kept | k | same | | |",
            "| 2022 | Gone | k | bye | | |",
        )
    )
    state = tmp_path / "state.json"
    export_deck(load([path]), tmp_path / "1.apkg", state_file=state)
    import_apkg(col, tmp_path / "1.apkg")
    assert col.note_count() == 3
    path.write_text(
        table(
            "| 2020 | [Old Title fixed](https://x.org/p1) | k | second | | 笔记。问题：不足 |",
            "| 2021 | Kept | k | same | | |",
        )
    )
    # Same second as the first export: the mod time still moves forward.
    export_deck(load([path]), tmp_path / "2.apkg", state_file=state)
    import_apkg(col, tmp_path / "2.apkg")
    notes_ = notes_by_title(col)
    assert col.note_count() == 3  # Gone is not deleted in Anki, nothing duplicated
    assert set(notes_) == {"Old Title fixed", "Kept", "Gone"}
    assert notes_["Old Title fixed"]["Contribution"] == "second"
    assert col.card_count() == 5


def test_changed_note_type_merges_instead_of_forking(
    col: Collection, tmp_path: Path, notes, monkeypatch
) -> None:
    path = notes(table("| 2020 | A | k | one | | |"))
    state = tmp_path / "state.json"
    export_deck(load([path]), tmp_path / "1.apkg", state_file=state)
    import_apkg(col, tmp_path / "1.apkg")
    # A later studydeck adds a field to the note type.
    monkeypatch.setattr(anki_export, "FIELDS", (*anki_export.FIELDS, "Extra"))
    original = anki_export.build_fields
    monkeypatch.setattr(anki_export, "build_fields", lambda *a: [*original(*a), "more"])
    path.write_text(table("| 2020 | A | k | two | | |"))
    export_deck(load([path]), tmp_path / "2.apkg", state_file=state)
    import_apkg(col, tmp_path / "2.apkg", merge=True)
    studydeck_types = [m for m in col.models.all_names_and_ids() if m.name.startswith("studydeck")]
    assert len(studydeck_types) == 1
    assert col.note_count() == 1
    note = col.get_note(col.find_notes("")[0])
    assert note["Contribution"] == "two" and note["Extra"] == "more"


def test_deterministic_notes_and_media(tmp_path: Path) -> None:
    deck = load([SEED])
    a, b = tmp_path / "a.apkg", tmp_path / "b.apkg"
    export_deck(deck, a, now=1_700_000_000)
    export_deck(deck, b, now=1_700_000_000)
    assert a.read_bytes() != b"" and a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert sorted(z.namelist()) == ["collection.anki2", "media"]


def test_subdecks_kinds_and_cli(tmp_path: Path, capsys, col: Collection) -> None:
    path = tmp_path / "n.md"
    path.write_text(
        "# 论文阅读\n\n## 图像\n\n"
        + table("| 2020 | A | k | c | | 笔记。问题：不足 |", title="")
        + "\n## 视频\n\n"
        + table("| 2021 | B | k | c | | |", title="")
    )
    out = tmp_path / "o.apkg"
    assert main(["export", str(path), "-o", str(out), "--kinds", "contribution,critique"]) == 0
    err = capsys.readouterr().err
    assert "wrote o.apkg: 2 notes, 3 cards, 0 figures" in err
    import_apkg(col, out)
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {"论文阅读::图像", "论文阅读::视频"} <= names
    assert col.card_count() == 3
    assert main(["export", str(path), "-o", str(out), "--kinds", "bogus"]) == 2


def test_no_temp_files_left(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    export_deck(load([SEED]), tmp_path / "o.apkg", state_file=tmp_path / "s")
    assert list((tmp_path / "tmp").iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
