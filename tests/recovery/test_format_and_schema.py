"""The file-format primitives and the CREATE TABLE parser agree with SQLite."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from venue_audit.recovery.sqlite_format import (
    FormatError,
    decode_record,
    read_varint,
    serial_type_size,
    table_leaf_local_size,
    varint_len,
)
from venue_audit.recovery.table_schema import affinity, parse_create_table


def encode_varint(value: int) -> bytes:
    """Reference encoder written from the format description (big-endian 7-bit groups, a
    9th byte carrying 8 bits)."""
    if value > 0x00FFFFFFFFFFFFFF:
        out = [value & 0xFF]
        value >>= 8
        for _ in range(8):
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        return bytes(reversed(out))
    groups = [value & 0x7F]
    value >>= 7
    while value:
        groups.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(groups))


@given(st.integers(0, 2**64 - 1))
def test_varints_round_trip(value):
    raw = encode_varint(value)
    assert read_varint(raw + b"\xff", 0) == (value, len(raw))
    assert varint_len(value) == len(raw)


def test_a_varint_running_past_its_bound_is_a_format_error():
    with pytest.raises(FormatError):
        read_varint(b"\x81\x82", 0)


def test_serial_type_sizes():
    sizes = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8, 8: 0, 9: 0, 12: 0, 13: 0, 1036: 512}
    assert {st_: serial_type_size(st_) for st_ in sizes} == sizes
    with pytest.raises(FormatError):
        serial_type_size(10)


def test_records_written_by_sqlite_decode_to_the_same_values(tmp_path):
    path = tmp_path / "r.db"
    conn = sqlite3.connect(path)
    values = (None, -7, 300, 2**40, 1.5, 0, 1, "人脸", b"\x00\x01")
    conn.execute("CREATE TABLE t (a, b, c, d, e, f, g, h, i)")
    conn.execute("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?)", values)
    conn.commit()
    conn.close()
    page = path.read_bytes()[4096:8192]
    cell = int.from_bytes(page[8:10], "big")
    payload_len, n1 = read_varint(page, cell)
    _rowid, n2 = read_varint(page, cell + n1)
    start = cell + n1 + n2
    _hdr, decoded, complete = decode_record(page[start : start + payload_len])
    assert complete and tuple(decoded) == values


@pytest.mark.parametrize(
    ("payload", "local"),
    # 4096-byte pages: max local 4061, min local 489, overflow pages carry 4092 bytes
    [(100, 100), (4061, 4061), (4062, 489), (9000, 489 + (9000 - 489) % 4092), (8672, 489)],
)
def test_local_payload_size_follows_the_overflow_rule(payload, local):
    assert table_leaf_local_size(payload, 4096) == local


def test_affinity_rules_in_sqlite_order():
    assert [affinity(t) for t in ("INTEGER", "BIGINT", "VARCHAR(20)", "CLOB", "BLOB", "",
                                  "REAL", "DOUBLE PRECISION", "DECIMAL(10,2)", "CHARINT")] == [
        "INTEGER", "INTEGER", "TEXT", "TEXT", "BLOB", "BLOB", "REAL", "REAL", "NUMERIC", "INTEGER"
    ]


def test_create_table_parsing_finds_columns_types_and_rowid_alias():
    sql = ('CREATE TABLE "face log" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT, [name] VARCHAR(64) '
           "NOT NULL DEFAULT 'x', `img` BLOB, score REAL CHECK (score > 0), "
           "meta, CONSTRAINT u UNIQUE (name))")
    schema = parse_create_table("face log", 2, sql)
    assert schema.column_names == ["id", "name", "img", "score", "meta"]
    assert [c.affinity for c in schema.columns] == ["INTEGER", "TEXT", "BLOB", "REAL", "BLOB"]
    assert schema.rowid_alias == 0


def test_table_level_primary_key_and_without_rowid():
    a = parse_create_table("a", 2, "CREATE TABLE a (x TEXT, k INTEGER, PRIMARY KEY (k))")
    assert a.rowid_alias == 1
    b = parse_create_table("b", 3, "CREATE TABLE b (k INT PRIMARY KEY, v TEXT)")
    assert b.rowid_alias is None  # INT is not INTEGER: not a rowid alias
    c = parse_create_table("c", 4, "CREATE TABLE c (k TEXT PRIMARY KEY, v) WITHOUT ROWID")
    assert c.without_rowid and c.rowid_alias is None


def test_layout_matching_is_strict_about_declared_blob_and_text():
    schema = parse_create_table("t", 2, "CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT, b BLOB)")
    assert schema.fits((0, 27, 1036))
    assert not schema.fits((0, 27, 1037))  # text in a BLOB column
    assert not schema.fits((1, 27, 1036))  # rowid alias is stored as NULL
    assert not schema.fits((0, 28, 1036))  # blob in a TEXT column
    assert not schema.fits((0, 27))
