"""CompreFace: the pg_dump of its database and the SQLite copy used for fast tests (formats.md §10.1).

Tables as exadel-inc/CompreFace's ``db.changelog-0.1.7.yaml`` creates them
(commit 6373b6a7f3c9608a514f1a8dd62a0f3ba03b98f5); calculator names as the
plugins' ``str()`` writes them (``plugins/base.py``, commit
04ba8bd4e3d57241e98ea9b0b29e9ebb60b6383e): no suffix for a plugin's default model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.profiles.fixtures import Vectors, crop, decoy_picture, pg_dump, sqlite_db, uuids, write
from tests.profiles.scanning import StoreView, scan_tree
from venue_audit.faces import EMBEDDING_SPACE

FACENET = "facenet.Calculator"  # a default install (embedding-calculator/Dockerfile)
FACENET_NAMED = "facenet.Calculator@20180402-114759"  # the same model chosen by name
ARCFACE = "insightface.Calculator@arcface-r100-msfdrop75"  # the GPU build
FORMS = ["compreface/frs.sql", "compreface/frs.sqlite"]


def tables(seed: int, sqlite: bool) -> tuple[list, dict]:
    ids = uuids(seed)
    vectors = Vectors(seed=seed)
    subjects = {name: next(ids) for name in ("visitor_0001", "visitor_0002", "visitor_0003")}
    identity = {"visitor_0001": "obama", "visitor_0002": "biden", "visitor_0003": "rose_leslie"}
    # 7 embeddings: 3 + 2 FaceNet (default and named), 2 InsightFace; the first four point at an img row
    plan = [("visitor_0001", FACENET), ("visitor_0001", FACENET), ("visitor_0002", FACENET),
            ("visitor_0001", FACENET_NAMED), ("visitor_0002", FACENET_NAMED), ("visitor_0003", ARCFACE),
            ("visitor_0003", ARCFACE)]
    embeddings, images, image_subjects = [], [], []
    for n, (subject, calculator) in enumerate(plan):
        img_id = next(ids) if n < 4 else None
        vector = vectors.sample(subject)
        stored = "{" + ",".join(repr(v) for v in vector) + "}" if sqlite else vector
        embeddings.append([next(ids), subjects[subject], stored, calculator, img_id])
        if img_id is not None:
            # the fourth example upload is not a face at all (a decoy picture)
            picture = crop(identity[subject], n, copy=f"form {seed}") if n < 3 else decoy_picture("lobby")
            images.append([img_id, picture])
            if n < 3:
                image_subjects.append(subjects[subject])
    spec = [
        ("embedding", "id uuid NOT NULL, subject_id uuid NOT NULL, embedding double precision[] NOT NULL, "
         "calculator character varying(255) NOT NULL, img_id uuid",
         ["id", "subject_id", "embedding", "calculator", "img_id"], embeddings),
        ("img", "id uuid NOT NULL, content bytea NOT NULL", ["id", "content"], images),
        ("model", "id bigint NOT NULL, name character varying(255), api_key character varying(36)",
         ["id", "name", "api_key"], [[1, "lobby", next(ids)]]),
        ("subject", "id uuid NOT NULL, api_key character varying(36), subject_name character varying(255)",
         ["id", "api_key", "subject_name"], [[i, "k", name] for name, i in subjects.items()]),
    ]
    truth = {
        "template_subjects": [subjects[s] for s, _ in plan],
        "image_subjects": image_subjects,
    }
    return spec, truth


def build(root: Path) -> dict:
    spec, dump_truth = tables(seed=1, sqlite=False)
    write(root / FORMS[0], pg_dump(spec))
    spec, sqlite_truth = tables(seed=2, sqlite=True)
    sqlite_db(root / FORMS[1], spec)
    return {FORMS[0]: dump_truth, FORMS[1]: sqlite_truth}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("compreface")
    truth = build(base / "export")
    return scan_tree(base, base / "export"), truth


@pytest.mark.parametrize("form", FORMS)
def test_every_embedding_row_is_a_template_and_every_face_upload_an_image(scanned, form) -> None:
    store = scanned[0][form]
    assert (store.profile, store.records, store.face_templates, store.face_images) == (
        "compreface", 7 + 3, 7, 3)


@pytest.mark.parametrize("form", FORMS)
def test_each_calculator_keeps_its_own_space(scanned, form) -> None:
    templates = scanned[0][form].of_kind("template")
    assert sorted(s for a in templates for s in a["spaces"]) == (
        ["arcface-r100-msfdrop75-512"] * 2 + ["facenet-20180402-512"] * 5)
    assert not any("unknown" in a["model_guess"] for a in templates)
    images = scanned[0][form].of_kind("face_crop", "raw_frame")
    assert [a["spaces"] for a in images] == [[EMBEDDING_SPACE]] * 3


@pytest.mark.parametrize("form", FORMS)
def test_subjects_are_the_person_keys_of_templates_and_of_their_images(scanned, form) -> None:
    stores, truth = scanned
    store = stores[form]
    assert [a["person_key"] for a in store.of_kind("template")] == truth[form]["template_subjects"]
    assert [a["person_key"] for a in store.of_kind("face_crop", "raw_frame")] == (
        truth[form]["image_subjects"])
    assert all(a["captured_at"] is None for a in store.artifacts)  # CompreFace keeps no times


@pytest.mark.parametrize(("calculator", "space"), [
    ("facenet.Calculator", "facenet-20180402-512"),
    ("facenet.Calculator@20180402-114759", "facenet-20180402-512"),
    ("facenet.Calculator@20180408-102900", "facenet-20180408-512"),
    ("insightface.Calculator", "arcface-r100-512"),
    ("insightface.Calculator@arcface_mobilefacenet", "arcface-mobilefacenet-128"),
    ("insightface.Calculator@arcface-r100-msfdrop75", "arcface-r100-msfdrop75-512"),
    ("facenet.FaceDetector", None),
    ("custom.Calculator@v9", None),
])
def test_calculator_names_map_to_the_plugin_model_they_ran(calculator, space) -> None:
    from venue_audit.sources.profiles.compreface import calculator_model

    found = calculator_model(calculator)
    assert (found[1] if found else None) == space
