"""An agenda you can trust: each line says which paper it became, and why, or that none did."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studydeck.deck import load
from studydeck.models import Paper
from studydeck.quiz import match_agenda
from studydeck.quiz.agenda import AgendaMatcher

from .conftest import ROOT, SEED, env_without_user_dirs, table

ROWS = (
    "| 2016 | [Layer Normalization](https://arxiv.org/abs/1607.06450) | 规范化 "
    "| LN：针对每个sample处理，使得LN不受batch size影响 | | |",
    "| 2021 | Multi-Stage Progressive Image Restoration | 图像复原 | MPRNet：性能很强的baseline结构 | | |",
    "| 2022 | Vision Transformer with Deformable Attention | Transformer "
    "| DAT：K/V只对重要区域求，任意Q都和这些K/V配对算 | | |",
    "| 2020 | [Deep Compression Study](https://doi.org/10.1109/TIP.2020.1234) | 图像编码 "
    "| 用可学习的熵模型压缩图像 | | |",
    "| 2022 | Bringing Old Films Back to Life | 视频增强 | 老电影修复的统一框架 | | |",
    "| 2020 | Bringing Old Photos Back to Life | 图像增强 | 老照片复原新范式 | | |",
)

AGENDA = """# group meeting, week 12
- Multi-Stage Progressive          
2. Multi-Stage Progresive Image Restoration
https://arxiv.org/pdf/1607.06450v2.pdf
http://arxiv.org/abs/1607.06450v3
arXiv:1607.06450
https://dx.doi.org/10.1109/tip.2020.1234
DAT (deformable attention)
MPRNet
Group Normalization
Batch Normalization
Learned Image Compression
Bringing Old Back to Life
Neural Radiance Fields
"""

REPORT = """\
- Multi-Stage Progressive → Multi-Stage Progressive Image Restoration (title words)
2. Multi-Stage Progresive Image Restoration → Multi-Stage Progressive Image Restoration (title words)
https://arxiv.org/pdf/1607.06450v2.pdf → Layer Normalization (arXiv 1607.06450)
http://arxiv.org/abs/1607.06450v3 → Layer Normalization (arXiv 1607.06450)
arXiv:1607.06450 → Layer Normalization (arXiv 1607.06450)
https://dx.doi.org/10.1109/tip.2020.1234 → Deep Compression Study (DOI 10.1109/tip.2020.1234)
DAT (deformable attention) → Vision Transformer with Deformable Attention (short name DAT)
MPRNet → Multi-Stage Progressive Image Restoration (short name MPRNet)
Group Normalization → no paper in your notes (did you mean: Layer Normalization?)
Batch Normalization → no paper in your notes (did you mean: Layer Normalization?)
Learned Image Compression → no paper in your notes (did you mean: \
Multi-Stage Progressive Image Restoration; Deep Compression Study?)
Bringing Old Back to Life → no paper in your notes (did you mean: \
Bringing Old Films Back to Life; Bringing Old Photos Back to Life?)
Neural Radiance Fields → no paper in your notes
"""


@pytest.fixture
def deck(notes):
    return load([notes(table(*ROWS))])


def test_each_line_says_what_it_matched_and_how(deck) -> None:
    report = "".join(m.report() + "\n" for m in match_agenda(AGENDA.splitlines(), deck.papers))
    assert report == REPORT


def test_group_normalization_is_not_layer_normalization(deck) -> None:
    for line in ("Group Normalization", "Instance Normalization", "Normalization", "Group Norm"):
        [m] = match_agenda([line], deck.papers)
        assert m.paper is None, line


def test_a_title_word_cut_short_stands_for_it(deck) -> None:
    """A trial's ``Layer Norm`` was refused ("did you mean: Layer Normalization?"), though
    titles may be given "partly": a word's start of four letters or more stands for it."""
    for line, title in (
        ("Layer Norm", "Layer Normalization"),
        ("Deform Attention", "Vision Transformer with Deformable Attention"),
        ("old photo", "Bringing Old Photos Back to Life"),
    ):
        [m] = match_agenda([line], deck.papers)
        assert m.paper is not None and (m.paper.title, m.how) == (title, "title words"), line
    [m] = match_agenda(["Lay Norm"], deck.papers)  # (a start of three letters stands for none)
    assert m.paper is None


WORD_NAMED = """\
DAT deformable attention → Vision Transformer with Deformable Attention \
(short name DAT and title words)
- Deformable Attention (DAT) → Vision Transformer with Deformable Attention \
(short name DAT and title words)
DAT（deformable attention） → Vision Transformer with Deformable Attention \
(short name DAT and title words)
MPRNet deformable attention → no paper in your notes (did you mean: \
Multi-Stage Progressive Image Restoration; Vision Transformer with Deformable Attention?)
DAT old films → no paper in your notes (did you mean: \
Vision Transformer with Deformable Attention; Bringing Old Films Back to Life?)
DAT MPRNet deformable attention → no paper in your notes (did you mean: \
Vision Transformer with Deformable Attention?)
"""


