"""A Hikvision NVR/DVR hard disk (raw image): its index, its pictures and its system log.

Layout as dw2102/HikVision-Data-Recovery ``src/hikparser.py`` reads it (commit
b7e9c82115c8695243097765744367baca973933), little-endian unless said:

* master sector at 528 (0x210): ``HIKVISION@HANGZHOU`` (32 bytes), the file-system
  version text at 560, disk size u64 at 584, system-log offset and size u64 at
  608/616, video-data-area offset u64 at 632, data-block size u64 at 648 and
  count u32 at 656, HIKBTREE 1 offset u64/size u32 at 664/672, HIKBTREE 2 at
  680/688, initialisation time u32 at 752;
* HIKBTREE: ``HIKBTREE`` at +16, creation time u32 at +60, footer u64 at +64,
  page-list offset u64 at +80, first page u64 at +88;
* page list: first page u64 at +24, then from +96 48-byte entries ``page
  offset u64, 8, channel u16 (big-endian), 6, start u32, end u32, data offset
  u64, 8`` until a page offset of 0;
* a page: from +96, entries of an 8-byte ``FF…FF`` marker then ``existence 8,
  channel u16 (big-endian), 6, start u32, end u32, data-block offset u64, 8``
  (48 bytes with the marker).

What is confirmed and what is inferred. Four public readers written
independently agree on the master sector, the HIKBTREE offsets (creation time
at +60, i.e. 44 bytes after the signature) and the 48-byte entries with their
``FF…FF`` marker: hikparser above (which follows Han, Jeong and Lee, "Analysis
of the HIKVISION DVR File System", 2015), a C reader's ``HIK_BTREE`` /
``HIK_DATA_BLOCK_ENTRY`` structs (code index id 18001986966), a 2022 analyser
reading entries at page + 96 + 48·n (code index id 8107759068) and a
``hikbtree.py`` reading the same header offsets (code index id 8945496536).
The last one starts a page's entries at +80 instead of +96, so a page whose
marker is at +80 is read from there. No public source read for this gives
40-byte entries or a creation time at +56: both were an earlier reading of
this module's, kept only as fallbacks (a page without any marker is read as
back-to-back 40-byte entries; the time at +56 is taken only when +60 holds no
plausible time), and the store's details say which layout and offset were
found, so an examiner sees when a fallback was used. The paper's own tables
were not publicly readable (only its abstract).

Pictures: snapshots sit inside the data blocks among the video; where exactly
and with what time is not publicly documented, so every JPEG in every data
block is carved by structure. A picture in a block the index lists takes the
block's channel (and its locator names the block's time range); a block the
index no longer lists still gives its pictures, without a channel. The rest
of the image (everything outside the data blocks the master sector names) is
carved too, so a damaged master sector or a disk formatted over an older
layout hides no picture; those pictures have neither channel nor time.

System log (``RATS`` records at the system-log offset; theAtropos4n6/
HikvisionLogAnalyzer ``scripts/carving_utils.py``, commit
4404a60c5435b91ef90d35886bb8c7ff19996c06): ``RATS``, 4 bytes, time u32, major
type u16, minor type u16, details. Formatting (Initialize HDD), time
changes, power events and remote logins become timeline events; routine
alarms (motion) are counted in the details only.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from venue_audit.sources.base import (
    ImageFound,
    Item,
    LogEvent,
    Problem,
    ScanContext,
    SourceReader,
    StoreFound,
    Yield,
)
from venue_audit.sources.cctv.disk_reading import DiskCarver, outside_layout, read_at
from venue_audit.sources.registry import register

SIGNATURE = b"HIKVISION@HANGZHOU"
MASTER_OFFSET = 528
MASTER = struct.Struct("<32s24xQ16xQQ8xQ8xQI4xQI4xQI60xI")
VERSION = slice(560 - MASTER_OFFSET, 574 - MASTER_OFFSET)
BTREE = struct.Struct("<16x8s")
PAGE_LIST_ENTRY = struct.Struct("<Q8x2s6xIIQ8x")
ENTRY = struct.Struct("<8s2s6xIIQ8x")  # the channel is big-endian (hikparser reads it so)
MARKER = b"\xff" * 8
MAX_PAGES = 1 << 16
MIN_BLOCK = 1 << 16  # a data block smaller than this is a damaged field, not a layout
MAX_ENTRIES = 1 << 16
SYSTEM = "Hikvision NVR/DVR hard disk (HIKVISION@HANGZHOU file system)"

MAJOR = {1: "Alarm", 2: "Exception", 3: "Operation", 4: "Information"}
# (major, minor) -> timeline action; the rest of the log is counted, not listed. An action
# never says "sync", "send" or "push": the report reads those words as uploads of face data.
ACTIONS = {
    (3, 0x41): "power on",
    (3, 0x42): "shutdown",
    (3, 0x43): "abnormal shutdown",
    (3, 0x5C): "format (local: initialize HDD)",
    (3, 0x70): "remote login",
    (3, 0x71): "remote logout",
    (3, 0x80): "remote playback",
    (3, 0x82): "format (remote: initialize HDD)",
    (3, 0x86): "remote export config",
    (4, 0xA0): "time change",
    (2, 0x22): "illegal login",
}


@dataclass(frozen=True)
class Master:
    disk_size: int
    log_offset: int
    log_size: int
    video_area: int
    block_size: int
    block_count: int
    btree1: int
    btree2: int
    initialised: int
    version: str


@dataclass(frozen=True)
class BlockEntry:
    channel: int
    start: int
    end: int
    offset: int


def _time(seconds: int) -> str | None:
    if not 946_684_800 <= seconds < 4_102_444_800:
        return None
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None).isoformat()


def read_master(stream: BinaryIO) -> Master | None:
    raw = read_at(stream, MASTER_OFFSET, MASTER.size)
    if len(raw) < MASTER.size or not raw.startswith(SIGNATURE):
        return None
    (_, disk, log_offset, log_size, video, block_size, blocks, btree1, _, btree2, _,
     initialised) = MASTER.unpack(raw)
    version = raw[VERSION].split(b"\x00", 1)[0].decode("ascii", "replace").strip()
    return Master(disk, log_offset, log_size, video, block_size, blocks, btree1, btree2,
                  initialised, version)


def read_btree(stream: BinaryIO, offset: int) -> tuple[dict[str, Any], list[int]] | None:
    """The HIKBTREE's facts and the offsets of its pages (first page, then the page list's)."""
    head = read_at(stream, offset, 96)
    if len(head) < 96 or BTREE.unpack_from(head)[0] != b"HIKBTREE":
        return None
    created, created_at = None, None
    for candidate in (60, 56):
        created = _time(struct.unpack_from("<I", head, candidate)[0])
        if created:
            created_at = candidate
            break
    page_list, first_page = struct.unpack_from("<QQ", head, 80)
    pages = [first_page] if first_page else []
    listing = read_at(stream, page_list, 96 + PAGE_LIST_ENTRY.size * MAX_PAGES)
    if len(listing) >= 32:
        listed_first = struct.unpack_from("<Q", listing, 24)[0]
        if listed_first and listed_first not in pages:
            pages.append(listed_first)
    position = 96
    while position + PAGE_LIST_ENTRY.size <= len(listing) and len(pages) < MAX_PAGES:
        page, *_ = PAGE_LIST_ENTRY.unpack_from(listing, position)
        if page == 0:
            break
        if page not in pages:
            pages.append(page)
        position += PAGE_LIST_ENTRY.size
    facts = {"created": created, "created_offset": created_at}
    return facts, pages


def read_page(stream: BinaryIO, offset: int) -> tuple[list[BlockEntry], str]:
    """A page's data-block entries and the layout they were found in (48 with marker, or 40)."""
    raw = read_at(stream, offset + 80, 16 + 48 * 4096)
    entries: list[BlockEntry] = []
    for start_at in (96, 80):  # hikparser and three others: +96; one reader: +80
        data = raw[start_at - 80:]
        if data[:8] != MARKER:
            continue
        position = 0
        while data[position:position + 8] == MARKER and position + 48 <= len(data):
            _, channel, start, end, block = ENTRY.unpack_from(data, position + 8)
            entries.append(BlockEntry(int.from_bytes(channel, "big"), start, end, block))
            position += 48
        return entries, "48-byte entries (FF marker)" + ("" if start_at == 96 else ", from +80")
    data = raw[16:]
    position = 0
    while position + 40 <= len(data) and len(entries) < MAX_ENTRIES:
        chunk = data[position:position + 40]
        if not any(chunk):
            break
        _, channel, start, end, block = ENTRY.unpack_from(chunk)
        if not block or _time(start) is None:
            break
        entries.append(BlockEntry(int.from_bytes(channel, "big"), start, end, block))
        position += 40
    return entries, "40-byte entries (no marker)"


