"""`make bench`: run every benchmark module in tests/bench, each in a process of its own.

A benchmark module is any public module here (`broker`, ...). Run as
`python -m tests.bench.<name>`, it prints its table on stdout and writes its JSON
into bench-results/. Exits 1 if any of them failed to run; a missed goal is
reported in the table, not as a failure.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def benchmark_modules() -> list[str]:
    """Names of the benchmark modules, in a stable order (private `_modules` are helpers)."""
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if not m.name.startswith("_"))


def main() -> int:
    failed = []
    for name in benchmark_modules():
        print(f"== {name}", flush=True)
        command = [sys.executable, "-m", f"tests.bench.{name}"]
        if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
