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
from venue_audit.case.lock import writes_case
from venue_audit.consent.capture_time import CaptureTime, from_exif, from_file_name
from venue_audit.consent.timestamps import parse_timestamp
from venue_audit.faces import ENGINE_VERSION, EngineConfig, FaceResultCache, face_pool
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
CACHE_NAME = "face-cache.sqlite"  # face results by content hash: embeddings and boxes, no pictures


@dataclass
class ScanOptions:
    workers: int = 0
    engine: EngineConfig = field(default_factory=EngineConfig)
    limits: ArchiveLimits = DEFAULT_LIMITS
    batch_images: int = 256
    video_fps: float = 1.0
    dask_scheduler: str | None = None
    dask_batch: int = 200
    zip_passwords: tuple[str, ...] = ()  # never logged: custody records only how many were given


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


@dataclass
class Extraction:
    """Everything one evidence item yielded, before anything is written.

    Extraction touches no database, so it can run in this process or on a Dask
    worker; writing it is the same either way, which keeps the results identical.
    """

    evidence_id: int
    stats: Counter[str] = field(default_factory=Counter)
    stores: dict[str, StoreRef] = field(default_factory=dict)
    records: list[RecordDraft] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    events: list[tuple[str, LogEvent]] = field(default_factory=list)
    classifications: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def pending_images(self) -> int:
        return sum(len(record.pending_images) for record in self.records)


class Extractor:
    """Runs the readers over one item and turns what they yield into an :class:`Extraction`."""

    def __init__(self, options: ScanOptions, tz: str) -> None:
        self.options = options
        self.tz = tz
        self.profiles = ProfileSession()

    def extract(self, row: dict[str, Any]) -> Extraction:
        result = Extraction(row["id"])
        stats = result.stats
        for store, found in walk(evidence_item(row), self.options):
            self.profiles.name_store(store, found)
            result.stores[store.locator] = store
            if isinstance(found, StoreFound):
                stats[f"store:{found.kind}"] += 1
            elif isinstance(found, TableRows):
                self._table(found, store, result)
            elif isinstance(found, ImageFound):
                stats["pictures"] += 1
                result.records.append(self._picture(found, store, result.evidence_id))
            elif isinstance(found, VideoFound):
                stats["videos"] += 1
                for record in video_records(
                    found, store, result.evidence_id, self.options, result.problems, self.tz
                ):
                    stats["video_frames_with_faces"] += 1
                    result.records.append(record)
            elif isinstance(found, LogEvent):
                stats["log_events"] += 1
                result.events.append((store.locator, found))
            elif isinstance(found, Problem):
                stats["skipped"] += 1
                result.problems.append(("scan", found.locator, found.reason))
            elif isinstance(found, Unclaimed):
                stats["other_files"] += 1
        return result

    def _table(self, table: TableRows, store: StoreRef, result: Extraction) -> None:
        verdicts: list[TableVerdict] = []
        try:
            result.records.extend(
                records_from_table(table, store, result.evidence_id, self.tz, verdicts)
            )
        except Exception as error:  # a corrupt page or a malformed row mid-table
            result.stats["skipped"] += 1
            result.problems.append(
                (
                    "scan",
                    f"{store.locator}, table {table.table}",
                    f"table could not be read to the end: {type(error).__name__}: {error}",
                )
            )
        for verdict in verdicts:
            result.stats["table_rows"] += verdict.rows
            if verdict.roles.holds_faces:
                result.classifications.append((store.locator, verdict.table, verdict.roles.reasons))

    def _picture(self, found: ImageFound, store: StoreRef, evidence_id: int) -> RecordDraft:
        tz = self.tz
        facts = self.profiles.picture(found.locator, tz)
        when = facts.captured if facts else from_file_name(found.locator, tz)
        when = when or from_exif(found.data, tz)
        if when is None and found.captured_at:
            at = parse_timestamp(found.captured_at, tz)
            when = CaptureTime(at, found.captured_at_source or "reader") if at else None
        artifact = ArtifactDraft(
            found.locator,
            "raw_frame",
            image=found.data,
            captured_at=when.at.isoformat() if when else None,
            captured_at_source=when.source if when else None,
            person_key=facts.person_key if facts else None,
            person_key_kind=facts.person_key_kind if facts else None,
            camera=found.camera,
        )
        return RecordDraft(found.locator, store.locator, evidence_id, [artifact])


