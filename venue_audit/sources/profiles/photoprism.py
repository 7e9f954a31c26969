"""PhotoPrism (MariaDB or SQLite ``index.db``): FaceNet templates in JSON, crop cache (formats.md §2).

``faces`` rows are identity centroids, ``markers`` rows one detected face
each with its own embedding (``[[512 numbers]]``). Only markers of type
``face`` that are not invalid are faces. Times are UTC; a marker's UID embeds
its creation time (``m`` + base36 unix seconds + random), which survives
even when ``created_at`` is stripped, so that is the time read.

A cached crop is named by the marker it was cut for: ``<file sha1>_<W>x<H>_crop_<area>.jpg``,
and the marker's ``thumb`` column holds ``<file sha1>-<area>`` (upstream
``internal/thumb/crop``). Each crop is given that ``thumb`` as a provisional person key, settled
once the evidence item is read to the marker's subject (``subj_uid``), or for a marker nobody
named to the thumb itself, which the marker then carries: crop and template are one face. Subject
UIDs are unique across an installation, so they name one person in every store of the product.
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
    first_vector,
    text,
    unix_time,
    utc_time,
)
from venue_audit.sources.profiles.registry import register_profile

SPACE = "facenet-20180402-512"
MODEL = "FaceNet Inception-ResNet-v1 20180402, 512-d, L2-normalised (JSON float64)"
_CROP = re.compile(r"^[0-9a-f]{40}_\d+x\d+_crop_[0-9a-f]{12}\.jpe?g$")
_THUMB = re.compile(r"^[0-9a-f]{40}-[0-9a-f]{12}$")
_UID = re.compile(r"^[a-z][0-9a-z]{15}$")
_UID_TIME = "marker_uid (creation time)"
_CREATED = "created_at (UTC)"
THUMB = "photoprism marker thumb"  # person_key_kind of a crop until its marker settles it
_THUMBS = "photoprism thumbs"  # shared: marker thumb -> the marker's person key


def uid_time(uid: Any) -> str | None:
    """The creation time a PhotoPrism UID carries in its characters 1-6 (base36 unix seconds)."""
    raw = text(uid)
    if raw is None or not _UID.match(raw):
        return None
    return unix_time(int(raw[1:7], 36))


def _blank(value: Any) -> Any:
    return None if text(value) in (None, "") else text(value)


@register_profile
class PhotoPrism(Profile):
    NAME = "photoprism"
    DESCRIPTION = "PhotoPrism: faces.embedding_json centroids, markers.embeddings_json, crop cache"
    PRODUCT_WIDE_PERSON_KEYS = True
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "markers": frozenset({"marker_uid", "embeddings_json"}),
        "faces": frozenset({"id", "embedding_json"}),
    }
    TABLES = (
        TableMap(
            "faces",
            frozenset({"id", "embedding_json", "subj_uid"}),
            templates=(Template("embedding_json", SPACE, MODEL, 512),),
            person_key="subj_uid",
            time=_CREATED,
            extra=(_CREATED,),
            note="identity centroids",
        ),
        TableMap(
            "markers",
            frozenset({"marker_uid", "marker_type", "embeddings_json"}),
            templates=(Template("embeddings_json", SPACE, MODEL, 512),),
            person_key="subj_uid",
            time=_UID_TIME,
            extra=(_UID_TIME,),
            note="one detected face per marker of type 'face'",
        ),
    )

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        row["subj_uid"] = _blank(row.get("subj_uid"))
        if table_map.table == "faces":
            row["embedding_json"] = first_vector(row.get("embedding_json"))
            row[_CREATED] = utc_time(row.get("created_at"))
            return row
        is_face = text(row.get("marker_type")) == "face" and not as_int(row.get("marker_invalid"))
        row["embeddings_json"] = first_vector(row.get("embeddings_json")) if is_face else None
        row[_UID_TIME] = uid_time(row.get("marker_uid")) or utc_time(row.get("created_at"))
        thumb = _thumb(row.get("thumb"))
        if is_face and thumb is not None:
            if row["subj_uid"] is None:  # nobody named it: the crop still belongs to this marker
                row["subj_uid"] = thumb
            state.get("shared", {}).setdefault(_THUMBS, {})[thumb] = row["subj_uid"]
        return row

    def person_keys(self, state: dict[str, Any]) -> dict[tuple[str, str], str]:
        """Each cached crop's marker thumb -> that marker's subject (or the thumb, unnamed)."""
        thumbs = state.get("shared", {}).get(_THUMBS, {})
        return {(THUMB, thumb): key for thumb, key in thumbs.items()}

    def picture(self, parts: list[str], tz: Any, shared: dict[str, Any]) -> PictureFacts | None:
        """``cache/thumbnails/h/a/s/<sha1>_<W>x<H>_crop_<area>.jpg``: a cached face crop."""
        if len(parts) >= 5 and parts[-5] == "thumbnails" and _CROP.match(parts[-1]):
            digest, rest = parts[-1].split("_", 1)
            area = rest.rsplit("_crop_", 1)[1].split(".", 1)[0]
            return PictureFacts(self.NAME, f"{digest}-{area}".lower(), THUMB)
        return None


def _thumb(value: Any) -> str | None:
    """A marker's ``thumb`` (``<40-hex file hash>-<12-hex area>``), lower case, or None."""
    raw = text(value)
    return raw.lower() if raw and _THUMB.match(raw.lower()) else None
