"""The case-local evidence snapshot: a SQLite file of the copied tables plus their provenance.

Copied tables keep their original column names with *no* declared column
types, so SQLite's type affinity never rewrites a value (a ``numeric`` column
declared NUMERIC would turn ``'1.50'`` into ``1.5``); the server's own types
are kept in ``_venue_audit_tables``. The file is built under a ``.partial``
name, then written out with ``VACUUM INTO`` (fresh pages, no freed cells the
deleted-row recovery could mistake for deleted records), made read-only and
only then given its final name: a half-written snapshot is never evidence.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from venue_audit.acquire.live.encoding import SnapshotValue

SNAPSHOT_TABLE = "_venue_audit_snapshot"
TABLES_TABLE = "_venue_audit_tables"
RESERVED = (SNAPSHOT_TABLE, TABLES_TABLE)


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def unique_names(names: Sequence[str], taken: set[str] | None = None) -> list[str]:
    """Names made unique ignoring case (``ID`` and ``id`` are one name to SQLite): ``id#2``."""
    taken = set() if taken is None else taken
    unique = []
    for name in names:
        candidate, number = name, 2
        while candidate.lower() in taken:
            candidate, number = f"{name}#{number}", number + 1
        taken.add(candidate.lower())
        unique.append(candidate)
    return unique


@dataclass(frozen=True)
class CopiedTable:
    """One table as copied: where it came from and what its rows hash to."""

    name: str
    source: str
    rows: int
    sha256: str
    columns: list[str]
    types: list[str]
    primary_key: list[str]
    reason: str


class SnapshotWriter:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._partial = self.path.with_name(self.path.name + ".partial")
        self._partial.unlink(missing_ok=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self._partial)  # not evidence: our snapshot being written
        self._db.execute("pragma journal_mode=off")
        self._db.execute("pragma synchronous=off")

    def create_table(self, name: str, columns: Sequence[str]) -> list[str]:
        """Create a copy table; returns its column names (unique ignoring case, as SQLite needs)."""
        if name.lower() in RESERVED:
            raise ValueError(f"table name {name!r} is reserved for the snapshot's metadata")
        names = unique_names(columns)
        self._db.execute(
            f"create table {quote_name(name)} ({', '.join(quote_name(c) for c in names)})"
        )
        return names

    def insert(self, name: str, width: int, rows: Sequence[Sequence[SnapshotValue]]) -> None:
        marks = ", ".join("?" * width)
        self._db.executemany(f"insert into {quote_name(name)} values ({marks})", rows)

    def finish(self, facts: dict[str, Any], tables: list[CopiedTable]) -> Path:
        self._db.execute(f"create table {SNAPSHOT_TABLE} (key text primary key, value text)")
        self._db.executemany(
            f"insert into {SNAPSHOT_TABLE} values (?, ?)",
            [
                (key, value if isinstance(value, str) else json.dumps(value, sort_keys=True))
                for key, value in sorted(facts.items())
            ],
        )
        self._db.execute(
            f"create table {TABLES_TABLE} (name text primary key, source text, rows integer, "
            "sha256 text, columns text, server_types text, primary_key text, reason text)"
        )
        self._db.executemany(
            f"insert into {TABLES_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    t.name,
                    t.source,
                    t.rows,
                    t.sha256,
                    json.dumps(t.columns, ensure_ascii=False),
                    json.dumps(t.types, ensure_ascii=False),
                    json.dumps(t.primary_key, ensure_ascii=False),
                    t.reason,
                )
                for t in tables
            ],
        )
        self._db.commit()
        if self.path.exists():
            raise FileExistsError(f"{self.path} already exists")
        final_tmp = self.path.with_name(self.path.name + ".vacuum")
        final_tmp.unlink(missing_ok=True)
        self._db.execute("vacuum into ?", [str(final_tmp)])
        self._db.close()
        self._partial.unlink()
        os.chmod(final_tmp, 0o444)
        os.replace(final_tmp, self.path)
        return self.path

    def abort(self) -> None:
        self._db.close()
        self._partial.unlink(missing_ok=True)
        self.path.with_name(self.path.name + ".vacuum").unlink(missing_ok=True)
