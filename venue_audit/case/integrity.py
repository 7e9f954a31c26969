"""Prove that ``case.db`` still holds what its custody log says the stages wrote.

The custody chain proves the log was not edited, but not that the tables it
describes were left alone: deleting an ``artifacts`` row by hand changed the
report's duplicate count and ``custody --verify`` still said intact. So every
custody event carries the row count and a SHA-256 of every case table as they
stood when the event was written (its ``case_state`` column, covered by the
event's hash). Each stage logs after its writes, so the newest event describes
the case as it must be now; ``custody --verify`` and ``report`` recompute the
digests and refuse (exit 3) when a table differs.

A table's digest is reproducible without this tool, in a few lines of Python:
SHA-256 over the table's non-BLOB columns, row by row in ``rowid`` order, each
row as ``ascii(tuple_of_values) + "\\n"`` (ASCII-only, so the same on every Python),
followed by every value of its BLOB columns in the same order, each as
``b"N"`` (NULL) or its length in decimal, ``b":"`` and its bytes. Hashing a
305,000-row faces table this way takes about 2.5 s on one loaded core.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from venue_audit.errors import IntegrityError

STATE_KEY = "case_state"
# The custody log is protected by its own chain; the lock file and the WAL are not tables.
UNCOVERED = frozenset({"custody"})


@dataclass(frozen=True)
class StateProblem:
    seq: int | None
    problem: str


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_digest(db: sqlite_utils.Database, table: str) -> dict[str, Any]:
    """Row count and SHA-256 of one table (the form the module docstring gives)."""
    info = db.conn.execute(f"pragma table_info({_quoted(table)})").fetchall()
    blobs = [row[1] for row in info if (row[2] or "").upper() == "BLOB"]
    others = [row[1] for row in info if row[1] not in blobs]
    digest = hashlib.sha256()
    rows = 0
    if others:
        selected = ", ".join(map(_quoted, others))
        cursor = db.conn.execute(f"select {selected} from {_quoted(table)} order by rowid")
        while batch := cursor.fetchmany(4096):
            rows += len(batch)
            digest.update(("\n".join(map(ascii, batch)) + "\n").encode("ascii"))
    if blobs:
        selected = ", ".join(map(_quoted, blobs))
        cursor = db.conn.execute(f"select {selected} from {_quoted(table)} order by rowid")
        while batch := cursor.fetchmany(4096):
            rows = rows if others else rows + len(batch)
            for row in batch:
                for value in row:
                    if value is None:
                        digest.update(b"N")
                        continue
                    data = value if isinstance(value, bytes) else str(value).encode()
                    digest.update(b"%d:" % len(data))
                    digest.update(data)
    return {"rows": rows, "sha256": digest.hexdigest()}


def covered_tables(db: sqlite_utils.Database) -> list[str]:
    return sorted(name for name in db.table_names() if name not in UNCOVERED)


def case_state(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Every covered table's digest: what a custody event records under ``case_state``."""
    return {table: table_digest(db, table) for table in covered_tables(db)}


def state_problems(
    db: sqlite_utils.Database, events: Iterable[dict[str, Any]]
) -> list[StateProblem]:
    """Tables that no longer match the newest event recording the case's state.

    An empty list means the tables are as the log left them. Events written by a
    version of the tool that recorded no state are passed over.
    """
    recorded: dict[str, Any] | None = None
    seq: int | None = None
    action = ""
    for event in events:
        try:
            state = json.loads(event.get(STATE_KEY) or "null")
        except (TypeError, ValueError):
            state = "unreadable"
        if isinstance(state, dict):
            recorded, seq, action = state, event["seq"], event["action"]
        elif state is not None:
            recorded, seq, action = {}, event["seq"], event["action"]
    if recorded is None:
        return []
    now = case_state(db)
    problems = []
    for table in sorted(set(recorded) | set(now)):
        then, current = recorded.get(table), now.get(table)
        if then == current:
            continue
        if then is None or current is None:
            what = "appeared" if then is None else "disappeared"
            problems.append(StateProblem(seq, f"table {table} {what} after event {seq} ({action})"))
            continue
        cause = (
            f"the stage event {seq} began never logged its end (interrupted: run it again), "
            "or case.db was modified outside the tool"
            if action.endswith(".start")
            else "case.db was modified outside the tool, or a later stage was interrupted"
        )
        problems.append(
            StateProblem(
                seq,
                f"table {table} changed after event {seq} ({action}): "
                f"{then['rows']} rows then, {current['rows']} now, content hash differs; {cause}",
            )
        )
    return problems


def require_intact(case: Any) -> None:
    """Raise :class:`IntegrityError` unless the custody chain and the case tables verify."""
    problems = case.verify_integrity()
    if problems:
        listed = "; ".join(
            f"event {p.seq}: {p.problem}" if p.seq is not None else p.problem for p in problems[:5]
        )
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise IntegrityError(
            f"case {case.directory} failed its integrity check: {listed}{more}; "
            "`venue-audit custody --verify` lists every problem"
        )
