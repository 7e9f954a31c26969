"""Run a command line and sample the resident memory of its whole process tree.

The face pool's workers are children of the scan, so the peak is the largest
sum over the tree seen at any sample (every 50 ms), not one process's VmHWM.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Measured:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    peak_rss: int
    seconds: float


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_cli(*args: str, timeout: float = 900) -> Measured:
    """``venue-audit ARGS`` in a fresh interpreter; output captured, peak tree RSS sampled."""
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "venue_audit.cli", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watched = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, tree_rss(watched))
            except psutil.Error:
                return
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
        if child.poll() is None:
            child.kill()
    return Measured(args, child.returncode, stdout, stderr, peak, time.monotonic() - started)
