"""Immich (PostgreSQL + pgvector): ``face_search`` ArcFace templates, person thumbnails (formats.md §1).

Templates are joined to their person and photo the way Immich keeps them:
``face_search.faceId → asset_face.id → personId``, and ``asset_face.assetId →
asset.fileCreatedAt`` for the capture time. pg_dump writes table data in name
order (``asset`` < ``asset_face`` < ``face_search``), so the join keys are
known before the templates stream by. Soft-deleted faces (``deletedAt`` set)
are still retained and counted. ``smart_search`` holds CLIP vectors of whole
photos: a decoy.
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
    text,
    utc_time,
)
from venue_audit.sources.profiles.registry import register_profile

SPACE = "arcface-buffalo_l-512"
MODEL = "ArcFace buffalo_l (InsightFace w600k_r50), 512-d float32, raw (not normalised)"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_TEMPLATE = Template("embedding", SPACE, MODEL, 512)
_JOINED = ("personId (asset_face)", "fileCreatedAt (asset)")


@register_profile
class Immich(Profile):
    NAME = "immich"
    DESCRIPTION = "Immich photo server: face_search ArcFace 512-d templates, person thumbnails"
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "asset_face": frozenset({"id", "assetId", "personId"}),
        "face_search": frozenset({"faceId", "embedding"}),
    }
    TABLES = (
        TableMap("asset", frozenset({"id", "ownerId", "fileCreatedAt"}), note="capture times"),
        TableMap("asset_face", frozenset({"id", "assetId", "personId", "boundingBoxX1"}),
                 note="face boxes over photos; join keys for face_search"),
        TableMap(
            "face_search",
            frozenset({"faceId", "embedding"}),
            templates=(_TEMPLATE,),
            person_key=_JOINED[0],
            time=_JOINED[1],
            extra=_JOINED,
        ),
        TableMap(  # before mid-2024 the embedding sat on asset_faces itself
            "asset_faces",
            frozenset({"id", "assetId", "personId", "embedding"}),
            templates=(_TEMPLATE,),
            person_key="personId",
            time=_JOINED[1],
            extra=(_JOINED[1],),
        ),
        TableMap(
            "smart_search",
            frozenset({"assetId", "embedding"}),
            decoy="CLIP embeddings of whole photos for text search, not faces",
        ),
    )

    def fits_store(self, tables: set[str]) -> bool:
        """Current schema, or the one before mid-2024 (embeddings on ``asset_faces``)."""
        return super().fits_store(tables) or {"asset_faces", "person"} <= tables

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        name = table_map.table
        if name == "asset":
            state.setdefault("asset_time", {})[text(row.get("id"))] = utc_time(
                row.get("fileCreatedAt")
            )
        elif name == "asset_face":
            state.setdefault("face", {})[text(row.get("id"))] = (
                text(row.get("personId")),
                text(row.get("assetId")),
            )
        elif name == "face_search":
            person, asset = state.get("face", {}).get(text(row.get("faceId")), (None, None))
            row[_JOINED[0]] = person
            row[_JOINED[1]] = state.get("asset_time", {}).get(asset)
        elif name == "asset_faces":
            row[_JOINED[1]] = state.get("asset_time", {}).get(text(row.get("assetId")))
        return row

    def picture(self, parts: list[str], tz: Any, shared: dict[str, Any]) -> PictureFacts | None:
        """``thumbs/<owner>/<id[0:2]>/<id[2:4]>/<id>.jpeg``: a person's face crop (or an asset preview)."""
        if len(parts) < 5 or parts[-5] != "thumbs" or not _UUID.match(parts[-4]):
            return None
        stem = parts[-1].rsplit(".", 1)[0]
        uuid = stem.split("-preview")[0].split("-thumbnail")[0]
        if not _UUID.match(uuid) or parts[-3] != uuid[:2] or parts[-2] != uuid[2:4]:
            return None
        if stem == uuid:
            return PictureFacts(self.NAME, uuid, "immich person id")
        return PictureFacts(self.NAME)
