"""`studydeck check` and `studydeck cards` as a user runs them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from studydeck.cli import main

from .conftest import SEED, table


def test_check_bundled_deck_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.strip() == "22 papers, 44 cards, 0 errors, 0 warnings"


def test_check_prefers_local_cards_folder(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "mine.md").write_text(table("| 2020 | Mine | k | c | | |"))
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0
    assert capsys.readouterr().out.strip() == "1 paper, 1 card, 0 errors, 0 warnings"


def test_check_reports_lines_and_exits_1(notes, capsys) -> None:
    path = notes(table("| 2020 |  | k | c | |", "| | B | k | c | | |"))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}:5: error: row has no paper title")
    assert out[1] == f"{path}:6: warning: no year for 'B'"
    assert out[-1] == "1 paper, 1 card, 1 error, 1 warning"


def test_check_warns_about_missing_and_non_image_local_figures(notes, tmp_path, capsys) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    (tmp_path / "img" / "notes.txt").write_text("not a picture")
    path = notes(
        table(
            "| 2020 | A | k | c | ![ok](img/ok.png) | |",
            "| 2020 | B | k | c | ![gone](img/missing.png) | |",
            '| 2020 | C | k | c | <img src="img/notes.txt" alt="t" width=200> | |',
            "| 2020 | D | k | c | ![web](https://example.org/x.png) | |",
        )
    )
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:6: warning: figure 'img/missing.png' does not exist",
        f"{path}:7: warning: figure 'img/notes.txt' is not an image "
        "(expected PNG, JPEG, GIF, WebP or SVG)",
        "4 papers, 4 cards, 0 errors, 2 warnings",
    ]


def test_check_neither_hangs_on_a_fifo_figure_nor_follows_a_link_out(notes, tmp_path, capsys):
    """A probe's ``fig.png`` that was a FIFO hung `check` (it opened it and waited); its
    ``passwd.png``, a link to /etc/passwd, was not said (`export` said both)."""
    import os

    os.mkfifo(tmp_path / "fifo.png")
    (tmp_path / "passwd.png").symlink_to("/etc/passwd")
    path = notes(
        table(
            "| 2020 | A | k | c | ![f](fifo.png) | |",
            "| 2020 | B | k | c | ![p](passwd.png) | |",
            "| 2020 | C | k | c | ![u](../up.png) | |",
        )
    )
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:5: warning: figure 'fifo.png' is not a regular file, not an image",
        f"{path}:6: warning: figure 'passwd.png' cannot be shown: path leaves the notes "
        "file's folder (a link to elsewhere?)",
        f"{path}:7: warning: image path '../up.png' is outside the notes file's folder and "
        "will not be shown",
        "3 papers, 3 cards, 0 errors, 3 warnings",
    ]


def test_a_mistyped_command_is_suggested_not_read_as_a_file(capsys) -> None:
    assert main(["revew"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean 'review'?" in err[0]
    assert main(["stat", "--json"]) == 2
    assert "did you mean 'stats'?" in capsys.readouterr().err


def test_a_notes_file_named_like_a_command_is_still_a_file(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "revew").write_text(table("| 2020 | A | k | c | | |"))
    monkeypatch.chdir(tmp_path)
    # It exists, so it is a notes path (home opens on it); check it through `check` instead.
    assert main(["check", "revew"]) == 0
    from studydeck.cli import _mistyped_command, build_parser, command_names

    commands = command_names(build_parser())
    assert _mistyped_command("revew", commands) is None
    assert _mistyped_command("notes.md", commands) is None
    assert _mistyped_command("agneda", commands) == "agenda"


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["quiz", "--bogus"],
            "studydeck quiz: error: unknown option '--bogus' (see studydeck quiz --help)",
        ),
        (
            ["cards", "--jsno"],
            "studydeck cards: error: unknown option '--jsno'; did you mean '--json'? "
            "(see studydeck cards --help)",
        ),
        (
            ["anki", "push", "--colection=x"],
            "studydeck anki push: error: unknown option '--colection=x'; did you mean "
            "'--collection'? (see studydeck anki push --help)",
        ),
        (
            ["quiz", "-n", "0"],
            "studydeck quiz: error: argument -n: expected a whole number from 1 to 1,000,000,000, not '0' "
            "(see studydeck quiz --help)",
        ),
        (
            ["--db", "x.db", "stats"],
            "studydeck: error: the command comes first, then its options: "
            "studydeck stats --db x.db",
        ),
        (
            ["stats", "--\x1b[31mred"],
            "studydeck stats: error: unknown option '--\\x1b[31mred' (see studydeck stats --help)",
        ),
    ],
)
def test_a_command_line_that_cannot_be_read_is_one_line_naming_its_command(
    argv: list[str], line: str, capsys
) -> None:
    """No usage block: what is wrong, a close option for a mistyped one, and where the
    options are listed; the text typed reaches the terminal without its escapes."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [line] and captured.out == ""


