"""Manifest throughput: venue-audit acquire (MD5 + SHA-256 + SM3, one read) against sha256sum.

The baseline is coreutils ``sha256sum`` over the same files in the same run, one process, which
is what an examiner would otherwise use; the issue's goals are >= 0.8x its per-core throughput
and >= 1.6x our single-worker throughput with two workers on many files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo


def make_tree(root: Path, total_bytes: int) -> None:
    """Mixed sizes, as in a real export: a few large files, many small pictures."""
    rng = os.urandom
    big = total_bytes // 2
    (root / "big").mkdir(parents=True)
    for i in range(4):
        (root / "big" / f"part{i}.bin").write_bytes(rng(big // 4))
    small_total = total_bytes - big
    (root / "small").mkdir()
    size, i = 64 * 1024, 0
    while small_total > 0:
        (root / "small" / f"{i:05d}.jpg").write_bytes(rng(size))
        small_total -= size
        i += 1


def files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.is_file())


def time_sha256sum(paths: list[str]) -> float:
    start = time.perf_counter()
    for i in range(0, len(paths), 500):
        subprocess.run(["sha256sum", *paths[i : i + 500]], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def time_acquire(root: Path, workers: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        case = Case.create(Path(scratch) / "case", CaseInfo("BENCH", "bench", ["a", "b"]))
        start = time.perf_counter()
        acquire(case, [root], workers=workers)
        elapsed = time.perf_counter() - start
        case.close()
    return elapsed


def run(quick: bool) -> None:
    total = (128 if quick else 1024) << 20
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "tree"
        make_tree(root, total)
        paths = files(root)
        subprocess.run(["cat", *paths[:50]], stdout=subprocess.DEVNULL)  # warm the page cache
        for path in paths:
            Path(path).read_bytes()
        mb = total / (1 << 20)
        baseline = time_sha256sum(paths)
        one = time_acquire(root, 1)
        two = time_acquire(root, 2)
    print(f"{len(paths)} files, {mb:.0f} MiB (page cache warm); digests: ours MD5+SHA-256+SM3, baseline SHA-256 only")
    print(f"{'run':<34}{'seconds':>9}{'MiB/s':>9}{'ratio':>8}")
    print(f"{'sha256sum (1 process)':<34}{baseline:>9.2f}{mb / baseline:>9.0f}{1.0:>8.2f}")
    print(f"{'venue-audit acquire --workers 1':<34}{one:>9.2f}{mb / one:>9.0f}{baseline / one:>8.2f}")
    print(f"{'venue-audit acquire --workers 2':<34}{two:>9.2f}{mb / two:>9.0f}{baseline / two:>8.2f}")
    print(f"2 workers vs 1: {one / two:.2f}x")
    if shutil.which("sha256sum") is None:
        print("sha256sum not found")
