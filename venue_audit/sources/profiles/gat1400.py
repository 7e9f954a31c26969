"""GA/T 1400 face objects as rows: from the view-library reader, or from a platform's own tables.

The ``gat1400`` reader yields one ``FaceObject`` row per pushed object; a
view-library platform's database keeps the same fields as columns
(``FaceID``/``face_id``, ``DeviceID``/``device_id``, ``ShotTime``/``shot_time``,
and the pictures as a ``SubImageList`` JSON column or as ``Data``/``face_data``
and ``scene_data`` columns). Both are mapped here, by field names rather than
by a table name.

What each record yields: its face crop (``SubImageInfoObject`` of Type 11) and
scene picture (Type 14) as the record's images (the same when a venue's own
table keeps each push whole in a text column: :meth:`Gat1400.cell_rows`); ``captured_at`` = ``ShotTime``,
else ``FaceAppearTime``, else the face crop's own ``ShotTime``, else the time in
the 48-digit ``FaceID`` (device clock, read in the case zone); ``camera`` =
``DeviceID``, else the FaceID's device code; ``person_key`` = ``IDNumber``
where the platform matched the face to an enrolled person (kind
``IDNumber (GA/T 1400)``), else none.
"""

from __future__ import annotations

import re
from typing import Any

from venue_audit.sources import values
from venue_audit.sources.gat1400 import (
    FACE_IMAGE_TYPES,
    FIELDS,
    SCENE_IMAGE_TYPES,
    STANDARD,
    SYSTEM,
    cell_documents,
    compact_time,
    face_id_parts,
    object_rows,
    sub_images,
)
from venue_audit.sources.profiles.base import CellRows, Profile, Row, TableMap, text
from venue_audit.sources.profiles.registry import register_profile

FACE = "face crop (SubImage Type 11)"
SCENE = "scene (SubImage Type 14)"
TIME = "shot time (ShotTime, FaceAppearTime or FaceID)"
CAMERA = "camera (DeviceID)"
PERSON = "IDNumber (GA/T 1400)"
_EXTRA = (FACE, SCENE, TIME, CAMERA, PERSON)
_MAP = TableMap(
    "FaceObject",
    frozenset({"FaceID"}),
    images=(FACE, SCENE),
    person_key=PERSON,
    time=TIME,
    camera=CAMERA,
    extra=_EXTRA,
    note="one record per face object: its face crop and scene picture",
    version=STANDARD,
)
_KEY = re.compile(r"[^a-z0-9]")
_COLUMNS = {  # normalised column name -> the field it holds
    "faceid": "FaceID", "deviceid": "DeviceID", "shottime": "ShotTime",
    "faceappeartime": "FaceAppearTime", "idnumber": "IDNumber", "subimagelist": "SubImageList",
    "data": "face data", "facedata": "face data", "faceimage": "face data",
    "scenedata": "scene data", "sceneimage": "scene data", "bigimage": "scene data",
}


def _normal(column: str) -> str:
    return _KEY.sub("", column.lower())


@register_profile
class Gat1400(Profile):
    NAME = "gat1400"
    SYSTEM = SYSTEM
    DESCRIPTION = "GA/T 1400 view-library face objects (pushed bodies, platform tables)"
    ANY_STORE = True

    TABLES = (_MAP,)

    def table_map(self, table: str, columns: list[str]) -> TableMap | None:
        """The reader's ``FaceObject`` rows, or any table whose columns include FaceID and DeviceID."""
        present = {_normal(c) for c in columns}
        if table.rsplit(".", 1)[-1].lower() == "faceobject" and "faceid" in present:
            return _MAP
        if {"faceid", "deviceid"} <= present and (present & {"shottime", "subimagelist", "data",
                                                             "facedata", "faceimage"}):
            return _MAP
        return None

    def cell_rows(self, value: Any) -> CellRows | None:
        """The FaceObjects of a push kept whole in one cell, as rows of the reader's table."""
        rows = [row for document in cell_documents(value) for row in object_rows(document)]
        return CellRows("FaceObject", list(FIELDS), rows) if rows else None

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        fields = {_COLUMNS[_normal(k)]: v for k, v in row.items() if _normal(k) in _COLUMNS}
        images = sub_images({"SubImageList": fields.get("SubImageList")})
        face = _picture(images, FACE_IMAGE_TYPES) or values.image_bytes(fields.get("face data"))
        scene = _picture(images, SCENE_IMAGE_TYPES) or values.image_bytes(fields.get("scene data"))
        parts = face_id_parts(text(fields.get("FaceID")))
        face_shot = next((i.get("ShotTime") for i in images
                          if str(i.get("Type")) in FACE_IMAGE_TYPES and i.get("ShotTime")), None)
        row[FACE], row[SCENE] = face, scene
        row[TIME] = (
            compact_time(fields.get("ShotTime"))
            or compact_time(fields.get("FaceAppearTime"))
            or compact_time(face_shot)
            or (compact_time(parts["time"]) if parts else None)
        )
        row[CAMERA] = text(fields.get("DeviceID")) or (parts["device"] if parts else None)
        row[PERSON] = text(fields.get("IDNumber")) or None
        return row


def _picture(images: list[dict[str, Any]], types: tuple[str, ...]) -> bytes | None:
    for image in images:
        if str(image.get("Type", "")).strip() in types:
            data = values.image_bytes(image.get("Data"))
            if data is not None:
                return data
    return None
