"""digiKam: ``recognition.db`` FaceMatrices 128-d templates; face regions in ``digikam4.db`` (§4).

Schemas as KDE/digikam defines them:

* **digiKam 6** (face schema v3; ``core/data/database/dbconfig.xml.cmake.in`` and
  ``core/libs/facesengine/facedb/facedb.cpp`` at commit
  33d0457e20adda97c003f3dee652a1749406ff9f, 2019): ``FaceMatrices(id, identity,
  context, type, rows, cols, data, vecdata)``. ``vecdata`` is ``qCompress`` of 128
  float32 from dlib's ResNet (``DNNFaceKernel`` loads
  ``dlib_face_recognition_resnet_model_v1.dat``): the same space as this tool's
  own encoder, so the vector is labelled with it and meets the re-encoded
  pixels. ``data`` is the face itself, a qCompress'd 8-bit ``cv::Mat``.
* **digiKam 7 and 8** (schema v4; ``facedb_dnn.cpp`` ``insertFaceVector``, public in
  forks of KDE/digikam such as rajeck1234/digikam 6a229c100eb48c787433a1fc24b14a18548314e9):
  ``embedding`` = 128 raw little-endian float32 (512 bytes); digiKam 7 computes
  them with OpenFace (L2-normalised), digiKam 8.x with SFace (raw). The two are
  told apart by the norm, row by row, and kept apart. A 2024 variant writes
  ``removeHash`` instead of ``context``; the map needs neither.

What each template yields: ``person_key`` = the identity's name from
``IdentityAttributes`` (attribute ``name``, else ``fullName``). A SQLite file
is read names first; a streamed MySQL dump writes ``FaceMatrices`` before
``IdentityAttributes`` (mysqldump orders tables by name), so its rows get
``identity <id>`` while the dump streams and only the id → name map is kept
as ``IdentityAttributes`` goes by; when the dump ends the keys are resolved
(:meth:`person_keys`) before any record is written. An identity without a
name stays ``identity <id>``. No capture time (the recognition DB keeps
none). ``KDTree`` holds 128-d bounding ranges of the search tree: vectors,
but no one's face.
"""

from __future__ import annotations

import io
import zlib
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from venue_audit.faces.engine import EMBEDDING_SPACE
from venue_audit.sources import values
from venue_audit.sources.profiles.base import Profile, Row, TableMap, Template, as_int, text
from venue_audit.sources.profiles.registry import register_profile

OPENFACE = Template(
    "embedding", "openface-nn4.small2-128", "OpenFace nn4.small2 (digiKam 7), 128-d, normalised", 128
)
SFACE = Template(
    "embedding (SFace, raw norm)", "sface-128", "SFace (digiKam 8), 128-d float32, raw", 128
)
LEGACY = Template(
    "vecdata",
    EMBEDDING_SPACE,
    "dlib ResNet v1 (dlib_face_recognition_resnet_model_v1.dat; digiKam 6 qCompress'd vecdata), 128-d",
    128,
)
PERSON = "identity (name from IdentityAttributes)"
NAME_ATTRIBUTES = ("name", "fullName")
PIXELS = "data (face pixels)"
_MAX_PIXELS = 4096 * 4096


def uncompress(blob: Any) -> bytes | None:
    """Qt ``qCompress``: 4-byte big-endian length, then a zlib stream."""
    if not isinstance(blob, bytes | bytearray | memoryview) or len(blob) < 6:
        return None
    blob = bytes(blob)
    expected = int.from_bytes(blob[:4], "big")
    if expected > _MAX_PIXELS * 3:
        return None
    try:
        inflated = zlib.decompressobj().decompress(blob[4:], expected)
    except zlib.error:
        return None
    return inflated if len(inflated) == expected else None


