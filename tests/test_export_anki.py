"""Anki export, verified by importing into the real Anki (the `anki` package)."""

from __future__ import annotations

import hashlib
import html
import json
import sqlite3
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

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
from studydeck.export.anki import ExportReport, export_deck
from studydeck.figures import FigureFetcher
from studydeck.loading import open_deck
from studydeck.models import Deck
from studydeck.store import Store

from .conftest import SEED, table
from .figserver import GOOD, OTHER, serve


def import_apkg(col: Collection, apkg: Path, merge: bool = False) -> Any:
    """Import as Anki's File > Import does (update if newer); returns Anki's import log."""
    return col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(apkg),
            options=ImportAnkiPackageOptions(
                merge_notetypes=merge,
                with_scheduling=False,
                update_notes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
                update_notetypes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            ),
        )
    ).log


class User:
    """studydeck as a user runs it: one store, and a clock that moves on (two seconds by
    default) between exports. It starts a while ago, so what the test then does in Anki
    (stamped with the real time) comes after the exports, as it would for a user."""

    def __init__(self, tmp_path: Path, db: str = "studydeck.db", ago: float = 600) -> None:
        self.store = Store.open(tmp_path / db)
        self.now = float(int(time.time() - ago))

    def deck(self, path: Path, gap: float = 2.0) -> Deck:
        self.now += gap
        deck, _ = open_deck(self.store, [path], datetime.fromtimestamp(self.now).astimezone())
        return deck

    def export(self, path: Path, out: Path, gap: float = 2.0, **kw: Any) -> ExportReport:
        return export_deck(self.deck(path, gap), out, store=self.store, now=self.now, **kw)


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
    report = export_deck(deck, out, fetcher=FigureFetcher(None, offline=True))
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
    assert set(ln.tags) == {"studydeck::kw::规范化", "studydeck::year::2016"}
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
    export_deck(load([path]), tmp_path / "o.apkg")
    import_apkg(col, tmp_path / "o.apkg")
    note = col.get_note(col.find_notes("")[0])
    assert note["Contribution"] == (
        "<strong>强</strong> <code>x</code> &lt;script&gt;alert(1)&lt;/script&gt; a<br>\nb"
    )
    assert note["Title"] == "[bold] &lt;b&gt;T&lt;/b&gt;"
    assert note.tags == ["studydeck::kw::a_b", "studydeck::year::2020"]


def test_reexport_after_edits_updates_in_place(col: Collection, tmp_path: Path, notes) -> None:
    path = notes(
        table(
            "| 2020 | [Old Titel](https://x.org/p1) | k | first | | 笔记。问题：不足 |",
            "| 2021 | Kept | k | same | | |",
            "| 2022 | Gone | k | bye | | |",
        )
    )
    user = User(tmp_path)
    user.export(path, tmp_path / "1.apkg")
    import_apkg(col, tmp_path / "1.apkg")
    assert col.note_count() == 3
    path.write_text(
        table(
            "| 2020 | [Old Title fixed](https://x.org/p1) | k | second | | 笔记。问题：不足 |",
            "| 2021 | Kept | k | same | | |",
        )
    )
    user.export(path, tmp_path / "2.apkg")
    log = import_apkg(col, tmp_path / "2.apkg")
    notes_ = notes_by_title(col)
    assert col.note_count() == 3  # Gone is not deleted in Anki, nothing duplicated
    assert set(notes_) == {"Old Title fixed", "Kept", "Gone"}
    assert notes_["Old Title fixed"]["Contribution"] == "second"
    assert col.card_count() == 5
    assert (len(log.updated), len(log.duplicate)) == (1, 1)  # Kept is untouched


