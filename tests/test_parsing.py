"""Reading real and messy notes files into papers and cards."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.deck import load, parse_files
from studydeck.models import CardKind
from studydeck.parsing import parse_text

from .conftest import SEED, table


def by_title(deck, title):
    return next(p for p in deck.papers if p.title == title)


def kinds_of(deck, paper):
    return {c.kind for c in deck.cards if c.paper.key == paper.key}


def test_seed_deck_has_22_papers_with_right_content() -> None:
    deck = load([SEED])
    assert len(deck.papers) == 22
    assert deck.name == "论文阅读"
    assert not deck.errors
    titles = [p.title for p in deck.papers]
    assert titles[0] == "Runner & Hook"
    assert titles[-1].startswith("Method and apparatus for automatically tuning")
    runner = deck.papers[0]
    assert runner.url == "https://b23.tv/USoGoJY"
    assert runner.year == 2022
    assert runner.keywords == ("OpenMMLab",)
    assert runner.line == 5
    einops = by_title(deck, "einops")
    assert einops.url == "https://github.com/arogozhnikov/einops"
    assert einops.year == 2018 and einops.figures == ()
    ln = by_title(deck, "Layer Normalization")
    assert ln.year == 2016 and ln.keywords == ("规范化",)
    assert ln.figures[0].src.endswith("202208221016906.png")
    assert "[知乎](https://www.zhihu.com/question/487766088/answer/2422936310)" in ln.notes
    face = by_title(
        deck,
        "Learning face image super-resolution through facial semantic "
        "attribute transformation and self-attentive structure enhancement",
    )
    assert kinds_of(deck, face) == {CardKind.CONTRIBUTION}  # empty notes: one card
    mfqe = by_title(
        deck, "MFQE 2.0: A New Approach for Multi-Frame Quality Enhancement on Compressed Video"
    )
    critique = next(c for c in deck.cards if c.paper is mfqe and c.kind is CardKind.CRITIQUE)
    assert critique.back.startswith("只考虑了LDP模式")
    dat = by_title(deck, "Vision Transformer with Deformable Attention")
    dat_critique = next(c for c in deck.cards if c.paper is dat and c.kind is CardKind.CRITIQUE)
    assert dat_critique.back == "DAT并非万金油；跟在Swin后用效果好，单独用效果差"
    assert sum(1 for p in deck.papers if p.figures) == 17


def test_card_id_survives_contribution_edit(notes) -> None:
    before = load([notes(table("| 2020 | Paper A | k | old answer | | 笔记。但有问题 |"))])
    after = load([notes(table("| 2020 | Paper A | k | new answer | | 笔记改了。但有问题 |"))])
    assert [c.id for c in before.cards] == [c.id for c in after.cards]
    assert before.cards[0].back != after.cards[0].back


def test_title_link_fix_keeps_id_when_link_same(notes) -> None:
    a = load([notes(table("| 2020 | [Paper Tpyo](https://x.org/a) | k | c | | |"))])
    b = load([notes(table("| 2020 | [Paper Typo](https://x.org/a/) | k | c | | |"))])
    assert a.cards[0].id == b.cards[0].id


def test_header_synonyms(notes) -> None:
    text = (
        "# Reading\n\n| Year/Where | 标题 | Keywords | 主要贡献 | Figure | 备注 | Abbr. |\n"
        "|-|-|-|-|-|-|-|\n"
        "| TPAMI 2019 | Some Paper | a, b | does X | ![fig](img/a.png) | 但 slow | SP |\n"
    )
    p = load([notes(text)]).papers[0]
    assert (p.year, p.venue, p.title, p.keywords) == (2019, "TPAMI 2019", "Some Paper", ("a", "b"))
    assert p.contribution == "does X" and p.short_name == "SP"
    assert p.figures[0].src == "img/a.png" and p.figures[0].alt == "fig"
    english = (
        "| Year | Title | Summary | Notes |\n|-|-|-|-|\n"
        "| 2001 | Old | sums up | However it is limited. |\n"
    )
    deck = load([notes(english, "en.md")])
    assert deck.papers[0].contribution == "sums up"
    assert {c.kind for c in deck.cards} == {CardKind.CONTRIBUTION, CardKind.CRITIQUE}


def test_multiple_keywords_tables_and_headings(notes) -> None:
    text = (
        "# Top\n\n## 图像\n\n"
        + table("| 2020 | A | 图像编解码；图像去噪 | c | | |", title="")
        + "\nsome prose\n\n## 视频\n\n"
        + table("| 2021 | B | 视频、编码/增强 | c | | |", title="")
    )
    deck = load([notes(text)])
    a, b = deck.papers
    assert a.keywords == ("图像编解码", "图像去噪") and a.section == "图像"
    assert b.keywords == ("视频", "编码", "增强") and b.section == "视频"
    assert deck.name == "Top"


def test_tables_without_title_column_are_ignored(notes) -> None:
    text = "# x\n\n| a | b |\n|-|-|\n| 1 | 2 |\n\n" + table("| 2020 | A | k | c | | |", title="")
    assert [p.title for p in load([notes(text)]).papers] == ["A"]


def test_empty_cells_br_and_escaped_pipes(notes) -> None:
    deck = load([notes(table("|  | A \\| B | | line1<br>line2<BR/>line3 |  | x \\| y |"))])
    p = deck.papers[0]
    assert p.title == "A | B" and p.year is None and p.keywords == ()
    assert p.contribution == "line1\nline2\nline3"
    assert p.notes == "x | y"


def test_tricky_text_kept_literally(notes) -> None:
    row = "| 2020 | [bold] Title [/] | k | [[视频]](https://v.org) and <script>alert(1)</script> | | $x$ 🙂 |"
    deck = load([notes(table(row))])
    p = deck.papers[0]
    assert p.title == "[bold] Title [/]"
    assert p.contribution == "[[视频]](https://v.org) and <script>alert(1)</script>"
    assert p.notes == "$x$ 🙂"


def test_title_only_a_link(notes) -> None:
    p = load([notes(table("| 2020 | <https://arxiv.org/abs/1> | k | c | | |"))]).papers[0]
    assert p.title == "https://arxiv.org/abs/1" and p.url == "https://arxiv.org/abs/1"


def test_duplicate_titles_in_two_sections_are_two_papers(notes) -> None:
    text = (
        "# D\n\n## S1\n\n"
        + table("| 2020 | Same | k | c1 | | |", title="")
        + "\n## S2\n\n"
        + table("| 2020 | Same | k | c2 | | |", title="")
    )
    deck = load([notes(text)])
    assert len({p.key for p in deck.papers}) == 2
    assert len({c.id for c in deck.cards}) == 2
    assert not deck.warnings


def test_crlf_and_bom(notes, tmp_path: Path) -> None:
    p = tmp_path / "crlf.md"
    p.write_bytes(
        "\ufeff".encode() + table("| 2020 | A | k | c | | |").replace("\n", "\r\n").encode()
    )
    deck = load([p])
    assert [x.title for x in deck.papers] == ["A"] and not deck.diagnostics


def test_errors_and_warnings_with_line_numbers(notes) -> None:
    text = table(
        "| 2020 | A | k | c | | |",  # line 5
        "| 2020 | B | k | c | |",  # 6: a cell short: padded, no diagnostic
        "| 2020 |  | k | c | | |",  # 7: no title
        "| 2020 | A | k | c | | |",  # 8: duplicate
        "| n.d. | C | k | c | | |",  # 9: no year
        "| 2020 | D | k |  | |  |",  # 10: no card content
        "| 2020 | E | k | c | ![](../../etc/passwd) | |",  # 11: outside folder
        "| 2020 | F | k | c | ![](/abs/x.png) | |",  # 12: outside folder
    )
    got = [(d.line, d.severity, d.message.split(" ")[0]) for d in load([notes(text)]).diagnostics]
    assert got == [
        (7, "error", "row"),
        (8, "warning", "duplicate"),
        (9, "warning", "no"),
        (10, "warning", "'D'"),
        (11, "warning", "image"),
        (12, "warning", "image"),
    ]


def test_short_rows_are_padded_like_github(notes) -> None:
    """GFM: a row with fewer cells than the header has empty cells at the end."""
    deck = load([notes(table("| 2020 | Short | k | does X |", "| 2021 | Shorter |"))])
    assert [(d.line, d.message) for d in deck.diagnostics] == [
        (6, "'Shorter' has no contribution or notes: no cards")
    ]
    short, shorter = deck.papers
    assert (short.title, short.contribution, short.notes, short.figures) == (
        "Short",
        "does X",
        "",
        (),
    )
    assert shorter.year == 2021 and not deck.errors


def test_long_row_keeps_the_first_cells_and_names_the_stray_pipe(notes) -> None:
    deck = load([notes(table("| 2020 | TCP|IP stacks | k | does X | | note |"))])
    p = deck.papers[0]
    assert (p.title, p.keywords, p.contribution) == ("TCP", ("IP stacks",), "k")
    (warning,) = deck.warnings
    assert warning.line == 5 and not deck.errors
    assert "7 cells but the header has 6" in warning.message
    assert "'TCP|IP stacks'" in warning.message and "\\|" in warning.message


def test_abbr_stands_in_for_a_missing_title(notes) -> None:
    header = "| Year | Title | Abbr. | Summary |\n|-|-|-|-|\n"
    deck = load(
        [notes(table("| 2020 |  | ViT | does X |", "| 2021 | | | does Y |", header=header))]
    )
    assert [p.title for p in deck.papers] == ["ViT"]
    assert [(e.line, e.message.split(";")[0]) for e in deck.errors] == [
        (6, "row has no paper title")
    ]


def test_keywords_split_on_dashes_fullwidth_commas_and_slashes_but_not_known_pairs() -> None:
    from studydeck.parsing import split_keywords

    assert split_keywords("去噪 - 超分，TCP/IP；I/O/存储, A/B 测试") == (
        "去噪",
        "超分",
        "TCP/IP",
        "I/O",
        "存储",
        "A/B 测试",
    )
    assert split_keywords("self-attention / encoder-decoder") == (
        "self-attention",
        "encoder-decoder",
    )
    # An inline HTML tag is no part of a keyword, and its "/" separates none (a trial's
    # "安全<i>kw</i>" became the Anki tags "安全<i>kw<" and "i>"); a lone "<" is text.
    assert split_keywords("安全<i>kw</i>, <b>图像</b>复原/去噪, x<y") == (
        "安全kw",
        "图像复原",
        "去噪",
        "x<y",
    )


def test_html_img_tags_are_figures_in_order(notes) -> None:
    cell = (
        '![a](a.png) <img src="b.png" alt="B &amp; C" width="300"> <IMG SRC="c.png"/> <img alt=x>'
    )
    p = load([notes(table(f"| 2020 | A | k | c | {cell} | |"))]).papers[0]
    assert [(f.src, f.alt) for f in p.figures] == [
        ("a.png", "a"),
        ("b.png", "B & C"),
        ("c.png", ""),
    ]


def test_unclosed_img_tags_cost_linear_time(monkeypatch) -> None:
    """The stdlib HTML parser rescans unclosed tags; each tag is parsed within a bound."""
    from studydeck.parsing import MAX_IMG_TAG, _figures

    assert _figures("<img src=a.png " * 20_000) == ()
    calls: list[int] = []
    import studydeck.parsing as parsing

    real = parsing._img_tag

    def counting(text: str):
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(parsing, "_img_tag", counting)
    _figures("<img src=" + "x" * 100_000)
    assert calls == [MAX_IMG_TAG]


def test_file_level_errors(tmp_path: Path) -> None:
    cases = {
        "latin1.md": "| 年份 |".encode("gbk"),
        "bin.md": b"\x89PNG\r\n\x1a\n\x00\x00",
        "empty.md": b"",
        "prose.md": b"# Just prose\n\nNo table here.\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        deck = parse_files([tmp_path / name])
        assert len(deck.errors) == 1, name
        assert deck.errors[0].line == 1
    assert "UTF-8" in parse_files([tmp_path / "latin1.md"]).errors[0].message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=6, max_size=6), st.text(max_size=30))
def test_random_cells_never_crash(cells: list[str], extra: str) -> None:
    row = "| " + " | ".join(c.replace("\n", " ") for c in cells) + " |"
    res = parse_text(table(row) + extra, "x.md")
    for d in res.diagnostics:
        assert d.line >= 1


def test_a_table_inside_a_blockquote_is_read_without_a_false_cell_count(notes) -> None:
    path = notes(
        "# x\n\n"
        "> | 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n"
        "> | :- | :- | :- | :- | :- | :- |\n"
        "> | 2016 | Layer Normalization | 规范化 | LN：按样本 | | 但在CNN上效果不如BN |\n"
    )
    deck = load([path])
    assert deck.diagnostics == ()
    assert [(p.title, p.notes) for p in deck.papers] == [
        ("Layer Normalization", "但在CNN上效果不如BN")
    ]


def test_the_trim_characters_are_markdown_it_s() -> None:
    # (parsing keeps its own copy so that splitting table rows needs no markdown-it import)
    from markdown_it.common.utils import MD_TRIM_CHARS

    from studydeck import parsing

    assert parsing.MD_TRIM_CHARS == MD_TRIM_CHARS


#: Invisible characters that make text read other than it is: bidirectional marks,
#: embeddings, overrides, isolates; the zero-width space, word joiner, BOM; the soft hyphen,
#: Mongolian vowel separator, line and paragraph separators, interlinear annotation marks
#: and tag characters (a probe's U+200E, U+061C, U+E0041... reached the terminal and HTML).
_INVISIBLE = {
    0xAD,
    0x061C,
    0x180E,
    0x200B,
    0x200E,
    0x200F,
    0x2028,
    0x2029,
    *range(0x202A, 0x202F),
    0x2060,
    *range(0x2066, 0x206A),
    0xFEFF,
    *range(0xFFF9, 0xFFFC),
    *range(0xE0000, 0xE0080),
}


def _is_control(c: str) -> bool:
    """C0 but tab and newline, DEL, C1, the invisible ones: what may not reach a terminal."""
    n = ord(c)
    return n <= 0x08 or 0x0B <= n <= 0x1F or 0x7F <= n <= 0x9F or n in _INVISIBLE


# Every control character, and characters whose UTF-8 bytes neighbour theirs (the zero-width
# joiners, which emoji need, among them).
_ALPHABET = [chr(n) for n in range(0xA0)] + [
    "\xa0",
    "\xc2",
    "\u0100",
    "\u3000",
    "论",
    "\U0001f600",
    *map(chr, range(0x2008, 0x2070)),
    *map(chr, range(0xFEFD, 0xFF01)),
    "\u0b80",
    *map(chr, range(0x0618, 0x0620)),
    *map(chr, range(0x180B, 0x1811)),
    *map(chr, range(0xFFF7, 0xFFFE)),
    *map(chr, range(0xDFFF0, 0xE0000, 7)),
    *map(chr, range(0xE0000, 0xE0082)),
]


@pytest.mark.parametrize("c", _ALPHABET)
def test_notes_are_read_as_the_terminal_sanitiser_leaves_them(c: str, tmp_path: Path) -> None:
    from studydeck.parsing import read_text
    from studydeck.safe import terminal, utf8_has_controls

    # (read_text skips the sanitiser when the bytes hold no control character)
    assert utf8_has_controls(f"a{c}b".encode()) == _is_control(c)
    if c == "\x00":
        return  # (a NUL makes it a binary file)
    path = tmp_path / "notes.md"
    path.write_bytes(f"| 论文 |\n| a{c}b |".encode())
    got, problem = read_text(path)
    assert problem is None
    assert got == terminal(f"| 论文 |\n| a{c}b |")
    assert not any(_is_control(ch) for ch in got)
