"""Finding deleted table-leaf cells in the free space of a page.

When SQLite deletes a row (secure_delete off) the cell bytes stay where they were; the region
joins the page's freeblock chain, and the first 4 bytes of the region are overwritten by the
freeblock header (next-freeblock offset, size). For rows whose payload-length and rowid varints
take 3 bytes or fewer, that also destroys the record-header-size byte, and possibly the first
serial type. A cell freed at the start of the content area just becomes unallocated space and
keeps its header. Deleted cells freed next to each other merge into one freeblock, so only the
first of them has a freeblock header: the next starts right where the previous cell ended.

Three ways to find a record, in decreasing confidence (see ``CONFIDENCE``):

* ``intact``  - record header parsed at some offset, and the payload-length and rowid varints in
  front of it agree with the record's size: the cell header survived.
* ``anchored`` - the cell start is known (freeblock start, or end of the previous recovered cell),
  its first 4 bytes are lost, and the serial types that follow fit the table's column layout;
  the header-size byte is recomputed from them.
* ``scan``    - a record header parsed at some offset fits a table's column layout, but nothing in
  front of it confirms the cell boundary.
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass

import numpy as np

from venue_audit.recovery.sqlite_format import (
    FormatError,
    read_varint,
    serial_type_size,
    table_leaf_local_size,
    text_is_clean,
    varint_len,
)
from venue_audit.recovery.table_schema import TableSchema

CONFIDENCE = {
    "cell pointer": 0.95,  # a full cell still listed in a page's cell pointer array
    "intact": 0.9,
    "anchored exact": 0.85,  # anchored, and the freeblock size equals the cell size
    "anchored": 0.75,
    "scan": 0.6,
}
GENERIC_FACTOR = 0.7  # record whose serial types fit no known table (dropped table?)


@dataclass
class CellCandidate:
    table: TableSchema | None
    cell_start: int | None
    payload_start: int
    header_size: int
    serial_types: tuple[int, ...]
    rowid: int | None
    method: str
    truncated_at: int | None = None  # region end when later data overwrote the cell's tail

    @property
    def payload_size(self) -> int:
        return self.header_size + sum(serial_type_size(st) for st in self.serial_types)

    def local_size(self, usable: int) -> int:
        return table_leaf_local_size(self.payload_size, usable)

    def local_end(self, usable: int) -> int:
        """Offset just past the cell's bytes on the page (including any overflow pointer)."""
        local = self.local_size(usable)
        extra = 4 if local < self.payload_size else 0
        return self.payload_start + local + extra

    def overflow_first(self, page: bytes, usable: int) -> int | None:
        if self.truncated_at is not None:
            return None
        local = self.local_size(usable)
        if local >= self.payload_size:
            return None
        at = self.payload_start + local
        return struct.unpack(">I", page[at : at + 4])[0]


def _parse_types(page: bytes, pos: int, stop: int, count: int) -> tuple[tuple[int, ...], int] | None:
    """Parse ``count`` serial-type varints from ``pos``; None when they are not valid types."""
    types = []
    p = pos
    for _ in range(count):
        try:
            st, n = read_varint(page, p, stop)
        except FormatError:
            return None
        if st in (10, 11):
            return None
        types.append(st)
        p += n
    return tuple(types), p


def _cell_header_before(page: bytes, header_pos: int, payload_size: int, lower: int) -> tuple[int, int] | None:
    """If the payload-length and rowid varints ending just before ``header_pos`` are intact and
    agree with ``payload_size``, return (cell_start, rowid).

    The rowid varint is delimited by the payload-length varint's last byte (high bit clear);
    the payload-length varint's start is not (bytes before a cell are arbitrary), so each
    possible length is tried against the known payload size.
    """
    end_rowid = header_pos - 1
    if end_rowid < lower or page[end_rowid] & 0x80:
        return None
    start_rowid = end_rowid
    while start_rowid - 1 >= lower and page[start_rowid - 1] & 0x80 and end_rowid - start_rowid < 8:
        start_rowid -= 1
    end_len = start_rowid - 1
    if end_len < lower or page[end_len] & 0x80:
        return None
    want = varint_len(payload_size)
    start_len = end_len - want + 1
    if start_len < lower:
        return None
    try:
        plen, n1 = read_varint(page, start_len, start_rowid)
        rowid, n2 = read_varint(page, start_rowid, header_pos)
    except FormatError:
        return None
    if plen != payload_size or start_len + n1 != start_rowid or start_rowid + n2 != header_pos:
        return None
    if rowid >= 1 << 63:
        rowid -= 1 << 64
    return start_len, rowid


