"""The briefing sheet and handouts as files someone else will open: HTML, Markdown, JSON."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

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
    [ref] = re.findall(r"!\[arch\]\(([^)]+)\)", text)
    assert (out.parent / ref).read_bytes() == PNG
    # The hostile row is shown as text by any Markdown viewer, never run.
    assert "<script" not in text and "<img" not in text
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; Paper" in text


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
    assert old.prompts[0] == (
        "What is the key idea of Bringing Old Films Back to Life and its main weakness?"
    )
    assert by_title["Restormer Efficient Transformer"].names == ("Restormer",)
    md = brief_markdown(entries, "Group meeting", {})
    assert "BOFBL" not in md and md.count("**Short name:** Restormer") == 1
    assert md.count("**Short name:**") == 1
