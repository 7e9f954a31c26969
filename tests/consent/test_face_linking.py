"""Linking consent rows to persons by the face enrolled at signing (real dlib encodings).

Persons are clusters of real photos from tests/data/faces; the enrolment
photos are *other* photos of the same people, so a link can only come from the
face itself. The matcher is nearest centroid within 0.6, face_recognition's
usual threshold; the lead engineer's matcher over case.db clusters takes its
place in the product.
"""

from __future__ import annotations

import functools
import io
import json
import shutil
import sqlite3
import struct
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import TEST_FACES
from venue_audit.consent import ConsentPolicy, PersonFacts, assess, link_consents, load_consent_log

from .scenario import at

FACES = TEST_FACES
THRESHOLD = 0.6

face_recognition = pytest.importorskip("face_recognition")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not FACES.is_dir(), reason="test face photos not present"),
]


def encode(photo: bytes) -> np.ndarray | None:
    """The embedding of the single face in a photo (None unless exactly one face)."""
    image = Image.open(io.BytesIO(photo))
    image.draft("RGB", (640, 640))  # JPEG: decode at reduced scale, much faster
    image = image.convert("RGB")
    image.thumbnail((640, 640))
    encodings = face_recognition.face_encodings(np.asarray(image))
    return encodings[0] if len(encodings) == 1 else None


@functools.cache
def encode_file(relative: str) -> np.ndarray:
    encoding = encode((FACES / relative).read_bytes())
    assert encoding is not None
    return encoding


@pytest.fixture(scope="module")
def clusters() -> dict[str, np.ndarray]:
    """person id -> centroid of that person's captured faces."""
    members = {
        "P-obama": ["obama/1.jpg", "obama/2.jpg"],
        "P-biden": ["biden/1.jpg"],
        "P-kit": ["kit_harington/1.jpeg"],
    }
    return {pid: np.mean([encode_file(p) for p in paths], axis=0) for pid, paths in members.items()}


@pytest.fixture(scope="module")
def matcher(clusters: dict[str, np.ndarray]):  # type: ignore[no-untyped-def]
    def match(embedding: Sequence[float]) -> str | None:
        vector = np.asarray(embedding, dtype=np.float64)
        best = min(clusters, key=lambda pid: float(np.linalg.norm(clusters[pid] - vector)))
        return best if np.linalg.norm(clusters[best] - vector) <= THRESHOLD else None

    return match


def persons() -> list[PersonFacts]:
    return [
        PersonFacts("P-obama", {}, [at("2024-06-20 10:00")]),
        PersonFacts("P-biden", {}, [at("2024-06-21 10:00")]),
        PersonFacts("P-kit", {"visitor_id": {"V-KIT"}}, [at("2024-06-22 10:00")]),
    ]


@pytest.fixture
def csv_log(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    (folder / "photos").mkdir(parents=True)
    shutil.copy(FACES / "obama" / "3.jpg", folder / "photos" / "enrol_1.jpg")
    shutil.copy(FACES / "rose_leslie" / "1.jpg", folder / "photos" / "enrol_2.jpg")
    shutil.copy(FACES / "obama" / "4.jpg", folder / "photos" / "enrol_3.jpg")
    biden = json.dumps([round(float(v), 6) for v in encode_file("biden/2.jpg")])
    lines = [
        "访客编号,签署时间,照片,人脸特征",
        ",2024-05-01 10:00,photos/enrol_1.jpg,",
        ",2024-05-02 10:00,photos/enrol_2.jpg,",
        f",2024-05-03 10:00,,\"{biden}\"",
        "V-KIT,2024-05-04 10:00,photos/enrol_3.jpg,",
        ",2024-05-05 10:00,../../../etc/passwd,",
    ]
    path = folder / "consent.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_enrolment_photos_and_templates_link_to_the_right_clusters(
    csv_log: Path, matcher  # type: ignore[no-untyped-def]
) -> None:
    log = load_consent_log(csv_log)
    result = link_consents(persons(), log, face_matcher=matcher, face_encoder=encode)

    links = {(link.consent_id, link.person_id, link.method) for link in result.links}
    assert links == {
        ("consent.csv:2", "P-obama", "face"),  # a different photo of the same man
        ("consent.csv:4", "P-biden", "face"),  # a stored template
        ("consent.csv:5", "P-kit", "key:visitor_id=访客编号"),
        ("consent.csv:5", "P-obama", "face"),  # the enrolled face is not Kit's
    }
    messages = [str(p) for p in [*log.problems, *result.problems]]
    assert any(m.startswith("consent.csv row 6: enrolment photo unusable: photo path")
               and "outside the consent log's folder" in m for m in messages)
    assert any(m.startswith("consent.csv row 5: enrolment face matches person P-obama but the key "
                            "links P-kit") for m in messages)


