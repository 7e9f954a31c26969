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
        self.stage = ""  # set by the caller as the audit announces its stages
        self.stage_peaks: dict[str, int] = {}
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
            if total > self.stage_peaks.get(self.stage, 0):
                self.stage_peaks[self.stage] = total
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


_AUDIT = """
import json, sys, time
from pathlib import Path
from venue_audit.audit import AuditRequest, audit
from venue_audit.case import CaseInfo
from venue_audit.faces import EngineConfig
args = json.loads(sys.argv[1])
marks = {}
start = time.perf_counter()
last = [0.0]
def say(**line):
    print(json.dumps(line), file=sys.stderr, flush=True)
def on_stage(name, index, total):
    marks[name] = time.perf_counter() - start
    say(stage=name, at=marks[name])
def progress(done, total):
    now = time.perf_counter() - start
    if now - last[0] >= args["every"] or done == total:
        last[0] = now
        say(done=done, total=total, at=now)
request = AuditRequest(
    sources=[Path(s) for s in args["sources"]], case_dir=Path(args["case"]),
    case_info=CaseInfo("BENCH", "bench", ["a", "b"]), report_pdf=Path(args["report"]),
    as_of="2024-06-30", workers=args["workers"], engine=EngineConfig(encoder=args["encoder"]),
)
result = audit(request, on_stage, progress=progress)
marks["end"] = time.perf_counter() - start
say(stage="end", at=marks["end"])
print(json.dumps({"marks": marks, "summary": result.summary}))
"""


def run_audit(
    sources: list[Path],
    work: Path,
    workers: int = 2,
    progress_every: float = 0.0,
    encoder: str = "auto",
) -> dict:
    """``audit`` from a new case (``work/case``) to the report, in a measured child process.

    Returns the stage start times (``marks``, seconds from the child's start of the audit),
    the process tree's CPU seconds at each mark (``cpu_marks``), summary.json, and the
    tree's wall seconds, CPU seconds and peak RSS, overall and per stage (``stage_peak_rss``;
    the stage "" is the child's start-up before the first stage). ``progress_every`` > 0 prints each stage
    and the items scanned every that many seconds, for runs that take an hour. ``encoder`` is
    the face encoder (``--encoder``: auto, onnx, onnx-int8, …).
    """
    args = {
        "sources": [str(s) for s in sources],
        "case": str(work / "case"),
        "report": str(work / "report.pdf"),
        "workers": workers,
        "every": progress_every or 1e9,
        "encoder": encoder,
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
    cpu_marks: dict[str, float] = {}
    errors: list[str] = []

    def follow() -> None:
        assert child.stderr is not None
        for text in child.stderr:
            try:
                line = json.loads(text)
            except json.JSONDecodeError:
                errors.append(text)
                continue
            if "stage" in line:
                cpu_marks[line["stage"]] = monitor.cpu_seconds
                monitor.stage = line["stage"]
            if progress_every:
                _print_progress(line, monitor, max(cpu_marks, key=cpu_marks.get, default=""))

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    assert child.stdout is not None
    out = child.stdout.read()
    child.wait()
    reader.join()
    monitor.stop()
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"audit failed ({child.returncode}):\n{''.join(errors)[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(
        seconds=seconds,
        cpu_seconds=monitor.cpu_seconds,
        cpu_marks=cpu_marks,
        peak_rss=monitor.peak,
        peak_processes=monitor.peak_processes,
        stage_peak_rss=monitor.stage_peaks,
    )
    return result


def _print_progress(line: dict, monitor: TreeMonitor, stage: str) -> None:
    import os

    at = f"{line['at'] / 60:6.1f} min"
    tree = (
        f"CPU {monitor.cpu_seconds:7.0f} s, RSS peak {monitor.peak / 2**20:5.0f} MiB, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    if "stage" in line:
        print(f"{at}  stage {line['stage']:<9} {tree}", flush=True)
    else:
        unit = "bytes" if stage == "acquire" else "items"
        print(f"{at}  {line['done']:>9,} of {line['total']:,} {unit}  {tree}", flush=True)


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
