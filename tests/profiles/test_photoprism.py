"""PhotoPrism: index.db (SQLite) and a mysqldump of MariaDB, plus the face crop cache."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.profiles.fixtures import Vectors, crop, mysql_dump, sqlite_db, write
from tests.profiles.scanning import StoreView, scan_tree
from venue_audit.faces import EMBEDDING_SPACE
from venue_audit.sources.profiles.photoprism import uid_time

SUBJECTS = {"obama": "jsmz0a1b2c3d4e5f", "biden": "jsmz0a1b2c3d4e60"}
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
AREA = "1360dc06408c"  # x 0.31, y 0.22, w 0.1, h 0.14


def base36(number: int) -> str:
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = _BASE36[digit] + out
    return out


def uid(prefix: str, at: datetime, rng: np.random.Generator) -> str:
    """``rnd.GenerateUID``: prefix + base36(unix seconds)[:6] + 9 random characters."""
    return prefix + base36(int(at.timestamp()))[:6] + "".join(rng.choice(list(_BASE36), 9))


def tables(seed: int) -> tuple[list, dict]:
    """One PhotoPrism index; each form gets its own seed (equal rows would be exact duplicates)."""
    rng = np.random.default_rng(seed)
    vectors = Vectors(seed=seed)

    def blob(text: str) -> bytes:
        return text.encode()

    faces, markers, expected = [], [], []
    for name in [*SUBJECTS, None]:
        centroid = vectors.sample(name or "stranger", sigma=0.2)
        text = json.dumps(centroid)
        face_id = hashlib.sha1(text.encode()).hexdigest()[:32].upper()
        faces.append([face_id, "", SUBJECTS.get(name, ""), 3, blob(text), "2024-12-13 10:00:00"])
    # 6 face markers (3 obama, 2 biden, 1 unknown), 1 invalid face marker, 1 label marker: 6 faces
    plan = [("obama", 0, 0), ("obama", 0, 0), ("obama", 0, 0), ("biden", 0, 0), ("biden", 0, 0),
            (None, 0, 0), ("obama", 1, 0), ("obama", 0, 1)]
    thumbs = []
    for n, (name, invalid, label) in enumerate(plan):
        at = datetime(2024, 11, 2 + n, 14, 30, 5, tzinfo=UTC)
        marker_uid = uid("m", at, rng)
        embeddings = json.dumps([vectors.sample(name or "stranger")])
        # crop.Area.Thumb: the file's SHA-1 and the box as %03x of int(x·1000), y, w, h
        thumb = f"{hashlib.sha1(f'{seed}-{n}'.encode()).hexdigest()}-{AREA}"
        markers.append([
            marker_uid, uid("f", at, rng), "label" if label else "face", "image", SUBJECTS.get(name, ""),
            invalid, blob(embeddings), 0.31, 0.22, 0.1, 0.14, thumb, at.strftime("%Y-%m-%d %H:%M:%S"),
        ])
        if not invalid and not label:
            # a marker nobody named keeps its thumb as its key: its cached crop is the same face
            expected.append((SUBJECTS.get(name) or thumb, uid_time(marker_uid)))
            thumbs.append((name, thumb))
    subjects = [[uid_, "person", name] for name, uid_ in SUBJECTS.items()]
    spec = [
        ("faces", "id VARBINARY(64) NOT NULL, face_src VARBINARY(8), subj_uid VARBINARY(42), samples INT, "
         "embedding_json MEDIUMBLOB, created_at DATETIME",
         ["id", "face_src", "subj_uid", "samples", "embedding_json", "created_at"], faces),
        ("markers", "marker_uid VARBINARY(42) NOT NULL, file_uid VARBINARY(42), marker_type VARBINARY(8), "
         "marker_src VARBINARY(8), subj_uid VARBINARY(42), marker_invalid TINYINT(1), "
         "embeddings_json MEDIUMBLOB, x FLOAT, y FLOAT, w FLOAT, h FLOAT, thumb VARBINARY(128), "
         "created_at DATETIME",
         ["marker_uid", "file_uid", "marker_type", "marker_src", "subj_uid", "marker_invalid",
          "embeddings_json", "x", "y", "w", "h", "thumb", "created_at"], markers),
        ("subjects", "subj_uid VARBINARY(42) NOT NULL, subj_type VARBINARY(8), subj_name VARCHAR(160)",
         ["subj_uid", "subj_type", "subj_name"], subjects),
    ]
    return spec, {"markers": expected, "thumbs": thumbs}


FORMS = ["photoprism/storage/index.db", "mariadb/photoprism.sql"]


def build(root: Path) -> dict:
    spec, sqlite_truth = tables(seed=5)
    sqlite_db(root / "photoprism/storage/index.db", spec)
    spec, dump_truth = tables(seed=6)
    write(root / "mariadb/photoprism.sql", mysql_dump(spec))
    truth = {FORMS[0]: sqlite_truth["markers"], FORMS[1]: dump_truth["markers"]}
    crops = []
    for index, name in enumerate(SUBJECTS):
        digest = hashlib.sha1(name.encode()).hexdigest()
        folder = f"photoprism/storage/cache/thumbnails/{digest[0]}/{digest[1]}/{digest[2]}"
        write(root / folder / f"{digest}_160x160_crop_136198093104.jpg", crop(name, index))
        crops.append(folder)
    return {**truth, "crops": crops}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("photoprism")
    truth = build(base / "export")
    return scan_tree(base, base / "export"), truth


@pytest.mark.parametrize("form", FORMS)
def test_centroids_and_face_markers_are_templates_and_nothing_else(scanned, form: str) -> None:
    store = scanned[0][form]
    assert (store.profile, store.records, store.face_templates, store.face_images) == (
        "photoprism", 3 + 6, 9, 0)


@pytest.mark.parametrize("form", FORMS)
def test_templates_are_facenet_512(scanned, form: str) -> None:
    store = scanned[0][form]
    assert store.spaces == ["facenet-20180402-512"] * 9
    assert all("FaceNet" in a["model_guess"] for a in store.artifacts)


@pytest.mark.parametrize("form", FORMS)
def test_marker_times_come_from_the_uid_and_person_ids_from_subj_uid(scanned, form: str) -> None:
    stores, truth = scanned
    markers = [a for a in stores[form].artifacts if "table markers" in a["locator"]]
    got = [(a["person_key"], datetime.fromisoformat(a["captured_at"])) for a in markers]
    assert got == [(p, datetime.fromisoformat(t)) for p, t in truth[form]]
    assert {a["captured_at_source"] for a in markers} == {"column:marker_uid (creation time)"}


def test_a_uid_carries_its_creation_time() -> None:
    at = datetime(2024, 11, 2, 14, 30, 5, tzinfo=UTC)
    assert uid_time(uid("m", at, np.random.default_rng(1))) == at.isoformat()


def test_cached_crops_are_named_photoprism_without_misreading_the_hash_as_a_time(scanned) -> None:
    stores, truth = scanned
    for folder in truth["crops"]:
        store = stores[folder]
        assert (store.profile, store.records, store.face_images) == ("photoprism", 1, 1)
        [artifact] = store.artifacts
        assert artifact["spaces"] == [EMBEDDING_SPACE] and artifact["captured_at"] is None
