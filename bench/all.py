"""Every benchmark, one after another: ``python3 -m bench.all [--quick]``.

Arguments after the command (``--quick``, ``--runs N``) go to every benchmark, but those
that take their sizes as plain arguments (:data:`SIZES`): they get their full or quick sizes.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHES = [
    "bench_parse",
    "bench_edit",
    "bench_tui",
    "bench_quiz",
    "bench_browse",
    "bench_stats",
    "bench_home",
    "bench_memory",
    "bench_export",
    "bench_store",
    "bench_sync",
]
#: Benchmarks that take their sizes as plain arguments: (full, --quick).
SIZES = {
    "bench_export": ([], ["2000"]),
    "bench_store": ([], ["2000", "20000"]),
    "bench_sync": ([], ["3000", "10000"]),
}


def main() -> int:
    failed = 0
    for name in BENCHES:
        t = time.perf_counter()
        print(f"== {name}", flush=True)
        extra = sys.argv[1:]
        if name in SIZES:
            extra = SIZES[name]["--quick" in extra]
        code = subprocess.call([sys.executable, "-m", f"bench.{name}", *extra])
        failed += code != 0
        print(f"   ({time.perf_counter() - t:.0f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
