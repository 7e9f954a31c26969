"""Where a stored record sits, precisely enough for a business to find and delete it.

A capture record's key (``artifacts.record_key``) is written by the scan as a place a person
can read: ``export/server/face.db, table t_face, rowid 12``, ``export/cloud/b.zip!/faces/x.jpg``
or a picture's own path. A to-delete list needs the same place split into parts a deletion can
act on: the file, the archive member inside it, the table and the row's *real* primary key (the
column the database declares, not SQLite's internal rowid), and for a known system its own id.
The primary key is read from the evidence itself, read-only (:mod:`venue_audit.remediation.keys`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ARCHIVE_MARK = "!/"
_ROW = re.compile(r"^(?:rowid (?P<rowid>-?\d+)|row (?P<row>\d+))(?P<soft>, kept after deletion .*)?$")
_ROW_MARKERS = (", rowid ", ", row ", ", recovered ", ", carved ", ", line ")
_RECOVERED = re.compile(r"^(?:recovered .*|carved .*)$")


@dataclass
class Location:
    """One record's place: file, archive member, table and primary key, or system and id.

    ``file`` is the evidence file as the case lists it (its source folder's name first);
    ``member`` the path inside an archive; ``table`` and ``key_columns``/``key_values`` the row
    for databases; ``rowid`` SQLite's row number as the scan read it (``None`` when the row
    was recovered from free space or has none); ``system``/``system_id`` a known product's
    name and its own id for the record; ``detail`` what the scan said of the place beyond that
    (a recovered row's page and offset, a soft-deleted row's deletion mark).
    """

    file: str
    member: str = ""
    table: str = ""
    rowid: int | None = None
    row_number: int | None = None
    key_columns: list[str] = field(default_factory=list)
    key_values: list[Any] = field(default_factory=list)
    system: str = ""
    system_id: str = ""
    detail: str = ""
    soft_deleted: bool = False

    @property
    def in_table(self) -> bool:
        return bool(self.table)

    @property
    def key_text(self) -> str:
        """``id = 12`` or ``(tenant, id) = ('a', 12)``; empty when no key is known."""
        if not self.key_columns:
            return ""
        if len(self.key_columns) == 1:
            return f"{self.key_columns[0]} = {_value_text(self.key_values[0])}"
        columns = ", ".join(self.key_columns)
        values = ", ".join(_value_text(v) for v in self.key_values)
        return f"({columns}) = ({values})"

    def describe(self) -> str:
        """The whole place on one line, the way the to-delete list prints it."""
        parts = [self.file + (ARCHIVE_MARK + self.member if self.member else "")]
        if self.table:
            parts.append(f"table {self.table}")
        if self.key_columns:
            parts.append(self.key_text)
        elif self.rowid is not None:
            parts.append(f"rowid {self.rowid}")
        if self.system:
            parts.append(f"{self.system} id {self.system_id}" if self.system_id else self.system)
        if self.detail:
            parts.append(self.detail)
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "member": self.member,
            "table": self.table,
            "rowid": self.rowid,
            "key_columns": self.key_columns,
            "key_values": [_json_value(v) for v in self.key_values],
            "system": self.system,
            "system_id": self.system_id,
            "detail": self.detail,
            "soft_deleted": self.soft_deleted,
        }


def _value_text(value: Any) -> str:
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return "NULL" if value is None else str(value)


def _json_value(value: Any) -> Any:
    return {"hex": value.hex()} if isinstance(value, bytes) else value


def parse_record_key(record_key: str, store_locator: str, file: str) -> Location:
    """Split a record key into its parts; ``file`` is the top-level evidence file's display path.

    ``store_locator`` is the store the record was found in (a database's key starts with
    it followed by ``, table``); anything the scan wrote that matches no known shape is kept
    whole in ``detail``, so no place is ever lost, only left unsplit.
    """
    prefix = f"{store_locator}, table "
    if store_locator and record_key.startswith(prefix):
        path, rest = store_locator, record_key[len(prefix):]
        table, row = _table_and_row(rest)
    else:
        path, table, row = record_key, "", ""
    member = path.split(ARCHIVE_MARK, 1)[1] if ARCHIVE_MARK in path else ""
    location = Location(file=file, member=member, table=table)
    if not table:
        return location
    match = _ROW.match(row)
    if match is None:
        location.detail = row
    elif match["rowid"] is not None:
        location.rowid = int(match["rowid"])
    else:
        location.row_number = int(match["row"])
    if match is not None and match["soft"]:
        location.soft_deleted = True
        location.detail = match["soft"].removeprefix(", ")
    return location


def _table_and_row(rest: str) -> tuple[str, str]:
    """``t_face, rowid 3`` -> (``t_face``, ``rowid 3``); a table name may itself hold commas."""
    found = [at for marker in _ROW_MARKERS if (at := rest.find(marker)) > 0]
    if found:
        return rest[: min(found)], rest[min(found) + 2 :]
    table, _, row = rest.partition(", ")
    return table, row


def is_recovered(location: Location) -> bool:
    """A row rebuilt from free pages, a WAL or a journal, or bytes carved from free space."""
    return bool(location.table) and location.rowid is None and location.row_number is None and (
        _RECOVERED.match(location.detail) is not None
    )
