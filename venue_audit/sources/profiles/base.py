"""What a profile of a known face system is: its schema signature and an explicit column map.

Generic heuristics find face data by content; a profile knows the product
(plaso's SQLite plugins are the model). It names the store, maps every face
column, names the embedding space exactly (so templates of different models
are never clustered together), reads person ids and times the way the
product writes them, and marks the product's own decoys (Immich's CLIP
vectors, ZKTeco fingerprints) so they are never counted.

A profile matches a table by the table's own name and required columns, so it
works on every form the data arrives in: the SQLite file, a streamed SQL dump
(where the store's full table list is not known when the first rows arrive),
a push log, or a live snapshot. Where the store's whole table list is known
(SQLite), ``REQUIRED_STRUCTURE`` must be present as well, as in plaso.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from venue_audit.consent.capture_time import CaptureTime
from venue_audit.consent.timestamps import from_unix, parse_timestamp
from venue_audit.sources import values

Row = dict[str, Any]


@dataclass(frozen=True)
class Template:
    """A template column and the embedding space its vectors live in.

    ``dim`` None marks an opaque vendor template (ZKTeco): counted and
    fingerprinted by its bytes, never compared as a vector.
    """

    column: str
    space: str
    model: str
    dim: int | None = None


@dataclass(frozen=True)
class TableMap:
    """How one of the product's tables holds face data, column by column.

    ``extra`` names columns the profile computes per row (a person id joined
    from another table, a time decoded from a UID); ``decoy`` says why a table
    that looks like face data is not (its rows are read, never counted).
    ``deleted`` names a column whose non-empty value says the product itself
    deleted the row but kept it (Immich's ``deletedAt``): the row's artifacts
    are marked deleted, counted apart from live data, never dropped.
    ``camera`` names the column that says which camera or channel took it.
    ``version`` names the product version whose schema this map is (the store
    table of the report shows it).
    """

    table: str
    required: frozenset[str]
    images: tuple[str, ...] = ()
    templates: tuple[Template, ...] = ()
    person_key: str | None = None
    time: str | None = None
    extra: tuple[str, ...] = ()
    decoy: str | None = None
    note: str = ""
    deleted: str | None = None
    camera: str | None = None
    version: str = ""


@dataclass(frozen=True)
class CellRows:
    """A product's objects found whole in one cell (a pushed body kept in a text column).

    ``label`` names one object in a locator (``FaceObject``); ``columns`` are the
    columns the product's own map reads; one row per object, in the cell's order.
    """

    label: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class PictureFacts:
    """What a product's folder layout says about one picture file.

    ``captured`` None means the product's file name carries no time (a UUID
    or a hash that might otherwise be misread as a unix stamp).
    """

    profile: str
    person_key: str | None = None
    person_key_kind: str | None = None
    captured: CaptureTime | None = None


class Profile:
    """Base of every profile. Subclasses set the class attributes and may override the hooks."""

    NAME: ClassVar[str] = ""
    DESCRIPTION: ClassVar[str] = ""
    SYSTEM: ClassVar[str] = ""  # the product as the report names it ("Immich", "digiKam")
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {}
    TABLES: ClassVar[tuple[TableMap, ...]] = ()
    # Tables whose rows other tables join to, read first where the reader can choose its
    # order (SQLite); a streamed dump keeps its own order and the profile says what it loses.
    READ_FIRST: ClassVar[tuple[str, ...]] = ()
    # A profile that recognises a table by its columns alone, in any store (a GA/T 1400
    # platform's tables have no fixed names); it never names a store from its table list.
    ANY_STORE: ClassVar[bool] = False
    # The product's person keys are unique across an installation (PhotoPrism's subject UIDs), so
    # the same key in two of its stores (a database and a crop cache) is one person.
    PRODUCT_WIDE_PERSON_KEYS: ClassVar[bool] = False

    def table_map(self, table: str, columns: list[str]) -> TableMap | None:
        """The map for a table of this product, when its name and required columns match."""
        name = table.rsplit(".", 1)[-1].lower()
        present = {c.lower() for c in columns}
        for table_map in self.TABLES:
            if table_map.table.lower() == name and {
                c.lower() for c in table_map.required
            } <= present:
                return table_map
        return None

    def fits_store(self, tables: set[str]) -> bool:
        """Whether a store whose full table list is known holds this product's signature tables."""
        return bool(self.REQUIRED_STRUCTURE) and {
            t.lower() for t in self.REQUIRED_STRUCTURE
        } <= tables

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        """The row as the product means it: values decoded, extra columns filled.

        ``state`` lives as long as the store, so a table read earlier (pg_dump
        and SQLite both order tables by name) can lend a join key to a later
        one. Return the row with cells of non-face rows blanked to keep them
        from being counted (fingerprint templates in a biometric table).
        """
        return row

    def cell_rows(self, value: Any) -> CellRows | None:
        """This product's objects when one cell holds a whole document of them, else None.

        A venue's own table may keep each push as it came (a GA/T 1400 FaceListObject
        in a generic text column); the scanner offers every non-empty cell of a row,
        so the check must be cheap on cells that hold none.
        """
        return None

    def person_keys(self, state: dict[str, Any]) -> dict[tuple[str, str], str]:
        """Person keys written before the rows that name them, with the names read since.

        ``(kind, provisional key) -> key``, asked when a store has been read to its end
        and before its records are written: a streamed dump keeps the product's table
        order (mysqldump and pg_dump write tables by name), so a key may reach the scanner
        before the table that names it (digiKam's ``identity 3`` before its
        IdentityAttributes). Only the map of names is kept, never the rows.
        """
        return {}

    def picture(self, parts: list[str], tz: Any, shared: dict[str, Any]) -> PictureFacts | None:
        """Facts about a picture from its path (split on ``/``), for products that keep files.

        ``shared`` is the scan's memory across stores (Double Take's ``match``
        rows name the person and time of each ``matches/<uuid>.jpg``).
        """
        return None