def test_face_links_decide_status(csv_log: Path, matcher) -> None:  # type: ignore[no-untyped-def]
    log = load_consent_log(csv_log)
    policy = ConsentPolicy().with_as_of(date(2024, 6, 30))
    result = assess(persons(), log, policy, face_matcher=matcher, face_encoder=encode)
    assert result.by_status == {
        "no_consent": 0, "withdrawn_retained": 0, "expired_retained": 0, "consented": 3,
    }
    assert result.unlinked_consents == ["consent.csv:3", "consent.csv:6"]  # Rose; the bad path


def test_without_a_matcher_faces_are_noted_not_guessed(csv_log: Path) -> None:
    log = load_consent_log(csv_log)
    result = link_consents(persons(), log)
    assert {link.method for link in result.links} == {"key:visitor_id=访客编号"}
    assert sum("no face matcher" in p.message for p in result.problems) == 3


def test_sqlite_blobs_float32_templates_and_photos(
    tmp_path: Path, matcher  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "enrol.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE consent (id INTEGER PRIMARY KEY, signed_at TEXT, "
                       "template BLOB, photo BLOB)")
    kit = encode_file("kit_harington/2.jpeg").astype("<f4").tobytes()
    connection.execute("INSERT INTO consent VALUES (1, '2024-05-01', ?, NULL)", (kit,))
    photo = (FACES / "biden" / "2.jpg").read_bytes()
    connection.execute("INSERT INTO consent VALUES (2, '2024-05-01', NULL, ?)", (photo,))
    connection.execute("INSERT INTO consent VALUES (3, '2024-05-01', ?, NULL)",
                       (struct.pack("<3f", 1, 2, 3),))
    connection.commit()
    connection.close()

    log = load_consent_log(path)
    result = link_consents(persons(), log, face_matcher=matcher, face_encoder=encode)
    assert {(link.consent_id, link.person_id) for link in result.links} == {
        ("enrol.db:consent:1", "P-kit"), ("enrol.db:consent:2", "P-biden"),
    }
    assert [str(p) for p in log.problems] == [
        "enrol.db table consent rowid 3: enrolment template unusable: "
        "template is not a float vector of a known size",
        "enrol.db table consent rowid 3: no subject key (visitor id, phone, ID hash) "
        "and no enrolment face",
    ]


def test_a_photo_without_a_single_face_is_a_located_problem(
    tmp_path: Path, matcher  # type: ignore[no-untyped-def]
) -> None:
    shutil.copy(FACES / "multi" / "two_people.jpg", tmp_path / "group.jpg")
    (tmp_path / "c.csv").write_text("签署时间,照片\n2024-05-01,group.jpg\n", encoding="utf-8")
    log = load_consent_log(tmp_path / "c.csv")
    result = link_consents(persons(), log, face_matcher=matcher, face_encoder=encode)
    assert result.links == []
    assert [str(p) for p in result.problems] == [
        "c.csv row 2: no usable face in the enrolment photo"
    ]
