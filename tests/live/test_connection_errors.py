"""Connection failures that need no running server: each is a typed error with a usable message."""

from __future__ import annotations

import pytest

from venue_audit.acquire.live import (
    BadTarget,
    LiveAcquisitionError,
    ServerUnreachable,
    acquire_database,
)

from .servers import free_port


@pytest.mark.parametrize(("scheme", "driver"), [("postgresql", "psycopg"), ("mysql", "pymysql")])
def test_nothing_listening_is_server_unreachable(scheme, driver):
    pytest.importorskip(driver)
    url = f"{scheme}://auditor@127.0.0.1:{free_port()}/db?connect_timeout=3"
    with pytest.raises(ServerUnreachable, match=r"127\.0\.0\.1"):
        acquire_database(None, url, dry_run=True, environ={"VENUE_AUDIT_DB_PASSWORD": "pw"})


def test_unsupported_url_options_are_refused_before_connecting():
    pytest.importorskip("psycopg")
    with pytest.raises(LiveAcquisitionError, match="service"):
        acquire_database(None, "postgresql://a@127.0.0.1/db?service=prod", dry_run=True)


def test_a_case_is_required_unless_listing():
    with pytest.raises(ValueError, match="case"):
        acquire_database(None, "postgresql://a@127.0.0.1/db")


def test_password_in_url_never_reaches_a_driver():
    with pytest.raises(BadTarget):
        acquire_database(None, "mysql://root:hunter2@127.0.0.1/db", dry_run=True)


def test_bad_connection_options_are_clear_errors():
    with pytest.raises(BadTarget, match="connect_timeout"):
        acquire_database(None, "postgresql://a@127.0.0.1/db?connect_timeout=soon", dry_run=True)
    pytest.importorskip("pymysql")
    with pytest.raises(LiveAcquisitionError, match="ssl-mode"):
        acquire_database(None, "mysql://a@127.0.0.1/db?ssl-mode=maybe", dry_run=True)
