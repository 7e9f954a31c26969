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
