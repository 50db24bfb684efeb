"""A whole quiz in the app, then the misses sent to tomorrow's review."""

from __future__ import annotations

from studydeck.deck import load
from studydeck.quiz import Selection, build_quiz, select_papers
from studydeck.tui.app import QuizLaunch
from studydeck.tui.screens.quiz import QuizScreen, QuizSetupScreen

from ..conftest import SEED
from .test_review_app import text_of


async def test_full_quiz_in_the_app(make_app) -> None:
    app = make_app([SEED])
    deck = load([SEED])
    papers, _ = select_papers(deck, Selection(keywords=["图像复原"]))
    questions = build_quiz(deck, papers, 6, seed=11)
    app.ctx.quiz = QuizLaunch(questions, 11, "keyword 图像复原")
    states_before = app.ctx.store.states()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        expected_right = 0
        for q in questions:
            assert screen.current == q
            if q.is_choice:
                wrong = (q.answer_index + 1) % len(q.options)
                pick = wrong if q.number % 2 else q.answer_index
                await pilot.press(str(pick + 1))
                expected_right += pick == q.answer_index
                fb = text_of(app, "#quiz-feedback")
                assert fb.startswith("Right!" if pick == q.answer_index else "Wrong.")
                assert q.paper.title in fb
            else:
                await pilot.press("space", "y")
                expected_right += 1
            await pilot.press("space")
        assert f"score {expected_right}/6" in text_of(app, "#quiz-feedback")
        assert app.ctx.store.states() == states_before  # the schedule is untouched
        assert len(app.ctx.store.quiz_results()) == 6
        misses = [a.question for a in screen.answers if not a.correct]
        assert misses
        await pilot.press("r")
        after = app.ctx.store.states()
        changed = {cid for cid in after if after[cid] != states_before[cid]}
        assert changed == {q.card.id for q in misses}
        assert app.ctx.store.review_count() == 0


async def test_quiz_setup_from_home(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        assert isinstance(app.screen, QuizSetupScreen)
        app.screen.query_one("#quiz-n").value = "3"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, QuizScreen)
        assert len(app.screen.questions) == 3


async def test_quiz_setup_lists_each_keyword_with_its_number_of_papers(make_app) -> None:
    app = make_app([SEED])
    papers = load([SEED]).papers
    keywords = sorted({k for p in papers for k in p.keywords})
    want = [f"{k} ({sum(k in p.keywords for p in papers)})" for k in keywords]
    assert any(not w.endswith("(1)") for w in want)  # (some keyword has several papers)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        listed = app.screen.query_one("#quiz-keywords")
        got = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
    assert got == want


async def test_time_limit_counts_as_wrong(make_app) -> None:
    app = make_app([SEED])
    deck = load([SEED])
    questions = build_quiz(deck, list(deck.papers), 1, seed=2)
    app.ctx.quiz = QuizLaunch(questions, 2, "all", time_limit=5)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        from datetime import timedelta

        app.screen.ticker.pause()  # time moves only when the test says (a fake clock)
        assert "Time's up" not in text_of(app, "#quiz-feedback")
        app.ctx.clock.now += timedelta(seconds=6)
        app.screen._tick()  # the screen's timer tick, without waiting for it
        await pilot.pause()
        assert "Time's up" in text_of(app, "#quiz-feedback")
        assert app.screen.answers[0].correct is False


async def test_recall_time_stops_at_reveal_and_late_choice_is_missed(make_app) -> None:
    from datetime import timedelta

    from studydeck.quiz import QuestionKind

    deck = load([SEED])
    qs = build_quiz(deck, list(deck.papers), 30, seed=3)
    flip = next(q for q in qs if q.kind is QuestionKind.FLIP)
    choice = next(q for q in qs if q.is_choice)
    app = make_app([SEED])
    app.ctx.quiz = QuizLaunch([flip, choice], 3, "all", time_limit=10)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        screen = app.screen
        # Time moves only when the test says: the screen's real-time ticker would otherwise
        # see the fake clock's 11 s before the late key is handled ("Time's up", not "Late").
        screen.ticker.pause()
        app.ctx.clock.now += timedelta(seconds=4)
        await pilot.press("space")  # reveal at 4 s
        app.ctx.clock.now += timedelta(seconds=60)  # reading the answer is free
        screen._tick()
        await pilot.press("y")
        assert screen.answers[0].correct and screen.answers[0].seconds == 4
        # the answer revealed is still shown beside the verdict
        fb = text_of(app, "#quiz-feedback")
        assert fb.startswith("Knew it. Answer: ") and " ".join(flip.answer.split())[:20] in (
            " ".join(fb.split())
        )
        await pilot.press("space")
        app.ctx.clock.now += timedelta(seconds=11)  # no tick before the key
        await pilot.press(str(choice.answer_index + 1))
        fb = text_of(app, "#quiz-feedback")
        assert fb.startswith("Late (11 s): counted as missed.")
        assert choice.paper.title in fb  # the right answer is shown
        assert screen.answers[1].correct is False and screen.answers[1].late


