"""SQLite databases, opened read-only and immutable, every table offered to the classifier.

``immutable=1`` makes SQLite skip locking and never create -wal/-shm files
beside the evidence. A database that lives inside an archive is first copied
to a private temporary file (SQLite cannot open bytes in memory through the
URI interface); the copy is deleted as soon as the tables are read.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from venue_audit.acquire.items import open_evidence
from venue_audit.acquire.private_copy import copy_evidence
from venue_audit.recovery import CarvedItem, RecoveredRecord, recover_sqlite
from venue_audit.sources.base import (
    Item,
    Problem,
    ScanContext,
    SourceReader,
    StoreFound,
    TableRows,
    Yield,
)
from venue_audit.sources.profiles.registry import reading_order
from venue_audit.sources.registry import register
from venue_audit.sources.sqlite_tables import (
    MAX_CELL_BYTES,
    describe_oversized,
    oversized_cells,
    quote_name,
    table_rows,
)

_IN_MEMORY_DATABASE = 256 << 20
MAX_RECOVERY_BYTES = 256 << 20  # measured: a 195 MB database peaked at 633 MB RSS in recovery

_BLOCKED = (
    sqlite3.SQLITE_INSERT,
    sqlite3.SQLITE_UPDATE,
    sqlite3.SQLITE_DELETE,
    sqlite3.SQLITE_DROP_TABLE,
    sqlite3.SQLITE_CREATE_TABLE,
    sqlite3.SQLITE_ATTACH,
)


def _read_only_authorizer(action: int, *args: object) -> int:
    """Refuse every writing action, so a hostile view or trigger cannot write even in theory."""
    return sqlite3.SQLITE_DENY if action in _BLOCKED else sqlite3.SQLITE_OK


def companion(path: str, suffix: str) -> Path | None:
    """The ``-wal`` or ``-journal`` beside a database, when it is a non-empty regular file.

    A symlink in its place (to ``/etc/passwd``, or to another case's WAL) is not
    followed: only evidence is read.
    """
    candidate = Path(path + suffix)
    try:
        info = os.lstat(candidate)
    except OSError:
        return None
    return candidate if stat.S_ISREG(info.st_mode) and info.st_size else None


@contextmanager
def open_read_only(
    item: Item, notes: list[str] | None = None
) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the database as its last committed state.

    SQLite cannot be asked to open evidence with ``O_NOATIME``, so it never opens
    evidence at all: the bytes are read through the read-only opener, into memory
    (``deserialize``) up to ``_IN_MEMORY_DATABASE`` bytes and into a private
    temporary copy above that, together with a ``-wal`` beside the database
    (committed transactions not yet checkpointed). A malformed row in
    ``sqlite_master`` is passed over and said in ``notes``, so it does not cost
    the rest of the database.
    """
    wal = companion(item.path, "-wal") if item.path else None
    if wal is None and (item.path is None or item.size <= _IN_MEMORY_DATABASE):
        connection = sqlite3.connect(":memory:")  # not evidence: bytes read via the opener
        try:
            connection.deserialize(_rollback_mode(item.read()))
            with _checked(connection, notes) as checked:
                yield checked
        finally:
            connection.close()
        return
    with tempfile.TemporaryDirectory(prefix="venue-audit-") as scratch:
        copy = Path(scratch) / "copy.sqlite"
        if item.path is not None:
            copy_evidence(Path(item.path), copy)
        else:
            copy.write_bytes(item.read())
        if wal is not None:
            copy_evidence(wal, Path(scratch) / "copy.sqlite-wal")
        connection = sqlite3.connect(f"file:{quote(str(copy))}?mode=ro", uri=True)
        try:
            with _checked(connection, notes) as checked:
                yield checked
        finally:
            connection.close()


def _rollback_mode(data: bytes) -> bytes:
    """A WAL-mode header switched to rollback mode: an in-memory copy cannot have a WAL.

    Only used when no ``-wal`` exists, so every committed page is in the file itself.
    """
    if len(data) >= 20 and data[:16] == b"SQLite format 3\x00" and data[18:20] == b"\x02\x02":
        return data[:18] + b"\x01\x01" + data[20:]
    return data


@contextmanager
def _checked(
    connection: sqlite3.Connection, notes: list[str] | None
) -> Iterator[sqlite3.Connection]:
    try:
        connection.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        if "malformed database schema" not in str(error):
            raise
        # The schema rows that parse are still usable once SQLite stops insisting on all of them.
        connection.execute("pragma writable_schema = on")
        connection.execute("select count(*) from sqlite_master").fetchone()
        if notes is not None:
            notes.append(f"{error}: that schema entry was passed over, the rest read")
    connection.set_authorizer(_read_only_authorizer)
    yield connection


@register
class SqliteReader(SourceReader):
    NAME = "sqlite"
    DESCRIPTION = "SQLite database (every table; read-only, immutable)"

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type == "sqlite"

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        notes: list[str] = []
        try:
            with open_read_only(item, notes) as connection:
                for note in notes:
                    yield Problem(item.locator, note)
                tables = [
                    row[0]
                    for row in connection.execute(
                        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name"
                    )
                ]
                counts = {}
                for table in tables:
                    try:
                        counts[table] = connection.execute(
                            f"select count(*) from {quote_name(table)}"
                        ).fetchone()[0]
                    except sqlite3.DatabaseError as error:
                        yield Problem(
                            f"{item.locator}, table {table}", f"cannot count rows: {error}"
                        )
                yield StoreFound("sqlite", details={"tables": counts})
                for table in reading_order(tables):
                    yield from self._table(connection, item, table)
        except sqlite3.DatabaseError as error:
            yield Problem(item.locator, f"not a readable SQLite database: {error}")
        yield from recovered_tables(item)

    def _table(self, connection: sqlite3.Connection, item: Item, table: str) -> Iterator[Yield]:
        try:
            info = connection.execute(f"pragma table_info({quote_name(table)})").fetchall()
        except sqlite3.DatabaseError as error:
            yield Problem(f"{item.locator}, table {table}", f"cannot read the schema: {error}")
            return
        columns = [row[1] for row in info]
        types = [row[2] for row in info]
        located = f"{item.locator}, table {table}"
        if not columns:
            yield Problem(located, "no columns could be read from its schema entry: not read")
            return
        try:
            for cell in oversized_cells(connection, table, columns, MAX_CELL_BYTES):
                yield Problem(
                    f"{located}, rowid {cell.rowid}, column {cell.column}",
                    describe_oversized(connection, table, cell),
                )
        except sqlite3.DatabaseError as error:  # WITHOUT ROWID, or a corrupt page
            yield Problem(located, f"value sizes could not be checked first: {error}")
        yield TableRows(
            table, columns, table_rows(connection, table, columns, MAX_CELL_BYTES), column_types=types
        )


def _evidence_bytes(path: Path) -> bytes:
    with open_evidence(path) as stream:
        return stream.read()


def recovered_tables(item: Item) -> Iterator[Yield]:
    """Deleted and superseded rows rebuilt from the file format, as tables marked deleted.

    The WAL and rollback journal beside a database on disk are read too; each
    recovered row keeps its location (file, page, offset, origin) as its locator.
    """
    sizes = item.size + sum(
        os.lstat(path).st_size
        for suffix in ("-wal", "-journal")
        if item.path and (path := companion(item.path, suffix)) is not None
    )
    if sizes > MAX_RECOVERY_BYTES:
        yield Problem(
            item.locator,
            f"deleted-data recovery not run: {sizes} bytes (with its -wal/-journal) is over the "
            f"recovery limit of {MAX_RECOVERY_BYTES} (recovery holds about three times the file "
            "in memory); the live tables were read",
        )
        return
    siblings = {}
    if item.path:
        for suffix, key in (("-wal", "wal"), ("-journal", "journal")):
            sibling = companion(item.path, suffix)
            if sibling is not None:
                siblings[key] = sibling
    siblings = {key: _evidence_bytes(path) for key, path in siblings.items()}
    report = recover_sqlite(item.read(), name=item.name, **siblings)
    for note in report.notes:
        if "stopped" in note or "cannot" in note:
            yield Problem(item.locator, f"deleted-data recovery: {note}")
    yield from unlinked_tables(item, report.unlinked)
    carved = [c for c in report.carved if c.validated or c.kind == "template"]
    if carved:
        yield carved_table(carved, f"{item.name} free pages")
    by_table: dict[str, list[RecoveredRecord]] = {}
    for record in report.records:
        by_table.setdefault(record.table or "(unknown table)", []).append(record)
    for table, records in sorted(by_table.items()):
        width = max(len(r.values) for r in records)
        columns = (
            records[0].columns
            if records[0].columns and len(records[0].columns) >= width
            else [f"column {i + 1}" for i in range(width)]
        )
        rows = (
            (
                f"recovered {r.kind} row ({r.location}, confidence {r.confidence:.2f})",
                [*r.values, *[None] * (len(columns) - len(r.values))],
            )
            for r in records
        )
        yield TableRows(table, list(columns), rows, deleted=True)


def unlinked_tables(item: Item, records: list[RecoveredRecord]) -> Iterator[Yield]:
    """Live rows that no b-tree reaches (tampered or corrupt page pointers): SQLite cannot show
    them, yet they were never deleted. Listed as an anomaly and read as live rows."""
    by_table: dict[str, list[RecoveredRecord]] = {}
    for record in records:
        by_table.setdefault(record.table or "(unknown table)", []).append(record)
    for table, rows in sorted(by_table.items()):
        yield Problem(item.locator, f"{len(rows)} live rows of table {table} on pages no b-tree "
                      "reaches (tampered or corrupt page pointers); read as live rows")
        width = max(len(r.values) for r in rows)
        columns = rows[0].columns if len(rows[0].columns) >= width else [
            f"column {i + 1}" for i in range(width)]
        values = (
            (f"unlinked live row ({r.location})", [*r.values, *[None] * (len(columns) - len(r.values))])
            for r in rows
        )
        yield TableRows(table, list(columns), values, deleted=False)


def carved_table(items: list[CarvedItem], where: str) -> TableRows:
    """Pictures and templates carved from free space, one deleted record each.

    Images go in one column and templates in another, so the classifier
    decides on each by content as it does for any table.
    """
    rows = (
        (
            f"carved {c.kind} at offset {c.offset} ({where}, pages {c.pages or '?'})",
            [
                c.data if c.kind != "template" else None,
                c.vector.astype("<f4").tobytes()
                if c.kind == "template" and c.vector is not None
                else None,
            ],
        )
        for c in items
    )
    return TableRows("(carved)", ["carved_image", "carved_template"], rows, deleted=True)
