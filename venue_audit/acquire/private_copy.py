"""Copy an evidence file into a private temporary folder, for libraries that want a path.

SQLite and OpenCV's FFmpeg open files by name, with plain ``open()``: the
evidence's access time would move, and neither can be handed a descriptor
opened with ``O_NOATIME`` safely. So they are given a copy, read through the
read-only opener. Holes are kept as holes (``SEEK_DATA``/``SEEK_HOLE``), so a
hostile 3 GiB sparse file costs what its data costs, not 3 GiB of disk.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from venue_audit.acquire.items import open_evidence

_CHUNK = 1 << 20


def _data_ranges(fd: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of the parts of a file that hold data; the whole file if holes are unknown."""
    position = 0
    while position < size:
        try:
            start = os.lseek(fd, position, os.SEEK_DATA)
            end = os.lseek(fd, start, os.SEEK_HOLE)
        except OSError as error:
            if error.errno == errno.ENXIO:  # only a hole remains
                return
            yield position, size  # the file system cannot say: copy everything
            return
        yield start, min(end, size)
        position = end


def copy_evidence(source: Path, target: Path) -> int:
    """Copy ``source`` (read-only, no atime) to ``target`` keeping holes; returns its size."""
    with open_evidence(source) as stream, open(target, "wb") as out:
        fd = stream.fileno()
        size = os.fstat(fd).st_size
        for start, end in _data_ranges(fd, size):
            out.seek(start)
            position = start
            while position < end:
                chunk = os.pread(fd, min(_CHUNK, end - position), position)
                if not chunk:
                    break
                out.write(chunk)
                position += len(chunk)
        out.truncate(size)
    return size


@contextmanager
def private_copy(source: Path, name: str = "copy") -> Iterator[Path]:
    """A copy of ``source`` in a private temporary folder, deleted when the block ends."""
    with tempfile.TemporaryDirectory(prefix="venue-audit-") as scratch:
        target = Path(scratch) / name
        copy_evidence(Path(source), target)
        yield target
