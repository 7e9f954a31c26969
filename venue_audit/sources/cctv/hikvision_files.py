"""Hikvision file storage (IP-camera SD card, NAS share): index files, ``.pic`` packs, ``.mp4`` files.

A camera formats its card into fixed-size files written round-robin:
``hivNNNNN.mp4`` (MPEG-PS recording segments), ``hivNNNNN.pic`` (JPEG
snapshots written back to back, with alignment padding) and the indexes
``index00.bin`` / ``index01.bin`` (video) and ``index00p.bin`` /
``index01p.bin`` (pictures); ``hikvision_index`` parses them.

* Every JPEG in a pack is a capture the face engine looks at, located by
  its byte offset in the pack. Pictures come from the pack's own bytes, not
  from the index: a picture the index no longer lists (its record was
  overwritten) is still found; one the index lists gets its time from the
  record and its channel from the pack's file record.
  A pack is read in windows (``disk_reading.carve_jpegs``): memory stays
  bounded whatever its size.
* Each recording segment the index lists for an ``.mp4`` file is offered to
  the video sampler with its start time and channel; a file with no index
  beside it is sampled whole.
* An index file is a store of its own whose details say what the camera
  recorded (files, segments, pictures, channels, time span).

The index beside a pack is found by name in the same folder and read through
the read-only opener; packs inside archives are read without one.
"""

from __future__ import annotations

import bisect
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from venue_audit.acquire.items import open_evidence
from venue_audit.sources.base import (
    ImageFound,
    Item,
    Problem,
    ScanContext,
    SourceReader,
    StoreFound,
    VideoFound,
    Yield,
)
from venue_audit.sources.cctv import hikvision_index as index
from venue_audit.sources.cctv.disk_reading import carve_jpegs
from venue_audit.sources.registry import register

SYSTEM = "Hikvision IP camera file storage (SD card / NAS)"
MAX_INDEX_BYTES = 64 << 20
MPEG_PS_PACK = b"\x00\x00\x01\xba"
TIME_SOURCE = "hikvision {name} (camera clock)"


def sibling(item: Item, names: tuple[str, ...]) -> tuple[str, bytes] | None:
    """The first of ``names`` beside the item that is a regular file, read through the opener."""
    if not item.path:
        return None
    folder = Path(item.path).parent
    for name in names:
        candidate = folder / name
        try:
            info = os.lstat(candidate)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and 0 < info.st_size <= MAX_INDEX_BYTES:
            with open_evidence(candidate) as stream:
                return name, stream.read()
    return None


def index_version(header: index.IndexHeader) -> str:
    """The storage's version as the report names it: the index header's version field."""
    return f"index v{header.version}"


def _record_at(
    records: list[index.PictureRecord], starts: list[int], offset: int
) -> index.PictureRecord | None:
    """The index record (sorted by start) whose byte range holds ``offset``."""
    at = bisect.bisect_right(starts, offset) - 1
    if at >= 0 and offset < records[at].end_offset:
        return records[at]
    return None


def _channel(records: list[index.FileRecord], file_index: int) -> str | None:
    if file_index < len(records) and records[file_index].in_use:
        return str(records[file_index].channel)
    return None


@register
class HikvisionIndexReader(SourceReader):
    """``index00.bin`` and its kin: what the camera recorded, as store details (no faces)."""

    NAME = "hikvision-index"
    DESCRIPTION = "Hikvision SD-card/NAS index files (index00.bin video, index00p.bin pictures)"
    PRIORITY = 40

    def claims(self, item: Item, head: bytes) -> bool:
        return bool(index.INDEX_NAME.match(item.name)) and index.parse_header(head) is not None

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        if item.size > MAX_INDEX_BYTES:
            yield Problem(
                item.locator,
                f"{item.size} bytes: larger than any Hikvision index, not read",
                "hikvision.index_too_large",
                {"size": item.size},
            )
            return
        data = item.read()
        header = index.parse_header(data)
        if header is None:  # pragma: no cover - claims() checked the same bytes
            return
        files = index.file_records(data, header)
        used = [f for f in files if f.in_use]
        details: dict[str, Any] = {
            "system": SYSTEM,
            "version": index_version(header),
            "files": len(used),
            "channels": sorted({f.channel for f in used}),
        }
        if index.is_picture_index(item.name):
            pictures = index.picture_records(data, header)
            details["pictures"] = len(pictures)
            times = [p.start for p in pictures]
        else:
            segments = index.video_segments(data, header)
            details["segments"] = len(segments)
            times = [s.start for s in segments] + [s.end for s in segments]
        details["first"] = index.device_time(min(times)) if times else None
        details["last"] = index.device_time(max(times)) if times else None
        yield StoreFound("hikvision-index", profile="hikvision-sd", details=details)


