"""The index files of Hikvision file storage (IP-camera SD card, NAS): ``index00.bin``, ``index00p.bin``.

Layout as the public tools read it (little-endian throughout):

* header, 1,280 bytes: ``modifyTimes u64, version u32, avFiles u32,
  nextFileRecNo u32, lastFileRecNo u32, currFileRec[1176], res[76],
  checksum u32`` (aloz77/hiktools ``extract_video.c`` FILE_IDX_HEADER,
  commit ff535f92ba70666c82c2c1e72deab30c13e2014e);
* ``avFiles`` file records of 32 bytes, one per ``hivNNNNN`` file:
  ``fileNo u32, chan u16, segRecNums u16, startTime u32, endTime u32, …``;
  ``chan`` 0xFFFF marks a file never written (FILE_IDX_RECORD);
* video index: ``avFiles × 256`` segment records of 80 bytes: ``type u8,
  status u8, res[2], resolution[4], startTime u64, endTime u64,
  firstKeyFrame_absTime u64, …, startOffset u32, endOffset u32, …``
  (SEGMENT_IDX_RECORD); a record is used when type, start and end are all
  non-zero (hiktools' rule). Times are unix seconds in the **low 32 bits** of
  each u64 (yrambler2001/hikvision-ezviz-sdcard-video-extractor ``lib.js``
  ``dateMask``, commit 1ff3fa0c157006ebde520bbfef5bd63edf12595c); the high
  bits hold something else;
* picture index (``index00p.bin``): the same header and file records, then
  96-byte records packed one after another until a record starts with
  ``00000000`` or ``FFFFFFFF``: start time u64 at 8, end time u64 at 16,
  start and end offset u32 at 40 and 44 in the ``hivNNNNN.pic`` pack; a new
  pack begins where the start offset goes back (damianjude/ezhikstract
  ``parser.py`` ``load_picture_index``, commit dbb0441a38a83e0684c60ac406c61e38de62bd99).

The times are the camera's own clock, which these cameras keep in local
wall-clock time: they are returned without a zone and read in the case's.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

HEADER = struct.Struct("<QIIII1176s76sI")
HEADER_FIELDS = struct.Struct("<QIIII")
FILE_RECORD = struct.Struct("<IHHII")
FILE_RECORD_SIZE = 32
SEGMENT = struct.Struct("<BB2x4sQQQIIII")
SEGMENT_SIZE = 80
SEGMENTS_PER_FILE = 256
PICTURE = struct.Struct("<4s4xQQ16xII")
PICTURE_SIZE = 96
UNUSED_CHANNEL = 0xFFFF
MAX_FILES = 65_536
TIME_MASK = 0xFFFFFFFF
INDEX_NAME = re.compile(r"^index0[01](p?)\.bin$", re.I)
PACK_NAME = re.compile(r"^hiv(\d{5})\.(mp4|pic)$", re.I)


@dataclass(frozen=True)
class IndexHeader:
    modify_times: int
    version: int
    av_files: int
    next_file: int
    last_file: int


@dataclass(frozen=True)
class FileRecord:
    file_no: int
    channel: int
    segments: int
    start: int
    end: int

    @property
    def in_use(self) -> bool:
        return self.channel != UNUSED_CHANNEL


@dataclass(frozen=True)
class VideoSegment:
    file_index: int
    slot: int
    type: int
    start: int
    end: int
    start_offset: int
    end_offset: int


@dataclass(frozen=True)
class PictureRecord:
    number: int
    file_index: int
    start: int
    end: int
    start_offset: int
    end_offset: int


def device_time(seconds: int) -> str | None:
    """Unix seconds of the camera clock as a zone-less ISO time (the case zone applies)."""
    if seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def parse_header(data: bytes) -> IndexHeader | None:
    """The header, or None when the bytes are not a plausible Hikvision index.

    Its first 24 bytes are enough (a reader decides on a file's first 512).
    """
    if len(data) < HEADER_FIELDS.size:
        return None
    modify, version, av_files, next_file, last_file = HEADER_FIELDS.unpack_from(data)
    if not 1 <= version <= 16 or not 0 < av_files <= MAX_FILES:
        return None
    return IndexHeader(modify, version, av_files, next_file, last_file)


def file_records(data: bytes, header: IndexHeader) -> list[FileRecord]:
    records = []
    for index in range(header.av_files):
        offset = HEADER.size + index * FILE_RECORD_SIZE
        if offset + FILE_RECORD_SIZE > len(data):
            break
        records.append(FileRecord(*FILE_RECORD.unpack_from(data, offset)))
    return records


def video_segments(data: bytes, header: IndexHeader) -> list[VideoSegment]:
    """The used segment records, file by file, in index order (hiktools' reading)."""
    base = HEADER.size + header.av_files * FILE_RECORD_SIZE
    segments = []
    for file_index in range(header.av_files):
        for slot in range(SEGMENTS_PER_FILE):
            offset = base + (file_index * SEGMENTS_PER_FILE + slot) * SEGMENT_SIZE
            if offset + SEGMENT_SIZE > len(data):
                return segments
            kind, _, _, start, end, _, _, _, first, last = SEGMENT.unpack_from(data, offset)
            if kind and start and end:
                segments.append(
                    VideoSegment(file_index, slot, kind, start & TIME_MASK, end & TIME_MASK,
                                 first, last)
                )
    return segments


def picture_records(data: bytes, header: IndexHeader) -> list[PictureRecord]:
    """The picture records with the pack each belongs to (ezhikstract's reading)."""
    offset = HEADER.size + header.av_files * FILE_RECORD_SIZE
    records: list[PictureRecord] = []
    pack, previous_end, number = 0, -1, 0
    while offset + PICTURE_SIZE <= len(data):
        tag, start, end, start_offset, end_offset = PICTURE.unpack_from(data, offset)
        if tag in (b"\x00\x00\x00\x00", b"\xff\xff\xff\xff"):
            break
        offset += PICTURE_SIZE
        number += 1
        if end_offset == 0 or start_offset >= end_offset:
            continue
        if previous_end != -1 and start_offset < previous_end:
            pack += 1
        records.append(
            PictureRecord(number, pack, start & TIME_MASK, end & TIME_MASK, start_offset, end_offset)
        )
        previous_end = end_offset
    return records


def is_picture_index(name: str) -> bool:
    match = INDEX_NAME.match(name)
    return bool(match and match[1])