def test_a_word_naming_a_paper_and_its_title_words_match_it_together(deck) -> None:
    # Two signals that agree: a word of the line is the paper's name and the rest of the
    # line is its title words. A name with another paper's title words, or with words of
    # no title, or two papers' names, is refused -- the named paper suggested first.
    lines = [line.split(" → ")[0] for line in WORD_NAMED.splitlines()]
    report = "".join(m.report() + "\n" for m in match_agenda(lines, deck.papers))
    assert report == WORD_NAMED


def test_an_acronym_or_a_short_title_matches() -> None:
    deck = load([SEED])
    [m] = match_agenda(["- MFQE 2.0"], deck.papers)
    assert m.report() == (
        "- MFQE 2.0 → MFQE 2.0: A New Approach for Multi-Frame Quality Enhancement on "
        "Compressed Video (short title MFQE 2.0)"
    )
    [m] = match_agenda(["VTDA"], deck.papers)
    assert m.paper is not None and m.paper.title == "Vision Transformer with Deformable Attention"
    assert m.how == "acronym VTDA"


def test_agenda_command_prints_the_report(notes, tmp_path: Path) -> None:
    path = notes(table(*ROWS))
    agenda = tmp_path / "agenda.txt"
    agenda.write_text(AGENDA, encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "studydeck", "agenda", str(agenda), str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_without_user_dirs(tmp_path),
        check=False,
    )
    assert r.stdout == REPORT
    assert r.returncode == 1  # some lines matched nothing


def test_quiz_from_an_agenda_prints_the_report_first(notes, tmp_path: Path) -> None:
    path = notes(table(*ROWS))
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("MPRNet\nGroup Normalization\n", encoding="utf-8")
    r = subprocess.run(
        [
            *(sys.executable, "-m", "studydeck", "quiz", str(path)),
            *("--db", str(tmp_path / "s.db"), "--agenda", str(agenda), "--plain", "--seed", "1"),
        ],
        input="",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env_without_user_dirs(tmp_path),
        check=False,
    )
    assert r.returncode == 0, r.stderr
    lines = [x for x in r.stderr.splitlines() if not x.startswith("studydeck: ")]
    assert lines[:3] == [
        "MPRNet → Multi-Stage Progressive Image Restoration (short name MPRNet)",
        "Group Normalization → no paper in your notes (did you mean: Layer Normalization?)",
        "quiz: 1 question from 1 paper (agenda), seed 1",
    ]


MISTYPED = """\
MQFE 2.0 → no paper in your notes (did you mean: \
MFQE 2.0: A New Approach for Multi-Frame Quality Enhancement on Compressed Video?)
DTA → no paper in your notes (did you mean: Vision Transformer with Deformable Attention?)
- BasicVRS → no paper in your notes (did you mean: BasicVSR: The Search for Essential \
Components in Video Super-Resolution and Beyond?)
XQZW 3.0 → no paper in your notes
"""


def test_a_misspelt_name_is_suggested_never_matched() -> None:
    deck = load([SEED])
    basic = "BasicVSR: The Search for Essential Components in Video Super-Resolution and Beyond"
    papers = [*deck.papers, Paper(key="basic", title=basic, source="a.md", line=99)]
    lines = [line.split(" → ")[0] for line in MISTYPED.splitlines()]
    report = "".join(m.report() + "\n" for m in match_agenda(lines, papers))
    assert report == MISTYPED


# Titles and lines drawn from a few words that share letters, so that typos
# (``restoration`` / ``restorarion``), words of several titles and CJK pairs all come up.
VOCAB = (
    "restoration",
    "restorarion",
    "restore",
    "rest",
    "norm",
    "res",
    "video",
    "attention",
    "attentoin",
    "deformable",
    "normalization",
    "normalisation",
    "film",
    "old",
    "图像复原",
    "复原",
    "ab",
)


@settings(max_examples=200, deadline=None)
@given(
    titles=st.lists(
        st.lists(st.sampled_from(VOCAB), min_size=0, max_size=4).map(" ".join),
        min_size=1,
        max_size=8,
    ),
    line=st.lists(st.sampled_from(VOCAB), min_size=0, max_size=4).map(" ".join),
    strict=st.booleans(),
)
def test_scores_of_the_indexed_papers_are_each_papers_own_score(
    titles: list[str], line: str, strict: bool
) -> None:
    """The fast scores (only papers sharing a word or a typo of one with the line) equal the
    rule applied to every paper's title word by word; every paper left out scores 0."""
    papers = [
        Paper(key=f"p{i}", title=t or "x", source="a.md", line=i + 3) for i, t in enumerate(titles)
    ]
    matcher = AgendaMatcher(papers)
    fast = {p.key: s for s, p in matcher._scores(line, strict=strict)}
    assert [p.key for _, p in matcher._scores(line, strict=strict)] == sorted(
        fast, key=lambda k: int(k[1:])
    )  # in paper order
    for p in papers:
        assert fast.get(p.key, 0.0) == matcher._score(line, p, strict=strict), (p.title, line)


