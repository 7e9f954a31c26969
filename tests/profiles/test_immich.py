"""Immich: a pg_dump backup and the person-thumbnail tree are read as Immich keeps them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.profiles.fixtures import Vectors, clip_like, crop, gzipped, pg_dump, uuids, write
from tests.profiles.scanning import StoreView, scan_tree
from venue_audit.acquire.live.encoding import snapshot_value
from venue_audit.acquire.live.snapshot import CopiedTable, SnapshotWriter
from venue_audit.faces import EMBEDDING_SPACE

DUMP = "library/backups/immich-db-backup-20251101T020000-v2.0.0-pg14.17.sql.gz"
DUMP_V1_106 = "library-2024/backups/immich-db-backup-20241001T020000-v1.117.0-pg14.13.sql.gz"
SNAPSHOT = "live/immich-snapshot.sqlite"
IDENTITIES = ["obama", "biden", "kit_harington"]
START = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)
# table names per schema: immich-app/immich server/src/schema/migrations/
# 1744910873969-InitialMigration.ts (v1.106–1.136, commit 1549980417419ba20050e7b803accf64b39da7cf)
# and 1752267649968-StandardizeNames.ts (v1.137+, commit 9065097617234073831d47b0be427e4f16784322)
NAMES = {
    "v1.137": {"asset": "asset", "asset_face": "asset_face"},
    "v1.106": {"asset": "assets", "asset_face": "asset_faces"},
}
SOFT_DELETED_FACE, TRASHED_PHOTO = 5, 9


def tables(seed: int, schema: str = "v1.137") -> tuple[list, dict]:
    """Immich's face tables as pg_dump writes them: DDL, column names, rows (text values).

    Columns follow InitialMigration.ts (``assets``: id … fileCreatedAt … deletedAt, status;
    ``asset_faces``: assetId, personId, imageWidth … boundingBoxY2, id, sourceType, deletedAt).
    """
    names = NAMES[schema]
    ids = uuids(seed)
    owner = next(ids)
    persons = {name: next(ids) for name in IDENTITIES}
    vectors = Vectors(seed=seed + 10, scale=22.0)  # raw ArcFace: not normalised
    # 12 faces: 4 + 4 + 3 of the persons, 1 unclustered visitor; face 5 soft-deleted, photo 9 trashed
    owners = ["obama"] * 4 + ["biden"] * 4 + ["kit_harington"] * 3 + [None]
    assets, faces, searches, expected = [], [], [], []
    deleted_at = (START + timedelta(days=40)).strftime("%Y-%m-%d %H:%M:%S.123+00")
    for n, who in enumerate(owners):
        asset, face = next(ids), next(ids)
        taken = START + timedelta(days=n, minutes=7 * n)
        stamp = taken.strftime("%Y-%m-%d %H:%M:%S+00")
        trashed = n == TRASHED_PHOTO
        assets.append([asset, f"IMG_{n:04d}", owner, "iphone", "IMAGE", f"upload/IMG_{n:04d}.jpg",
                       stamp, stamp, bytes([n]) * 20, f"IMG_{n:04d}.jpg",
                       deleted_at if trashed else None, stamp, "trashed" if trashed else "active"])
        person = persons[who] if who else None
        faces.append([asset, person, 1920, 1080, 100, 120, 260, 310, face, "machine-learning",
                      deleted_at if n == SOFT_DELETED_FACE else None])
        vector = vectors.sample(who or "visitor")
        searches.append([face, "[" + ",".join(f"{v:.7g}" for v in vector) + "]"])
        expected.append((person, taken.isoformat()))
    clip = clip_like(np.random.default_rng(seed), 5)
    smart = [[a[0], "[" + ",".join(f"{v:.7g}" for v in c) + "]"] for a, c in zip(assets, clip, strict=False)]
    people = [
        [pid, "2025-10-01 08:00:00+00", owner, name, f"upload/thumbs/{owner}/{pid[:2]}/{pid[2:4]}/{pid}.jpeg"]
        for name, pid in persons.items()
    ]
    spec = [
        (names["asset"], 'id uuid NOT NULL, "deviceAssetId" character varying NOT NULL, "ownerId" uuid NOT NULL, '
         '"deviceId" character varying NOT NULL, type character varying NOT NULL, "originalPath" character '
         'varying NOT NULL, "fileCreatedAt" timestamp with time zone NOT NULL, "fileModifiedAt" timestamp '
         'with time zone NOT NULL, checksum bytea NOT NULL, "originalFileName" character varying NOT NULL, '
         '"deletedAt" timestamp with time zone, "localDateTime" timestamp with time zone NOT NULL, '
         'status public.assets_status_enum NOT NULL',
         ["id", "deviceAssetId", "ownerId", "deviceId", "type", "originalPath", "fileCreatedAt",
          "fileModifiedAt", "checksum", "originalFileName", "deletedAt", "localDateTime", "status"], assets),
        (names["asset_face"], '"assetId" uuid NOT NULL, "personId" uuid, "imageWidth" integer NOT NULL, '
         '"imageHeight" integer NOT NULL, "boundingBoxX1" integer NOT NULL, "boundingBoxY1" integer NOT NULL, '
         '"boundingBoxX2" integer NOT NULL, "boundingBoxY2" integer NOT NULL, id uuid NOT NULL, '
         '"sourceType" public.sourcetype NOT NULL, "deletedAt" timestamp with time zone',
         ["assetId", "personId", "imageWidth", "imageHeight", "boundingBoxX1", "boundingBoxY1",
          "boundingBoxX2", "boundingBoxY2", "id", "sourceType", "deletedAt"], faces),
        ("face_search", '"faceId" uuid NOT NULL, embedding public.vector(512) NOT NULL',
         ["faceId", "embedding"], searches),
        ("person", 'id uuid NOT NULL, "createdAt" timestamp with time zone, "ownerId" uuid NOT NULL, '
         'name character varying, "thumbnailPath" character varying',
         ["id", "createdAt", "ownerId", "name", "thumbnailPath"], people),
        ("smart_search", '"assetId" uuid NOT NULL, embedding public.vector(512) NOT NULL',
         ["assetId", "embedding"], smart),
    ]
    return spec, {"faces": expected, "owner": owner, "persons": persons}


def live_snapshot(path: Path, spec: list) -> None:
    """The case snapshot live acquisition writes from a running Immich database."""
    writer = SnapshotWriter(path)
    copied = []
    for name, _, columns, rows in spec:
        types = ["vector" if c == "embedding" else "" for c in columns]
        writer.create_table(name, columns)
        writer.insert(name, len(columns), [
            [snapshot_value(v, t) for v, t in zip(row, types, strict=True)] for row in rows
        ])
        copied.append(CopiedTable(name, f"public.{name}", len(rows), "", columns, types, ["id"], "named"))
    writer.finish({"server": "postgresql"}, copied)


def build(root: Path) -> dict:
    spec, truth = tables(seed=7)
    write(root / DUMP, gzipped(pg_dump(spec)))
    old_spec, old_truth = tables(seed=9, schema="v1.106")
    write(root / DUMP_V1_106, gzipped(pg_dump(old_spec)))
    snapshot_spec, snapshot_truth = tables(seed=8)
    live_snapshot(root / SNAPSHOT, snapshot_spec)
    thumbs = {}
    owner = truth["owner"]
    for index, (name, pid) in enumerate(truth["persons"].items()):
        folder = f"library/thumbs/{owner}/{pid[:2]}/{pid[2:4]}"
        write(root / folder / f"{pid}.jpeg", crop(name, index))
        thumbs[folder] = pid
    return {DUMP: truth["faces"], DUMP_V1_106: old_truth["faces"], SNAPSHOT: snapshot_truth["faces"],
            "thumbs": thumbs}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("immich")
    truth = build(base / "export")
    return scan_tree(base, base / "export"), truth


FORMS = [DUMP, DUMP_V1_106, SNAPSHOT]
KEPT = (SOFT_DELETED_FACE, TRASHED_PHOTO)


@pytest.mark.parametrize("form", FORMS)
def test_the_store_is_named_immich_and_every_face_search_row_is_one_template(scanned, form) -> None:
    stores, _ = scanned
    store = stores[form]
    assert (store.profile, store.records, store.face_templates, store.face_images) == (
        "immich", 10, 10, 0)
    assert len(store.artifacts) == 12


@pytest.mark.parametrize("form", FORMS)
def test_soft_deleted_faces_and_trashed_photos_are_kept_apart_and_labelled(scanned, form) -> None:
    artifacts = scanned[0][form].artifacts
    assert [n for n, a in enumerate(artifacts) if a["deleted"]] == list(KEPT)
    assert all("kept after deletion (deletedAt" in artifacts[n]["locator"] for n in KEPT)
    assert not any("kept after deletion" in a["locator"] for a in artifacts if not a["deleted"])


@pytest.mark.parametrize("form", FORMS)
def test_templates_are_in_the_arcface_buffalo_l_space_and_say_so(scanned, form) -> None:
    store = scanned[0][form]
    assert store.spaces == ["arcface-buffalo_l-512"] * 12
    assert all("ArcFace buffalo_l" in a["model_guess"] for a in store.artifacts)


@pytest.mark.parametrize("form", FORMS)
def test_person_ids_and_capture_times_are_joined_from_asset_face_and_asset(scanned, form) -> None:
    stores, truth = scanned
    artifacts = stores[form].artifacts
    got = [(a["person_key"], datetime.fromisoformat(a["captured_at"])) for a in artifacts]
    assert got == [(person, datetime.fromisoformat(at)) for person, at in truth[form]]
    assert {a["captured_at_source"] for a in artifacts} == {"column:fileCreatedAt (asset)"}
    assert sum(1 for a in artifacts if a["person_key"] is None) == 1


@pytest.mark.parametrize("form", FORMS)
def test_clip_vectors_in_smart_search_are_not_counted(scanned, form) -> None:
    assert not any("smart_search" in a["locator"] for a in scanned[0][form].artifacts)


def test_person_thumbnails_are_crops_keyed_by_the_person_id(scanned) -> None:
    stores, truth = scanned
    for folder, pid in truth["thumbs"].items():
        view = stores[folder]
        assert (view.profile, view.records, view.face_images) == ("immich", 1, 1)
        [artifact] = view.artifacts
        assert artifact["person_key"] == pid and artifact["kind"] == "face_crop"
        assert artifact["spaces"] == [EMBEDDING_SPACE]  # re-encoded: links across systems
