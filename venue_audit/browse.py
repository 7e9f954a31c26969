"""Browse a case database in a web browser with Datasette, read-only, on localhost only.

Datasette opens the database ``--immutable`` (read-only, no locks) and offers
canned queries an examiner asks first. It is an optional extra
(``pip install venue-audit[browse]``) because the core tool needs no web stack.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from venue_audit.case import Case

CANNED_QUERIES = {
    "persons_without_consent": {
        "title": "Persons without consent (未取得同意的人员)",
        "sql": "select id, n_records, first_seen, last_seen, external_ids, flags from persons"
        " where consent_status = 'no_consent' and only_deleted = 0 order by n_records desc",
    },
    "persons_by_status": {
        "title": "Persons by consent status",
        "sql": "select coalesce(consent_status, 'not assessed') as status, count(*) as persons from persons"
        " where only_deleted = 0 group by 1 order by 2 desc",
    },
    "artifacts_by_store": {
        "title": "Face artifacts by store",
        "sql": "select s.locator as store, s.kind, a.kind as artifact, sum(a.deleted = 0) as live,"
        " sum(a.deleted) as deleted from artifacts a join stores s on s.id = a.store_id group by 1, 2, 3"
        " order by 1",
    },
    "findings": {
        "title": "Findings with citations",
        "sql": "select rule, severity, json_extract(detail, '$.count') as count, citations,"
        " json_extract(detail, '$.title_zh') as title from findings order by id",
    },
    "skipped_items": {
        "title": "Items that could not be read",
        "sql": "select stage, locator, reason from skipped order by id",
    },
    "timeline": {
        "title": "Pack / upload / delete events from logs",
        "sql": "select at, action, count, remote, locator from timeline_events order by at",
    },
}


def metadata(case: Case) -> dict:
    return {
        "title": f"venue-audit case {case.info.case_no}",
        "description": f"{case.info.venue} — read-only view of case.db",
        "databases": {"case": {"queries": CANNED_QUERIES}},
    }


def datasette_command(case_dir: Path, port: int, metadata_file: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(case_dir / "case.db"),
        "--metadata",
        str(metadata_file),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
    ]


def serve(case: Case, port: int = 8001) -> subprocess.Popen:
    """Start Datasette on 127.0.0.1; the caller waits for it or stops it."""
    try:
        import datasette  # noqa: F401
    except ImportError as error:
        raise RuntimeError(
            "Datasette is not installed: pip install 'venue-audit[browse]'"
        ) from error
    case.checkpoint()  # an immutable reader ignores the WAL: fold it into case.db first
    metadata_file = case.directory / "datasette-metadata.json"
    metadata_file.write_text(
        json.dumps(metadata(case), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    case.log("browse", {"port": port, "host": "127.0.0.1"})
    return subprocess.Popen(datasette_command(case.directory, port, metadata_file))
