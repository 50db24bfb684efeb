"""The review app driven with Textual's Pilot, as a user would."""

from __future__ import annotations

import io
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Static

from studydeck.config import Settings
from studydeck.figures import FigureFetcher
from studydeck.tui.screens.browse import BrowseScreen
from studydeck.tui.screens.help import HelpScreen
from studydeck.tui.screens.review import ReviewScreen
from studydeck.tui.screens.stats import StatsScreen
from studydeck.tui.widgets.cardlist import CardList

from ..conftest import SEED, table
from ..figserver import serve
from .conftest import held


def text_of(app, selector: str) -> str:
    """What a Static shows, as plain text."""
    content = app.screen.query_one(selector, Static).content
    if isinstance(content, str):
        return content
    if hasattr(content, "plain"):
        return content.plain
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


def answer_shown(screen: ReviewScreen) -> bool:
    """The answer box is on screen (it is made the first time an answer is shown)."""
    return any(box.display for box in screen.query("#answer-box"))


async def test_full_session_with_undo(make_app) -> None:
    app = make_app([SEED], settings=Settings(new_per_day=5))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "0 done · 5 to go" in text_of(app, "#progress")
        assert not answer_shown(screen)
        await pilot.press("g")  # grading before the answer is shown does nothing
        assert app.ctx.store.review_count() == 0
        given = []
        for q in ("5", "4", "5"):
            await pilot.press("space")
            assert answer_shown(screen)
            await pilot.press(q)
            given.append(int(q))
            assert not answer_shown(screen)  # the next card's front
        await pilot.press("u")  # undo the third answer
        given.pop()
        assert "2 done" in text_of(app, "#progress")
        while screen.session.current is not None:
            await pilot.press("space", "g")
            given.append(4)
        assert "Session complete" in text_of(app, "#summary-view")
        rows = app.ctx.store.reviews()
        assert [r.quality for r in rows] == given
        assert len(rows) == 5


async def test_anki_buttons_and_repeat_of_hard_card(make_app) -> None:
    app = make_app([SEED], settings=Settings(new_per_day=2))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r", "space")
        first = app.screen.session.current.card.id
        await pilot.click("#anki-hard")
        await pilot.pause()
        assert app.ctx.store.reviews()[0].quality == 3
        assert any(it.card.id == first and it.repeat for it in app.screen.session.queue)
        await pilot.press("space", "a")  # Again = 1 on the other card
        assert [r.quality for r in app.ctx.store.reviews()] == [3, 1]


async def test_bury_and_suspend(make_app) -> None:
    app = make_app([SEED], settings=Settings(new_per_day=3))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        s = app.screen.session
        buried = s.current.card.id
        await pilot.press("b")
        suspended = s.current.card.id
        await pilot.press("s")
        # Neither was studied: the next new cards take their places (as home counts them).
        assert s.remaining == 3
        assert {buried, suspended}.isdisjoint(it.card.id for it in s.queue)
        store = app.ctx.store
        assert store.state(suspended).suspended
        assert store.state(buried).buried_until is not None
        assert store.review_count() == 0


async def test_editor_round_trip_keeps_history(
    make_app, notes, tmp_path: Path, monkeypatch
) -> None:
    path = notes(
        table("| 2020 | Paper A | k | old contribution | | |", "| 2021 | Paper B | k | other | | |")
    )
    editor = tmp_path / "fake-editor.sh"
    log = tmp_path / "editor-args"
    editor.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {log}\n'
        'file="$2"\n'
        "sed -i 's/old contribution/new contribution/' \"$file\"\n"
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app([path])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r", "space", "1")  # Paper A answered (1), repeats today
        a_id = app.ctx.deck.cards[0].id
        while app.screen.session.current.card.id != a_id:
            await pilot.press("space", "5")
        done_before = app.screen.session.done
        await pilot.press("e")  # e is no longer edit (it sat next to E = Easy)
        await pilot.pause()
        assert not log.exists()
        await pilot.press("x")
        await pilot.pause()
        assert log.read_text().split() == ["+5", str(path)]
        # The sitting goes on: same done count, and undo still takes back an earlier answer.
        assert app.screen.session.done == done_before
        assert f"{done_before} done" in text_of(app, "#progress")
        assert "new contribution" in path.read_text()
        await pilot.press("space")
        assert text_of(app, "#card-answer") == "new contribution"
        assert app.screen.session.current.card.id == a_id
        assert len(app.ctx.store.reviews(cid=a_id)) == 1
        answered = len(app.ctx.store.reviews())
        await pilot.press("u")
        assert len(app.ctx.store.reviews()) == answered - 1
        assert app.screen.session.done == done_before - 1