def test_changed_note_type_merges_instead_of_forking(
    col: Collection, tmp_path: Path, notes, monkeypatch
) -> None:
    path = notes(table("| 2020 | A | k | one | | |"))
    user = User(tmp_path)
    user.export(path, tmp_path / "1.apkg")
    import_apkg(col, tmp_path / "1.apkg")
    # A later studydeck, two seconds on, adds a field to the note type.
    monkeypatch.setattr(anki_export, "FIELDS", (*anki_export.FIELDS, "Extra"))
    original = anki_export.build_fields
    monkeypatch.setattr(anki_export, "build_fields", lambda *a: [*original(*a), "more"])
    path.write_text(table("| 2020 | A | k | two | | |"))
    user.export(path, tmp_path / "2.apkg", gap=2.0)
    import_apkg(col, tmp_path / "2.apkg", merge=True)
    studydeck_types = [m for m in col.models.all_names_and_ids() if m.name.startswith("studydeck")]
    assert [m.id for m in studydeck_types] == [anki_export.MODEL_ID]
    assert col.models.field_names(col.models.get(anki_export.MODEL_ID))[-1] == "Extra"
    assert col.note_count() == 1
    # Anki's merge rewrites every note of the type at import time, so no package made
    # before can be "newer"; a push brings the content in.
    col.close()
    from studydeck.export.anki_sync import push

    push(user.deck(path), Path(col.path), store=user.store, now=user.now)
    col.reopen()
    note = col.get_note(col.find_notes("")[0])
    assert note["Contribution"] == "two" and note["Extra"] == "more"


def package_times(apkg: Path) -> tuple[int, list[int]]:
    """The note type's time and the notes' times in a package."""
    with zipfile.ZipFile(apkg) as z, tempfile.TemporaryDirectory() as tmp:
        z.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        mods = [r[0] for r in conn.execute("SELECT mod FROM notes ORDER BY sfld")]
        conn.close()
    return models[str(anki_export.MODEL_ID)]["mod"], mods


def test_times_move_only_when_content_or_note_type_changes(
    tmp_path: Path, notes, monkeypatch
) -> None:
    path = notes(table("| 2020 | A | k | one | | |", "| 2021 | B | k | b | | |"))
    user = User(tmp_path)
    user.export(path, tmp_path / "1.apkg")
    first = user.now
    assert package_times(tmp_path / "1.apkg") == (first, [first, first])
    path.write_text(table("| 2020 | A | k | two | | |", "| 2021 | B | k | b | | |"))
    user.export(path, tmp_path / "2.apkg")
    assert package_times(tmp_path / "2.apkg") == (first, [user.now, first])
    monkeypatch.setattr(anki_export, "CSS", anki_export.CSS + ".x {}")
    user.export(path, tmp_path / "3.apkg")
    assert package_times(tmp_path / "3.apkg") == (user.now, [user.now - 2, first])


def test_model_id_is_fixed() -> None:
    assert anki_export.MODEL_ID == 1771487624
    assert anki_export.note_model().model_id == 1771487624


def test_deterministic_notes_and_media(tmp_path: Path, notes) -> None:
    (tmp_path / "fig.png").write_bytes(GOOD)
    path = notes(table("| 2020 | A | k | c | ![](fig.png) | |", "| 2021 | B | k | c | | |"))
    deck = load([path])
    a, b = tmp_path / "a.apkg", tmp_path / "b.apkg"
    fetcher = FigureFetcher(tmp_path / "cache")
    export_deck(deck, a, now=1_700_000_000, fetcher=fetcher)
    export_deck(deck, b, now=1_700_000_000, fetcher=fetcher)
    assert a.read_bytes() != b"" and a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert sorted(z.namelist()) == ["0", "collection.anki2", "media"]
        assert z.read("0") == GOOD


def test_note_guid_and_note_type_id_are_these_fixed_values(
    col: Collection, tmp_path: Path, notes
) -> None:
    """Literal values: a GUID that took in the section, or a random note-type id, would
    fork every note in the user's collection on the next export. (The Anki-identity work
    may change these on purpose; then this test changes with it, in the same commit.)"""
    path = notes(
        table(
            "| 2017 | [Attention](https://arxiv.org/abs/1706.03762) | k | c | | |",
            "| 2016 | Deep Residual Learning | k | c | | |",
        )
    )
    export_deck(load([path]), tmp_path / "o.apkg")
    import_apkg(col, tmp_path / "o.apkg")
    guids = {col.get_note(nid)["Title"]: col.get_note(nid).guid for nid in col.find_notes("")}
    assert guids == {
        "Attention": "fDuh/oNB8[",
        "Deep Residual Learning": "x7a3^L6ygV",
    }
    assert anki_export.MODEL_ID == 1771487624
    assert [m["id"] for m in col.models.all() if m["name"] == anki_export.MODEL_NAME] == [
        1771487624
    ]


