"""Deleted cells whose first bytes were overwritten: matched against a table's column layout.

Freeing a cell writes a 4-byte freeblock header over its start: the payload-length and rowid
varints, the record's header-size byte and, for small rows, the first serial type are gone.
What survives (the other serial types and the whole body) is matched against each table's
column layout. The header-size byte is recomputed from the surviving types; a lost first serial
type is rebuilt from the size the cell must have (its freeblock's size, or the distance to the
next cell start that is certain), which fixes the first value's length; when that length is 0
(NULL, 0 or 1 are all possible) the value is reported as lost, never guessed. Index cells
(WITHOUT ROWID tables) have no rowid varint and lose two serial types; only a split of their
combined length that is the single one consistent with the table is used.
"""

from __future__ import annotations

import struct

from venue_audit.recovery.cell_candidates import CellCandidate, fits_region, layouts, parse_types
from venue_audit.recovery.sqlite_format import serial_type_size, text_is_clean, varint_len
from venue_audit.recovery.table_schema import TableSchema, serial_class


def _first_byte_fits(table: TableSchema, column: int, byte: int) -> bool:
    """Could ``byte`` begin the serial type of ``column``? (Multi-byte varints always could.)"""
    if column >= len(table.columns) or byte >= 0x80:
        return column < len(table.columns)
    if column == table.rowid_alias:
        return byte == 0
    return byte not in (10, 11) and (byte == 0 or serial_class(byte) in table.classes(column))


SCHEMA_ROW_TYPES = (23, 21, 27)  # 'table'/'index' (5 chars), 'view' (4), 'trigger' (7)
NUMERIC_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 6: 5}  # body bytes -> integer serial type


def _plausible_float(raw: bytes) -> bool:
    x = abs(struct.unpack(">d", raw)[0])
    return x == 0 or 1e-30 < x < 1e30


def _types_of_size(
    table: TableSchema, column: int, size: int, raw: bytes, encoding: str, seen_only: bool
) -> list[tuple[int, bool]]:
    """Serial types ``column`` may have had, given its value took ``size`` bytes starting with
    ``raw``: [(serial type, value lost)]. Zero bytes means NULL, 0, 1 or '' alike: the value is
    lost. Text must decode cleanly; with ``seen_only``, sizes never seen in the column's live
    values (``value_sizes``, when they are few) are ruled out."""
    if size < 0:
        return []
    if size == 0:
        return [(0, True)]
    seen = table.value_sizes.get(column) if seen_only else None
    if seen is not None and size not in seen:
        return []
    classes = table.classes(column) - {"null"}
    options: list[tuple[int, bool]] = []
    if classes & {"integer", "real"}:
        if size in NUMERIC_SIZES:
            options.append((NUMERIC_SIZES[size], False))
        elif size == 8 and len(raw) >= 8:
            as_int = int.from_bytes(raw[:8], "big", signed=True)
            if "real" not in classes or ("integer" in classes and abs(as_int) < 1 << 53):
                options.append((6, False))
            else:
                options.append((7, False) if _plausible_float(raw[:8]) else (6, False))
    if 13 + 2 * size < 0x80:
        if "text" in classes and text_is_clean(raw[:size], encoding):
            options.append((13 + 2 * size, False))
        if "blob" in classes:
            options.append((12 + 2 * size, False))
    if len(options) > 1:  # a number, a text or a blob alike: keep only the value's length
        return [(12 + 2 * size, True)] if 12 + 2 * size < 0x80 else []
    return options