def _values_plausible(cand: CellCandidate, page: bytes, usable: int, region_end: int) -> bool:
    """Reject layouts that fit by accident: (nearly) all-NULL rows, and text values on the page
    that are not clean text. Only needed when the cell boundary is not confirmed."""
    table = cand.table
    data_cols = [
        st for i, st in enumerate(cand.serial_types) if table is None or i != table.rowid_alias
    ]
    informative = sum(1 for st in data_cols if serial_type_size(st) > 0)  # not NULL, 0, 1, empty
    if informative < min(2, len(data_cols)):
        return False
    has_scalar_columns = table is None or any(
        "BLOB" not in c.declared_type.upper() for i, c in enumerate(table.columns)
        if i != table.rowid_alias
    )
    scalars = sum(1 for st in data_cols if serial_type_size(st) > 0 and not (st >= 12 and st % 2 == 0))
    if has_scalar_columns and scalars == 0:
        return False  # blobs alone do not show a boundary is right
    local_end = min(cand.payload_start + cand.local_size(usable), region_end)
    pos = cand.payload_start + cand.header_size
    for st in cand.serial_types:
        size = serial_type_size(st)
        if st == 7 and pos + 8 <= local_end:
            x = abs(struct.unpack(">d", page[pos : pos + 8])[0])
            if not (x == 0 or 1e-30 < x < 1e30):
                return False  # NaN, inf or absurd magnitudes: the boundary is wrong
        if st >= 13 and st % 2 and size:
            if pos + size > local_end:
                break
            raw = page[pos : pos + size]
            if not text_is_clean(raw) or (size >= 4 and len(set(raw)) == 1):
                return False  # garbage, or fill patterns (JPEG tables, padding)
            if not any(ch.isalnum() for ch in raw.decode("utf-8", errors="ignore")):
                return False  # identifiers, times, names: real text has letters or digits
        pos += size
    return True


def _fits_region(cand: CellCandidate, region_end: int, usable: int, page_count: int, page: bytes) -> bool:
    if cand.payload_size <= 0 or cand.payload_size > 1 << 30:
        return False
    if cand.method != "intact" and not _values_plausible(cand, page, usable, region_end):
        return False
    if cand.method == "intact" and not any(
        serial_type_size(st) > 0
        for i, st in enumerate(cand.serial_types)
        if cand.table is None or i != cand.table.rowid_alias
    ):
        return False  # an all-NULL/empty record in free space is indistinguishable from zeros
    end = cand.local_end(usable)
    if end > usable:
        return False
    if end > region_end:
        # The tail was overwritten (live cells written over it): keep the row only if its
        # header and its first stored value lie inside the free region.
        pos = cand.payload_start + cand.header_size
        first_value_end = pos
        for i, st in enumerate(cand.serial_types):
            size = serial_type_size(st)
            pos += size
            if size and (cand.table is None or i != cand.table.rowid_alias):
                first_value_end = pos
                break
        if first_value_end > region_end or cand.method == "scan":
            return False
        cand.truncated_at = region_end
        return True
    first = cand.overflow_first(page, usable)
    # beyond the current page count is allowed: auto_vacuum and VACUUM shrink the file
    return first is None or 2 <= first < 1 << 31


def _layouts(tables: list[TableSchema]) -> list[TableSchema]:
    return [t for t in tables if t.columns and not t.without_rowid]