def two_sections(path: Path, title: str, first: str, row: str) -> Path:
    """Notes titled ``title`` with a section ``first`` holding ``row`` and a section 视频
    holding paper B."""
    path.write_text(
        f"# {title}\n\n## {first}\n\n"
        + table(row, title="")
        + "\n## 视频\n\n"
        + table("| 2021 | B | k | c | | |", title="")
    )
    return path


def test_subdecks_kinds_and_cli(tmp_path: Path, capsys, col: Collection) -> None:
    path = two_sections(
        tmp_path / "n.md", "论文阅读", "图像", "| 2020 | A | k | c | | 笔记。问题：不足 |"
    )
    out = tmp_path / "o.apkg"
    assert main(["export", str(path), "-o", str(out), "--kinds", "contribution,critique"]) == 0
    err = capsys.readouterr().err
    assert f"wrote {out}: 2 notes, 3 cards, 0 figures" in err  # (where, as given)
    import_apkg(col, out)
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {"论文阅读::图像", "论文阅读::视频"} <= names
    assert col.card_count() == 3
    assert main(["export", str(path), "-o", str(out), "--kinds", "bogus"]) == 2


def test_a_heading_or_keyword_with_double_colons_makes_no_nested_deck_or_tag(
    tmp_path: Path, capsys, col: Collection
) -> None:
    """A probe's heading ``x::y`` made nested Anki decks (``::`` separates levels there)."""
    path = two_sections(
        tmp_path / "n.md", "阅读::笔记", "图像:::复原", "| 2020 | A | a::b | c | | |"
    )
    out = tmp_path / "o.apkg"
    assert main(["export", str(path), "-o", str(out)]) == 0
    import_apkg(col, out)
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {"阅读:笔记::图像:复原", "阅读:笔记::视频"} <= names
    assert not any(n.startswith("阅读::") for n in names)
    tags = col.get_note(col.find_notes("A")[0]).tags
    assert "studydeck::kw::a:b" in tags


