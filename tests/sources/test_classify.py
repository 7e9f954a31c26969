"""The column classifier finds face images and templates by content, and refuses the decoys."""

from __future__ import annotations

import base64
import io
import json
import struct

import numpy as np
import pytest
from PIL import Image

from venue_audit.sources.classify import classify

RNG = np.random.default_rng(7)


def face_like(n: int, dim: int = 128, normalised: bool = False) -> np.ndarray:
    """Vectors with the statistics of face embeddings: mixed signs, similar norms, low mutual cosine."""
    vectors = RNG.normal(0, 0.09, size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True) if normalised else vectors


def clip_like(n: int) -> np.ndarray:
    shared = RNG.normal(0, 1, 512)
    return (shared + RNG.normal(0, 0.6, size=(n, 512))).astype(np.float32)


def jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((40, 40, 3), seed % 255, np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_blob_images_and_float32_templates_are_found() -> None:
    templates = face_like(20)
    rows = [
        [i, f"V{i:03d}", "2024-03-15 10:15:23", jpeg(i), templates[i].tobytes()] for i in range(20)
    ]
    roles = classify(["id", "visitor_id", "capture_time", "img", "feature"], rows, "face_capture")
    assert roles.images == [3]
    assert [(t.index, t.dim) for t in roles.templates] == [(4, 128)]
    assert roles.templates[0].model_guess.startswith("dlib")
    assert (roles.person_key, roles.time) == (1, 2)


@pytest.mark.parametrize(
    "encode",
    [
        lambda v: base64.b64encode(v.astype("<f4").tobytes()).decode(),
        lambda v: v.astype(">f4").tobytes(),
        lambda v: v.astype("<f8").tobytes(),
        lambda v: json.dumps([float(x) for x in v]),
        lambda v: "{" + ",".join(f"{x:.6f}" for x in v) + "}",
        lambda v: [float(x) for x in v],
        lambda v: struct.pack(">HH", v.size, 0) + v.astype(">f4").tobytes(),
    ],
    ids=["base64", "float32-be", "float64", "json", "pg-array", "list", "pgvector-binary"],
)
def test_templates_are_found_in_every_encoding(encode) -> None:
    vectors = face_like(12, 512, normalised=True)
    roles = classify(["embedding"], [[encode(v)] for v in vectors])
    assert [t.dim for t in roles.templates] == [512]


def test_base64_and_hex_images_in_text_columns_are_found() -> None:
    rows = [[base64.b64encode(jpeg(i)).decode(), jpeg(i).hex()] for i in range(10)]
    assert classify(["photo_b64", "photo_hex"], rows).images == [0, 1]


@pytest.mark.parametrize(
    "name, cells",
    [
        ("clip", [v.tobytes() for v in clip_like(16)]),
        ("uniform", [RNG.random(128, dtype=np.float32).tobytes() for _ in range(16)]),
        ("random bytes", [RNG.bytes(512) for _ in range(16)]),
        ("fingerprint", [b"FMR\x00 20\x00" + RNG.bytes(502) for _ in range(16)]),
        ("text", ["hello world, a caption of a photo"] * 16),
    ],
)
def test_decoys_are_not_templates(name: str, cells: list) -> None:
    roles = classify(["embedding"], [[c] for c in cells], "smart_search" if name == "clip" else "t")
    assert not roles.holds_faces, name


def test_a_clip_column_is_refused_even_under_a_neutral_name() -> None:
    roles = classify(["vec"], [[v.tobytes()] for v in clip_like(16)], "assets")
    assert not roles.holds_faces
