"""What the acquisition needs from a server: one read-only snapshot, listed and streamed.

Each server type (``postgres.py``, ``mysql.py``) opens a session that has
already started a READ ONLY, REPEATABLE READ transaction, so every count,
sample and copied row comes from the same moment. Sessions issue SELECT
statements only (plus the SET/START statements that make the session
read-only); nothing else is ever sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ServerTable:
    """A base table as the server describes it."""

    schema: str
    name: str
    columns: list[str]
    types: list[str]
    primary_key: list[str] = field(default_factory=list)
    readable: bool = True
    engine: str = ""
    notes: tuple[str, ...] = ()
    key: Any = None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class ServerFacts:
    """Recorded in the custody log and the snapshot's metadata table."""

    version: str
    snapshot_time: str
    isolation: str
    details: dict[str, Any] = field(default_factory=dict)


class TableUnreadable(Exception):
    """One table could not be read (privilege, row-level security); the others go on."""


class LiveSession(Protocol):
    facts: ServerFacts
    default_schema: str

    def tables(self) -> list[ServerTable]: ...

    def count(self, table: ServerTable) -> int: ...

    def sample(self, table: ServerTable, limit: int) -> list[tuple[Any, ...]]: ...

    def stream(self, table: ServerTable, batch: int) -> Iterator[list[tuple[Any, ...]]]: ...

    def close(self) -> None: ...