async def test_an_edit_that_breaks_the_table_keeps_the_cards_and_the_sitting(
    make_app, notes, tmp_path: Path, monkeypatch
) -> None:
    """An edit that breaks the table's header (no table found) retired every card and ended
    the sitting ('Session complete', seen in a trial). The reload is refused with the
    error: the cards, the sitting and the store stay as they were; the fixed file reloads."""
    path = notes(
        table("| 2020 | Paper A | k | contribution A | | |", "| 2021 | Paper B | k | other | | |")
    )
    editor = tmp_path / "fake-editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        'file="$2"\n'
        "if grep -q '| 论文 |' \"$file\"; then sed -i 's/| 论文 |/| 文章 |/' \"$file\"; "
        "else sed -i 's/| 文章 |/| 论文 |/' \"$file\"; fi\n"
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    app = make_app([path])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r", "space", "4")
        screen = app.screen
        deck, current = app.ctx.deck, screen.session.current.card.id
        states = app.ctx.store.states()
        await pilot.press("x")
        await pilot.pause()
        assert "| 文章 |" in path.read_text()  # the header broken
        assert app.ctx.deck is deck and screen.session.current.card.id == current
        assert app.ctx.store.states() == states  # nothing retired
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert any("no paper table found" in m and "kept as they were" in m for m in errors)
        await pilot.press("x")  # fixed
        await pilot.pause()
        assert "| 论文 |" in path.read_text() and app.ctx.deck is not deck
        assert screen.session.current.card.id == current
        assert len(app.ctx.deck.cards) == len(deck.cards)


def footer_keys(app) -> list[str]:
    """The descriptions the footer draws, left to right (the palette key last)."""
    from textual.widgets._footer import FooterKey

    from studydeck.tui.widgets.footer import FooterKeys

    drawn = app.screen.query_one(FooterKeys).render().plain
    keys = [k.description for k in app.screen.query_one(FooterKeys).keys]
    assert all(f" {d} " in f" {drawn}" for d in keys)  # as drawn, not only as listed
    return [*keys, *(k.description for k in app.screen.query(FooterKey))]


async def test_footer_follows_the_state_of_the_card(make_app) -> None:
    app = make_app([SEED], settings=Settings(new_per_day=1))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        front = footer_keys(app)
        assert "Show answer" in front and "Good" not in front
        assert "Undo" not in front  # nothing answered yet
        await pilot.press("space")
        await pilot.pause()
        back = footer_keys(app)
        assert "Show answer" not in back
        assert [k for k in back if k in ("Again", "Hard", "Good", "Easy")] == [
            "Again",
            "Hard",
            "Good",
            "Easy",
        ]
        await pilot.press("space")  # space on a shown answer is Good
        await pilot.pause()
        assert [r.quality for r in app.ctx.store.reviews()] == [4]
        assert "Session complete" in text_of(app, "#summary-view")
        done = footer_keys(app)
        assert not {"Show answer", "Again", "Hard", "Good", "Easy", "Edit"} & set(done)
        assert "Undo" in done
        title = app.screen.query_one("#card-title")
        assert not title.region  # the summary shows no card's title
        await pilot.press("u")  # undo from the summary: the card, and its title, are back
        await pilot.pause()
        assert title.region and text_of(app, "#card-title").strip()
        assert "Show answer" in footer_keys(app)


