"""The chain-of-custody log: an append-only, hash-chained table.

Each event's hash covers its own fields and the previous event's hash, so an
edited, inserted or removed row breaks the chain at that point. The head of the
chain is also written to ``custody.head`` beside ``case.db``, which catches the
one change the chain alone cannot: removing the newest events.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from venue_audit import __version__

GENESIS = "0" * 64
_HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "host",
    "tool_version",
    "action",
    "command",
    "detail",
    "prev_hash",
)


def event_hash(row: dict[str, Any]) -> str:
    canonical = json.dumps(
        [row[f] for f in _HASHED_FIELDS], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def now_in(tz: str) -> str:
    return datetime.now(ZoneInfo(tz)).isoformat(timespec="seconds")


def current_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def append_event(
    db: sqlite_utils.Database,
    head_file: Path,
    tz: str,
    action: str,
    detail: dict[str, Any] | None = None,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """Append one event and move the head; returns the stored row."""
    with db.conn:
        last = next(iter(db.query("select seq, hash from custody order by seq desc limit 1")), None)
        row: dict[str, Any] = {
            "seq": (last["seq"] + 1) if last else 1,
            "at": now_in(tz),
            "actor": current_actor(),
            "host": socket.gethostname(),
            "tool_version": __version__,
            "action": action,
            "command": json.dumps(command if command is not None else sys.argv, ensure_ascii=False),
            "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
            "prev_hash": last["hash"] if last else GENESIS,
        }
        row["hash"] = event_hash(row)
        db["custody"].insert(row)
    head_file.write_text(f"{row['seq']} {row['hash']}\n", encoding="ascii")
    return row


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    problem: str


def verify_chain(db: sqlite_utils.Database, head_file: Path) -> list[ChainProblem]:
    """Every break in the chain, first to last; an empty list means intact."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    expected_seq = 1
    last: dict[str, Any] | None = None
    for row in db.query("select * from custody order by seq"):
        if row["seq"] != expected_seq:
            problems.append(
                ChainProblem(
                    row["seq"],
                    f"sequence jumps from {expected_seq - 1} to {row['seq']}: events were removed or inserted",
                )
            )
        if row["prev_hash"] != expected_prev:
            problems.append(
                ChainProblem(
                    row["seq"],
                    "does not link to the event before it: an event was removed, inserted or edited",
                )
            )
        if event_hash(row) != row["hash"]:
            problems.append(
                ChainProblem(row["seq"], "content does not match its hash: the event was edited")
            )
        expected_prev = row["hash"]
        expected_seq = row["seq"] + 1
        last = row
    try:
        head = head_file.read_text(encoding="ascii").split()
    except OSError:
        head = []
    if last is None:
        if head:
            problems.append(ChainProblem(None, "the log is empty but custody.head names an event"))
    elif len(head) != 2 or int(head[0]) != last["seq"] or head[1] != last["hash"]:
        problems.append(
            ChainProblem(
                last["seq"],
                "custody.head does not name the newest event: events after it were removed, or the head was altered",
            )
        )
    return problems
