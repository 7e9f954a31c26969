"""Acquiring a vendor visitor system on MariaDB (LONGBLOB crops, BLOB features, JSON), read-only."""

from __future__ import annotations

import json
import sqlite3

import pytest

from venue_audit.acquire.live import (
    AuthenticationFailed,
    PasswordRequired,
    TlsRequired,
    UnknownTables,
    acquire_database,
)
from venue_audit.scan import ScanOptions, count_faces, scan
from venue_audit.sources import values

from .fixtures import ENVIRON, PASSWORD
from .servers import WRITE_STATEMENT


@pytest.mark.slow
def test_visitor_captures_are_copied_and_scanned_with_exact_counts(live_mariadb, case):
    expected = live_mariadb.visitors
    result = acquire_database(
        case, live_mariadb.server.url("auditor", "visitors"), environ=ENVIRON, command=["t"]
    )
    assert {t.name: t.rows for t in result.copied} == expected.copied
    scan(case, ScanOptions(workers=1))
    counts = count_faces(case)
    assert (counts.records, counts.face_images, counts.face_templates) == (
        expected.records,
        expected.face_images,
        expected.face_templates,
    )
    assert counts.deleted_recoverable == 0


def test_blobs_stay_bytes_and_json_stays_text(live_mariadb, case):
    result = acquire_database(case, live_mariadb.server.url("auditor", "visitors"), environ=ENVIRON)
    db = sqlite3.connect(f"file:{result.snapshot}?mode=ro&immutable=1", uri=True)
    crop, feature, attrs, when = db.execute(
        "select face_img, feature, attrs, capture_time from face_capture order by id limit 1"
    ).fetchone()
    db.close()
    assert crop[:3] == b"\xff\xd8\xff"
    assert len(feature) == 512 and values.vector(feature).size == 128
    assert json.loads(attrs) == {"camera": "CAM-02", "mask": False, "score": 0.9}
    assert when == "2024-06-03T10:15:23"


def test_snapshot_hash_is_stable_across_two_acquisitions(live_mariadb, case):
    url = live_mariadb.server.url("auditor", "visitors")
    first = acquire_database(case, url, environ=ENVIRON)
    second = acquire_database(case, url, environ=ENVIRON)
    assert first.table_hashes() == second.table_hashes()
    assert first.snapshot_sha256 == second.snapshot_sha256


def test_custody_log_records_server_and_tables_without_the_password(live_mariadb, case):
    result = acquire_database(case, live_mariadb.server.url("auditor", "visitors"), environ=ENVIRON)
    events = case.custody_events()
    assert PASSWORD not in json.dumps(events, ensure_ascii=False)
    detail = json.loads(next(e for e in events if e["action"] == "acquire.database")["detail"])
    assert "MariaDB" in detail["server_version"]
    assert "consistent snapshot" in detail["isolation"] and "read_only=on" in detail["isolation"]
    assert {t["table"]: t["rows"] for t in detail["tables_listed"]} == {
        "device": None,
        "face_capture": 13,
        "visitor": 5,
    }
    assert list(detail["denied"]) == ["device"]
    assert detail["copied"] == {"face_capture": {"rows": 13, "sha256": result.copied[0].sha256}}
    assert {t["engine"] for t in detail["tables_listed"]} == {"InnoDB"}
    assert not any("snapshot" in t for t in detail["tables_listed"])  # InnoDB: one snapshot


def test_dry_run_and_table_options(live_mariadb, case):
    url = live_mariadb.server.url("auditor", "visitors")
    listing = acquire_database(case, url, environ=ENVIRON, dry_run=True)
    assert {t.snapshot_name: t.selected for t in listing.tables} == {
        "device": False,
        "face_capture": True,
        "visitor": False,
    }
    assert listing.snapshot is None
    summary = json.loads(json.dumps(listing.as_summary()))
    assert summary["dry_run"] is True and "copied" not in summary
    assert summary["server"]["url"] == url
    chosen = acquire_database(
        case, url, environ=ENVIRON, tables=["visitor"], exclude=["face_capture"]
    )
    assert {t.name: t.rows for t in chosen.copied} == {"visitor": 5}


def test_a_table_without_select_privilege_is_recorded_and_the_others_copied(live_mariadb, case):
    result = acquire_database(
        case,
        live_mariadb.server.url("auditor", "visitors"),
        environ=ENVIRON,
        tables=["device", "visitor"],
    )
    assert [t.snapshot_name for t in result.denied] == ["device"]
    assert "SELECT command denied" in result.denied[0].error
    assert {t.name: t.rows for t in result.copied} == {"face_capture": 13, "visitor": 5}


def test_unknown_table_names_are_an_error(live_mariadb, case):
    with pytest.raises(UnknownTables, match="no_such_table"):
        acquire_database(
            case,
            live_mariadb.server.url("auditor", "visitors"),
            environ=ENVIRON,
            tables=["no_such_table"],
        )


def test_wrong_or_missing_password(live_mariadb, case):
    url = live_mariadb.server.url("auditor", "visitors")
    with pytest.raises(AuthenticationFailed) as raised:
        acquire_database(case, url, environ={"VENUE_AUDIT_DB_PASSWORD": "wrong-guess"})
    assert "wrong-guess" not in str(raised.value)
    with pytest.raises(PasswordRequired):
        acquire_database(case, url, environ={})


def test_no_write_statement_reaches_the_server(live_mariadb, case):
    acquire_database(case, live_mariadb.server.url("auditor", "visitors"), environ=ENVIRON)
    statements = live_mariadb.server.statements("auditor")
    assert any("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY" in s for s in statements)
    assert [s for s in statements if WRITE_STATEMENT.match(s)] == []


def test_tls_demanded_of_a_server_without_tls_is_a_tls_error(live_mariadb, case):
    with pytest.raises(TlsRequired, match="ssl-mode"):
        acquire_database(
            case,
            live_mariadb.server.url("auditor", "visitors", "ssl-mode=REQUIRED"),
            environ=ENVIRON,
        )


@pytest.mark.slow
def test_acquiring_twice_into_one_case_does_not_double_count(live_mariadb, case):
    url = live_mariadb.server.url("auditor", "visitors")
    acquire_database(case, url, environ=ENVIRON)
    acquire_database(case, url, environ=ENVIRON)
    scan(case, ScanOptions(workers=1))
    counts = count_faces(case)
    expected = live_mariadb.visitors
    assert (counts.records, counts.face_images, counts.face_templates) == (
        expected.records,
        expected.face_images,
        expected.face_templates,
    )
    assert counts.exact_duplicates == expected.records
