"""Acquire a running database server into a case: list, choose face tables, copy, hash, register.

The copy is a SQLite snapshot inside the case folder (``snapshots/``); once
written it is registered with the ordinary file acquisition, so ``scan``,
``consent`` and ``report`` treat it exactly like a SQLite store found in an
export. Which tables are copied is decided by the same column classifier the
scanner uses, run on each table's first rows, plus any table ``tables`` names;
``exclude`` removes tables whatever the classifier said.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from venue_audit import __version__
from venue_audit.acquire.acquisition import AcquisitionResult, acquire
from venue_audit.acquire.live import mysql, postgres
from venue_audit.acquire.live.encoding import (
    TableDigest,
    snapshot_digest,
    snapshot_value,
)
from venue_audit.acquire.live.errors import PasswordRequired, UnknownTables
from venue_audit.acquire.live.session import LiveSession, ServerFacts, ServerTable, TableUnreadable
from venue_audit.acquire.live.snapshot import RESERVED, CopiedTable, SnapshotWriter, unique_names
from venue_audit.acquire.live.target import PASSWORD_VARIABLE, DatabaseTarget, parse_target
from venue_audit.case import Case
from venue_audit.case.lock import writes_case
from venue_audit.sources.classify import SAMPLE_ROWS, classify
from venue_audit.sources.profiles.registry import known_table

PasswordPrompt = Callable[[str], str]
SNAPSHOT_FOLDER = "snapshots"
_SNAPSHOT_ENGINES = {"innodb", "xtradb", "rocksdb", "tokudb"}
_WIDE_TYPES = re.compile(r"bytea|blob|binary|json|\[\]|vector|text|char|xml", re.I)


@dataclass
class TablePlan:
    """One server table: its size, what the classifier saw, and whether it is copied."""

    schema: str
    name: str
    snapshot_name: str
    columns: list[str]
    types: list[str]
    rows: int | None = None
    holds_faces: bool = False
    named: bool = False
    excluded: bool = False
    reasons: list[str] = field(default_factory=list)
    error: str | None = None
    server_table: ServerTable | None = field(default=None, repr=False, compare=False)

    @property
    def selected(self) -> bool:
        return (self.holds_faces or self.named) and not self.excluded and self.error is None

    @property
    def reason(self) -> str:
        if self.error:
            return f"not readable: {self.error}"
        if self.excluded:
            return "excluded by --exclude"
        if self.holds_faces:
            return "holds face data: " + "; ".join(self.reasons)
        if self.named:
            return "named by --tables"
        return "no face data in sampled rows" + (
            f" ({'; '.join(self.reasons)})" if self.reasons else ""
        )

    @property
    def engine(self) -> str:
        return self.server_table.engine if self.server_table else ""

    def as_log(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "table": self.snapshot_name,
            "schema": self.schema,
            "rows": self.rows,
            "copied": self.selected,
            "reason": self.reason,
        }
        if self.server_table and self.server_table.notes:
            entry["notes"] = list(self.server_table.notes)
        if self.engine:
            entry["engine"] = self.engine
            if self.engine.lower() not in _SNAPSHOT_ENGINES:
                entry["snapshot"] = "none: this engine has no transactions, rows are as read"
        return entry


@dataclass
class LiveAcquisitionResult:
    target: DatabaseTarget
    facts: ServerFacts
    tables: list[TablePlan]
    dry_run: bool
    copied: list[CopiedTable] = field(default_factory=list)
    snapshot: Path | None = None
    snapshot_sha256: str | None = None
    file_sha256: str | None = None
    evidence: AcquisitionResult | None = None

    @property
    def denied(self) -> list[TablePlan]:
        return [t for t in self.tables if t.error]

    def table_hashes(self) -> dict[str, tuple[int, str]]:
        return {t.name: (t.rows, t.sha256) for t in self.copied}

    def as_summary(self) -> dict[str, Any]:
        """JSON-ready account of the run (what the custody log holds), for ``--json`` output."""
        return _log_detail(self)


def open_session(
    target: DatabaseTarget,
    password: str | None = None,
    prompt: PasswordPrompt | None = None,
    environ: Mapping[str, str] | None = None,
) -> LiveSession:
    """Connect and start the read-only snapshot; asks ``prompt`` only if the server wants a password."""
    environ = os.environ if environ is None else environ
    if password is None:
        password = environ.get(PASSWORD_VARIABLE) or None
    module = postgres if target.dialect == "postgresql" else mysql
    try:
        return module.connect(target, password)
    except PasswordRequired:
        if password is not None or prompt is None:
            raise
    return module.connect(target, prompt(f"Password for {target.display}: "))


@writes_case
def acquire_database(
    case: Case | None,
    url: str,
    *,
    tables: Iterable[str] = (),
    exclude: Iterable[str] = (),
    dry_run: bool = False,
    password: str | None = None,
    prompt: PasswordPrompt | None = None,
    environ: Mapping[str, str] | None = None,
    command: list[str] | None = None,
) -> LiveAcquisitionResult:
    """List a server's tables, copy the face tables into a snapshot and register it as evidence.

    With ``dry_run`` nothing is copied: the listing (tables, row counts, what
    would be copied and why) is returned and, when a case is given, logged.
    """
    target = parse_target(url)
    if case is None and not dry_run:
        raise ValueError("a case is needed to keep the snapshot")
    named, excluded = list(tables), list(exclude)
    session = open_session(target, password, prompt, environ)
    try:
        plans = _plan(session, named, excluded)
        result = LiveAcquisitionResult(target, session.facts, plans, dry_run)
        if dry_run:
            if case is not None:
                case.log("acquire.database.listing", _log_detail(result), command)
            return result
        assert case is not None
        path = _snapshot_path(case.directory / SNAPSHOT_FOLDER, target)
        result.copied = _copy(session, plans, path, target, session.facts)
        result.snapshot = path
    finally:
        session.close()
    result.snapshot_sha256 = snapshot_digest(result.table_hashes())
    result.file_sha256 = _file_sha256(path)
    case.log("acquire.database", _log_detail(result), command)
    result.evidence = acquire(case, [path], workers=1, command=command)
    return result


def _plan(session: LiveSession, named: list[str], excluded: list[str]) -> list[TablePlan]:
    plans = []
    matched: set[str] = set()
    taken = {name.lower() for name in RESERVED}
    for table in session.tables():
        preferred = table.name if table.schema == session.default_schema else table.qualified
        if preferred.lower() in taken:
            preferred = table.qualified
        snapshot_name = unique_names([preferred], taken)[0]
        names = (table.name, table.qualified, snapshot_name)
        hits = [p for p in named if any(fnmatch.fnmatchcase(n, p) for n in names)]
        matched.update(hits)
        plan = TablePlan(
            schema=table.schema,
            name=table.name,
            snapshot_name=snapshot_name,
            columns=table.columns,
            types=table.types,
            named=bool(hits),
            excluded=any(fnmatch.fnmatchcase(n, p) for p in excluded for n in names),
            server_table=table,
        )
        plans.append(plan)
        if not table.readable:
            plan.error = "permission denied (no SELECT privilege)"
            continue
        try:
            plan.rows = session.count(table)
            sample = [
                [snapshot_value(v, t) for v, t in zip(row, table.types, strict=True)]
                for row in session.sample(table, SAMPLE_ROWS)
            ]
        except TableUnreadable as error:
            plan.error = str(error)
            continue
        roles = classify(table.columns, sample, table=table.name)
        plan.holds_faces = roles.holds_faces
        plan.reasons = (
            [r for r in roles.reasons if "not counted" not in r]
            if roles.holds_faces
            else roles.reasons
        )
        if (known := known_table(table.name, table.columns)) is not None:
            plan.holds_faces = True
            plan.reasons.append(known)
    unknown = [p for p in named if p not in matched]
    if unknown:
        raise UnknownTables(
            f"--tables names no readable table: {', '.join(unknown)} "
            f"(tables visible to this account: {', '.join(p.snapshot_name for p in plans) or 'none'})"
        )
    return plans


def _copy(
    session: LiveSession,
    plans: list[TablePlan],
    path: Path,
    target: DatabaseTarget,
    facts: ServerFacts,
) -> list[CopiedTable]:
    writer = SnapshotWriter(path)
    copied: list[CopiedTable] = []
    try:
        for plan in plans:
            if not plan.selected or plan.server_table is None:
                continue
            copy = _copy_table(session, writer, plan, plan.server_table)
            if copy is not None:
                copied.append(copy)
        writer.finish(
            {
                "server": target.as_log(),
                "server_version": facts.version,
                "snapshot_time": facts.snapshot_time,
                "isolation": facts.isolation,
                "server_details": facts.details,
                "snapshot_sha256": snapshot_digest({t.name: (t.rows, t.sha256) for t in copied}),
                "tool_version": __version__,
                "tables_listed": [p.as_log() for p in plans],
                "encoding": "bytes as BLOB; arrays, vectors and JSON as JSON text; times ISO 8601; "
                "decimals and other types as text; table sha256 over sorted row digests",
            },
            copied,
        )
    except BaseException:
        writer.abort()
        raise
    return copied


def _copy_table(
    session: LiveSession, writer: SnapshotWriter, plan: TablePlan, table: ServerTable
) -> CopiedTable | None:
    stored_columns = writer.create_table(plan.snapshot_name, table.columns)
    digest = TableDigest(table.columns, table.types)
    batch = 64 if any(_WIDE_TYPES.search(t) for t in table.types) else 1000
    try:
        for rows in session.stream(table, batch):
            converted = [
                [snapshot_value(v, t) for v, t in zip(row, table.types, strict=True)]
                for row in rows
            ]
            for row in converted:
                digest.add(row)
            writer.insert(plan.snapshot_name, len(table.columns), converted)
    except TableUnreadable as error:
        plan.error = str(error)
        return None
    if plan.rows is not None and digest.rows != plan.rows:
        # Inside one snapshot the count cannot change; a mismatch means no snapshot (MyISAM).
        plan.reasons.append(
            f"row count changed during the copy: counted {plan.rows}, copied {digest.rows}"
        )
    return CopiedTable(
        name=plan.snapshot_name,
        source=table.qualified,
        rows=digest.rows,
        sha256=digest.hexdigest(),
        columns=table.columns,
        types=table.types,
        primary_key=table.primary_key,
        reason=plan.reason
        + (
            f"; stored as columns {stored_columns} (SQLite names ignore case)"
            if stored_columns != table.columns
            else ""
        ),
    )


_SNAPSHOT_STAMP = re.compile(r"-\d{8}T\d{6}Z(?:-\d+)?\.sqlite$")


def snapshot_label(name: str) -> str | None:
    """``postgresql-host-5432-db`` for a snapshot file's name (any time it was taken), else None.

    Two snapshots of one server database are replicas of each other: this is their shared name.
    """
    label = _SNAPSHOT_STAMP.sub("", name)
    return label if label != name else None


def _snapshot_path(folder: Path, target: DatabaseTarget) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    label = "-".join(
        re.sub(r"[^A-Za-z0-9_.]+", "_", part)
        for part in (target.dialect, target.host, str(target.port), target.database or "all")
    )
    path = folder / f"{label}-{stamp}.sqlite"
    number = 2
    while path.exists() or path.with_name(path.name + ".partial").exists():
        path = folder / f"{label}-{stamp}-{number}.sqlite"
        number += 1
    return path


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _log_detail(result: LiveAcquisitionResult) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "server": result.target.as_log(),
        "server_version": result.facts.version,
        "snapshot_time": result.facts.snapshot_time,
        "isolation": result.facts.isolation,
        "server_details": result.facts.details,
        "dry_run": result.dry_run,
        "tables_listed": [t.as_log() for t in result.tables],
        "denied": {t.snapshot_name: t.error for t in result.denied},
    }
    if not result.dry_run:
        detail.update(
            {
                "copied": {t.name: {"rows": t.rows, "sha256": t.sha256} for t in result.copied},
                "snapshot": str(result.snapshot),
                "snapshot_sha256": result.snapshot_sha256,
                "file_sha256": result.file_sha256,
            }
        )
    return detail
