"""Deleted-data recovery: recovered/k per storage variant, and speed against simple baselines.

Table 1: 60 capture rows (JPEG crop 2-8 KB + 128-float dlib template), 17 deleted, per variant
and page size. "survive" is the number of deleted rows whose unique visitor id still occurs in
the evidence bytes (parser-independent truth); SQLite itself (the baseline a live read gives)
shows 0 of them. "exact" rows equal the deleted row byte for byte; "carved" are templates cut
from free overflow chains of rows whose cells were destroyed.

Table 2: speed. Recovery of a larger database vs reading its live rows with sqlite3, and carving
vs SHA-256 over the same bytes (both ratios; >1 means slower than the baseline).

Run: python scripts/bench.py recovery [--quick]
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from venue_audit.recovery import carve, recover_sqlite
from venue_audit.recovery.fixtures import (
    VARIANTS,
    build_scenario,
    choose_deleted,
    make_face_rows,
    surviving_deleted_ids,
)


def _variant_table(quick: bool) -> None:
    rows = make_face_rows(60)
    deleted = choose_deleted(rows, 17)
    page_sizes = (4096,) if quick else (4096, 8192, 65536)
    print(f"{'variant':<20}{'page':>6}{'k':>4}{'survive':>8}{'recovered':>10}{'complete':>9}"
          f"{'exact':>6}{'carved':>7}{'sqlite3':>8}{'ms':>7}")
    for page_size in page_sizes:
        for variant in VARIANTS:
            sc = build_scenario(variant, rows, deleted, page_size=page_size)
            t0 = time.perf_counter()
            report = recover_sqlite(sc.db, wal=sc.wal, journal=sc.journal)
            ms = (time.perf_counter() - t0) * 1000
            truth = {r.visitor_id: r for r in sc.deleted_rows}
            recs = report.deleted("face_capture")
            exact = sum(
                1 for r in recs
                if r.complete and list(truth[r.value("visitor_id")].as_tuple())[1:] == r.values[1:]
            )
            print(f"{variant:<20}{page_size:>6}{len(deleted):>4}{len(surviving_deleted_ids(sc)):>8}"
                  f"{len(recs):>10}{sum(r.complete for r in recs):>9}{exact:>6}"
                  f"{len(report.carved):>7}{0:>8}{ms:>7.0f}")


def _speed_table(quick: bool) -> None:
    n, k = (300, 80) if quick else (1500, 400)
    rows = make_face_rows(n, seed=3)
    deleted = choose_deleted(rows, k, seed=5)
    with tempfile.TemporaryDirectory() as tmp:
        sc = build_scenario("plain", rows, deleted, workdir=Path(tmp))
        db_path = Path(tmp) / "plain.db"
        t0 = time.perf_counter()
        conn = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
        live = conn.execute("SELECT * FROM face_capture").fetchall()
        conn.close()
        t_live = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = recover_sqlite(sc.db)
    t_rec = time.perf_counter() - t0
    mb = len(sc.db) / 1e6
    print(f"\ndatabase {mb:.1f} MB, {n} rows, {k} deleted ({len(surviving_deleted_ids(sc))} survive)"
          f": recovered {len(report.deleted('face_capture'))}, carved {len(report.carved)}")
    print(f"{'task':<34}{'seconds':>9}{'MB/s':>9}{'ratio':>8}")
    print(f"{'sqlite3 read of live rows':<34}{t_live:>9.3f}{mb / t_live:>9.1f}{1.0:>8.1f}"
          f"   ({len(live)} rows)")
    print(f"{'recover_sqlite':<34}{t_rec:>9.3f}{mb / t_rec:>9.1f}{t_rec / t_live:>8.1f}")
    size = 5_000_000 if quick else 50_000_000
    blob = np.random.default_rng(1).integers(0, 256, size, dtype=np.uint8).tobytes()
    t0 = time.perf_counter()
    hashlib.sha256(blob).hexdigest()
    t_hash = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = carve(blob)
    t_carve = time.perf_counter() - t0
    print(f"{'sha256 of random bytes':<34}{t_hash:>9.3f}{size / 1e6 / t_hash:>9.1f}{1.0:>8.1f}")
    print(f"{'carve random bytes':<34}{t_carve:>9.3f}{size / 1e6 / t_carve:>9.1f}"
          f"{t_carve / t_hash:>8.1f}   ({len(found)} items: must be 0)")


def run(quick: bool) -> None:
    _variant_table(quick)
    _speed_table(quick)


if __name__ == "__main__":
    import sys

    run(quick="--quick" in sys.argv)