def _first_byte_fits(table: TableSchema, column: int, byte: int) -> bool:
    """Could ``byte`` begin the serial type of ``column``? (Multi-byte varints always could.)"""
    if column >= len(table.columns) or byte >= 0x80:
        return column < len(table.columns)
    if column == table.rowid_alias:
        return byte == 0
    aff = table.columns[column].affinity
    if byte == 0:
        return True
    if aff == "TEXT":
        return byte >= 13 and byte % 2 == 1
    if aff in ("INTEGER", "REAL", "NUMERIC"):
        return byte <= 9
    if "BLOB" in table.columns[column].declared_type.upper():
        return byte >= 12 and byte % 2 == 0
    return byte not in (10, 11)


def _possible_starts(
    page: bytes, start: int, end: int, tables: list[TableSchema], allow_generic: bool
) -> list[int]:
    """Offsets in [start, end) where ``_could_start_record`` holds, computed for the whole
    region at once so the byte-by-byte loops only visit these (and stale freeblock headers)."""
    if end - start < 2:
        return []
    arr = np.frombuffer(page, dtype=np.uint8)
    hs = arr[start : end - 1].astype(np.int32)
    first = arr[start + 1 : end].astype(np.int32)
    base = (hs >= 2) & (hs < 0x80)
    if allow_generic:
        return (np.flatnonzero(base) + start).tolist()
    mask = np.zeros_like(base)
    for t in tables:
        n = len(t.columns)
        if not n or t.without_rowid:
            continue
        m = base & (hs >= n + 1) & (hs <= 9 * n + 1)
        if t.rowid_alias == 0:
            m &= first == 0
        else:
            aff = t.columns[0].affinity
            multi = first >= 0x80
            if aff == "TEXT":
                m &= multi | (first == 0) | ((first >= 13) & (first % 2 == 1))
            elif aff in ("INTEGER", "REAL", "NUMERIC"):
                m &= multi | (first <= 9)
        mask |= m
    return (np.flatnonzero(mask) + start).tolist()


def _next_interesting(q: int, starts: list[int], ghosts: list[int], end: int) -> int:
    i = bisect.bisect_left(starts, q)
    j = bisect.bisect_left(ghosts, q)
    return min(starts[i] if i < len(starts) else end, ghosts[j] if j < len(ghosts) else end)


def _could_start_record(page: bytes, q: int, tables: list[TableSchema]) -> bool:
    """Cheap test of the header-size byte and the first serial type against each layout, so the
    byte-by-byte scans only parse varints where a record of some table could start."""
    if q + 1 >= len(page):
        return False
    hsize, first = page[q], page[q + 1]
    for t in tables:
        n = len(t.columns)
        if not n or t.without_rowid or not n + 1 <= hsize <= 9 * n + 1:
            continue
        if t.rowid_alias == 0:
            if first != 0:
                continue
        elif first < 0x80:
            aff = t.columns[0].affinity
            if aff == "TEXT" and first != 0 and (first < 13 or first % 2 == 0):
                continue
            if aff in ("INTEGER", "REAL", "NUMERIC") and first > 9:
                continue
        return True
    return False


def match_header_at(
    page: bytes,
    q: int,
    region_start: int,
    region_end: int,
    usable: int,
    page_count: int,
    tables: list[TableSchema],
    allow_generic: bool,
) -> CellCandidate | None:
    """Try a record header (header-size varint intact) at offset ``q``."""
    hsize = page[q]
    if hsize < 2 or hsize >= 0x80:
        return None
    if not allow_generic and not _could_start_record(page, q, tables):
        return None
    types: list[int] = []
    p = q + 1
    stop = q + hsize
    if stop > region_end:
        return None
    while p < stop:
        try:
            st, n = read_varint(page, p, stop)
        except FormatError:
            return None
        if st in (10, 11):
            return None
        types.append(st)
        p += n
    if p != stop:
        return None
    serial = tuple(types)
    matches = [t for t in _layouts(tables) if t.fits(serial)]
    payload = hsize + sum(serial_type_size(st) for st in serial)
    before = _cell_header_before(page, q, payload, region_start)
    if matches:
        table = matches[0]
    elif allow_generic and before is not None:
        table = None
    else:
        return None
    method = "intact" if before is not None else "scan"
    cand = CellCandidate(
        table, before[0] if before else None, q, hsize, serial, before[1] if before else None, method
    )
    if not _fits_region(cand, region_end, usable, page_count, page):
        return None
    return cand


