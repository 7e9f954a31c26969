"""Acquiring CompreFace- and Immich-shaped PostgreSQL databases, read-only, then scanning them.

pgvector is not packaged for Debian 12, so Immich's ``vector(512)`` column is a
``real[]`` here; the pgvector text form is covered in ``test_encoding.py``.
"""

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

from .fixtures import ENVIRON, PASSWORD, face_vectors
from .servers import WRITE_STATEMENT


def copied_rows(result) -> dict[str, int]:
    return {table.name: table.rows for table in result.copied}


@pytest.mark.slow
def test_compreface_tables_are_copied_and_scanned_with_exact_counts(live_postgres, case):
    expected = live_postgres.compreface
    result = acquire_database(
        case, live_postgres.server.url("auditor", "compreface"), environ=ENVIRON, command=["t"]
    )
    assert copied_rows(result) == expected.copied
    assert result.snapshot is not None and result.snapshot.parent == case.directory / "snapshots"
    scan(case, ScanOptions(workers=1))
    counts = count_faces(case)
    assert (counts.records, counts.face_images, counts.face_templates) == (
        expected.records,
        expected.face_images,
        expected.face_templates,
    )
    assert counts.deleted_recoverable == 0


@pytest.mark.slow
def test_immich_face_search_is_copied_and_the_clip_table_is_not(live_postgres, case):
    expected = live_postgres.immich
    result = acquire_database(case, live_postgres.server.url("auditor", "immich"), environ=ENVIRON)
    assert copied_rows(result) == expected.copied
    plans = {plan.snapshot_name: plan for plan in result.tables}
    assert not plans["smart_search"].selected
    assert plans["asset_face"].selected  # the join keys of face_search (immich profile)
    assert plans["asset_face"].rows == 12
    scan(case, ScanOptions(workers=1))
    counts = count_faces(case)
    assert (counts.records, counts.face_images, counts.face_templates) == (
        expected.records,
        expected.face_images,
        expected.face_templates,
    )
    assert counts.deleted_recoverable == 2  # the soft-deleted faces, kept apart


def test_snapshot_hash_is_stable_across_two_acquisitions(live_postgres, case):
    url = live_postgres.server.url("auditor", "compreface")
    first = acquire_database(case, url, environ=ENVIRON)
    second = acquire_database(case, url, environ=ENVIRON)
    assert first.snapshot != second.snapshot
    assert first.table_hashes() == second.table_hashes()
    assert first.snapshot_sha256 == second.snapshot_sha256


def test_snapshot_keeps_values_and_records_provenance(live_postgres, case):
    result = acquire_database(
        case, live_postgres.server.url("auditor", "compreface"), environ=ENVIRON
    )
    db = sqlite3.connect(f"file:{result.snapshot}?mode=ro&immutable=1", uri=True)
    content = db.execute("select content from img limit 1").fetchone()[0]
    vector = json.loads(db.execute("select embedding from embedding limit 1").fetchone()[0])
    meta = dict(db.execute("select key, value from _venue_audit_snapshot"))
    tables = {
        row[0]: row[1:] for row in db.execute("select name, rows, sha256 from _venue_audit_tables")
    }
    db.close()
    assert content[:3] == b"\xff\xd8\xff"
    assert len(vector) == 512
    assert meta["server_version"].startswith("PostgreSQL")
    assert "read_only=on" in meta["isolation"] and "repeatable read" in meta["isolation"]
    assert meta["snapshot_sha256"] == result.snapshot_sha256
    assert tables == {t.name: (t.rows, t.sha256) for t in result.copied}
    assert not result.snapshot.stat().st_mode & 0o222  # read-only once written


def test_custody_log_records_the_acquisition_without_the_password(live_postgres, case):
    result = acquire_database(
        case, live_postgres.server.url("auditor", "compreface"), environ=ENVIRON, command=["cli"]
    )
    events = case.custody_events()
    assert PASSWORD not in json.dumps(events, ensure_ascii=False)
    event = next(e for e in events if e["action"] == "acquire.database")
    detail = json.loads(event["detail"])
    assert detail["server"]["user"] == "auditor"
    assert detail["server_version"].startswith("PostgreSQL")
    assert detail["snapshot_time"]
    assert detail["copied"] == {t.name: {"rows": t.rows, "sha256": t.sha256} for t in result.copied}
    assert detail["denied"] == {"model": "permission denied (no SELECT privilege)"}
    listed = {t["table"]: t["rows"] for t in detail["tables_listed"]}
    assert listed == {"embedding": 8, "img": 6, "model": None, "subject": 3}
    sources = [row["root"] for row in case.db.query("select root from sources")]
    assert sources == [str(result.snapshot)]
    assert case.verify_custody() == []


def test_a_table_without_select_privilege_is_recorded_and_the_others_copied(live_postgres, case):
    result = acquire_database(
        case,
        live_postgres.server.url("auditor", "compreface"),
        environ=ENVIRON,
        tables=["subject", "model"],
    )
    assert [t.snapshot_name for t in result.denied] == ["model"]
    assert copied_rows(result) == {"embedding": 8, "img": 6, "subject": 3}


