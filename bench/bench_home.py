"""Home screen first paint (``studydeck`` with no command) with a long review history,
beside a bare Textual app; the peak memory of both.

    python -m bench.bench_home [--papers 10000] [--reviews 1000000] [--quick]
"""

from __future__ import annotations

from pathlib import Path

from bench.common import (
    DATA,
    HOME_COUNTED,
    HOME_PAINTED,
    arguments,
    bare_app,
    line,
    paired,
    tui_until,
)
from bench.generate import deck_with_history


def main() -> None:
    args = arguments(__doc__, papers=10000, reviews=1_000_000)
    Path(DATA).mkdir(parents=True, exist_ok=True)
    notes, db = deck_with_history(Path(DATA), args.papers, args.reviews)
    ours = tui_until(HOME_PAINTED, str(notes), "--db", str(db))
    bare, home, rss_bare, rss = paired(bare_app(), ours, args.runs)
    print(
        line(
            f"home first paint, {args.papers} papers, {args.reviews} reviews",
            home,
            bare,
            "bare Textual app",
            "<= 0.3 s over bare",
        )
        + f" | +{home - bare:.3f} s | peak RSS {rss} MiB (bare {rss_bare} MiB)"
    )
    # The counts come from a worker after the first paint; how long until they are shown.
    counted = tui_until(HOME_COUNTED, str(notes), "--db", str(db))
    bare, home, rss_bare, rss = paired(bare_app(), counted, args.runs)
    print(
        line(
            f"home counts shown, {args.papers} papers, {args.reviews} reviews",
            home,
            bare,
            "bare Textual app",
            "(informative)",
        )
        + f" | +{home - bare:.3f} s | peak RSS {rss} MiB (bare {rss_bare} MiB)"
    )


if __name__ == "__main__":
    main()