SCHEMA_ROW_TYPES = (23, 21, 27)  # 'table'/'index' (5 chars), 'view' (4), 'trigger' (7)


def _first_type_guesses(
    page: bytes, cell_start: int, table: TableSchema, block_size: int | None
) -> list[int]:
    """Serial types the overwritten first header byte may have held, for small cells whose
    payload-length and rowid varints are one byte each (so byte 3 of the cell was the first
    serial type): NULL for a rowid alias, the four schema object types for sqlite_master, and
    for a TEXT column the length that makes the cell fill its freeblock exactly."""
    if table.rowid_alias == 0:
        return [0]
    if table.name == "sqlite_master":
        return list(SCHEMA_ROW_TYPES)
    if table.columns[0].affinity != "TEXT" or block_size is None:
        return []
    parsed = _parse_types(page, cell_start + 4, cell_start + block_size, len(table.columns) - 1)
    if parsed is None:
        return []
    rest = parsed[0]
    payload = block_size - 2
    guesses = []
    for st0_len in (1, 2):
        hsize = 1 + st0_len + sum(varint_len(st) for st in rest)
        text_len = payload - hsize - sum(serial_type_size(st) for st in rest)
        st0 = 13 + 2 * text_len
        if text_len >= 0 and varint_len(st0) == st0_len and payload < 0x80:
            guesses.append(st0)
    return guesses


def match_anchored(
    page: bytes,
    cell_start: int,
    region_end: int,
    usable: int,
    page_count: int,
    tables: list[TableSchema],
    block_size: int | None,
) -> CellCandidate | None:
    """Match a cell whose start is known but whose first 4 bytes were overwritten."""
    best: CellCandidate | None = None
    for table in _layouts(tables):
        ncols = len(table.columns)
        # (types start offset from cell_start, serial types lost at the front)
        # (offset of the first surviving serial type, serial types lost in front of it); when
        # the varints take 4+ bytes the header-size byte survives at offset-1 and is checked
        options: list[tuple[int, tuple[int, ...]]] = [(4, ()), (5, ()), (6, ()), (7, ()), (8, ())]
        options += [(4, (st,)) for st in _first_type_guesses(page, cell_start, table, block_size)]
        for offset, lost in options:
            if cell_start + offset >= region_end or not _first_byte_fits(
                table, len(lost), page[cell_start + offset]
            ):
                continue
            parsed = _parse_types(page, cell_start + offset, region_end, ncols - len(lost))
            if parsed is None:
                continue
            serial = lost + parsed[0]
            if not table.fits(serial):
                continue
            hsize = 1 + sum(varint_len(st) for st in serial)
            if hsize >= 0x80 or (offset > 4 and page[cell_start + offset - 1] != hsize):
                continue
            payload_start = cell_start + offset - 1 - len(lost)
            payload = hsize + sum(serial_type_size(st) for st in serial)
            prefix = payload_start - cell_start  # bytes of payload-length + rowid varints
            if prefix < varint_len(payload) + 1:
                continue
            if prefix - varint_len(payload) > 9:
                continue
            cand = CellCandidate(table, cell_start, payload_start, hsize, serial, None, "anchored")
            if not _fits_region(cand, region_end, usable, page_count, page):
                continue
            if block_size is not None and cand.local_end(usable) - cell_start == block_size:
                cand.method = "anchored exact"
            if best is None or (cand.method == "anchored exact" and best.method != cand.method):
                best = cand
    return best


def _ghost_freeblock_headers(page: bytes, start: int, end: int, usable: int) -> set[int]:
    """Offsets that look like a stale freeblock header (next offset 0 or forward, size >= 8
    within the page). A deleted cell keeps such a header after SQLite moves the cell content
    boundary past it or rewrites the page around it, so its start is still marked."""
    stop = max(start, end - 4)
    if stop <= start:
        return set()
    arr = np.frombuffer(page, dtype=np.uint8).astype(np.int32)
    f = np.arange(start, stop)
    nxt = (arr[start:stop] << 8) | arr[start + 1 : stop + 1]
    size = (arr[start + 2 : stop + 2] << 8) | arr[start + 3 : stop + 3]
    # freeblocks are kept in address order and never adjacent
    ok = (size >= 8) & (f + size <= usable) & ((nxt == 0) | ((f + size + 4 <= nxt) & (nxt < usable)))
    return set((np.flatnonzero(ok) + start).tolist())