def face_pixels(blob: Any, rows: int | None, cols: int | None) -> bytes | None:
    """digiKam 6 kept each training face as a qCompress'd 8-bit cv::Mat: made a PNG for the engine."""
    if not rows or not cols or rows * cols > _MAX_PIXELS:
        return None
    pixels = uncompress(blob)
    if pixels is None:
        return None
    channels = len(pixels) // (rows * cols)
    if channels not in (1, 3) or len(pixels) != rows * cols * channels:
        return None
    mode = "L" if channels == 1 else "RGB"
    image = Image.frombytes(mode, (cols, rows), pixels)
    if channels == 3:  # OpenCV keeps BGR
        image = Image.merge("RGB", image.split()[::-1])
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def is_normalised(vector: np.ndarray) -> bool:
    return abs(float(np.linalg.norm(vector)) - 1.0) < 0.01


@register_profile
class DigikamRecognition(Profile):
    NAME = "digikam"
    SYSTEM = "digiKam recognition.db"
    DESCRIPTION = "digiKam recognition.db: FaceMatrices 128-d templates per identity"
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "FaceMatrices": frozenset({"id", "identity"}),
        "Identities": frozenset({"id"}),
    }
    READ_FIRST = ("IdentityAttributes",)
    TABLES = (
        TableMap(
            "FaceMatrices",
            frozenset({"id", "identity", "embedding"}),
            templates=(OPENFACE, SFACE),
            person_key=PERSON,
            extra=(SFACE.column, PERSON),
            version="digiKam 7/8 (face schema v4)",
        ),
        TableMap(
            "FaceMatrices",
            frozenset({"id", "identity", "vecdata"}),
            images=(PIXELS,),
            templates=(LEGACY,),
            person_key=PERSON,
            extra=(PIXELS, PERSON),
            note="digiKam 6 schema v3: qCompress'd face pixels and dlib ResNet vectors",
            version="digiKam 6 (face schema v3)",
        ),
        TableMap(
            "IdentityAttributes",
            frozenset({"id", "attribute", "value"}),
            note="identity names, the person keys of FaceMatrices",
        ),
        TableMap(
            "KDTree",
            frozenset({"split_axis", "max_range", "min_range"}),
            decoy="bounding ranges of the recognition search tree, not faces",
        ),
    )

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        if table_map.table == "IdentityAttributes":
            attribute = text(row.get("attribute"))
            if attribute in NAME_ATTRIBUTES and text(row.get("value")):
                names = state.setdefault("identity_names", {})
                key = as_int(row.get("id"))
                if attribute == "name" or key not in names:
                    names[key] = text(row["value"])
            return row
        if table_map.table != "FaceMatrices":
            return row
        identity = as_int(row.get("identity"))
        name = state.get("identity_names", {}).get(identity)
        row[PERSON] = name or (f"identity {identity}" if identity is not None else None)
        if "embedding" in row:
            vector = values.vector(row["embedding"])
            row["embedding"] = None
            if vector is not None:
                row[OPENFACE.column if is_normalised(vector) else SFACE.column] = vector.tolist()
        if PIXELS in row:
            row[PIXELS] = face_pixels(row.get("data"), as_int(row.get("rows")), as_int(row.get("cols")))
        return row


    def person_keys(self, state: dict[str, Any]) -> dict[tuple[str, str], str]:
        """``identity <id>`` keys of rows read before their names, with the names (a dump)."""
        names = state.get("identity_names", {})
        return {(PERSON, f"identity {key}"): name for key, name in names.items() if key is not None}


@register_profile
class DigikamCore(Profile):
    """``digikam4.db``: face regions as ``tagRegion`` rectangles over photos; no pixels, no vectors."""

    NAME = "digikam"
    DESCRIPTION = "digiKam core database: tagRegion face rectangles (the photos are scanned as files)"
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "ImageTagProperties": frozenset({"imageid", "tagid", "property", "value"}),
        "Images": frozenset({"id"}),
    }
    TABLES = (
        TableMap(
            "ImageTagProperties",
            frozenset({"imageid", "tagid", "property", "value"}),
            note="face regions (tagRegion) only",
        ),
    )
