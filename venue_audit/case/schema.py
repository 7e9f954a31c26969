"""The tables of ``case.db`` (DESIGN.md, "Core data model").

Every stage reads from and writes to these tables, so they are created once,
in one place, when the case is made. Columns that hold JSON are TEXT; times are
ISO 8601 strings with an explicit UTC offset.
"""

from __future__ import annotations

import sqlite_utils

SCHEMA_VERSION = 1

TABLES: dict[str, dict[str, type]] = {
    "case_info": {
        "case_no": str,
        "title": str,
        "venue": str,
        "org": str,
        "examiners": str,
        "tz": str,
        "created_at": str,
        "tool_version": str,
        "as_of": str,
        "schema_version": int,
        # the examination record (检验记录): who commissioned what, where, from whom
        "commissioned_at": str,
        "place": str,
        "material_source": str,
        "handover_at": str,
        "requirements": str,
        "witnesses": str,
        "holder": str,
        "purpose": str,  # "examination" or "self-audit" (case.workspace.PURPOSES)
    },
    "custody": {
        "seq": int,
        "at": str,
        "actor": str,
        "host": str,
        "tool_version": str,
        "action": str,
        "command": str,
        "detail": str,
        "prev_hash": str,
        "hash": str,
        "examiners": str,  # JSON list of the examiners' names; actor is the OS account
        "case_state": str,  # JSON: rows and SHA-256 of every table after the event (integrity.py)
    },
    "sources": {"id": int, "root": str, "label": str, "added_at": str},
    "evidence": {
        "id": int,
        "source_id": int,
        "path": str,
        "name": str,
        "parent_id": int,
        "entry": str,
        "type": str,
        "size": int,
        "mtime": str,
        "md5": str,
        "sha256": str,
        "sm3": str,
        "link_target": str,
        "error": str,
        "version": int,
        "current": int,
        "acquired_at": str,
    },
    "stores": {
        "id": int,
        "evidence_id": int,
        "locator": str,
        "kind": str,
        "profile": str,
        "details": str,
    },
    "artifacts": {
        "id": int,
        "store_id": int,
        "evidence_id": int,
        "record_key": str,
        "locator": str,
        "kind": str,
        "deleted": int,
        "captured_at": str,
        "captured_at_source": str,
        # how the time's UTC offset was known: stored (in the value), absolute (a Unix time)
        # or assumed (a wall-clock time read in the case zone); null when the clock does not say
        "captured_at_offset": str,
        "person_key": str,
        "person_key_kind": str,
        "camera": str,
        "sha256": str,
        "pdq": str,
        "phash": str,
        "width": int,
        "height": int,
        "model_guess": str,
        "confidence": float,
    },
    "faces": {
        "id": int,
        "artifact_id": int,
        "bbox": str,
        "landmarks": str,
        "embedding": bytes,
        "space": str,
        "quality": float,
        "person_id": int,
    },
    "persons": {
        "id": int,
        "space": str,
        "n_faces": int,
        "n_records": int,
        "first_seen": str,
        "last_seen": str,
        "external_ids": str,
        "consent_status": str,
        "flags": str,
        "only_deleted": int,
        "consent_reason": str,  # why this status: the consent rows found, or why none
        "consent_rows": str,  # JSON list of the consent-log rows linked (file, row)
        "consent_notes": str,  # JSON list of {code, params}: consent_reason, for the report's words
    },
    "consents": {
        "id": int,
        "subject_key": str,
        "key_kind": str,
        "signed_at": str,
        "withdrawn_at": str,
        "purpose": str,
        "source": str,
        "source_row": str,
    },
    "findings": {
        "id": int,
        "rule": str,
        "severity": str,
        "person_id": int,
        "artifact_id": int,
        "citations": str,
        "detail": str,
    },
    "skipped": {
        "id": int,
        "stage": str,
        "evidence_id": int,
        "locator": str,
        "reason": str,
        "code": str,  # the kind of problem (the report's reason table words it)
        "params": str,  # JSON object: the values the reason's wording needs
    },
    "timeline_events": {
        "id": int,
        "evidence_id": int,
        "store_id": int,
        "at": str,
        "action": str,
        "count": int,
        "remote": str,
        "locator": str,
        "text": str,
        "files": str,
        "camera": str,
        "pictures": str,  # JSON: picture URL -> what the device said about it (face box, age…)
    },
    # a device event's picture URL and the evidence it names (scan.event_links): the capture
    # record, or the file that holds no detected face, or nothing found (status says which)
    "event_links": {
        "id": int,
        "event_id": int,
        "url": str,
        "status": str,
        "record_key": str,
        "evidence_id": int,
        "matched_by": str,
        "attributes": str,
    },
    "consent_links": {"id": int, "consent_id": str, "person_id": int, "method": str},
    "scan_state": {"evidence_id": int, "status": str, "at": str, "stats": str},
    "case_meta": {"key": str, "value": str},
}

PRIMARY_KEYS = {
    "case_info": "case_no",
    "custody": "seq",
    "scan_state": "evidence_id",
    "case_meta": "key",
}

FOREIGN_KEYS: dict[str, list[tuple[str, str, str]]] = {
    "evidence": [("source_id", "sources", "id")],
    "stores": [("evidence_id", "evidence", "id")],
    "artifacts": [("store_id", "stores", "id"), ("evidence_id", "evidence", "id")],
    "faces": [("artifact_id", "artifacts", "id")],
    "event_links": [("event_id", "timeline_events", "id")],
}

INDEXES: dict[str, list[list[str]]] = {
    "evidence": [["source_id", "path", "version"], ["sha256"], ["parent_id"]],
    "artifacts": [["store_id"], ["sha256"], ["evidence_id"], ["record_key"]],
    "stores": [["locator"]],
    "faces": [["artifact_id"], ["person_id"]],
    "skipped": [["stage"]],
    "event_links": [["event_id"], ["record_key"]],
}


def create_schema(db: sqlite_utils.Database) -> None:
    # One transaction: a commit per table costs a disk sync each, most of `case new`.
    with db.atomic():
        for name, columns in TABLES.items():
            db[name].create(
                columns,
                pk=PRIMARY_KEYS.get(name, "id"),
                foreign_keys=FOREIGN_KEYS.get(name),
                if_not_exists=True,
            )
        for name, indexes in INDEXES.items():
            for columns in indexes:
                db[name].create_index(columns, if_not_exists=True)