@pytest.mark.parametrize("n", ["0", "-3", "99999999999999999999", "1000000001"])
def test_a_question_count_of_none_or_past_any_list_is_refused(n: str, capsys) -> None:
    assert main(["quiz", "-n", n, "--plain"]) == 2
    err = capsys.readouterr().err
    assert "expected a whole number from 1 to 1,000,000,000" in err and "Traceback" not in err


def test_warnings_alone_exit_0(notes, capsys) -> None:
    assert main(["check", str(notes(table("| | B | k | c | | |")))]) == 0


def test_usage_errors_exit_2(capsys) -> None:
    assert main(["check", "/no/such/file.md"]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["check", "--bogus"]) == 2


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ("| 年份 |".encode("gbk") + b"\xff\n", "not UTF-8"),
        (b"\x00\x01\x02binary", "binary file"),
        (b"", "empty file"),
        (b"# Prose only\n", "no paper table"),
    ],
)
def test_bad_files_give_one_line_and_no_traceback(tmp_path: Path, data: bytes, needle: str) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(data)
    run = subprocess.run(
        [sys.executable, "-m", "studydeck", "check", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert lines[0].startswith(f"{bad}:1: error: ") and needle in lines[0]
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize("command", ["review", "stats", "export", "check"])
def test_a_table_with_no_rows_is_no_deck(tmp_path: Path, command: str, capsys) -> None:
    """A header and no rows (a trial's new notes file) is said, and nothing to study exits 1:
    not a finished session of no cards, nor "0 papers, 0 errors" and success."""
    notes = tmp_path / "empty.md"
    notes.write_text("# x\n\n| 年份 | 论文 |\n| - | - |\n", encoding="utf-8")
    argv = [command, str(notes)]
    if command != "check":
        argv += ["--db", str(tmp_path / "s.db")]
    if command == "export":
        argv += ["-o", str(tmp_path / "x.apkg")]
    assert main(argv) == 1
    out = capsys.readouterr()
    said = (out.out if command == "check" else out.err).splitlines()
    assert (
        said[0]
        == f"{notes}:3: warning: the paper table has no rows yet: add a row per paper under its header"
    )
    if command == "check":
        assert said[1:] == ["0 papers, 0 cards, 0 errors, 1 warning"]
    else:
        assert said[1:] == [
            "studydeck: error: no cards to study: the notes hold no paper rows with cards"
        ]
    # (refused, the command leaves no store behind: it had made one)
    assert not list(tmp_path.glob("s.db*"))


def test_agenda_and_brief_read_the_store_given_and_make_none(tmp_path: Path, capsys) -> None:
    """``--db`` as for the other commands: the deck is read through that store's cache when
    the store exists; a store that does not is not made (they only read)."""
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("Layer Normalization\n", encoding="utf-8")
    db = tmp_path / "none" / "s.db"
    assert main(["agenda", str(agenda), str(SEED), "--db", str(db)]) == 0
    assert "Layer Normalization → Layer Normalization" in capsys.readouterr().out
    out = tmp_path / "b.md"
    assert main(["brief", "--agenda", str(agenda), "-o", str(out), str(SEED), "--db", str(db)]) == 0
    assert out.exists() and not db.exists() and not db.parent.exists()


def test_cards_json(capsys) -> None:
    assert main(["cards", str(SEED), "--json"]) == 0
    cards = json.loads(capsys.readouterr().out)
    assert len(cards) == 44
    first = cards[0]
    assert {"id", "kind", "paper", "year", "keywords", "front", "back", "figures", "source"} <= set(
        first
    )
    assert first["kind"] == "contribution" and first["paper"] == "Runner & Hook"
    assert first["source"].endswith("paper-reading.md:5")
    assert first["front"].startswith("Runner & Hook (2022)")
    assert {c["kind"] for c in cards} == {"contribution", "insight", "critique"}
    with_fig = next(c for c in cards if c["figures"])
    assert with_fig["figures"][0]["src"].startswith("https://")


def test_cards_table(capsys) -> None:
    assert main(["cards", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "Runner & Hook" in out and "底层可拓展" in out


def test_cards_lists_each_title_and_back_in_its_column_cut_with_an_ellipsis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The title column is 40 terminal cells whatever the script (a CJK character takes
    two: 40 of them ran 80 cells wide) and a cut title says so; the back likewise, 60."""
    from rich.cells import cell_len

    long_en = "A Very Long English Title That Runs Well Past Forty Characters"
    long_cn = "基于深度学习的视频压缩伪影去除与质量增强方法综述及其在实际场景中的应用"
    notes = tmp_path / "n.md"
    notes.write_text(
        table(
            f"| 2020 | {long_en} | k | {'c' * 70} | | |",
            f"| 2021 | {long_cn} | k | 短 | | |",
            "| 2022 | Short | k | 短 | | |",
        ),
        "utf-8",
    )
    assert main(["cards", "--db", str(tmp_path / "s.db"), str(notes)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    prefix = 34 + 1 + 4 + 1 + 12 + 1
    for line, whole in zip(lines, (long_en, long_cn, "Short"), strict=True):
        rest = line[prefix:]
        cells, title = 0, ""
        for ch in rest:  # the title column: its first 40 cells
            if cells + cell_len(ch) > 40:
                break
            title, cells = title + ch, cells + cell_len(ch)
        assert cells == 40, line
        if whole == "Short":
            assert title.rstrip() == whole
        else:
            assert title.rstrip().endswith("…") and whole.startswith(title.rstrip()[:-1])
    assert lines[0].endswith("c" * 59 + "…")


@pytest.mark.parametrize(
    "argv",
    [
        ["sync", "nope.md"],
        ["agenda", "nope.md"],
        ["check", "nope.md"],
        ["quiz", "--agenda", "nope.md", "--plain"],
        ["brief", "--agenda", "nope.md", "-o", "x.html"],
        ["anki", "push", "nope.md"],  # (it said "no Anki profile in this folder")
    ],
)
def test_a_path_that_is_not_there_is_the_same_line_for_every_command(
    argv: list[str], tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUDYDECK_DB", str(tmp_path / "s.db"))
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [
        "studydeck: nope.md: error: no such file or folder (check the path)"
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["{long}"],
        ["check", "{long}"],
        ["stats", "{long}"],
        ["stats", "--db", "{long}"],
        ["log", "--csv", "--db", "{long}"],
        ["cards", "--db", "{long}"],
    ],
)
def test_a_name_the_system_refuses_is_one_line_not_a_traceback(
    argv: list[str], tmp_path, monkeypatch, capsys
) -> None:
    """A 300-character file name (ENAMETOOLONG from the first look at it)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUDYDECK_DB", str(tmp_path / "s.db"))
    long = "w" * 300
    assert main([a.format(long=long) for a in argv]) == 1
    assert capsys.readouterr().err.splitlines() == [f"studydeck: {long}: error: File name too long"]


@pytest.mark.parametrize(
    "argv",
    [
        ["revew\x1b[31m"],
        ["quiz", "--keyword", "\x1b]2;PWNED\x07", "--plain", "-n", "1", "{notes}"],
        ["brief", "--agenda", "{agenda}", "-o", "{out}", "{notes}"],
        ["export", "-o", "{tmp}/x.apkg", "--kinds", "foo\x1b[31m\u202e", "{notes}"],
        ["agenda", "{agenda}", "{notes}"],
    ],
)
def test_what_a_command_says_on_stderr_never_carries_an_escape_sequence(
    argv: list[str], tmp_path, monkeypatch, capsys
) -> None:
    """Every message goes through the one sanitising path, whatever text it quotes: the
    command line, a keyword, an output file's name, an agenda line."""
    monkeypatch.setenv("STUDYDECK_DB", str(tmp_path / "s.db"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    notes = tmp_path / "notes.md"
    notes.write_text(table("| 2020 | Alpha Paper | k | contribution A | | |"), encoding="utf-8")
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("\x1b]52;c;aGVsbG8=\x07Alpha Paper\n", encoding="utf-8")
    out = tmp_path / "x\x1b]2;PWNED\x07.html"
    names = {"notes": str(notes), "agenda": str(agenda), "out": str(out), "tmp": str(tmp_path)}
    main([a.format(**names) for a in argv])
    captured = capsys.readouterr()
    assert (captured.err + captured.out).strip()  # (it said something)
    for text in (captured.err, captured.out):
        assert not any(c in text for c in "\x1b\x07\x9b\u202e"), text


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["log", "--csv", "--dbb", "x"],
            "studydeck log: error: unknown option '--dbb'; did you mean '--db'? "
            "(see studydeck log --help)",
        ),
        (
            ["agenda", "a.txt", "--json"],
            "studydeck agenda: error: unknown option '--json' (see studydeck agenda --help)",
        ),
        (
            ["optimize", "--dbx", "1"],
            "studydeck optimize: error: unknown option '--dbx'; did you mean '--db'? "
            "(see studydeck optimize --help)",
        ),
        (  # not taken from its first letters
            ["anki", "push", "--deck-nam", "x"],
            "studydeck anki push: error: unknown option '--deck-nam'; did you mean "
            "'--deck-name'? (see studydeck anki push --help)",
        ),
        (
            ["log", "--csv", "extra"],
            "studydeck log: error: unexpected 'extra' (see studydeck log --help)",
        ),
        (  # the typo is said, not the required option it was meant to be
            ["brief", "--agend", "x", "-o", "b.html"],
            "studydeck brief: error: unknown option '--agend'; did you mean '--agenda'? "
            "(see studydeck brief --help)",
        ),
    ],
)
def test_every_command_names_itself_in_its_one_line(argv, line, capsys) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [line]


def test_a_bare_word_that_is_no_command_and_no_path_is_said_so(tmp_path, monkeypatch, capsys):
    """(``studydeck browse`` went on as ``review browse`` and said "studydeck review: error:
    unexpected ..." about a later word.)"""
    monkeypatch.chdir(tmp_path)
    assert main(["browse", "--db", "v.db", "other.md"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        "studydeck: error: 'browse' is not a command, nor a notes file or folder here (commands: "
    )
    assert not (tmp_path / "v.db").exists()


def test_an_option_far_from_every_known_one_gets_no_guess(capsys) -> None:
    assert main(["export", "--frob", "-o", "x.apkg"]) == 2  # ('--db' was suggested)
    assert capsys.readouterr().err.splitlines() == [
        "studydeck export: error: unknown option '--frob' (see studydeck export --help)"
    ]


@pytest.mark.parametrize("where", ["elsewhere", "checkout"])
def test_the_bundled_demo_deck_has_a_store_of_its_own(
    tmp_path: Path, monkeypatch, capsys, where: str
) -> None:
    """A trial's answers to the demo (``studydeck`` with no notes named) joined the history
    of the same papers in its own notes, in the one store: the demo deck holds real papers.
    The demo has a store of its own, and says so; naming notes uses the user's store."""
    from studydeck.config import data_dir

    monkeypatch.chdir(tmp_path if where == "elsewhere" else Path(__file__).parent.parent)
    assert main(["stats"]) == 0
    said = capsys.readouterr().err
    assert "the bundled demo deck, with a store of its own" in said
    assert (data_dir() / "demo.sqlite3").is_file()
    assert not (data_dir() / "studydeck.sqlite3").exists()
    mine = tmp_path / "mine.md"
    mine.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["stats", str(mine)]) == 0
    assert "demo" not in capsys.readouterr().err
    assert (data_dir() / "studydeck.sqlite3").is_file()
    # A command that reads no notes reads the user's store, not the demo's.
    from datetime import UTC, datetime

    from studydeck.store import Store

    with Store.open(data_dir() / "studydeck.sqlite3") as store:
        (card,) = store.tuples("SELECT card_id FROM cards LIMIT 1")
        now = datetime(2026, 3, 1, tzinfo=UTC)
        store.record_answer(card[0], 4, now=now, today=now.date())
    assert main(["log", "--csv"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2  # (the header and the answer)


@pytest.mark.parametrize("argv", [["review"], [], ["quiz", "-n", "2"]])
def test_the_app_without_a_terminal_says_so_at_once(tmp_path: Path, argv: list[str]) -> None:
    """A probe ran ``review``, bare ``studydeck`` and ``quiz`` with stdin and stdout not a
    terminal: the app started and spun at 94% CPU for ever. One line and exit 1, at once
    (once the notes are read: what is wrong with them is said first)."""
    from .conftest import run_studydeck

    run = run_studydeck(tmp_path, *argv, str(SEED), "--db", str(tmp_path / "s.db"), stdin=None)
    assert run.returncode == 1, run.stderr
    assert "needs a terminal: stdin or stdout is not one" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_warning_quotes_at_most_80_characters_of_a_title(notes, capsys) -> None:
    """A probe's `check` of a 7 MB title wrote a "one line" warning of 7 MB."""
    title = "长" * 200_000
    path = notes(table(f"| | {title} | k | c | | |"))
    assert main(["check", str(path)]) == 0
    (warning, _) = capsys.readouterr().out.splitlines()
    assert warning == f"{path}:5: warning: no year for '{'长' * 79}…'"


@pytest.mark.parametrize("where", ["fifo", "dev_zero", "folder", "no_folder"])
def test_a_store_named_that_is_no_file_or_in_no_folder_is_one_line(
    tmp_path: Path, where: str, capsys
) -> None:
    """A probe's --db of a FIFO or /dev/zero gave "disk I/O error" with no hint; a mistyped
    folder was made, with a new empty store in it."""
    import os

    db = {
        "fifo": tmp_path / "fifo.db",
        "dev_zero": Path("/dev/zero"),
        "folder": tmp_path,
        "no_folder": tmp_path / "no" / "such" / "s.db",
    }[where]
    if where == "fifo":
        os.mkfifo(db)
    assert main(["stats", str(SEED), "--db", str(db)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    shown = db.parent if where == "no_folder" else db
    assert line.startswith(f"studydeck: {shown}: error: the review store")
    assert "give --db (or $STUDYDECK_DB) the path of a file" in line
    assert not (tmp_path / "no").exists()
