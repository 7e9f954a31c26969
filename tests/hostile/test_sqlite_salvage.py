"""SQLite databases that lost faces: a legal 2,000-column table, one malformed schema row,
and values too large to read into memory.

Each case asserts the face row is read (its picture comes out of the reader) and
that whatever was not read has a located message.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_FACES
from tests.sources.items import item_from_bytes, read_all
from venue_audit.sources import sqlite as sqlite_reader
from venue_audit.sources.base import Problem, TableRows
from venue_audit.sources.sqlite import SqliteReader

FACE = (TEST_FACES / "obama" / "7_small.jpg").read_bytes()


def database(tmp_path: Path, statements: list[tuple[str, tuple[Any, ...]]]) -> bytes:
    path = tmp_path / "build.db"
    connection = sqlite3.connect(path)
    for sql, parameters in statements:
        connection.execute(sql, parameters)
    connection.commit()
    connection.close()
    return path.read_bytes()


def problems(found: list[Any]) -> list[tuple[str, str]]:
    return [(f.locator, f.reason) for f in found if isinstance(f, Problem)]


def rows_of(found: list[Any], table: str) -> list[list[Any]]:
    return [
        values
        for f in found
        if isinstance(f, TableRows) and f.table == table and not f.deleted
        for _, values in f.rows
    ]


def test_a_2000_column_table_is_read_in_column_groups(tmp_path: Path) -> None:
    columns = ", ".join(f"c{i}" for i in range(2000))
    data = database(
        tmp_path,
        [
            (f"create table wide ({columns})", ()),
            ("insert into wide (c0, c1500, c1999) values (?, ?, ?)", ("V1", FACE, "end")),
            ("insert into wide (c0) values ('V2')", ()),
        ],
    )
    found = read_all(SqliteReader(), item_from_bytes("wide.db", data))
    assert problems(found) == []
    [first, second] = rows_of(found, "wide")
    assert len(first) == 2000
    assert (first[0], first[1500], first[1999]) == ("V1", FACE, "end")
    assert second[0] == "V2" and second[1500] is None


def test_one_malformed_schema_row_costs_only_that_entry(tmp_path: Path) -> None:
    data = database(
        tmp_path,
        [
            ("create table faces (visitor_id, photo)", ()),
            ("insert into faces values (?, ?)", ("V1", FACE)),
            ("pragma writable_schema = 1", ()),
            ("insert into sqlite_master values ('table', 'bad', 'bad', 0, 'CREATE TABLE bad (')", ()),
        ],
    )
    found = read_all(SqliteReader(), item_from_bytes("broken-schema.db", data))
    assert rows_of(found, "faces") == [["V1", FACE]]
    located = problems(found)
    assert any(
        locator == "evidence/broken-schema.db" and "malformed database schema (bad)" in reason
        for locator, reason in located
    ), located


def test_values_over_the_cell_limit_are_located_skips_and_the_face_beside_them_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_reader, "MAX_CELL_BYTES", 1 << 20)
    data = database(
        tmp_path,
        [
            ("create table captures (id integer primary key, photo blob)", ()),
            ("insert into captures (photo) values (?)", (FACE,)),
            ("insert into captures (photo) values (zeroblob(5 << 20))", ()),
            ("insert into captures (photo) values (?)", (FACE[:3] + bytes(3 << 20),)),
        ],
    )
    found = read_all(SqliteReader(), item_from_bytes("big.db", data))
    assert [row[1] for row in rows_of(found, "captures")] == [FACE, None, None]
    located = dict(problems(found))
    zero = located["evidence/big.db, table captures, rowid 2, column photo"]
    assert zero.startswith(f"value of {5 << 20} bytes, too large to analyse")
    assert "does not begin like a picture" in zero and "SHA-256 " in zero
    jpeg = located["evidence/big.db, table captures, rowid 3, column photo"]
    assert "begins like a JPEG picture" in jpeg
