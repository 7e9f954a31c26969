"""Deleted cells whose first bytes were overwritten: matched against a table's column layout.

Freeing a cell writes a 4-byte freeblock header over its start: the payload-length and rowid
varints, the record's header-size byte and, for small rows, the first serial type are gone.
What survives (the other serial types and the whole body) is matched against each table's
column layout. The header-size byte is recomputed from the surviving types; a lost first serial
type is rebuilt from the size the cell must have (its freeblock's size, or the distance to the
next cell start that is certain), which fixes the first value's length; when that length is 0
(NULL, 0 or 1 are all possible) the value is reported as lost, never guessed.
"""

from __future__ import annotations

import struct

from venue_audit.recovery.cell_candidates import CellCandidate, fits_region, layouts, parse_types
from venue_audit.recovery.sqlite_format import serial_type_size, varint_len
from venue_audit.recovery.table_schema import TableSchema


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


SCHEMA_ROW_TYPES = (23, 21, 27)  # 'table'/'index' (5 chars), 'view' (4), 'trigger' (7)
NUMERIC_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 6: 5}  # body bytes -> integer serial type


def _plausible_float(raw: bytes) -> bool:
    x = abs(struct.unpack(">d", raw)[0])
    return x == 0 or 1e-30 < x < 1e30


def _types_of_size(table: TableSchema, size: int, raw: bytes) -> list[tuple[int, bool]]:
    """Serial types the first column may have had, given its value took ``size`` bytes:
    [(serial type, value lost)]. Zero bytes means NULL, 0, 1 or '' alike: the value is lost."""
    column = table.columns[0]
    declared = column.declared_type.upper()
    if size < 0:
        return []
    if size == 0:
        return [(0, True)]
    if column.affinity in ("INTEGER", "REAL", "NUMERIC"):
        if size in NUMERIC_SIZES:
            return [(NUMERIC_SIZES[size], False)]
        if size == 8 and len(raw) == 8:
            as_int = int.from_bytes(raw, "big", signed=True)
            if column.affinity == "INTEGER" and abs(as_int) < 1 << 53:
                return [(6, False)]
            return [(7, False)] if _plausible_float(raw) else [(6, False)]
        return []
    st = 13 + 2 * size if column.affinity == "TEXT" else 12 + 2 * size
    if st >= 0x80:
        return []
    if column.affinity == "TEXT" or "BLOB" in declared:
        return [(st, False)]
    return [(st, True)]  # no declared type: number, text or blob alike; keep only its length


def _first_type_guesses(
    page: bytes, cell_start: int, table: TableSchema, size: int | None
) -> list[tuple[int, bool]]:
    """Serial types the overwritten first header byte may have held, for small cells whose
    payload-length and rowid varints are one byte each (so byte 3 of the cell was the first
    serial type): NULL for a rowid alias, the four schema object types for sqlite_master, and
    otherwise the type whose value length makes the cell exactly ``size`` bytes long.
    Returns [(serial type, value lost)]."""
    if table.rowid_alias == 0:
        return [(0, False)]
    if table.name == "sqlite_master":
        return [(st, False) for st in SCHEMA_ROW_TYPES]
    if size is None or size > 2 + 0x7F:  # the payload-length varint was one byte
        return []
    parsed = parse_types(page, cell_start + 4, cell_start + size, len(table.columns) - 1)
    if parsed is None:
        return []
    rest, body_start = parsed
    first_size = cell_start + size - body_start - sum(serial_type_size(st) for st in rest)
    return _types_of_size(table, first_size, page[body_start : body_start + 8])


def match_anchored(
    page: bytes,
    cell_start: int,
    region_end: int,
    usable: int,
    page_count: int,
    tables: list[TableSchema],
    size: int | None,
) -> CellCandidate | None:
    """Match a cell whose start is known but whose first 4 bytes were overwritten.

    ``size`` is the cell's length when a boundary says so (its freeblock's size, or the next
    certain cell start); a cell that fills it exactly is "anchored exact".
    """
    best: CellCandidate | None = None
    for table in layouts(tables):
        ncols = len(table.columns)
        # (offset of the first surviving serial type, serial types lost in front of it, whether
        # the lost type's value is unknown); when the varints take 4+ bytes the header-size
        # byte survives at offset-1 and is checked
        options: list[tuple[int, tuple[int, ...], bool]] = [
            (offset, (), False) for offset in (4, 5, 6, 7, 8)
        ]
        options += [
            (4, (st,), lost) for st, lost in _first_type_guesses(page, cell_start, table, size)
        ]
        for offset, lost, value_lost in options:
            if cell_start + offset >= region_end or not _first_byte_fits(
                table, len(lost), page[cell_start + offset]
            ):
                continue
            parsed = parse_types(page, cell_start + offset, region_end, ncols - len(lost))
            if parsed is None:
                continue
            serial = lost + parsed[0]
            if not value_lost and not table.fits(serial):
                continue
            if value_lost and not table.fits((0, *serial[1:])):
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
            cand = CellCandidate(table, cell_start, payload_start, hsize, serial, None, "anchored",
                                 lost_columns=(0,) if value_lost else ())
            if not fits_region(cand, region_end, usable, page_count, page):
                continue
            if size is not None and cand.local_end(usable) - cell_start == size:
                cand.method = "anchored exact"
            if best is None or (cand.method == "anchored exact" and best.method != cand.method):
                best = cand
    return best
