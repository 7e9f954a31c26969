"""The SQLite on-disk format, read byte by byte (https://www.sqlite.org/fileformat2.html).

Recovery cannot go through the SQLite library: the library only shows live rows, and it would
want to write -wal/-shm files next to evidence. Everything here works on ``bytes`` and raises
``FormatError`` (never IndexError or struct.error) so callers can turn problems into notes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER_MAGIC = b"SQLite format 3\x00"
TABLE_LEAF = 0x0D
TABLE_INTERIOR = 0x05
INDEX_LEAF = 0x0A
INDEX_INTERIOR = 0x02
BTREE_PAGE_TYPES = (TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR)


class FormatError(ValueError):
    """Bytes do not follow the SQLite file format at the place they were read."""


def read_varint(buf: bytes, pos: int, end: int | None = None) -> tuple[int, int]:
    """Return (value, length) of the SQLite varint at ``pos``; ``end`` bounds the read."""
    limit = len(buf) if end is None else min(end, len(buf))
    value = 0
    for i in range(9):
        p = pos + i
        if p >= limit or p < 0:
            raise FormatError(f"varint at {pos} runs past {limit}")
        byte = buf[p]
        if i == 8:
            return (value << 8) | byte, 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, i + 1
    raise AssertionError("unreachable")


def varint_len(value: int) -> int:
    """Bytes SQLite uses to encode ``value`` (non-negative, < 2**64) as a varint."""
    if value < 0:
        value &= (1 << 64) - 1
    if value > 0x00FFFFFFFFFFFFFF:
        return 9
    n = 1
    while value >= 0x80:
        value >>= 7
        n += 1
    return n


def int_body_size(value: int) -> int:
    """Bytes a record body spends on integer ``value`` (0 and 1 have serial types of their own)."""
    if value in (0, 1):
        return 0
    for size in (1, 2, 3, 4, 6):
        if -(1 << (8 * size - 1)) <= value < 1 << (8 * size - 1):
            return size
    return 8


def serial_type_size(st: int) -> int:
    """Body bytes taken by a value of serial type ``st``; FormatError for reserved types."""
    if st < 0:
        raise FormatError(f"negative serial type {st}")
    if st <= 4:
        return st
    if st == 5:
        return 6
    if st in (6, 7):
        return 8
    if st in (8, 9):
        return 0
    if st in (10, 11):
        raise FormatError(f"reserved serial type {st}")
    return (st - 12) // 2 if st % 2 == 0 else (st - 13) // 2


def decode_value(st: int, body: bytes, encoding: str = "utf-8") -> int | float | str | bytes | None:
    """Decode one value of serial type ``st`` from exactly its body bytes."""
    if st == 0:
        return None
    if 1 <= st <= 6:
        return int.from_bytes(body, "big", signed=True)
    if st == 7:
        return struct.unpack(">d", body)[0]
    if st == 8:
        return 0
    if st == 9:
        return 1
    if st % 2 == 0:
        return bytes(body)
    return bytes(body).decode(encoding, errors="replace")


def text_is_clean(raw: bytes, encoding: str = "utf-8") -> bool:
    """True when text bytes decode without errors and hold no control characters except tabs
    and newlines: the strongest cheap sign that a guessed record boundary is right."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return all(ch >= " " or ch in "\t\r\n" for ch in text)


@dataclass(frozen=True)
class DatabaseHeader:
    """The fields of the 100-byte header that recovery needs."""

    page_size: int
    reserved: int
    page_count: int
    first_trunk: int
    freelist_count: int
    encoding: str
    wal_mode: bool
    auto_vacuum: bool

    @property
    def usable(self) -> int:
        return self.page_size - self.reserved


def parse_header(data: bytes) -> DatabaseHeader:
    if len(data) < 100:
        raise FormatError(f"file is {len(data)} bytes, shorter than the 100-byte header")
    if data[:16] != HEADER_MAGIC:
        raise FormatError("missing 'SQLite format 3' magic")
    raw = struct.unpack(">H", data[16:18])[0]
    page_size = 65536 if raw == 1 else raw
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        raise FormatError(f"page size {raw} is not a power of two in 512..65536")
    reserved = data[20]
    if page_size - reserved < 480:
        raise FormatError(f"reserved space {reserved} leaves too little usable space")
    change_counter, in_header_pages = struct.unpack(">II", data[24:32])
    valid_for = struct.unpack(">I", data[92:96])[0]
    file_pages = len(data) // page_size
    page_count = in_header_pages if in_header_pages and change_counter == valid_for else file_pages
    first_trunk, freelist_count = struct.unpack(">II", data[32:40])
    enc = struct.unpack(">I", data[56:60])[0]
    encoding = {1: "utf-8", 2: "utf-16-le", 3: "utf-16-be"}.get(enc, "utf-8")
    largest_root = struct.unpack(">I", data[52:56])[0]
    return DatabaseHeader(
        page_size=page_size,
        reserved=reserved,
        page_count=page_count,
        first_trunk=first_trunk,
        freelist_count=freelist_count,
        encoding=encoding,
        wal_mode=data[18] == 2 or data[19] == 2,
        auto_vacuum=largest_root != 0,
    )


@dataclass(frozen=True)
class BtreePageHeader:
    page_type: int
    first_freeblock: int
    cell_count: int
    content_start: int
    fragmented: int
    right_child: int | None
    header_offset: int  # 100 on page 1, 0 elsewhere

    @property
    def header_size(self) -> int:
        return 12 if self.page_type in (TABLE_INTERIOR, INDEX_INTERIOR) else 8

    @property
    def pointer_array_start(self) -> int:
        return self.header_offset + self.header_size

    @property
    def pointer_array_end(self) -> int:
        return self.pointer_array_start + 2 * self.cell_count