def test_dry_run_lists_tables_and_copies_nothing(live_postgres, case):
    result = acquire_database(
        case, live_postgres.server.url("auditor", "immich"), environ=ENVIRON, dry_run=True
    )
    listing = {t.snapshot_name: (t.rows, t.selected) for t in result.tables}
    assert listing == {
        "asset_face": (12, True),  # face_search's person keys (immich profile)
        "face_search": (12, True),
        "person": (3, False),
        "smart_search": (5, False),
    }
    assert result.copied == [] and result.snapshot is None
    assert not (case.directory / "snapshots").exists()
    assert list(case.db.query("select * from evidence")) == []
    assert case.custody_events()[-1]["action"] == "acquire.database.listing"


def test_tables_adds_and_exclude_removes(live_postgres, case):
    result = acquire_database(
        case,
        live_postgres.server.url("auditor", "immich"),
        environ=ENVIRON,
        tables=["asset_face", "public.person"],
        exclude=["face_*"],
    )
    assert copied_rows(result) == {"asset_face": 12, "person": 3}


def test_unknown_table_names_are_an_error(live_postgres, case):
    with pytest.raises(UnknownTables, match="no_such_table"):
        acquire_database(
            case,
            live_postgres.server.url("auditor", "immich"),
            environ=ENVIRON,
            tables=["no_such_table"],
        )


def test_wrong_password_is_an_authentication_failure(live_postgres, case):
    with pytest.raises(AuthenticationFailed) as raised:
        acquire_database(
            case,
            live_postgres.server.url("auditor", "compreface"),
            environ={"VENUE_AUDIT_DB_PASSWORD": "wrong-guess"},
        )
    assert "wrong-guess" not in str(raised.value)


def test_missing_password_asks_the_prompt_once(live_postgres, case):
    asked = []

    def prompt(question: str) -> str:
        asked.append(question)
        return PASSWORD

    result = acquire_database(
        case, live_postgres.server.url("auditor", "immich"), environ={}, prompt=prompt, dry_run=True
    )
    assert len(asked) == 1 and "auditor@127.0.0.1" in asked[0]
    assert result.tables
    with pytest.raises(PasswordRequired):
        acquire_database(case, live_postgres.server.url("auditor", "immich"), environ={})


def test_a_server_that_requires_tls_gives_a_clear_error(live_postgres, case):
    with pytest.raises(TlsRequired, match="sslmode"):
        acquire_database(
            case,
            live_postgres.server.url("tlsonly", "immich", "sslmode=disable"),
            environ={"VENUE_AUDIT_DB_PASSWORD": "tls-pw"},
        )


def test_tls_options_reach_the_server(live_postgres, case):
    if not live_postgres.server.has_tls:
        pytest.skip("openssl is not installed: the test server has no certificate")
    with live_postgres.server.admin("immich") as connection:
        connection.execute("grant select on all tables in schema public to tlsonly")
    result = acquire_database(
        None,
        live_postgres.server.url("tlsonly", "immich", "sslmode=require"),
        environ={"VENUE_AUDIT_DB_PASSWORD": "tls-pw"},
        dry_run=True,
    )
    assert result.target.options == {"sslmode": "require"}
    assert [t.snapshot_name for t in result.tables if t.selected] == ["asset_face", "face_search"]
    with pytest.raises(TlsRequired, match="certificate"):
        acquire_database(
            None,
            live_postgres.server.url("tlsonly", "immich", "sslmode=verify-full"),
            environ={"VENUE_AUDIT_DB_PASSWORD": "tls-pw"},
            dry_run=True,
        )


def test_no_write_statement_reaches_the_server(live_postgres, case):
    acquire_database(case, live_postgres.server.url("auditor", "compreface"), environ=ENVIRON)
    acquire_database(case, live_postgres.server.url("auditor", "immich"), environ=ENVIRON)
    statements = live_postgres.server.statements()
    assert any(s.lower().startswith("declare") for s in statements)  # the log did record us
    assert [s for s in statements if WRITE_STATEMENT.match(s)] == []


def test_pgvector_columns_are_copied_as_json_arrays(live_postgres, case):
    """Runs only where the pgvector extension is installed (Debian 12 does not package it)."""
    with live_postgres.server.admin() as admin:
        available = admin.execute(
            "select 1 from pg_available_extensions where name = 'vector'"
        ).fetchone()
        if not available:
            pytest.skip(
                "pgvector is not installed (no Debian 12 package): vector text form is unit-tested"
            )
        admin.execute("create database pgvector")
    vectors = face_vectors(4, seed=5, norm=20.0)
    with live_postgres.server.admin("pgvector") as connection:
        connection.execute("create extension vector")
        connection.execute(
            'create table face_search ("faceId" int primary key, embedding vector(512))'
        )
        for number, vector in enumerate(vectors):
            connection.execute(
                "insert into face_search values (%s, %s::vector)",
                [number, "[" + ",".join(repr(x) for x in vector) + "]"],
            )
        connection.execute("grant select on all tables in schema public to auditor")
    url = live_postgres.server.url("auditor", "pgvector")
    first = acquire_database(case, url, environ=ENVIRON)
    second = acquire_database(case, url, environ=ENVIRON)
    assert copied_rows(first) == {"face_search": 4}
    assert first.table_hashes() == second.table_hashes()
    db = sqlite3.connect(f"file:{first.snapshot}?mode=ro&immutable=1", uri=True)
    stored = [json.loads(row[0]) for row in db.execute("select embedding from face_search")]
    db.close()
    assert [len(v) for v in stored] == [512] * 4


