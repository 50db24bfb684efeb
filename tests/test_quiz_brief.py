"""The briefing sheet and handouts as files someone else will open: HTML, Markdown, JSON."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from studydeck.models import Paper
from studydeck.quiz.distractors import PaperIndex, closest
from studydeck.quiz.similarity import most_similar

from .conftest import ROOT, SEED, env_without_user_dirs, table

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
ROWS = (
    "| 2021 | Multi-Stage Progressive Image Restoration | 图像复原 "
    "| MPRNet：多阶段渐进式复原，跨阶段特征融合 | ![arch](fig.png) "
    "| 大量使用了通道注意力。缺点是参数量大、推理慢 |",
    "| 2022 | Restormer Efficient Transformer | 图像复原 | Restormer：渐进式复原，高效的通道自注意力 | | |",
    "| 2020 | Evil <script>alert(1)</script> Paper | 图像复原 "
    "| <img src=x onerror=alert(1)> 恶意内容测试用的长句子 | | |",
)


def studydeck(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studydeck", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_without_user_dirs(tmp_path),
        check=False,
    )


@pytest.fixture
def agenda_notes(tmp_path: Path, notes) -> tuple[Path, Path]:
    (tmp_path / "fig.png").write_bytes(PNG)
    path = notes(table(*ROWS))
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("MPRNet\nEvil Paper\n", encoding="utf-8")
    return path, agenda


def test_brief_html_one_block_per_paper_figure_embedded_text_escaped(
    tmp_path: Path, agenda_notes: tuple[Path, Path]
) -> None:
    notes, agenda = agenda_notes
    out = tmp_path / "out" / "brief.html"
    out.parent.mkdir()
    r = studydeck(tmp_path, "brief", str(notes), "--agenda", str(agenda), "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert html.endswith("</html>\n")  # a text file ends with a line break
    assert html.count('<section class="paper">') == 2
    assert "data:image/png;base64," in html  # mailable: no relative path
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "What is the key idea of MPRNet and its main weakness?" in html
    assert "How does MPRNet compare with Restormer Efficient Transformer (2022)?" in html
    assert "多阶段渐进式复原" in html and "参数量大" in html


def test_brief_markdown_copies_the_figure_beside_it(
    tmp_path: Path, agenda_notes: tuple[Path, Path]
) -> None:
    notes, agenda = agenda_notes
    out = tmp_path / "elsewhere" / "brief.md"
    out.parent.mkdir()
    assert (
        studydeck(tmp_path, "brief", str(notes), "--agenda", str(agenda), "-o", str(out)).returncode
        == 0
    )
    text = out.read_text()
    page = viewed(text)
    [ref] = page.srcs
    assert (out.parent / ref).read_bytes() == PNG
    # The hostile row is shown as text by any Markdown viewer, never run.
    assert page.tags == {"h1", "h2", "ul", "li", "strong", "p", "img", "ol"}
    assert "Evil <script>alert(1)</script> Paper (2020)" in page.headings
    assert "<img src=x onerror=alert(1)> 恶意内容测试用的长句子" in page.text


class Viewed(HTMLParser):
    """A Markdown sheet as a viewer shows it (CommonMark, raw HTML on as in most viewers)."""

    def __init__(self) -> None:
        super().__init__()  # character references read as the characters they stand for
        self.tags: set[str] = set()
        self.srcs: list[str] = []
        self.hrefs: list[str] = []
        self.headings: list[str] = []
        self.quotes: list[str] = []
        self.items: list[str] = []
        self.text = ""
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.srcs += [unquote(v or "") for k, v in attrs if k == "src"]
        self.hrefs += [v or "" for k, v in attrs if k == "href"]
        if tag in ("h2", "blockquote", "li"):
            self._open.append(tag)
            {"h2": self.headings, "blockquote": self.quotes, "li": self.items}[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._open:
            what = {"h2": self.headings, "blockquote": self.quotes, "li": self.items}
            into = what[self._open[-1]]
            into[-1] = " ".join((into[-1] + data).split())


def viewed(markdown: str) -> Viewed:
    p = Viewed()
    p.feed(MarkdownIt("commonmark").render(markdown))
    return p


def test_json_handout_and_markdown_options_are_a_list(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    r = studydeck(
        tmp_path, "quiz", str(SEED), "--db", db, "-n", "6", "--seed", "9", "--handout", "json"
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["seed"] == 9 and len(data["questions"]) == 6
    for q in data["questions"]:
        assert set(q) >= {"kind", "card_id", "paper", "clue", "options", "answer"}
        if q["options"]:
            assert 0 <= q["answer"] < len(q["options"])
        else:
            assert q["answer"] is None
    md = tmp_path / "h.md"
    studydeck(
        tmp_path, "quiz", str(SEED), "--db", db, "-n", "6", "--seed", "9", "--handout", str(md)
    )
    tokens = MarkdownIt("commonmark").parse(md.read_text())
    lists = sum(t.type == "bullet_list_open" for t in tokens)
    assert lists == sum(1 for q in data["questions"] if q["options"])


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (see .ci/run)")
def test_brief_prints_to_a4_in_headless_chromium(
    tmp_path: Path, agenda_notes: tuple[Path, Path]
) -> None:
    notes, agenda = agenda_notes
    out = tmp_path / "brief.html"
    assert (
        studydeck(tmp_path, "brief", str(notes), "--agenda", str(agenda), "-o", str(out)).returncode
        == 0
    )
    pdf, png = tmp_path / "brief.pdf", tmp_path / "brief.png"
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
    for flag in (f"--print-to-pdf={pdf}", f"--screenshot={png}"):
        subprocess.run([*base, flag, out.as_uri()], capture_output=True, timeout=120, check=False)
    data = pdf.read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1  # two short blocks: one A4 page
    assert b"CJK" in data  # the CJK contribution was set in a CJK font, not as boxes
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 5000
    dom = subprocess.run(
        [*base, "--dump-dom", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    assert "多阶段渐进式复原" in dom


def test_a_paper_without_a_short_name_is_called_by_its_title_on_the_sheet(notes) -> None:
    """The sheet names a paper as its notes do: the title's acronym (``BOFBL``) is a key an
    agenda line may match by, not a name to print as the paper's own or ask about."""
    from studydeck.deck import load
    from studydeck.quiz.brief import brief_entries, brief_markdown

    films = "| 2022 | Bringing Old Films Back to Life | 视频增强 | 基于类似BasicVSR的增强框架 | | |"
    deck = load([notes(table(ROWS[1], films))])
    entries = brief_entries(deck, deck.papers)
    by_title = {e.paper.title: e for e in entries}
    old = by_title["Bringing Old Films Back to Life"]
    assert old.names == ()
    # (its notes name no weakness: the prompt asks what it leaves open)
    assert old.prompts[0] == (
        "What is the key idea of Bringing Old Films Back to Life and what does it leave open?"
    )
    assert by_title["Restormer Efficient Transformer"].names == ("Restormer",)
    md = brief_markdown(entries, "Group meeting", {})
    assert "BOFBL" not in md and md.count("**Short name:** Restormer") == 1
    assert md.count("**Short name:**") == 1


