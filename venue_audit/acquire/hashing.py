"""Read a stream once and compute every digest the evidence list needs.

Each file is read exactly once, in fixed-size chunks, so memory stays constant
for a 10 GB file. SM3 is the slowest of the three digests (OpenSSL ~360 MB/s
against ~1.6 GB/s for SHA-256 on the reference machine), so it runs in a helper
thread while MD5 and SHA-256 run in the caller's thread; hashlib releases the
GIL for large updates, so on two cores a big file is hashed at close to SM3's
own speed instead of the sum of all three.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from venue_audit.acquire.sm3 import SM3

CHUNK_SIZE = 1 << 20
DIGEST_NAMES = ("md5", "sha256", "sm3")
_THREADED_MIN = 4 * CHUNK_SIZE
_helper_thread = True


def allow_helper_thread(allowed: bool) -> None:
    """Whether a large file's SM3 may run in a second thread of this process.

    It pays only where a core would otherwise idle: one hashing process on a
    multi-core machine. Where every core already runs a hashing process, the
    thread only competes with them, so the acquisition turns it off.
    """
    global _helper_thread
    _helper_thread = allowed


class _Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


def new_sm3() -> _Hash:
    """OpenSSL's SM3 when this Python was built against one that has it, else pure Python."""
    try:
        return hashlib.new("sm3")
    except ValueError:
        return SM3()


@dataclass(frozen=True)
class Digests:
    size: int
    md5: str
    sha256: str
    sm3: str


class MultiDigest:
    """MD5, SHA-256 and SM3 over one pass of the data."""

    def __init__(self, expected_size: int | None = None) -> None:
        self.md5 = hashlib.md5()
        self.sha256 = hashlib.sha256()
        self.sm3 = new_sm3()
        self.size = 0
        self._pool = (
            ThreadPoolExecutor(max_workers=1)
            if _helper_thread and expected_size is not None and expected_size >= _THREADED_MIN
            else None
        )
        self._pending = None

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._pool is None:
            self.sm3.update(chunk)
        else:
            if self._pending is not None:
                self._pending.result()
            self._pending = self._pool.submit(self.sm3.update, chunk)
        self.md5.update(chunk)
        self.sha256.update(chunk)

    def finish(self) -> Digests:
        if self._pool is not None:
            if self._pending is not None:
                self._pending.result()
            self._pool.shutdown()
        return Digests(
            self.size, self.md5.hexdigest(), self.sha256.hexdigest(), self.sm3.hexdigest()
        )


def hash_stream(
    stream: BinaryIO,
    expected_size: int | None = None,
    limit: int | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Digests:
    """Digest a binary stream to its end.

    ``limit`` caps the bytes read (a guard against archive members that inflate
    far past their declared size); reaching it raises :class:`SizeLimitExceeded`.
    """
    digest = MultiDigest(expected_size)
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            break
        digest.update(chunk)
        if on_bytes is not None:
            on_bytes(len(chunk))
        if limit is not None and digest.size > limit:
            digest.finish()
            raise SizeLimitExceeded(f"stream exceeded the limit of {limit} bytes")
    return digest.finish()


def hash_bytes(data: bytes) -> Digests:
    digest = MultiDigest(len(data))
    for i in range(0, len(data), CHUNK_SIZE):
        digest.update(data[i : i + CHUNK_SIZE])
    return digest.finish()


def hash_chunks(chunks: Iterable[bytes]) -> Digests:
    digest = MultiDigest()
    for chunk in chunks:
        digest.update(chunk)
    return digest.finish()


class SizeLimitExceeded(Exception):
    """A stream produced more bytes than the acquisition allows for it."""
