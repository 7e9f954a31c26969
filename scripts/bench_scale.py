"""Scan throughput and memory: 1 and 2 local workers and a 2-worker Dask LocalCluster on the same
pictures, the per-task overhead, and peak RSS of a scan over a large tree of tiny files.

Baseline for the ratios is the 1-worker local scan of the same folder in the same run (the
face_recognition CLI baseline is in the `faces` suite). Each scan runs in its own subprocess so
its peak RSS is its own.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SERVER_DB = ROOT / "sample_data" / "export" / "server" / "face_capture.db"

_SCAN = """
import json, sys, time
from pathlib import Path
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.scan import ScanOptions, count_faces, scan
root, case_dir, workers, dask = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
case = Case.create(case_dir, CaseInfo("BENCH", "bench", ["a", "b"]))
acquire(case, [root], workers=2)
start = time.perf_counter()
cluster = None
if dask == "local":
    from distributed import LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    options = ScanOptions(dask_scheduler=cluster.scheduler_address, dask_batch=200)
else:
    options = ScanOptions(workers=workers)
scan(case, options)
seconds = time.perf_counter() - start
if cluster is not None:
    cluster.close()
print(json.dumps({"seconds": seconds, "records": count_faces(case).records,
                  "rss_mib": next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024}))
"""


def crops() -> list[bytes]:
    import sqlite3

    with sqlite3.connect(f"file:{SERVER_DB}?mode=ro&immutable=1", uri=True) as db:
        return [row[0] for row in db.execute("select face_img from t_face_capture")]


def picture_folder(target: Path, count: int) -> None:
    """``count`` distinct face pictures: the sample crops, resized and recompressed."""
    target.mkdir(parents=True)
    rng = np.random.default_rng(1)
    sources = [Image.open(io.BytesIO(c)).convert("RGB") for c in crops()]
    for i in range(count):
        image = sources[i % len(sources)]
        side = int(rng.integers(140, 260))
        variant = image.resize((side, int(side * image.height / image.width)))
        variant.save(
            target / f"CH01_{20240301000000 + i}.jpg", "JPEG", quality=int(rng.integers(70, 95))
        )


def tiny_tree(target: Path, count: int) -> None:
    """Many tiny pictures without faces, in folders of 1,000, as an NVR export of thumbnails."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (40, 80, 120)).save(buffer, "PNG")
    blank = buffer.getvalue()
    for i in range(count):
        folder = target / f"{i // 1000:04d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True)
        (folder / f"{i:07d}.png").write_bytes(blank[:-12] + i.to_bytes(4, "big") + blank[-8:])


def run_scan(root: Path, workers: int, dask: str = "") -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                _SCAN,
                str(root),
                str(Path(scratch) / "case"),
                str(workers),
                dask or "-",
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(quick: bool) -> None:
    pictures = 200 if quick else 2000
    tiny = 5_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "pictures"
        picture_folder(folder, pictures)
        one = run_scan(folder, 1)
        two = run_scan(folder, 2)
        dask = run_scan(folder, 0, "local")
        print(f"{pictures} face pictures (140-260 px crops)")
        print(
            f"{'run':<30}{'seconds':>9}{'pictures/s':>12}{'ratio':>8}{'records':>9}{'peak RSS MiB':>14}"
        )
        for name, result in (
            ("local, 1 worker", one),
            ("local, 2 workers", two),
            ("Dask LocalCluster, 2 workers", dask),
        ):
            print(
                f"{name:<30}{result['seconds']:>9.1f}{pictures / result['seconds']:>12.1f}"
                f"{one['seconds'] / result['seconds']:>8.2f}{result['records']:>9}{result['rss_mib']:>14.0f}"
            )
        overhead = (dask["seconds"] - two["seconds"]) / max(1, pictures / 200)
        print(f"Dask overhead per task of 200 pictures vs the local pool: {overhead:+.2f} s")
        tree = Path(scratch) / "tiny"
        tiny_tree(tree, tiny)
        big = run_scan(tree, 2)
        print(
            f"{tiny} tiny files without faces, 2 workers: {big['seconds']:.0f} s "
            f"({tiny / big['seconds']:.0f} files/s), peak RSS {big['rss_mib']:.0f} MiB, records {big['records']}"
        )