def test_a_comparison_is_asked_only_with_a_paper_that_has_something_in_common(notes) -> None:
    """A trial's sheet asked how Runner & Hook (an OpenMMLab note) compares with a paper
    on restoring old films: the closest paper shared no keyword and hardly a word. A paper
    is named only when it shares a keyword or a keyword family, or much of the wording;
    else the prompt asks which paper of the notes is closest."""
    from studydeck.deck import load
    from studydeck.quiz.brief import brief_entries

    rows = (
        "| 2022 | Runner & Hook | OpenMMLab | 底层可拓展 | | |",
        "| 2022 | Bringing Old Films Back to Life | 视频增强 | 基于类似BasicVSR的增强框架 | | |",
        "| 2021 | BasicVSR Plus | 视频复原 | 基于类似BasicVSR的增强框架，二阶传播 | | |",
        "| 2016 | Layer Normalization | 规范化 | LN：针对每个sample处理 | | |",
        "| 2016 | Group Norm | 归一 | GN：针对每个sample处理，分组 | | |",
        "| 2015 | Face Attributes | 人脸属性分类 | 属性预测网络 | | |",
        "| 2020 | Face SR | 人脸复原 | 三维先验超分 | | |",
    )
    deck = load([notes(table(*rows))])
    prompts = {e.paper.title: e.prompts[1] for e in brief_entries(deck, deck.papers)}
    assert prompts["Runner & Hook"] == (
        "Which paper in your notes is closest to Runner & Hook, and how do they differ?"
    )
    # (a keyword family in common: video)
    assert prompts["Bringing Old Films Back to Life"] == (
        "How does Bringing Old Films Back to Life compare with BasicVSR Plus (2021)?"
    )
    # (no keyword in common, but most of the wording)
    assert prompts["Layer Normalization"] == "How does LN compare with Group Norm (2016)?"
    # (a keyword family and nothing else: faces)
    assert prompts["Face SR"] == "How does Face SR compare with Face Attributes (2015)?"


