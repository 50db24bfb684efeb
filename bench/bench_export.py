"""Export N papers with 500 local figures, beside raw genanki writing the same notes and media.

    python -m bench.bench_export [N] [FIGURE_DIR]

FIGURE_DIR defaults to ../shared/figures when it exists, else generated PNGs.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

import genanki

from bench.generate import write
from studydeck.deck import parse_files
from studydeck.export.anki import FIELDS, export_deck, note_model
from studydeck.figures import FigureFetcher

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "figures"


def figure_files(folder: Path, src: Path | None) -> list[str]:
    folder.mkdir()
    if src is not None and src.is_dir() and any(src.glob("*.png")):
        names = []
        for i, f in enumerate(sorted(src.glob("*.png"))):
            shutil.copy(f, folder / f.name)
            names.append(f"figs/{f.name}")
            if i >= 499:
                break
        return names
    from PIL import Image

    names = []
    for i in range(500):
        buf = io.BytesIO()
        Image.new("RGB", (200, 120), (i % 256, (i * 7) % 256, (i * 13) % 256)).save(buf, "PNG")
        (folder / f"g{i}.png").write_bytes(buf.getvalue())
        names.append(f"figs/g{i}.png")
    return names


def main(n: int = 10000, figdir: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        figs = figure_files(root / "figs", Path(figdir) if figdir else SHARED)
        # 500 rows carry a figure (cycling through the available images).
        notes = write(root / "notes.md", n, figures=figs)
        deck = parse_files([notes])
        n_fig_rows = sum(1 for p in deck.papers if p.figures)

        def ours_once() -> object:
            return export_deck(
                deck, root / "ours.apkg", fetcher=FigureFetcher(None), now=1_700_000_000
            )

        report = ours_once()

        # Raw genanki: the same notes (fields as studydeck made them) and the same media files.
        import sqlite3
        import zipfile

        with zipfile.ZipFile(root / "ours.apkg") as z:
            z.extract("collection.anki2", root / "x")
        conn = sqlite3.connect(root / "x" / "collection.anki2")
        rows = conn.execute("SELECT flds, tags, guid FROM notes").fetchall()
        conn.close()
        media = sorted({str(root / f) for f in figs})

        def raw_once() -> None:
            model = note_model()
            d = genanki.Deck(1234567890, "raw")
            for flds, tags, guid in rows:
                d.add_note(
                    genanki.Note(
                        model=model, fields=flds.split("\x1f"), tags=tags.split(), guid=guid
                    )
                )
            genanki.Package(d, media_files=media).write_to_file(
                str(root / "raw.apkg"), timestamp=1_700_000_000
            )

        raw_times, our_times = [], []
        for _ in range(3):  # interleaved, best of three each
            t = time.perf_counter()
            raw_once()
            raw_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            ours_once()
            our_times.append(time.perf_counter() - t)
        raw, ours = min(raw_times), min(our_times)
        assert len(rows) == report.notes and len(FIELDS) == len(rows[0][0].split("\x1f"))
        print(
            f"{report.notes} notes, {report.cards} cards, {n_fig_rows} rows with a figure, "
            f"{report.figures} distinct figures embedded"
        )
        print(f"raw genanki (same notes + media): {raw:.3f} s")
        print(f"studydeck export (render fields, read+verify+hash figures, write): {ours:.3f} s")
        print(f"ratio: {ours / raw:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10000, sys.argv[2] if len(sys.argv) > 2 else None
    )
