"""Malformed and hostile databases produce notes, never exceptions or endless loops."""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from venue_audit.recovery import carve, recover_sqlite


def small_db(tmp_path: Path, secure_delete: str = "OFF") -> bytes:
    """A 1 KB-page database with overflow rows, deleted rows and a freelist."""
    path = tmp_path / "small.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA page_size=1024")
    conn.execute(f"PRAGMA secure_delete={secure_delete}")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, img BLOB)")
    conn.execute("CREATE INDEX t_name ON t(name)")
    for i in range(1, 41):
        conn.execute("INSERT INTO t VALUES (?,?,?)", (i, f"name-{i:03d}", bytes([i]) * (50 + 90 * i)))
    conn.execute("DELETE FROM t WHERE id % 3 = 0")
    conn.close()
    return path.read_bytes()


@pytest.fixture(scope="module")
def valid_db(tmp_path_factory) -> bytes:
    return small_db(tmp_path_factory.mktemp("hostile"))


def test_the_small_fixture_itself_recovers_its_deleted_rows(valid_db):
    report = recover_sqlite(valid_db)
    names = {r.value("name") for r in report.deleted("t")}
    assert names  # the fuzz below starts from a database with something to find
    assert names <= {f"name-{i:03d}" for i in range(3, 41, 3)}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "shorter than the 100-byte header"),
        (b"not a database at all" * 10, "missing 'SQLite format 3' magic"),
        (b"SQLite format 3\x00" + b"\x00" * 84, "page size 0"),
    ],
)
def test_non_databases_are_a_note(data, expected):
    report = recover_sqlite(data)
    assert report.records == []
    assert any(expected in note for note in report.notes)


def test_page_size_zero_and_truncated_file(valid_db):
    zero = bytearray(valid_db)
    zero[16:18] = b"\x00\x00"
    assert any("page size" in n for n in recover_sqlite(bytes(zero)).notes)
    truncated = recover_sqlite(valid_db[: len(valid_db) // 2 + 77])
    assert any("truncated" in n or "header says" in n for n in truncated.notes)


def test_cyclic_freelist_trunk_chain_is_noted(valid_db):
    db = bytearray(valid_db)
    trunk = struct.unpack(">I", db[32:36])[0]
    assert trunk
    off = (trunk - 1) * 1024
    db[off : off + 4] = struct.pack(">I", trunk)  # trunk points at itself
    report = recover_sqlite(bytes(db))
    assert any("loops" in n for n in report.notes)


def test_cyclic_overflow_chain_and_btree_child_are_noted(valid_db):
    db = bytearray(valid_db)
    page_count = len(db) // 1024
    for pgno in range(2, page_count + 1):
        off = (pgno - 1) * 1024
        if db[off] == 0x05:  # interior table page: make its right child point to itself
            db[off + 8 : off + 12] = struct.pack(">I", pgno)
        elif db[off] not in (0x0D, 0x0A, 0x02):  # overflow or free page: self-loop
            db[off : off + 4] = struct.pack(">I", pgno)
    report = recover_sqlite(bytes(db))
    assert any("cyclic" in n or "loops" in n or "twice" in n for n in report.notes)


def test_huge_counts_in_headers_are_capped(valid_db):
    db = bytearray(valid_db)
    trunk = struct.unpack(">I", db[32:36])[0]
    off = (trunk - 1) * 1024
    db[off + 4 : off + 8] = struct.pack(">I", 0xFFFFFFFF)
    for pgno in range(2, len(db) // 1024 + 1):
        o = (pgno - 1) * 1024
        if db[o] == 0x0D:
            db[o + 3 : o + 5] = b"\xff\xff"  # cell count beyond the page
    report = recover_sqlite(bytes(db))
    assert any("capped" in n for n in report.notes)
    assert any("run past the page end" in n for n in report.notes)


def test_garbage_wal_and_journal_are_notes(valid_db):
    report = recover_sqlite(valid_db, wal=b"\x37\x7f\x06\x82" + b"\xff" * 100, journal=b"\x01" * 3000)
    assert any("WAL" in n for n in report.notes)
    assert report.deleted("t")  # the database itself is still examined


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_databases_never_raise(valid_db, data):
    db = bytearray(valid_db)
    for _ in range(data.draw(st.integers(1, 40), label="mutations")):
        pos = data.draw(st.integers(0, len(db) - 1), label="pos")
        db[pos] = data.draw(st.integers(0, 255), label="byte")
    cut = data.draw(st.sampled_from([len(db), len(db) - 1, len(db) // 2, 1024 * 3 + 5]))
    report = recover_sqlite(bytes(db[:cut]))
    assert isinstance(report.notes, list)
    for rec in report.records:
        assert 0 < rec.confidence <= 1
        assert 0 <= rec.offset < cut


@settings(max_examples=60, deadline=None)
@given(blob=st.binary(min_size=0, max_size=4000))
def test_carving_arbitrary_bytes_never_raises(blob):
    for item in carve(blob):
        assert 0 <= item.offset < item.end <= len(blob)