def analyse_extractions(
    extractions: list[Extraction],
    engine: EngineConfig,
    workers: int,
    pool: Any = None,
    cache: FaceResultCache | None = None,
) -> None:
    """Fill in the faces of every pending picture; failures become the item's problems."""
    by_record = {
        id(record): extraction for extraction in extractions for record in extraction.records
    }
    records = [record for extraction in extractions for record in extraction.records]
    for outcome in analyse(records, engine, workers, pool, cache):
        if outcome.error is not None:
            by_record[id(outcome.record)].problems.append(
                ("faces", outcome.artifact.locator, str(outcome.error))
            )


def extract_batch(rows: list[dict[str, Any]], options: ScanOptions, tz: str) -> list[Extraction]:
    """A Dask task: extract and analyse a batch of items in one worker process."""
    extractor = Extractor(options, tz)
    extractions = [extractor.extract(row) for row in rows]
    analyse_extractions(extractions, options.engine, 1)
    return extractions


class _Scanner:
    """Extracts items locally, analyses their pictures in batches, and writes them."""

    def __init__(self, case: Case, options: ScanOptions) -> None:
        self.case = case
        self.options = options
        self.workers = options.workers or os.cpu_count() or 1
        self.writer = CaseWriter(case)
        self.extractor = Extractor(options, case.info.tz)
        self.pending: list[Extraction] = []
        self.pool: Any = None
        self.cache = FaceResultCache(case.directory / CACHE_NAME)

    def item(self, row: dict[str, Any]) -> Counter[str]:
        extraction = self.extractor.extract(row)
        self.pending.append(extraction)
        if sum(e.pending_images for e in self.pending) >= self.options.batch_images:
            self.flush()
        return extraction.stats

    def flush(self) -> None:
        analyse_extractions(self.pending, self.options.engine, self.workers, self.pool, self.cache)
        for extraction in self.pending:
            self.write(extraction)
        self.pending = []

    def write(self, extraction: Extraction) -> None:
        """One item's rows and its done mark in one transaction: all of it, or none after a crash."""
        writer = self.writer
        evidence_id = extraction.evidence_id
        with self.case.db.conn:
            store_ids = {locator: writer.store(ref) for locator, ref in extraction.stores.items()}
            for record in extraction.records:
                writer.record(record, store_ids[record.store_locator])
            for stage, locator, reason in extraction.problems:
                writer.skipped(stage, evidence_id, locator, reason)
            for store_locator, event in extraction.events:
                writer.event(evidence_id, store_ids[store_locator], event)
            for store_locator, table, reasons in extraction.classifications:
                self.case.db["case_meta"].upsert(
                    {
                        "key": f"classification:{store_locator}:{table}",
                        "value": json.dumps(reasons, ensure_ascii=False),
                    },
                    pk="key",
                )
            writer.done(evidence_id, dict(extraction.stats))


def _dask_extractions(
    scanner: _Scanner, rows: Iterator[dict[str, Any]], address: str, batch: int
) -> Iterator[Extraction]:
    """Batches of items to an existing Dask cluster, results back in input order."""
    from distributed import Client

    with Client(address) as client:
        futures: list[Any] = []
        chunk: list[dict[str, Any]] = []

        def submit() -> None:
            futures.append(
                client.submit(
                    extract_batch, list(chunk), scanner.options, scanner.case.info.tz, pure=False
                )
            )
            chunk.clear()

        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                submit()
            while len(futures) > 2 * max(1, len(client.scheduler_info().get("workers", {}))):
                yield from futures.pop(0).result()
        if chunk:
            submit()
        for future in futures:
            yield from future.result()


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


@writes_case
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
            "dask_scheduler": options.dask_scheduler,
            "zip_passwords_given": len(options.zip_passwords),
            "engine": options.engine.result_parameters(),
            "engine_version": ENGINE_VERSION,
        },
        command,
    )
    run.stats["skipped"] += scanner.writer.unread_entries()
    if options.dask_scheduler:
        for extraction in _dask_extractions(
            scanner, _pending_items(case), options.dask_scheduler, options.dask_batch
        ):
            scanner.write(extraction)
            run.stats.update(extraction.stats)
            run.items += 1
            if progress:
                progress(run.items, items - done_items)
    else:
        with face_pool(scanner.workers) as pool:
            scanner.pool = pool
            for row in _pending_items(case):
                run.stats.update(scanner.item(row))
                run.items += 1
                done_bytes += row["size"] or 0
                if progress:
                    progress(done_bytes, total)
            scanner.flush()
    case.log("scan.end", {"items": run.items, **dict(run.stats)}, command)
    return run
