"""Acquire sources into a case: hash every item, store the manifest, log custody.

Hashing runs in a process pool (one BLAS-free worker per core, each reading
whole files) because digests are CPU-bound; the main process only writes rows.
Re-acquiring a source is idempotent: unchanged items keep their rows, changed
ones get a new version beside the old, and the difference is reported.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from venue_audit.acquire.hashing import allow_helper_thread
from venue_audit.acquire.items import ItemRecord, atime_protected, hash_entry
from venue_audit.acquire.limits import DEFAULT_LIMITS, ArchiveLimits
from venue_audit.acquire.readahead import ReadAhead
from venue_audit.acquire.walk import Entry, list_entries
from venue_audit.case import Case
from venue_audit.case.lock import writes_case
from venue_audit.case.output_paths import refuse_case_overlap

ProgressCallback = Callable[[int, int], None]

_BATCH_BYTES = 32 << 20
_BATCH_FILES = 64
_ROWS_PER_TRANSACTION = 500


@dataclass
class SourceChanges:
    """What one acquisition found, in hashdeep's vocabulary."""

    root: str
    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0
    bytes: int = 0


@dataclass
class AcquisitionResult:
    sources: list[SourceChanges]

    @property
    def files(self) -> int:
        return sum(s.files for s in self.sources)

    @property
    def bytes(self) -> int:
        return sum(s.bytes for s in self.sources)


def _hash_batch(root: str, relatives: list[str], limits: ArchiveLimits) -> list[list[ItemRecord]]:
    return [hash_entry(Path(root), relative, limits) for relative in relatives]


def _batches(entries: Iterable[Entry]) -> Iterator[list[Entry]]:
    batch: list[Entry] = []
    size = 0
    for entry in entries:
        batch.append(entry)
        size += entry.size
        if size >= _BATCH_BYTES or len(batch) >= _BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def hash_source(
    root: Path,
    entries: list[Entry],
    workers: int,
    limits: ArchiveLimits,
    progress: ProgressCallback | None = None,
) -> Iterator[list[ItemRecord]]:
    """Records per entry, in the entries' order, whatever the worker count."""
    total = sum(e.size for e in entries)
    done = 0
    cores = os.cpu_count() or 1
    # What fits in one batch would go to one worker anyway: starting a pool only costs.
    if workers <= 1 or (total <= _BATCH_BYTES and len(entries) <= _BATCH_FILES):
        allow_helper_thread(cores > 1)
        for entry in entries:
            yield hash_entry(root, entry.relative, limits)
            done += entry.size
            if progress:
                progress(done, total)
        return
    with (
        ProcessPoolExecutor(
            max_workers=workers, initializer=allow_helper_thread, initargs=(workers < cores,)
        ) as pool,
        ReadAhead(root) as ahead,
    ):
        pending: list[tuple[Future[list[list[ItemRecord]]], int]] = []
        batches = _batches(entries)
        for batch in batches:
            relatives = [e.relative for e in batch]
            pending.append(
                (pool.submit(_hash_batch, str(root), relatives, limits), sum(e.size for e in batch))
            )
            # Warmed once submitted (the workers already forked): read by a worker a few
            # batches later, from the page cache. Only regular files: the hasher never opens
            # a device, FIFO or socket, so neither may the read-ahead.
            ahead.warm([e.relative for e in batch if e.regular])
            while len(pending) >= workers * 4:
                future, size = pending.pop(0)
                yield from future.result()
                done += size
                if progress:
                    progress(done, total)
        for future, size in pending:
            yield from future.result()
            done += size
            if progress:
                progress(done, total)


@writes_case
def acquire(
    case: Case,
    sources: list[Path],
    workers: int | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    command: list[str] | None = None,
) -> AcquisitionResult:
    """Hash every item of every source into the case's evidence table.

    Refused before any work when a source is the case folder, holds it or lies inside it.
    """
    refuse_case_overlap(case.directory, sources)
    workers = workers or os.cpu_count() or 1
    results = []
    for source in sources:
        root = Path(source).absolute()
        if not root.exists() and not root.is_symlink():
            raise FileNotFoundError(f"source {source} does not exist")
        entries = list(list_entries(root, exclude=(case.directory,)))
        # Rows are committed as they are hashed (a long acquisition keeps its progress), so
        # the start is logged first: rows of a killed run are then covered by this event.
        start = {"source": str(root), "entries": len(entries), "workers": workers}
        if not atime_protected(root):
            start["atime"] = (
                "not protected: the kernel refuses O_NOATIME to this user (not the owner, "
                "not root); files are read O_RDONLY and their access times may change"
            )
        case.log("acquire.start", start, command)
        changes = _store_source(case, root, hash_source(root, entries, workers, limits, progress))
        results.append(changes)
        case.log(
            "acquire",
            {
                "source": str(root),
                "files": changes.files,
                "bytes": changes.bytes,
                "new": len(changes.new),
                "unchanged": len(changes.unchanged),
                "changed": changes.changed[:100],
                "missing": changes.missing[:100],
                "errors": len(changes.errors),
                "workers": workers,
                "manifest_sha256": manifest_digest(case, root),
            },
            command,
        )
    return AcquisitionResult(results)


