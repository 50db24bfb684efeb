"""Hostile notes text: it is shown, never acted on (terminal escapes, links, markup)."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from studydeck import safe
from studydeck.deck import load
from studydeck.plain import run_plain
from studydeck.quiz import build_quiz
from studydeck.quiz.handout import handout_html, handout_markdown
from studydeck.rendering import md_links, to_html, to_plain
from studydeck.safe import safe_href, terminal
from studydeck.tui.text import markdown_text

from .conftest import env_without_user_dirs, table

ROOT = Path(__file__).resolve().parent.parent
OSC52 = "\x1b]52;c;aGVsbG8=\x1b\\"  # writes the clipboard
OSC0 = "\x1b]0;pwned\x07"  # renames the terminal
CLEAR = "\x1b[2J"
C1_CSI = "\x9b2J"
DCS = "\x1bP1$qm\x1b\\"
HOSTILE = f"Evil{OSC52}{OSC0}{CLEAR}{C1_CSI}{DCS}\x07\x01\x7f paper"


def has_control(text: str) -> bool:
    """ESC, any other C0 control except newline and tab, DEL, or a C1 control."""
    return any((ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (f"a{OSC52}b", "ab"),
        (f"a{OSC0}b", "ab"),
        ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
        (f"a{CLEAR}b", "ab"),
        ("a\x1b[38;5;196mred\x1b[0m", "ared"),
        (f"a{C1_CSI}b", "ab"),
        (f"a{DCS}b", "ab"),
        ("a\x1b(0b", "ab"),
        ("a\x1bcb", "ab"),
        ("a\x1b]2;unterminated\nnext", "a\nnext"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("cr\r\nlf and lone\rcr", "cr\nlf and lone\ncr"),
        ("中文 naïve", "中文 naïve"),
    ],
)
def test_terminal_drops_escape_sequences_and_controls(raw: str, shown: str) -> None:
    assert terminal(raw) == shown


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("HTTP://example.org", "http://example.org"),
        ("mailto:a@b.org", "mailto:a@b.org"),
        (" \x01https://x.org", "https://x.org"),
        ("javascript:alert(1)", None),
        ("\x01javascript:document.title=1337", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("vbscript:x", None),
        ("file:///etc/passwd", None),
        ("//evil.org/x", None),
        ("relative/page.html", None),
        ("-–help", None),
        ("https://x.org/a\x1b]0;t\x07b", "https://x.org/a]0;tb"),
    ],
)
def test_safe_href_reads_the_scheme_as_a_browser_does(url: str, allowed: str | None) -> None:
    assert safe_href(url) == allowed


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def parsed(html: str) -> Hrefs:
    p = Hrefs()
    p.feed(html)
    return p


@pytest.mark.parametrize(
    "cell",
    [
        "[x](\x01javascript:document.title=1337)",
        "[x](<java\tscript:alert(1)>)",
        "[x](&#x6a;avascript:alert(1))",
        "[x]( JAVASCRIPT:alert(1))",
        "<javascript:alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "**b** [ok](https://ok.org) <script>alert(1)</script>",
    ],
)
def test_html_keeps_only_http_https_mailto_links(cell: str) -> None:
    html = to_html(cell)
    page = parsed(html)
    assert all(h.startswith(("http://", "https://", "mailto:")) for h in page.hrefs), html
    assert "script" not in page.tags
    assert not has_control(html)


def test_safe_link_survives() -> None:
    assert parsed(to_html("see [paper](https://arxiv.org/abs/1)")).hrefs == [
        "https://arxiv.org/abs/1"
    ]


def test_tui_text_of_a_hostile_cell_has_no_escape() -> None:
    text = markdown_text(f"{HOSTILE} [l](https://x.org/{OSC0})")
    assert not has_control(text.plain)
    for span in text.spans:
        link = getattr(span.style, "link", None)
        assert link is None or not has_control(link)


def hostile_notes(tmp_path: Path, name: str = "notes.md") -> Path:
    path = tmp_path / name
    path.write_text(
        table(
            f"| 2020 | {HOSTILE} | k{CLEAR} | contrib {OSC52} [x](\x01javascript:alert(1)) | | n |",
            "| 2021 | Other <script>alert(1)</script> | k | second one | | |",
            "| 2019 | Third | k | third one | | |",
            "| 20x{OSC0} | Bad year | k | c | | |",
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("command", [["cards"], ["check"], ["cards", "--json"]])
def test_cards_and_check_write_no_escape_bytes(tmp_path: Path, command: list[str]) -> None:
    # The file name is shown in every diagnostic: it is hostile text too.
    path = hostile_notes(tmp_path, f"notes{CLEAR}{OSC0}.md")
    run = subprocess.run(
        [sys.executable, "-m", "studydeck", *command, str(path)],
        capture_output=True,
        env=env_without_user_dirs(tmp_path),
        timeout=60,
        check=False,
    )
    assert b"Evil" in run.stdout or b"notes.md:8: warning" in run.stdout  # card or problem shown
    for stream in (run.stdout, run.stderr):
        text = stream.decode("utf-8")
        assert "\x1b" not in text  # without its escape sequences
        assert not has_control(text)


def test_quiz_plain_writes_no_escape(tmp_path: Path) -> None:
    deck = load([hostile_notes(tmp_path)])
    out = io.StringIO()
    questions = build_quiz(deck, list(deck.papers), 3, seed=1)
    run_plain(questions, io.StringIO("1\n2\n3\n"), out)
    assert "Evil" in out.getvalue()
    assert not has_control(out.getvalue())


def test_plain_text_of_a_cell_is_terminal_safe() -> None:
    assert to_plain(f"[a{OSC52}](u) **b**{CLEAR}") == "a (u) b"


def test_handouts_carry_no_script_and_no_javascript_link(tmp_path: Path) -> None:
    deck = load([hostile_notes(tmp_path)])
    questions = build_quiz(deck, list(deck.papers), 3, seed=1)
    html = handout_html(questions, f"t<script>{OSC0}", "s", {})
    page = parsed(html)
    assert "script" not in page.tags
    assert all(h.startswith(("http://", "https://", "mailto:")) for h in page.hrefs)
    md = handout_markdown(questions, "t<script>alert(1)</script>", "s")
    shown = parsed(MarkdownIt("commonmark").render(md))  # raw HTML on, as in most viewers
    assert "script" not in shown.tags and not shown.hrefs  # shown as text, never run
    assert not has_control(md)


class Shown(HTMLParser):
    """What a Markdown viewer shows: the tags it made and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__()  # character references read as the characters they stand for
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def shown(markdown: str) -> tuple[list[str], str]:
    """Tags (line breaks left out) and text, spaces collapsed, of Markdown as a viewer renders
    it: CommonMark with raw HTML on, as GitHub, VS Code and most viewers have it."""
    p = Shown()
    p.feed(MarkdownIt("commonmark").render(markdown))
    return [t for t in p.tags if t != "br"], " ".join("".join(p.text).split())


