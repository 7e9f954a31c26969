"""Audits of face pictures end to end against the face_recognition CLI on the same folders.

Every run of ours is ``audit`` from a new case to the PDF report (acquire, scan, persons,
assessment, report) in a child process with 2 workers; the baseline is
``face_recognition --cpus 2 known/ folder/`` in the same run. Folders, generated from
``../shared/data/faces`` and ``../shared/data/faces_dev`` into a temporary folder:

A: face crops of 80-250 px (varied framing and JPEG quality).
B: photos of 720p-1080p, 1-3 portraits pasted on a blurred background.
C: 17 mosaics of 1280x800, each with 6 faces whose HOG box is 40-110 px (small faces).

Faces found: on A and B, the share of the CLI's faces (its own detection: 1,600 px cap, HOG
upsampled once) that our audit also found, matched by box overlap; on C, the same against
dlib's HOG upsampled once on the mosaic (what the CLI would find). Engine defaults throughout.
Encoder: dlib-bin's ResNet vs ours on the same aligned chips, one core each.

Run: python scripts/bench.py faces [--quick]
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

REPO = Path(__file__).resolve().parents[1]
FACES = REPO.parent / "shared" / "data" / "faces"
FACES_DEV = REPO.parent / "shared" / "data" / "faces_dev"
MOSAICS = 17
MOSAIC_FACES = 6
CLI = Path(sys.executable).parent / "face_recognition"
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}


def _photos() -> list[Path]:
    return sorted(p for p in FACES.glob("*/*") if p.suffix.lower() in PHOTO_SUFFIXES)


def _face_boxes(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    import dlib

    return [
        (r.left(), r.top(), r.right(), r.bottom()) for r in dlib.get_frontal_face_detector()(rgb, 1)
    ]


def make_crops(folder: Path, count: int, seed: int = 7) -> None:
    """Square crops around each face, 80-250 px, JPEG quality 40-95."""
    rng = random.Random(seed)
    sources = []
    for path in _photos():
        image = Image.open(path).convert("RGB")
        if max(image.size) > 1600:
            image.thumbnail((1600, 1600))
        sources += [(image, box) for box in _face_boxes(np.asarray(image))]
    folder.mkdir(parents=True)
    for i in range(count):
        image, (left, top, right, bottom) = sources[i % len(sources)]
        side = (right - left) * rng.uniform(1.3, 2.0)
        cx = (left + right) / 2 + rng.uniform(-0.08, 0.08) * side
        cy = (top + bottom) / 2 + rng.uniform(-0.08, 0.08) * side
        crop = image.crop((cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2))
        out = rng.randint(80, 250)
        crop = crop.resize((out, out), Image.Resampling.LANCZOS)
        crop.save(folder / f"crop_{i:04d}.jpg", quality=rng.randint(40, 95))


def make_photos(folder: Path, count: int, seed: int = 11) -> None:
    """720p-1080p canvases on a heavily blurred background, 1-3 portraits pasted side by side."""
    rng = random.Random(seed)
    photos = [Image.open(p).convert("RGB") for p in _photos()]
    sizes = [(1280, 720), (1366, 768), (1600, 900), (1920, 1080)]
    folder.mkdir(parents=True)
    for i in range(count):
        width, height = sizes[i % len(sizes)]
        background = rng.choice(photos).resize((width // 8, height // 8))
        canvas = background.filter(ImageFilter.GaussianBlur(6)).resize((width, height))
        n = rng.randint(1, 3)
        slot = width // n
        for k in range(n):
            photo = rng.choice(photos)
            scale = rng.uniform(0.35, 0.95) * height / photo.height
            scale = min(scale, slot / photo.width)
            pasted = photo.resize(
                (max(1, int(photo.width * scale)), max(1, int(photo.height * scale)))
            )
            x = k * slot + rng.randint(0, max(0, slot - pasted.width))
            y = rng.randint(0, height - pasted.height)
            canvas.paste(pasted, (x, y))
        canvas.save(folder / f"photo_{i:04d}.jpg", quality=90)


# ------------------------------------------------------------------ baseline
def run_cli(known: Path, folder: Path) -> tuple[float, float, dict[str, int]]:
    """Wall and CPU seconds of ``face_recognition --cpus 2 known/ folder/`` (its whole process
    tree) and faces per file."""
    from audit_run import TreeMonitor

    start = time.perf_counter()
    child = subprocess.Popen(
        [str(CLI), "--cpus", "2", str(known), str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    monitor = TreeMonitor(child.pid)
    out, err = child.communicate()
    monitor.stop()
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"face_recognition failed ({child.returncode}):\n{err[-2000:]}")
    faces: dict[str, int] = {}
    for line in out.splitlines():
        name, _, who = line.partition(",")
        faces.setdefault(Path(name).name, 0)
        if who.strip() != "no_persons_found":
            faces[Path(name).name] += 1
    return elapsed, monitor.cpu_seconds, faces


def _cli_detection(path: str) -> list[tuple[int, int, int, int]]:
    """The CLI's detection (1600 px cap, HOG upsample 1), boxes mapped to original pixels."""
    import face_recognition
    import PIL.Image

    image = PIL.Image.open(path).convert("RGB")
    factor = 1.0
    if max(image.size) > 1600:
        original = image.size[0]
        image.thumbnail((1600, 1600), PIL.Image.LANCZOS)
        factor = original / image.size[0]
    boxes = face_recognition.face_locations(np.asarray(image), number_of_times_to_upsample=1)
    return [tuple(round(v * factor) for v in box) for box in boxes]  # type: ignore[misc]


