"""The acquire command takes a database URL as a source, with the password from the environment."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from venue_audit.cli import app
from venue_audit.scan import ScanOptions, count_faces, scan

from .fixtures import ENVIRON, PASSWORD


@pytest.mark.slow
def test_acquire_then_scan_a_live_visitor_database_from_the_command_line(
    live_mariadb, case, monkeypatch
):
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)
    url = live_mariadb.server.url("auditor", "visitors")
    result = CliRunner().invoke(app, ["acquire", str(case.directory), url, "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert PASSWORD not in result.output
    assert PASSWORD not in json.dumps(case.custody_events(), ensure_ascii=False)
    assert report["databases"][0]["copied"]
    scan(case, ScanOptions(workers=1))
    counts = count_faces(case)
    assert counts.records == live_mariadb.visitors.records
