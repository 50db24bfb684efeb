"""Edit -> review: process start to the first card after one row of the notes changed
(cache miss), beside the warm start of the same deck and a bare Textual app.

    python -m bench.bench_edit [--papers 10000] [--runs 3] [--quick]

Each run edits a different row, so every run is a cache miss with one changed row.
Besides wall time it prints each child's CPU time (user + system, whole process): on a
shared machine the wall time of a run swings with the other load, its CPU time much less.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
from pathlib import Path

from bench.common import DATA, FIRST_CARD, arguments, bare_app, child_run, line, tui_until
from bench.generate import first_file, write_deck


def cpu_run(argv: list[str]) -> tuple[float, int, float]:
    """:func:`child_run`, and the child's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t, rss = child_run(argv)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return t, rss, cpu


def main() -> None:
    args = arguments(__doc__, papers=10000)
    Path(DATA).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        notes = write_deck(Path(tmp), args.papers)
        edit = first_file(notes)
        db = Path(tmp) / "s.db"
        ours = tui_until(FIRST_CARD, "review", str(notes), "--db", str(db))
        child_run(ours), child_run(bare_app())  # first parse; warm bytecode
        bare, warm, edited, rss_warm, rss_edit = [], [], [], 0, 0
        cpu_warm, cpu_edit = [], []
        for i in range(args.runs):
            bare.append(child_run(bare_app())[0])
            t, r, c = cpu_run(ours)
            warm.append(t)
            cpu_warm.append(c)
            rss_warm = max(rss_warm, r)
            text = edit.read_text(encoding="utf-8")
            edit.write_text(
                text.replace(f" {17 + i * 101} |", f" {17 + i * 101} edited |", 1), encoding="utf-8"
            )
            t, r, c = cpu_run(ours)
            edited.append(t)
            cpu_edit.append(c)
            rss_edit = max(rss_edit, r)
        b, w, e = (statistics.median(x) for x in (bare, warm, edited))
        target = "<= warm + 0.3 s at 10k, + 1 s at 50k"
        print(
            line(
                f"first card after a one-row edit, {args.papers} papers", e, w, "warm start", target
            )
            + f" | +{e - w:.3f} s"
        )
        print(
            line("warm start", w, b, "bare Textual app", "<= bare + 0.25 s") + f" | +{w - b:.3f} s"
        )
        cw, ce = statistics.median(cpu_warm), statistics.median(cpu_edit)
        print(f"CPU (whole process): after an edit {ce:.3f} s, warm {cw:.3f} s | +{ce - cw:.3f} s")
        print(f"peak RSS: warm {rss_warm} MiB, after an edit {rss_edit} MiB (target <= 200 MiB)")


if __name__ == "__main__":
    main()
