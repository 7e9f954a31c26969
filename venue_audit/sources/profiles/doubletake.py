"""Double Take (SQLite ``database.db``): recognition matches and their saved frames (formats.md §6).

Schema from jakowenko/double-take ``api/src/util/db.util.js`` (snapshot 8e2728d2):
``file(name, filename, meta, isActive, createdAt)``, ``train(fileId, name,
filename, detector, meta, createdAt)``, ``match(filename, event, response,
createdAt)``; times are luxon ISO-8601 strings in UTC.

No embeddings are kept (the detector backend, usually CompreFace, holds
them). The face data is pictures: ``matches/<uuid>.jpg`` frames and
``train/<name>/<filename>`` enrolment images. What each picture yields: a
match frame takes the recognised name (``person_key``, only when exactly one
face was recognised) and the ``match.createdAt`` time; a train image takes
its folder's name and the time the image was added (``file.createdAt``, else
the first ``train.createdAt`` of that name and file). The scan reads the
database before the ``matches`` and ``train`` folders (names sort so).
"""

from __future__ import annotations

from typing import Any, ClassVar

from venue_audit.consent.capture_time import CaptureTime
from venue_audit.consent.timestamps import read_timestamp
from venue_audit.sources.profiles.base import (
    PictureFacts,
    Profile,
    Row,
    TableMap,
    json_value,
    text,
    utc_time,
)
from venue_audit.sources.profiles.registry import register_profile

MATCHES = "double-take matches"
TRAINED = "double-take train images"


def recognised_names(response: Any) -> list[str]:
    """Names of the faces a match response says were recognised (``unknown`` left out)."""
    names = []
    attempts = json_value(response)
    for attempt in attempts if isinstance(attempts, list) else []:
        if not isinstance(attempt, dict):
            continue
        for result in attempt.get("results") or []:
            if isinstance(result, dict) and result.get("match") and result.get("name"):
                names.append(str(result["name"]))
    return [n for n in dict.fromkeys(names) if n != "unknown"]


@register_profile
class DoubleTake(Profile):
    NAME = "double-take"
    DESCRIPTION = "Double Take: match frames with recognised names, train/<name>/ enrolment images"
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "match": frozenset({"filename", "event", "response", "createdAt"}),
        "train": frozenset({"fileId", "name", "filename", "detector"}),
    }
    TABLES = (
        TableMap(
            "match",
            frozenset({"filename", "event", "response", "createdAt"}),
            note="recognitions; frames are files in matches/",
        ),
        TableMap("train", frozenset({"fileId", "name", "filename", "detector"})),
        TableMap("file", frozenset({"name", "filename", "meta", "isActive"})),
    )

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        if table_map.table in ("file", "train") and text(row.get("filename")):
            trained = state.get("shared", {}).setdefault(TRAINED, {})
            key = (text(row.get("name")), text(row["filename"]))
            at = utc_time(row.get("createdAt"))
            if at and (table_map.table == "file" or key not in trained):
                trained[key] = (at, f"double-take {table_map.table} createdAt")
        if table_map.table == "match" and text(row.get("filename")):
            names = recognised_names(row.get("response"))
            state.get("shared", {}).setdefault(MATCHES, {})[text(row["filename"])] = (
                names[0] if len(names) == 1 else None,
                utc_time(row.get("createdAt")),
            )
        return row

    def picture(self, parts: list[str], tz: Any, shared: dict[str, Any]) -> PictureFacts | None:
        if ".storage" not in parts[:-1]:
            return None
        if parts[-2] == "matches":
            name, at = shared.get(MATCHES, {}).get(parts[-1], (None, None))
            when = read_timestamp(at, tz) if at else None
            return PictureFacts(
                self.NAME,
                name,
                "double-take recognised name" if name else None,
                CaptureTime(when.at, "double-take match createdAt", when.offset) if when else None,
            )
        if len(parts) >= 3 and parts[-3] == "train":
            at, source = shared.get(TRAINED, {}).get((parts[-2], parts[-1]), (None, None))
            when = read_timestamp(at, tz) if at else None
            return PictureFacts(
                self.NAME,
                parts[-2],
                "double-take train name",
                CaptureTime(when.at, source, when.offset) if when else None,
            )
        return PictureFacts(self.NAME)
