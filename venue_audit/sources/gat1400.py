"""GA/T 1400 视图库 face objects: the captures Chinese face systems push to a view library.

A capture camera or a face platform pushes ``POST /VIID/Faces`` with
``{"FaceListObject": {"FaceObject": [ … ]}}``; a subscriber receives the same
objects inside ``SubscribeNotificationListObject``. Each ``FaceObject`` carries
``FaceID``, ``DeviceID``, ``ShotTime``, the face box (``LeftTopX`` …),
attributes and ``SubImageList.SubImageInfoObject[]`` whose ``Type`` says what
the picture is (11 face crop, 14 scene) and whose ``Data`` is the base64 JPEG.
Field names follow xiezhihui98/GAT1400 ``FaceObject.java`` and
``SubImageInfoObject.java`` (commit c855cd930490345d3c65a64e515b0b4fde49781c),
including the standard's own misspellings ``BodySpeciallMark`` and
``Similaritydegree``; the correct spellings are read too.

Identifiers (GA/T 1400.1): an image ID has 41 digits = device code (20) +
type (2) + time ``YYYYMMDDhhmmss`` (14) + serial (5); a ``FaceID`` has 48 =
the source image ID (41) + object type (2) + serial (5). Decoded, they give a
capture's device and time when the object's own fields are empty.

The reader finds face objects in JSON documents, JSON lines and logs that
hold pushed bodies, and yields them as one table (``FaceObject``) that the
``gat1400`` profile maps: one record per face object, its face crop and
scene picture as the record's images. A receiver that keeps each push whole
in a database text column (one row, a FaceListObject of several faces) is
read through the profile's cell hook (:func:`cell_documents`), one record per
object located by table, row, column and object index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from venue_audit.sources.base import (
    Item,
    Problem,
    ScanContext,
    SourceReader,
    StoreFound,
    TableRows,
    Yield,
)
from venue_audit.sources.event_lines import LineProblem, documents, json_bodies, text_item_shows
from venue_audit.sources.registry import register

SYSTEM = "GA/T 1400 视图库 (view library) face objects"
# the edition whose field list (xiezhihui98/GAT1400) the reader follows; pushes carry no version
STANDARD = "GA/T 1400-2017"
ALIASES = {  # the standard's spelling first; what others write beside it
    "BodySpeciallMark": ("BodySpecialMark",),
    "Similaritydegree": ("SimilarityDegree", "Similarity"),
}
FIELDS = (
    "FaceID", "InfoKind", "SourceID", "DeviceID", "ShotTime", "FaceAppearTime",
    "FaceDisAppearTime", "LocationMarkTime", "LeftTopX", "LeftTopY", "RightBtmX", "RightBtmY",
    "IDType", "IDNumber", "Name", "GenderCode", "AgeUpLimit", "AgeLowerLimit",
    "Similaritydegree", "BodySpeciallMark", "SubImageList",
)
FACE_IMAGE_TYPES = ("11",)  # 人脸图
SCENE_IMAGE_TYPES = ("14", "01")  # 场景图 (01: 车辆大图 / 通用大图 in some platforms)
_DIGITS = re.compile(r"^\d+$")
MAX_DOCUMENT_BYTES = 256 << 20
LINE_LIMIT = 256 << 20


def field(obj: dict[str, Any], name: str) -> Any:
    """A FaceObject field by its standard name, or by a spelling others use."""
    if name in obj:
        return obj[name]
    for alias in ALIASES.get(name, ()):
        if alias in obj:
            return obj[alias]
    return None


def compact_time(value: Any) -> str | None:
    """``20250314091203`` (the standard's form) or an ISO-like text → ISO, zone-less (device clock)."""
    text = str(value).strip() if value not in (None, "") else ""
    if len(text) >= 14 and text[:14].isdigit():
        y, mo, d, h, mi, s = (text[0:4], text[4:6], text[6:8], text[8:10], text[10:12], text[12:14])
        if 1 <= int(mo) <= 12 and 1 <= int(d) <= 31 and int(h) < 24 and int(mi) < 60 and int(s) < 60:
            return f"{y}-{mo}-{d}T{h}:{mi}:{s}"
        return None
    return text or None


def image_id_parts(image_id: Any) -> dict[str, str] | None:
    """A 41-digit image ID as device, type, time and serial."""
    text = str(image_id or "")
    if len(text) != 41 or not _DIGITS.match(text):
        return None
    return {"device": text[:20], "type": text[20:22], "time": text[22:36], "serial": text[36:41]}


def face_id_parts(face_id: Any) -> dict[str, str] | None:
    """A 48-digit FaceID as its source image ID's parts plus object type and serial."""
    text = str(face_id or "")
    if len(text) != 48 or not _DIGITS.match(text):
        return None
    parts = image_id_parts(text[:41])
    if parts is None:  # pragma: no cover - 41 digits always decode
        return None
    return {**parts, "object_type": text[41:43], "object_serial": text[43:48]}


def sub_images(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """``SubImageList.SubImageInfoObject[]`` however the pusher nested it (list, object, JSON text)."""
    value = obj.get("SubImageList")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            return []
    if isinstance(value, dict):
        value = value.get("SubImageInfoObject", value.get("SubImageInfo", []))
    if isinstance(value, dict):
        value = [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def face_objects(document: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every FaceObject in a pushed body, a notification, or a bare list of objects."""
    if depth > 8:
        return
    if isinstance(document, dict):
        if "FaceID" in document and ("SubImageList" in document or "DeviceID" in document):
            yield document
            return
        for value in document.values():
            if isinstance(value, dict | list):
                yield from face_objects(value, depth + 1)
    elif isinstance(document, list):
        for value in document:
            yield from face_objects(value, depth + 1)


def object_rows(document: Any) -> Iterator[list[Any]]:
    """Each FaceObject of a document as a row of :data:`FIELDS`."""
    for obj in face_objects(document):
        yield [_value(obj, name) for name in FIELDS]


def cell_documents(value: Any) -> list[Any]:
    """The pushed bodies in a database cell: a JSON text or UTF-8 blob, or a logged line holding one.

    Cheap on cells that hold none (the scanner asks every text cell): only a cell that
    names ``"FaceID"`` is parsed, and one larger than a pushed body can be is not.
    """
    if isinstance(value, bytes | bytearray | memoryview):
        if len(value) > MAX_DOCUMENT_BYTES or bytes(value[:64]).lstrip()[:1] not in (b"{", b"["):
            return []
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return []
    if not isinstance(value, str) or len(value) > MAX_DOCUMENT_BYTES or '"FaceID"' not in value:
        return []
    if value.lstrip()[:1] in ("{", "["):
        try:
            return [json.loads(value)]
        except (json.JSONDecodeError, RecursionError):
            pass
    return json_bodies(value)[0]


def looks_like_gat1400(head: bytes) -> bool:
    return b'"FaceID"' in head and (
        b"FaceListObject" in head or b"FaceObject" in head or b"SubImageList" in head
    )


@register
class Gat1400Reader(SourceReader):
    """JSON documents, JSON lines and logs holding GA/T 1400 FaceObject pushes."""

    NAME = "gat1400"
    DESCRIPTION = "GA/T 1400 view-library FaceObject pushes in JSON, JSON lines and logs"
    PRIORITY = 45

    def claims(self, item: Item, head: bytes) -> bool:
        return item.type != "xml" and text_item_shows(item, head, looks_like_gat1400)

    def read(self, item: Item, context: ScanContext) -> Iterator[Yield]:
        yield StoreFound("gat1400", profile="gat1400",
                         details={"system": SYSTEM, "version": STANDARD})
        problems: list[Problem] = []
        seen: list[int] = [0]
        yield TableRows("FaceObject", list(FIELDS), self._rows(item, problems, seen))
        yield from problems
        yield StoreFound("gat1400", profile="gat1400",
                         details={"system": SYSTEM, "version": STANDARD,
                                  "face_objects": seen[0]})

    def _rows(
        self, item: Item, problems: list[Problem], seen: list[int]
    ) -> Iterator[tuple[str, list[Any]]]:
        for where, document in self._documents(item, problems):
            for n, row in enumerate(object_rows(document), 1):
                seen[0] += 1
                yield f"{where}, FaceObject {n}", row

    def _documents(self, item: Item, problems: list[Problem]) -> Iterator[tuple[str, Any]]:
        if item.type == "json" and item.size <= MAX_DOCUMENT_BYTES:
            try:
                yield "document", json.loads(item.read())
                return
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                pass  # a log of bodies saved with a .json name: read line by line
        located: list[LineProblem] = []
        with item.open() as stream:
            for number, _, bodies in documents(stream, LINE_LIMIT, located):
                for body in bodies:
                    yield f"line {number}", body
        problems.extend(
            Problem(f"{item.locator} line {n}", reason, code, params)
            for n, reason, code, params in located
        )


def _value(obj: dict[str, Any], name: str) -> Any:
    value = field(obj, name)
    return sub_images(obj) if name == "SubImageList" else value