def test_no_temp_files_left(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    export_deck(load([SEED]), tmp_path / "o.apkg")
    assert list((tmp_path / "tmp").iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_small_things_anki_users_notice(col: Collection, tmp_path: Path, notes) -> None:
    path = notes(table("| 2016 | Layer Normalization | 规范化 | c | | 笔记 |"))
    User(tmp_path).export(path, tmp_path / "o.apkg")
    import_apkg(col, tmp_path / "o.apkg")
    assert len(col.find_notes("Keywords:规范化")) == 1  # plain text, searchable
    card = col.get_note(col.find_notes("")[0]).cards()[0]
    assert "它的核心贡献是什么？" in card.question()  # Chinese notes, Chinese prompts
    assert "notes.md" not in card.answer()  # no file:line on the back
    assert ".nightMode a" in anki_export.CSS
    english = notes(
        "# Reading\n\n| Year | Title | Keywords | Contribution | Figure | Notes |\n"
        "| :- | :- | :- | :- | :- | :- |\n| 2016 | Layer Norm | norm | c | | |\n",
        name="en.md",
    )
    en = load([english])
    assert not anki_export.is_chinese(en.papers[0], en.name)  # English notes ask in English


def package_fields(apkg: Path) -> dict[str, dict[str, str]]:
    """Each note's fields in a package, as Anki reads them (``notes.flds``), by title."""
    with zipfile.ZipFile(apkg) as z, tempfile.TemporaryDirectory() as tmp:
        z.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        rows = [r[0] for r in conn.execute("SELECT flds FROM notes")]
        conn.close()
    notes = [dict(zip(anki_export.FIELDS, flds.split("\x1f"), strict=True)) for flds in rows]
    return {n["Title"]: n for n in notes}


UNSAFE_LINKS = {
    "MSDT": "ms-msdt:/id%20PCWDiagnostic",  # (seen in a user trial)
    "Proto": "//evil.example/x",
    "Share": r"\\evil\share",
    "Ssh": "ssh://evil/x",
    "Rel": "../../x.html",
    "Steam": "steam://run/1",
}  # (javascript:, data:, file: links are refused by the parser: no link, the title as typed)
SAFE_LINKS = {
    "Web": ("HTTPS://example.org/p?q=1&r=2", "https://example.org/p?q=1&amp;r=2"),
    "Plain": ("http://example.org/q", "http://example.org/q"),
    "Mail": ("mailto:a@example.org", "mailto:a@example.org"),
}


def test_link_field_holds_only_http_https_and_mailto_links(
    col: Collection, tmp_path: Path, notes
) -> None:
    """The README's promise: only http, https and mailto become links. Any other link of a
    title leaves the Link field empty, and the card shows the title with no link at all."""
    cell = {**UNSAFE_LINKS, **{t: u for t, (u, _) in SAFE_LINKS.items()}}
    rows = [
        f"| 2020 | [{t}]({u.replace(chr(92), chr(92) * 2)}) | k | c {t} | | |"
        for t, u in cell.items()
    ]
    path = notes(table(*rows))
    assert {p.title: p.url for p in load([path]).papers} == cell  # (read as typed)
    export_deck(load([path]), tmp_path / "o.apkg")
    fields = package_fields(tmp_path / "o.apkg")
    assert {t: f["Link"] for t, f in fields.items()} == {
        **dict.fromkeys(UNSAFE_LINKS, ""),
        **{t: link for t, (_, link) in SAFE_LINKS.items()},
    }
    for t, url in UNSAFE_LINKS.items():  # nowhere in the note
        assert url not in "\x1f".join(fields[t].values()), t
    import_apkg(col, tmp_path / "o.apkg")
    shown = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        shown[card.note()["Title"]] = card.question()
    for t in UNSAFE_LINKS:
        assert "<a" not in shown[t] and f'<div class="title">{t}</div>' in shown[t], t
    assert '<a href="https://example.org/p?q=1&amp;r=2">Web</a>' in shown["Web"]


def test_anki_tags_in_notes_are_text_in_every_field(col: Collection, tmp_path: Path, notes):
    """A notes cell with ``[sound:evil.mp3]`` must not become an audio player (nor
    ``[anki:tts]`` speech, nor ``[latex]`` a LaTeX run): the card shows the text as typed."""
    tags = "[sound:evil.mp3] [SOUND:up.mp3] [anki:tts lang=en_US]hi[/anki:tts] [latex]x[/latex] [$]y[/$]"
    path = notes(
        table(
            f"| 2020 | T [sound:title.mp3] | k | c {tags} | | n |",
            "| 2022 | U | k | c &#91;sound:ent.mp3] \\[sound:esc.mp3] | | |",
            "| 2021 | [Linked](https://example.org/[sound:url.mp3]) | k | c | | |",
        )
    )
    export_deck(load([path]), tmp_path / "o.apkg")
    fields = package_fields(tmp_path / "o.apkg")
    flds = "\x1f".join("\x1f".join(f.values()) for f in fields.values())
    for tag in ("[sound:", "[anki:", "[latex]", "[$]"):
        assert tag not in flds.lower(), tag
    import_apkg(col, tmp_path / "o.apkg")
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        assert card.question_av_tags() == [] and card.answer_av_tags() == []
        assert "latex-" not in card.answer()  # (no image of a LaTeX run)
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        assert col.media.files_in_str(note.mid, "\x1f".join(note.fields)) == []
    note = notes_by_title(col)["T &#91;sound:title.mp3]"]
    assert html.unescape(note["Contribution"]) == f"c {tags}"
    # (what markdown makes "[" of: an entity, an escape)
    note = notes_by_title(col)["U"]
    assert html.unescape(note["Contribution"]) == "c [sound:ent.mp3] [sound:esc.mp3]"


def test_an_export_into_a_folder_that_is_not_there_is_refused(tmp_path: Path, capsys) -> None:
    """A mistyped folder is said, not made: ``-o /nonexistent/dir/x.apkg`` made the folders
    (as root, at the file system's root) and said only 'wrote x.apkg'."""
    path = tmp_path / "n.md"
    path.write_text(table("| 2020 | A | k | c | | |"))
    out = tmp_path / "typo" / "dir" / "x.apkg"
    assert main(["export", str(path), "-o", str(out)]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        f"studydeck: {out}: error: cannot write the Anki package: No such file or directory "
        f"(create the folder {out.parent} first)"
    )
    assert not (tmp_path / "typo").exists()
