"""Benchmarks: each prints a table of ratios against a baseline run in the same process tree.

Usage: python scripts/bench.py [SUITE ...]   (default: every suite)

A suite is a module ``scripts/bench_<name>.py`` with ``run(quick: bool) -> None``. Timings are never
asserted by tests; they are measured here and copied into the README.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def suites() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "suites", nargs="*", help=f"which suites to run (of: {', '.join(suites())})"
    )
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    for name in args.suites or suites():
        if name not in suites():
            parser.error(f"no suite {name!r}; have {', '.join(suites())}")
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"bench_{name}").run(quick=args.quick)


if __name__ == "__main__":
    main()
