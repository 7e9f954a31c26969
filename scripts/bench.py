"""Benchmarks: each prints a table of ratios against a baseline run in the same process tree.

Usage: python scripts/bench.py [SUITE ...] [--quick] [suite options]   (default: every suite)

A suite is a module ``scripts/bench_<name>.py`` with ``run(quick: bool) -> None``; a suite whose
``run`` also takes ``argv`` gets the options this script does not know (e.g. ``recovery_corpus
--corpus PATH``). Timings are never asserted by tests; they are measured here and copied into the
README.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
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
    args, extra = parser.parse_known_args()
    sys.path.insert(0, str(HERE))
    names = [n.replace("-", "_") for n in args.suites] or suites()
    for name in names:
        if name not in suites():
            parser.error(f"no suite {name!r}; have {', '.join(suites())}")
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        run = importlib.import_module(f"bench_{name}").run
        if "argv" in inspect.signature(run).parameters:
            run(quick=args.quick, argv=extra)
        elif extra:
            parser.error(f"suite {name} takes no options ({' '.join(extra)})")
        else:
            run(quick=args.quick)


if __name__ == "__main__":
    main()
