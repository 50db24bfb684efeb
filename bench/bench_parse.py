"""Full parse of N papers into cards, and the incremental parse after a one-row edit, beside
markdown-it's block-level parse of the same text (the raw baseline: studydeck ran it on the
whole file; it now splits table rows itself and runs markdown-it on headers and prose only).

    python -m bench.bench_parse [--papers 10000] [--quick]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import arguments, best_of, line
from bench.generate import write
from studydeck.deck import parse_files
from studydeck.parsing import block_md
from studydeck.perf import gc_paused


def main() -> None:
    args = arguments(__doc__, papers=10000)
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / "notes.md", args.papers)
        text = path.read_text(encoding="utf-8")
        with gc_paused():
            bare = best_of(lambda: block_md().parse(text))
        deck = parse_files([path])
        ours = best_of(lambda: parse_files([path]))
        print(
            f"parse: {args.papers} papers, {len(deck.cards)} cards, {len(text) / 1e6:.1f} M chars"
        )
        print(line("full parse + cards", ours, bare, "block-level markdown-it", "<= 1.5x"))
        print(
            line(
                "  the same with the classifier stubbed",
                _stubbed(path),
                ours,
                "with it",
                ">= 0.91x",
            )
        )
        try:
            from studydeck.incremental import BlockCache, parse_incremental
        except ImportError:
            return
        cache = BlockCache()
        parse_incremental(text, str(path), cache)
        edited = text.replace(" 17 |", " 17 edited |", 1)

        def once() -> None:
            c = BlockCache(dict(cache.blocks))
            parse_incremental(edited, str(path), c)

        inc = best_of(once)
        print(
            line(
                "incremental parse after a one-row edit",
                inc,
                bare,
                "block-level markdown-it",
                "well under 1x",
            )
        )


def _stubbed(path: Path) -> float:
    """The full parse with a classifier that decides nothing: what the classifier costs
    (issue 13: at most 10 % of the parse) is ``1 - this ratio``."""
    import studydeck.carding as carding
    from studydeck.critique import Verdict

    real = carding.classify
    carding.classify = lambda text: Verdict(False, "stub")  # type: ignore[assignment]
    try:
        return best_of(lambda: parse_files([path]))
    finally:
        carding.classify = real


if __name__ == "__main__":
    main()
