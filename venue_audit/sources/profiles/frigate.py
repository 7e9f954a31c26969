"""Frigate NVR (≥0.16): face library and training folders, ``frigate.db`` events (formats.md §5).

Frigate keeps no embeddings; its face data is pictures: the enrolled library
``clips/faces/<name>/<name>_<epoch>.webp`` and every recognition attempt
``clips/faces/train/<eventid>-<epoch>-<label>-<score>.webp``. The names and
unix times in those paths are the person key and capture time. Event rows
carry the recognised ``sub_label`` and, in older versions, a base64
``thumbnail`` of the tracked object (only ``person`` objects are kept).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from venue_audit.consent.capture_time import CaptureTime
from venue_audit.consent.timestamps import OFFSET_ABSOLUTE, from_unix
from venue_audit.sources.profiles.base import PictureFacts, Profile, Row, TableMap, text
from venue_audit.sources.profiles.registry import register_profile

_TRAIN = re.compile(
    r"^(?P<event>\d+\.\d+-[a-z0-9]+)-(?P<at>\d+(?:\.\d+)?)-(?P<label>.+)-(?P<score>\d+(?:\.\d+)?)"
    r"\.webp$"
)
_LIBRARY = re.compile(r"^(?P<name>.+)[_-](?P<at>\d{9,10}(?:\.\d+)?)\.webp$")


def _when(seconds: str, tz: Any) -> CaptureTime | None:
    at = from_unix(float(seconds), tz)
    return CaptureTime(at, "file_name_unix (frigate)", OFFSET_ABSOLUTE) if at else None


@register_profile
class Frigate(Profile):
    NAME = "frigate"
    DESCRIPTION = "Frigate NVR: face library and train folders (WebP), frigate.db event sub_labels"
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "event": frozenset({"id", "label", "sub_label", "camera", "start_time"}),
    }
    TABLES = (
        TableMap(
            "event",
            frozenset({"id", "label", "sub_label", "camera", "start_time"}),
            images=("thumbnail",),
            person_key="sub_label",
            time="start_time",
            note="object thumbnails of label 'person' only",
        ),
    )

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        if text(row.get("label")) != "person":
            row["thumbnail"] = None
        if text(row.get("sub_label")) in ("", None):
            row["sub_label"] = None
        return row

    def picture(self, parts: list[str], tz: Any, shared: dict[str, Any]) -> PictureFacts | None:
        if len(parts) < 4 or parts[-3] != "faces" or parts[-4] != "clips":
            return None
        if parts[-2] == "train":
            match = _TRAIN.match(parts[-1])
            if match is None:
                return PictureFacts(self.NAME)
            label = match["label"]
            person = None if label == "unknown" else label
            return PictureFacts(
                self.NAME,
                person,
                "frigate face label" if person else None,
                _when(match["at"], tz),
            )
        match = _LIBRARY.match(parts[-1])
        return PictureFacts(
            self.NAME,
            parts[-2],
            "frigate face library name",
            _when(match["at"], tz) if match else None,
        )
