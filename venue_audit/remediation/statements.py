"""Reviewable DELETE statements for the to-delete list, and the commands that make deletion final.

The tool never runs these: a business reviews them, runs them against its own database (or a
copy first) and then asks ``verify-deletion`` whether the rows are really gone. So each
statement is plain SQL in the dialect of the database the rows came from, addresses rows by the
primary key the schema declares, and comes with what a plain DELETE does not do: in SQLite a
deleted row stays in free pages, freeblocks and the WAL until ``VACUUM`` (or ``secure_delete``
before the DELETE); in PostgreSQL dead tuples stay until ``VACUUM FULL`` rewrites the table; in
MySQL/InnoDB until ``OPTIMIZE TABLE`` rebuilds it. Copies in backups, replicas, binary logs and
cloud buckets are outside any statement and are listed as items of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
MYSQL = "mysql"
IN_LIST_SIZE = 500  # values per DELETE: long lists stay readable and within every engine's limits


@dataclass(frozen=True)
class TableDeletion:
    """The rows of one table to delete, addressed by their primary key."""

    database: str  # the file (or live server) the table lives in, as the list names it
    table: str  # as the statement must name it (``schema.table`` on a server)
    key_columns: tuple[str, ...]
    keys: tuple[tuple[Any, ...], ...]
    dialect: str = SQLITE
    items: tuple[int, ...] = ()  # the to-delete list numbers these rows belong to


def quote_identifier(name: str, dialect: str) -> str:
    """A table or column name quoted for ``dialect`` (``schema.table`` split at the first dot)."""
    if dialect == MYSQL:
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def quote_table(name: str, dialect: str) -> str:
    if dialect in (POSTGRESQL, MYSQL) and "." in name:
        schema, table = name.split(".", 1)
        return f"{quote_identifier(schema, dialect)}.{quote_identifier(table, dialect)}"
    return quote_identifier(name, dialect)


def literal(value: Any, dialect: str) -> str:
    """A key value as an SQL literal: numbers bare, text quoted with '' escaped, bytes as hex."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value).hex()
        return f"'\\x{data}'::bytea" if dialect == POSTGRESQL else f"X'{data}'"
    text = str(value).replace("'", "''")
    if dialect == MYSQL:
        text = text.replace("\\", "\\\\")
    return f"'{text}'"


def delete_statements(deletion: TableDeletion) -> list[str]:
    """``DELETE FROM t WHERE pk IN (…);`` in chunks; a composite key uses row values."""
    table = quote_table(deletion.table, deletion.dialect)
    columns = [quote_identifier(c, deletion.dialect) for c in deletion.key_columns]
    keys = sorted(set(deletion.keys), key=_sort_key)
    statements = []
    for start in range(0, len(keys), IN_LIST_SIZE):
        chunk = keys[start : start + IN_LIST_SIZE]
        if len(columns) == 1:
            values = ", ".join(literal(k[0], deletion.dialect) for k in chunk)
            where = f"{columns[0]} IN ({values})"
        else:
            values = ", ".join(
                "(" + ", ".join(literal(v, deletion.dialect) for v in k) + ")" for k in chunk
            )
            where = f"({', '.join(columns)}) IN ({values})"
        statements.append(f"DELETE FROM {table} WHERE {where};")
    return statements


def _sort_key(key: Sequence[Any]) -> tuple:
    return tuple((0, v, "") if isinstance(v, int | float) else (1, 0, str(v)) for v in key)


def finalising_commands(dialect: str, tables: Iterable[str]) -> list[tuple[str, str]]:
    """(command, why) pairs that remove what a plain DELETE leaves behind, in running order."""
    tables = list(tables)
    if dialect == POSTGRESQL:
        return [
            (f"VACUUM (FULL, ANALYZE) {quote_table(t, dialect)};",
             "rewrites the table into new files, so deleted rows are no longer in its pages")
            for t in tables
        ] + [
            ("CHECKPOINT;", "flushes the rewrite; old WAL segments still hold the rows until "
             "they are recycled, and base backups and replicas keep them until renewed"),
        ]
    if dialect == MYSQL:
        return [
            (f"OPTIMIZE TABLE {quote_table(t, dialect)};",
             "rebuilds the InnoDB table, so deleted rows are no longer in its pages")
            for t in tables
        ] + [
            ("-- binary logs and backups still hold the deleted rows' images: expire them "
             "under your retention policy (PURGE BINARY LOGS) after review",
             "binary logs record every deleted row"),
        ]
    return [
        ("PRAGMA secure_delete = ON;",
         "run first, in the same session as the DELETE: SQLite then overwrites the deleted "
         "content with zeros instead of leaving it in free pages"),
        ("PRAGMA wal_checkpoint(TRUNCATE);",
         "after the DELETE: moves the WAL into the database and empties the -wal file, which "
         "otherwise keeps the rows as they were"),
        ("VACUUM;",
         "rebuilds the file without free pages or freeblocks: until then deleted rows stay "
         "recoverable (venue-audit itself recovers them)"),
    ]


def script(deletions: Sequence[TableDeletion], header: Sequence[str] = ()) -> str:
    """The whole reviewable script: one block per database, DELETEs in a transaction, then the
    commands that make the deletion final, each with its reason as a comment."""
    lines = [f"-- {line}" if line else "--" for line in header]
    by_database: dict[tuple[str, str], list[TableDeletion]] = {}
    for deletion in deletions:
        by_database.setdefault((deletion.database, deletion.dialect), []).append(deletion)
    for (database, dialect), group in by_database.items():
        lines += ["", f"-- database: {database} ({dialect})"]
        if dialect == SQLITE:
            lines.append("PRAGMA secure_delete = ON;")
        lines.append("BEGIN;")
        for deletion in group:
            items = _ranges(deletion.items)
            lines.append(
                f"-- table {deletion.table}: {len(set(deletion.keys))} rows, key "
                f"{', '.join(deletion.key_columns)}" + (f"; list items {items}" if items else "")
            )
            lines += delete_statements(deletion)
        lines.append("COMMIT;")
        lines.append("-- make the deletion final (a plain DELETE leaves the rows recoverable):")
        for command, why in finalising_commands(dialect, [d.table for d in group]):
            if command == "PRAGMA secure_delete = ON;":
                continue  # already set before the DELETE above
            lines.append(f"-- {why}")
            lines.append(command)
    return "\n".join(lines) + "\n"


def _ranges(numbers: Iterable[int]) -> str:
    """1, 2, 3, 7 -> ``1-3, 7`` (list item numbers in a comment)."""
    ordered = sorted(set(numbers))
    spans: list[str] = []
    start = previous = None
    for number in ordered:
        if start is None:
            start = previous = number
        elif number == previous + 1:
            previous = number
        else:
            spans.append(f"{start}-{previous}" if previous != start else str(start))
            start = previous = number
    if start is not None:
        spans.append(f"{start}-{previous}" if previous != start else str(start))
    return ", ".join(spans)
