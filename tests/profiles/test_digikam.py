"""digiKam: recognition.db FaceMatrices (SQLite, and MySQL as mysqldump) and digikam4.db regions.

Schemas: digiKam 6 (v3) from KDE/digikam ``core/data/database/dbconfig.xml.cmake.in`` and
``core/libs/facesengine/facedb/facedb.cpp`` (commit 33d0457e20adda97c003f3dee652a1749406ff9f);
digiKam 7/8 (v4) from ``facedb_dnn.cpp`` ``insertFaceVector`` (rajeck1234/digikam
6a229c100eb48c787433a1fc24b14a18548314e9), and its 2024 variant with ``removeHash``.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.profiles.fixtures import crop, dlib_encoding, mysql_dump, sqlite_db, write
from tests.profiles.scanning import StoreView, scan_tree
from venue_audit.faces import EMBEDDING_SPACE

FORMS = ["digikam/recognition.db", "mysql/digikam.sql"]
LEGACY = "digikam6/recognition.db"
VARIANT_2024 = "digikam8/recognition.db"
NAMES = {1: "Barack Obama", 2: "Joe Biden", 3: "Rose Leslie"}


def attributes(identities: list[int]) -> list[list]:
    """IdentityAttributes as FaceDb::addIdentity writes them: uuid, name, fullName per identity."""
    return [row for i in identities for row in (
        [i, "uuid", f"00000000-0000-0000-0000-00000000000{i}"], [i, "name", NAMES[i]],
        [i, "fullName", NAMES[i]])]


def qcompress(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + zlib.compress(data)


def legacy(path: Path) -> list[int]:
    """digiKam 6 (schema v3): Eigen rows keep the face pixels (8-bit grey cv::Mat) and the dlib
    ResNet vector, both qCompress'd; a DNN-only row (``updateDNNFaceModel``) keeps the vector alone."""
    rows = []
    for n, (identity, index) in enumerate([(1, 1), (3, 1)], 1):
        grey = Image.open(io.BytesIO(crop(IDENTITIES[identity], index))).convert("L")
        vector = np.asarray(dlib_encoding(IDENTITIES[identity], index), dtype="<f4")
        rows.append([n, identity, "", 0, grey.height, grey.width,
                     qcompress(grey.tobytes()), qcompress(vector.tobytes())])
    vector = np.asarray(dlib_encoding(IDENTITIES[2], 0), dtype="<f4")
    rows.append([3, 2, "", None, None, None, None, qcompress(vector.tobytes())])
    sqlite_db(path, [
        ("FaceMatrices", "id INTEGER PRIMARY KEY, identity INTEGER, context TEXT, type INTEGER, "
         "rows INTEGER, cols INTEGER, data BLOB, vecdata BLOB",
         ["id", "identity", "context", "type", "rows", "cols", "data", "vecdata"], rows),
        ("Identities", "id INTEGER PRIMARY KEY, type INTEGER", ["id", "type"], [[1, 0], [2, 0], [3, 0]]),
        ("IdentityAttributes", "id INTEGER, attribute TEXT, value TEXT", ["id", "attribute", "value"],
         attributes([1, 2, 3])),
        ("Settings", "keyword TEXT NOT NULL UNIQUE, value TEXT", ["keyword", "value"],
         [["DBFaceVersion", "3"]]),
    ])
    return [identity for _, identity, *_ in rows]


def variant_2024(path: Path) -> list[int]:
    """The 2024 insertFaceVector: (identity, removeHash, embedding), SFace-like raw vectors."""
    plan = [(1, 3), (3, 2)]
    matrices = [
        [n, identity, f"{n:040x}",
         (np.asarray(dlib_encoding(IDENTITIES[identity], index)) * 7.5).astype("<f4").tobytes()]
        for n, (identity, index) in enumerate(plan, 1)
    ]
    sqlite_db(path, [
        ("FaceMatrices", "id INTEGER PRIMARY KEY, identity INTEGER NOT NULL, removeHash TEXT, "
         "embedding BLOB NOT NULL", ["id", "identity", "removeHash", "embedding"], matrices),
        ("Identities", "id INTEGER PRIMARY KEY, type INTEGER", ["id", "type"], [[1, 0], [3, 0]]),
        ("IdentityAttributes", "id INTEGER, attribute TEXT, value TEXT", ["id", "attribute", "value"],
         attributes([1, 3])),
        ("Settings", "keyword TEXT NOT NULL UNIQUE, value TEXT", ["keyword", "value"],
         [["DBFaceVersion", "5"]]),
    ])
    return [identity for identity, _ in plan]


IDENTITIES = {1: "obama", 2: "biden", 3: "rose_leslie"}


def tables(plan: list[tuple[int, int]], raw_rows: set[int]) -> tuple[list, list[int]]:
    """FaceMatrices v4: OpenFace-normalised 128 × f32 (rows in ``raw_rows`` keep an SFace-like norm)."""
    matrices = []
    for n, (identity, index) in enumerate(plan, 1):
        vector = np.asarray(dlib_encoding(IDENTITIES[identity], index), dtype=np.float64)
        vector = vector * 7.5 if n in raw_rows else vector / np.linalg.norm(vector)
        matrices.append([n, identity, "", vector.astype("<f4").tobytes()])
    rng = np.random.default_rng(9)
    kdtree = [
        [n, n % 128, n, rng.normal(size=128).astype("<f4").tobytes(),
         rng.normal(size=128).astype("<f4").tobytes(), None, None, None]
        for n in range(1, 4)
    ]
    spec = [
        ("FaceMatrices", "id INTEGER PRIMARY KEY, identity INTEGER NOT NULL, context TEXT, "
         "embedding BLOB NOT NULL", ["id", "identity", "context", "embedding"], matrices),
        ("Identities", "id INTEGER PRIMARY KEY, type INTEGER", ["id", "type"],
         [[i, 0] for i in IDENTITIES]),
        ("IdentityAttributes", "id INTEGER, attribute TEXT, value TEXT", ["id", "attribute", "value"],
         attributes(list(IDENTITIES))),
        ("KDTree", "id INTEGER PRIMARY KEY, split_axis INTEGER NOT NULL, position INTEGER NOT NULL, "
         "max_range BLOB NOT NULL, min_range BLOB NOT NULL, parent INTEGER, `left` INTEGER, `right` INTEGER",
         ["id", "split_axis", "position", "max_range", "min_range", "parent", "left", "right"], kdtree),
        ("Settings", "keyword TEXT NOT NULL UNIQUE, value TEXT", ["keyword", "value"],
         [["DBFaceVersion", "4"]]),
    ]
    return spec, [identity for identity, _ in plan]