# ------------------------------------------------------------------ mosaics
def make_mosaics(folder: Path, seed: int = 17) -> None:
    """Canvases of 1280x800 with MOSAIC_FACES pictures each, scaled so the face box is 40-110 px."""
    rng = random.Random(seed)
    pictures = sorted((FACES_DEV / "images").glob("*.jpg"))
    folder.mkdir(parents=True)
    made = 0
    while made < MOSAICS:
        canvas = Image.new("RGB", (1280, 800), (rng.randint(90, 160),) * 3)
        slots = [(x, y) for y in (0, 400) for x in (0, 427, 854)]
        placed = 0
        for x, y in slots[:MOSAIC_FACES]:
            picture = Image.open(rng.choice(pictures)).convert("RGB")
            boxes = _face_boxes(np.asarray(picture))
            if len(boxes) != 1:
                continue
            left, _, right, _ = boxes[0]
            scale = rng.uniform(40, 110) / (right - left)
            picture = picture.resize(
                (max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
                Image.Resampling.LANCZOS,
            )
            canvas.paste(picture, (x + rng.randint(0, 150), y + rng.randint(0, 120)))
            placed += 1
        if placed == MOSAIC_FACES:
            canvas.save(folder / f"mosaic_{made:02d}.jpg", quality=92)
            made += 1


def _hog_x2(path: str) -> list[tuple[int, int, int, int]]:
    """dlib's HOG upsampled once, boxes as (top, right, bottom, left)."""
    import dlib

    rgb = np.asarray(Image.open(path).convert("RGB"))
    return [
        (r.top(), r.right(), r.bottom(), r.left()) for r in dlib.get_frontal_face_detector()(rgb, 1)
    ]


def _iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    top, right, bottom, left = max(a[0], b[0]), min(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])
    inter = max(0, right - left) * max(0, bottom - top)
    area = (a[1] - a[3]) * (a[2] - a[0]) + (b[1] - b[3]) * (b[2] - b[0]) - inter
    return inter / area if area else 0.0


