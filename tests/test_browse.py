"""browse serves a described, linked, embedding-free copy of the case, read-only, on localhost."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from venue_audit.case import Case, CaseInfo
from venue_audit.cli import app
from venue_audit.exports.datasette import TABLES, VIEWS, build_browse_db, metadata

pytest.importorskip("datasette")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def case(tmp_path: Path) -> Case:
    case = Case.create(tmp_path / "case", CaseInfo("B-1", "venue", ["a", "b"]))
    case.db["sources"].insert({"id": 1, "root": "/x", "label": "x"})
    case.db["evidence"].insert(
        {"id": 1, "source_id": 1, "path": "f.jpg", "entry": "file", "current": 1}
    )
    case.db["stores"].insert({"id": 1, "evidence_id": 1, "locator": "x", "kind": "folder"})
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
    case.db["artifacts"].insert(
        {
            "id": 1,
            "store_id": 1,
            "evidence_id": 1,
            "record_key": "x/f.jpg",
            "kind": "face_crop",
            "deleted": 0,
        }
    )
    embedding = np.ones(128, dtype="<f4").tobytes()
    case.db["faces"].insert(
        {"id": 1, "artifact_id": 1, "embedding": embedding, "space": "dlib", "person_id": 1}
    )
    case.db["findings"].insert(
        {"id": 1, "rule": "no-consent", "severity": "high", "person_id": 1, "detail": "{}"}
    )
    return case


def test_the_browsing_copy_links_faces_and_findings_to_persons_and_leaves_embeddings_out(
    case: Case,
) -> None:
    with sqlite3.connect(build_browse_db(case)) as db:
        links = {
            table: {(row[3], row[2]) for row in db.execute(f"pragma foreign_key_list({table})")}
            for table in ("faces", "findings")
        }
        assert ("person_id", "persons") in links["faces"] and ("artifact_id", "artifacts") in links[
            "faces"
        ]
        assert ("person_id", "persons") in links["findings"]
        assert "embedding" not in {row[1] for row in db.execute("pragma table_info(faces)")}
        assert db.execute("pragma foreign_key_check").fetchall() == []
        stores = db.execute("select store, records, face_images from report_stores").fetchall()
        assert stores == [("x", 1, 1)]


def test_every_table_and_view_is_described(case: Case) -> None:
    described = metadata(case)["databases"]["browse"]["tables"]
    assert set(described) == set(TABLES) | set(VIEWS)
    assert all(entry["description"] for entry in described.values())
    assert described["faces"]["columns"]["person_id"]


def test_persons_without_consent_are_one_request_away_and_writes_are_forbidden(case: Case) -> None:
    from venue_audit.browse import serve

    before = case.db_path.read_bytes()
    server = serve(case, _free_port())
    try:
        rows = _get(f"{server.url}/persons_without_consent.json?_shape=array")
        assert [row["id"] for row in rows] == [1]
        for path in ("/persons/-/insert", "/-/create", "/persons_without_consent"):
            request = urllib.request.Request(server.url + path, data=b"{}", method="POST")
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 403, path
    finally:
        server.stop()
    assert case.db_path.read_bytes() == before


def test_a_busy_port_is_refused_before_anything_starts(case: Case) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["browse", str(case.directory), "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Serving" not in result.stdout
    assert not (case.directory / "browse.db").exists()


def _alive(pid: int) -> bool:
    """True while the process runs (a zombie waiting to be reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in {"Z", "X"}


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


class BrowseRun:
    """``venue-audit browse --json`` run as a script does; whatever it started is stopped after."""

    def __init__(self, case: Case) -> None:
        command = ["browse", str(case.directory), "--port", str(_free_port()), "-q", "--json"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "venue_audit.cli", *command],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.server_pid: int | None = None

    def address(self) -> dict[str, object]:
        assert self.process.stdout is not None
        text = ""
        while True:
            line = self.process.stdout.readline()
            assert line, "browse ended before printing its address"
            text += line
            if line.startswith("}"):
                break
        address = json.loads(text)
        self.server_pid = int(address["pid"])
        return address

    def close(self) -> None:
        for pid in (self.process.pid, self.server_pid):
            if pid is not None and _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(os.getpgid(pid), signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def browse_run(case: Case) -> Iterator[BrowseRun]:
    run = BrowseRun(case)
    try:
        yield run
    finally:
        run.close()


def test_browse_json_prints_the_address_once_the_server_answers(browse_run: BrowseRun) -> None:
    address = browse_run.address()
    assert str(address["url"]).startswith("http://127.0.0.1:")
    assert _get(f"{address['url']}/persons.json?_shape=array")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states in /proc")
def test_stopping_browse_stops_its_server(browse_run: BrowseRun) -> None:
    browse_run.address()
    browse_run.process.send_signal(signal.SIGTERM)
    assert browse_run.process.wait(timeout=30) == 0
    assert browse_run.server_pid is not None and not _alive(browse_run.server_pid)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states in /proc")
def test_a_server_whose_browse_was_killed_stops_itself(browse_run: BrowseRun) -> None:
    browse_run.address()
    browse_run.process.kill()  # nothing can be caught: the server notices it has lost its parent
    browse_run.process.wait(timeout=30)
    assert browse_run.server_pid is not None
    assert _gone_within(browse_run.server_pid, 15), "the server outlived its browse"