async def test_help_lists_the_screens_own_keys_first(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r", "question_mark")
        rows = app.screen._rows()
        whats = [what for _, what in rows]
        assert rows[0] == ("space / ⏎", "Show the answer")
        # Grades are listed even though the footer hides them before the answer is shown.
        assert "Good (SM-2 grade 4)" in whats
        own_last = max(whats.index(w) for w in ("Hide this card until tomorrow", "Back to home"))
        assert own_last < whats.index("Help")
        assert ("x", "Edit the paper's row in $EDITOR, then reload") in rows
        # Not the scroll and focus keys of Textual's containers: they buried these.
        for generic in ("Scroll Left", "Page Left", "Focus Next", "Scroll Up"):
            assert generic not in whats, generic
        # Browse opens on its filter, where ? is a character and F1 is help.
        await pilot.press("escape", "escape", "b", "question_mark", "f1")
        whats = [what for _, what in app.screen._rows()]
        assert (
            "Filter: words, kw:…, year:…, kind:…, state:new|due|learning|review|suspended" in whats
        )
        await pilot.press("escape")
        assert app.screen.query_one("#filter").value == "?"
        await pilot.press("down", "question_mark")  # browse's, with its list
        whats = [what for _, what in app.screen._rows()]
        assert whats[:5] == [
            "Next",
            "Previous",
            "Filter: words, kw:…, year:…, kind:…, state:new|due|learning|review|suspended",
            "Suspend or unsuspend the selected card",
            "Sort by the next column",
        ]
        assert "Page down" in whats and "Scroll Left" not in whats and "Focus Next" not in whats


def png_file(path: Path, size=(400, 300)) -> Path:
    from PIL import Image

    Image.new("RGB", size, (200, 30, 30)).save(path)
    return path


async def test_80x24_figure_card_keeps_grades_and_key_footer_on_screen(
    make_app, notes, tmp_path: Path
) -> None:
    png_file(tmp_path / "fig.png")
    long = "A long contribution sentence that wraps. " * 6
    title = "Metric Learning based Interactive Modulation for Real-World Super-Resolution"
    path = notes(table(f"| 2020 | {title} | k | {long} | ![arch](fig.png) | |"))
    app = make_app([path])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query(".figure-image")  # the figure is really there
        await pilot.press("space")
        await pilot.pause()
        screen = app.screen.region
        bar = app.screen.query_one("#grade-bar").region
        footer = app.screen.query_one("Footer").region
        assert bar.height >= 1 and screen.contains_region(bar)
        assert bar.bottom <= footer.y
        # the figure pushed the answer below the fold: revealing scrolls its start into view
        answer = app.screen.query_one("#card-answer").region
        assert screen.contains_point(answer.offset) and answer.y < bar.y
        for button in app.screen.query("#grade-bar Button"):  # no grade button cut off
            assert screen.contains_region(button.region), str(button.label)
        # ... and the paper's title and card kind stay above it: the answer names its paper.
        strips = [s.text for s in app.screen._compositor.render_strips()]
        assert any(s.strip().startswith("Metric Learning based") for s in strips[: answer.y])
        assert any("contribution" in s for s in strips[: answer.y])
        # What the bottom row shows. Nothing to undo yet: Undo is not shown. The keys are
        # more than 80 columns hold: the last ones are dropped, never Help (where every key
        # is listed), which ends the line.
        painted = app.screen._compositor.render_strips()[-1].text
        for important in ("Again", "Hard", "Good", "Easy", "Figure", "Edit", "Help"):
            assert f" {important} " in painted, important


async def test_f_opens_the_figure_full_size_and_escape_closes_it(
    make_app, notes, tmp_path: Path
) -> None:
    from studydeck.tui.screens.figure import FigureScreen

    png_file(tmp_path / "fig.png")
    path = notes(table("| 2020 | Figure Paper | k | c | ![arch](fig.png) | |"))
    app = make_app([path])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "f")
        assert isinstance(app.screen, FigureScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        image = app.screen.query_one(".figure-image").region
        assert image.height > 16  # more than the figure gets on the card
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


@pytest.mark.parametrize("pixels", [(1194, 201), (817, 346), (300, 600)])
async def test_a_figure_keeps_its_shape_on_the_card_and_full_size(
    make_app, notes, tmp_path: Path, pixels: tuple[int, int]
) -> None:
    """A trial's wide figure (1194x201, 5.9:1) was drawn 76x9 cells (4.2:1: cells are twice
    as tall as wide), stretched: its height was fixed and its width cut to the screen's. Wide,
    ordinary and tall figures keep their shape, on the card and full size."""
    from studydeck.tui.screens.figure import FigureScreen

    png_file(tmp_path / "fig.png", pixels)
    path = notes(table("| 2020 | Figure Paper | k | c | ![arch](fig.png) | |"))
    app = make_app([path])
    ratio = pixels[0] / pixels[1]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        for full in (False, True):
            if full:
                await pilot.press("f")
                assert isinstance(app.screen, FigureScreen)
            await app.workers.wait_for_complete()
            await pilot.pause()
            box = app.screen.query_one(".figure-image").region
            shape = box.width / (2 * box.height)  # (a cell is twice as tall as it is wide)
            assert abs(shape - ratio) / ratio < 0.12, (full, box, ratio)
            assert box.width <= 80 and (full or box.height <= 10)


async def test_a_figure_declaring_60000_by_60000_pixels_is_said_too_large_not_a_crash(
    make_app, notes, tmp_path: Path
) -> None:
    from ..test_figures import png_declaring

    (tmp_path / "bomb.png").write_bytes(png_declaring(60000, 60000))
    path = notes(table("| 2020 | Bomb Paper | k | c | ![arch](bomb.png) | |"))
    app = make_app([path])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = text_of(app, "#figure-status")
        assert status.startswith("figure unavailable (too large to show") and "bomb.png" in status
        assert not app.screen.query(".figure-image")
        await pilot.press("space", "4")  # the review goes on
        assert app.is_running


async def test_opening_on_review_says_how_many_rows_were_skipped(make_app, notes) -> None:
    path = notes(table("| 2020 | A | k | c | | |", "| 2020 |  | k | c | | |", "| | | k | c | | |"))
    app = make_app([path], start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "2 rows of the notes skipped for errors: run `studydeck check`" in messages


async def test_figures_from_local_server_and_offline(make_app, notes, tmp_path: Path) -> None:
    with serve() as url:
        path = notes(
            table(
                f"| 2020 | Good | k | c | ![a]({url}/good.png) | |",
                f"| 2021 | Bad | k | c | ![alt text]({url}/missing.png) | |",
            )
        )
        fetcher = FigureFetcher(tmp_path / "figcache", timeout=2)
        app = make_app([path], fetcher=fetcher)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.query(".figure-image")
            footer = app.screen._compositor.render_strips()[-1].text
            assert " f Figure " in footer  # (there: it opens full size)
            await pilot.press("space", "5")
            await app.workers.wait_for_complete()
            await pilot.pause()
            status = text_of(app, "#figure-status")
            assert "figure unavailable (HTTP 404)" in status and "alt text" in status
            assert not app.screen.query(".figure-image")
            # A trial's footer offered `f` for a figure that could not be had.
            footer = app.screen._compositor.render_strips()[-1].text
            assert " f Figure " not in footer and " Edit " in footer
            await pilot.press("space", "5")
            assert "Session complete" in text_of(app, "#summary-view")


async def test_tricky_text_shown_literally(make_app, notes) -> None:
    path = notes(
        table(
            "| 2020 | [bold] 标题 [/] $HOME 🙂 | [red] | [[视频]](https://v.org) 和 [/] 以及 $x$ "
            "非常长的中文句子会在正确的列换行非常长的中文句子会在正确的列换行非常长的中文句子会在正确的列换行 | | |"
        )
    )
    app = make_app([path])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r", "space")
        assert text_of(app, "#card-title").startswith("[bold] 标题 [/] $HOME 🙂")
        assert "[red]" in text_of(app, "#card-meta")
        answer = text_of(app, "#card-answer")
        assert answer.startswith("[视频] 和 [/] 以及 $x$")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert text_of(app, "#card-answer") == answer
        assert app.screen.query_one("#answer-box").display  # resizing keeps the card and its state


async def test_help_and_palette_come_from_bindings(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        body = " ".join(text_of(app, f"#{w.id}") for w in app.screen.query(Static) if w.id)
        for words in (
            "Show the answer",
            "Undo the last answer",
            "Hide this card until tomorrow",
            "Again = 1",
        ):
            assert words in body
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Bury", "Suspend", "Edit", "Show answer"} <= set(titles)
        assert "Undo" not in titles  # nothing to undo yet: the palette offers what works now
        helps = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert helps["Help"].endswith("(key: ?)")  # not 'question_mark'
        assert helps["Show answer"].endswith("(key: space)")
        await pilot.press("space", "g")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Undo" in titles


async def test_browse_filter_history_and_suspend(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r", "space", "5", "escape", "b")
        assert isinstance(app.screen, BrowseScreen)
        table_ = app.screen.query_one(CardList)
        assert table_.row_count == 44
        await pilot.press("slash", "k", "w", ":")
        app.screen.query_one(Input).value += "图像复原"
        await pilot.pause()
        assert table_.row_count == sum(
            1 for c in app.ctx.deck.cards if "图像复原" in c.paper.keywords
        )
        # One success (grade 5) makes a card "review", as the planner says everywhere.
        app.screen.query_one(Input).value = "state:learning"
        await pilot.pause()
        assert table_.row_count == 0
        app.screen.query_one(Input).value = "state:review"
        await pilot.pause()
        assert table_.row_count == 1
        table_.focus()
        assert "grade 5" in text_of(app, "#card-detail")
        await pilot.press("s")
        assert app.ctx.store.state(app.ctx.deck.cards[0].id).suspended
        app.screen.query_one(Input).value = "state:suspended"
        await pilot.pause()
        assert table_.row_count == 1
        await pilot.press("s")
        assert not app.ctx.store.state(app.ctx.deck.cards[0].id).suspended


async def test_stats_screen(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r", "space", "5", "space", "2", "escape", "s")
        assert isinstance(app.screen, StatsScreen)
        await counted(app, pilot)
        text = text_of(app, "#stats")
        assert "reviews per day" in text and "due in the next 30 days" in text
        assert "reviewed today 2" in text


async def counted(app, pilot) -> None:
    """Until the screen's counts (home's or stats'), made in a worker once the screen has
    painted, are shown."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.screen.counted


async def test_stats_screen_paints_before_its_figures_are_made(make_app, monkeypatch) -> None:
    """The stats screen computes off the UI thread: it shows itself while it counts."""
    from studydeck.tui.screens import stats

    release = held(monkeypatch, stats, "compute")
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        assert not app.screen.counted and text_of(app, "#stats") == "counting…"
        release.set()
        await counted(app, pilot)
        assert "reviews per day" in text_of(app, "#stats")


async def test_home_paints_before_its_counts_are_made(make_app, monkeypatch) -> None:
    """Counting a long history runs off the UI thread: home shows the deck while it counts."""
    from studydeck.tui.screens import home

    release = held(monkeypatch, home, "compute")
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "22 papers · 44 cards" in text_of(app, "#home-deck")
        assert not app.screen.counted and "due" not in text_of(app, "#home-counts")
        release.set()
        await counted(app, pilot)
        assert "day streak" in text_of(app, "#home-counts")


async def test_home_counts(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await counted(app, pilot)
        counts = text_of(app, "#home-counts")
        assert "20" in counts and "due" in counts and "day streak" in counts
        assert "22 papers · 44 cards" in text_of(app, "#home-deck")


def home_numbers(app) -> dict[str, int]:
    """Home's counts by label (the grid's first row holds the numbers, the second the
    labels)."""
    numbers, labels = (line.split() for line in text_of(app, "#home-counts").splitlines()[:2])
    names = " ".join(labels).replace("again today", "again_today")
    names = names.replace("reviewed today", "reviewed_today").replace("day streak", "streak")
    return dict(zip(names.split(), map(int, numbers), strict=True))


async def test_home_counts_add_up_to_what_the_review_holds(make_app) -> None:
    """Due, new and again today are today's review: their sum is its "to go". Cards in
    learning due on a later day (missed quiz cards sent to tomorrow) are not counted."""
    app = make_app([SEED], settings=Settings(new_per_day=6))
    async with app.run_test(size=(120, 30)) as pilot:
        store, ctx = app.ctx.store, app.ctx
        later = [c.id for c in ctx.deck.cards[-4:]]
        store.send_to_review(later, ctx.today + timedelta(days=1))
        # two answers below 4 (owed again today), one good
        await pilot.press("r", "space", "1", "space", "2", "space", "5", "escape")
        await counted(app, pilot)
        home = home_numbers(app)
        assert home["again_today"] == 2 and home["new"] == 3
        await pilot.press("r")
        to_go = app.screen.session.remaining
        assert f"{to_go} to go" in text_of(app, "#progress")
        assert home["due"] + home["new"] + home["again_today"] == to_go == 5
        await pilot.press("escape", "s")
        await counted(app, pilot)
        assert "again today 2" in text_of(app, "#stats") and "6 learning" in text_of(app, "#stats")


async def test_opening_on_review_then_escape_goes_home(make_app) -> None:
    from studydeck.tui.screens.home import HomeScreen

    app = make_app([SEED], start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("space", "5", "escape")
        assert isinstance(app.screen, HomeScreen)
        await counted(app, pilot)
        assert text_of(app, "#home-counts").split("\n")[0].split()[3] == "1"  # reviewed today
        assert "reviewed today" in text_of(app, "#home-counts")
        await pilot.press("r")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


def _locked_app(make_app, tmp_path: Path, monkeypatch, give_up: float):
    from datetime import UTC, datetime

    from studydeck.loading import open_deck
    from studydeck.store import Store

    monkeypatch.setattr(ReviewScreen, "LOCK_POLL", 0.05)
    monkeypatch.setattr(ReviewScreen, "LOCK_GIVE_UP", give_up)
    db = tmp_path / "locked.sqlite3"
    app = make_app([SEED], start="review")
    app.ctx.store.close()
    app.ctx.store = Store.open(db)
    open_deck(app.ctx.store, [SEED], datetime.now(UTC))
    return app, db


async def test_a_held_lock_says_waiting_and_the_answer_is_saved_once_it_is_free(
    make_app, tmp_path: Path, monkeypatch
) -> None:
    import sqlite3

    app, db = _locked_app(make_app, tmp_path, monkeypatch, give_up=60)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        card = screen.session.current.card
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another studydeck is writing
        await pilot.press("space", "5")
        assert any("waiting for another studydeck" in str(n.message) for n in app._notifications)
        assert screen.session.current.card == card and screen.pending is not None
        await pilot.press("3")  # the UI answers keys meanwhile; a second grade waits
        assert app.ctx.store.review_count() == 0
        other.execute("ROLLBACK")
        other.close()
        screen.retry_save()  # what the retry timer does next
        assert screen.pending is None and screen.session.current.card != card
        assert [r.quality for r in app.ctx.store.reviews()] == [5]
    app.ctx.store.close()


async def test_locked_store_is_reported_and_nothing_is_lost(
    make_app, tmp_path: Path, monkeypatch
) -> None:
    import sqlite3

    app, db = _locked_app(make_app, tmp_path, monkeypatch, give_up=0.01)
    async with app.run_test(size=(100, 30)) as pilot:
        card = app.screen.session.current.card
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        await pilot.press("space", "5")
        await pilot.pause()
        assert app.screen.session.current.card == card  # still on the same card
        assert any("locked" in str(n.message) for n in app._notifications)
        other.execute("ROLLBACK")
        other.close()
        await pilot.press("5")
        assert app.ctx.store.review_count() == 1
    app.ctx.store.close()


async def test_a_long_review_keeps_no_dead_footer_keys(make_app) -> None:
    """The footer is rebuilt twice a card (front, then grades); the keys it drops must be
    freed, or every answer leaves a pile of dead widgets the collector rescans for good."""
    import gc

    from textual.widgets._footer import FooterKey

    def live_keys() -> list[FooterKey]:
        gc.collect()
        return [o for o in gc.get_objects() if isinstance(o, FooterKey)]

    # Opened on review: no screen below it (home's layout keeps its own keys for a while).
    app = make_app([SEED], start="review", settings=Settings(new_per_day=8))
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(6):
            await pilot.press("space")
            await pilot.pause()
            await pilot.press("4")
            await pilot.pause()
        assert [r.quality for r in app.ctx.store.reviews()] == [4] * 6
        shown = list(app.screen.query(FooterKey))
        assert shown  # the footer still shows its keys
        alive = live_keys()
        assert all(k.is_attached for k in alive), len(alive)
        assert len(alive) == len(shown)


async def test_the_collector_paused_for_start_up_runs_again_once_the_app_is_up(make_app) -> None:
    """``studydeck review`` pauses the cyclic GC while it reads the deck and starts Textual;
    the app must turn it back on, or a long session would never free a cycle."""
    import gc

    app = make_app([SEED], start="review", settings=Settings(new_per_day=2))
    gc.disable()  # as cli.cmd_review leaves it
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_the_collector_stays_paused_until_the_first_card_is_on_screen(
    make_app, monkeypatch
) -> None:
    """Paused by the command, the collector stays off while the review screen is built and
    shows its first card (young passes would rescan those objects dozens of times), and is on
    again once that card has been laid out -- not before, and not left off."""
    import gc

    enable = gc.enable
    seen: list[tuple[str, bool]] = []
    show = ReviewScreen.show_current

    def showing(self: ReviewScreen) -> None:
        seen.append(("card made", gc.isenabled()))
        show(self)

    def enabling() -> None:
        screen = app.screen_stack[-1] if app.screen_stack else None
        laid_out = (
            isinstance(screen, ReviewScreen)
            and screen.query_one("#card-question", Static).size.height > 0
        )
        seen.append(("collector on", laid_out))
        enable()

    app = make_app([SEED], start="review", settings=Settings(new_per_day=2))
    monkeypatch.setattr(ReviewScreen, "show_current", showing)
    monkeypatch.setattr(gc, "enable", enabling)
    gc.disable()  # as cli.cmd_review leaves it
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        enable()
    assert seen[:2] == [("card made", False), ("collector on", True)]


async def test_the_title_line_names_the_screen_and_the_deck_literally(make_app, notes) -> None:
    """One line on top: the screen's title, then the deck's name dimmed, centred; the name
    comes from the notes and is shown as plain text, without its escape sequences."""
    from rich.cells import cell_len

    from studydeck.tui.widgets.title import TitleBar

    heading = "# [bold]论文[/] \x1b[2J阅读 [@click=app.quit]x\n\n"
    path = notes(table("| 2020 | Paper | GAN | c | | 很强。 |", title=heading))
    app = make_app([path], start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for screen_title in ("Review", "Home"):
            bar = app.screen.query_one(TitleBar)
            line = bar.render_line(0)
            words = f"{screen_title} — [bold]论文[/] 阅读 [@click=app.quit]x"
            assert line.text.strip() == words
            assert line.text.index(screen_title) == (80 - cell_len(words)) // 2  # centred
            styles = {seg.text: seg.style for seg in line if seg.text.strip()}
            assert not styles[screen_title].dim
            assert all(s.dim for t, s in styles.items() if t != screen_title)
            assert bar.region.y == 0 and bar.region.height == 1 and bar.region.width == 80
            await pilot.press("escape")
            await pilot.pause()
        # A new name is drawn at once, and whatever reaches the line loses its sequences.
        app.sub_title = "other\x1b[31m notes"
        await pilot.pause()
        assert app.screen.query_one(TitleBar).render_line(0).text.strip() == "Home — other notes"


@pytest.mark.parametrize(
    ("editor", "want"),
    [
        ("vi", ["vi", "+3", "{abs}"]),
        ("code --wait", ["code", "--wait", "-g", "{abs}:3"]),
        ("zed", ["zed", "{abs}:3"]),
    ],
)
def test_the_editor_gets_the_notes_file_by_an_absolute_name(
    tmp_path: Path, monkeypatch, editor: str, want: list[str]
) -> None:
    """A notes file named like an option (``-Rn.md``), opened by a relative name, reaches the
    editor as a file: ``vim +3 -Rn.md`` read it as options ('Unknown option argument')."""
    from studydeck.tui.screens.review import editor_command

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    absolute = str(tmp_path / "-Rn.md")
    assert editor_command("-Rn.md", 3) == [w.format(abs=absolute) for w in want]
