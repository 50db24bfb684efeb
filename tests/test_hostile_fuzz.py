"""Random bytes and random control/markup text through parse -> cards -> TUI text -> HTML."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studydeck.deck import parse_files
from studydeck.rendering import to_html, to_plain
from studydeck.safe import terminal
from studydeck.tui.text import markdown_text

from .conftest import table

PIECES = st.sampled_from(
    [
        "\x1b",
        "\x1b[",
        "\x1b]",
        "\x1b\\",
        "\x07",
        "\x9b",
        "\x9d",
        "\x90",
        "\x00",
        "\x01",
        "\x7f",
        "\r",
        "\n",
        "\t",
        "2J",
        "52;c;",
        "[",
        "]",
        "(",
        ")",
        "!",
        "<",
        ">",
        "&",
        "*",
        "`",
        "_",
        "|",
        "\\|",
        "javascript:",
        "JaVaScRiPt:",
        "data:",
        "http://x.org",
        "mailto:a@b",
        "<script>",
        "[/]",
        "[@click=app.quit]",
        "**",
        "&#x6a;",
        "x",
        "中",
    ]
)
HOSTILE_TEXT = st.one_of(
    st.lists(PIECES, max_size=12).map("".join),
    st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=40),
)


def bad_for_terminal(text: str) -> bool:
    return any((ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in text)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in ("href", "src") and tag == "a"]


def check_cell_outputs(cell: str) -> None:
    assert not bad_for_terminal(terminal(cell))
    assert not bad_for_terminal(to_plain(cell))
    assert not bad_for_terminal(markdown_text(cell).plain)
    html = to_html(cell)
    assert not bad_for_terminal(html)
    page = Links()
    page.feed(html)
    assert all(u.startswith(("http://", "https://", "mailto:")) for u in page.urls), html


@settings(max_examples=300, deadline=None)
@given(HOSTILE_TEXT)
def test_any_cell_text_is_safe_on_every_path(cell: str) -> None:
    check_cell_outputs(cell)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(HOSTILE_TEXT, min_size=4, max_size=4), st.binary(max_size=200))
def test_notes_files_of_hostile_cells_and_random_bytes(tmp_path_factory, cells, noise) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    title, keywords, contribution, notes = (c.replace("\n", " ").replace("|", "\\|") for c in cells)
    path = folder / "notes.md"
    path.write_bytes(
        table(f"| 2020 | {title} | {keywords} | {contribution} | | {notes} |").encode() + noise
    )
    (folder / "noise.md").write_bytes(noise)
    deck = parse_files([path, folder / "noise.md"])  # no exception, whatever the bytes
    for d in deck.diagnostics:
        assert not bad_for_terminal(str(d))
    for card in deck.cards:
        for text in (card.paper.title, card.front, card.back, *card.paper.keywords):
            check_cell_outputs(text)