def _source_id(case: Case, root: Path) -> int:
    row = next(iter(case.db.query("select id from sources where root = ?", [str(root)])), None)
    if row:
        return int(row["id"])
    return int(
        case.db["sources"]
        .insert({"root": str(root), "label": root.name, "added_at": case.now()})
        .last_pk
    )


def _same(old: dict[str, Any], new: ItemRecord) -> bool:
    return (old["sha256"], old["size"], old["entry"], old["mtime"], old["link_target"]) == (
        new.sha256,
        new.size,
        new.entry,
        new.mtime,
        new.link_target,
    )


_EVIDENCE_COLUMNS = (
    "source_id",
    "path",
    "name",
    "parent_id",
    "entry",
    "type",
    "size",
    "mtime",
    "md5",
    "sha256",
    "sm3",
    "link_target",
    "error",
    "version",
    "current",
    "acquired_at",
)
_INSERT_EVIDENCE = (
    f"insert into evidence ({', '.join(_EVIDENCE_COLUMNS)})"
    f" values ({', '.join('?' for _ in _EVIDENCE_COLUMNS)})"
)


def _store_source(case: Case, root: Path, batches: Iterator[list[ItemRecord]]) -> SourceChanges:
    """Write each hashed entry's rows; one transaction per entry batch (a few hundred rows)."""
    changes = SourceChanges(str(root))
    source_id = _source_id(case, root)
    existing = {
        row["path"]: row
        for row in case.db.query(
            "select id, path, sha256, size, entry, mtime, link_target, version from evidence where source_id = ? and current = 1",
            [source_id],
        )
    }
    seen: set[str] = set()
    acquired_at = case.now()
    conn = case.db.conn
    pending: list[list[ItemRecord]] = []
    rows = 0

    # New entries without members (most of an acquisition) need no row id back: their rows
    # wait here and go in with one executemany, in order, before any other write.
    plain_rows: list[tuple[Any, ...]] = []

    def write() -> None:
        with case.transaction():
            for records in pending:
                _write_entry(records)
            _flush_plain_rows()
        pending.clear()

    def _flush_plain_rows() -> None:
        if plain_rows:
            conn.executemany(_INSERT_EVIDENCE, plain_rows)
            plain_rows.clear()

    def _row(record: ItemRecord, parent_id: int | None, version: int) -> tuple[Any, ...]:
        return (
            source_id,
            record.path,
            record.name,
            parent_id,
            record.entry,
            record.type,
            record.size,
            record.mtime,
            record.md5,
            record.sha256,
            record.sm3,
            record.link_target,
            record.error,
            version,
            1,
            acquired_at,
        )

    def _write_entry(records: list[ItemRecord]) -> None:
        ids: list[int] = []
        for record in records:
            seen.add(record.path)
            if record.entry == "file":
                changes.files += 1
                changes.bytes += record.size
            if record.error:
                changes.errors.append((record.path, record.error))
            old = existing.get(record.path)
            parent_id = ids[record.parent] if record.parent is not None else None
            if old is not None and _same(old, record):
                changes.unchanged.append(record.path)
                ids.append(int(old["id"]))
                continue
            if old is None and len(records) == 1:
                changes.new.append(record.path)
                plain_rows.append(_row(record, None, 1))
                continue
            _flush_plain_rows()
            version = 1
            if old is not None:
                changes.changed.append(record.path)
                conn.execute("update evidence set current = 0 where id = ?", [old["id"]])
                version = int(old["version"]) + 1
            else:
                changes.new.append(record.path)
            cursor = conn.execute(_INSERT_EVIDENCE, _row(record, parent_id, version))
            ids.append(int(cursor.lastrowid or 0))

    for records in batches:
        pending.append(records)
        rows += len(records)
        if rows >= _ROWS_PER_TRANSACTION:
            write()
            rows = 0
    write()
    changes.missing = sorted(set(existing) - seen)
    return changes


def manifest_digest(case: Case, root: Path | None = None) -> str:
    """SHA-256 over the current manifest rows: one value that pins the whole evidence list."""
    digest = hashlib.sha256()
    sql = (
        "select s.root, e.path, e.size, e.md5, e.sha256, e.sm3 from evidence e join sources s on s.id = e.source_id "
        "where e.current = 1 {} order by s.root, e.path"
    )
    params: list[Any] = []
    clause = ""
    if root is not None:
        clause, params = "and s.root = ?", [str(root)]
    for row in case.db.execute(sql.format(clause), params).fetchall():
        digest.update(("\t".join("" if v is None else str(v) for v in row) + "\n").encode("utf-8"))
    return digest.hexdigest()
