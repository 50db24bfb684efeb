"""Generate a realistic notes file of N papers (deterministic for a seed).

python -m bench.generate 10000 > /tmp/notes.md
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

KEYWORDS = [
    "图像复原",
    "视频复原",
    "视频编码",
    "图像增强",
    "Transformer",
    "规范化",
    "人脸复原",
    "图像编解码；图像去噪",
    "失焦预测",
    "算法实现",
]
WORDS = [
    "restoration",
    "video",
    "image",
    "network",
    "attention",
    "deformable",
    "transformer",
    "quality",
    "compressed",
    "enhancement",
    "learning",
    "deep",
    "residual",
    "frame",
    "temporal",
    "spatial",
]
CONTRIB = [
    "用可形变卷积完成时序对齐",
    "多阶段渐进式结构，性能很强的 **baseline**",
    "交互式图像复原，使得复原强度可控",
    "LN：针对每个sample处理，使得LN不受batch size影响",
]
NOTES = [
    "整体上是一个可提前退出的多阶段结构。",
    "但计算复杂度上去了；",
    "问题：只考虑了LDP模式。",
    "可参考[知乎](https://zhuanlan.zhihu.com/p/342675997)。",
    "其实就是对相似块加权，权重类似NCE。",
    "However, the evaluation is limited. ",
    "BN是在C上对NHW做norm<br>保留NHW。",
]


def notes_file(n: int, seed: int = 0, figures: list[str] | None = None, start: int = 0) -> str:
    """Papers ``start`` .. ``start + n - 1`` (numbered, so several files never repeat one)."""
    rnd = random.Random(seed + start)
    out = ["# 论文阅读", ""]
    per_section = 2500
    for i in range(start, start + n):
        if i % per_section == 0 or i == start:
            out += [
                "",
                f"## Section {i // per_section + 1}",
                "",
                "| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |",
                "| :- | :- | :- | :- | :- | :- |",
            ]
        title = " ".join(rnd.choice(WORDS).title() for _ in range(rnd.randint(4, 10))) + f" {i}"
        if rnd.random() < 0.3:
            title = f"[{title}](https://arxiv.org/abs/{2000 + i}.{i:05d})"
        if figures:
            fig = f"![]({figures[i % len(figures)]})" if i < 500 else ""
        else:
            fig = (
                f"![](https://raw.githubusercontent.com/x/picgo/main/{i:08d}.png)"
                if rnd.random() < 0.7
                else ""
            )
        notes = "".join(rnd.sample(NOTES, rnd.randint(1, 4)))
        out.append(
            f"| {2000 + rnd.randint(0, 25)} | {title} | {rnd.choice(KEYWORDS)} | "
            f"{rnd.choice(CONTRIB)} {i} | {fig} | {notes} |"
        )
    return "\n".join(out) + "\n"


def write(path: Path, n: int, seed: int = 0, figures: list[str] | None = None) -> Path:
    path.write_text(notes_file(n, seed, figures), encoding="utf-8")
    return path


def main() -> None:
    import argparse

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("papers", nargs="?", type=int, default=10000, help="how many papers (10000)")
    p.add_argument("--seed", type=int, default=0, help="the same seed, the same notes (0)")
    args = p.parse_args()
    sys.stdout.write(notes_file(args.papers, args.seed))


if __name__ == "__main__":
    main()


#: Papers per file: studydeck refuses notes files over 8 MB (a 10,000-paper file is ~3 MB).
PER_FILE = 10000


def write_deck(folder: Path, n: int) -> Path:
    """``n`` papers as one file, or as a folder of files of PER_FILE papers when larger;
    returns what to pass to studydeck (the file, or the folder)."""
    if n <= PER_FILE:
        return write(folder / f"notes-{n}.md", n)
    deck = folder / f"notes-{n}"
    deck.mkdir(parents=True, exist_ok=True)
    for k, at in enumerate(range(0, n, PER_FILE)):
        part = deck / f"part-{k + 1:02d}.md"
        part.write_text(notes_file(min(PER_FILE, n - at), start=at), encoding="utf-8")
    return deck


def first_file(deck: Path) -> Path:
    """The file to edit in a deck from :func:`write_deck`."""
    return deck if deck.is_file() else sorted(deck.glob("*.md"))[0]


def deck_with_history(folder: Path, n_papers: int, n_reviews: int) -> tuple[Path, Path]:
    """A notes file of ``n_papers`` and a store that has read it (cache warm) and holds
    ``n_reviews`` past reviews spread over a year; built once per (size, reviews) in
    ``folder`` and reused."""
    from bench.bench_store import fill_history
    from bench.common import NOW
    from studydeck.loading import open_deck
    from studydeck.store import Store

    db = folder / f"store-{n_papers}-{n_reviews}.sqlite3"
    notes = folder / (f"notes-{n_papers}.md" if n_papers <= PER_FILE else f"notes-{n_papers}")
    if not notes.exists():
        notes = write_deck(folder, n_papers)
    if not db.exists():
        tmp = db.with_suffix(".part")
        tmp.unlink(missing_ok=True)
        store = Store.open(tmp)
        open_deck(store, [notes], NOW)
        fill_history(store, n_reviews)
        store.close()
        tmp.rename(db)
    return notes, db