def test_table_hash_survives_physical_reordering_and_many_batches(live_postgres, case):
    """A table without a primary key, rewritten in place (PostgreSQL moves updated rows), hashes the same."""
    rows = 300  # several server-side cursor batches
    with live_postgres.server.admin() as admin:
        admin.execute("create database reorder")
    with live_postgres.server.admin("reorder") as connection:
        connection.execute("create table capture (visitor_id text, feature float8[])")
        with connection.cursor() as cursor:
            cursor.executemany(
                "insert into capture values (%s, %s)",
                [(f"V{n:04d}", vector) for n, vector in enumerate(face_vectors(rows, seed=9))],
            )
        connection.execute("grant select on all tables in schema public to auditor")
    url = live_postgres.server.url("auditor", "reorder")
    before = acquire_database(case, url, environ=ENVIRON)
    with live_postgres.server.admin("reorder") as connection:
        connection.execute("update capture set visitor_id = visitor_id where visitor_id < 'V0150'")
        order = [r[0] for r in connection.execute("select visitor_id from capture limit 3")]
    assert order[0] != "V0000"  # the physical order really changed
    after = acquire_database(case, url, environ=ENVIRON)
    assert copied_rows(before) == copied_rows(after) == {"capture": rows}
    assert before.table_hashes() == after.table_hashes()
    with live_postgres.server.admin("reorder") as connection:
        connection.execute("update capture set visitor_id = 'X' where visitor_id = 'V0001'")
    changed = acquire_database(case, url, environ=ENVIRON)
    assert changed.table_hashes() != before.table_hashes()


def test_awkward_names_json_and_row_security_are_handled(live_postgres, case):
    """Names SQLite cannot hold side by side, a JSON-held template, and row-level security."""
    vectors = face_vectors(3, seed=13)
    with live_postgres.server.admin() as admin:
        admin.execute("create database awkward")
    with live_postgres.server.admin("awkward") as connection:
        connection.execute('create table "Face" ("ID" int primary key, "id" int, feature jsonb)')
        connection.execute("create table face (id int primary key, note jsonb)")
        connection.execute('create table "_venue_audit_snapshot" (k text)')
        connection.execute("create schema vendor")
        connection.execute("create table vendor.face (id int primary key, feature float8[])")
        for number, vector in enumerate(vectors):
            connection.execute(
                'insert into "Face" values (%s, %s, %s)', [number, -number, json.dumps(vector)]
            )
            connection.execute("insert into vendor.face values (%s, %s)", [number, vector])
        connection.execute("""insert into face values (1, '"a json string"')""")
        connection.execute("alter table vendor.face enable row level security")
        connection.execute("create policy first_two on vendor.face for select using (id < 2)")
        connection.execute("grant usage on schema vendor to auditor")
        for schema in ("public", "vendor"):
            connection.execute(f"grant select on all tables in schema {schema} to auditor")
    result = acquire_database(
        case,
        live_postgres.server.url("auditor", "awkward"),
        environ=ENVIRON,
        tables=["face", "_venue_audit_snapshot"],
    )
    names = {(t.schema, t.name): t.snapshot_name for t in result.tables}
    assert names == {
        ("public", "Face"): "Face",
        ("public", "face"): "public.face",
        ("public", "_venue_audit_snapshot"): "public._venue_audit_snapshot",
        ("vendor", "face"): "vendor.face",
    }
    assert copied_rows(result) == {
        "Face": 3,
        "public.face": 1,
        "public._venue_audit_snapshot": 0,
        "vendor.face": 2,  # row-level security hides one row from this account
    }
    vendor = next(t for t in result.tables if t.schema == "vendor")
    assert "row-level security" in json.dumps(vendor.as_log())
    db = sqlite3.connect(f"file:{result.snapshot}?mode=ro&immutable=1", uri=True)
    columns = [row[1] for row in db.execute('pragma table_info("Face")')]
    note = db.execute('select note from "public.face"').fetchone()[0]
    feature = db.execute('select feature from "Face" order by "ID" limit 1').fetchone()[0]
    db.close()
    assert columns == ["ID", "id#2", "feature"]
    assert note == '"a json string"'
    assert json.loads(feature) == pytest.approx(vectors[0])
