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
from typing import BinaryIO

from venue_audit.recovery import CarvedItem, carve

WINDOW = 32 << 20
OVERLAP = 4 << 20
_ZEROS = bytes(WINDOW)


def read_at(stream: BinaryIO, offset: int, size: int) -> bytes:
    stream.seek(offset)
    return stream.read(size)


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
