"""ZKTeco BioTime (PostgreSQL/MySQL) and ADMS push logs: opaque face templates, photos (§7a).

``bio_type`` / ``Type`` says which biometric a template is: 2 near-infrared
face, 9 visible-light face; 1 is a fingerprint, 7 finger vein, 8 palm. Only
face types are counted; the others are read and left out. Templates are
vendor-opaque (base64, or BioTime's ``{"0": "<base64>"}``): counted and
fingerprinted by their bytes, never compared as vectors. BioTime times are
the device's local wall-clock time (the case time zone).

Provenance: BioTime is closed source and no upstream schema or migration is
public. The table and column names here are reconstructed from third-party
integrations that query a BioTime database (``iclock_biodata``,
``iclock_biophoto``, ``personnel_employee``; one reads ``bio_tmp::jsonb->>'0'``)
and an EF-scaffolded C# model; the ADMS push lines from three independent
third-party ADMS servers (formats.md §7a). A BioTime version that renames
them is not recognised by this profile (its tables still reach the generic
classifier). What each yields: ``person_key`` = ``employee_id`` (BioTime) or
``PIN`` (ADMS), the template's ``update_time`` where kept, and one opaque
space per face type.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from venue_audit.sources.profiles.base import (
    PictureFacts,
    Profile,
    Row,
    TableMap,
    Template,
    as_int,
    text,
)
from venue_audit.sources.profiles.registry import register_profile

NIR = "near-infrared face (type 2)"
VISIBLE = "visible-light face (type 9)"
FACE_TYPES = {2: NIR, 9: VISIBLE}
_PHOTO = re.compile(r"^(?P<code>[\w-]+)\.(?:jpe?g|png)$", re.I)


def _templates(column: str) -> tuple[Template, ...]:
    return (
        Template(f"{column} ({VISIBLE})", "zkteco-face-visible-light", "ZKTeco visible-light face template (vendor, opaque)"),
        Template(f"{column} ({NIR})", "zkteco-face-nir", "ZKTeco near-infrared face template (vendor, opaque)"),
    )


def _route(row: Row, column: str, kind: Any) -> Row:
    """Move a template into the column of its biometric type; non-face templates are dropped."""
    value = row.get(column)
    row[column] = None
    label = FACE_TYPES.get(as_int(kind) or 0)
    if label is not None:
        row[f"{column} ({label})"] = value
    return row


@register_profile
class ZktecoBiotime(Profile):
    NAME = "zkteco-biotime"
    DESCRIPTION = "ZKTeco BioTime: iclock_biodata face templates, iclock_biophoto, biophoto files"
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "iclock_biodata": frozenset({"employee_id", "bio_tmp", "bio_type"}),
        "personnel_employee": frozenset({"id", "emp_code"}),
    }
    TABLES = (
        TableMap(
            "iclock_biodata",
            frozenset({"employee_id", "bio_tmp", "bio_type"}),
            templates=_templates("bio_tmp"),
            person_key="employee_id",
            time="update_time",
            extra=tuple(t.column for t in _templates("bio_tmp")),
            note="face types 2 and 9 only; fingerprints (1), vein (7), palm (8) left out",
        ),
        TableMap(
            "iclock_biophoto",
            frozenset({"employee_id", "register_photo"}),
            images=("register_photo", "approval_photo"),
            person_key="employee_id",
            time="register_time",
            note="photo paths point at biophoto files, scanned as pictures",
        ),
    )

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        if table_map.table == "iclock_biodata":
            return _route(row, "bio_tmp", row.get("bio_type"))
        return row

    def picture(self, parts: list[str], tz: Any, shared: dict[str, Any]) -> PictureFacts | None:
        if len(parts) >= 2 and parts[-2] == "biophoto" and (match := _PHOTO.match(parts[-1])):
            return PictureFacts(self.NAME, match["code"], "zkteco emp_code")
        return None


@register_profile
class ZktecoAdms(Profile):
    """Push-protocol records as the log reader yields them: one table per record type."""

    NAME = "zkteco-adms"
    DESCRIPTION = "ZKTeco ADMS push logs: BIODATA/FACE templates, BIOPHOTO/USERPIC photos"
    TABLES = (
        TableMap(
            "BIODATA",
            frozenset({"Pin", "Type", "Tmp"}),
            templates=_templates("Tmp"),
            person_key="Pin",
            extra=tuple(t.column for t in _templates("Tmp")),
            note="face types 2 and 9 only",
        ),
        TableMap(
            "FACE",
            frozenset({"PIN", "TMP"}),
            templates=(
                Template("TMP", "zkteco-face-legacy", "ZKTeco legacy face template (vendor, opaque)"),
            ),
            person_key="PIN",
        ),
        TableMap("BIOPHOTO", frozenset({"PIN", "Content"}), images=("Content",), person_key="PIN"),
        TableMap("USERPIC", frozenset({"PIN", "Content"}), images=("Content",), person_key="PIN"),
    )

    def fits_store(self, tables: set[str]) -> bool:
        """Third-party ADMS servers keep the push records in tables named like the record types."""
        return bool({t.table.lower() for t in self.TABLES} & tables)

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        if table_map.table == "BIODATA":
            return _route(row, "Tmp", row.get("Type"))
        if table_map.table == "FACE":
            row["TMP"] = text(row.get("TMP"))
        return row