async def test_setup_with_an_agenda_shows_the_report(make_app, tmp_path) -> None:
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("MPRNet\nGroup Normalization\n", encoding="utf-8")
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        app.screen.query_one("#quiz-agenda").value = str(agenda)
        app.screen.query_one("#quiz-seed").value = "5"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, QuizScreen)
        report = text_of(app, "#quiz-agenda")
        assert "MPRNet → Multi-Stage Progressive Image Restoration (short name MPRNet)" in report
        assert "Group Normalization → no paper in your notes" in report
        assert {q.paper.title for q in app.screen.questions} == {
            "Multi-Stage Progressive Image Restoration"
        }
        expected = build_quiz(load([SEED]), [app.screen.questions[0].paper], 10, 5)
        assert [q.card.id for q in app.screen.questions] == [q.card.id for q in expected]


async def test_quiz_footer_follows_the_question(make_app) -> None:
    """Self-grade keys only on a revealed recall card; "send misses" only on the final screen."""
    from studydeck.tui.widgets.footer import FooterKeys

    from .test_review_app import footer_keys

    app = make_app([SEED])
    deck = load([SEED])
    questions = build_quiz(deck, list(deck.papers), 3, seed=11)
    recall = next(q for q in questions if not q.is_choice)
    choice = next(q for q in questions if q.is_choice)
    app.ctx.quiz = QuizLaunch([choice, recall], 11, "all")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        keys = footer_keys(app)
        assert "Knew it" not in keys and "Send misses to review" not in keys
        assert "Next / show" not in keys  # a choice question waits for a choice
        assert "Choose" in keys  # its keys, one footer key for the four
        assert " 1-4 Choose " in app.screen.query_one(FooterKeys).render().plain
        await pilot.press(str((choice.answer_index + 1) % len(choice.options) + 1))
        await pilot.pause()
        assert "Next / show" in footer_keys(app) and "Choose" not in footer_keys(app)
        await pilot.press("space")  # the recall card
        await pilot.pause()
        assert "Knew it" not in footer_keys(app) and "Next / show" in footer_keys(app)
        await pilot.press("space")  # reveal
        await pilot.pause()
        keys = footer_keys(app)
        assert "Knew it" in keys and "Didn't" in keys and "Next / show" not in keys
        await pilot.press("y", "space")
        await pilot.pause()
        keys = footer_keys(app)
        assert "Send misses to review" in keys and "Knew it" not in keys
        await pilot.press("r")
        await pilot.pause()
        assert "Send misses to review" not in footer_keys(app)


async def test_the_quiz_screen_builds_each_question_when_it_shows_it(make_app) -> None:
    app = make_app([SEED])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        app.screen.query_one("#quiz-n").value = "2"
        app.screen.query_one("#quiz-seed").value = "3"
        await pilot.press("ctrl+s")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        assert text_of(app, "#quiz-progress").startswith(" question 1/2")
        assert screen.questions.built == 1  # the second is not built yet
        q = screen.current
        assert q is not None
        await pilot.press(*((str(q.answer_index + 1),) if q.is_choice else ("space", "y")))
        await pilot.press("space")
        assert text_of(app, "#quiz-progress").startswith(" question 2/2")
        assert screen.questions.built == 2


async def test_every_setup_field_is_on_screen_at_80_by_24(make_app) -> None:
    """At 80x24 each field of the quiz setup lies within the screen with room for its
    placeholder or value (the four short fields in one row ran past the 80th column:
    'seconds each' had no box, and 'e.g. 2019' showed as 'e.g. 201'), and the start
    button too."""
    from textual.widgets import Button, Input

    app = make_app([SEED])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizSetupScreen)
        fields = list(screen.query(Input))
        assert len(fields) == 5
        for w in [*fields, screen.query_one(Button)]:
            r = w.region
            assert r.width > 0 and r.height > 0, w
            assert r.right <= 80 and r.bottom <= 23, (w, r)  # (the footer's row below)
        for f in fields:
            shown = f.placeholder or f.value
            assert f.content_region.width > len(shown), (f.id, f.content_region)


