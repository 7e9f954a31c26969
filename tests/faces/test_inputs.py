"""Every image format the engine promises, and a typed error for every kind of bad input."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.faces.conftest import FACES
from venue_audit.faces import (
    CorruptImage,
    DecompressionBomb,
    EmptyInput,
    FaceEngine,
    FaceInputError,
    NotAnImage,
    TruncatedImage,
    UndecodableVideo,
)
from venue_audit.faces.decode import decode_image

PORTRAIT = FACES / "obama" / "7_small.jpg"  # 320x240, one face


@pytest.fixture(scope="module")
def portrait() -> Image.Image:
    return Image.open(PORTRAIT).convert("RGB")


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mode", "options"),
    [
        ("PNG", "RGB", {}),
        ("PNG", "RGBA", {}),
        ("PNG", "L", {}),
        ("WEBP", "RGB", {"quality": 95}),
        ("BMP", "RGB", {}),
        ("GIF", "P", {}),
        ("TIFF", "RGB", {}),
        ("JPEG", "CMYK", {"quality": 95}),
        ("JPEG", "L", {"quality": 95}),
    ],
)
def test_each_format_finds_the_one_face(
    engine: FaceEngine, portrait: Image.Image, fmt: str, mode: str, options: dict
) -> None:
    image = portrait.convert(mode)
    result = engine.analyze_image(encoded(image, fmt, **options), f"face.{fmt.lower()}")
    assert (result.width, result.height) == (320, 240)
    assert len(result.faces) == 1


def test_a_16_bit_greyscale_png_is_scaled_not_clipped(portrait: Image.Image) -> None:
    import cv2

    grey = np.asarray(portrait.convert("L"), dtype=np.uint16) * 257
    ok, png = cv2.imencode(".png", grey)
    assert ok and Image.open(io.BytesIO(png.tobytes())).mode.startswith("I;16")
    rgb = decode_image(png.tobytes())
    assert rgb.dtype == np.uint8 and rgb.shape == (240, 320, 3)
    assert np.array_equal(rgb[:, :, 0], np.asarray(portrait.convert("L")))


def test_a_gif_is_read_from_its_first_frame(portrait: Image.Image) -> None:
    black = Image.new("RGB", portrait.size)
    out = io.BytesIO()
    portrait.save(out, "GIF", save_all=True, append_images=[black])
    rgb = decode_image(out.getvalue())
    assert rgb.mean() > 40  # the portrait, not the black second frame


def test_exif_orientation_is_applied(engine: FaceEngine, portrait: Image.Image) -> None:
    # Stored rotated, with the tag (6 = rotate 90 CW to view) that puts it upright again.
    stored = portrait.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encoded(stored, "JPEG", quality=95, exif=exif.tobytes())
    result = engine.analyze_image(data, "rotated.jpg")
    assert (result.width, result.height) == (320, 240)
    assert len(result.faces) == 1


def test_zero_bytes_is_an_empty_input(engine: FaceEngine) -> None:
    with pytest.raises(EmptyInput) as error:
        engine.analyze_image(b"", "empty.jpg")
    assert error.value.reason == "empty" and "empty.jpg" in str(error.value)


def test_a_truncated_jpeg_is_reported_as_truncated(engine: FaceEngine) -> None:
    data = PORTRAIT.read_bytes()
    with pytest.raises(TruncatedImage) as error:
        engine.analyze_image(data[: len(data) // 2], "cut.jpg")
    assert error.value.reason == "truncated"


def test_bytes_that_are_no_image_are_not_an_image_whatever_the_extension(
    engine: FaceEngine,
) -> None:
    with pytest.raises(NotAnImage) as error:
        engine.analyze_image(b"name,phone\nzhang,138\n" * 20, "visitor.jpg")
    assert ".jpg" in str(error.value)


def test_an_image_with_the_wrong_extension_is_decoded_by_its_content(
    engine: FaceEngine, portrait: Image.Image
) -> None:
    result = engine.analyze_image(encoded(portrait, "PNG"), "really_a_png.jpg")
    assert len(result.faces) == 1


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))


def test_a_decompression_bomb_is_refused_before_decoding(engine: FaceEngine) -> None:
    with pytest.raises(DecompressionBomb) as error:
        engine.analyze_image(_png_header_only(20_000, 20_000), "bomb.png")
    assert "100,000,000" in str(error.value) and error.value.reason == "too-many-pixels"


def test_the_pixel_limit_is_configurable(portrait: Image.Image) -> None:
    with pytest.raises(DecompressionBomb):
        decode_image(encoded(portrait, "PNG"), "face.png", max_pixels=320 * 240 - 1)
    assert decode_image(encoded(portrait, "PNG"), "face.png", max_pixels=320 * 240).shape[0] == 240


def test_a_corrupt_body_is_a_typed_error(engine: FaceEngine, portrait: Image.Image) -> None:
    data = bytearray(encoded(portrait, "PNG"))
    data[60:200] = bytes(140)
    with pytest.raises((CorruptImage, TruncatedImage)):
        engine.analyze_image(bytes(data), "broken.png")


def test_undecodable_video_bytes_are_a_typed_error(engine: FaceEngine) -> None:
    with pytest.raises(UndecodableVideo) as error:
        list(engine.analyze_video(b"\x00\x00\x00\x18ftypmp42" + bytes(2000)))
    assert error.value.reason == "undecodable-video"


def test_every_input_error_is_a_face_input_error_with_a_reason() -> None:
    for cls in (
        EmptyInput,
        NotAnImage,
        TruncatedImage,
        CorruptImage,
        DecompressionBomb,
        UndecodableVideo,
    ):
        assert issubclass(cls, FaceInputError) and cls.reason != FaceInputError.reason


def test_a_size_over_our_limit_but_under_pillows_is_refused_by_name(engine: FaceEngine) -> None:
    with pytest.raises(DecompressionBomb) as error:
        engine.analyze_image(_png_header_only(12_000, 9_000), "big.png")
    assert "12000x9000" in str(error.value)
