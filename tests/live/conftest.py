"""Live servers for the acquisition tests, started once per session on 127.0.0.1.

When the server binaries or Python drivers are missing the tests skip with the
reason; CI installs both (``.ci/services.sh``) so there they run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from venue_audit.case import Case, CaseInfo

from .fixtures import (
    PASSWORD,
    Expected,
    create_compreface,
    create_immich,
    create_visitor_system,
    sample_captures,
)
from .servers import MariadbServer, PostgresServer


@dataclass
class LivePostgres:
    server: PostgresServer
    compreface: Expected
    immich: Expected


@dataclass
class LiveMariadb:
    server: MariadbServer
    visitors: Expected


@pytest.fixture(scope="session")
def live_postgres() -> Iterator[LivePostgres]:
    pytest.importorskip("psycopg", reason="psycopg (psycopg[binary]) is not installed")
    try:
        server = PostgresServer.start()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    try:
        with server.admin() as admin:
            admin.execute(f"create role auditor login password '{PASSWORD}'")
            admin.execute("create role tlsonly login password 'tls-pw'")
            admin.execute("create database compreface")
            admin.execute("create database immich")
        captures = sample_captures()
        with server.admin("compreface") as connection:
            compreface = create_compreface(connection, captures)
            connection.execute("grant select on all tables in schema public to auditor")
            connection.execute("revoke select on model from auditor")
        with server.admin("immich") as connection:
            immich = create_immich(connection)
            connection.execute("grant select on all tables in schema public to auditor")
        yield LivePostgres(server, compreface, immich)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live_mariadb() -> Iterator[LiveMariadb]:
    pytest.importorskip("pymysql", reason="PyMySQL is not installed")
    try:
        server = MariadbServer.start()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    try:
        with server.admin() as admin, admin.cursor() as cursor:
            cursor.execute("create database visitors default charset utf8mb4")
            cursor.execute(f"create user 'auditor'@'127.0.0.1' identified by '{PASSWORD}'")
        with server.admin("visitors") as connection:
            visitors = create_visitor_system(connection, sample_captures())
            with connection.cursor() as cursor:
                # SELECT only; on device only REFERENCES: listed, but not readable.
                for table in ("visitor", "face_capture"):
                    cursor.execute(f"grant select on visitors.{table} to 'auditor'@'127.0.0.1'")
                cursor.execute("grant references on visitors.device to 'auditor'@'127.0.0.1'")
        yield LiveMariadb(server, visitors)
    finally:
        server.stop()


@pytest.fixture
def case(tmp_path: Path) -> Case:
    return Case.create(
        tmp_path / "case",
        CaseInfo(case_no="LIVE-1", venue="Test venue", examiners=["Examiner A", "Examiner B"]),
        command=["test"],
    )
