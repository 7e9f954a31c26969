"""A copy of the case made for reading in Datasette: described, linked, and without embeddings.

``case.db`` is the tool's working database; an examiner browsing it wants to click from a face
to its person and from a finding to the persons it names, to read what each table and
column means, and to see the tables the report shows. ``build_browse_db`` writes
``browse.db``: the case's tables with their foreign keys declared (faces and findings point
at persons, artifacts at stores and evidence), the face embeddings left out (a browser copy
must not become a second store of biometric data), and views named like the report's
tables. ``metadata`` gives Datasette the descriptions and the canned queries.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from venue_audit.case import Case

BROWSE_DB = "browse.db"

# table -> (description, {column: description})
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "case_info": ("The case: number, venue, examiners, time zone, as-of date.", {}),
    "custody": (
        "Chain-of-custody log: every action on the case, hash-chained (venue-audit custody --verify).",
        {"hash": "SHA-256 over this event and the previous hash", "detail": "JSON"},
    ),
    "sources": ("The folders, files and database snapshots acquired.", {}),
    "evidence": (
        "Every acquired file and archive member with its hashes (the manifest, 电子数据清单).",
        {
            "path": "path inside its source; archive members as archive!/member",
            "parent_id": "the archive that holds this member",
            "current": "1 for the latest acquisition of this path",
        },
    ),
    "stores": ("Recognised data stores: folders, archives, databases, known systems.", {}),
    "artifacts": (
        "Stored face images, templates and video frames; one capture record (人次) may hold several.",
        {
            "record_key": "the capture record this artifact belongs to (a file, member or row)",
            "deleted": "1 when recovered from deleted data (free pages, WAL, carving)",
            "captured_at": "capture time, with captured_at_source saying where it came from",
            "sha256": "of the image or of the template as float32 little-endian",
        },
    ),
    "faces": (
        "Faces detected in images, and stored templates; embeddings are left out of this copy.",
        {
            "person_id": "the distinct person (人数) this face was counted as",
            "bbox": "top right bottom left",
        },
    ),
    "persons": (
        "Distinct persons after clustering and identity linking, with their consent status.",
        {
            "consent_status": "no_consent, withdrawn_retained, expired_retained or consented",
            "only_deleted": "1 when seen only in recovered deleted data",
            "n_records": "capture records of this person",
        },
    ),
    "consents": ("Rows of the consent register.", {"source_row": "file and row read"}),
    "consent_links": ("Which consent rows were linked to which persons, and how.", {}),
    "findings": (
        "Findings with their legal citations (the report's findings).",
        {"detail": "JSON: count, titles, locators", "citations": "JSON list"},
    ),
    "timeline_events": ("Pack, upload and delete lines found in the venue's logs.", {}),
    "event_links": (
        "Device events' picture URLs and the evidence they name (the capture record, if any).",
        {
            "status": "linked, evidence file without a detected face, ambiguous, or not in the evidence",
            "record_key": "the capture record the URL names (artifacts.record_key)",
            "attributes": "JSON: what the device said about the picture (face box, age group, …)",
        },
    ),
    "skipped": ("Items that could not be read, with where and why.", {}),
}

FOREIGN_KEYS: dict[str, list[tuple[str, str]]] = {
    "evidence": [("source_id", "sources"), ("parent_id", "evidence")],
    "stores": [("evidence_id", "evidence")],
    "artifacts": [("store_id", "stores"), ("evidence_id", "evidence")],
    "faces": [("artifact_id", "artifacts"), ("person_id", "persons")],
    "findings": [("person_id", "persons"), ("artifact_id", "artifacts")],
    "consent_links": [("person_id", "persons")],
    "timeline_events": [("evidence_id", "evidence"), ("store_id", "stores")],
    "event_links": [("event_id", "timeline_events"), ("evidence_id", "evidence")],
    "skipped": [("evidence_id", "evidence")],
}

LEFT_OUT = {("faces", "embedding")}

VIEWS: dict[str, tuple[str, str]] = {
    "report_stores": (
        "Stores as the report lists them: capture records (人次), images and templates.",
        "select s.id, s.locator as store, s.kind, s.profile,"
        " count(distinct case when a.deleted = 0 then a.record_key end) as records,"
        " sum(a.deleted = 0 and a.kind in ('face_crop', 'raw_frame', 'video_frame')) as face_images,"
        " sum(a.deleted = 0 and a.kind = 'template') as face_templates,"
        " count(distinct case when a.deleted = 1 then a.record_key end) as deleted_records"
        " from stores s left join artifacts a on a.store_id = s.id group by s.id order by s.locator",
    ),
    "report_persons": (
        "Persons as the report lists them, most records first.",
        "select id as person, space, n_records as records, first_seen, last_seen,"
        " consent_status as status, consent_reason, only_deleted from persons"
        " order by only_deleted, n_records desc, id",
    ),
    "report_findings": (
        "Findings as the report lists them, with their count and citations.",
        "select rule, severity, json_extract(detail, '$.count') as count,"
        " json_extract(detail, '$.title_zh') as title_zh,"
        " json_extract(detail, '$.title_en') as title_en, citations from findings order by id",
    ),
    "report_evidence": (
        "The evidence list (电子数据清单) with its three hashes.",
        "select e.id, s.root as source, e.path, e.size, e.mtime, e.md5, e.sha256, e.sm3"
        " from evidence e join sources s on s.id = e.source_id"
        " where e.current = 1 and e.entry = 'file' order by e.id",
    ),
}

CANNED_QUERIES = {
    "persons_without_consent": {
        "title": "Persons without consent (未取得同意的人员)",
        "sql": "select id, n_records, first_seen, last_seen, external_ids, flags from persons"
        " where consent_status = 'no_consent' and only_deleted = 0 order by n_records desc",
    },
    "persons_by_status": {
        "title": "Persons by consent status",
        "sql": "select coalesce(consent_status, 'not assessed') as status, count(*) as persons"
        " from persons where only_deleted = 0 group by 1 order by 2 desc",
    },
    "artifacts_by_store": {
        "title": "Face artifacts by store",
        "sql": "select s.locator as store, s.kind, a.kind as artifact, sum(a.deleted = 0) as live,"
        " sum(a.deleted) as deleted from artifacts a join stores s on s.id = a.store_id"
        " group by 1, 2, 3 order by 1",
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


def _primary_key(table: str) -> str:
    from venue_audit.case.schema import PRIMARY_KEYS

    return PRIMARY_KEYS.get(table, "id")


def _create(source: sqlite3.Connection, table: str) -> tuple[str, list[str]] | None:
    columns = [
        (row[1], row[2] or "")
        for row in source.execute(f"pragma src.table_info([{table}])")
        if (table, row[1]) not in LEFT_OUT
    ]
    if not columns:
        return None
    names = [name for name, _type in columns]
    key = _primary_key(table)
    parts = [
        f"[{name}] {kind}{' primary key' if name == key else ''}".rstrip() for name, kind in columns
    ]
    parts += [
        f"foreign key ([{column}]) references [{target}]"
        for column, target in FOREIGN_KEYS.get(table, [])
        if column in names
    ]
    return f"create table [{table}] ({', '.join(parts)})", names


def build_browse_db(case: Case, target: Path | None = None) -> Path:
    """Write the browsing copy (replacing an older one) and return its path."""
    target = Path(target or case.directory / BROWSE_DB)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial, uri=True)  # not evidence: the browsing copy we write
    try:
        db.execute("attach database ? as src", (f"file:{case.db_path}?mode=ro",))
        present = {
            r[0] for r in db.execute("select name from src.sqlite_master where type = 'table'")
        }
        for table in TABLES:
            if table not in present:
                continue
            created = _create(db, table)
            if created is None:
                continue
            statement, names = created
            db.execute(statement)
            columns = ", ".join(f"[{n}]" for n in names)
            db.execute(
                f"insert into main.[{table}] ({columns}) select {columns} from src.[{table}]"
            )
        for name, (_description, sql) in VIEWS.items():
            db.execute(f"create view [{name}] as {sql}")
        db.commit()
        db.execute("detach database src")
    finally:
        db.close()
    os.replace(partial, target)
    return target


def metadata(case: Case, database: str = Path(BROWSE_DB).stem) -> dict[str, Any]:
    """Datasette metadata: descriptions of every table, column and view, and canned queries."""
    tables: dict[str, Any] = {
        name: {"description": description, **({"columns": columns} if columns else {})}
        for name, (description, columns) in TABLES.items()
    }
    tables.update(
        {name: {"description": description} for name, (description, _sql) in VIEWS.items()}
    )
    return {
        "title": f"venue-audit case {case.info.case_no}",
        "description": f"{case.info.venue}: a read-only copy of the case without face embeddings",
        "databases": {database: {"tables": tables, "queries": CANNED_QUERIES}},
    }
