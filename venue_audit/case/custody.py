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
import os
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
    """SHA-256 over the event's fields and the previous hash.

    ``examiners`` (who acted, by name; ``actor`` is the OS account) is hashed when the
    event has it: events logged before it existed keep the hash they were written with.
    """
    values = [row[f] for f in _HASHED_FIELDS]
    if row.get("examiners") is not None:
        values.append(row["examiners"])
    if row.get("case_state") is not None:  # the tables' digests (venue_audit.case.integrity)
        values.append(["case_state", row["case_state"]])
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
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
    examiners: list[str] | None = None,
    case_state: dict[str, Any] | None = None,
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
        if examiners is not None:
            row["examiners"] = json.dumps(examiners, ensure_ascii=False)
        if case_state is not None:
            row["case_state"] = json.dumps(case_state, sort_keys=True, separators=(",", ":"))
        row["hash"] = event_hash(row)
        committed = f"{last['seq']} {last['hash']}" if last else f"0 {GENESIS}"
        # Announce the event before committing it, so a process killed between the
        # commit and the head update leaves a head that still accounts for the log.
        _write_head(head_file, f"{committed}\n{row['seq']} {row['hash']} pending\n")
        db["custody"].insert(row, alter=True)
    _write_head(head_file, f"{row['seq']} {row['hash']}\n")
    return row


def _write_head(head_file: Path, text: str) -> None:
    """Replace the head in one step: a crash leaves the old head or the new, never half of one."""
    partial = head_file.with_name(head_file.name + ".tmp")
    partial.write_text(text, encoding="ascii")
    os.replace(partial, head_file)


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
        lines = [line.split() for line in head_file.read_text(encoding="ascii").splitlines()]
    except OSError:
        lines = []
    # The head names the newest event, or the newest event and one announced after it
    # (a process that stopped between announcing an event and committing or confirming it).
    named = [(line[0], line[1]) for line in lines[:2] if len(line) >= 2]
    newest = (str(last["seq"]), last["hash"]) if last else ("0", GENESIS)
    if last is None and lines and newest not in named:
        problems.append(ChainProblem(None, "the log is empty but custody.head names an event"))
    elif last is not None and newest not in named:
        problems.append(
            ChainProblem(
                last["seq"],
                "custody.head does not name the newest event: events after it were removed, or the head was altered",
            )
        )
    return problems
