"""Ningbo scale: a capture store of 305,114 face crops audited end to end on this machine.

The Ningbo case reported 305,114 stored captures. This suite generates a capture-like store
of that many crops from the labelled faces in ``../shared/data/faces_dev`` (CelebA, for
non-commercial research: the pictures are only read here and the store is written to a
temporary folder outside the repository), with what venue cameras vary: crops of 60-150 px,
tight or loose framing, small rotations, grey or colour, JPEG quality 60-75, file names that
carry the capture time, eight cameras over two months. It then runs ``audit`` from a new case
to the PDF report in a child process and prints crops/s, the projection to 305,114, the peak
RSS of the whole process tree, the persons found against the labelled identities, and the
same rate for the ``face_recognition`` CLI on a sample of the same crops.

Run: python scripts/bench.py ningbo [--quick]      (--quick: 1/100 of the crops)
     python scripts/bench_ningbo.py --count N [--store DIR] [--encoder NAME]
         (DIR keeps the store between runs; NAME as audit's --encoder, default auto)
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from audit_run import run_audit

REPO = Path(__file__).resolve().parents[1]
FACES_DEV = REPO.parent / "shared" / "data" / "faces_dev"
CLI = Path(sys.executable).parent / "face_recognition"
NINGBO = 305_114
CAMERAS = 8
FIRST_CAPTURE = datetime(2024, 3, 1, 9, 0, 0)
CAPTURE_DAYS = 60
CLI_SAMPLE = 300


@dataclass(frozen=True)
class Source:
    path: str
    person: str
    box: tuple[int, int, int, int]  # left, top, right, bottom of the labelled (largest) face


def face_sources() -> list[Source]:
    """Every labelled picture whose main face dlib's HOG finds, with that face's box."""
    with open(FACES_DEV / "labels.csv", newline="") as handle:
        labels = [(FACES_DEV / row["file"], row["person"]) for row in csv.DictReader(handle)]
    with ProcessPoolExecutor(2) as pool:
        boxes = list(pool.map(_largest_face, [str(p) for p, _ in labels], chunksize=16))
    return [
        Source(str(path), person, box)
        for (path, person), box in zip(labels, boxes, strict=True)
        if box is not None
    ]


def _largest_face(path: str) -> tuple[int, int, int, int] | None:
    import dlib
    import numpy as np
    from PIL import Image

    global _detector
    if "_detector" not in globals():
        _detector = dlib.get_frontal_face_detector()
    rects = _detector(np.asarray(Image.open(path).convert("RGB")), 1)
    if not rects:
        return None
    r = max(rects, key=lambda r: r.width() * r.height())
    return (r.left(), r.top(), r.right(), r.bottom())


def capture_name(index: int, count: int) -> str:
    """``CH03/2024-03-17/CH03_20240317143015123.jpg``: camera, day and time of capture."""
    camera = index % CAMERAS + 1
    span = CAPTURE_DAYS * 86_400_000
    at = FIRST_CAPTURE + timedelta(milliseconds=index * span // max(1, count))
    stamp = at.strftime("%Y%m%d%H%M%S") + f"{at.microsecond // 1000:03d}"
    return f"CH{camera:02d}/{at:%Y-%m-%d}/CH{camera:02d}_{stamp}.jpg"


def make_crop(source: Source, rng: random.Random) -> bytes:
    from PIL import Image

    image = _image(source.path)
    left, top, right, bottom = source.box
    side = (right - left) * rng.uniform(1.15, 1.9)
    cx = (left + right) / 2 + rng.uniform(-0.08, 0.08) * side
    cy = (top + bottom) / 2 + rng.uniform(-0.08, 0.08) * side
    angle = rng.uniform(-10, 10)
    # Rotate a padded square around the face, not the whole picture (10x less work for the
    # same pixels: a 10-degree turn of the square needs at most 1.17 times its side).
    pad = side * 0.75
    region = image.crop((round(cx - pad), round(cy - pad), round(cx + pad), round(cy + pad)))
    if abs(angle) > 1:
        region = region.rotate(angle, Image.Resampling.BILINEAR)
    mid = region.width / 2
    crop = region.crop(
        (round(mid - side / 2), round(mid - side / 2), round(mid + side / 2), round(mid + side / 2))
    )
    out = rng.randint(60, 150)
    crop = crop.resize((out, out), Image.Resampling.BILINEAR)
    if rng.random() < 0.35:
        crop = crop.convert("L")
    buffer = io.BytesIO()
    crop.save(buffer, "JPEG", quality=rng.randint(60, 75))
    return buffer.getvalue()


_images: dict[str, object] = {}


def _image(path: str):  # type: ignore[no-untyped-def]
    from PIL import Image

    if path not in _images:
        _images[path] = Image.open(path).convert("RGB")
    return _images[path]


def _write_range(root: str, sources: list[Source], start: int, stop: int, count: int) -> list[str]:
    """Crops ``start`` to ``stop``; a crop already there is kept (each crop depends only on
    its index, so an interrupted generation resumes to the same store)."""
    persons = []
    for index in range(start, stop):
        rng = random.Random(index)
        source = sources[rng.randrange(len(sources))]
        persons.append(source.person)
        target = Path(root) / capture_name(index, count)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(make_crop(source, rng))
        partial.replace(target)
    return persons


def make_store(root: Path, count: int, sources: list[Source]) -> dict[str, str]:
    """Write ``count`` crops under ``root``; returns each crop's labelled person by file name."""
    step = 2000
    ranges = [(s, min(count, s + step)) for s in range(0, count, step)]
    truth: dict[str, str] = {}
    with ProcessPoolExecutor(2) as pool:
        futures = [
            pool.submit(_write_range, str(root), sources, start, stop, count)
            for start, stop in ranges
        ]
        for (start, _), future in zip(ranges, futures, strict=True):
            for offset, person in enumerate(future.result()):
                truth[capture_name(start + offset, count)] = person
    return truth


