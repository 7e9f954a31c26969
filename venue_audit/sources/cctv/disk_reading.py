"""Reading a recorder's raw disk image: bytes at an offset, and the JPEGs in a region.

Recorder disks are large (terabytes) and hold pictures among video, so a
region is carved in overlapping windows: a picture cut by one window's edge
is read whole by the next, and none is reported twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from venue_audit.recovery import CarvedItem, carve

WINDOW = 32 << 20
OVERLAP = 4 << 20


def read_at(stream: BinaryIO, offset: int, size: int) -> bytes:
    stream.seek(offset)
    return stream.read(size)


def carve_jpegs(stream: BinaryIO, start: int, size: int) -> Iterator[tuple[int, CarvedItem]]:
    """``(absolute offset, picture)`` of each complete JPEG in ``size`` bytes from ``start``."""
    seen: set[int] = set()
    position = 0
    while position < size:
        length = min(WINDOW + OVERLAP, size - position)
        data = read_at(stream, start + position, length)
        if not data:
            return
        for picture in carve(data, templates=False):
            absolute = start + position + picture.offset
            if picture.kind != "jpeg" or absolute in seen:
                continue
            if picture.offset >= WINDOW and position + length < size:
                continue  # starts in the overlap: the next window reads it whole
            seen.add(absolute)
            yield absolute, picture
        position += WINDOW
