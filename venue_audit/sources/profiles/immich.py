"""Immich (PostgreSQL + pgvector): ``face_search`` ArcFace templates, person thumbnails (formats.md §1).

Three schemas, as immich-app/immich's own migrations define them:

* **v1.137+** (``server/src/schema/migrations/1752267649968-StandardizeNames.ts``
  renamed the tables to singular): ``asset``, ``asset_face``, ``face_search``;
* **v1.106–v1.136** (``1744910873969-InitialMigration.ts``, the Kysely baseline of
  the TypeORM schema since mid-2024): plural ``assets``, ``asset_faces`` (no
  embedding any more), ``face_search``;
* **before v1.106**: the embedding sat on ``asset_faces`` itself.

What each template yields (the contract persons linking relies on):
``person_key`` = ``asset_face(s).personId`` (Immich's person UUID, kind
``personId (asset_face)``; None for a face not yet clustered), ``captured_at`` =
the photo's ``fileCreatedAt`` (UTC), model/space = ``arcface-buffalo_l-512``.

Templates are joined the way Immich keeps them: ``face_search.faceId →
asset_face(s).id → personId`` and ``assetId → asset(s).fileCreatedAt``. pg_dump
writes table data in name order (``asset < asset_face`` but ``asset_faces <
assets``), and ``face_search`` comes after both in every schema, so the joins
are made when the templates stream by, never earlier. A face Immich
soft-deleted (``asset_face(s).deletedAt``, or its photo in the trash with
``asset(s).deletedAt``) is still retained: it is counted, marked deleted and
labelled so. ``smart_search`` holds CLIP vectors of whole photos: a decoy.
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
PERSON = "personId (asset_face)"
TAKEN = "fileCreatedAt (asset)"
DELETED = "deletedAt (asset_face or asset)"
_JOINED = (PERSON, TAKEN, DELETED)
_FACE_COLUMNS = frozenset({"id", "assetId", "personId", "boundingBoxX1"})
_ASSET_COLUMNS = frozenset({"id", "ownerId", "fileCreatedAt"})


@register_profile
class Immich(Profile):
    NAME = "immich"
    SYSTEM = "Immich"
    DESCRIPTION = (
        "Immich photo server (v1.106–1.136 plural tables, v1.137+ singular, pre-1.106 embeddings "
        "on asset_faces): face_search ArcFace 512-d templates, person thumbnails"
    )
    REQUIRED_STRUCTURE: ClassVar[dict[str, frozenset[str]]] = {
        "asset_face": frozenset({"id", "assetId", "personId"}),
        "face_search": frozenset({"faceId", "embedding"}),
    }
    TABLES = (
        TableMap("asset", _ASSET_COLUMNS, note="capture times (v1.137+)", version="v1.137+"),
        TableMap("assets", _ASSET_COLUMNS, note="capture times (v1.106–1.136)",
                 version="v1.106–1.136"),
        TableMap("asset_face", _FACE_COLUMNS, note="face boxes over photos; join keys (v1.137+)",
                 version="v1.137+"),
        TableMap(
            "face_search",
            frozenset({"faceId", "embedding"}),
            templates=(_TEMPLATE,),
            person_key=PERSON,
            time=TAKEN,
            deleted=DELETED,
            extra=_JOINED,
        ),
        TableMap(  # before v1.106 the embedding sat on asset_faces itself
            "asset_faces",
            frozenset({"id", "assetId", "personId", "embedding"}),
            templates=(_TEMPLATE,),
            person_key="personId",
            time=TAKEN,
            deleted=DELETED,
            extra=(TAKEN, DELETED),
            note="before v1.106: embeddings on asset_faces (a dump gives no times: assets follows)",
            version="before v1.106",
        ),
        TableMap(
            "asset_faces",
            _FACE_COLUMNS,
            note="face boxes over photos; join keys (v1.106–1.136)",
            version="v1.106–1.136",
        ),
        TableMap(
            "smart_search",
            frozenset({"assetId", "embedding"}),
            decoy="CLIP embeddings of whole photos for text search, not faces",
        ),
    )

    def fits_store(self, tables: set[str]) -> bool:
        """v1.137+, v1.106–1.136 (``asset_faces`` + ``face_search``), or before (``asset_faces``, ``person``)."""
        return (
            super().fits_store(tables)
            or {"asset_faces", "face_search"} <= tables
            or {"asset_faces", "person"} <= tables
        )

    def adapt(self, table_map: TableMap, row: Row, state: dict[str, Any]) -> Row:
        name = table_map.table
        if name in ("asset", "assets"):
            state.setdefault("asset", {})[text(row.get("id"))] = (
                utc_time(row.get("fileCreatedAt")),
                utc_time(row.get("deletedAt")),
            )
        elif name == "asset_face" or (name == "asset_faces" and not table_map.templates):
            state.setdefault("face", {})[text(row.get("id"))] = (
                text(row.get("personId")),
                text(row.get("assetId")),
                utc_time(row.get("deletedAt")),
            )
        elif name == "face_search":
            person, asset, face_deleted = state.get("face", {}).get(
                text(row.get("faceId")), (None, None, None)
            )
            taken, asset_deleted = state.get("asset", {}).get(asset, (None, None))
            row[PERSON], row[TAKEN] = person, taken
            row[DELETED] = face_deleted or asset_deleted
        else:  # pre-1.106 asset_faces with its embedding
            taken, asset_deleted = state.get("asset", {}).get(text(row.get("assetId")), (None, None))
            row[TAKEN] = taken
            row[DELETED] = utc_time(row.get("deletedAt")) or asset_deleted
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