def build(root: Path) -> dict:
    spec, sqlite_people = tables([(1, 0), (1, 1), (2, 0), (2, 1), (3, 0)], raw_rows={5})
    sqlite_db(root / FORMS[0], [(n, d.replace("`", '"'), c, r) for n, d, c, r in spec])
    spec, dump_people = tables([(1, 2), (2, 2), (3, 3)], raw_rows=set())
    write(root / FORMS[1], mysql_dump(spec))
    sqlite_db(root / "digikam/digikam4.db", [
        ("Images", "id INTEGER PRIMARY KEY, album INTEGER, name TEXT", ["id", "album", "name"],
         [[1, 1, "IMG_0001.jpg"]]),
        ("ImageTagProperties", "imageid INTEGER, tagid INTEGER, property TEXT, value TEXT",
         ["imageid", "tagid", "property", "value"],
         [[1, 22, "tagRegion", '<rect x="410" y="120" width="180" height="220"/>'],
          [1, 22, "autodetectedFace", ""]]),
    ])
    return {FORMS[0]: sqlite_people, FORMS[1]: dump_people, LEGACY: legacy(root / LEGACY),
            VARIANT_2024: variant_2024(root / VARIANT_2024)}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("digikam")
    truth = build(base / "export")
    return scan_tree(base, base / "export"), truth


@pytest.mark.parametrize("form", FORMS)
def test_every_face_matrix_is_a_template_and_the_kdtree_ranges_are_not(scanned, form) -> None:
    stores, truth = scanned
    store = stores[form]
    n = len(truth[form])
    assert (store.profile, store.records, store.face_templates, store.face_images) == (
        "digikam", n, n, 0)
    assert not any("KDTree" in a["locator"] for a in store.artifacts)


@pytest.mark.parametrize("form", [*FORMS, VARIANT_2024])
def test_identity_names_are_the_person_keys_in_every_form(scanned, form) -> None:
    """The SQLite file is read names first; the dump (mysqldump's name order writes FaceMatrices
    before IdentityAttributes) is resolved when it ends, before its records are written."""
    stores, truth = scanned
    assert [a["person_key"] for a in stores[form].artifacts] == [NAMES[i] for i in truth[form]]
    assert {a["person_key_kind"] for a in stores[form].artifacts} == {
        "identity (name from IdentityAttributes)"}


def test_the_dump_really_writes_the_vectors_before_the_names(tmp_path: Path) -> None:
    spec, _ = tables([(1, 0)], raw_rows=set())
    dump = mysql_dump(spec)
    assert dump.index("INSERT INTO `FaceMatrices`") < dump.index("INSERT INTO `IdentityAttributes`")


def test_an_identity_without_a_name_keeps_its_id_key(tmp_path: Path) -> None:
    spec, _ = tables([(1, 0), (2, 0)], raw_rows=set())
    spec = [(n, d, c, [r for r in rows if r[0] != 2]) if n == "IdentityAttributes" else (n, d, c, rows)
            for n, d, c, rows in spec]
    write(tmp_path / "export/mysql/digikam.sql", mysql_dump(spec))
    store = scan_tree(tmp_path, tmp_path / "export")["mysql/digikam.sql"]
    assert [a["person_key"] for a in store.artifacts] == [NAMES[1], "identity 2"]


def test_openface_and_sface_templates_are_kept_in_separate_spaces(scanned) -> None:
    stores, _ = scanned
    assert stores[FORMS[0]].spaces == ["openface-nn4.small2-128"] * 4 + ["sface-128"]
    assert stores[FORMS[1]].spaces == ["openface-nn4.small2-128"] * 3


def test_the_core_database_is_named_digikam_and_holds_no_counted_face_data(scanned) -> None:
    core = scanned[0]["digikam/digikam4.db"]
    assert (core.profile, core.records) == ("digikam", 0)


def test_the_2024_schema_variant_is_read_with_its_sface_vectors(scanned) -> None:
    store = scanned[0][VARIANT_2024]
    assert (store.profile, store.records, store.face_templates) == ("digikam", 2, 2)
    assert store.spaces == ["sface-128"] * 2


def test_digikam_6_rows_give_the_face_pixels_and_a_dlib_vector_in_the_same_space(scanned) -> None:
    stores, _ = scanned
    store = stores[LEGACY]
    assert (store.profile, store.records, store.face_images, store.face_templates) == (
        "digikam", 3, 2, 3)
    assert store.spaces == [EMBEDDING_SPACE] * 5
    assert sorted(a["person_key"] for a in store.artifacts) == sorted(
        [NAMES[1], NAMES[3]] * 2 + [NAMES[2]])
    assert all("dlib ResNet" in a["model_guess"] for a in store.of_kind("template"))
