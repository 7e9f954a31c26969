"""WAL frames are validated like SQLite does (salts, cumulative checksums, commit frames)."""

from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path

from venue_audit.recovery import recover_sqlite
from venue_audit.recovery.journal_file import JOURNAL_MAGIC, parse_journal
from venue_audit.recovery.wal_file import WAL_HEADER_SIZE, parse_wal


def sqlite_frame_count(scenario, tmp_path: Path) -> int:
    """Ask SQLite itself how many frames the WAL holds (on a copy: checkpointing writes)."""
    db = tmp_path / "copy.db"
    db.write_bytes(scenario.db)
    Path(f"{db}-wal").write_bytes(scenario.wal)
    conn = sqlite3.connect(db)
    _busy, log_frames, _done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    conn.close()
    shutil.rmtree(tmp_path / "unused", ignore_errors=True)
    return log_frames


def test_frames_and_commits_match_what_sqlite_sees(scenario, tmp_path):
    sc = scenario("wal_uncheckpointed")
    log = parse_wal(sc.wal)
    assert log.page_size == 4096
    assert len(log.committed_frames) == sqlite_frame_count(sc, tmp_path)
    assert log.frames[-1].commit_size > 0
    assert all(f.checksum_ok and f.salt_matches for f in log.frames)


def test_a_broken_checksum_ends_the_valid_log_so_the_delete_never_happened(scenario):
    sc = scenario("wal_uncheckpointed")
    wal = bytearray(sc.wal)
    frame_size = 24 + 4096
    last = WAL_HEADER_SIZE + (len(wal) - WAL_HEADER_SIZE) // frame_size * frame_size - frame_size
    wal[last + 24 + 100] ^= 0xFF  # corrupt the commit frame's page data
    log = parse_wal(bytes(wal))
    assert log.committed_frames == []
    report = recover_sqlite(sc.db, wal=bytes(wal))
    # Without a valid commit the current state is the db file: every row is live.
    assert report.live_rows == 60 + 1
    assert report.deleted("face_capture") == []
    assert any("uncommitted or invalid" in n for n in report.notes)


def test_frames_of_an_earlier_generation_are_older_page_versions(scenario):
    sc = scenario("wal_uncheckpointed")
    wal = bytearray(sc.wal)
    salt1 = struct.unpack(">I", wal[16:20])[0]
    wal[16:20] = struct.pack(">I", salt1 ^ 1)  # header now belongs to a newer generation
    log = parse_wal(bytes(wal))
    assert log.frames and not any(f.salt_matches for f in log.frames)
    report = recover_sqlite(sc.db, wal=bytes(wal))
    assert report.live_rows == 60 + 1
    # the deleting frames are now "older versions": the rows are live, nothing is reported
    assert report.deleted("face_capture") == []


def test_a_partial_trailing_frame_is_noted():
    log = parse_wal(b"\x37\x7f\x06\x82" + bytes(28) + b"\x01" * 5000)
    assert any("page size" in n for n in log.notes)


def test_journal_with_intact_header_is_read_from_its_sector(scenario):
    sc = scenario("journal_persist")
    page = sc.db[4096:8192]
    nonce = 7
    checksum = nonce + sum(page[i] for i in range(4096 - 200, 0, -200))
    header = JOURNAL_MAGIC + struct.pack(">IIIII", 1, nonce, 72, 512, 4096)
    journal = header.ljust(512, b"\x00") + struct.pack(">I", 2) + page + struct.pack(">I", checksum)
    journal += struct.pack(">I", 3) + page + struct.pack(">I", checksum + 1)  # bad checksum
    parsed = parse_journal(journal, 4096, 72)
    assert parsed.header_intact
    assert [(p.page_number, p.file_offset) for p in parsed.pages] == [(2, 516)]
    assert parsed.pages[0].data == page


def test_persisted_journal_with_zeroed_header_is_found_by_probing(scenario):
    sc = scenario("journal_persist")
    assert sc.journal[:28] == bytes(28)
    page_count = len(sc.db) // 4096
    parsed = parse_journal(sc.journal, 4096, page_count)
    assert len(parsed.pages) > 17
    assert all(1 <= p.page_number <= page_count for p in parsed.pages)
    assert len({p.page_number for p in parsed.pages}) == len(parsed.pages)
