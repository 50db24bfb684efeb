"""Properties of the parser on random rows: no row is lost without a word, and every word
points at the right line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.parsing import NO_ROWS, parse_text

from .conftest import table

TITLE_LINE = 3  # `table()` writes a title line, a blank line, then the header on line 3

# Cell text: any printable text (Markdown marks, CJK, stray pipes and backslashes included),
# but no line breaks of any kind: one row stays one line.
CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
    | st.sampled_from("|\\*`[]!"),
    max_size=30,
)
ROW = st.lists(CELL, min_size=6, max_size=6)


def row_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


@settings(max_examples=400, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=8))
def test_every_row_becomes_a_paper_or_a_diagnostic_on_its_own_line(rows: list[list[str]]) -> None:
    text = table(*(row_line(r) for r in rows))
    res = parse_text(text, "x.md")
    first = TITLE_LINE + 2  # header, delimiter row, then the data rows
    row_lines = {first + i for i in range(len(rows))}
    text_lines = text.splitlines()
    assert all(
        text_lines[n - 1] == row_line(r) for n, r in zip(sorted(row_lines), rows, strict=True)
    )
    papers_at = [p["line"] for p in res.rows]
    said_at = {d.line for d in res.diagnostics}
    # Each paper comes from one data row, once, in notes order.
    assert papers_at == sorted(set(papers_at)) and set(papers_at) <= row_lines
    assert [p["order"] for p in res.rows] == list(range(len(res.rows)))
    # Every diagnostic names a data row of this file; or, alone, says the table has none.
    if [d.message for d in res.diagnostics] == [NO_ROWS]:
        assert not res.rows and all(not any(c.strip() for c in r) for r in rows)
        assert res.diagnostics[0].line == TITLE_LINE  # (the table's header, where to add rows)
        said_at = set()
    assert said_at <= row_lines and all(d.path == "x.md" for d in res.diagnostics)
    for n, cells in zip(sorted(row_lines), rows, strict=True):
        # A row with anything in it is a paper or is explained; a blank row is skipped.
        blank = not any(c.strip() for c in cells)
        if not blank:
            assert n in papers_at or n in said_at, f"line {n} vanished: {cells!r}"
    for p in res.rows:
        assert p["title"] and p["title"] == p["title"].strip() and "\n" not in p["title"]
        assert p["source"] == "x.md"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_papers_or_diagnostics_never_a_crash(text: str) -> None:
    res = parse_text(text, "x.md")
    n_lines = max(1, len(text.splitlines()))
    assert res.rows or any(d.severity == "error" for d in res.diagnostics)
    assert all(1 <= d.line <= n_lines for d in res.diagnostics)
