"""Ask the kernel for the next files' bytes while the current ones are hashed.

A capture store is hundreds of thousands of files of a few KiB: read one at a
time by each hashing worker, acquisition spends most of its wall time waiting
for the disk, one small request after another (305,114 crops: 5.5 min wall for
113 CPU s). While the workers hash, a thread of the process that hands them
their batches opens the files of the batches queued next and asks for their
pages with ``posix_fadvise(WILLNEED)``: the disk gets many requests at once and
the workers find the bytes in the page cache. Nothing is read into this process
and nothing is hashed here: digests, manifest order and custody are the
workers', unchanged. Files are opened by :func:`open_evidence` like every read
of evidence (no link followed, the access time left alone); a file that cannot
be opened is simply not warmed, and its worker records why.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

from venue_audit.acquire.items import open_evidence


def _warm(path: Path) -> None:
    try:
        with open_evidence(path) as stream:
            os.posix_fadvise(stream.fileno(), 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass  # not a regular file, gone, unreadable: the hasher says so in the manifest


class ReadAhead:
    """Warm batches of files of ``root`` in the order given; a no-op without fadvise.

    One thread: the opens find the inodes cached by the listing, and fadvise only
    queues the reads, so one thread keeps the disk busy without taking CPU from
    the hashers.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._batches: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def warm(self, relatives: list[str]) -> None:
        if not hasattr(os, "posix_fadvise"):
            return
        if self._thread is None:  # started on first use: after the caller's pool has forked
            self._thread = threading.Thread(target=self._run, name="readahead", daemon=True)
            self._thread.start()
        self._batches.put(relatives)

    def _run(self) -> None:
        while (batch := self._batches.get()) is not None:
            for relative in batch:
                if self._stopped.is_set():
                    return
                _warm(self.root / relative if relative else self.root)

    def close(self) -> None:
        if self._thread is not None:
            self._stopped.set()
            self._batches.put(None)
            self._thread.join()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