# The rows of the user trial that found note text read as Markdown and the sheets' own
# Markdown HTML-escaped.
TRIAL = (
    "| 2018 | [JS Title](javascript:alert(8)) | 图像复原 | JST：一种方法 "
    "| | see [js](javascript:alert(5)) and [data](data:text/html,x) |",
    "| 2019 | <script>alert(1)</script> XSS Paper | 图像复原 | 只考虑了LDP模式 | | 缺点是慢 |",
    "| 2022 | Runner & Hook | OpenMMLab | 底层可拓展 | | |",
    "| 2020 | Multi-Stage Progressive Image Restoration | 图像复原 "
    "| MPRNet：多阶段渐进式复原，跨阶段特征融合 | | 大量使用了通道注意力。缺点是参数量大 |",
)
TITLES = (
    "JS Title (2018)",  # (linked to javascript: in the notes: its text, no link)
    "<script>alert(1)</script> XSS Paper (2019)",
    "Runner & Hook (2022)",
)
# What a sheet's own Markdown makes; anything else came from the notes.
SHEET_TAGS = {"h1", "h2", "p", "em", "strong", "ul", "ol", "li", "blockquote", "hr", "img"}


def test_markdown_handout_shows_note_text_as_typed_in_its_own_structure(notes) -> None:
    """Clues are quotes, titles strong, options a list; the notes' links, HTML and '&' are
    text a reader sees as typed: no link, no raw HTML, no entity, no literal '&gt;'."""
    from studydeck.deck import load
    from studydeck.quiz import build_quiz
    from studydeck.quiz.handout import handout_markdown
    from studydeck.safe import terminal

    quoted_markup = (
        "| 2021 | Quote Paper | 图像复原 | QP：<b>粗</b> &amp; [l](javascript:a(2)) 法 | | |"
    )
    deck = load([notes(table(*TRIAL, quoted_markup))])
    # Every kind of question about every paper: seeds until a clue is quoted.
    questions = [q for seed in range(1, 9) for q in build_quiz(deck, deck.papers, 10, seed)]
    md = handout_markdown(questions, "Group <b>quiz</b>", "5 questions · seed 1")
    page = viewed(md)
    assert page.tags <= SHEET_TAGS and not page.hrefs and not page.srcs
    quoted = [" ".join(terminal(q.wording.quote).split()) for q in questions if q.wording.quote]
    assert quoted and page.quotes == quoted  # '> ' made a quote: not '&gt; ' shown as text
    assert "▢▢▢：<b>粗</b> &amp; [l](javascript:a(2)) 法" in quoted
    for title in TITLES:
        assert title in page.text
    assert "What is the core contribution of Runner & Hook (2022)?" in page.text
    html = MarkdownIt("commonmark").render(md)
    assert "Runner &amp; Hook" in html and "Runner &amp;amp;" not in html  # '&' shown once
    key = [i for i in page.items if " — " in i]  # the answer key: the paper's title as typed
    assert any(i.endswith(" — JS Title") for i in key)
    assert "Group <b>quiz</b>" in page.text
    assert md.endswith("\n") and not md.endswith("\n\n")


