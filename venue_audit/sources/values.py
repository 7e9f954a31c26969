"""Decode one stored value into what it might hold: an image, a vector, a time.

Stores disguise face data in many encodings (raw blob, base64, hex, JSON
array, pgvector text, qCompress, .npy bytes). These decoders try each cheaply
and return None when a value is not that thing; they never raise on bad data.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Any

import numpy as np

IMAGE_MAGIC = {
    b"\xff\xd8\xff": "jpeg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"GIF8": "gif",
    b"BM": "bmp",
    b"II*\x00": "tiff",
    b"MM\x00*": "tiff",
}
TEMPLATE_DIMS = (128, 256, 512)
_B64_IMAGE_PREFIX = ("/9j/", "iVBORw0KGgo", "R0lGOD", "UklGR", "Qk")
_DATA_URL = re.compile(r"^data:image/[a-z]+;base64,", re.I)
_HEX = re.compile(r"^(?:0x|\\x)?[0-9a-fA-F]+$")


def image_kind(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for magic, kind in IMAGE_MAGIC.items():
        if data.startswith(magic):
            return None if kind == "bmp" and len(data) < 26 else kind
    return None


def as_bytes(value: Any) -> bytes | None:
    """Binary content of a value: raw bytes, or text that is base64 / hex / a data URL."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if not isinstance(value, str) or len(value) < 16:
        return None
    text = _DATA_URL.sub("", value.strip())
    if _HEX.match(text) and len(text) % 2 == 0:
        try:
            return binascii.unhexlify(text.removeprefix("0x").removeprefix("\\x"))
        except binascii.Error:
            return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def image_bytes(value: Any) -> bytes | None:
    """The image a value holds, if it holds one in any common encoding."""
    if isinstance(value, str):
        stripped = _DATA_URL.sub("", value.strip())
        if not stripped.startswith(_B64_IMAGE_PREFIX) and stripped[:6].lower() not in (
            "ffd8ff",
            "89504e",
        ):
            return None
    data = as_bytes(value)
    return data if data is not None and image_kind(data) else None


def vector(value: Any) -> np.ndarray | None:
    """A float vector of a template-like length from any encoding, else None."""
    if isinstance(value, list | tuple):
        return _finite(np.asarray(value, dtype=np.float64)) if _numeric_list(value) else None
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "[{(" and text[-1:] in "]})":
            try:
                parsed = json.loads("[" + text[1:-1] + "]")
            except (json.JSONDecodeError, RecursionError):
                return None
            return vector(parsed)
        data = as_bytes(value)
        return _vector_from_bytes(data) if data else None
    if isinstance(value, bytes | bytearray | memoryview):
        return _vector_from_bytes(bytes(value))
    return None


def _numeric_list(value: list[Any] | tuple[Any, ...]) -> bool:
    return len(value) in TEMPLATE_DIMS and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    )


def _finite(array: np.ndarray) -> np.ndarray | None:
    if array.ndim != 1 or array.size not in TEMPLATE_DIMS or not np.all(np.isfinite(array)):
        return None
    if np.abs(array).max() > 1e4 or np.count_nonzero(array) < array.size // 2:
        return None
    return array.astype(np.float32)


def _vector_from_bytes(data: bytes) -> np.ndarray | None:
    """Raw float32/float64 (LE or BE), pgvector binary, PG float8[] binary, .npy, qCompress."""
    if data.startswith(b"\x93NUMPY"):
        return _npy_vector(data)
    if len(data) > 4 and int.from_bytes(data[:4], "big") in {
        d * s for d in TEMPLATE_DIMS for s in (4, 8)
    }:
        try:
            unpacked = zlib.decompress(data[4:])
        except zlib.error:
            unpacked = b""
        if unpacked:
            return _vector_from_bytes(unpacked)
    if (
        len(data) >= 4
        and int.from_bytes(data[:2], "big") in TEMPLATE_DIMS
        and len(data) == 4 + 4 * int.from_bytes(data[:2], "big")
    ):
        return _finite(np.frombuffer(data[4:], dtype=">f4").astype(np.float64))
    for dtype in ("<f4", ">f4", "<f8", ">f8"):
        size = np.dtype(dtype).itemsize
        if len(data) % size or len(data) // size not in TEMPLATE_DIMS:
            continue
        with np.errstate(all="ignore"):
            array = np.frombuffer(data, dtype=dtype).astype(np.float64)
            candidate = _finite(array)
        if candidate is not None and _plausible_magnitudes(array):
            return candidate
    return None


def _plausible_magnitudes(array: np.ndarray) -> bool:
    """Wrong-endian or wrong-width floats decode to values like 1e-38 or 1e+30; real ones do not."""
    nonzero = np.abs(array[array != 0])
    return bool(nonzero.size) and float(np.median(nonzero)) > 1e-4 and float(nonzero.max()) < 1e3


def _npy_vector(data: bytes) -> np.ndarray | None:
    import io

    from venue_audit.sources.npy import NpyError, read_header

    stream = io.BytesIO(data)
    try:
        header = read_header(stream)
        dtype = np.dtype(header.descr)
    except (NpyError, TypeError, ValueError):
        return None
    if dtype.kind != "f":
        return None
    body = stream.read()
    if len(body) % dtype.itemsize:
        return None
    return _finite(np.frombuffer(body, dtype=dtype).astype(np.float64).ravel())