async def test_a_long_option_wraps_under_its_text_not_under_its_number(make_app) -> None:
    """At 50 columns a Chinese option wraps: its first line holds its number and the start
    of its text (it was the number alone, the text on the lines below from column 0), and
    each wrapped line stands under the text."""
    from studydeck.quiz import QuestionKind

    deck = load([SEED])
    qs = build_quiz(deck, list(deck.papers), 30, seed=3)
    q = next(
        q
        for q in qs
        if q.kind is QuestionKind.PAPER_TO_CONTRIBUTION and max(len(o.text) for o in q.options) > 30
    )
    app = make_app([SEED])
    app.ctx.quiz = QuizLaunch([q], 3, "all")
    async with app.run_test(size=(50, 40)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        box = app.screen.query_one("#quiz-options").region
        lines = [s.text for s in app.screen._compositor.render_strips()[box.y : box.bottom]]
        badge_x = lines[0].index(" 1 ")
        starts = [
            i for i, line in enumerate(lines) if line[badge_x : badge_x + 3].strip().isdigit()
        ]
        assert len(starts) == len(q.options), lines
        for i, line in enumerate(lines):
            text = line[badge_x + 4 :]
            if i in starts:
                assert text.strip(), ("a number alone on its line", line)
            elif line.strip():
                assert not line[: badge_x + 4].strip(), ("wrapped under the number", line)
        long = max(range(len(q.options)), key=lambda k: len(q.options[k].text))
        end = starts[long + 1] if long + 1 < len(starts) else len(lines)
        assert end - starts[long] > 1  # (what this test is about: it did wrap)


def agenda_file(tmp_path, *lines: str):
    """An agenda of ``lines``, and two lines that match no paper."""
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("\n".join([*lines, "Group Normalization", "no such paper at all", ""]))
    return agenda


async def start_quiz(pilot, agenda, seed: int):
    """From home: the quiz form filled with ``agenda`` and ``seed``, started; its first
    question."""
    await pilot.press("q")
    pilot.app.screen.query_one("#quiz-agenda").value = str(agenda)
    pilot.app.screen.query_one("#quiz-seed").value = str(seed)
    await pilot.press("ctrl+s")
    return pilot.app.screen.current


async def test_with_a_long_agenda_report_the_options_and_the_answer_are_in_view_at_80x24(
    make_app, tmp_path
) -> None:
    """A trial's agenda report filled question 1 at 80x24: options 3 and 4 and the result of
    its answer were below the screen, with no sign of them. The report stands above the
    first question; the options are scrolled into view, and so is the answer's result."""
    agenda = agenda_file(
        tmp_path, "Layer Norm", "https://arxiv.org/abs/1607.06450", "Group Normalization"
    )
    agenda.write_text(agenda.read_text() + "MPRNet\nold photos\nSTDF\nRBQE\n", encoding="utf-8")
    app = make_app([SEED])
    async with app.run_test(size=(80, 24)) as pilot:
        overflowing = 0
        for seed in range(1, 11):  # (choices of four whose options are 4 to 8 lines)
            q = await start_quiz(pilot, agenda, seed)
            await pilot.pause()
            assert "Agenda" in text_of(app, "#quiz-agenda")
            seen = app.screen.query_one("#quiz-body").region
            if q.is_choice:
                agenda_box = app.screen.query_one("#quiz-agenda").virtual_region
                options = app.screen.query_one("#quiz-options").region
                overflowing += agenda_box.height + options.height > seen.height - 4
                assert seen.contains_region(options), (seed, seen, options)
                await pilot.press(str(q.answer_index + 1))
            else:
                await pilot.press("space")
            await pilot.pause()
            feedback = app.screen.query_one("#quiz-feedback").region
            assert feedback.height and seen.y <= feedback.y < seen.bottom, (seed, feedback)
            await pilot.press("escape")
        assert overflowing  # (some did not fit under the report: the case the trial met)


async def test_a_figure_question_under_a_long_agenda_report_keeps_its_options_in_view(
    make_app, tmp_path
) -> None:
    """The figure arrives after the question is shown and pushes the options down: at 80x24
    under an agenda report they were below the screen again. They are scrolled back."""
    from PIL import Image

    from ..conftest import table

    rows = []
    for i, name in enumerate(["Alpha", "Beta", "Gamma", "Delta"]):
        Image.new("RGB", (400, 300), (40 * i, 90, 90)).save(tmp_path / f"f{i}.png")
        rows.append(
            f"| 20{10 + i} | {name} restoration paper | 图像复原 | 方法{name}把图像复原做得更好更快 "
            f"| ![f](f{i}.png) | |"
        )
    notes = tmp_path / "notes.md"
    notes.write_text(table(*rows), encoding="utf-8")
    agenda = agenda_file(
        tmp_path, *(f"{n} restoration" for n in ("Alpha", "Beta", "Gamma", "Delta")), "Layer Norm"
    )
    app = make_app([notes])
    async with app.run_test(size=(80, 24)) as pilot:
        for seed in range(1, 30):
            if (await start_quiz(pilot, agenda, seed)).figure is not None:
                break
            await pilot.press("escape")
        assert app.screen.current.figure is not None
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query(".figure-image")
        seen = app.screen.query_one("#quiz-body").region
        options = app.screen.query_one("#quiz-options").region
        assert seen.contains_region(options), (seen, options)
        # `f` shows it full size, as in review (a trial's `f` did nothing in the quiz).
        from studydeck.tui.screens.figure import FigureScreen

        assert " f Figure " in app.screen._compositor.render_strips()[-1].text
        await pilot.press("f")
        assert isinstance(app.screen, FigureScreen)
        await pilot.press("escape")
        assert app.screen.current.figure is not None