def prepared_store(store: Path, count: int) -> dict[str, str]:
    """The store of ``count`` crops at ``store``, generated unless a finished one is there."""
    marker = store.parent / f"{store.name}.truth.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved["count"] == count:
            return saved["truth"]
        # A finished store took an hour to make: never replaced by one of another size.
        raise SystemExit(
            f"{store} holds a store of {saved['count']:,} crops, not {count:,}: "
            "give that --count or another --store"
        )
    # The labelled faces found once per store, so that a generation stopped midway resumes
    # without searching them again.
    found = store.parent / f"{store.name}.sources.json"
    if found.exists():
        sources = [
            Source(s["path"], s["person"], tuple(s["box"])) for s in json.loads(found.read_text())
        ]
    else:
        sources = face_sources()
        found.write_text(json.dumps([s.__dict__ for s in sources]))
    print(
        f"generating {count:,} crops from {len(sources)} labelled pictures into {store}", flush=True
    )
    start = time.perf_counter()
    truth = make_store(store, count, sources)
    marker.write_text(json.dumps({"count": count, "truth": truth}))
    print(f"generated in {time.perf_counter() - start:.0f} s", flush=True)
    return truth


def run_cli(store: Path, names: list[str], work: Path) -> float:
    """``face_recognition --cpus 2`` over a sample of the same crops; seconds."""
    sample = work / "cli-sample"
    sample.mkdir()
    for i, name in enumerate(names):
        shutil.copy(store / name, sample / f"{i:05d}.jpg")
    known = work / "known"
    known.mkdir()
    shutil.copy(store / names[0], known / "someone.jpg")
    start = time.perf_counter()
    subprocess.run(
        [str(CLI), "--cpus", "2", str(known), str(sample)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def report(
    count: int, truth: dict[str, str], result: dict, cli_seconds: float | None, encoder: str
) -> None:
    marks = result["marks"]
    summary = result["summary"]
    scan_start = marks.get("scan", 0.0)
    stages = ["acquire", "scan", "identify", "assess", "report", "end"]
    present = [s for s in stages if s in marks]
    print(
        f"\n{count:,} crops, encoder {encoder}; load average {os.getloadavg()[0]:.1f} at end "
        "(2 cores, shared)"
    )
    cpu = result.get("cpu_marks", {})
    peaks = result.get("stage_peak_rss", {})
    print(
        f"{'stage':<10}{'minutes':>9}{'crops/s':>10}{'CPU s':>9}{'CPU ms/crop':>13}"
        f"{'peak RSS MiB':>14}"
    )
    for name, following in itertools.pairwise(present):
        seconds = marks[following] - marks[name]
        used = cpu.get(following, 0.0) - cpu.get(name, 0.0)
        peak = peaks.get(name, 0) / 2**20
        print(
            f"{name:<10}{seconds / 60:>9.2f}{count / seconds if seconds else 0:>10.0f}"
            f"{used:>9.0f}{used / count * 1000:>13.2f}{peak:>14,.0f}"
        )
    total = result["seconds"]
    rate = count / total
    print(
        f"{'audit':<10}{total / 60:>9.2f}{rate:>10.1f}   end to end, new case to report included "
        f"(scan alone {count / max(1e-9, marks.get('identify', total) - scan_start):.0f}/s)"
    )
    print(
        f"projection to {NINGBO:,} crops: {NINGBO / rate / 60:.1f} min "
        f"(goal <= 30 min, >= 170 crops/s)"
    )
    cpu_ms = result["cpu_seconds"] / count * 1000
    print(
        f"CPU time of the process tree: {result['cpu_seconds']:.0f} s = {cpu_ms:.1f} ms per crop "
        f"(cores busy on average: {result['cpu_seconds'] / total:.2f}; at 2 cores fully used: "
        f"{2000 / cpu_ms:.0f} crops/s)"
    )
    print(
        f"peak RSS of the process tree: {result['peak_rss'] / 2**20:,.0f} MiB over "
        f"{result['peak_processes']} processes (goal <= 2048 MiB; shared pages counted per process)"
    )
    faces = summary["faces"]
    print(
        f"records {faces['records']:,} of {count:,} crops; faces in images "
        f"{faces['faces_in_images']:,}; skipped {summary.get('skipped', 0)}; distinct persons "
        f"{summary['persons']['distinct']:,} (labelled identities: {len(set(truth.values()))})"
    )
    persons = summary["persons"]
    if "estimate" in persons:
        low, high = persons.get("interval") or (persons["distinct"], persons["distinct"])
        print(
            f"persons: groups {persons['distinct']:,}, estimate {persons['estimate']:,}, "
            f"interval {low:,}-{high:,}, at least {persons.get('lower_bound', low):,}"
        )
    if cli_seconds is not None:
        cli_rate = CLI_SAMPLE / cli_seconds
        print(
            f"face_recognition --cpus 2 on {CLI_SAMPLE} of the crops: {cli_rate:.1f} crops/s "
            f"(projection {NINGBO / cli_rate / 3600:.1f} h); venue-audit end to end: "
            f"{rate / cli_rate:.1f}x"
        )


def run(
    quick: bool, count: int | None = None, store: Path | None = None, encoder: str = "auto"
) -> None:
    if not FACES_DEV.is_dir():
        print(f"{FACES_DEV} is absent: this suite needs the labelled development faces; skipped")
        return
    count = count or (NINGBO // 100 if quick else NINGBO)
    work = Path(tempfile.mkdtemp(prefix="bench-ningbo-"))
    try:
        store = store or work / "store"
        truth = prepared_store(store, count)
        # A full run takes an hour or more on a shared machine: say where it is every minute.
        result = run_audit([store], work, progress_every=0.0 if quick else 60.0, encoder=encoder)
        cli_seconds = None
        if CLI.exists():
            names = random.Random(5).sample(sorted(truth), min(CLI_SAMPLE, len(truth)))
            cli_seconds = run_cli(store, names, work)
        else:
            print(f"face_recognition CLI not found at {CLI}; no baseline")
        report(count, truth, result, cli_seconds, encoder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=NINGBO)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--store", type=Path, help="keep the generated store here between runs")
    parser.add_argument("--encoder", default="auto", help="the face encoder, as audit's --encoder")
    args = parser.parse_args()
    run(args.quick, None if args.quick else args.count, args.store, args.encoder)