# Pieces of Markdown, HTML and links, and what starts a block at the start of a line.
MARKUP = [
    *"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    *("a", "b", "1", " ", "    ", "\t", "\n", "\n\n", "\r", "图"),
    *("&amp;", "&#60;", "<b>", "</b>", "<script>", "<!--", "[x](", "](javascript:a(1))"),
    *("<http://x.org>", "<a@b.org>", "http://x.org", "![i](", "**", "__", "~~", "```", "==="),
    *("- ", "1. ", "# ", "> ", "| a |", "\\", "\\\n", "  \n", "[^1]", "$x$", ":smile:"),
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(MARKUP), min_size=1, max_size=12).map("".join))
@example("Runner & Hook")
@example("<script>alert(1)</script> XSS Paper")
@example("[JS Title](javascript:alert(8))")
@example("a\n\n    b\n===")
def test_markdown_text_reads_as_typed_and_is_never_markup(text: str) -> None:
    """Each place a sheet puts a piece of note text (a quote, a heading, a list item, strong),
    rendered: the piece is text only, exactly as typed (controls dropped, spaces collapsed);
    no tag but the sheet's own."""
    piece = safe.markdown_text(text)
    typed = " ".join(terminal(text).split())
    if not typed:
        return  # (the sheets never put an empty piece where it would stand alone)
    for before, after, tags, reads in (
        ("> ", "", ["blockquote", "p"], "{}"),
        ("- A. ", "", ["ul", "li"], "A. {}"),
        ("1. **D** — ", "", ["ol", "li", "strong"], "D — {}"),
        ("**1.** x **", "**?", ["p", "strong", "strong"], "1. x {}?"),
        ("_", "_", ["p", "em"], "{}"),
        # A heading is one line: a line break in it ends it (the rest is a paragraph).
        *([("## ", "", ["h2"], "{}")] if "\n" not in piece else []),
    ):
        assert shown(before + piece + after) == (tags, reads.format(typed)), (before, piece)


