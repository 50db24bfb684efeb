"""Parse N papers into cards, beside markdown-it-py's bare parse of the same file.

python -m bench.bench_parse [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from markdown_it import MarkdownIt

from bench.generate import write
from studydeck.deck import parse_files
from studydeck.perf import gc_paused


def best_of(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(n: int = 10000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / "notes.md", n)
        text = path.read_text(encoding="utf-8")
        md = MarkdownIt("commonmark").enable("table")
        bare = best_of(lambda: md.parse(text))
        with gc_paused():
            bare_nogc = best_of(lambda: md.parse(text))
        deck = parse_files([path])
        ours = best_of(lambda: parse_files([path]))
        print(
            f"file: {len(text.encode()) / 1e6:.1f} MB, {len(deck.papers)} papers, {len(deck.cards)} cards"
        )
        print(f"markdown-it-py bare parse: {bare:.3f} s")
        print(f"markdown-it-py bare parse, GC paused as studydeck does: {bare_nogc:.3f} s")
        print(f"studydeck parse + cards:   {ours:.3f} s")
        print(
            f"ratio: {ours / bare:.2f}x (target <= 1.3x); against the GC-paused parse: "
            f"{ours / bare_nogc:.2f}x"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