def test_a_title_or_link_two_papers_share_is_the_first_ones_in_the_notes() -> None:
    """(A paper read twice, in two tables: the agenda names the first row, as before the
    matcher indexed titles and links.)"""
    url = "https://arxiv.org/abs/1607.06450"
    papers = [
        Paper(key="a", title="Other Paper", source="a.md", line=3),
        Paper(key="b", title="Layer Normalization", url=url, source="a.md", line=4),
        Paper(key="c", title="Layer Normalization", url=url, source="b.md", line=3),
    ]
    for line in ("Layer Normalization", "arXiv:1607.06450"):
        [m] = match_agenda([line], papers)
        assert m.paper is not None and m.paper.key == "b", line


class Counted(Sequence[Paper]):
    """Papers made one at a time, as a deck read from the cache makes them: counted."""

    def __init__(self, papers: list[Paper]) -> None:
        self.papers = papers
        self.made: list[int] = []

    def __len__(self) -> int:
        return len(self.papers)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            raise AssertionError("sliced")
        self.made.append(i)
        return self.papers[i]


def test_a_title_line_makes_only_the_paper_it_names() -> None:
    """With the titles as a column, an agenda line that is a title (or a link-free exact
    title with a colon) is matched from an index of the titles alone: a deck of 50,000
    papers read from the cache makes one Paper, not 50,000."""
    papers = [
        Paper(key=f"p{i}", title=f"Paper number {i}", source="a.md", line=i) for i in range(50)
    ]
    lazy = Counted(papers)
    matches = match_agenda(["- Paper number 7", "paper NUMBER 42"], lazy, [p.title for p in papers])
    assert [m.paper.key if m.paper else None for m in matches] == ["p7", "p42"]
    assert sorted(set(lazy.made)) == [7, 42]


HOSTILE_LINES = (
    "\x1b]52;c;aGVsbG8=\x07clip",
    "\x1b[31mRED\x1b[0m MPRNet",
    "\u202eevil reversed",
    "\x1b]8;;http://evil\x07click\x1b]8;;\x07 Layer Normalization",
)


def test_an_agenda_lines_escapes_never_reach_the_terminal(deck, tmp_path: Path, capsys) -> None:
    """Its report (the CLI's lines, the quiz app's agenda box) is sanitised where it is made:
    no escape sequence, no clipboard write, no bidi override; the words stay."""
    from studydeck.cli import main

    for m in match_agenda(HOSTILE_LINES, deck.papers):
        line = m.report()
        assert not any(c in line for c in "\x1b\x07\u202e"), line
    assert "Layer Normalization" in match_agenda(HOSTILE_LINES[3:], deck.papers)[0].report()
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("\n".join(HOSTILE_LINES), encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text(table(*ROWS), encoding="utf-8")
    main(["agenda", str(agenda), str(notes)])
    out = capsys.readouterr()
    assert "RED MPRNet" in out.out
    assert not any(c in out.out + out.err for c in "\x1b\x07\u202e")


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "too big"])
def test_an_agenda_that_is_not_a_text_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    import os

    from studydeck.errors import StudydeckError
    from studydeck.quiz.assemble import AGENDA_BYTES, read_agenda

    path = tmp_path / "agenda"
    if kind == "fifo":
        os.mkfifo(path)  # no writer: a plain read would wait for ever
    elif kind == "device":
        path = Path("/dev/zero")  # a plain read would fill the memory
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"x" * (AGENDA_BYTES + 1))
    with pytest.raises(StudydeckError, match="cannot read the agenda") as err:
        read_agenda(path)
    assert err.value.exit_code == 2


def test_only_the_start_of_a_very_long_line_is_matched_and_shown(deck) -> None:
    """A line of 10,000 words (it took minutes: each word looked for among the titles') is
    matched on its first :data:`LINE_CHARS` characters, and shown cut."""
    from studydeck.quiz.agenda import LINE_CHARS

    words = " ".join(f"zqx{i:05d}word" for i in range(10_000))
    for line in (words, "Layer Normalization " + words):
        [m] = match_agenda([line], deck.papers)
        assert m.line == line[:LINE_CHARS] + "…" and m.paper is None


def test_a_line_that_names_no_title_makes_each_paper_about_once() -> None:
    """Its indexes (names, title words) read every paper: from one list made once, not a
    walk over the deck each (a deck read from the cache makes a Paper at each read)."""
    papers = [
        Paper(key=f"p{i}", title=f"Paper number {i}", source="a.md", line=i) for i in range(50)
    ]
    lazy = Counted(papers)
    match_agenda(["Neural Radiance Fields"], lazy, [p.title for p in papers])
    assert 50 <= len(lazy.made) < 2 * 50, len(lazy.made)