def test_links_are_found_in_linear_time_on_unclosed_brackets() -> None:
    # 150,000 "[": the old regex rescanned the rest from every one (minutes); the walk
    # finds each next "]" once. Run in a subprocess: the timeout is a hang guard only.
    code = (
        "from studydeck.identity import normalise_title\n"
        "from studydeck.rendering import to_plain\n"
        "t = '[' * 150_000\n"
        "assert normalise_title(t) == t and to_plain(t) == t\n"
        "t = '[a](' * 50_000\n"
        "assert to_plain(t) == t\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=20)


def test_md_links_match_what_the_link_pattern_meant() -> None:
    text = "![f](x.png) a [b](u) [c] [d](e(f)g) [[h]](i)"
    assert [(text[s:e], lab, url) for s, e, lab, url in md_links(text)] == [
        ("![f](x.png)", "f", "x.png"),
        ("[b](u)", "b", "u"),
        ("[d](e(f)", "d", "e(f"),
    ]


PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_anki_figure_html_keeps_hostile_alt_and_src_as_text(tmp_path: Path) -> None:
    """A figure's alt text cannot add an attribute (``" onerror="``), and a figure that
    cannot be embedded links only to the web (``steam://``, a relative path: text only)."""
    from studydeck.export.anki import prepare_notes
    from studydeck.figures import FigureFetcher

    (tmp_path / "f.png").write_bytes(PNG_1PX)
    path = tmp_path / "notes.md"
    path.write_text(
        table(
            '| 2020 | One | k | c one | ![x" onerror="alert(1)](f.png) | |',
            "| 2021 | Two | k | c two | ![run me](steam://run/1) | |",
            "| 2022 | Three | k | c three | ![gone](missing.png) | |",
            "| 2023 | Four | k | c four | ![web](https://example.invalid/f.png) | |",
        ),
        encoding="utf-8",
    )
    with FigureFetcher(None, offline=True) as fetcher:
        notes = prepare_notes(load([path]), store=None, now=0, fetcher=fetcher).notes
    figure = {n.paper.title: parsed_attrs(n.fields[7]) for n in notes}
    [(tag, attrs)] = figure["One"]
    assert tag == "img" and sorted(attrs) == ["alt", "src"]
    assert attrs["alt"] == 'x" onerror="alert(1)'
    assert figure["Two"] == [] and figure["Three"] == []  # shown as text, not a link
    assert figure["Four"] == [("a", {"href": "https://example.invalid/f.png"})]


def parsed_attrs(html: str) -> list[tuple[str, dict[str, str | None]]]:
    out: list[tuple[str, dict[str, str | None]]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            out.append((tag, dict(attrs)))

    P().feed(html)
    return out


@pytest.mark.parametrize(
    ("cell", "title"),
    [
        ("[File Paper Linked](file:///etc/passwd)", "File Paper Linked"),
        ("[JS Paper](javascript:alert(1))", "JS Paper"),
        ("[VB](vbscript:msgbox(1))", "VB"),
        ("[  Spaced  Title ](file:x)", "Spaced Title"),
    ],
)
def test_a_title_linked_where_no_link_may_go_is_its_text_without_a_link(
    cell: str, title: str, tmp_path: Path
) -> None:
    """The README's promise: such a title shows without a link (it showed as the raw
    Markdown, ``[File Paper Linked](file:///etc/passwd)``, in the app, the sheets, Anki)."""
    notes = tmp_path / "notes.md"
    notes.write_text(table(f"| 2020 | {cell} | k | c | | |"), encoding="utf-8")
    [paper] = load([notes]).papers
    assert (paper.title, paper.url) == (title, None)


def test_keywords_and_a_figure_not_embedded_are_escaped_and_source_is_the_file_name(
    tmp_path: Path,
) -> None:
    """(A mutation audit: dropping the escape of the keywords, or of the alt text of a
    figure that could not be embedded, or sending the whole local path as Source, went
    unseen.)"""
    from studydeck.export.anki import prepare_notes
    from studydeck.figures import FigureFetcher

    path = tmp_path / "notes.md"
    path.write_text(
        table("| 2020 | One | x<y, a&b | c one | ![<b>bold</b>](missing.png) | |"), encoding="utf-8"
    )
    with FigureFetcher(None, offline=True) as fetcher:
        [note] = prepare_notes(load([path]), store=None, now=0, fetcher=fetcher).notes
    assert note.fields[3] == "x&lt;y, a&amp;b"  # Keywords: escaped text
    assert parsed_attrs(note.fields[7]) == []  # the figure's alt: text, no element
    assert note.fields[8] == "notes.md"  # Source: the file's name only
