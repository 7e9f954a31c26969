"""The real primary key of database rows, read read-only from the evidence.

The scan names a SQLite row by its rowid, which is what SQLite reads, but a business deletes by
the key its schema declares (``id``, a UUID, a composite key), and a rowid is not stable for a
table without an ``INTEGER PRIMARY KEY`` (``VACUUM`` may renumber it). So for every table with
rows to delete, the declared key columns and each row's key values are read from the database
itself through the same read-only opener the scan uses.

A snapshot of a live database (``acquire postgresql://…``) is a SQLite file whose metadata table
records each copied table's server name and primary key: rows there are keyed by the *server's*
key, so the statements generated from it run against the business's running database.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from venue_audit.acquire.live.snapshot import SNAPSHOT_TABLE, TABLES_TABLE
from venue_audit.sources.base import Item
from venue_audit.sources.sqlite import open_read_only, quote_name

SQLITE = "sqlite"


@dataclass
class TableKey:
    """How rows of one table are addressed for deletion.

    ``target`` is the table as a DELETE must name it (the server's ``schema.table`` for a live
    snapshot); ``columns`` the declared primary key, or ``["rowid"]`` for a SQLite table that
    declares none (the rowid is then the only key, and the note says it changes on VACUUM);
    ``dialect`` the engine the statement is written for.
    """

    table: str
    target: str
    columns: list[str]
    dialect: str = SQLITE
    server: str = ""  # a live snapshot's server database (URL without password)
    declared: bool = True
    note: str = ""
    values: dict[int, list[Any]] = field(default_factory=dict)  # rowid (or row number) -> key
    problems: list[str] = field(default_factory=list)


def read_table_keys(
    item: Item, table: str, rowids: list[int], row_numbers: list[int]
) -> TableKey:
    """The key columns of ``table`` and the key values of the given rows.

    ``rowids`` are rows the scan named ``rowid N``; ``row_numbers`` rows it named ``row N``
    (a ``WITHOUT ROWID`` table, read in its stored order). A database that cannot be opened
    or a row no longer found is a located problem on the result, never an exception.
    """
    key = TableKey(table, table, ["rowid"], declared=False)
    try:
        with open_read_only(item) as connection:
            _declared_key(connection, key)
            if rowids:
                _values_by_rowid(connection, key, rowids)
            if row_numbers:
                _values_by_row_number(connection, key, row_numbers)
    except sqlite3.DatabaseError as error:
        key.problems.append(f"{item.locator}, table {table}: cannot read the primary key: {error}")
    return key


def _declared_key(connection: sqlite3.Connection, key: TableKey) -> None:
    snapshot = _snapshot_table(connection, key.table)
    if snapshot is not None:
        source, columns, dialect, server = snapshot
        key.target, key.dialect, key.server = source, dialect, server
        if columns:
            key.columns, key.declared = columns, True
        else:
            key.columns, key.declared = [], False
            key.note = (
                f"{source} declares no primary key on the server; its rows cannot be addressed "
                "one by one (add a key, or delete them by their content)"
            )
        return
    info = connection.execute(f"pragma table_info({quote_name(key.table)})").fetchall()
    declared = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
    if declared:
        key.columns, key.declared = declared, True
    else:
        key.note = (
            f"table {key.table} declares no primary key: rows are addressed by SQLite's rowid, "
            "which VACUUM may renumber; run the DELETE before any VACUUM"
        )


def _snapshot_table(
    connection: sqlite3.Connection, table: str
) -> tuple[str, list[str], str, str] | None:
    """(server table, its primary key, dialect, server URL) when this file is a live snapshot."""
    names = {
        row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")
    }
    if not {SNAPSHOT_TABLE, TABLES_TABLE} <= names:
        return None
    row = connection.execute(
        f"select source, primary_key from {TABLES_TABLE} where name = ?", [table]
    ).fetchone()
    if row is None:
        return None
    server = connection.execute(
        f"select value from {SNAPSHOT_TABLE} where key = 'server'"
    ).fetchone()
    facts: dict = {}
    if server is not None:
        try:
            facts = json.loads(server[0])
        except json.JSONDecodeError:
            facts = {}
    facts = facts if isinstance(facts, dict) else {}
    dialect = str(facts.get("dialect") or SQLITE)
    return row[0], [str(c) for c in json.loads(row[1] or "[]")], dialect, str(facts.get("url") or "")


def _values_by_rowid(connection: sqlite3.Connection, key: TableKey, rowids: list[int]) -> None:
    if key.columns == ["rowid"] and not key.declared:
        key.values.update({rowid: [rowid] for rowid in rowids})
        _check_present(connection, key, rowids)
        return
    if not key.columns:
        return
    selected = ", ".join(quote_name(c) for c in _snapshot_columns(connection, key))
    for chunk in _chunks(sorted(set(rowids))):
        marks = ", ".join("?" * len(chunk))
        for row in connection.execute(
            f"select rowid, {selected} from {quote_name(key.table)} where rowid in ({marks})",
            chunk,
        ):
            key.values[int(row[0])] = list(row[1:])
    missing = sorted(set(rowids) - set(key.values))
    if missing:
        key.problems.append(
            f"table {key.table}: rowid {', '.join(map(str, missing[:10]))} no longer found"
        )


def _check_present(connection: sqlite3.Connection, key: TableKey, rowids: list[int]) -> None:
    present: set[int] = set()
    for chunk in _chunks(sorted(set(rowids))):
        marks = ", ".join("?" * len(chunk))
        present.update(
            int(r[0])
            for r in connection.execute(
                f"select rowid from {quote_name(key.table)} where rowid in ({marks})", chunk
            )
        )
    for rowid in set(rowids) - present:
        key.values.pop(rowid, None)
        key.problems.append(f"table {key.table}: rowid {rowid} no longer found")


def _values_by_row_number(
    connection: sqlite3.Connection, key: TableKey, row_numbers: list[int]
) -> None:
    """Rows of a WITHOUT ROWID table, found by their place in the reader's own full scan."""
    if not key.declared:
        return
    info = connection.execute(f"pragma table_info({quote_name(key.table)})").fetchall()
    columns = [row[1] for row in info]
    positions = [columns.index(c) for c in _snapshot_columns(connection, key) if c in columns]
    wanted = set(row_numbers)
    selected = ", ".join(quote_name(c) for c in columns)
    for number, row in enumerate(
        connection.execute(f"select {selected} from {quote_name(key.table)}"), 1
    ):
        if number in wanted:
            key.values[number] = [row[p] for p in positions]
        if number >= max(wanted):
            break


def _snapshot_columns(connection: sqlite3.Connection, key: TableKey) -> list[str]:
    """The key columns as this SQLite file names them (a snapshot may rename ``ID`` to ``ID#2``)."""
    info = connection.execute(f"pragma table_info({quote_name(key.table)})").fetchall()
    stored = {row[1].lower(): row[1] for row in info}
    return [stored.get(c.lower(), c) for c in key.columns]


def _chunks(values: list[int], size: int = 500) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