def _lost_first_types(
    page: bytes, cell_start: int, table: TableSchema, lost: int, size: int | None,
    encoding: str, next_cell_known: bool,
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """What the ``lost`` overwritten serial types (one byte each, bytes 4-lost..3 of the cell)
    may have been: [(serial types, columns whose value is unknown)].

    One lost type: NULL for a rowid alias, the four schema object types for sqlite_master,
    otherwise the type whose value length makes the cell exactly ``size`` bytes long. Two lost
    types (index cells, which have no rowid varint): their combined length is known; a split
    is used when exactly one fits both columns (value sizes seen in live rows, clean text),
    else the cell is not rebuilt (later values cannot be placed). A size that is only a
    freeblock's may be short of the cell (``next_cell_known`` False): then a split also needs
    the sizes seen in live rows of both columns.
    """
    if lost == 1 and table.rowid_alias == 0:
        return [((0,), ())]
    if lost == 1 and table.name == "sqlite_master":
        return [((st,), ()) for st in SCHEMA_ROW_TYPES]
    if size is None:
        return []
    parsed = parse_types(page, cell_start + 4, cell_start + size, len(table.columns) - lost)
    if parsed is None:
        return []
    rest, body_start = parsed
    first_size = cell_start + size - body_start - sum(serial_type_size(st) for st in rest)
    raw = page[body_start : body_start + max(first_size, 0)]
    if lost == 1 and first_size < 0 and len(table.value_sizes.get(0, ())) == 1:
        # the cell runs past its freeblock (a later cell took the block's tail): the lost
        # value's length is the one every live value of the column has; the tail is cut
        (only,) = table.value_sizes[0]
        raw = page[body_start : body_start + only]
        return [((st,), (0,) if unknown else ())
                for st, unknown in _types_of_size(table, 0, only, raw, encoding, True)]
    if lost == 1:
        return [((st,), (0,) if unknown else ())
                for st, unknown in _types_of_size(table, 0, first_size, raw, encoding, False)]
    if first_size < 0:
        return []
    if not next_cell_known and not (0 in table.value_sizes and 1 in table.value_sizes):
        return []  # the size may be short of the cell; only known value sizes can tell
    splits = [
        ((st0, st1), tuple(i for i, u in ((0, u0), (1, u1)) if u))
        for size0 in range(first_size + 1)
        for st0, u0 in _types_of_size(table, 0, size0, raw, encoding, True)
        for st1, u1 in _types_of_size(table, 1, first_size - size0, raw[size0:], encoding, True)
    ]
    return splits if len(splits) == 1 else []


def could_anchor(page: bytes, cell_start: int, end: int, tables: list[TableSchema]) -> bool:
    """Could a header-less cell start at ``cell_start`` and end by ``end``? A necessary check
    that does not depend on where exactly the cell ends: the serial types that survive (from
    byte 4 on, after 0-2 lost ones) parse and fit some table with the lost ones taken as NULL.
    It lets a page full of bytes that merely look like stale freeblock headers (image data, zero
    runs) be skipped before each of them is tried against every possible cell end."""
    for table in layouts(tables):
        ncols = len(table.columns)
        options = [(offset, 0) for offset in (4, 5, 6, 7, 8)]
        options += [(4, lost) for lost in ((1,) if not table.without_rowid else (1, 2))]
        for offset, lost in options:
            if cell_start + offset >= end or not _first_byte_fits(
                table, lost, page[cell_start + offset]
            ):
                continue
            parsed = parse_types(page, cell_start + offset, end, ncols - lost)
            if parsed is not None and table.fits((0,) * lost + parsed[0]):
                return True
    return False


def match_anchored(
    page: bytes,
    cell_start: int,
    region_end: int,
    usable: int,
    page_count: int,
    tables: list[TableSchema],
    size: int | None,
    encoding: str = "utf-8",
    next_cell_known: bool = False,
) -> CellCandidate | None:
    """Match a cell whose start is known but whose first 4 bytes were overwritten.

    ``size`` is the cell's length when a boundary says so (its freeblock's size, or the next
    certain cell start); a cell that fills it exactly is "anchored exact". A freeblock's own
    size can be short of its cell (SQLite allocates new cells from a freeblock's tail), which
    the two-type split of index cells must allow for unless ``next_cell_known``: the size ends
    at a cell start found on its own. A table-leaf cell starts with payload-length and rowid
    varints, an index cell (WITHOUT ROWID table) with the payload length only; the record
    header follows.
    """
    best: CellCandidate | None = None
    for table in layouts(tables):
        ncols = len(table.columns)
        has_rowid = not table.without_rowid
        # (offset of the first surviving serial type, serial types lost in front of it, columns
        # whose value is unknown); when the varints take 4+ bytes the header-size byte survives
        # at offset-1 and is checked
        options: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = [
            (offset, (), ()) for offset in (4, 5, 6, 7, 8)
        ]
        for lost in (1,) if has_rowid else (1, 2):
            options += [
                (4, types, unknown)
                for types, unknown in _lost_first_types(
                    page, cell_start, table, lost, size, encoding, next_cell_known)
            ]
        for offset, lost, unknown in options:
            if cell_start + offset >= region_end or not _first_byte_fits(
                table, len(lost), page[cell_start + offset]
            ):
                continue
            parsed = parse_types(page, cell_start + offset, region_end, ncols - len(lost))
            if parsed is None:
                continue
            serial = lost + parsed[0]
            if not table.fits(tuple(0 if i in unknown else st for i, st in enumerate(serial))):
                continue
            # lost types took one byte each; surviving ones are measured where they lie
            hsize = 1 + len(lost) + parsed[1] - (cell_start + offset)
            if hsize >= 0x80 or (offset > 4 and page[cell_start + offset - 1] != hsize):
                continue
            payload_start = cell_start + offset - 1 - len(lost)
            payload = hsize + sum(serial_type_size(st) for st in serial)
            prefix = payload_start - cell_start  # bytes of the varints in front of the record
            if has_rowid and not varint_len(payload) + 1 <= prefix <= varint_len(payload) + 9:
                continue
            if not has_rowid and prefix != varint_len(payload):
                continue
            cand = CellCandidate(table, cell_start, payload_start, hsize, serial, None, "anchored",
                                 lost_columns=unknown)
            if not fits_region(cand, region_end, usable, page_count, page, encoding):
                continue
            if size is not None and cand.local_end(usable) - cell_start == size:
                cand.method = "anchored exact"
            if best is None or (cand.method == "anchored exact" and best.method != cand.method):
                best = cand
    return best
