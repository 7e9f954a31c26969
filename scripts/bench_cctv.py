"""Recorder-disk carving: the Hikvision NVR disk reader against a plain read of the same image.

Generates two Hikvision NVR/DVR disk images in a temporary folder outside the repository, in
the layout venue_audit/sources/cctv/hikvision_disk.py reads (master sector, HIKBTREE, a page of
48-byte entries): data blocks hold incompressible "video" (random bytes), every other written
block of the sparse image and one in four of the dense one with a 704x576 JPEG snapshot every
2 MiB among the video.

* sparse, 4 GiB (``--quick`` 512 MiB): one block in four written, the rest never written
  (holes of the image file; the reader skips them without reading, a plain read reads zeros);
* dense, 1 GiB (``--quick`` 128 MiB): every block written (one in four with snapshots), so
  nothing can be skipped: every byte is read and searched.

Then, each in a child
process of this one (forked, so both start from the same resident memory):

* the baseline reads the image front to back in 32 MiB chunks through the read-only opener;
* the reader (``HikvisionDiskReader.read``) parses the index and carves every data block,
  yielding each snapshot (the face engine is not run: this measures carving).

Printed: seconds, MiB/s of the image, the ratio to the plain read, and the peak RSS of each
child with its growth over what it started with. The page cache is warmed first and each run
is repeated; the best of the repeats is shown (the machine is shared).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
import struct
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageFilter

from venue_audit.acquire.items import open_evidence
from venue_audit.sources.base import DefaultContext, ImageFound, Item
from venue_audit.sources.cctv.hikvision_disk import HikvisionDiskReader

CHUNK = 32 << 20
VIDEO_AREA = 1 << 20
SNAPSHOT_EVERY = 2 << 20
BTREE, PAGE_LIST, PAGE = 0x4000, 0x4200, 0x4400
MASTER = struct.Struct("<32s24xQ16xQQ8xQ8xQI4xQI4xQI60xI")
ENTRY = struct.Struct("<8s8s2s6xIIQ8x")


def _unix(at: str) -> int:
    return int(datetime.fromisoformat(at).replace(tzinfo=UTC).timestamp())


def snapshots(n: int = 8) -> list[bytes]:
    """Camera snapshots: 704x576 JPEGs (a D1 channel's size) of blurred noise, which compresses
    and decodes like a photograph of a scene (about 60 KB at quality 80)."""
    pictures = []
    for seed in range(n):
        noise = Image.effect_noise((704, 576), 40 + seed).filter(ImageFilter.GaussianBlur(1.5))
        image = Image.merge("RGB", (noise, noise.rotate(90, expand=False), noise.transpose(0)))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        pictures.append(buffer.getvalue())
    return pictures


def write_disk(path: Path, size: int, block_size: int, dense: bool) -> dict[str, int]:
    """The image; returns what was written (blocks by kind, snapshots, bytes).

    Sparse: one block in four written (video, or video with snapshots), the rest holes.
    Dense: every block written, alternately video and video with snapshots.
    """
    blocks = (size - VIDEO_AREA) // block_size
    if dense:
        kinds = ["snapshots" if n % 4 == 1 else "video" for n in range(blocks)]
    else:
        kinds = ["video" if n % 8 == 1 else "snapshots" if n % 8 == 5 else "hole"
                 for n in range(blocks)]
    pictures = snapshots()
    facts = {"blocks": blocks, "video": kinds.count("video"),
             "snapshot_blocks": kinds.count("snapshots"), "snapshots": 0, "written": 0}
    with open(path, "wb") as out:
        out.truncate(size)
        out.seek(528)
        out.write(MASTER.pack(b"HIKVISION@HANGZHOU", size, 0x1000, 0x2000, VIDEO_AREA, block_size,
                              blocks, BTREE, 0x2000, BTREE, 0x2000, _unix("2024-12-01T08:00:00")))
        out.seek(560)
        out.write(b"HIK.2011.03.08")
        out.seek(BTREE + 16)
        out.write(b"HIKBTREE")
        out.seek(BTREE + 60)
        out.write(struct.pack("<IQQQQ", _unix("2024-12-01T08:00:05"), BTREE + 0x1F00, 0,
                              PAGE_LIST, PAGE))
        out.seek(PAGE_LIST + 24)
        out.write(struct.pack("<Q", PAGE))
        out.seek(PAGE + 96)
        for number, kind in enumerate(kinds):
            if kind != "hole":
                start = _unix("2025-03-14T00:00:00") + 3600 * number
                out.write(ENTRY.pack(b"\xff" * 8, b"\x00" * 8, (1 + number % 4).to_bytes(2, "big"),
                                     start, start + 3600, VIDEO_AREA + number * block_size))
        for number, kind in enumerate(kinds):
            if kind == "hole":
                continue
            out.seek(VIDEO_AREA + number * block_size)
            written = 0
            while written < block_size:
                step = min(SNAPSHOT_EVERY, block_size - written)
                picture = pictures[facts["snapshots"] % len(pictures)] if kind == "snapshots" else b""
                if picture and step > len(picture):
                    out.write(picture)
                    facts["snapshots"] += 1
                out.write(os.urandom(step - len(picture) if picture and step > len(picture) else step))
                written += step
            facts["written"] += block_size
    return facts


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def plain_read(path: Path) -> int:
    with open_evidence(path) as stream:
        while stream.read(CHUNK):
            pass
    return 0


def reader_carve(path: Path) -> int:
    size = path.stat().st_size
    item = Item(locator=path.name, name=path.name, type="", size=size,
                read=lambda: b"", open=lambda: open_evidence(path), path=str(path))
    return sum(isinstance(found, ImageFound)
               for found in HikvisionDiskReader().read(item, DefaultContext()))


def _child(work: Callable[[Path], int], path: Path, pipe: object) -> None:
    start_rss = _rss_kib()
    began = time.perf_counter()
    found = work(path)
    elapsed = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    pipe.send((elapsed, found, start_rss, peak))  # type: ignore[attr-defined]


def measure(work: Callable[[Path], int], path: Path) -> tuple[float, int, int, int]:
    """Run ``work`` in a forked child: seconds, its result, RSS at start and peak RSS (KiB)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(work, path, send))
    child.start()
    result = receive.recv()
    child.join()
    return result


