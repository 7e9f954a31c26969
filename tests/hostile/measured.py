"""Run a command line and measure the resident memory it used, two ways.

The face pool's workers are children of the scan, so one number is the largest
sum over the whole process tree seen at any sample (every 50 ms). A sample can
miss a short spike, so the command also runs under a small parent that waits
for it and reports ``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the kernel's
high-water mark of the largest single process among the command and every
descendant it waited for. ``peak_rss`` is the larger of the two.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]

# The parent: runs the command, waits for it, writes the children's peak RSS (KiB on Linux).
PARENT = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


@dataclass
class Measured:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    peak_rss: int  # bytes: the larger of the sampled tree sum and the kernel's per-process peak
    seconds: float
    sampled_tree_rss: int = 0
    kernel_max_rss: int = 0


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def _kill_tree(process: psutil.Process) -> None:
    for member in [*process.children(recursive=True), process]:
        try:
            member.kill()
        except psutil.Error:
            continue


def run_cli(*args: str, timeout: float = 900) -> Measured:
    """``venue-audit ARGS`` in a fresh interpreter; output captured, memory measured.

    On ``timeout`` the whole tree is killed and ``subprocess.TimeoutExpired`` raised.
    """
    handle, report = tempfile.mkstemp(prefix="venue-audit-rss-")
    os.close(handle)
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", PARENT, report, sys.executable, "-m", "venue_audit.cli", *args],
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
        kernel = int(Path(report).read_text() or 0) * 1024
    finally:
        done.set()
        sampler.join()
        if child.poll() is None:
            _kill_tree(watched)
            child.wait()
        os.unlink(report)
    seconds = time.monotonic() - started
    return Measured(
        args, child.returncode, stdout, stderr, max(peak, kernel), seconds, peak, kernel
    )