@register
class HikvisionPictureReader(SourceReader):
    """``hivNNNNN.pic``: every JPEG in the pack, timed by ``index00p.bin`` where it lists it."""

    NAME = "hikvision-pic"
    DESCRIPTION = "Hikvision picture packs (hivNNNNN.pic): every JPEG, with index time and channel"
    PRIORITY = 40

    def claims(self, item: Item, head: bytes) -> bool:
        match = index.PACK_NAME.match(item.name)
        return bool(match) and match[2].lower() == "pic"

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        pack = int(index.PACK_NAME.match(item.name)[1])  # type: ignore[index]
        records, channel, source, version = self._index(item, pack)
        details: dict[str, Any] = {"system": SYSTEM, "version": version, "pictures": 0,
                                   "indexed": len(records), "index": source}
        yield StoreFound("hikvision-pic", profile="hikvision-sd", details=details)
        listed = set()
        records.sort(key=lambda r: r.start_offset)
        starts = [r.start_offset for r in records]
        with item.open() as stream:  # one window in memory, whatever the pack's size
            for offset, picture in carve_jpegs(stream, 0, item.size):
                details["pictures"] += 1
                record = _record_at(records, starts, offset)
                where = f"{item.locator}@{offset}"
                if not picture.validated:
                    yield Problem(where, "JPEG in the pack does not decode", "cctv.jpeg_undecodable")
                    continue
                if record is not None:
                    listed.add(record.number)
                yield ImageFound(
                    where,
                    picture.data,
                    captured_at=index.device_time(record.start) if record else None,
                    captured_at_source=TIME_SOURCE.format(name=source) if record else None,
                    camera=channel,
                )
        yield StoreFound("hikvision-pic", profile="hikvision-sd", details=details)
        for record in records:
            if record.number not in listed:
                yield Problem(
                    f"{item.locator}@{record.start_offset}",
                    f"{source} record {record.number} points at bytes {record.start_offset}–"
                    f"{record.end_offset} that hold no complete JPEG (overwritten?)",
                    "hikvision.record_without_jpeg",
                    {"index": source, "record": record.number, "start": record.start_offset,
                     "end": record.end_offset},
                )

    def _index(
        self, item: Item, pack: int
    ) -> tuple[list[index.PictureRecord], str | None, str, str | None]:
        """The pack's index records, its channel, the index's name and its version."""
        found = sibling(item, ("index00p.bin", "index01p.bin"))
        if found is None:
            return [], None, "no picture index", None
        name, data = found
        header = index.parse_header(data)
        if header is None:
            return [], None, f"{name} unreadable", None
        records = [r for r in index.picture_records(data, header) if r.file_index == pack]
        channel = _channel(index.file_records(data, header), pack)
        return records, channel, name, index_version(header)


@register
class HikvisionVideoReader(SourceReader):
    """``hivNNNNN.mp4``: the recording segments the index lists, each sampled with its start time."""

    NAME = "hikvision-video"
    DESCRIPTION = "Hikvision recording files (hivNNNNN.mp4, MPEG-PS): segments from index00.bin"
    PRIORITY = 40

    def claims(self, item: Item, head: bytes) -> bool:
        match = index.PACK_NAME.match(item.name)
        return bool(match) and match[2].lower() == "mp4" and item.type != "mp4"

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        number = int(index.PACK_NAME.match(item.name)[1])  # type: ignore[index]
        found = sibling(item, ("index00.bin", "index01.bin"))
        header = index.parse_header(found[1]) if found else None
        if found is None or header is None:
            yield StoreFound("hikvision-video", profile="hikvision-sd",
                             details={"system": SYSTEM, "index": "none"})
            with item.open() as stream:
                if stream.read(4) == MPEG_PS_PACK:
                    yield VideoFound(item)
            return
        name, data = found
        channel = _channel(index.file_records(data, header), number)
        segments = [s for s in index.video_segments(data, header) if s.file_index == number]
        yield StoreFound(
            "hikvision-video",
            profile="hikvision-sd",
            details={"system": SYSTEM, "version": index_version(header), "index": name,
                     "segments": len(segments)},
        )
        for segment in segments:
            if segment.end_offset <= segment.start_offset or segment.end_offset > item.size:
                yield Problem(
                    f"{item.locator}@{segment.start_offset}",
                    f"{name} segment {segment.slot}: offsets {segment.start_offset}–"
                    f"{segment.end_offset} outside the file",
                    "hikvision.segment_outside",
                    {"index": name, "slot": segment.slot, "start": segment.start_offset,
                     "end": segment.end_offset},
                )
                continue
            yield VideoFound(
                _segment_item(item, segment),
                started_at=index.device_time(segment.start),
                started_at_source=TIME_SOURCE.format(name=name),
                camera=channel,
            )


def _segment_item(item: Item, segment: index.VideoSegment) -> Item:
    """One recording segment of the file as an item of its own (its bytes read on demand)."""
    start, length = segment.start_offset, segment.end_offset - segment.start_offset

    def read() -> bytes:
        with item.open() as stream:
            stream.seek(start)
            return stream.read(length)

    return replace(
        item,
        locator=f"{item.locator}@{start} (segment {segment.slot})",
        size=length,
        read=read,
        open=lambda: io.BytesIO(read()),
        path=None,
        depth=item.depth + 1,
    )
