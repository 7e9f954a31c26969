"""browse serves the case read-only over HTTP with the canned queries."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from pathlib import Path

import pytest

from venue_audit.browse import serve
from venue_audit.case import Case, CaseInfo

pytest.importorskip("datasette")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, attempts: int = 100) -> dict:
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


def test_persons_without_consent_are_one_request_away(tmp_path: Path) -> None:
    case = Case.create(tmp_path / "case", CaseInfo("B-1", "venue", ["a", "b"]))
    case.db["persons"].insert_all(
        [
            {
                "id": 1,
                "space": "dlib",
                "n_faces": 3,
                "n_records": 2,
                "consent_status": "no_consent",
                "only_deleted": 0,
            },
            {
                "id": 2,
                "space": "dlib",
                "n_faces": 1,
                "n_records": 1,
                "consent_status": "consented",
                "only_deleted": 0,
            },
        ]
    )
    port = _free_port()
    process = serve(case, port)
    before = (tmp_path / "case" / "case.db").read_bytes()
    try:
        rows = _get(f"http://127.0.0.1:{port}/case/persons_without_consent.json?_shape=array")
        assert [row["id"] for row in rows] == [1]
        status = _get(f"http://127.0.0.1:{port}/case/persons_by_status.json?_shape=array")
        assert {row["status"]: row["persons"] for row in status} == {
            "no_consent": 1,
            "consented": 1,
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "case" / "case.db").read_bytes() == before
