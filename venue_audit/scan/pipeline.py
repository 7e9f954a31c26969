"""The scan stage: every acquired item through the readers, the classifier and the face engine.

Resumable by construction: an evidence item's rows are committed together
with its ``scan_state`` mark, and a restarted scan first removes whatever an
interrupted run wrote for unmarked items, so a killed scan never counts twice.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from venue_audit.acquire.exports import absolute_path
from venue_audit.acquire.items import open_evidence
from venue_audit.acquire.limits import DEFAULT_LIMITS, ArchiveLimits
from venue_audit.case import Case
from venue_audit.consent.capture_time import CaptureTime, from_exif, from_file_name
from venue_audit.consent.timestamps import parse_timestamp
from venue_audit.faces import EngineConfig
from venue_audit.scan.analysis import analyse
from venue_audit.scan.dispatch import StoreRef, Unclaimed, walk
from venue_audit.scan.drafts import ArtifactDraft, RecordDraft
from venue_audit.scan.rows import TableVerdict, records_from_table
from venue_audit.scan.video import video_records
from venue_audit.scan.writer import CaseWriter
from venue_audit.sources.base import (
    ImageFound,
    Item,
    LogEvent,
    Problem,
    StoreFound,
    TableRows,
    VideoFound,
)
from venue_audit.sources.profiles.registry import ProfileSession

ProgressCallback = Callable[[int, int], None]


@dataclass
class ScanOptions:
    workers: int = 0
    engine: EngineConfig = field(default_factory=EngineConfig)
    limits: ArchiveLimits = DEFAULT_LIMITS
    batch_images: int = 256
    video_fps: float = 1.0


@dataclass
class ScanRun:
    """What this run did (a resumed run reports only the items it scanned itself)."""

    items: int = 0
    resumed_after: int = 0
    purged_artifacts: int = 0
    stats: Counter[str] = field(default_factory=Counter)


def evidence_item(row: dict[str, Any]) -> Item:
    path = absolute_path(row)

    def read() -> bytes:
        with open_evidence(Path(path)) as stream:
            return stream.read()

    return Item(
        locator=_display(row),
        name=row["name"],
        type=row["type"] or "",
        size=row["size"] or 0,
        read=read,
        open=lambda: open_evidence(Path(path)),
        path=path,
        mtime=row["mtime"],
        evidence_id=row["id"],
    )


def _display(row: dict[str, Any]) -> str:
    root = Path(row["root"])
    return f"{root.name}/{row['path']}" if root.is_dir() else row["path"]


class _Scanner:
    def __init__(self, case: Case, options: ScanOptions) -> None:
        self.case = case
        self.options = options
        self.workers = options.workers or os.cpu_count() or 1
        self.writer = CaseWriter(case)
        self.pending: list[tuple[RecordDraft, int]] = []
        self.pending_images = 0
        self.pending_items: list[tuple[int, Counter[str]]] = []
        self.verdicts: list[TableVerdict] = []
        self.profiles = ProfileSession()

    def item(self, row: dict[str, Any]) -> Counter[str]:
        stats: Counter[str] = Counter()
        evidence_id = row["id"]
        for store, found in walk(evidence_item(row), self.options):
            self.profiles.name_store(store, found)
            store_id = self.writer.store(store)
            if isinstance(found, StoreFound):
                stats[f"store:{found.kind}"] += 1
            elif isinstance(found, TableRows):
                self._table(found, store, store_id, evidence_id, stats)
            elif isinstance(found, ImageFound):
                stats["pictures"] += 1
                self._queue(self._picture(found, store, evidence_id), store_id)
            elif isinstance(found, VideoFound):
                stats["videos"] += 1
                self._video(found, store, store_id, evidence_id, stats)
            elif isinstance(found, LogEvent):
                stats["log_events"] += 1
                self.writer.event(evidence_id, store_id, found)
            elif isinstance(found, Problem):
                stats["skipped"] += 1
                self.writer.skipped("scan", evidence_id, found.locator, found.reason)
            elif isinstance(found, Unclaimed):
                stats["other_files"] += 1
        self.pending_items.append((evidence_id, stats))
        if self.pending_images >= self.options.batch_images:
            self.flush()
        return stats

    def _table(
        self,
        table: TableRows,
        store: StoreRef,
        store_id: int,
        evidence_id: int,
        stats: Counter[str],
    ) -> None:
        verdicts: list[TableVerdict] = []
        try:
            for record in records_from_table(
                table, store, evidence_id, self.case.info.tz, verdicts
            ):
                self._queue(record, store_id)
        except Exception as error:  # a corrupt page or a malformed row mid-table
            stats["skipped"] += 1
            self.writer.skipped(
                "scan",
                evidence_id,
                f"{store.locator}, table {table.table}",
                f"table could not be read to the end: {type(error).__name__}: {error}",
            )
        for verdict in verdicts:
            stats["table_rows"] += verdict.rows
            self.verdicts.append(verdict)
            if verdict.roles.holds_faces:
                self.case.db["case_meta"].upsert(
                    {
                        "key": f"classification:{store.locator}:{verdict.table}",
                        "value": json.dumps(verdict.roles.reasons, ensure_ascii=False),
                    },
                    pk="key",
                )

    def _picture(self, found: ImageFound, store: StoreRef, evidence_id: int) -> RecordDraft:
        tz = self.case.info.tz
        facts = self.profiles.picture(found.locator, tz)
        when = facts.captured if facts else from_file_name(found.locator, tz)
        when = when or from_exif(found.data, tz)
        if when is None and found.captured_at:
            at = parse_timestamp(found.captured_at, tz)
            when = CaptureTime(at, found.captured_at_source or "reader") if at else None
        captured_at = when.at.isoformat() if when else None
        source = when.source if when else None
        artifact = ArtifactDraft(
            found.locator,
            "raw_frame",
            image=found.data,
            captured_at=captured_at,
            captured_at_source=source,
            person_key=facts.person_key if facts else None,
            person_key_kind=facts.person_key_kind if facts else None,
        )
        return RecordDraft(found.locator, store.locator, evidence_id, [artifact])

    def _video(
        self,
        found: VideoFound,
        store: StoreRef,
        store_id: int,
        evidence_id: int,
        stats: Counter[str],
    ) -> None:
        for record in video_records(found.item, store, evidence_id, self.options, self.writer):
            stats["video_frames_with_faces"] += 1
            self._queue(record, store_id)

    def _queue(self, record: RecordDraft, store_id: int) -> None:
        self.pending.append((record, store_id))
        self.pending_images += len(record.pending_images)
        if self.pending_images >= self.options.batch_images * 2:
            self.flush(items_done=False)

    def flush(self, items_done: bool = True) -> None:
        """Analyse queued pictures, then write records (and, at item ends, the done marks) in one transaction."""
        records = [record for record, _ in self.pending]
        failures = []
        for outcome in analyse(records, self.options.engine, self.workers):
            if outcome.error is not None:
                failures.append(
                    (outcome.record.evidence_id, outcome.artifact.locator, str(outcome.error))
                )
        with self.case.db.conn:
            for record, store_id in self.pending:
                self.writer.record(record, store_id)
            for evidence_id, locator, reason in failures:
                self.writer.skipped("faces", evidence_id, locator, reason)
            if items_done:
                for evidence_id, stats in self.pending_items:
                    self.writer.done(evidence_id, dict(stats))
                self.pending_items = []
        self.pending = []
        self.pending_images = 0


_TODO = (
    "select e.*, s.root from evidence e join sources s on s.id = e.source_id"
    " where e.current = 1 and e.parent_id is null and e.entry = 'file' and e.error is null"
    " and e.id > ? and e.id not in (select evidence_id from scan_state where status = 'done')"
    " order by e.id limit ?"
)
_PAGE = 500


def _pending_items(case: Case) -> Iterator[dict[str, Any]]:
    """Unscanned top-level files in id order, a page at a time: a million files never sit in memory."""
    last = 0
    while True:
        page = list(case.db.query(_TODO, [last, _PAGE]))
        if not page:
            return
        yield from page
        last = page[-1]["id"]


def scan(
    case: Case,
    options: ScanOptions | None = None,
    progress: ProgressCallback | None = None,
    command: list[str] | None = None,
) -> ScanRun:
    """Find, classify and analyse every face-bearing record in the acquired evidence."""
    options = options or ScanOptions()
    scanner = _Scanner(case, options)
    run = ScanRun(purged_artifacts=scanner.writer.purge_unfinished())
    scope = (
        "from evidence where current = 1 and parent_id is null and entry = 'file' and error is null"
    )
    items, total = case.db.execute(f"select count(*), coalesce(sum(size), 0) {scope}").fetchone()
    done_items, done_bytes = case.db.execute(
        f"select count(*), coalesce(sum(size), 0) {scope} and id in "
        "(select evidence_id from scan_state where status = 'done')"
    ).fetchone()
    run.resumed_after = done_items
    case.log(
        "scan.start",
        {
            "items": items,
            "already_done": done_items,
            "purged_unfinished_artifacts": run.purged_artifacts,
            "workers": scanner.workers,
            "engine": options.engine.result_parameters(),
        },
        command,
    )
    run.stats["skipped"] += scanner.writer.unread_entries()
    for row in _pending_items(case):
        run.stats.update(scanner.item(row))
        run.items += 1
        done_bytes += row["size"] or 0
        if progress:
            progress(done_bytes, total)
    scanner.flush()
    case.log("scan.end", {"items": run.items, **dict(run.stats)}, command)
    return run
