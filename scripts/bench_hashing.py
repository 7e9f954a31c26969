"""Manifest throughput: venue-audit acquire against the plain one-read loop of the same digests.

The limit for an acquisition is reading each file once and computing MD5, SHA-256 and SM3 over
it; the baseline is that loop in plain Python (``hashlib``, OpenSSL's SM3), one process, over
the same files in the same run. The goals: ``acquire --workers 1`` within 0.8x of the loop (so
walking, type detection, archive checks, custody and the manifest rows cost at most a fifth),
and 2 workers >= 1.7x one. ``hashdeep -c md5,sha256`` is timed too when it is installed (it
computes two of the three digests). coreutils ``sha256sum`` is not a useful baseline here: it is
several times slower than hashlib on this CPU.

Rounds alternate the runs and keep each one's best, so that load from elsewhere on the machine
does not land on one side only. Page cache warm. CPU seconds (this process's threads and its
ended children; for acquire, of the ``acquire`` call alone, not of making the case) are printed beside: on a loaded machine they still say what each run costs,
where wall time also says how long it waited for a core.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from venue_audit.acquire import acquire
from venue_audit.acquire.hashing import new_sm3
from venue_audit.case import Case, CaseInfo


def make_tree(root: Path, total_bytes: int, big_share: float = 0.5) -> None:
    """Mixed sizes, as in a real export: a few large files, many small pictures."""
    big = int(total_bytes * big_share)
    if big:
        (root / "big").mkdir(parents=True)
        for i in range(4):
            (root / "big" / f"part{i}.bin").write_bytes(os.urandom(big // 4))
    small_total = total_bytes - big
    (root / "small").mkdir(parents=True)
    size, i = 64 * 1024, 0
    while small_total > 0:
        folder = root / "small" / f"{i // 1000:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{i:05d}.jpg").write_bytes(os.urandom(size))
        small_total -= size
        i += 1


def files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.is_file())


def plain_loop(paths: list[str]) -> float:
    """Read each file once, MD5 + SHA-256 + SM3 over the bytes: the limit per process."""
    start = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        hashlib.md5(data).hexdigest()
        hashlib.sha256(data).hexdigest()
        sm3 = new_sm3()
        sm3.update(data)
        sm3.hexdigest()
    return time.perf_counter() - start


def time_hashdeep(root: Path) -> float | None:
    if shutil.which("hashdeep") is None:
        return None
    start = time.perf_counter()
    subprocess.run(
        ["hashdeep", "-c", "md5,sha256", "-r", "-j", "1", str(root)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def time_acquire(root: Path, workers: int) -> tuple[float, float]:
    """Wall and CPU seconds of ``acquire`` alone (the case it writes into is made before)."""
    with tempfile.TemporaryDirectory() as scratch:
        case = Case.create(Path(scratch) / "case", CaseInfo("BENCH", "bench", ["a", "b"]))
        cpu = _cpu_seconds()
        start = time.perf_counter()
        acquire(case, [root], workers=workers)
        elapsed = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu
        case.close()
    return elapsed, cpu


def _timed(run: Callable[[], float | None]) -> tuple[float, float] | None:
    """Wall and CPU seconds of a baseline run (None when it could not run)."""
    cpu = _cpu_seconds()
    seconds = run()
    return None if seconds is None else (seconds, _cpu_seconds() - cpu)


def _cpu_seconds() -> float:
    """CPU time of this process (every thread) and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(root: Path, rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """Best wall seconds and best CPU seconds of each run over the rounds."""
    paths = files(root)
    for path in paths:  # warm the page cache
        Path(path).read_bytes()
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    runs: dict[str, Callable[[], tuple[float, float] | None]] = {
        "loop": lambda: _timed(lambda: plain_loop(paths)),
        "one": lambda: time_acquire(root, 1),
        "two": lambda: time_acquire(root, 2),
        "hashdeep": lambda: _timed(lambda: time_hashdeep(root)),
    }
    for _ in range(rounds):
        for name, run in runs.items():
            measured = run()
            if measured is not None:
                seconds, used = measured
                best[name] = min(best.get(name, seconds), seconds)
                cpu[name] = min(cpu.get(name, used), used)
    return best, cpu


def report(label: str, count: int, mib: float, measured: tuple[dict, dict]) -> None:
    best, cpu = measured
    loop = best["loop"]
    print(f"\n{label}: {count} files, {mib:.0f} MiB (page cache warm, best of the rounds)")
    print(f"{'run':<44}{'seconds':>9}{'MiB/s':>9}{'vs loop':>9}{'CPU s':>8}{'CPU vs loop':>12}")
    rows = [
        ("plain loop, MD5+SHA-256+SM3, 1 process", "loop"),
        ("hashdeep -c md5,sha256 -j 1", "hashdeep"),
        ("venue-audit acquire --workers 1", "one"),
        ("venue-audit acquire --workers 2", "two"),
    ]
    for text, name in rows:
        if name in best:
            seconds = best[name]
            print(
                f"{text:<44}{seconds:>9.2f}{mib / seconds:>9.0f}{loop / seconds:>8.2f}x"
                f"{cpu[name]:>8.2f}{cpu['loop'] / cpu[name]:>11.2f}x"
            )
    print(
        f"per worker: {loop / best['one']:.2f}x the loop in wall time, "
        f"{cpu['loop'] / cpu['one']:.2f}x in CPU time (goal >= 0.8); "
        f"2 workers vs 1: {best['one'] / best['two']:.2f}x (goal >= 1.7)"
    )


def run(quick: bool) -> None:
    total = (128 if quick else 1024) << 20
    rounds = 2 if quick else 3
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start")
    for label, share in (
        ("mixed: half in 4 large files, half in 64 KiB files", 0.5),
        ("many small files (64 KiB)", 0.0),
    ):
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch) / "tree"
            make_tree(root, total // (1 if share else 2), share)
            paths = files(root)
            mib = sum(os.path.getsize(p) for p in paths) / (1 << 20)
            report(label, len(paths), mib, measure(root, rounds))
    print(f"\nload average {os.getloadavg()[0]:.1f} at end (2 cores; other work shares them)")
