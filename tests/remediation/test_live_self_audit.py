"""A self-audit of a running PostgreSQL database: the list keyed by the server's primary key.

The sample visitor system's 13 capture rows live in a real loopback server under a text
primary key (``capture_no``), not SQLite's rowid. The business acquires its own database,
the to-delete list addresses rows as ``capture_no = '…'`` in PostgreSQL's dialect, the
statements run against the server itself, and verify-deletion, connecting again, finds every
listed row gone while the consented ones stay.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from typer.testing import CliRunner

from tests.live.fixtures import ENVIRON, PASSWORD, sample_captures
from tests.live.servers import PostgresServer
from tests.remediation.conftest import SAMPLE
from tests.remediation.test_to_delete import IDENTITY_OF, _reasons
from venue_audit.cli import app
from venue_audit.remediation.statements import delete_statements, finalising_commands


@pytest.fixture(scope="module")
def visitors_server() -> Iterator[PostgresServer]:
    pytest.importorskip("psycopg", reason="psycopg (psycopg[binary]) is not installed")
    try:
        server = PostgresServer.start()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    try:
        with server.admin() as admin:
            admin.execute(f"create role auditor login password '{PASSWORD}'")
            admin.execute("create database visitors")
        with server.admin("visitors") as db:
            db.execute(
                "create table t_face_capture (capture_no text primary key, visitor_id text, "
                "capture_time timestamp, camera_no text, face_img bytea, feature bytea)"
            )
            for capture in sample_captures():
                db.execute(
                    "insert into t_face_capture values (%s, %s, %s, %s, %s, %s)",
                    [f"C-{capture.id:04d}", capture.visitor_id, capture.captured_at,
                     capture.camera, capture.crop, capture.feature],
                )
            db.execute("grant select on all tables in schema public to auditor")
        yield server
    finally:
        server.stop()


def _run(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output) if result.output.strip().startswith("{") else {}


def expected_rows() -> set[str]:
    return {
        f"C-{c.id:04d}"
        for c in sample_captures()
        if _reasons([IDENTITY_OF[c.visitor_id]], datetime.fromisoformat(c.captured_at))
    }


@pytest.mark.slow
def test_a_running_database_is_self_audited_and_the_listed_rows_deleted_on_the_server(
    visitors_server: PostgresServer, tmp_path, monkeypatch
) -> None:
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)
    case = tmp_path / "case"
    url = visitors_server.url("auditor", "visitors")
    runner = CliRunner()
    for args in (
        ["case", "new", str(case), "--case-no", "自查-1", "--venue", "售楼处", "--responsible", "王五"],
        ["acquire", str(case), url, "--quiet"],
        ["scan", str(case), "--workers", "1", "--quiet"],
        ["consent", str(case), str(next((SAMPLE / "consent").glob("*.csv"))),
         "--policy", str(SAMPLE / "policy.toml"), "--quiet"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    listed = _run("to-delete", str(case), "--out", str(tmp_path / "待删除清单.csv"))
    (table,) = listed["tables"]
    assert table["table"] == "public.t_face_capture" and table["database"].startswith("postgresql://")

    from venue_audit.case import Case
    from venue_audit.remediation import load_to_delete

    stored = load_to_delete(Case(case))
    live = [i for i in stored.items if i.state == "live"]
    assert {i.location.key_values[0] for i in live} == expected_rows()
    assert all(i.location.key_columns == ["capture_no"] for i in live)
    (deletion,) = stored.deletions
    assert deletion.dialect == "postgresql"
    sql = (tmp_path / "待删除清单-visitors.sql").read_text(encoding="utf-8")
    assert 'DELETE FROM "public"."t_face_capture" WHERE "capture_no" IN (' in sql

    with visitors_server.admin("visitors") as db:  # the business runs the reviewed statements
        for statement in delete_statements(deletion):
            db.execute(statement)
        for command, _ in finalising_commands("postgresql", [deletion.table]):
            if not command.startswith("--"):
                db.execute(command)
        remaining = {row[0] for row in db.execute("select capture_no from t_face_capture")}
    assert remaining == {f"C-{c.id:04d}" for c in sample_captures()} - expected_rows()

    check = _run("verify-deletion", str(case), url, "--workers", "1")["to_delete"]
    states = {item["number"]: item["state"] for item in check["items"]}
    assert {states[i.number] for i in live} == {"deleted"}
    assert check["totals"]["still_present"] == 0
