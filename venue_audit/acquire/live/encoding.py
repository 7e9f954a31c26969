"""Server values as snapshot values, and order-independent hashes of the rows copied.

The snapshot is a SQLite file, so every server value becomes one of SQLite's
five storage classes, chosen so the file scanners decode it exactly as they
decode exports:

- binary (``bytea``, ``BLOB``/``LONGBLOB``, ``BINARY``, ``BIT``) stays bytes;
- arrays (``float8[]``, ``real[]``, any ``[]``), pgvector ``vector``/``halfvec``
  text (``[0.1,-0.2,…]``) and JSON/JSONB become JSON text, so a 512-d template
  reads back as a JSON number array (``sources.values.vector`` decodes it);
- integers that fit 64 bits and floats stay numbers; booleans become 0/1;
- everything else (timestamps, UUIDs, decimals, intervals) becomes its text
  (ISO 8601 for times) so nothing is rounded by SQLite's type affinity.

A table's hash is SHA-256 over its column header and the *sorted* SHA-256
digests of its rows' canonical encodings: it does not depend on the order the
server returned the rows, so two acquisitions of an unchanged database agree.
Digests are kept as 32 packed bytes per row (a 10-million-row table needs
320 MB), the one part of a copy that grows with the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import struct
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

SnapshotValue = None | int | float | str | bytes

_INT64 = (-(1 << 63), (1 << 63) - 1)
VECTOR_TYPES = frozenset({"vector", "halfvec"})


def vector_text_to_json(text: str) -> str:
    """pgvector's text form (``[1,2.5,-0.25]``) as canonical JSON; other text unchanged.

    pgvector prints ``[x,y,…]`` with shortest float forms, which is already JSON
    except for spacing; reparsing makes the snapshot independent of the server's
    float printing (``1`` vs ``1.0``) and rejects values that are not vectors.
    """
    stripped = text.strip()
    if not (stripped.startswith("[") and stripped.endswith("]")):
        return text
    try:
        numbers = [float(part) for part in stripped[1:-1].split(",")] if stripped[1:-1] else []
    except ValueError:
        return text
    return _json([_plain_float(n) for n in numbers])


def snapshot_value(value: Any, server_type: str = "") -> SnapshotValue:
    """One server value as stored in the snapshot (see the module docstring)."""
    if value is None or isinstance(value, str | bytes):
        if isinstance(value, str) and server_type.split("(")[0].lower() in VECTOR_TYPES:
            return vector_text_to_json(value)
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if _INT64[0] <= value <= _INT64[1] else str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, list | tuple | dict):
        return _json(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return ",".join(sorted(str(v) for v in value))
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    return str(value)


def _plain_float(number: float) -> float | int:
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def row_digest(values: Sequence[SnapshotValue]) -> bytes:
    """SHA-256 of a row's canonical encoding: type tag, length and exact bytes per value."""
    digest = hashlib.sha256()
    for value in values:
        if value is None:
            tag, payload = b"N", b""
        elif isinstance(value, int):
            tag, payload = b"I", str(value).encode("ascii")
        elif isinstance(value, float):
            tag, payload = b"F", (value.hex() if math.isfinite(value) else repr(value)).encode()
        elif isinstance(value, str):
            tag, payload = b"S", value.encode("utf-8", "surrogatepass")
        else:
            tag, payload = b"B", bytes(value)
        digest.update(tag + struct.pack(">Q", len(payload)) + payload)
    return digest.digest()


class TableDigest:
    """Accumulates row digests; ``hexdigest`` is independent of the rows' order."""

    def __init__(self, columns: Iterable[str], types: Iterable[str]) -> None:
        self.header = _json([list(columns), list(types)]).encode("utf-8")
        self.rows = 0
        self._digests = bytearray()

    def add(self, values: Sequence[SnapshotValue]) -> None:
        self._digests += row_digest(values)
        self.rows += 1

    def hexdigest(self) -> str:
        ordered = np.sort(np.frombuffer(bytes(self._digests), dtype="S32"))
        digest = hashlib.sha256(b"venue-audit table v1\n" + self.header + b"\n")
        digest.update(struct.pack(">Q", self.rows))
        digest.update(ordered.tobytes())
        return digest.hexdigest()


def snapshot_digest(tables: dict[str, tuple[int, str]]) -> str:
    """One SHA-256 over every copied table's name, row count and hash."""
    lines = "".join(
        f"{name}\t{rows}\t{digest}\n" for name, (rows, digest) in sorted(tables.items())
    )
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()
