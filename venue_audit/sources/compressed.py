"""Single compressed files (``.gz``, ``.bz2``, ``.xz``, ``.zst``): the content is dispatched again.

Only ``.tar.bz2`` and ``.tar.xz`` were read before, so ``face.jpg.bz2`` /
``.xz`` / ``.zst`` were silently passed over, and a good gzip member followed
by trailing garbage was lost whole. Each format is inflated here with its own
incremental decompressor, member after member (all four allow several members
or frames one after another), with the output bounded: what inflates before
damage, truncation or trailing bytes is kept and dispatched, and the damage is
reported as a located problem. Tar archives inside are claimed earlier by the
archive reader; SQL dumps by the dump reader, which streams them.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from venue_audit.sources.archives import _MAX_IN_MEMORY, member_item, too_deep
from venue_audit.sources.base import (
    EmbeddedFile,
    Item,
    Problem,
    ScanContext,
    SourceReader,
    Yield,
)
from venue_audit.sources.registry import register

_CHUNK = 1 << 20
_SUFFIXES = {"gzip": (".gz", ".gzip"), "bzip2": (".bz2",), "xz": (".xz",), "zstd": (".zst", ".zstd")}
_MAGIC = {"gzip": b"\x1f\x8b", "bzip2": b"BZh", "xz": b"\xfd7zXZ\x00", "zstd": b"\x28\xb5\x2f\xfd"}


class _Gzip:
    """zlib's gzip decoding behind the interface bz2, lzma and zstd decompressors share."""

    def __init__(self) -> None:
        self._inner = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._tail = b""

    @property
    def eof(self) -> bool:
        return self._inner.eof

    @property
    def unused_data(self) -> bytes:
        return self._inner.unused_data

    @property
    def needs_input(self) -> bool:
        return not self._tail

    def decompress(self, data: bytes, max_length: int) -> bytes:
        out = self._inner.decompress(self._tail + data, max_length)
        self._tail = self._inner.unconsumed_tail
        return out


def _zstd() -> Any:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+
    except ImportError:
        from backports import zstd
    return zstd.ZstdDecompressor()


_DECOMPRESSORS: dict[str, Callable[[], Any]] = {
    "gzip": _Gzip,
    "bzip2": bz2.BZ2Decompressor,
    "xz": lambda: lzma.LZMADecompressor(lzma.FORMAT_AUTO),
    "zstd": _zstd,
}
_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError)


@dataclass
class Inflated:
    data: bytes
    members: int = 0
    notes: list[str] = field(default_factory=list)
    over_limit: bool = False


def inflate(stream: BinaryIO, kind: str, limit: int) -> Inflated:
    """Every member's content, up to ``limit`` bytes; damage and trailing bytes become notes."""
    result = Inflated(b"")
    out = bytearray()
    decompressor = _DECOMPRESSORS[kind]()
    pending = stream.read(_CHUNK)
    started = bool(pending)
    try:
        while True:
            if decompressor.eof:
                result.members += 1
                rest = decompressor.unused_data + pending
                if not rest:
                    rest = stream.read(_CHUNK)
                if not rest:
                    break
                if not rest.startswith(_MAGIC[kind]):
                    trailing = len(rest) + _drain(stream)
                    if any(rest) or trailing > len(rest):
                        result.notes.append(
                            f"{trailing} bytes after member {result.members} are not {kind} "
                            "data: ignored"
                        )
                    break
                decompressor, pending = _DECOMPRESSORS[kind](), rest
                continue
            if decompressor.needs_input and not pending:
                pending = stream.read(_CHUNK)
                if not pending:
                    if started:
                        result.notes.append(
                            f"{kind} stream ends inside member {result.members + 1} (truncated): "
                            f"the {len(out)} bytes inflated before the cut were read"
                        )
                    break
            chunk = decompressor.decompress(pending, limit + 1 - len(out))
            pending = b""
            out += chunk
            if len(out) > limit:
                result.over_limit = True
                break
    except _ERRORS as error:
        result.notes.append(
            f"{kind} data damaged in member {result.members + 1} ({error}): "
            f"the {len(out)} bytes inflated before the damage were read"
        )
    result.data = bytes(out)
    return result


def _drain(stream: BinaryIO) -> int:
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
    return total


def inner_name(item: Item, kind: str) -> str:
    for suffix in _SUFFIXES[kind]:
        if item.name.lower().endswith(suffix):
            return item.name[: -len(suffix)]
    return item.name + ".out"


@register
class CompressedFileReader(SourceReader):
    """One compressed file that is not a tar (``faces.json.gz``, ``0001.jpg.bz2``, ``dump.zst``)."""

    NAME = "compressed"
    DESCRIPTION = "gzip / bzip2 / xz / zstd single files (content dispatched again)"
    PRIORITY = 150

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type in _DECOMPRESSORS

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        if (deep := too_deep(item, context)) is not None:
            yield deep
            return
        with item.open() as stream:
            inflated = inflate(stream, item.type, _MAX_IN_MEMORY)
        if inflated.over_limit:
            yield Problem(
                item.locator,
                f"{item.type} content larger than the in-memory limit of {_MAX_IN_MEMORY} bytes "
                "(or a bomb): not scanned",
            )
            return
        for note in inflated.notes:
            yield Problem(item.locator, note)
        if inflated.data or not inflated.notes:
            yield EmbeddedFile(
                member_item(item, inner_name(item, item.type), inflated.data, item.mtime)
            )
