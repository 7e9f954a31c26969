"""Write what the scanner found into case.db: stores, artifacts, faces, events, skipped items.

Rows are written inside :meth:`CaseWriter.transaction`, one real transaction for a batch
of items together with their done marks: after a crash an item is either wholly in the
case or not at all (its rows and its mark share a commit), and the scan pays one commit
per batch instead of one per row. The statements are plain SQL on the case's connection
(see :meth:`venue_audit.case.Case.transaction`).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from typing import Any

import numpy as np

from venue_audit.acquire.exports import display_path
from venue_audit.acquire.names import storable
from venue_audit.case import Case
from venue_audit.scan.dispatch import StoreRef
from venue_audit.scan.drafts import RecordDraft

_ARTIFACT_COLUMNS = (
    "store_id",
    "evidence_id",
    "record_key",
    "locator",
    "kind",
    "deleted",
    "captured_at",
    "captured_at_source",
    "captured_at_offset",
    "person_key",
    "person_key_kind",
    "camera",
    "sha256",
    "pdq",
    "phash",
    "width",
    "height",
    "model_guess",
    "confidence",
)
_INSERT_ARTIFACT = (
    f"insert into artifacts ({', '.join(_ARTIFACT_COLUMNS)})"
    f" values ({', '.join('?' for _ in _ARTIFACT_COLUMNS)})"
)
_INSERT_FACE = (
    "insert into faces (artifact_id, bbox, landmarks, embedding, space, quality)"
    " values (?, ?, ?, ?, ?, ?)"
)


class CaseWriter:
    """Keeps store ids by locator so each store is one row however often it is met."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.db = case.db
        self.conn: sqlite3.Connection = case.db.conn
        self._stores: dict[str, int] = {
            row["locator"]: row["id"] for row in self.db.query("select id, locator from stores")
        }

    def transaction(self) -> AbstractContextManager[None]:
        """Write a batch of items and their done marks in one commit."""
        return self.case.transaction()

    def store(self, ref: StoreRef) -> int:
        ref.locator = storable(ref.locator)
        details = json.dumps(ref.details, ensure_ascii=False, default=str)
        existing = self._stores.get(ref.locator)
        if existing is not None:
            if ref.kind != "folder":
                self.conn.execute(
                    "update stores set kind = ?, profile = ?, details = ? where id = ?",
                    (ref.kind, ref.profile, details, existing),
                )
            return existing
        cursor = self.conn.execute(
            "insert into stores (evidence_id, locator, kind, profile, details) values (?, ?, ?, ?, ?)",
            (ref.evidence_id, ref.locator, ref.kind, ref.profile, details),
        )
        store_id = int(cursor.lastrowid or 0)
        self._stores[ref.locator] = store_id
        return store_id

    def record(self, record: RecordDraft, store_id: int) -> int:
        """Write a record's artifacts and their faces; returns how many artifacts were written."""
        written = 0
        key = storable(record.key)
        for artifact in record.artifacts:
            if artifact.kind != "template" and not artifact.faces:
                continue
            cursor = self.conn.execute(
                _INSERT_ARTIFACT,
                (
                    store_id,
                    record.evidence_id,
                    key,
                    storable(artifact.locator),
                    artifact.kind,
                    int(artifact.deleted),
                    artifact.captured_at,
                    artifact.captured_at_source,
                    artifact.captured_at_offset,
                    artifact.person_key,
                    artifact.person_key_kind,
                    artifact.camera,
                    artifact.sha256,
                    artifact.pdq,
                    artifact.phash,
                    artifact.width,
                    artifact.height,
                    artifact.model_guess,
                    artifact.confidence,
                ),
            )
            artifact_id = cursor.lastrowid
            written += 1
            self.conn.executemany(
                _INSERT_FACE,
                [
                    (
                        artifact_id,
                        json.dumps(face.bbox) if face.bbox else None,
                        json.dumps(face.landmarks) if face.landmarks else None,
                        np.asarray(face.embedding, dtype="<f4").tobytes(),
                        face.space,
                        face.quality,
                    )
                    for face in artifact.faces
                ],
            )
        return written

    def skipped(
        self,
        stage: str,
        evidence_id: int | None,
        locator: str,
        reason: str,
        code: str = "",
        params: dict[str, Any] | None = None,
    ) -> None:
        self.conn.execute(
            "insert into skipped (stage, evidence_id, locator, reason, code, params)"
            " values (?, ?, ?, ?, ?, ?)",
            (
                stage,
                evidence_id,
                storable(locator),
                storable(reason),
                code or None,
                json.dumps(params, ensure_ascii=False, default=str) if params else None,
            ),
        )

    def event(self, evidence_id: int | None, store_id: int, event: Any) -> None:
        self.conn.execute(
            "insert into timeline_events (evidence_id, store_id, at, action, count, remote,"
            " locator, text, files, camera, pictures) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                evidence_id,
                store_id,
                event.at,
                event.action,
                event.count,
                event.remote,
                storable(event.locator),
                storable(event.text[:1000]),
                json.dumps([storable(f) for f in event.files[:100]], ensure_ascii=False),
                getattr(event, "camera", None),
                json.dumps(getattr(event, "pictures", None) or {}, ensure_ascii=False)
                if getattr(event, "pictures", None) else None,
            ),
        )

    def meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "insert into case_meta (key, value) values (?, ?)"
            " on conflict (key) do update set value = excluded.value",
            (key, value),
        )

    def done(self, evidence_id: int, stats: dict[str, int]) -> None:
        self.conn.execute(
            "insert into scan_state (evidence_id, status, at, stats) values (?, 'done', ?, ?)"
            " on conflict (evidence_id) do update set status = excluded.status,"
            " at = excluded.at, stats = excluded.stats",
            (evidence_id, self.case.now(), json.dumps(stats)),
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
        with self.transaction():
            for row in rows:
                reason = row["error"] or f"{row['entry']}: recorded, not read"
                code, params = _unread_code(row["entry"], row["error"])
                self.skipped("acquire", row["id"], display_path(row), reason, code, params)
                self.done(row["id"], {"skipped": 1})
        return len(rows)

    def purge_unfinished(self) -> int:
        """Remove what an interrupted scan wrote for items it had not finished, so nothing counts twice."""
        unfinished = "evidence_id is not null and evidence_id not in (select evidence_id from scan_state where status = 'done')"
        removed = self.conn.execute(
            f"select count(*) from artifacts where {unfinished}"
        ).fetchone()[0]
        with self.transaction():
            self.conn.execute(
                f"delete from faces where artifact_id in (select id from artifacts where {unfinished})"
            )
            self.conn.execute(
                "delete from event_links where event_id in"
                f" (select id from timeline_events where {unfinished})"
            )
            for table in ("artifacts", "skipped", "timeline_events", "stores"):
                self.conn.execute(f"delete from {table} where {unfinished}")
        self._stores = {
            row["locator"]: row["id"] for row in self.db.query("select id, locator from stores")
        }
        return int(removed)


def _unread_code(entry: str, error: str | None) -> tuple[str, dict[str, Any]]:
    """The reason code of an entry acquisition recorded but did not read (a symlink, a FIFO …)."""
    if entry in ("symlink", "fifo", "socket", "device"):
        return f"acquire.{entry}", {}
    return "acquire.unreadable", {"error": error or ""}
