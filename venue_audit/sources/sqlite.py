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
def open_read_only(item: Item) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the database as its last committed state.

    A file on disk with no WAL beside it is opened in place with ``immutable=1``.
    When a ``-wal`` file sits beside it (committed transactions not yet
    checkpointed, which ``immutable`` would ignore) or the database lives inside
    an archive, the bytes are copied into a private temporary folder first and
    the copy is opened: the evidence itself is never opened for writing.
    """
    wal = companion(item.path, "-wal") if item.path else None
    if item.path is not None and wal is None:
        uri = f"file:{quote(str(Path(item.path).absolute()))}?mode=ro&immutable=1"
        with _connect(uri) as connection:
            yield connection
        return
    with tempfile.TemporaryDirectory(prefix="venue-audit-") as scratch:
        copy = Path(scratch) / "copy.sqlite"
        copy.write_bytes(item.read())
        if wal is not None:
            with open_evidence(wal) as stream:
                (Path(scratch) / "copy.sqlite-wal").write_bytes(stream.read())
        with _connect(f"file:{quote(str(copy))}?mode=ro") as connection:
            yield connection


@contextmanager
def _connect(uri: str) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(uri, uri=True)
    try:
        connection.execute("select count(*) from sqlite_master").fetchone()
        connection.set_authorizer(_read_only_authorizer)
        yield connection
    finally:
        connection.close()


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@register
class SqliteReader(SourceReader):
    NAME = "sqlite"
    DESCRIPTION = "SQLite database (every table; read-only, immutable)"

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type == "sqlite"

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        try:
            with open_read_only(item) as connection:
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
        yield TableRows(
            table, columns, self._rows(connection, item, table, columns), column_types=types
        )

    def _rows(
        self, connection: sqlite3.Connection, item: Item, table: str, columns: list[str]
    ) -> Iterator[tuple[str, list]]:
        selected = ", ".join(quote_name(c) for c in columns)
        try:
            cursor = connection.execute(f"select rowid, {selected} from {quote_name(table)}")
        except sqlite3.DatabaseError:
            cursor = connection.execute(f"select null, {selected} from {quote_name(table)}")
        # A corrupt page raises sqlite3.DatabaseError mid-iteration; the scanner records it
        # against this table and goes on with the next one.
        for number, row in enumerate(cursor, 1):
            yield (f"rowid {row[0]}" if row[0] is not None else f"row {number}", list(row[1:]))


def recovered_tables(item: Item) -> Iterator[Yield]:
    """Deleted and superseded rows rebuilt from the file format, as tables marked deleted.

    The WAL and rollback journal beside a database on disk are read too; each
    recovered row keeps its location (file, page, offset, origin) as its locator.
    """
    siblings = {}
    if item.path:
        for suffix, key in (("-wal", "wal"), ("-journal", "journal")):
            sibling = companion(item.path, suffix)
            if sibling is not None:
                siblings[key] = sibling
    report = recover_sqlite(
        Path(item.path) if item.path else item.read(), name=item.name, **siblings
    )
    for note in report.notes:
        if "stopped" in note or "cannot" in note:
            yield Problem(item.locator, f"deleted-data recovery: {note}")
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
