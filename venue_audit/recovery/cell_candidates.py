"""A candidate deleted cell on a page, and the checks every way of finding one shares.

A candidate says where a record's bytes are (cell start when known, payload start), its serial
types, which table layout it fits and how its boundary was established (``method``, which sets
the base confidence). ``fits_region`` and ``values_plausible`` reject candidates that would
read a record into bytes that are not one: the guard against inventing rows.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from venue_audit.recovery.sqlite_format import (
    FormatError,
    index_local_size,
    read_varint,
    serial_type_size,
    table_leaf_local_size,
    text_is_clean,
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
    lost_columns: tuple[int, ...] = ()  # values whose serial type was overwritten: unknown
    kind: str = "deleted"  # or "unlinked": a live cell on a page no b-tree or freelist reaches

    @property
    def payload_size(self) -> int:
        return self.header_size + sum(serial_type_size(st) for st in self.serial_types)

    def local_size(self, usable: int) -> int:
        if self.table is not None and self.table.without_rowid:
            return index_local_size(self.payload_size, usable)
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


def parse_types(
    page: bytes, pos: int, stop: int, count: int | None
) -> tuple[tuple[int, ...], int] | None:
    """Parse ``count`` serial-type varints from ``pos`` (None: all up to ``stop``, a record
    header's end); None when they are not valid types."""
    types = []
    p = pos
    while (p < stop) if count is None else (len(types) < count):
        try:
            st, n = read_varint(page, p, stop)
        except FormatError:
            return None
        if st in (10, 11):
            return None
        types.append(st)
        p += n
    return tuple(types), p


def values_plausible(
    cand: CellCandidate, page: bytes, usable: int, region_end: int, encoding: str = "utf-8"
) -> bool:
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
            if not text_is_clean(raw, encoding) or (size >= 4 and len(set(raw)) == 1):
                return False  # garbage, or fill patterns (JPEG tables, padding)
            if not any(ch.isalnum() for ch in raw.decode(encoding, errors="ignore")):
                return False  # identifiers, times, names: real text has letters or digits
        pos += size
    return True


def fits_region(
    cand: CellCandidate, region_end: int, usable: int, page_count: int, page: bytes,
    encoding: str = "utf-8",
) -> bool:
    if cand.payload_size <= 0 or cand.payload_size > 1 << 30:
        return False
    if cand.method != "intact" and not values_plausible(cand, page, usable, region_end, encoding):
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


def layouts(tables: list[TableSchema]) -> list[TableSchema]:
    return [t for t in tables if t.columns]