def test_markdown_brief_shows_note_text_as_typed_and_keeps_its_figure(
    tmp_path: Path, notes
) -> None:
    (tmp_path / "fig.png").write_bytes(PNG)
    rows = (
        *TRIAL[:3],
        "| 2021 | Fig Paper | 图像复原 | FP：有图 | ![a](fig.png) | |",
        "| 2016 | Lost Fig | 图像复原 | LF：丢图 | ![lost](nowhere.png) | |",
    )
    path = notes(table(*rows))
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("JS Title\nXSS Paper\nRunner & Hook\nFig Paper\nLost Fig\n", encoding="utf-8")
    out = tmp_path / "my brief (1).md"
    r = studydeck(tmp_path, "brief", str(path), "--agenda", str(agenda), "-o", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    page = viewed(text)
    assert page.tags <= SHEET_TAGS and not page.hrefs
    assert page.headings == [*TITLES, "Fig Paper (2021)", "Lost Fig (2016)"]
    assert "Key insight: see [js](javascript:alert(5)) and [data](data:text/html,x)" in page.text
    assert "What is the key idea of <script>alert(1)</script> XSS Paper and its main weakness?" in (
        page.items
    )
    # The figure copied beside the sheet (a name with spaces and parentheses) is an image;
    # a figure the program has no copy of is never a link to what the notes wrote.
    [src] = page.srcs
    assert (out.parent / src).read_bytes() == PNG
    assert "figure not available: lost" in page.text


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["brief", "--agenda", "{a}", "-o", "{o}/b.pdf"],
            "unknown briefing format '.pdf'; use .md or .html",
        ),
        (
            ["brief", "--agenda", "{a}", "-o", "{o}/b.json"],
            "unknown briefing format '.json'; use .md or .html",
        ),
        (
            ["quiz", "--handout", "{o}/q.pdf"],
            "unknown handout format '.pdf'; use .md, .html or .json",
        ),
        (
            ["quiz", "--handout", "{o}/q.PDF"],
            "unknown handout format '.PDF'; use .md, .html or .json",
        ),
        (
            ["quiz", "--handout", "{o}/q"],
            "no extension to tell the handout format by; use .md, .html or .json",
        ),
        (
            ["quiz", "--handout", "json", "--readiness", "{o}/r.txt"],
            "unknown readiness sheet format '.txt'; use .md",
        ),
    ],
)
def test_an_unknown_sheet_extension_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    """Markdown written into 'b.pdf' is no PDF: one line naming the file and the formats
    there are, exit 2, nothing written; asked first (the notes named do not even exist)."""
    from studydeck import cli

    out = tmp_path / "out"
    out.mkdir()
    missing = tmp_path / "missing.md"
    db = tmp_path / "s.db"
    argv = [a.format(a=tmp_path / "agenda.txt", o=out) for a in args]
    store = ["--db", str(db)] if argv[0] == "quiz" else []
    assert cli.main([*argv, str(missing), *store]) == 2
    err = capsys.readouterr()
    path = next(a for a in argv if a.startswith(str(out)))
    assert err.err == f"studydeck: {path}: error: {error}\n" and err.out == ""
    assert list(out.iterdir()) == [] and not db.exists()