# --- decoders shared by profiles -------------------------------------------------------------


def text(value: Any) -> str | None:
    """Text of a cell stored as text or as binary (MySQL VARBINARY/BLOB columns)."""
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return None
    return value if isinstance(value, str) else None


def json_value(value: Any) -> Any:
    raw = text(value)
    if raw is None:
        return value if isinstance(value, list | dict) else None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        return None


def first_vector(value: Any) -> list[float] | None:
    """A JSON vector, or the first vector of a JSON list of vectors (``[[…]]``)."""
    parsed = json_value(value)
    while isinstance(parsed, list) and parsed and isinstance(parsed[0], list):
        parsed = parsed[0]
    if isinstance(parsed, list) and parsed and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in parsed
    ):
        return [float(v) for v in parsed]
    return None


def opaque_bytes(value: Any) -> bytes | None:
    """Vendor template bytes: raw, base64/hex text, or BioTime's ``{"0": "<base64>"}`` JSON."""
    raw = text(value)
    if raw is not None and raw.lstrip().startswith("{"):
        parsed = json_value(raw)
        if isinstance(parsed, dict) and parsed:
            return values.as_bytes(next(iter(parsed.values())))
    return values.as_bytes(value)


_PG_SHORT_OFFSET = re.compile(r"([+-]\d{2})$")


def utc_time(value: Any) -> str | None:
    """A product time stored in UTC (naive text means UTC), as ISO 8601 with its offset.

    pg_dump writes ``timestamptz`` as ``2025-11-01 02:00:00.123+00``; the short
    offset is completed so the time parser reads it.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        at = from_unix(float(value), "UTC")
    else:
        raw = text(value) if not isinstance(value, datetime) else None
        if raw is not None:
            value = _PG_SHORT_OFFSET.sub(r"\1:00", raw.strip())
        at = parse_timestamp(value, "UTC")
    return at.isoformat() if at else None


def unix_time(seconds: float) -> str | None:
    at = from_unix(seconds, "UTC")
    return at.isoformat() if at else None


def as_int(value: Any) -> int | None:
    try:
        return int(text(value) if isinstance(value, bytes) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


@dataclass
class ProfileMatch:
    """A profile's verdict for one table: which profile, which map, and the adapted columns."""

    profile: Profile
    table_map: TableMap
    columns: list[str]
    notes: list[str] = field(default_factory=list)

    def index(self, column: str | None) -> int | None:
        if column is None:
            return None
        lowered = [c.lower() for c in self.columns]
        return lowered.index(column.lower()) if column.lower() in lowered else None


Adapter = Callable[[TableMap, Row, dict[str, Any]], Row]
