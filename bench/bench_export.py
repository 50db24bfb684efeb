"""`studydeck export` end to end (parse, store, fields, figures, package) beside a raw
genanki script writing the same notes and media, and the export after editing one row.

    python -m bench.bench_export [N] [FIGURE_DIR]

500 rows carry a figure: the real images in ../shared/figures (else generated PNGs),
copied under 500 names, as a notes folder that reuses screenshots would.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import genanki

from bench.generate import write
from studydeck.cli import main as cli
from studydeck.export.anki import FIELDS, note_model

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "figures"


def figure_files(folder: Path, src: Path | None, n: int = 500) -> list[str]:
    folder.mkdir()
    real = sorted(src.glob("*.png")) if src is not None and src.is_dir() else []
    names = []
    for i in range(n):
        if real:
            shutil.copy(real[i % len(real)], folder / f"fig{i}.png")
        else:
            from PIL import Image

            buf = io.BytesIO()
            Image.new("RGB", (200, 120), (i % 256, (i * 7) % 256, (i * 13) % 256)).save(buf, "PNG")
            (folder / f"fig{i}.png").write_bytes(buf.getvalue())
        names.append(f"figs/fig{i}.png")
    return names


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(n: int = 10000, figdir: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        figs = figure_files(root / "figs", Path(figdir) if figdir else SHARED)
        notes = write(root / "notes.md", n, figures=figs)
        db = root / "studydeck.db"

        def export(out: str) -> None:
            code = cli(["export", str(notes), "-o", str(root / out), "--db", str(db)])
            assert code == 0

        first = timed(lambda: export("first.apkg"))  # a store seeing the papers for the first time

        with zipfile.ZipFile(root / "first.apkg") as z:
            z.extract("collection.anki2", root / "x")
        conn = sqlite3.connect(root / "x" / "collection.anki2")
        rows = conn.execute("SELECT flds, tags, guid FROM notes").fetchall()
        conn.close()
        media = [str(root / f) for f in figs]

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

        text = notes.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        row = next(i for i, line in enumerate(lines) if line.startswith("| 20"))
        raw_times, full_times, edit_times = [], [], []
        for k in range(3):  # interleaved, best of three each
            raw_times.append(timed(raw_once))
            db.unlink()
            for extra in ("-wal", "-shm"):
                Path(str(db) + extra).unlink(missing_ok=True)
            full_times.append(timed(lambda: export("full.apkg")))
            edited = lines[row].rstrip().removesuffix("|") + f" edited {k} |\n"
            notes.write_text("".join([*lines[:row], edited, *lines[row + 1 :]]), encoding="utf-8")
            edit_times.append(timed(lambda: export("edit.apkg")))
        raw, full, edit = min(raw_times), min(full_times), min(edit_times)
        assert len(FIELDS) == len(rows[0][0].split("\x1f"))
        print(f"{len(rows)} notes, 500 rows with a figure ({len(set(figs))} files)")
        print(f"raw genanki (same notes + media):             {raw:.3f} s")
        print(f"studydeck export, fresh store (end to end):   {full:.3f} s  {full / raw:.2f}x")
        print(f"studydeck export after editing one row:       {edit:.3f} s  {edit / raw:.2f}x")
        print(f"(first export in this run, cold caches:        {first:.3f} s)")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10000, sys.argv[2] if len(sys.argv) > 2 else None
    )
