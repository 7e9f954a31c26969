"""Write what the scanner found into case.db: stores, artifacts, faces, events, skipped items."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from venue_audit.acquire.exports import display_path
from venue_audit.acquire.names import storable
from venue_audit.case import Case
from venue_audit.scan.dispatch import StoreRef
from venue_audit.scan.drafts import RecordDraft


class CaseWriter:
    """Keeps store ids by locator so each store is one row however often it is met."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.db = case.db
        self._stores: dict[str, int] = {
            row["locator"]: row["id"] for row in self.db.query("select id, locator from stores")
        }

    def store(self, ref: StoreRef) -> int:
        ref.locator = storable(ref.locator)
        existing = self._stores.get(ref.locator)
        if existing is not None:
            if ref.kind != "folder":
                self.db["stores"].update(
                    existing,
                    {
                        "kind": ref.kind,
                        "profile": ref.profile,
                        "details": json.dumps(ref.details, ensure_ascii=False, default=str),
                    },
                )
            return existing
        store_id = int(
            self.db["stores"]
            .insert(
                {
                    "evidence_id": ref.evidence_id,
                    "locator": ref.locator,
                    "kind": ref.kind,
                    "profile": ref.profile,
                    "details": json.dumps(ref.details, ensure_ascii=False, default=str),
                }
            )
            .last_pk
        )
        self._stores[ref.locator] = store_id
        return store_id

    def record(self, record: RecordDraft, store_id: int) -> int:
        """Write a record's artifacts and their faces; returns how many artifacts were written."""
        written = 0
        for artifact in record.artifacts:
            if artifact.kind != "template" and not artifact.faces:
                continue
            artifact_id = int(
                self.db["artifacts"]
                .insert(
                    {
                        "store_id": store_id,
                        "evidence_id": record.evidence_id,
                        "record_key": storable(record.key),
                        "locator": storable(artifact.locator),
                        "kind": artifact.kind,
                        "deleted": int(artifact.deleted),
                        "captured_at": artifact.captured_at,
                        "captured_at_source": artifact.captured_at_source,
                        "person_key": artifact.person_key,
                        "person_key_kind": artifact.person_key_kind,
                        "camera": artifact.camera,
                        "sha256": artifact.sha256,
                        "pdq": artifact.pdq,
                        "phash": artifact.phash,
                        "width": artifact.width,
                        "height": artifact.height,
                        "model_guess": artifact.model_guess,
                        "confidence": artifact.confidence,
                    }
                )
                .last_pk
            )
            written += 1
            for face in artifact.faces:
                self.db["faces"].insert(
                    {
                        "artifact_id": artifact_id,
                        "bbox": json.dumps(face.bbox) if face.bbox else None,
                        "landmarks": json.dumps(face.landmarks) if face.landmarks else None,
                        "embedding": np.asarray(face.embedding, dtype="<f4").tobytes(),
                        "space": face.space,
                        "quality": face.quality,
                    }
                )
        return written

    def skipped(self, stage: str, evidence_id: int | None, locator: str, reason: str) -> None:
        self.db["skipped"].insert(
            {
                "stage": stage,
                "evidence_id": evidence_id,
                "locator": storable(locator),
                "reason": storable(reason),
            }
        )

    def event(self, evidence_id: int | None, store_id: int, event: Any) -> None:
        self.db["timeline_events"].insert(
            {
                "evidence_id": evidence_id,
                "store_id": store_id,
                "at": event.at,
                "action": event.action,
                "count": event.count,
                "remote": event.remote,
                "locator": storable(event.locator),
                "text": storable(event.text[:1000]),
                "files": json.dumps([storable(f) for f in event.files[:100]], ensure_ascii=False),
                "camera": getattr(event, "camera", None),
            }
        )

    def done(self, evidence_id: int, stats: dict[str, int]) -> None:
        self.db["scan_state"].upsert(
            {
                "evidence_id": evidence_id,
                "status": "done",
                "at": self.case.now(),
                "stats": json.dumps(stats),
            },
            pk="evidence_id",
        )

    def unread_entries(self) -> int:
        """List once, as skipped, the top-level entries acquisition recorded but did not read.

        FIFOs, devices, symlinks and files that could not be read are in the manifest with
        their error but never reach a reader; without this they would be missing from the
        report's list of skipped items.
        """
        rows = list(
            self.db.query(
                "select e.id, e.path, e.entry, e.error, s.root from evidence e"
                " join sources s on s.id = e.source_id where e.current = 1"
                " and e.parent_id is null and (e.entry != 'file' or e.error is not null)"
                " and e.id not in (select evidence_id from scan_state where status = 'done')"
                " order by e.id"
            )
        )
        with self.db.conn:
            for row in rows:
                reason = row["error"] or f"{row['entry']}: recorded, not read"
                self.skipped("acquire", row["id"], display_path(row), reason)
                self.done(row["id"], {"skipped": 1})
        return len(rows)

    def purge_unfinished(self) -> int:
        """Remove what an interrupted scan wrote for items it had not finished, so nothing counts twice."""
        unfinished = "evidence_id is not null and evidence_id not in (select evidence_id from scan_state where status = 'done')"
        removed = self.db.execute(f"select count(*) from artifacts where {unfinished}").fetchone()[
            0
        ]
        with self.db.conn:
            self.db.execute(
                f"delete from faces where artifact_id in (select id from artifacts where {unfinished})"
            )
            for table in ("artifacts", "skipped", "timeline_events", "stores"):
                self.db.execute(f"delete from {table} where {unfinished}")
        self._stores = {
            row["locator"]: row["id"] for row in self.db.query("select id, locator from stores")
        }
        return int(removed)
