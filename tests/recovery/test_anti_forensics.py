"""Tampered tree pointers hide live rows from SQLite; they are never reported as deleted.

Cells that a scan of the file finds on pages no b-tree and no freelist reaches were never freed:
they are "unlinked live" rows, an anomaly of their own (``RecoveryReport.unlinked``), which the
scan reads as live rows with a located problem."""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from venue_audit.recovery import recover_sqlite
from venue_audit.sources.base import Problem, TableRows
from venue_audit.sources.sqlite import unlinked_tables

SCHEMA = "CREATE TABLE visitor (id INTEGER PRIMARY KEY, name TEXT, phone TEXT)"


def rows(n: int = 400) -> list[tuple]:
    return [(i, f"visitor-{i:05d}", f"139{i:08d}") for i in range(1, n + 1)]


def build(path: Path, deleted: list[int] = ()) -> tuple[bytes, int]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA page_size=1024")
    conn.execute("PRAGMA secure_delete=OFF")
    conn.execute(SCHEMA)
    conn.executemany("INSERT INTO visitor VALUES (?,?,?)", rows())
    for i in deleted:
        conn.execute("DELETE FROM visitor WHERE id = ?", (i,))
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='visitor'").fetchone()[0]
    conn.close()
    return path.read_bytes(), root


def redirect_first_child(data: bytes, root: int) -> tuple[bytes, int]:
    """Point the root's first child pointer at its second child: the first leaf is cut off."""
    page = bytearray(data)
    base = (root - 1) * 1024
    assert page[base] == 0x05, "root is an interior table page"
    first_cell, second_cell = struct.unpack(">HH", page[base + 12 : base + 16])
    lost = struct.unpack(">I", page[base + first_cell : base + first_cell + 4])[0]
    page[base + first_cell : base + first_cell + 4] = page[base + second_cell : base + second_cell + 4]
    return bytes(page), lost


def live_through_sqlite(path: Path, data: bytes) -> set[int]:
    path.write_bytes(data)
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM visitor")}
    finally:
        conn.close()


def test_rows_cut_off_by_a_tampered_child_pointer_are_unlinked_live_not_deleted(tmp_path):
    data, root = build(tmp_path / "a.db")
    tampered, lost_page = redirect_first_child(data, root)
    hidden = set(range(1, 401)) - live_through_sqlite(tmp_path / "t.db", tampered)
    assert hidden, "SQLite no longer shows the rows of the cut-off leaf"
    report = recover_sqlite(tampered)
    assert report.deleted() == [] and report.records == []
    assert {rec.rowid for rec in report.unlinked} == hidden
    assert {rec.page for rec in report.unlinked} == {lost_page}
    by_id = {r[0]: r for r in rows()}
    assert all(tuple(rec.values) == by_id[rec.rowid] for rec in report.unlinked)
    assert all(rec.kind == "unlinked" and not rec.deleted for rec in report.unlinked)
    assert report.summary()["unlinked_live"] == len(hidden)
    assert report.summary()["deleted_rows"] == 0


def test_deleted_rows_are_still_found_beside_unlinked_ones(tmp_path):
    deleted = [150, 151, 230, 388]
    data, root = build(tmp_path / "b.db", deleted)
    tampered, _lost = redirect_first_child(data, root)
    report = recover_sqlite(tampered)
    assert {rec.values[1] for rec in report.deleted()} == {f"visitor-{i:05d}" for i in deleted}
    unlinked_ids = {rec.rowid for rec in report.unlinked}
    assert unlinked_ids and not unlinked_ids & set(deleted)


def test_a_root_page_pointer_to_an_index_hides_the_whole_table_as_unlinked_rows(tmp_path):
    path = tmp_path / "c.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA page_size=1024")
    conn.execute(SCHEMA)
    conn.executemany("INSERT INTO visitor VALUES (?,?,?)", rows(10))
    conn.execute("CREATE INDEX by_name ON visitor(name)")
    table_root, index_root = (conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name=?", (n,)).fetchone()[0]
        for n in ("visitor", "by_name"))
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET rootpage=? WHERE name='visitor'", (index_root,))
    conn.close()
    report = recover_sqlite(path)
    assert report.records == []
    assert {rec.rowid for rec in report.unlinked} == set(range(1, 11))
    assert {rec.page for rec in report.unlinked} == {table_root}


def test_the_scan_reads_unlinked_rows_as_live_and_lists_the_anomaly(tmp_path):
    data, root = build(tmp_path / "d.db")
    tampered, _lost = redirect_first_child(data, root)
    report = recover_sqlite(tampered)

    class Item:  # the two attributes the reader uses
        locator = "evidence/d.db"
        name = "d.db"

    out = list(unlinked_tables(Item(), report.unlinked))
    problems = [y for y in out if isinstance(y, Problem)]
    tables = [y for y in out if isinstance(y, TableRows)]
    assert len(problems) == 1 and "no b-tree reaches" in problems[0].reason
    assert len(tables) == 1 and tables[0].deleted is False
    assert tables[0].columns == ["id", "name", "phone"]
    assert len(list(tables[0].rows)) == len(report.unlinked)