# ------------------------------------------------------------------ encoder alone
def _encoder_timing(count: int, cache_dir: str) -> dict[str, tuple[float, float]]:
    """faces/s and max |delta| vs dlib of each encoder (ours in batches of 8); one core."""
    import dlib

    from venue_audit.faces.decode import decode_image
    from venue_audit.faces.detection import detect_faces
    from venue_audit.faces.models import (
        dlib_encoder,
        encode_chips,
        landmark_predictor,
        onnx_available,
    )

    chips = []
    for path in _photos():
        rgb = decode_image(path.read_bytes())
        for detection in detect_faces(rgb, 40, crop_fast_path=False):
            shape = landmark_predictor()(rgb, detection.rect)
            chips.append(dlib.get_face_chip(rgb, shape, 150, 0.25))
    chips = (chips * (count // len(chips) + 1))[:count]
    names = ["onnx", "numpy"] if onnx_available() else ["numpy"]
    encoder = dlib_encoder()
    encoder.compute_face_descriptor(chips[0])
    for name in names:
        encode_chips(chips[:8], name, cache_dir)  # warm-up, and the one-off conversion
    # Rounds alternate the encoders and keep each one's best, so that a burst of load
    # from elsewhere on the machine does not land on one side only.
    best: dict[str, float] = {}
    outputs: dict[str, np.ndarray] = {}
    for _ in range(3):
        start = time.perf_counter()
        outputs["dlib"] = np.asarray(
            [np.asarray(encoder.compute_face_descriptor(c)) for c in chips]
        )
        best["dlib"] = max(best.get("dlib", 0.0), count / (time.perf_counter() - start))
        for name in names:
            start = time.perf_counter()
            outputs[name] = np.concatenate(
                [encode_chips(chips[i : i + 8], name, cache_dir) for i in range(0, count, 8)]
            )
            best[name] = max(best.get(name, 0.0), count / (time.perf_counter() - start))
    rates = {"dlib": (best["dlib"], 0.0)}
    for name in names:
        rates[name] = (best[name], float(np.abs(outputs[name] - outputs["dlib"]).max()))
    return rates


def _recall(
    reference: dict[str, list[tuple[int, int, int, int]]],
    ours: dict[str, list[tuple[int, int, int, int]]],
) -> tuple[int, int]:
    """(reference faces that one of ours overlaps with IoU >= 0.3, reference faces)."""
    wanted = [(name, box) for name, boxes in reference.items() for box in boxes]
    hit = sum(any(_iou(box, mine) >= 0.3 for mine in ours.get(n, [])) for n, box in wanted)
    return hit, len(wanted)


def run(quick: bool) -> None:
    from audit_run import faces_by_file, run_audit

    from venue_audit.faces import ENGINE_VERSION
    from venue_audit.faces.models import default_cache_dir
    from venue_audit.faces.parallel import _single_threaded_blas_for_children

    for needed in (FACES, FACES_DEV):
        if not needed.is_dir():
            print(f"{needed} is absent: this suite needs the development faces; skipped")
            return
    if not CLI.exists():
        print(f"face_recognition CLI not found at {CLI}; cannot run the baseline")
        return
    n_crops, n_photos, n_chips = (60, 20, 32) if quick else (300, 100, 64)
    work = Path(tempfile.mkdtemp(prefix="bench-faces-"))
    try:
        known = work / "known"
        known.mkdir()
        shutil.copy(FACES / "obama" / "1.jpg", known / "obama.jpg")
        sets = [
            ("A: face crops 80-250 px", work / "A_crops", ">= 10x", _cli_detection),
            ("B: photos 720p-1080p", work / "B_photos", ">= 5x", _cli_detection),
            (f"C: {MOSAICS} mosaics, 40-110 px", work / "C_mosaics", "", _hog_x2),
        ]
        make_crops(sets[0][1], n_crops)
        make_photos(sets[1][1], n_photos)
        make_mosaics(sets[2][1])
        print(
            f"engine {ENGINE_VERSION}; fixtures in {work}; {os.cpu_count()} cores; "
            f"load average {os.getloadavg()[0]:.1f} at start",
            flush=True,
        )
        # Fixed costs: each side on a folder of one crop (start-up, workers, report).
        single = work / "one_crop"
        single.mkdir()
        shutil.copy(sorted(sets[0][1].iterdir())[0], single)
        _, cli_fixed, _ = run_cli(known, single)
        ours_fixed = run_audit([single], work / "audit-one")["cpu_seconds"]
        rows = []
        with (
            _single_threaded_blas_for_children(),
            ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool,
        ):
            for index, (label, folder, goal, reference_of) in enumerate(sets):
                names = sorted(p.name for p in folder.iterdir())
                cli_s, cli_cpu, cli_faces = run_cli(known, folder)
                audit = run_audit([folder], work / f"audit-{index}")
                ours = faces_by_file(work / f"audit-{index}" / "case")
                reference = dict(
                    zip(
                        names, pool.map(reference_of, [str(folder / n) for n in names]), strict=True
                    )
                )
                hit, wanted = _recall(reference, ours)
                rows.append(
                    (label, len(names), cli_s, cli_cpu, audit, goal, hit, wanted, cli_faces, ours)
                )
            rates = pool.submit(_encoder_timing, n_chips, str(default_cache_dir())).result()

        print()
        print(
            f"{'set':<26}{'items':>6}{'CLI s':>8}{'CLI/s':>8}{'ours s':>8}{'ours/s':>8}"
            f"{'ratio':>8}{'CPU ratio':>10}  {'goal':<7} faces found"
        )
        for label, n, cli_s, cli_cpu, audit, goal, hit, wanted, cli_faces, ours in rows:
            ours_s = audit["seconds"]
            whose = "dlib HOG x2" if label.startswith("C") else "the CLI's"
            print(
                f"{label:<26}{n:>6}{cli_s:>8.1f}{n / cli_s:>8.1f}{ours_s:>8.1f}{n / ours_s:>8.1f}"
                f"{cli_s / ours_s:>7.1f}x{cli_cpu / audit['cpu_seconds']:>9.1f}x  {goal:<7} "
                f"{hit}/{wanted} = {hit / max(1, wanted):.1%} of {whose} (goal >= 99%); faces: "
                f"CLI {sum(cli_faces.values())}, ours {sum(len(v) for v in ours.values())}; "
                f"CPU s: CLI {cli_cpu:.0f}, ours {audit['cpu_seconds']:.0f}; "
                f"our peak RSS {audit['peak_rss'] / 2**20:.0f} MiB"
            )
        print(
            f"\nfixed cost (a folder of one crop): CLI {cli_fixed:.1f} CPU s, ours {ours_fixed:.1f} "
            "CPU s (start-up, workers, persons, report); per item beyond it, CPU ms:"
        )
        for label, n, _, cli_cpu, audit, *_ in rows:
            cli_item = (cli_cpu - cli_fixed) / max(1, n - 1) * 1000
            ours_item = (audit["cpu_seconds"] - ours_fixed) / max(1, n - 1) * 1000
            print(
                f"  {label:<26} CLI {cli_item:7.1f}   ours {ours_item:6.1f}   "
                f"ratio per item {cli_item / max(ours_item, 1e-9):.1f}x (the end-to-end ceiling)"
            )
        print(
            "ours = audit from a new case to the PDF report, 2 workers; "
            "CLI = face_recognition --cpus 2 known/ folder/; ratio = wall time, "
            "CPU ratio = CPU seconds of each process tree (what a loaded machine does not distort)"
        )
        dlib_rate = rates.pop("dlib")[0]
        for name, (rate, delta) in rates.items():
            print(
                f"{'encoder ' + name + ' (1 core)':<26}{n_chips:>6}{'':>8}{dlib_rate:>8.1f}{'':>8}"
                f"{rate:>8.1f}{rate / dlib_rate:>7.1f}x  {'>= 5x':<7} faces/s, dlib-bin vs ours; "
                f"max |delta| {delta:.2e} (goal <= 1e-3)"
            )
        print(f"load average {os.getloadavg()[0]:.1f} at end (2 cores; other work shares them)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    run(quick="--quick" in sys.argv)
