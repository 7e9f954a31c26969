"""Raw carving finds images and templates by structure and validation, and nothing in noise."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import TEST_FACES
from venue_audit.recovery import carve
from venue_audit.recovery.template_vectors import blob_template_kind, template_kind

FACES = TEST_FACES


def jpeg_bytes(size=(120, 90), exif_thumbnail: bool = False) -> bytes:
    img = Image.open(FACES / "obama" / "1.jpg").convert("RGB").resize(size)
    buf = io.BytesIO()
    if exif_thumbnail:
        thumb = io.BytesIO()
        img.resize((40, 30)).save(thumb, "JPEG")
        exif = Image.Exif()
        exif[0x010F] = "CaptureCam"
        # an APP1 segment carrying a complete JPEG (thumbnail) inside the outer JPEG
        img.save(buf, "JPEG", exif=exif.tobytes() + thumb.getvalue())
    else:
        img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (33, 21), (10, 200, 30)).save(buf, "PNG")
    return buf.getvalue()


def webp_bytes() -> bytes:
    buf = io.BytesIO()
    Image.open(FACES / "biden" / "1.jpg").convert("RGB").resize((64, 64)).save(buf, "WEBP")
    return buf.getvalue()


def dlib_like(seed: int) -> bytes:
    """A vector with dlib descriptor statistics (components ~N(0, 0.09), norm ~1)."""
    v = np.random.default_rng(seed).normal(0, 0.09, 128)
    return v.astype("<f4").tobytes()


def unit512(seed: int) -> bytes:
    v = np.random.default_rng(seed).normal(0, 1, 512)
    return (v / np.linalg.norm(v)).astype("<f4").tobytes()


def noise(n: int, seed: int) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def embed(pieces: list[bytes], seed: int = 0) -> tuple[bytes, list[int]]:
    out = bytearray()
    offsets = []
    for i, piece in enumerate(pieces):
        out += noise(500 + 37 * i, seed + i) + b"\x00" * (i % 3)
        offsets.append(len(out))
        out += piece
    out += noise(999, seed + 99)
    return bytes(out), offsets


def test_images_and_templates_are_found_at_their_exact_offsets():
    pieces = [jpeg_bytes(), dlib_like(1), png_bytes(), webp_bytes(), unit512(2), dlib_like(3)]
    blob, offsets = embed(pieces)
    items = carve(blob, name="disk.img")
    got = [(i.kind, i.offset, i.length) for i in items]
    kinds = ["jpeg", "template", "png", "webp", "template", "template"]
    assert got == [(k, o, len(p)) for k, o, p in zip(kinds, offsets, pieces, strict=True)]
    assert all(i.validated for i in items)
    assert [i.detail for i in items if i.kind == "template"] == ["dlib128", "unit512", "dlib128"]
    assert items[1].vector is not None and items[1].vector.shape == (128,)
    assert all(i.source == "disk.img" for i in items)


def test_a_jpeg_with_an_embedded_thumbnail_is_carved_once_as_a_whole():
    outer = jpeg_bytes(exif_thumbnail=True)
    assert outer.count(b"\xff\xd8\xff") >= 2
    blob, (offset,) = embed([outer])
    items = carve(blob)
    assert [(i.kind, i.offset, i.length, i.validated) for i in items] == [
        ("jpeg", offset, len(outer), True)
    ]


def test_a_truncated_jpeg_is_not_reported_but_its_thumbnail_can_be():
    outer = jpeg_bytes(exif_thumbnail=True)
    blob, (offset,) = embed([outer[: len(outer) // 2]])
    items = carve(blob)
    assert all(i.offset > offset for i in items)
    assert [i.kind for i in items] == ["jpeg"]  # the intact thumbnail inside APP1
    assert items[0].detail == "40x30"


def test_structurally_complete_but_undecodable_images_are_marked_not_validated():
    good = png_bytes()
    # corrupt the IDAT payload but fix the CRC: chunk structure intact, pixels not decodable
    idat = good.index(b"IDAT")
    length = struct.unpack(">I", good[idat - 4 : idat])[0]
    body = bytes(length)
    chunk = b"IDAT" + body
    bad = good[: idat - 4] + struct.pack(">I", length) + chunk + struct.pack(
        ">I", zlib.crc32(chunk)) + good[idat + 4 + length + 4 :]
    items = carve(bad)
    assert [(i.kind, i.validated) for i in items] == [("png", False)]


def test_a_png_with_a_wrong_crc_is_not_carved():
    good = bytearray(png_bytes())
    good[20] ^= 0xFF  # inside IHDR
    assert carve(bytes(good)) == []


def test_exclude_ranges_drop_items_overlapping_live_artifacts():
    blob, offsets = embed([jpeg_bytes(), dlib_like(5)])
    live = [(offsets[0] + 10, offsets[0] + 11)]
    items = carve(blob, exclude_ranges=live)
    assert [i.kind for i in items] == ["template"]


@pytest.mark.slow
def test_five_megabytes_of_random_bytes_and_text_yield_nothing():
    text = (Path(__file__).resolve().parents[2] / "README.md").read_bytes()
    digits = ("0.1234 -0.5678 3.14159 " * 4000).encode()
    chinese = ("人脸识别数据删除验证报告，" * 3000).encode()
    blob = noise(5_000_000, 42) + text * 10 + digits + chinese + b"=" * 20000 + bytes(30000)
    assert carve(blob) == []


def test_template_heuristics_reject_implausible_vectors():
    real = np.frombuffer(dlib_like(7), dtype="<f4")
    assert template_kind(real) == "dlib128"
    assert template_kind(real * 3) is None  # norm too large
    assert template_kind(np.abs(real)) is None  # no negative components
    assert template_kind(np.full(128, 0.088, dtype=np.float32)) is None  # one repeated value
    assert template_kind(np.zeros(128, dtype=np.float32)) is None
    assert blob_template_kind(unit512(1)) == "unit512"
    assert blob_template_kind(b"A" * 512) is None
    assert blob_template_kind(dlib_like(1)[:-4]) is None
