"""Face-system schemas on live servers, filled with known numbers of real face data.

The crops and their 128-d dlib templates are the 13 capture rows of the sample
visitor system (``sample_data/export/server/face_capture.db``, read through an
immutable URI). The 512-d templates are seeded Gaussian vectors: mixed signs,
equal norms, near-zero mutual cosine, the structure of ArcFace/FaceNet output.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# A non-ASCII password checks the drivers' encoding; it must never reach the custody log.
PASSWORD = "audit-pw 审计"
ENVIRON = {"VENUE_AUDIT_DB_PASSWORD": PASSWORD}
SAMPLE_DB = Path(__file__).resolve().parents[2] / "sample_data/export/server/face_capture.db"


@dataclass(frozen=True)
class Capture:
    id: int
    visitor_id: str
    captured_at: str
    camera: str
    crop: bytes
    feature: bytes


def sample_captures() -> list[Capture]:
    connection = sqlite3.connect(f"file:{SAMPLE_DB}?mode=ro&immutable=1", uri=True)
    try:
        rows = connection.execute(
            "select id, visitor_id, capture_time, camera_no, face_img, feature "
            "from t_face_capture order by id"
        ).fetchall()
    finally:
        connection.close()
    return [Capture(*row) for row in rows]


def face_vectors(count: int, seed: int, norm: float = 1.0) -> list[list[float]]:
    generator = np.random.default_rng(seed)
    matrix = generator.standard_normal((count, 512))
    matrix *= norm / np.linalg.norm(matrix, axis=1, keepdims=True)
    return [[float(x) for x in row] for row in matrix]


def ident(seed: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


@dataclass(frozen=True)
class Expected:
    """What a scan of the copied tables must find."""

    copied: dict[str, int]
    records: int
    face_images: int
    face_templates: int


# --- CompreFace (formats.md §3): img.content bytea, embedding.embedding float8[] -------------

COMPREFACE_IMAGES = 6
COMPREFACE_EMBEDDINGS = 8  # one demo-style row without an image


def create_compreface(connection, captures: list[Capture]) -> Expected:
    connection.execute(
        """
        create table model (id bigint primary key, name varchar, api_key varchar(36),
                            created_date timestamp);
        create table subject (id uuid primary key, api_key varchar(36), subject_name varchar(255));
        create table img (id uuid primary key, content bytea not null);
        create table embedding (id uuid primary key, subject_id uuid not null references subject,
                                embedding float8[] not null, calculator varchar(255) not null,
                                img_id uuid references img);
        """
    )
    connection.execute(
        "insert into model values (1, 'recognition', 'key-1', '2024-01-02 03:04:05')"
    )
    subjects = [ident(f"subject-{n}") for n in range(3)]
    for number, subject in enumerate(subjects):
        connection.execute(
            "insert into subject values (%s, 'key-1', %s)", [subject, f"visitor_{number + 1:04d}"]
        )
    images = [ident(f"img-{n}") for n in range(COMPREFACE_IMAGES)]
    for image, capture in zip(images, captures, strict=False):
        connection.execute("insert into img values (%s, %s)", [image, capture.crop])
    for number, vector in enumerate(face_vectors(COMPREFACE_EMBEDDINGS, seed=3)):
        connection.execute(
            "insert into embedding values (%s, %s, %s, 'facenet.Calculator@20180402-114759', %s)",
            [
                ident(f"embedding-{number}"),
                subjects[number % 3],
                vector,
                images[number] if number < COMPREFACE_IMAGES else None,
            ],
        )
    return Expected(
        copied={"img": COMPREFACE_IMAGES, "embedding": COMPREFACE_EMBEDDINGS},
        records=COMPREFACE_IMAGES + COMPREFACE_EMBEDDINGS,
        face_images=COMPREFACE_IMAGES,
        face_templates=COMPREFACE_EMBEDDINGS,
    )


# --- Immich (formats.md §1): face_search 512-d (real[]: no pgvector package), CLIP decoy --------

IMMICH_FACES = 12
IMMICH_SOFT_DELETED = 2
IMMICH_SMART = 5


def create_immich(connection) -> Expected:
    connection.execute(
        """
        create table person (id uuid primary key, "createdAt" timestamptz, "ownerId" uuid not null,
                             name varchar default '', "thumbnailPath" varchar default '');
        create table asset_face (id uuid primary key, "assetId" uuid not null,
                                 "personId" uuid references person, "imageWidth" int,
                                 "imageHeight" int, "boundingBoxX1" int, "boundingBoxY1" int,
                                 "boundingBoxX2" int, "boundingBoxY2" int,
                                 "sourceType" text default 'machine-learning',
                                 "deletedAt" timestamptz);
        create table face_search ("faceId" uuid primary key references asset_face,
                                  embedding real[] not null);
        create table smart_search ("assetId" uuid primary key, embedding real[] not null);
        """
    )
    owner = ident("owner")
    persons = [ident(f"person-{n}") for n in range(3)]
    for number, person in enumerate(persons):
        connection.execute(
            "insert into person values (%s, %s, %s, %s, %s)",
            [
                person,
                f"2025-01-0{number + 1} 08:00:00+08",
                owner,
                f"P{number}",
                f"thumbs/{owner}/{person}.jpeg",
            ],
        )
    vectors = face_vectors(IMMICH_FACES, seed=7, norm=20.0)
    for number in range(IMMICH_FACES):
        face = ident(f"face-{number}")
        connection.execute(
            "insert into asset_face values (%s, %s, %s, 1920, 1080, 10, 20, 110, 140, "
            "'machine-learning', %s)",
            [
                face,
                ident(f"asset-{number}"),
                None if number == 0 else persons[number % 3],
                "2025-06-01 00:00:00+00" if 1 <= number <= IMMICH_SOFT_DELETED else None,
            ],
        )
        connection.execute(
            "insert into face_search values (%s, %s)",
            [face, [float(np.float32(x)) for x in vectors[number]]],
        )
    clip = np.random.default_rng(11).uniform(0.01, 1.0, (IMMICH_SMART, 512))
    for number in range(IMMICH_SMART):
        connection.execute(
            "insert into smart_search values (%s, %s)",
            [ident(f"smart-{number}"), [float(np.float32(x)) for x in clip[number]]],
        )
    return Expected(  # asset_face is copied too: the person keys and soft-delete marks
        copied={"asset_face": IMMICH_FACES, "face_search": IMMICH_FACES},
        records=IMMICH_FACES - IMMICH_SOFT_DELETED,
        face_images=0,
        face_templates=IMMICH_FACES - IMMICH_SOFT_DELETED,
    )


# --- A vendor visitor system on MySQL: LONGBLOB crops, BLOB 128 x float32, JSON ------------------


def create_visitor_system(connection, captures: list[Capture]) -> Expected:
    with connection.cursor() as cursor:
        cursor.execute(
            "create table visitor (visitor_id varchar(16) primary key, name varchar(64), "
            "phone varchar(20), registered_at datetime) engine=InnoDB default charset=utf8mb4"
        )
        cursor.execute(
            "create table face_capture (id int primary key, visitor_id varchar(16), "
            "capture_time datetime, camera_no varchar(16), face_img longblob, feature blob, "
            "attrs json) engine=InnoDB default charset=utf8mb4"
        )
        cursor.execute(
            "create table device (device_no varchar(16) primary key, location varchar(64), "
            "config json) engine=InnoDB"
        )
        visitors = sorted({c.visitor_id for c in captures})
        for number, visitor in enumerate(visitors):
            cursor.execute(
                "insert into visitor values (%s, %s, %s, %s)",
                [visitor, f"访客{number + 1}", f"1380000{number:04d}", "2024-01-01 09:00:00"],
            )
        for capture in captures:
            cursor.execute(
                "insert into face_capture values (%s, %s, %s, %s, %s, %s, %s)",
                [
                    capture.id,
                    capture.visitor_id,
                    capture.captured_at,
                    capture.camera,
                    capture.crop,
                    capture.feature,
                    json.dumps({"camera": capture.camera, "mask": False, "score": 0.9}),
                ],
            )
        cursor.execute(
            "insert into device values ('CAM-01', '一楼大厅', %s), ('CAM-02', '售楼处', %s)",
            [json.dumps({"fps": 25}), json.dumps({"fps": 15})],
        )
    return Expected(
        copied={"face_capture": len(captures)},
        records=len(captures),
        face_images=len(captures),
        face_templates=len(captures),
    )
