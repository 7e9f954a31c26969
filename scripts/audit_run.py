"""Run ``audit`` end to end in a child process and measure its whole process tree.

Shared by the benchmark suites that time an audit from a new case to the report
(``bench_ningbo``, ``bench_faces``): wall time per stage, CPU time and peak RSS of
the child and every process it starts (fork server, face workers, hashing workers).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class TreeMonitor:
    """Peak summed RSS and total CPU time of a process and all its descendants.

    Sampled every 0.2 s. Pages shared between a fork server and its workers are counted
    once per process, so the peak is an upper bound of the memory the tree needs. CPU
    time is each process's last sample, summed: on a loaded machine it says what the
    work costs where wall time says only how long it waited.
    """

    def __init__(self, pid: int) -> None:
        import psutil

        self._root = psutil.Process(pid)
        self.peak = 0
        self.peak_processes = 0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                processes = [self._root, *self._root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for process in processes:
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += process.memory_info().rss
                    times = process.cpu_times()
                    self._cpu[process.pid] = times.user + times.system
            if total > self.peak:
                self.peak, self.peak_processes = total, len(processes)
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


_AUDIT = """
import json, sys, time
from pathlib import Path
from venue_audit.audit import AuditRequest, audit
from venue_audit.case import CaseInfo
args = json.loads(sys.argv[1])
marks = {}
start = time.perf_counter()
def on_stage(name, index, total):
    marks[name] = time.perf_counter() - start
request = AuditRequest(
    sources=[Path(s) for s in args["sources"]], case_dir=Path(args["case"]),
    case_info=CaseInfo("BENCH", "bench", ["a", "b"]), report_pdf=Path(args["report"]),
    as_of="2024-06-30", workers=args["workers"],
)
result = audit(request, on_stage)
marks["end"] = time.perf_counter() - start
print(json.dumps({"marks": marks, "summary": result.summary}))
"""


def run_audit(sources: list[Path], work: Path, workers: int = 2) -> dict:
    """``audit`` from a new case (``work/case``) to the report, in a measured child process.

    Returns the stage start times (``marks``, seconds from the child's start of the audit),
    summary.json, and the tree's wall seconds, CPU seconds and peak RSS.
    """
    args = {
        "sources": [str(s) for s in sources],
        "case": str(work / "case"),
        "report": str(work / "report.pdf"),
        "workers": workers,
    }
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _AUDIT, json.dumps(args)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    monitor = TreeMonitor(child.pid)
    out, err = child.communicate()
    monitor.stop()
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"audit failed ({child.returncode}):\n{err[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(
        seconds=seconds,
        cpu_seconds=monitor.cpu_seconds,
        peak_rss=monitor.peak,
        peak_processes=monitor.peak_processes,
    )
    return result


def faces_by_file(case_dir: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """Face boxes (top, right, bottom, left) the audit stored, by picture file name."""
    found: dict[str, list[tuple[int, int, int, int]]] = {}
    with sqlite3.connect(f"file:{case_dir / 'case.db'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "select a.locator, f.bbox from artifacts a join faces f on f.artifact_id = a.id"
            " where f.bbox is not null"
        )
        for locator, bbox in rows:
            found.setdefault(Path(locator).name, []).append(tuple(json.loads(bbox)))
    return found