def log_records(data: bytes) -> Iterator[tuple[int, int, int, int, bytes]]:
    """``(offset, time, major, minor, details)`` of each RATS record in the system-log area."""
    starts = []
    position = data.find(b"RATS")
    while position >= 0:
        starts.append(position)
        position = data.find(b"RATS", position + 4)
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        record = data[start:end]
        if len(record) < 16 or record[4] not in (0x01, 0x14):
            continue
        seconds, major, minor = struct.unpack_from("<IHH", record, 8)
        yield start, seconds, major, minor, record[16:]


def _login_details(details: bytes) -> tuple[str, str | None]:
    user = details[:16].split(b"\x00", 1)[0].decode("utf-8", "replace")
    address = ".".join(str(b) for b in details[16:20]) if len(details) >= 20 else ""
    return user, (address if address and address != "0.0.0.0" else None)


@register
class HikvisionDiskReader(SourceReader):
    """A raw image of a Hikvision recorder's disk: index, carved pictures, system log."""

    NAME = "hikvision-disk"
    DESCRIPTION = "Hikvision NVR/DVR raw disks: HIKBTREE index, JPEGs in data blocks, RATS system log"
    PRIORITY = 40

    def claims(self, item: Item, head: bytes) -> bool:
        if item.size < MASTER_OFFSET + MASTER.size:
            return False
        with item.open() as stream:
            return read_at(stream, MASTER_OFFSET, len(SIGNATURE)) == SIGNATURE

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        with item.open() as stream:
            master = read_master(stream)
            if master is None:  # pragma: no cover - claims() read the same bytes
                return
            details: dict[str, Any] = {
                "system": SYSTEM, "version": master.version, "disk_size": master.disk_size,
                "initialised": _time(master.initialised), "data_blocks": master.block_count,
                "block_size": master.block_size,
            }
            entries = yield from self._index(item, stream, master, details)
            yield StoreFound("hikvision-disk", profile="hikvision-nvr", details=details)
            yield from self._log(item, stream, master, details)
            yield from self._pictures(item, stream, master, entries, details)
            yield StoreFound("hikvision-disk", profile="hikvision-nvr", details=details)

    def _index(
        self, item: Item, stream: BinaryIO, master: Master, details: dict[str, Any]
    ) -> Iterator[Yield]:
        entries: dict[int, BlockEntry] = {}
        for name, offset in (("HIKBTREE 1", master.btree1), ("HIKBTREE 2", master.btree2)):
            found = read_btree(stream, offset) if offset else None
            if found is None:
                if offset:
                    yield Problem(f"{item.locator}@{offset}", f"{name}: no HIKBTREE signature",
                                  "hikvision.no_btree", {"name": name})
                continue
            facts, pages = found
            layouts = set()
            for page in pages:
                page_entries, layout = read_page(stream, page)
                layouts.add(layout)
                for entry in page_entries:
                    entries.setdefault(entry.offset, entry)
            details.setdefault("index", {
                "tree": name, "created": facts["created"],
                "created_offset": facts["created_offset"], "pages": len(pages),
                "entry_layout": sorted(layouts),
            })
        details["indexed_blocks"] = len(entries)
        details["channels"] = sorted({e.channel for e in entries.values()})
        return entries

    def _log(
        self, item: Item, stream: BinaryIO, master: Master, details: dict[str, Any]
    ) -> Iterator[Yield]:
        if not master.log_offset or not master.log_size:
            return
        data = read_at(stream, master.log_offset, min(master.log_size, 256 << 20))
        counted: dict[str, int] = {}
        for offset, seconds, major, minor, extra in log_records(data):
            kind = f"{MAJOR.get(major, f'major {major}')} {minor:#04x}"
            counted[kind] = counted.get(kind, 0) + 1
            action = ACTIONS.get((major, minor))
            if action is None:
                continue
            remote_op = "remote" in action or "login" in action
            user, address = _login_details(extra) if remote_op else ("", None)
            yield LogEvent(
                at=_time(seconds),
                action=action,
                count=None,  # a system-log record names no files
                remote=address,
                locator=f"{item.locator}@{master.log_offset + offset} (system log)",
                text=f"{MAJOR.get(major, major)} / {action}" + (f" user {user}" if user else "")
                + (f" from {address}" if address else ""),
            )
        details["system_log_records"] = counted

    def _pictures(
        self,
        item: Item,
        stream: BinaryIO,
        master: Master,
        entries: dict[int, BlockEntry],
        details: dict[str, Any],
    ) -> Iterator[Yield]:
        carver = DiskCarver(stream, item.size)
        found = 0
        block_size = master.block_size
        count = 0
        if block_size >= MIN_BLOCK and master.video_area:
            count = min(master.block_count, max(0, (item.size - master.video_area) // block_size))
        if not count:
            yield Problem(
                f"{item.locator}@{MASTER_OFFSET}",
                f"master sector names no data block on this image ({master.block_count} blocks "
                f"of {block_size} bytes from {master.video_area}): the whole image is carved",
                "hikvision.no_data_area",
                {"blocks": master.block_count, "block_size": block_size,
                 "video_area": master.video_area},
            )
        for number in range(count):
            start = master.video_area + number * block_size
            entry = entries.get(start)
            for offset, picture in carver.area(start, block_size):
                where = f"{item.locator}@{offset} (data block {number}"
                if entry is not None:
                    where += f", channel {entry.channel}, {_time(entry.start)} – {_time(entry.end)})"
                else:
                    where += ", not in the index)"
                if not picture.validated:
                    yield Problem(where, "JPEG in the data block does not decode",
                                  "cctv.jpeg_undecodable")
                    continue
                found += 1
                yield ImageFound(where, picture.data,
                                 camera=str(entry.channel) if entry is not None else None)
        details["carved_pictures"] = found
        yield from outside_layout(item, carver, details, "data block")

