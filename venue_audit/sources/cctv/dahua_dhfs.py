"""A Dahua recorder's disk (DHFS4.1, raw image): fragment descriptors and the pictures in fragments.

Layout as gbatmobile/dhfs_extractor ``dhfs41.py`` reads it (commit
16a21e6c35435411ac9eb81eda9fcbc25ea38186), little-endian:

* ``DHFS4.1`` at offset 0; the partition table at 0x3C00 + 0x34: 64-byte
  entries (superblock offset in 512-byte sectors at +20, partition offset at
  +48) until one starts with ``AA55AA55``;
* superblock (partition + superblock offset): first and last recording date at
  0x10/0x14, block size 0x2C, fragment size in blocks 0x30, reserved
  fragments 0x38, descriptor area 0x44, video area 0x48 (both in blocks),
  fragment count 0x4C, log area 0xF8 (blocks);
* one 32-byte descriptor per fragment: type (0 free, 1 first fragment of a
  recording, 2 a following one), camera as ASCII (``'0'`` = channel 1),
  fragment count − 1 (type 1) or number (type 2), start and end time
  bit-packed (year−2000:6, month:4, day:5, hour:5, minute:6, second:6), next
  fragment, last-fragment size in blocks, previous and first fragment;
* fragments of ``DHAV…dhav`` frames in the video area.

Every JPEG in every fragment is carved by structure; it takes the channel of
its fragment's descriptor and, as its time, the fragment's start (the
picture lies between its start and end, both named in the locator; frame-level
times are not read). Fragments no recording uses any more (free, or left over
from an overwritten recording) still give their pictures, and so does every
byte outside the fragments the superblock names (a damaged superblock or
partition table hides no picture; a fragment named twice gives its pictures
once). The log area is measured, not parsed: its record format is not public.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from venue_audit.sources.base import (
    ImageFound,
    Item,
    Problem,
    ScanContext,
    SourceReader,
    StoreFound,
    Yield,
)
from venue_audit.sources.cctv.disk_reading import DiskCarver, outside_layout, read_at
from venue_audit.sources.registry import register

SIGNATURE = b"DHFS4.1"
PARTITION_TABLE = 0x3C00 + 0x34
PARTITION_END = b"\xaa\x55\xaa\x55"
SECTOR = 512
DESCRIPTOR = struct.Struct("<BBHIIIIII4x")
MAX_PARTITIONS = 16
MAX_FRAGMENTS = 1 << 22
MIN_FRAGMENT = 1 << 16  # a fragment smaller than this is a damaged superblock, not a layout
SYSTEM = "Dahua NVR/DVR hard disk (DHFS4.1)"


@dataclass(frozen=True)
class Fragment:
    index: int
    type: int
    channel: int | None
    start: str | None
    end: str | None


@dataclass(frozen=True)
class Partition:
    offset: int
    first: str | None
    last: str | None
    block_size: int
    fragment_size: int
    descriptors: int
    video: int
    fragments: int
    logs: int


def packed_time(value: int) -> str | None:
    """DHFS bit-packed date and time (zone-less: the recorder's clock)."""
    if not value:
        return None
    year, month, day = (value >> 26) & 0x3F, (value >> 22) & 0xF, (value >> 17) & 0x1F
    hour, minute, second = (value >> 12) & 0x1F, (value >> 6) & 0x3F, value & 0x3F
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
        return None
    return f"{2000 + year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"


def partitions(stream: BinaryIO) -> list[Partition]:
    table = read_at(stream, PARTITION_TABLE, 64 * MAX_PARTITIONS)
    found = []
    superblock_of_first: int | None = None
    for position in range(0, len(table) - 63, 64):
        entry = table[position:position + 64]
        if entry[:4] == PARTITION_END:
            break
        superblock = int.from_bytes(entry[20:24], "little") * SECTOR
        offset = int.from_bytes(entry[48:56], "little") * SECTOR
        if superblock_of_first is None:
            superblock_of_first = superblock
        head = read_at(stream, offset + superblock, 0x100)
        if len(head) < 0x100:
            break
        first, last = struct.unpack_from("<II", head, 0x10)
        block, fragment_blocks = struct.unpack_from("<II", head, 0x2C)
        # dhfs41.py reads the descriptor/video/count words with the first partition's
        # superblock offset for every partition; so does this reader
        words = read_at(stream, offset + superblock_of_first + 0x44, 12)
        if len(words) < 12:
            break
        descriptors, video, count = struct.unpack("<III", words)
        logs = struct.unpack_from("<I", head, 0xF8)[0]
        found.append(Partition(offset, packed_time(first), packed_time(last), block,
                               fragment_blocks * block, descriptors * block, video * block,
                               min(count, MAX_FRAGMENTS), logs * block))
    return found


def fragments(stream: BinaryIO, partition: Partition) -> list[Fragment]:
    data = read_at(stream, partition.offset + partition.descriptors,
                 DESCRIPTOR.size * partition.fragments)
    result = []
    for index in range(len(data) // DESCRIPTOR.size):
        kind, camera, _, start, end, *_ = DESCRIPTOR.unpack_from(data, index * DESCRIPTOR.size)
        channel = camera - 48 + 1 if kind in (1, 2) and 48 <= camera < 48 + 128 else None
        result.append(Fragment(index, kind, channel, packed_time(start), packed_time(end)))
    return result


@register
class DahuaDhfsReader(SourceReader):
    """A raw image of a Dahua recorder's disk: fragment descriptors, pictures carved per fragment."""

    NAME = "dahua-dhfs"
    DESCRIPTION = "Dahua DHFS4.1 raw disks: fragment descriptors (channel, times), JPEGs in fragments"
    PRIORITY = 40

    def claims(self, item: Item, head: bytes) -> bool:
        return head.startswith(SIGNATURE)

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        with item.open() as stream:
            parts = partitions(stream)
            details: dict[str, Any] = {"system": SYSTEM, "version": "DHFS4.1",
                                       "partitions": len(parts)}
            yield StoreFound("dahua-dhfs", profile="dahua-nvr", details=details)
            carver = DiskCarver(stream, item.size)
            for number, partition in enumerate(parts):
                yield from self._partition(item, carver, number, partition, details)
            yield from outside_layout(item, carver, details, "fragment")
            yield StoreFound("dahua-dhfs", profile="dahua-nvr", details=details)

    def _partition(
        self, item: Item, carver: DiskCarver, number: int, partition: Partition,
        details: dict[str, Any],
    ) -> Iterator[Yield]:
        if partition.fragment_size < MIN_FRAGMENT or not partition.fragments:
            yield Problem(f"{item.locator}, partition {number}", "superblock gives no fragments",
                          "dahua.no_fragments")
            return
        video = partition.offset + partition.video
        on_disk = max(0, item.size - video) // partition.fragment_size + 1
        partition = replace(partition, fragments=min(partition.fragments, on_disk))
        all_fragments = fragments(carver.stream, partition)
        kinds: dict[str, int] = {}
        for fragment in all_fragments:
            name = {0: "free", 1: "first", 2: "following"}.get(fragment.type, "other")
            kinds[name] = kinds.get(name, 0) + 1
        pictures = 0
        for fragment in all_fragments:
            start = video + fragment.index * partition.fragment_size
            if start >= item.size:
                break
            for offset, picture in carver.area(start, partition.fragment_size):
                where = (f"{item.locator}@{offset} (partition {number}, fragment {fragment.index}"
                         + (f", channel {fragment.channel}" if fragment.channel else "")
                         + (f", {fragment.start} – {fragment.end}" if fragment.start else "")
                         + (", free fragment" if fragment.type == 0 else "") + ")")
                if not picture.validated:
                    yield Problem(where, "JPEG in the fragment does not decode",
                                  "cctv.jpeg_undecodable")
                    continue
                pictures += 1
                yield ImageFound(
                    where,
                    picture.data,
                    captured_at=fragment.start if fragment.type else None,
                    captured_at_source="dhfs fragment start (recorder clock)" if fragment.type else None,
                    camera=str(fragment.channel) if fragment.channel and fragment.type else None,
                )
        details.setdefault("partition_details", []).append({
            "first": partition.first, "last": partition.last, "fragments": len(all_fragments),
            "fragment_size": partition.fragment_size, "descriptor_types": kinds,
            "carved_pictures": pictures, "log_area_offset": partition.logs,
        })
