"""Immich: a pg_dump backup and the person-thumbnail tree are read as Immich keeps them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.profiles.fixtures import Vectors, clip_like, crop, gzipped, pg_dump, uuids, write
from tests.profiles.scanning import StoreView, scan_tree
from venue_audit.faces import EMBEDDING_SPACE

DUMP = "library/backups/immich-db-backup-20251101T020000-v2.0.0-pg14.17.sql.gz"
IDENTITIES = ["obama", "biden", "kit_harington"]
START = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)


def build(root: Path) -> dict:
    ids = uuids(7)
    owner = next(ids)
    persons = {name: next(ids) for name in IDENTITIES}
    vectors = Vectors(seed=11, scale=22.0)  # raw ArcFace: not normalised
    # 12 faces: 4 + 4 + 3 of the persons, 1 unclustered visitor; faces 5 and 9 soft-deleted
    owners = ["obama"] * 4 + ["biden"] * 4 + ["kit_harington"] * 3 + [None]
    assets, faces, searches, expected = [], [], [], []
    for n, who in enumerate(owners):
        asset, face = next(ids), next(ids)
        taken = START + timedelta(days=n, minutes=7 * n)
        assets.append([asset, owner, taken.strftime("%Y-%m-%d %H:%M:%S+00")])
        deleted = (START + timedelta(days=40)).strftime("%Y-%m-%d %H:%M:%S.123+00") if n in (5, 9) else None
        person = persons[who] if who else None
        faces.append([face, asset, person, 1920, 1080, 100, 120, 260, 310, "machine-learning", deleted])
        vector = vectors.sample(who or "visitor")
        searches.append([face, "[" + ",".join(f"{v:.7g}" for v in vector) + "]"])
        expected.append((person, taken.isoformat()))
    clip = clip_like(np.random.default_rng(3), 5)
    smart = [[a[0], "[" + ",".join(f"{v:.7g}" for v in c) + "]"] for a, c in zip(assets, clip, strict=False)]
    people = [
        [pid, "2025-10-01 08:00:00+00", owner, name, f"upload/thumbs/{owner}/{pid[:2]}/{pid[2:4]}/{pid}.jpeg"]
        for name, pid in persons.items()
    ]
    dump = pg_dump([
        ("asset", 'id uuid NOT NULL, "ownerId" uuid NOT NULL, "fileCreatedAt" timestamp with time zone NOT NULL',
         ["id", "ownerId", "fileCreatedAt"], assets),
        ("asset_face", 'id uuid NOT NULL, "assetId" uuid NOT NULL, "personId" uuid, "imageWidth" integer, '
         '"imageHeight" integer, "boundingBoxX1" integer, "boundingBoxY1" integer, "boundingBoxX2" integer, '
         '"boundingBoxY2" integer, "sourceType" character varying, "deletedAt" timestamp with time zone',
         ["id", "assetId", "personId", "imageWidth", "imageHeight", "boundingBoxX1", "boundingBoxY1",
          "boundingBoxX2", "boundingBoxY2", "sourceType", "deletedAt"], faces),
        ("face_search", '"faceId" uuid NOT NULL, embedding public.vector(512) NOT NULL',
         ["faceId", "embedding"], searches),
        ("person", 'id uuid NOT NULL, "createdAt" timestamp with time zone, "ownerId" uuid NOT NULL, '
         'name character varying, "thumbnailPath" character varying',
         ["id", "createdAt", "ownerId", "name", "thumbnailPath"], people),
        ("smart_search", '"assetId" uuid NOT NULL, embedding public.vector(512) NOT NULL',
         ["assetId", "embedding"], smart),
    ])
    write(root / DUMP, gzipped(dump))
    thumbs = {}
    for index, (name, pid) in enumerate(persons.items()):
        folder = f"library/thumbs/{owner}/{pid[:2]}/{pid[2:4]}"
        write(root / folder / f"{pid}.jpeg", crop(name, index))
        thumbs[folder] = pid
    return {"faces": expected, "thumbs": thumbs}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("immich")
    truth = build(base / "export")
    return scan_tree(base, base / "export"), truth


def test_the_backup_dump_is_named_immich_and_every_face_search_row_is_one_template(scanned) -> None:
    stores, _ = scanned
    dump = stores[DUMP]
    assert (dump.profile, dump.records, dump.face_templates, dump.face_images) == ("immich", 12, 12, 0)


def test_templates_are_in_the_arcface_buffalo_l_space_and_say_so(scanned) -> None:
    dump = scanned[0][DUMP]
    assert dump.spaces == ["arcface-buffalo_l-512"] * 12
    assert all("ArcFace buffalo_l" in a["model_guess"] for a in dump.artifacts)


def test_person_ids_and_capture_times_are_joined_from_asset_face_and_asset(scanned) -> None:
    stores, truth = scanned
    artifacts = stores[DUMP].artifacts
    got = [(a["person_key"], datetime.fromisoformat(a["captured_at"])) for a in artifacts]
    assert got == [(person, datetime.fromisoformat(at)) for person, at in truth["faces"]]
    assert {a["captured_at_source"] for a in artifacts} == {"column:fileCreatedAt (asset)"}
    assert sum(1 for a in artifacts if a["person_key"] is None) == 1


def test_clip_vectors_in_smart_search_are_not_counted(scanned) -> None:
    assert not any("smart_search" in a["locator"] for a in scanned[0][DUMP].artifacts)


def test_person_thumbnails_are_crops_keyed_by_the_person_id(scanned) -> None:
    stores, truth = scanned
    for folder, pid in truth["thumbs"].items():
        view = stores[folder]
        assert (view.profile, view.records, view.face_images) == ("immich", 1, 1)
        [artifact] = view.artifacts
        assert artifact["person_key"] == pid and artifact["kind"] == "face_crop"
        assert artifact["spaces"] == [EMBEDDING_SPACE]  # re-encoded: links across systems