def _later_cell_starts(
    page: bytes,
    start: int,
    end: int,
    ghosts: set[int],
    usable: int,
    page_count: int,
    tables: list[TableSchema],
) -> list[int]:
    """Starts of cells in a region that are certain on their own: an intact cell header, or a
    stale freeblock header followed by a layout that fits."""
    starts = []
    for q in sorted(set(_possible_starts(page, start, end, tables, False)) | ghosts):
        if q in ghosts and match_anchored(page, q, end, usable, page_count, tables, None):
            starts.append(q)
            continue
        cand = match_header_at(page, q, start, end, usable, page_count, tables, False)
        if cand is not None and cand.method == "intact" and cand.cell_start is not None:
            starts.append(cand.cell_start)
    return sorted(set(starts))


def _distinctive(cand: CellCandidate, page: bytes) -> bool:
    """At least two non-blob values of 4+ bytes survive whole before the cut: enough to tell a
    real row from JPEG tables that happen to parse as a record."""
    pos = cand.payload_start + cand.header_size
    cut = cand.truncated_at or pos
    whole = 0
    for st in cand.serial_types:
        size = serial_type_size(st)
        if pos + size > cut:
            break
        if size >= 4 and not (st >= 12 and st % 2 == 0):
            whole += 1
        pos += size
    return whole >= 2


def find_deleted_cells(
    page: bytes,
    regions: list[tuple[int, int, bool]],
    usable: int,
    page_count: int,
    tables: list[TableSchema],
    allow_generic: bool = False,
) -> list[CellCandidate]:
    """Find deleted cells in free regions given as (start, end, starts_with_freeblock_header).

    First the cell starts that are certain on their own are collected; a cell is then never
    read past the next certain start, because that cell was written later over its tail
    (SQLite moves cells through pages while rebalancing). ``allow_generic`` accepts records that
    fit no table layout when their cell header is intact (for databases whose schema could not
    be read).
    """
    found: list[CellCandidate] = []
    for start, end, is_freeblock in regions:
        end = min(end, usable)
        if end - start < 4:
            continue
        ghosts = _ghost_freeblock_headers(page, start, end, usable)
        certain = _later_cell_starts(page, start, end, ghosts, usable, page_count, tables)
        anchors = {start} if is_freeblock else set()
        possible = _possible_starts(page, start, end, tables, allow_generic)
        possible_set = set(possible)
        ghost_list = sorted(ghosts)
        q = start
        while q < end - 1:
            if q not in anchors and q not in ghosts and q not in possible_set:
                q = max(q + 1, _next_interesting(q, possible, ghost_list, end - 1))
                continue
            i = bisect.bisect_right(certain, q)
            bound = certain[i] if i < len(certain) else end
            cand = None
            if q in anchors:
                size = end - start if is_freeblock and q == start and bound == end else None
                cand = match_anchored(page, q, bound, usable, page_count, tables, size)
            elif q in ghosts:
                # a freeblock keeps its header when SQLite reuses the block's tail for a new
                # cell (it just lowers the size), so only the bytes inside the size are trusted
                ghost_size = (page[q + 2] << 8) | page[q + 3]
                block_end = min(bound, q + ghost_size)
                cand = match_anchored(page, q, block_end, usable, page_count, tables, None)
                if (
                    cand is not None
                    and cand.truncated_at is not None
                    and cand.local_end(usable) - q != ghost_size  # exact size: structure agrees
                    and not _distinctive(cand, page)
                ):
                    cand = None
            if cand is None:
                cand = match_header_at(page, q, start, bound, usable, page_count, tables,
                                       allow_generic)
            if cand is not None:
                found.append(cand)
                nxt = cand.truncated_at or cand.local_end(usable)
                anchors.add(nxt)
                q = nxt
                continue
            q += 1
    return found
