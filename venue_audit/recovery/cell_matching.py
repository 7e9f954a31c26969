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

import numpy as np

from venue_audit.recovery.cell_candidates import CellCandidate, fits_region, layouts, parse_types
from venue_audit.recovery.lost_headers import could_anchor, match_anchored
from venue_audit.recovery.sqlite_format import (
    FormatError,
    read_varint,
    serial_type_size,
    varint_len,
)
from venue_audit.recovery.table_schema import TableSchema, serial_class


def _index_cell_header_before(
    page: bytes, header_pos: int, payload_size: int, lower: int
) -> tuple[int, None] | None:
    """Index cells (WITHOUT ROWID tables) have only the payload-length varint in front of the
    record: (cell_start, None) when it is intact and agrees with ``payload_size``."""
    start = header_pos - varint_len(payload_size)
    if start < lower:
        return None
    try:
        plen, n = read_varint(page, start, header_pos)
    except FormatError:
        return None
    return (start, None) if plen == payload_size and start + n == header_pos else None


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
        if not n:
            continue
        m = base & (hs >= n + 1) & (hs <= 9 * n + 1)
        if t.rowid_alias == 0:
            m &= first == 0
        else:
            classes = t.classes(0)
            ok = (first >= 0x80) | (first == 0)
            if classes & {"integer", "real"}:
                ok |= (first >= 1) & (first <= 9)
            if "text" in classes:
                ok |= (first >= 13) & (first % 2 == 1)
            if "blob" in classes:
                ok |= (first >= 12) & (first % 2 == 0)
            m &= ok
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
        if not n or not n + 1 <= hsize <= 9 * n + 1:
            continue
        if t.rowid_alias == 0:
            if first != 0:
                continue
        elif first < 0x80 and serial_class(first) not in t.classes(0) | {"null"}:
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
    encoding: str = "utf-8",
) -> CellCandidate | None:
    """Try a record header (header-size varint intact) at offset ``q``."""
    hsize = page[q]
    if hsize < 2 or hsize >= 0x80:
        return None
    if not allow_generic and not _could_start_record(page, q, tables):
        return None
    stop = q + hsize
    if stop > region_end:
        return None
    parsed = parse_types(page, q + 1, stop, None)
    if parsed is None or parsed[1] != stop:
        return None
    serial = parsed[0]
    matches = [t for t in layouts(tables) if t.fits(serial)]
    payload = hsize + sum(serial_type_size(st) for st in serial)
    if matches and matches[0].without_rowid:
        before: tuple[int, int | None] | None = _index_cell_header_before(
            page, q, payload, region_start)
    else:
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
    if not fits_region(cand, region_end, usable, page_count, page, encoding):
        return None
    return cand


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


def _ghost_size(page: bytes, q: int) -> int:
    return (page[q + 2] << 8) | page[q + 3]


def _later_cell_starts(
    page: bytes,
    start: int,
    end: int,
    ghosts: set[int],
    usable: int,
    page_count: int,
    tables: list[TableSchema],
    encoding: str = "utf-8",
) -> tuple[list[int], dict[int, int]]:
    """Starts of cells in a region that are certain on their own: an intact cell header, or a
    stale freeblock header followed by a layout that fits. Stale headers are checked from the
    last to the first, so each knows where the cell after it starts (its own size field may
    cover cells freed after it, which SQLite merged into its block). Returns the starts and,
    for stale headers, where their cell ends."""
    starts: set[int] = set()
    ends: dict[int, int] = {}
    for q in _possible_starts(page, start, end, tables, False):
        cand = match_header_at(page, q, start, end, usable, page_count, tables, False, encoding)
        if cand is not None and cand.method == "intact" and cand.cell_start is not None:
            starts.add(cand.cell_start)
    for g in sorted(ghosts, reverse=True):
        block_end = min(end, g + _ghost_size(page, g))
        if not could_anchor(page, g, block_end, tables):
            continue  # no cell end can make a cell of it: skip trying each one
        # the cell ends at the next cell start inside its block, or at the block's end
        for nxt in sorted({c for c in starts | ghosts if g < c < block_end} | {block_end}):
            cand = match_anchored(page, g, nxt, usable, page_count, tables, nxt - g, encoding,
                                  nxt in starts)
            # a cell cut short is only believed at the block's end: inside the block, a cut
            # would let bytes that merely look like a header (JPEG data) pass as one
            if cand is not None and (cand.truncated_at is None or nxt == block_end):
                starts.add(g)
                ends[g] = nxt
                break
            if nxt in starts:
                break
    return sorted(starts), ends


def _intact_cell_at(
    page: bytes,
    q: int,
    bound: int,
    usable: int,
    page_count: int,
    tables: list[TableSchema],
    encoding: str,
) -> CellCandidate | None:
    """The cell starting at ``q`` when its payload-length (and rowid) varints and record
    header are all intact."""
    for header_at in range(q + 1, min(q + 11, bound)):
        cand = match_header_at(page, header_at, q, bound, usable, page_count, tables, False,
                               encoding)
        if cand is not None and cand.method == "intact" and cand.cell_start == q:
            return cand
    return None


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
    encoding: str = "utf-8",
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
        certain, ghost_ends = _later_cell_starts(page, start, end, ghosts, usable, page_count,
                                                 tables, encoding)
        certain_set = set(certain)
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
            if (q in anchors or q in ghosts) and not (is_freeblock and q == start):
                # a cell after a recovered one, or bytes that look like a stale freeblock
                # header, may still have its own header: read it as it is when it is whole
                cand = _intact_cell_at(page, q, bound, usable, page_count, tables, encoding)
            if cand is not None:
                pass
            elif q in anchors:
                # the cell ends at a certain start, or at the end of the freeblock it opens
                ends_known = i < len(certain) or is_freeblock
                cell_end = min(bound, ghost_ends.get(q, bound))
                cand = match_anchored(page, q, cell_end, usable, page_count, tables,
                                      cell_end - q if ends_known or q in ghost_ends else None,
                                      encoding, cell_end in certain_set)
            elif q in ghosts:
                # a freeblock keeps its header when SQLite reuses the block's tail for a new
                # cell (it just lowers the size), so only the bytes inside the size are trusted
                ghost_size = _ghost_size(page, q)
                block_end = min(bound, ghost_ends.get(q, q + ghost_size))
                cand = match_anchored(page, q, block_end, usable, page_count, tables,
                                      block_end - q, encoding, block_end in certain_set)
                if (
                    cand is not None
                    and cand.truncated_at is not None
                    and cand.local_end(usable) - q != ghost_size  # exact size: structure agrees
                    and not _distinctive(cand, page)
                ):
                    cand = None
            if cand is None:
                cand = match_header_at(page, q, start, bound, usable, page_count, tables,
                                       allow_generic, encoding)
            if cand is not None:
                found.append(cand)
                nxt = cand.truncated_at or cand.local_end(usable)
                anchors.add(nxt)
                q = nxt
                continue
            q += 1
    return found
