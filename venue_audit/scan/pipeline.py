"""The scan stage: every acquired item through the readers, the classifier and the face engine.

Resumable by construction: an evidence item's rows are committed together
with its ``scan_state`` mark, and a restarted scan first removes whatever an
interrupted run wrote for unmarked items, so a killed scan never counts twice.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from venue_audit.acquire.exports import absolute_path
from venue_audit.acquire.items import open_evidence
from venue_audit.acquire.limits import DEFAULT_LIMITS, ArchiveLimits
from venue_audit.case import Case
from venue_audit.case.lock import writes_case
from venue_audit.consent.capture_time import CaptureTime, from_exif, from_file_name
from venue_audit.consent.timestamps import read_timestamp
from venue_audit.faces import (
    ENGINE_VERSION,
    EngineConfig,
    FacePool,
    FaceResultCache,
    analyze_many,
    face_pool,
)
from venue_audit.scan.analysis import confirm_templates, face_problem, settle
from venue_audit.scan.dispatch import StoreRef, Unclaimed, walk
from venue_audit.scan.drafts import ArtifactDraft, RecordDraft
from venue_audit.scan.event_links import link_events
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
COMMIT_SECONDS = 2.0
CACHE_NAME = "face-cache.sqlite"  # face results by content hash: embeddings and boxes, no pictures


@dataclass
class ScanOptions:
    workers: int = 0
    engine: EngineConfig = field(default_factory=EngineConfig)
    limits: ArchiveLimits = DEFAULT_LIMITS
    # Items are committed in transactions of about this many pictures (an item without
    # pictures counts one), and at least every COMMIT_SECONDS.
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


SMALL_ITEM = 1 << 20  # a file this small is read once, whoever asks for its bytes


def evidence_item(row: dict[str, Any]) -> Item:
    """The item readers see for an acquired file, read through the read-only opener.

    A small file (a capture, a log) is read from disk once and served from memory to
    the reader that identifies it, the reader that claims it and the face engine: a
    folder of 300,000 crops is then 300,000 opens, not a million.
    """
    path = Path(absolute_path(row))
    small = (row["size"] or 0) <= SMALL_ITEM
    kept: list[bytes] = []

    def read() -> bytes:
        if kept:
            return kept[0]
        with open_evidence(path) as stream:
            data = stream.read()
        if small:
            kept.append(data)
        return data

    def open_item() -> BinaryIO:
        return io.BytesIO(read()) if small else open_evidence(path)

    return Item(
        locator=_display(row),
        name=row["name"],
        type=row["type"] or "",
        size=row["size"] or 0,
        read=read,
        open=open_item,
        path=str(path),
        mtime=row["mtime"],
        evidence_id=row["id"],
    )


def _display(row: dict[str, Any]) -> str:
    folder = _folder_name(row["root"])
    return f"{folder}/{row['path']}" if folder is not None else row["path"]


@functools.lru_cache(maxsize=256)
def _folder_name(root: str) -> str | None:
    """The name of an acquired root that is a folder, else None (asked once per root, not
    once per file: a store of 300,000 crops has a handful of roots)."""
    path = Path(root)
    return path.name if path.is_dir() else None


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
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (stage, problem)
    events: list[tuple[str, LogEvent]] = field(default_factory=list)
    classifications: list[tuple[str, str, list[str]]] = field(default_factory=list)

    size: int = 0
    pictures: int = 0  # pictures handed to the face engine

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
        result = Extraction(row["id"], size=row["size"] or 0)
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
                result.problems.append(("scan", found))
            elif isinstance(found, Unclaimed):
                stats["other_files"] += 1
        self.profiles.settle_person_keys(result.stores, result.records)
        result.pictures = result.pending_images
        return result

    def _table(self, table: TableRows, store: StoreRef, result: Extraction) -> None:
        verdicts: list[TableVerdict] = []
        try:
            result.records.extend(
                records_from_table(table, store, result.evidence_id, self.tz, verdicts)
            )
        except Exception as error:  # a corrupt page or a malformed row mid-table
            result.stats["skipped"] += 1
            failure = f"{type(error).__name__}: {error}"
            result.problems.append(
                (
                    "scan",
                    Problem(
                        f"{store.locator}, table {table.table}",
                        f"table could not be read to the end: {failure}",
                        "scan.table_unreadable",
                        {"error": failure},
                    ),
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
            read = read_timestamp(found.captured_at, tz)
            source = found.captured_at_source or "reader"
            when = CaptureTime(read.at, source, read.offset) if read else None
        artifact = ArtifactDraft(
            found.locator,
            "raw_frame",
            image=found.data,
            captured_at=when.at.isoformat() if when else None,
            captured_at_source=when.source if when else None,
            captured_at_offset=when.offset or None if when else None,
            person_key=facts.person_key if facts else None,
            person_key_kind=facts.person_key_kind if facts else None,
            camera=found.camera,
        )
        return RecordDraft(found.locator, store.locator, evidence_id, [artifact])


def analysed(
    extractions: Iterable[Extraction],
    engine: EngineConfig,
    workers: int,
    pool: Any = None,
    cache: FaceResultCache | None = None,
) -> Iterator[Extraction]:
    """Each extraction again, in order, once the faces of all its pictures are filled in.

    A stream, not a batch: the next items are extracted while the pool analyses the
    pictures of the earlier ones, and an item leaves as soon as its own pictures are
    done, so reading, face analysis and writing overlap and the workers never wait for
    a batch to be written. Each item's pictures are followed by an end mark that the
    engine passes through in order; failures become the item's problems.
    """

    # Keys are numbers: the engine names each input by str(key) in its messages.
    waiting: dict[int, tuple[Extraction, ArtifactDraft | None]] = {}
    numbers = itertools.count()

    def pictures() -> Iterator[tuple[int, bytes | None]]:
        for extraction in extractions:
            for record in extraction.records:
                for artifact in record.pending_images:
                    number = next(numbers)
                    waiting[number] = (extraction, artifact)
                    yield number, artifact.image
            number = next(numbers)
            waiting[number] = (extraction, None)
            yield number, None

    for number, result in analyze_many(pictures(), engine, workers, cache=cache, pool=pool):
        extraction, artifact = waiting.pop(number)
        if artifact is None:
            for record in extraction.records:
                confirm_templates(record)
            yield extraction
            continue
        assert result is not None
        problem = settle(artifact, result)
        if problem is not None:
            extraction.problems.append(("faces", face_problem(artifact.locator, problem)))


def analyse_extractions(
    extractions: list[Extraction],
    engine: EngineConfig,
    workers: int,
    pool: Any = None,
    cache: FaceResultCache | None = None,
) -> None:
    """Fill in the faces of every pending picture of a batch (a Dask task's items)."""
    for _ in analysed(extractions, engine, workers, pool, cache):
        pass


def extract_batch(rows: list[dict[str, Any]], options: ScanOptions, tz: str) -> list[Extraction]:
    """A Dask task: extract and analyse a batch of items in one worker process."""
    extractor = Extractor(options, tz)
    extractions = [extractor.extract(row) for row in rows]
    analyse_extractions(extractions, options.engine, 1)
    return extractions


class _Scanner:
    """Writes analysed items in batches: one transaction holds a batch's rows and done marks."""

    def __init__(self, case: Case, options: ScanOptions) -> None:
        self.case = case
        self.options = options
        self.workers = options.workers or os.cpu_count() or 1
        self.writer = CaseWriter(case)
        self.extractor = Extractor(options, case.info.tz)
        self.cache = FaceResultCache(case.directory / CACHE_NAME)
        self._batch: list[Extraction] = []
        self._batch_weight = 0
        self._batch_started = time.monotonic()

    def extractions(self, rows: Iterable[dict[str, Any]]) -> Iterator[Extraction]:
        for row in rows:
            yield self.extractor.extract(row)

    def add(self, extraction: Extraction) -> list[Extraction]:
        """Queue an analysed item; returns the items committed by this call (often none)."""
        if not self._batch:
            self._batch_started = time.monotonic()
        self._batch.append(extraction)
        self._batch_weight += max(1, extraction.pictures)
        if (
            self._batch_weight >= self.options.batch_images
            or time.monotonic() - self._batch_started >= COMMIT_SECONDS
        ):
            return self.commit()
        return []

    def commit(self) -> list[Extraction]:
        batch, self._batch, self._batch_weight = self._batch, [], 0
        if batch:
            with self.writer.transaction():
                for extraction in batch:
                    self.write(extraction)
        return batch

    def write(self, extraction: Extraction) -> None:
        """One item's rows and its done mark, inside the batch's transaction."""
        writer = self.writer
        evidence_id = extraction.evidence_id
        store_ids = {locator: writer.store(ref) for locator, ref in extraction.stores.items()}
        for record in extraction.records:
            writer.record(record, store_ids[record.store_locator])
        for stage, problem in extraction.problems:
            writer.skipped(
                stage, evidence_id, problem.locator, problem.reason, problem.code, problem.params
            )
        for store_locator, event in extraction.events:
            writer.event(evidence_id, store_ids[store_locator], event)
        for store_locator, table, reasons in extraction.classifications:
            writer.meta(
                f"classification:{store_locator}:{table}", json.dumps(reasons, ensure_ascii=False)
            )
        writer.done(evidence_id, dict(extraction.stats))

    def close(self) -> None:
        self.cache.close()


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
    pool: FacePool | None = None,
) -> ScanRun:
    """Find, classify and analyse every face-bearing record in the acquired evidence.

    ``pool`` (from :func:`venue_audit.faces.face_pool`) lets a caller start the face
    workers early, while it acquires; without one the scan starts its own.
    ``progress(done_items, items_to_do)`` is called as each item's analysis finishes (an
    item is an acquired file: a picture, an archive with its members, a database with its rows).
    """
    options = options or ScanOptions()
    scanner = _Scanner(case, options)
    run = ScanRun(purged_artifacts=scanner.writer.purge_unfinished())
    scope = (
        "from evidence where current = 1 and parent_id is null and entry = 'file' and error is null"
    )
    items = case.db.execute(f"select count(*) {scope}").fetchone()[0]
    done_items = case.db.execute(
        f"select count(*) {scope} and id in "
        "(select evidence_id from scan_state where status = 'done')"
    ).fetchone()[0]
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

    analysed_items = 0
    if progress:
        progress(0, items - done_items)  # the total is known before the first item is done

    def committed(batch: list[Extraction]) -> None:
        for extraction in batch:
            run.stats.update(extraction.stats)
            run.items += 1

    def added(extraction: Extraction) -> None:
        nonlocal analysed_items
        analysed_items += 1
        if progress:
            progress(analysed_items, items - done_items)
        committed(scanner.add(extraction))

    try:
        if options.dask_scheduler:
            stream = _dask_extractions(
                scanner, _pending_items(case), options.dask_scheduler, options.dask_batch
            )
            for extraction in stream:
                added(extraction)
        else:
            with ExitStack() as stack:
                if pool is None:
                    pool = stack.enter_context(face_pool(scanner.workers))
                stream = analysed(
                    scanner.extractions(_pending_items(case)),
                    options.engine,
                    scanner.workers,
                    pool,
                    scanner.cache,
                )
                for extraction in stream:
                    added(extraction)
        committed(scanner.commit())
    finally:
        scanner.close()
    for status, urls in link_events(case).items():  # device events' pictures, now all scanned
        if urls:
            run.stats[f"event pictures {status}"] += urls
    case.log("scan.end", {"items": run.items, **dict(run.stats)}, command)
    return run
