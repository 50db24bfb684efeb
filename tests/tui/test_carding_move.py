"""`m` moves a statement between the key-insight and critique cards, remembered by the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from studydeck.cli import main
from studydeck.identity import card_id
from studydeck.models import CardKind
from studydeck.tui.moving import StatementPicker
from studydeck.tui.screens.browse import BrowseScreen
from studydeck.tui.screens.review import ReviewScreen
from studydeck.tui.widgets.cardlist import CardList

from ..conftest import table

ROW = "| 2022 | Old Films | 视频增强 | {contribution} | | 貌似没用到三域方法。上色是基于关键帧的方法 |"


def kinds_and_backs(app) -> list[tuple[CardKind, str]]:
    return [(c.kind, c.back) for c in app.ctx.deck.cards]


async def test_move_survives_an_edit_and_a_restart_and_can_be_undone(
    make_app, tmp_path: Path, capsys
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(table(ROW.format(contribution="基于BasicVSR")), encoding="utf-8")
    db = tmp_path / "store.sqlite3"
    app = make_app([notes], db=db)
    key = app.ctx.deck.papers[0].key
    insight_id, critique_id = card_id(key, CardKind.INSIGHT), card_id(key, CardKind.CRITIQUE)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("space", "4")  # the contribution card
        assert screen.session.current.card.kind is CardKind.INSIGHT
        await pilot.press("m")  # not shown yet: nothing moves
        assert app.ctx.store.corrections() == {}
        await pilot.press("space", "m")
        assert app.ctx.store.corrections() == {(key, "上色是基于关键帧的方法"): CardKind.CRITIQUE}
        assert kinds_and_backs(app) == [
            (CardKind.CONTRIBUTION, "基于BasicVSR"),
            (CardKind.CRITIQUE, "貌似没用到三域方法。上色是基于关键帧的方法"),
        ]
        assert screen.session.current.card.id == critique_id
        await pilot.press("space", "5")
    assert main(["cards", "--explain", "--db", str(db), str(notes)]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "  critique 上色是基于关键帧的方法",
        "           why: corrected by you",
    ]

    notes.write_text(table(ROW.format(contribution="老电影修复，基于BasicVSR")), encoding="utf-8")
    again = make_app([notes], db=db)  # a restart, after an edit elsewhere in the row
    assert kinds_and_backs(again) == [
        (CardKind.CONTRIBUTION, "老电影修复，基于BasicVSR"),
        (CardKind.CRITIQUE, "貌似没用到三域方法。上色是基于关键帧的方法"),
    ]
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.press("b")
        assert isinstance(again.screen, BrowseScreen)
        again.screen.query_one(Input).value = "kind:critique"
        await pilot.pause()
        again.screen.query_one(CardList).focus()
        await pilot.press("m")
        assert isinstance(again.screen, StatementPicker)
        await pilot.pause()
        picker = again.screen.query_one("#move-picker")
        assert picker.border_subtitle == "↑↓ choose · enter move · esc cancel"
        await pilot.press("down", "enter")  # the second statement goes back
        assert isinstance(again.screen, BrowseScreen)
        assert again.ctx.store.corrections() == {}
        assert kinds_and_backs(again) == [
            (CardKind.CONTRIBUTION, "老电影修复，基于BasicVSR"),
            (CardKind.INSIGHT, "上色是基于关键帧的方法"),
            (CardKind.CRITIQUE, "貌似没用到三域方法。"),
        ]
        assert [c.id for c in again.ctx.deck.cards][1:] == [insight_id, critique_id]
        assert [r.quality for r in again.ctx.store.reviews(cid=critique_id)] == [5]
        assert not again.ctx.store.state(insight_id).retired


@pytest.mark.parametrize("emptied", [False, True])
async def test_after_a_move_in_browse_the_cursor_stays_at_the_card(
    make_app, notes, emptied: bool
) -> None:
    """The list is read again (the cards' texts changed), and the cursor is on the card the
    statement moved from (or, emptied by the move, on its paper's first card), not back at
    the top (a trial lost its place). "Old Films" sorts after the others here."""
    others = [f"| 2020 | Alpha {i} | k | c{i} | | |" for i in range(6)]
    row = ROW if emptied else ROW.replace("方法 |", "方法。注：另有光流对齐 |")  # (two insights)
    path = notes(table(*others, row.format(contribution="c")))
    app = make_app([path])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("b", "down")
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        await app.workers.wait_for_complete()
        table_ = screen.query_one(CardList)
        at = next(
            i for i in range(table_.row_count) if table_.row_text(i)[:2] == ("Old Films", "insight")
        )
        table_.action_move(at)
        await pilot.pause()
        moved = screen.selected()
        assert moved is not None
        await pilot.press("m")  # its (first) statement goes to the critique card
        if not emptied:
            assert isinstance(app.screen, StatementPicker)
            await pilot.press("enter")
        await pilot.pause()
        critique = [b for k, b in kinds_and_backs(app) if k is CardKind.CRITIQUE]
        assert [b.rstrip("。") for b in critique] == ["貌似没用到三域方法。上色是基于关键帧的方法"]
        now = screen.selected()
        assert now is not None and table_.cursor_row > 0
        assert now.card.id == (
            card_id(moved.card.paper.key, CardKind.CONTRIBUTION) if emptied else moved.card.id
        )