def test_a_sheet_extension_is_read_whatever_its_case(tmp_path: Path) -> None:
    from studydeck import cli

    out = tmp_path / "Quiz.HTML"
    db = tmp_path / "s.db"
    assert cli.main(["quiz", str(SEED), "--db", str(db), "-n", "2", "--handout", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


@pytest.mark.parametrize("name", ["h.json", "h.md", "h.html", "json", "md", "html"])
def test_each_handout_ends_with_one_line_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    from studydeck import cli

    to_stdout = "." not in name
    out = name if to_stdout else str(tmp_path / name)
    argv = ["quiz", str(SEED), "--db", str(tmp_path / "s.db"), "-n", "3", "--handout", out]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out if to_stdout else Path(out).read_text(encoding="utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")


KEYWORDS = ("图像复原", "图像增强", "视频增强", "Transformer", "工具", "")
WORDS = ("多阶段渐进式复原", "高效的通道自注意力", "视频超分", "老照片复原", "einops")


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.sampled_from(KEYWORDS), max_size=2),
            st.one_of(st.none(), st.integers(2015, 2024)),
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=2).map("，".join),
        ),
        min_size=1,
        max_size=12,
    ),
    target=st.integers(0, 11),
)
def test_the_closest_paper_is_the_first_of_the_full_sort(rows, target) -> None:
    """The brief's comparison paper, found from the keyword index with a bound, is the most
    similar one of a sort of every paper by similarity (ties by title), tools only for a
    tool; none when there is no other paper."""
    papers = [
        Paper(
            key=f"p{i}",
            title=f"Paper {i % 4}{chr(65 + i)}",
            year=year,
            keywords=tuple(k for k in kws if k),
            contribution=words,
            source="a.md",
            line=i + 3,
        )
        for i, (kws, year, words) in enumerate(rows)
    ]
    p = papers[target % len(papers)]
    ranked = most_similar(p, papers)
    assert closest(PaperIndex.build(papers), p) == (ranked[0] if ranked else None)


@pytest.mark.parametrize(
    ("argv", "over"),
    [
        (["brief", "--agenda", "{agenda}", "-o", "{notes}", "{notes}"], "notes"),
        (["brief", "--agenda", "{agenda}", "-o", "{agenda}", "{notes}"], "agenda"),
        (["brief", "--agenda", "{agenda}", "-o", "{notes}", "{folder}"], "notes"),
        (["quiz", "--handout", "{notes}", "-n", "2", "{notes}"], "notes"),
        (["quiz", "--readiness", "{notes}", "--agenda", "{agenda}", "--plain", "{notes}"], "notes"),
        # notes the command does not read (another deck, a copy): not written over either
        (["brief", "--agenda", "{agenda}", "-o", "{other}", "{notes}"], "other"),
        (["quiz", "--handout", "{other}", "-n", "2", "{notes}"], "other"),
    ],
)
def test_a_sheet_is_never_written_over_a_file_the_command_reads(
    tmp_path: Path, monkeypatch, capsys, argv: list[str], over: str
) -> None:
    from studydeck.cli import main

    folder = tmp_path / "notes"
    folder.mkdir()
    notes = folder / "notes.md"
    notes.write_text(table(*ROWS), encoding="utf-8")
    agenda = tmp_path / "agenda.md"
    agenda.write_text("Multi-Stage Progressive Image Restoration\n", encoding="utf-8")
    other = tmp_path / "other.md"
    other.write_text(table("| 2019 | Gamma | k | contribution G | | |"), encoding="utf-8")
    before = {notes: notes.read_bytes(), agenda: agenda.read_bytes(), other: other.read_bytes()}
    monkeypatch.setenv("STUDYDECK_DB", str(tmp_path / "s.db"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    names = {"notes": str(notes), "agenda": str(agenda), "folder": str(folder), "other": str(other)}
    assert main([a.format(**names) for a in argv]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "would be written over" in line and line.endswith("to another file)")
    assert {p: p.read_bytes() for p in before} == before  # (the "over" file untouched)
    assert names[over] in line
