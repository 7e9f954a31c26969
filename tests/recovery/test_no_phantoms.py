"""Recovery never invents rows: on text- and integer-heavy tables with deletes and updates, every
reported record is a row version that really existed and is no longer live."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from venue_audit.recovery import recover_sqlite

SCHEMA = [
    "CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, phone TEXT, created INTEGER)",
    "CREATE TABLE access_log (id INTEGER PRIMARY KEY, person_id INTEGER, ts TEXT, door TEXT, "
    "result INTEGER)",
    "CREATE TABLE note (body TEXT, score REAL)",
]


def build(path: Path, seed: int, page_size: int) -> tuple[set[tuple], set[tuple]]:
    """Return (every row version ever written, rows live at the end), as (table, values)."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA page_size={page_size}")
    conn.execute("PRAGMA secure_delete=OFF")
    for sql in SCHEMA:
        conn.execute(sql)
    history: set[tuple] = set()
    surnames = ["王", "李", "张", "刘", "陈", "Smith", "Garcia", "Nguyen"]
    conn.execute("BEGIN")
    for i in range(1, 401):
        person = (i, f"{rng.choice(surnames)}{rng.randint(1, 999)}", f"1{rng.randint(10**9, 10**10 - 1)}",
                  rng.randint(1_600_000_000, 1_700_000_000))
        conn.execute("INSERT INTO person VALUES (?,?,?,?)", person)
        history.add(("person", person))
    for i in range(1, 1501):
        log = (i, rng.randint(1, 400), f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T08:{i % 60:02d}",
               rng.choice(["east gate", "lobby", "B2 garage", "展厅"]), rng.randint(0, 1))
        conn.execute("INSERT INTO access_log VALUES (?,?,?,?,?)", log)
        history.add(("access_log", log))
    for _ in range(200):
        note = (f"note {rng.random():.6f} " * rng.randint(1, 30), rng.random() * 100)
        conn.execute("INSERT INTO note VALUES (?,?)", note)
        history.add(("note", note))
    conn.execute("COMMIT")
    conn.execute("DELETE FROM access_log WHERE id % 7 = ? OR id BETWEEN 300 AND 420", (seed % 7,))
    conn.execute("DELETE FROM person WHERE id % 5 = 1")
    conn.execute("DELETE FROM note WHERE score < 30")
    for i in range(2, 400, 9):
        phone = f"1{rng.randint(10**9, 10**10 - 1)}"
        conn.execute("UPDATE person SET phone = ? WHERE id = ?", (phone, i))
        row = conn.execute("SELECT * FROM person WHERE id = ?", (i,)).fetchone()
        if row:
            history.add(("person", tuple(row)))
    live = {("person", tuple(r)) for r in conn.execute("SELECT * FROM person")}
    live |= {("access_log", tuple(r)) for r in conn.execute("SELECT * FROM access_log")}
    live |= {("note", tuple(r)) for r in conn.execute("SELECT body, score FROM note")}
    conn.close()
    return history, live


@pytest.mark.parametrize(("seed", "page_size"), [(0, 1024), (1, 4096), (2, 4096)])
def test_every_recovered_record_is_a_real_dead_row_version(tmp_path, seed, page_size):
    path = tmp_path / "app.db"
    history, live = build(path, seed, page_size)
    report = recover_sqlite(path)
    assert report.records, "the fixture deletes rows; some must be found"
    found_deleted = 0
    for rec in report.records:
        assert rec.table in ("person", "access_log", "note")
        values = tuple(rec.values)
        if rec.complete and rec.rowid is not None:
            assert (rec.table, values) in history, rec
            assert (rec.table, values) not in live, rec
        else:
            # partial or rowid-less finds: the surviving values match some real row version
            def matches(row: tuple, rec=rec) -> bool:
                return all(
                    got is None or got == want
                    or (isinstance(got, str) and isinstance(want, str) and want.startswith(got))
                    for got, want in zip(rec.values, row, strict=False)
                )

            assert any(t == rec.table and matches(row) for t, row in history), rec
        found_deleted += rec.kind == "deleted"
    assert found_deleted > 0
