"""Generated CCTV storage with a known true answer: pictures are real face crops and decoys.

Each writer follows one public description of the gear's layout, named in its
docstring with the source file and commit; the structs are written out here
independently of the readers, so a reader that misreads a field fails.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import cv2
import numpy as np
from PIL import Image

from venue_audit.sample_venue import decoy_picture

ALIGN = 4096


def align(data: bytes, to: int = ALIGN) -> bytes:
    return data + b"\x00" * (-len(data) % to)


def unix(at: str) -> int:
    """A camera-clock time (zone-less, as the device keeps it) as unix seconds."""
    return int(datetime.fromisoformat(at).replace(tzinfo=UTC).timestamp())


def faceless_video(frames: int = 25, seed: int = 0) -> bytes:
    """A real MPEG-PS recording (MPEG-1 video in a program stream) of an empty lobby: no face."""
    return mpeg_ps(decoy_picture(f"lobby {seed}", (320, 240)), frames, moving=True)


def mpeg_ps(picture: bytes, frames: int = 25, moving: bool = False) -> bytes:
    """A real MPEG-PS recording of a still picture (a visitor standing at the door)."""
    import tempfile
    from pathlib import Path

    image = Image.open(io.BytesIO(picture)).convert("RGB").resize((320, 240))
    background = np.asarray(image)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "segment.mpg"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"PIM1"), 25, (320, 240))
        for n in range(frames):
            frame = background.copy()
            if moving:
                cv2.rectangle(frame, (10 + 4 * n, 180), (50 + 4 * n, 220), (0, 200, 0), -1)
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        writer.release()
        data = path.read_bytes()
    assert data[:4] == b"\x00\x00\x01\xba"
    return data


# --- Hikvision file storage ----------------------------------------------------------------


def hik_header(version: int, av_files: int, next_file: int, last_file: int) -> bytes:
    """FILE_IDX_HEADER of aloz77/hiktools extract_video.c (ff535f92ba70666c82c2c1e72deab30c13e2014e):
    modifyTimes u64, version, avFiles, nextFileRecNo, lastFileRecNo u32, currFileRec[1176],
    res3[76], checksum u32 = 1,280 bytes."""
    return struct.pack("<QIIII1176s76sI", 4711, version, av_files, next_file, last_file,
                       b"\x00" * 1176, b"\x00" * 76, 0x5A5A5A5A)


def hik_file_record(file_no: int, channel: int, segments: int, start: int, end: int) -> bytes:
    """FILE_IDX_RECORD (32 bytes): fileNo u32, chan u16, segRecNums u16, startTime, endTime u32,
    status u8, res1 u8, lockedSegNum u16, res2[4], infoTypes[8]; chan 0xFFFF = never written."""
    return struct.pack("<IHHIIBBH4s8s", file_no, channel, segments, start, end, 0, 0, 0,
                       b"\x00" * 4, b"\x00" * 8)


def hik_time(seconds: int, high: int = 0x16378) -> int:
    """A u64 time field: unix seconds in the low 32 bits, other data in the high bits (as in the
    real sample; yrambler2001 lib.js masks with 0xffffffff)."""
    return (high << 32) | seconds


def hik_segment(kind: int, start: int, end: int, start_offset: int, end_offset: int) -> bytes:
    """SEGMENT_IDX_RECORD (80 bytes) of hiktools: type, status, res1[2], resolution[4],
    startTime u64, endTime u64, firstKeyFrame_absTime u64, firstKeyFrame_stdTime u32,
    lastFrame_stdTime u32, startOffset u32, endOffset u32, res2[4], infoNum[4], infoTypes[8],
    infoStartTime, infoEndTime, infoStartOffset, infoEndOffset [4] each."""
    return struct.pack("<BB2s4sQQQIIII4s4s8s4s4s4s4s", kind, 0, b"\x85\x01", b"\x62\x00\x00\x00",
                       hik_time(start), hik_time(end, 0x8be48), hik_time(start), 0, 0,
                       start_offset, end_offset, *(b"\x00" * n for n in (4, 4, 8, 4, 4, 4, 4)))


def hik_picture_record(at: int, start_offset: int, end_offset: int) -> bytes:
    """A 96-byte picture record of index00p.bin as damianjude/ezhikstract parses it
    (parser.py PICTURE_SEGMENT_STRUCT ``<8xQQ16xII48x``, tests/conftest.py create_valid_index00p;
    commit dbb0441a38a83e0684c60ac406c61e38de62bd99): a non-zero tag, start and end time u64,
    start and end offset u32 in the pack."""
    return struct.pack("<4s4xQQ16xII48x", b"\x01\x02\x03\x04", hik_time(at), hik_time(at),
                       start_offset, end_offset)


@dataclass
class Picture:
    """One JPEG written into a pack: its bytes, whether a face is in it, its index time (if listed)."""

    data: bytes
    face: bool
    at: str | None
    offset: int = 0


@dataclass
class Pack:
    channel: int
    pictures: list[Picture]
    data: bytes = b""
    records: list[bytes] = field(default_factory=list)


def hik_pack(pack: Pack, lead: int = 512) -> None:
    """Pictures back to back, each padded to a 4 KiB boundary after some leading alignment bytes."""
    out = bytearray(b"\x00" * lead)
    for picture in pack.pictures:
        picture.offset = len(out)
        out += align(picture.data)
        if picture.at is not None:
            pack.records.append(hik_picture_record(unix(picture.at), picture.offset, len(out)))
    pack.data = bytes(out)


def hik_picture_index(packs: Sequence[Pack], first: str) -> bytes:
    records = [hik_file_record(n, p.channel, len(p.records), unix(first), unix(first) + 3600)
               for n, p in enumerate(packs)]
    body = b"".join(r for p in packs for r in p.records)
    data = hik_header(2, len(packs), len(packs), len(packs) - 1) + b"".join(records) + body
    return data + b"\x00" * 96 * 4  # the end: a record starting with zeros


@dataclass
class Recording:
    segments: list[tuple[str, str, bytes]]  # (start, end, MPEG-PS bytes)
    data: bytes = b""
    offsets: list[tuple[int, int]] = field(default_factory=list)


def hik_recording(recording: Recording) -> None:
    out = bytearray()
    for _, _, segment in recording.segments:
        start = len(out)
        out += segment
        recording.offsets.append((start, len(out)))
        out = bytearray(align(bytes(out)))
    recording.data = bytes(out) + b"\x00" * ALIGN  # the rest of the pre-allocated file


def hik_video_index(files: Sequence[Recording | None], channel: int = 1) -> bytes:
    """index00.bin: header, file records (0xFFFF for files not yet written), 256 slots per file."""
    records, slots = [], []
    for n, recording in enumerate(files):
        if recording is None:
            records.append(hik_file_record(0xFFFFFFFF, 0xFFFF, 0xFFFF, 0, 0))
            slots.append(b"\x00" * 80 * 256)
            continue
        times = [unix(t) for s, e, _ in recording.segments for t in (s, e)]
        records.append(hik_file_record(n, channel, len(recording.segments), min(times), max(times)))
        used = b"".join(
            hik_segment(13, unix(s), unix(e), a, b)
            for (s, e, _), (a, b) in zip(recording.segments, recording.offsets, strict=True)
        )
        slots.append(used + b"\x00" * 80 * (256 - len(recording.segments)))
    return hik_header(2, len(files), 1, 0) + b"".join(records) + b"".join(slots)


# --- Hikvision NVR/DVR raw disk -------------------------------------------------------------


@dataclass
class HikBlock:
    """One data block: the pictures in it (between video filler) and its index entry, if listed."""

    pictures: list[Picture]
    channel: int | None = None
    start: str = "2025-03-14 09:00:00"
    end: str = "2025-03-14 10:00:00"


@dataclass
class HikLog:
    at: str
    major: int
    minor: int
    details: bytes = b""


def hik_disk(blocks: Sequence[HikBlock], logs: Sequence[HikLog], *, marker: bool = True,
             created_offset: int = 60, block_size: int = 1 << 18, entries_at: int = 96) -> bytes:
    """A recorder disk as dw2102/HikVision-Data-Recovery src/hikparser.py reads it
    (b7e9c82115c8695243097765744367baca973933): master sector at 528, HIKBTREE, page list with
    48-byte entries, pages of data-block entries (48 bytes with an FF marker, or 40 without it when
    ``marker`` is False; from page + ``entries_at``: 96 in hikparser, 80 in another public
    reader, code index id 8945496536), RATS system-log records as theAtropos4n6/HikvisionLogAnalyzer
    scripts/carving_utils.py (4404a60c5435b91ef90d35886bb8c7ff19996c06) splits them."""
    log_offset, log_size = 0x1000, 0x2000
    btree1, btree2 = 0x4000, 0x6000
    page_list, first_page, second_page = 0x4200, 0x4400, 0x4C00
    video_area = 0x10000
    disk = bytearray(video_area + block_size * len(blocks))
    master = struct.pack("<32s24xQ16xQQ8xQ8xQI4xQI4xQI60xI", b"HIKVISION@HANGZHOU", len(disk),
                         log_offset, log_size, video_area, block_size, len(blocks), btree1, 0x2000,
                         btree2, 0x2000, unix("2024-12-01 08:00:00"))
    disk[528:528 + len(master)] = master
    disk[560:574] = b"HIK.2011.03.08"
    for tree in (btree1, btree2):
        disk[tree + 16:tree + 24] = b"HIKBTREE"
        struct.pack_into("<I", disk, tree + created_offset, unix("2024-12-01 08:00:05"))
        struct.pack_into("<QQQQ", disk, tree + 64, tree + 0x1F00, 0, page_list, first_page)
    # page list: the first page at +24, then 48-byte entries for the other pages, 0 ends it
    struct.pack_into("<Q", disk, page_list + 24, first_page)
    listed = [(n, b) for n, b in enumerate(blocks) if b.channel is not None]
    struct.pack_into("<Q8x2s6xIIQ8x", disk, page_list + 96, second_page, (2).to_bytes(2, "big"),
                     unix(listed[0][1].start), unix(listed[-1][1].end), video_area)
    pages = {first_page: [e for e in listed if e[1].channel == 1],
             second_page: [e for e in listed if e[1].channel != 1]}
    for page, entries in pages.items():
        position = page + entries_at
        for number, block in entries:
            record = struct.pack("<8s2s6xIIQ8x", b"\x01" + b"\x00" * 7,
                                 block.channel.to_bytes(2, "big"), unix(block.start),
                                 unix(block.end), video_area + number * block_size)
            if marker:
                record = b"\xff" * 8 + record
            disk[position:position + len(record)] = record
            position += len(record)
    for number, block in enumerate(blocks):
        start = video_area + number * block_size
        out = bytearray(b"\x00\x00\x01\xba" + bytes(range(256)) * 8)  # video before the pictures
        for picture in block.pictures:
            picture.offset = start + len(out)
            out += picture.data + bytes(range(97)) * 3
        assert len(out) <= block_size
        disk[start:start + len(out)] = out
    position = log_offset + 64
    for log in logs:
        record = b"RATS" + b"\x14\x00\x00\x00" + struct.pack("<IHH", unix(log.at), log.major,
                                                             log.minor) + log.details
        record += b"\x00" * (-len(record) % 64)
        disk[position:position + len(record)] = record
        position += len(record)
    return bytes(disk)


# --- Dahua DHFS4.1 raw disk ---------------------------------------------------------------------


def dhfs_time(at: str) -> int:
    """DHFS bit-packed time as dhfs41.py decodeTimeStamp unpacks it (year-2000:6, month:4, day:5,
    hour:5, minute:6, second:6)."""
    t = datetime.fromisoformat(at)
    return ((t.year - 2000) << 26) | (t.month << 22) | (t.day << 17) | (t.hour << 12) | (
        t.minute << 6) | t.second


def dhav_frame(channel: int, number: int, at: str, payload: bytes) -> bytes:
    """A DHAV frame: ``DHAV`` header (type, channel − 1, frame number, length, packed time) and the
    ``dhav`` trailer repeating the length."""
    length = 24 + len(payload) + 8
    header = b"DHAV" + bytes([0xFD, 0, channel - 1, 0]) + struct.pack(
        "<III", number, length, dhfs_time(at)) + b"\x00" * 4
    return header + payload + b"dhav" + struct.pack("<I", length)


@dataclass
class DhfsFragment:
    """One fragment: its descriptor type (0 free, 1 first, 2 following), channel, times, pictures."""

    kind: int
    channel: int | None
    start: str | None
    end: str | None
    pictures: list[Picture]
    video_frames: int = 4


def dhfs_disk(fragments: Sequence[DhfsFragment], block: int = 512, fragment_blocks: int = 512) -> bytes:
    """A DHFS4.1 disk as gbatmobile/dhfs_extractor dhfs41.py (16a21e6c35435411ac9eb81eda9fcbc25ea38186)
    reads it: signature, partition table at 0x3C00+0x34 ended by AA55AA55, superblock, 32-byte
    descriptors linked first → following, fragments of DHAV frames with JPEG snapshots between."""
    fragment_size = block * fragment_blocks
    partition, superblock = 0x8000, 0x200  # bytes; the table stores sectors of 512
    descriptors, video = 0x1000, 0x4000  # within the partition, bytes (stored in blocks)
    disk = bytearray(partition + video + fragment_size * len(fragments))
    disk[0:7] = b"DHFS4.1"
    entry = bytearray(64)
    entry[20:24] = (superblock // 512).to_bytes(4, "little")
    entry[48:56] = (partition // 512).to_bytes(8, "little")
    disk[0x3C34:0x3C34 + 64] = entry
    disk[0x3C74:0x3C78] = b"\xaa\x55\xaa\x55"
    times = [dhfs_time(f.start) for f in fragments if f.start]
    sb = partition + superblock
    struct.pack_into("<II", disk, sb + 0x10, min(times), max(times))
    struct.pack_into("<II", disk, sb + 0x2C, block, fragment_blocks)
    struct.pack_into("<I", disk, sb + 0x38, 0)
    struct.pack_into("<III", disk, sb + 0x44, descriptors // block, video // block, len(fragments))
    struct.pack_into("<I", disk, sb + 0xF8, 0x7000 // block)
    first_of_chain = 0
    for index, fragment in enumerate(fragments):
        if fragment.kind == 1:
            first_of_chain = index
        following = index + 1 if index + 1 < len(fragments) and fragments[index + 1].kind == 2 else 0
        camera = 48 + fragment.channel - 1 if fragment.channel else 0
        struct.pack_into("<BBHIIIIII4x", disk, partition + descriptors + 32 * index, fragment.kind,
                         camera, 0, dhfs_time(fragment.start) if fragment.start else 0,
                         dhfs_time(fragment.end) if fragment.end else 0, following,
                         fragment_blocks, max(0, index - 1), first_of_chain)
        out = bytearray()
        for n in range(fragment.video_frames):
            out += dhav_frame(fragment.channel or 1, n, fragment.start or "2025-03-01 00:00:00",
                              bytes(range(256)) * 6)
        for picture in fragment.pictures:
            picture.offset = partition + video + index * fragment_size + len(out)
            out += picture.data
            out += dhav_frame(fragment.channel or 1, 99, fragment.start or "2025-03-01 00:00:00",
                              bytes(200))
        assert len(out) <= fragment_size
        start = partition + video + index * fragment_size
        disk[start:start + len(out)] = out
    return bytes(disk)
