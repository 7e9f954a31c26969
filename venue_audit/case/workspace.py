"""A case workspace: one folder holding ``case.db``, the custody head and exports.

The folder is the unit another examiner receives (like Autopsy's portable
case): everything needed to re-check the findings is in it, and it never holds
raw face images unless the examiner asked for them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlite_utils

from venue_audit import __version__
from venue_audit.case import custody, integrity
from venue_audit.case.lock import case_lock
from venue_audit.case.output_paths import refuse_overlap
from venue_audit.case.schema import SCHEMA_VERSION, create_schema
from venue_audit.errors import UsageError
from venue_audit.preflight import distinct_examiners, require_case_folder, responsible_person

DB_NAME = "case.db"
HEAD_NAME = "custody.head"


class CaseError(UsageError):
    """The case folder is missing, not a case, or would be overwritten."""


@dataclass(frozen=True)
class CaseInfo:
    case_no: str
    venue: str
    examiners: list[str]
    title: str = ""
    org: str = ""
    tz: str = "Asia/Shanghai"
    created_at: str = ""
    tool_version: str = __version__
    as_of: str = ""
    # the examination record: 委托时间, 检验地点, 检材来源 (who handed what over, how it was
    # exported, seal numbers) and when, 检验要求, 见证人, 持有人
    commissioned_at: str = ""
    place: str = ""
    material_source: str = ""
    handover_at: str = ""
    requirements: str = ""
    witnesses: list[str] = field(default_factory=list)
    holder: str = ""
    # EXAMINATION: an examiner's case (two examiners, an evidence report); SELF_AUDIT: a
    # business auditing itself, one responsible person (个人信息保护负责人) in ``examiners``
    purpose: str = "examination"


EXAMINATION, SELF_AUDIT = "examination", "self-audit"
PURPOSES = (EXAMINATION, SELF_AUDIT)


def check_case_info(info: CaseInfo) -> None:
    """What a new case needs: a case number, a venue, its people (two different examiners, or
    for a self-audit one responsible person), a real zone."""
    if info.purpose not in PURPOSES:
        raise CaseError(f"unknown case purpose {info.purpose!r}; one of {', '.join(PURPOSES)}")
    people = "(and two --examiner names)" if info.purpose == EXAMINATION else (
        "(and the --responsible person)"
    )
    missing = [
        option
        for option, value in (("--case-no", info.case_no), ("--venue", info.venue))
        if not value.strip()
    ]
    if missing:
        raise CaseError(f"a new case needs {' and '.join(missing)} {people}")
    if info.purpose == SELF_AUDIT:
        responsible_person(info.examiners)
    else:
        distinct_examiners(info.examiners)
    try:
        ZoneInfo(info.tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CaseError(f"unknown time zone {info.tz!r}") from error


class Case:
    """An open case workspace. Cheap to open; holds one SQLite connection."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.db_path = self.directory / DB_NAME
        self._state: dict[str, Any] | None = None  # the tables' digests, as last computed
        self._state_key: tuple[int, int, int] | None = None
        if not self.db_path.is_file():
            raise CaseError(
                f"{self.directory} is not a case folder (no {DB_NAME}); create one with 'venue-audit case new'"
            )
        self.db = sqlite_utils.Database(self.db_path)
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma foreign_keys=on")
        row = next(iter(self.db.query("select * from case_info")), None)
        if row is None:
            raise CaseError(f"{self.db_path} has no case_info row")
        self.info = CaseInfo(
            case_no=row["case_no"],
            venue=row["venue"],
            examiners=json.loads(row["examiners"]),
            title=row["title"] or "",
            org=row["org"] or "",
            tz=row["tz"],
            created_at=row["created_at"],
            tool_version=row["tool_version"],
            as_of=row["as_of"] or "",
            commissioned_at=row.get("commissioned_at") or "",
            place=row.get("place") or "",
            material_source=row.get("material_source") or "",
            handover_at=row.get("handover_at") or "",
            requirements=row.get("requirements") or "",
            witnesses=json.loads(row.get("witnesses") or "[]"),
            holder=row.get("holder") or "",
            purpose=row.get("purpose") or EXAMINATION,
        )

    @classmethod
    def create(
        cls,
        directory: Path,
        info: CaseInfo,
        command: list[str] | None = None,
        evidence: Iterable[Path] = (),
    ) -> Case:
        """Make a new case folder; refused when it would sit in, on or around ``evidence``."""
        directory = require_case_folder(directory)
        refuse_overlap([("the case folder", directory)], evidence)
        if (directory / DB_NAME).exists():
            raise CaseError(
                f"{directory} already holds a case; open it instead of creating it again"
            )
        if directory.exists() and any(directory.iterdir()):
            raise CaseError(
                f"{directory} exists and is not empty; choose a new folder for the case"
            )
        check_case_info(info)
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        with case_lock(directory, "case new"):
            return cls._create_locked(directory, info, command)

    @classmethod
    def _create_locked(cls, directory: Path, info: CaseInfo, command: list[str] | None) -> Case:
        if (directory / DB_NAME).exists():
            raise CaseError(f"{directory} already holds a case; open it instead of creating it again")
        db = sqlite_utils.Database(directory / DB_NAME)
        create_schema(db)
        created_at = custody.now_in(info.tz)
        db["case_info"].insert(
            {
                "case_no": info.case_no,
                "title": info.title,
                "venue": info.venue,
                "org": info.org,
                "examiners": json.dumps(info.examiners, ensure_ascii=False),
                "tz": info.tz,
                "created_at": created_at,
                "tool_version": __version__,
                "as_of": info.as_of,
                "schema_version": SCHEMA_VERSION,
                "commissioned_at": info.commissioned_at,
                "place": info.place,
                "material_source": info.material_source,
                "handover_at": info.handover_at,
                "requirements": info.requirements,
                "witnesses": json.dumps(info.witnesses, ensure_ascii=False),
                "holder": info.holder,
                "purpose": info.purpose,
            }
        )
        db.close()
        case = cls(directory)
        if info.material_source or info.handover_at or info.holder:
            # Custody starts before the tool: how the data was exported and handed over.
            case.log(
                "handover",
                {
                    "handed_over_at": info.handover_at,
                    "material_source": info.material_source,
                    "holder": info.holder,
                    "witnesses": info.witnesses,
                },
                command,
            )
        case.log(
            "case.new",
            {
                "case_no": info.case_no,
                "venue": info.venue,
                "examiners": info.examiners,
                "org": info.org,
                "tz": info.tz,
                "commissioned_at": info.commissioned_at,
                "place": info.place,
                "requirements": info.requirements,
                **({"purpose": info.purpose} if info.purpose != EXAMINATION else {}),
            },
            command,
        )
        return case

    @property
    def head_file(self) -> Path:
        return self.directory / HEAD_NAME

    def log(
        self, action: str, detail: dict[str, Any] | None = None, command: list[str] | None = None
    ) -> dict[str, Any]:
        """Append a custody event for something this tool did to the case.

        The event records the digest of every case table as it stands (``case_state``),
        which is what :meth:`verify_integrity` later holds the tables to.
        """
        with self.writing(action):
            row = custody.append_event(
                self.db,
                self.head_file,
                self.info.tz,
                action,
                detail,
                command,
                self.info.examiners,
                self._case_state(),
            )
            self._state_key = self._changes()  # the custody row is no table of the state
            return row

    def _case_state(self) -> dict[str, Any]:
        """The tables' digests, recomputed only when something wrote since the last time.

        ``total_changes`` counts rows this connection changed, ``data_version`` moves when
        another connection commits, ``schema_version`` when a table appears or goes.
        """
        key = self._changes()
        if self._state is None or self._state_key != key:
            self._state = integrity.case_state(self.db)
            self._state_key = key
        return self._state

    def _changes(self) -> tuple[int, int, int]:
        conn = self.db.conn
        return (
            conn.total_changes,
            conn.execute("pragma data_version").fetchone()[0],
            conn.execute("pragma schema_version").fetchone()[0],
        )

    @contextmanager
    def writing(self, purpose: str, timeout: float = 0.0) -> Iterator[None]:
        """Hold the case's write lock (re-entrant in this process) for the ``with`` block."""
        with case_lock(self.directory, purpose, timeout):
            yield

    def verify_custody(self) -> list[custody.ChainProblem]:
        """Breaks in the custody chain (an edited, inserted or removed event)."""
        return custody.verify_chain(self.db, self.head_file)

    def verify_integrity(self) -> list[custody.ChainProblem]:
        """Breaks in the custody chain, then tables that no longer match the newest event."""
        problems = self.verify_custody()
        problems += [
            custody.ChainProblem(p.seq, p.problem)
            for p in integrity.state_problems(self.db, self.custody_events())
        ]
        return problems

    def custody_events(self) -> list[dict[str, Any]]:
        return list(self.db.query("select * from custody order by seq"))

    def now(self) -> str:
        return custody.now_in(self.info.tz)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One real transaction: everything inside commits together, or is rolled back.

        Write with plain SQL on ``self.db.conn`` inside it: sqlite-utils' helpers manage
        transactions of their own (older releases commit whatever is open). ``BEGIN
        IMMEDIATE`` takes the write lock up front, so a reader elsewhere (a progress
        display, a browser on the case) cannot make the commit fail halfway.
        """
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def checkpoint(self) -> None:
        """Fold the WAL into case.db, so the file alone is the whole case (to copy, hash or serve)."""
        self.db.execute("pragma wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.checkpoint()
        self.db.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