def bench_image(size: int, block_size: int, dense: bool, repeats: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-cctv-") as scratch:
        path = Path(scratch) / "nvr.dd"
        began = time.perf_counter()
        facts = write_disk(path, size, block_size, dense)
        made = time.perf_counter() - began
        stored = os.stat(path).st_blocks * 512
        measure(plain_read, path)  # warm the page cache
        runs = {"plain read (32 MiB chunks)": plain_read, "hikvision-disk reader": reader_carve}
        best: dict[str, tuple[float, int, int, int]] = {}
        for _ in range(repeats):
            for label, work in runs.items():
                seconds, found, start, peak = measure(work, path)
                if label in best:
                    peak = max(peak, best[label][3])
                    if seconds > best[label][0]:
                        best[label] = (*best[label][:3], peak)
                        continue
                best[label] = (seconds, found, start, peak)
    mib = size / (1 << 20)
    kind = "dense" if dense else "sparse"
    print(f"\n{kind} image {mib:.0f} MiB ({stored / (1 << 20):.0f} MiB stored), made in {made:.1f} s: "
          f"{facts['blocks']} data blocks of {block_size >> 20} MiB: {facts['video']} video, "
          f"{facts['snapshot_blocks']} video with {facts['snapshots']} JPEG snapshots"
          + ("" if dense else ", the rest never written (holes)"))
    print(f"best of {repeats}, page cache warm; peak RSS of each child, and its growth over its start")
    print(f"{'run':<30}{'seconds':>9}{'MiB/s':>9}{'ratio':>8}{'peak RSS MiB':>14}{'growth':>9}")
    baseline = best["plain read (32 MiB chunks)"][0]
    for label, (seconds, _, start, peak) in best.items():
        print(f"{label:<30}{seconds:>9.2f}{mib / seconds:>9.0f}{baseline / seconds:>8.2f}"
              f"{peak / 1024:>14.0f}{(peak - start) / 1024:>9.0f}")
    print(f"snapshots carved: {best['hikvision-disk reader'][1]} of {facts['snapshots']} written")


def run(quick: bool) -> None:
    repeats = 2 if quick else 3
    bench_image((512 if quick else 4096) << 20, (32 if quick else 256) << 20, False, repeats)
    bench_image((128 if quick else 1024) << 20, (16 if quick else 64) << 20, True, repeats)
