"""Read a SQLite table's rows in bounded memory, however wide the table or large its values.

Two hostile tables lost faces. A legal 2,000-column table cannot be read with
``select rowid, *`` ("too many columns in result set": SQLite's limit is 2,000
result columns), so wide tables are read in column groups, one cursor per
group in ``rowid`` order, zipped back into rows. A face beside a 500 MB
zeroblob and a 100 MB random blob pushed the scan to 2.8 GB; now a value over
``max_cell_bytes`` is never loaded: a first pass finds such cells from their
length alone (SQLite knows a blob's length without reading it), each becomes a
located "too large to analyse" skip, classified from its first bytes and
hashed by streaming it through SQLite's incremental blob reader, and the rows
are read with that one cell left empty.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from venue_audit.sources import values

MAX_CELL_BYTES = 64 << 20
COLUMNS_PER_QUERY = 500
_PREFIX_BYTES = 4096
_HASH_CHUNK = 1 << 20


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _groups(columns: list[str], size: int = COLUMNS_PER_QUERY) -> list[list[str]]:
    return [columns[i : i + size] for i in range(0, len(columns), size)] or [[]]


@dataclass(frozen=True)
class OversizedCell:
    rowid: int
    column: str
    size: int


def oversized_cells(
    connection: sqlite3.Connection, table: str, columns: list[str], limit: int
) -> Iterator[OversizedCell]:
    """Cells longer than ``limit``, found from their lengths (blob content is not read)."""
    for group in _groups(columns, COLUMNS_PER_QUERY // 2):
        if not group:
            continue
        lengths = ", ".join(f"length({quote_name(c)})" for c in group)
        where = " or ".join(f"length({quote_name(c)}) > {int(limit)}" for c in group)
        sql = f"select rowid, {lengths} from {quote_name(table)} where {where}"
        for row in connection.execute(sql):
            for column, size in zip(group, row[1:], strict=True):
                if size is not None and size > limit:
                    yield OversizedCell(row[0], column, size)


def describe_oversized(connection: sqlite3.Connection, table: str, cell: OversizedCell) -> str:
    """Why the cell was not analysed, what its first bytes look like, and its SHA-256."""
    head, digest = b"", None
    try:
        with connection.blobopen(table, cell.column, cell.rowid, readonly=True) as blob:
            head = blob.read(_PREFIX_BYTES)
            blob.seek(0)
            sha = hashlib.sha256()
            while chunk := blob.read(_HASH_CHUNK):
                sha.update(chunk)
            digest = sha.hexdigest()
    except (sqlite3.Error, ValueError):
        pass
    kind = values.image_kind(head)
    looks = f"begins like a {kind.upper()} picture" if kind else "does not begin like a picture"
    hashed = f", SHA-256 {digest}" if digest else ""
    return (
        f"value of {cell.size} bytes, too large to analyse (limit {MAX_CELL_BYTES}): "
        f"{looks}{hashed}; not read into memory"
    )


def table_rows(
    connection: sqlite3.Connection, table: str, columns: list[str], limit: int = MAX_CELL_BYTES
) -> Iterator[tuple[str, list]]:
    """``(row locator, values)`` in rowid order; cells over ``limit`` come out as None."""
    groups = _groups(columns)
    source = quote_name(table)

    def selected(group: list[str]) -> str:
        return ", ".join(
            f"case when length({quote_name(c)}) > {int(limit)} then null else {quote_name(c)} end"
            for c in group
        )

    try:
        cursors = [
            connection.execute(f"select rowid, {selected(g) or 'null'} from {source} order by rowid")
            for g in groups
        ]
    except sqlite3.DatabaseError:  # WITHOUT ROWID: one query, in the table's own order
        if len(groups) > 1:
            raise
        cursor = connection.execute(f"select null, {selected(groups[0])} from {source}")
        for number, row in enumerate(cursor, 1):
            yield f"row {number}", list(row[1:])
        return
    # A corrupt page raises sqlite3.DatabaseError mid-iteration; the scanner records it
    # against this table and goes on with the next one.
    for parts in zip(*cursors, strict=True):
        row: list = []
        for part in parts:
            row.extend(part[1:])
        yield f"rowid {parts[0][0]}", row[: len(columns)]