def parse_btree_header(page: bytes, pgno: int, usable: int) -> BtreePageHeader:
    """Parse and sanity-check a b-tree page header; FormatError if the page is not one."""
    off = 100 if pgno == 1 else 0
    if len(page) < off + 8:
        raise FormatError(f"page {pgno}: too short for a b-tree header")
    ptype = page[off]
    if ptype not in BTREE_PAGE_TYPES:
        raise FormatError(f"page {pgno}: type byte {ptype:#04x} is not a b-tree page")
    first_free, ncells, content = struct.unpack(">HHH", page[off + 1 : off + 7])
    content = 65536 if content == 0 else content
    right = None
    if ptype in (TABLE_INTERIOR, INDEX_INTERIOR):
        if len(page) < off + 12:
            raise FormatError(f"page {pgno}: too short for an interior header")
        right = struct.unpack(">I", page[off + 8 : off + 12])[0]
    hdr = BtreePageHeader(ptype, first_free, ncells, content, page[off + 7], right, off)
    if hdr.pointer_array_end > usable:
        raise FormatError(f"page {pgno}: {ncells} cell pointers run past the page end")
    if content > usable and ncells:
        raise FormatError(f"page {pgno}: cell content start {content} beyond usable size")
    return hdr


def cell_pointers(page: bytes, hdr: BtreePageHeader, usable: int) -> list[int]:
    start = hdr.pointer_array_start
    return [
        struct.unpack(">H", page[start + 2 * i : start + 2 * i + 2])[0]
        for i in range(hdr.cell_count)
        if start + 2 * i + 2 <= usable
    ]


def freeblocks(page: bytes, hdr: BtreePageHeader, usable: int) -> tuple[list[tuple[int, int]], str]:
    """Walk the freeblock chain; return [(offset, size)] and a note ('' when the chain is sound)."""
    blocks: list[tuple[int, int]] = []
    seen: set[int] = set()
    pos = hdr.first_freeblock
    while pos:
        if pos in seen:
            return blocks, f"freeblock chain loops at offset {pos}"
        if pos < hdr.pointer_array_end or pos + 4 > usable:
            return blocks, f"freeblock at offset {pos} outside the cell content area"
        seen.add(pos)
        nxt, size = struct.unpack(">HH", page[pos : pos + 4])
        if size < 4 or pos + size > usable:
            return blocks, f"freeblock at offset {pos} has impossible size {size}"
        blocks.append((pos, size))
        if nxt and nxt <= pos:
            return blocks, f"freeblock at offset {pos} points backwards to {nxt}"
        pos = nxt
    return blocks, ""


def table_leaf_local_size(payload: int, usable: int) -> int:
    """Bytes of a table-leaf cell payload kept on the page; the rest goes to overflow pages."""
    max_local = usable - 35
    if payload <= max_local:
        return payload
    min_local = (usable - 12) * 32 // 255 - 23
    k = min_local + (payload - min_local) % (usable - 4)
    return k if k <= max_local else min_local


def index_local_size(payload: int, usable: int) -> int:
    max_local = (usable - 12) * 64 // 255 - 23
    if payload <= max_local:
        return payload
    min_local = (usable - 12) * 32 // 255 - 23
    k = min_local + (payload - min_local) % (usable - 4)
    return k if k <= max_local else min_local


@dataclass(frozen=True)
class RecordHeader:
    """Serial types of a record and where its body starts, relative to the header start."""

    header_size: int
    serial_types: tuple[int, ...]

    @property
    def body_size(self) -> int:
        return sum(serial_type_size(st) for st in self.serial_types)

    @property
    def payload_size(self) -> int:
        return self.header_size + self.body_size


def parse_record_header(buf: bytes, pos: int, end: int) -> RecordHeader:
    """Parse a record header at ``pos`` whose bytes must lie before ``end``."""
    hsize, n = read_varint(buf, pos, end)
    if hsize < 1 or hsize > 65536 or pos + hsize > end:
        raise FormatError(f"record header size {hsize} at {pos} does not fit")
    types: list[int] = []
    p = pos + n
    stop = pos + hsize
    while p < stop:
        st, m = read_varint(buf, p, stop)
        serial_type_size(st)
        types.append(st)
        p += m
    if p != stop:
        raise FormatError(f"record header at {pos} overruns its declared size")
    return RecordHeader(hsize, tuple(types))


def decode_record(
    payload: bytes, encoding: str = "utf-8"
) -> tuple[RecordHeader, list[int | float | str | bytes | None], bool]:
    """Decode a full or truncated record payload.

    Returns (header, values, complete); values whose bytes are cut off are returned as the
    bytes that exist (for blobs/text) or None, and ``complete`` is False.
    """
    hdr = parse_record_header(payload, 0, len(payload))
    values, complete = decode_body(hdr.serial_types, payload[hdr.header_size :], encoding)
    return hdr, values, complete


def decode_body(
    serial_types: tuple[int, ...], body: bytes, encoding: str = "utf-8"
) -> tuple[list[int | float | str | bytes | None], bool]:
    """Decode a record body whose serial types are known (possibly rebuilt from a schema)."""
    values: list[int | float | str | bytes | None] = []
    pos = 0
    complete = True
    for st in serial_types:
        size = serial_type_size(st)
        chunk = body[pos : pos + size]
        if len(chunk) < size:
            complete = False
            if not chunk:
                values.append(None)  # nothing of it survives: lost, not an empty value
            elif st >= 12 and st % 2 == 0:
                values.append(bytes(chunk))
            elif st >= 13:
                values.append(bytes(chunk).decode(encoding, errors="replace"))
            else:
                values.append(None)
        else:
            values.append(decode_value(st, chunk, encoding))
        pos += size
    return values, complete
