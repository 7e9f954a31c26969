"""Reading a recorder's raw disk image: bytes at an offset, and the JPEGs in a region.

Recorder disks are large (terabytes) and hold pictures among video, so a
region is carved in overlapping windows: a picture cut by one window's edge
is read whole by the next, and none is reported twice. Memory stays at one
window whatever the disk's size.

Most of a recorder disk is often never written: a sparse image's holes are
skipped without being read (``SEEK_DATA``), and a window of zeros in a
non-sparse image is not searched. No picture can start in zeros, so neither
changes what is found; ``scripts/bench_cctv.py`` measures the speed against a
plain read of the same image.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

from venue_audit.recovery import CarvedItem, carve
from venue_audit.sources.base import ImageFound, Item, Problem, Yield

WINDOW = 32 << 20
OVERLAP = 4 << 20
_ZEROS = bytes(WINDOW)
MAX_OFFSET = 1 << 56  # 64 PiB: beyond any recorder disk
MAX_READ = 256 << 20  # one read of layout data (a log, a descriptor table) at most


def read_at(stream: BinaryIO, offset: int, size: int) -> bytes:
    """``size`` bytes at ``offset``; nothing for an offset or size no disk has (a damaged field)."""
    if not 0 <= offset < MAX_OFFSET or size <= 0:
        return b""
    stream.seek(offset)
    return stream.read(min(size, MAX_READ))


def next_data(stream: BinaryIO, offset: int, end: int) -> int:
    """The first offset at or after ``offset`` (before ``end``) that is not in a hole of a sparse file.

    Streams that are no file, and file systems without ``SEEK_DATA``, are read whole.
    """
    try:
        fileno = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return offset
    try:
        return min(os.lseek(fileno, offset, os.SEEK_DATA), end)
    except OSError as error:
        return end if error.errno == errno.ENXIO else offset  # ENXIO: only a hole follows


def carve_jpegs(stream: BinaryIO, start: int, size: int) -> Iterator[tuple[int, CarvedItem]]:
    """``(absolute offset, picture)`` of each complete JPEG in ``size`` bytes from ``start``.

    Each window owns the pictures starting in its first ``WINDOW`` bytes and reads
    ``OVERLAP`` bytes more, so a picture crossing its edge is read whole.
    """
    seen: set[int] = set()
    end = start + size
    position = next_data(stream, start, end)
    while position < end:
        length = min(WINDOW + OVERLAP, end - position)
        data = read_at(stream, position, length)
        if not data:
            return
        owned = min(WINDOW, length)
        if not data.startswith(_ZEROS[:owned]):
            for picture in carve(data, templates=False, kinds=("jpeg",)):
                absolute = position + picture.offset
                if absolute in seen:
                    continue
                if picture.offset >= WINDOW and position + length < end:
                    continue  # starts in the overlap: the next window reads it whole
                seen.add(absolute)
                yield absolute, picture
        del data  # one window in memory, not two, while the next is read
        position = next_data(stream, position + WINDOW, end)


class DiskCarver:
    """The JPEGs of one disk image: in the areas its layout names, then in every byte it does not.

    A recorder's layout (master sector, superblock, partition table) says where its
    data areas are; when a field is damaged, overwritten or misread, the pictures it
    should have pointed at are still on the disk. So after the layout's areas the rest
    of the image is carved too, and a picture is reported once whatever number of
    areas (a damaged partition table can name one twice) cover it.
    """

    def __init__(self, stream: BinaryIO, size: int) -> None:
        self.stream, self.size = stream, size
        self.covered: list[tuple[int, int]] = []
        self.seen: set[int] = set()

    def area(self, start: int, size: int) -> Iterator[tuple[int, CarvedItem]]:
        """The pictures in an area the layout names (clipped to the image)."""
        end = min(start + size, self.size)
        if start >= end:
            return
        self.covered.append((start, end))
        yield from self._carve(start, end)

    def rest(self) -> Iterator[tuple[int, CarvedItem]]:
        """The pictures in every byte no area covered."""
        position = 0
        for start, end in [*sorted(self.covered), (self.size, self.size)]:
            if start > position:
                yield from self._carve(position, start)
            position = max(position, end)

    def _carve(self, start: int, end: int) -> Iterator[tuple[int, CarvedItem]]:
        for offset, picture in carve_jpegs(self.stream, start, end - start):
            if offset not in self.seen:
                self.seen.add(offset)
                yield offset, picture


def outside_layout(
    item: Item, carver: DiskCarver, details: dict[str, Any], area: str
) -> Iterator[Yield]:
    """The pictures of the image outside every area its layout names: no channel, no time."""
    found = 0
    for offset, picture in carver.rest():
        where = f"{item.locator}@{offset} (outside every {area} the layout names)"
        if not picture.validated:
            yield Problem(where, "JPEG outside the layout's areas does not decode",
                          "cctv.jpeg_undecodable")
            continue
        found += 1
        yield ImageFound(where, picture.data)
    if found:
        details["carved_outside_layout"] = found
