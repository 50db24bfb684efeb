"""`studydeck check` on a big notes file: wall time and peak memory (max RSS) of the process.

python -m bench.bench_big 2 8 50     # sizes in MB

A file above studydeck.parsing.MAX_NOTES_BYTES is refused before it is read; below it,
time and memory should grow in proportion to the size.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import notes_file


def file_of(mb: float, folder: Path) -> Path:
    """A generated notes file of about ``mb`` MB (papers repeated to reach the size)."""
    one = notes_file(2000)
    head, _, rows = one.partition("| :- |")
    header = head + "| :- |" + rows.split("\n", 1)[0] + "\n"
    body = rows.split("\n", 1)[1]
    target = int(mb * 2**20)
    path = folder / f"notes-{mb:g}mb.md"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header)
        written, i = len(header.encode()), 0
        while written < target:
            # Distinct titles, so the run does the work of distinct papers.
            chunk = body.replace("| 20", f"| {i} 20")
            fh.write(chunk)
            written += len(chunk.encode())
            i += 1
    return path


def measure(path: Path) -> tuple[float, float, int, str]:
    """Seconds, peak RSS in MB (of this run alone, from wait4), exit code, last line."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "studydeck", "check", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=os.environ,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    last = (out.strip().splitlines() or [""])[-1][:100]
    return seconds, usage.ru_maxrss / 1024, proc.returncode, last


def main(sizes: list[float]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            path = file_of(mb, Path(tmp))
            real = path.stat().st_size / 2**20
            seconds, peak_mb, code, last = measure(path)
            print(
                f"{real:6.1f} MB file: {seconds:7.2f} s, peak RSS {peak_mb:7.0f} MB "
                f"({peak_mb / real:5.1f}x the file), exit {code}: {last}"
            )
            path.unlink()


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [2, 8, 50])
