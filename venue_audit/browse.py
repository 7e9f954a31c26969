"""Browse a case in a web browser with Datasette: read-only, on this machine only.

What is served is the browsing copy of the case (:mod:`venue_audit.exports.datasette`): the
tables with their links and descriptions, the report's tables as views, no face embeddings.
Datasette opens it ``--immutable`` on 127.0.0.1, and a plugin answers every request other
than GET/HEAD with 403. A port already in use is refused before anything starts, and a
server that does not come up is reported, never announced as serving. The server runs in its
own session, so a Ctrl-C reaches only ``browse``, which stops it; and it stops itself when
``browse`` is gone (plugin ``leave_with_parent``). Datasette is an optional extra (``pip install 'venue-audit[browse]'``): the core tool needs no web stack.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from venue_audit.browse_plugins import PARENT_ENV
from venue_audit.case import Case
from venue_audit.errors import UsageError
from venue_audit.exports.datasette import build_browse_db, metadata

HOST = "127.0.0.1"
PLUGINS = Path(__file__).resolve().parent / "browse_plugins"
STARTUP_SECONDS = 60


@dataclass
class BrowseServer:
    process: subprocess.Popen
    url: str
    database: Path
    metadata_file: Path
    log: Path

    def as_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "database": str(self.database),
            "metadata": str(self.metadata_file),
            "pid": self.process.pid,
        }

    def stop(self) -> None:
        """Stop the server and reap it; calling it again is harmless."""
        _stop(self.process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def require_free_port(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise UsageError(
                f"port {port} on {HOST} is in use ({error.strerror}); choose another with --port"
            ) from None


def datasette_command(database: Path, port: int, metadata_file: Path) -> list[str]:
    return [
        sys.executable, "-m", "datasette", "serve",
        "--immutable", str(database),
        "--metadata", str(metadata_file),
        "--plugins-dir", str(PLUGINS),
        "--host", HOST, "--port", str(port),
        "--setting", "sql_time_limit_ms", "5000",
    ]  # fmt: skip


def _wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            problem = log.read_text(encoding="utf-8", errors="replace").strip()
            last = problem.splitlines()[-1] if problem else "no message"
            raise UsageError(f"Datasette stopped at start (exit code {process.returncode}): {last}")
        try:
            with urllib.request.urlopen(f"{url}/-/versions.json", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise UsageError(f"Datasette did not answer on {url} within {STARTUP_SECONDS} s")


def serve(case: Case, port: int = 8001) -> BrowseServer:
    """Start Datasette on 127.0.0.1 and return once it answers; the caller waits or stops it."""
    try:
        import datasette  # noqa: F401
    except ImportError as error:
        raise UsageError("Datasette is not installed: pip install 'venue-audit[browse]'") from error
    require_free_port(port)
    database = build_browse_db(case)
    metadata_file = case.directory / "datasette-metadata.json"
    metadata_file.write_text(
        json.dumps(metadata(case, database.stem), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    log = case.directory / "datasette.log"  # a file, not a pipe: a long session never fills it
    with log.open("wb") as output:
        process = subprocess.Popen(
            datasette_command(database, port, metadata_file),
            stdout=output,
            stderr=output,
            start_new_session=True,
            env={**os.environ, PARENT_ENV: str(os.getpid())},
        )
    url = f"http://{HOST}:{port}"
    try:
        _wait_until_serving(process, url, log)
    except BaseException:  # not serving, or Ctrl-C while waiting: never leave it behind
        _stop(process)
        raise
    case.log("browse", {"port": port, "host": HOST, "database": database.name})
    return BrowseServer(process, f"{url}/{database.stem}", database, metadata_file, log)
