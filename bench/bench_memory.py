"""TUI memory at 50k papers: peak RSS of the review TUI to its first card, warm and after a
one-row edit, beside a bare Textual app.

    python -m bench.bench_memory [--papers 50000] [--quick]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import DATA, FIRST_CARD, arguments, bare_app, child_run, tui_until
from bench.generate import first_file, write_deck


def main() -> None:
    args = arguments(__doc__, papers=50000)
    Path(DATA).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        notes = write_deck(Path(tmp), args.papers)
        edit = first_file(notes)
        db = Path(tmp) / "s.db"
        ours = tui_until(FIRST_CARD, "review", str(notes), "--db", str(db))
        _, first = child_run(ours)
        _, warm = child_run(ours)
        edit.write_text(edit.read_text("utf-8").replace(" 17 |", " 17 edited |", 1), "utf-8")
        _, edited = child_run(ours)
        _, bare = child_run(bare_app())
        print(
            f"TUI peak RSS, {args.papers} papers: first parse {first} MiB, warm {warm} MiB "
            f"({warm / bare:.2f}x bare), after a one-row edit {edited} MiB "
            f"({edited / bare:.2f}x bare) | bare Textual app {bare} MiB | target <= 200 MiB"
        )


if __name__ == "__main__":
    main()
