"""Enrolment faces attached to consent rows: a photo or a stored template.

A venue that enrols visitors at signing often keeps the face it enrolled
beside the consent: a file name, an inline blob, a base64 string, or the
template vector itself. These are read here into a form the face linker can
compare with the person clusters. Photos are read lazily, only when a linker
asks, and only from inside the consent log's own folder so that a hostile path
in a log cannot make us read elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from venue_audit.acquire.items import open_evidence

MAX_PHOTO_BYTES = 20 * 1024 * 1024
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"BM", b"RIFF")
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")
# Embedding sizes (in values) that face systems commonly store.
_TEMPLATE_DIMS = (128, 256, 512)


class EnrolmentError(ValueError):
    """An enrolment value that cannot be read; the message says why."""


def looks_like_image(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC)


@dataclass(frozen=True)
class Enrolment:
    """The face a consent row enrolled: exactly one of photo bytes, photo path or template."""

    source: str
    photo_bytes: bytes | None = None
    photo_path: Path | None = None
    template: tuple[float, ...] | None = None

    def photo(self) -> bytes | None:
        """The photo's bytes, read on demand (None for a template-only enrolment)."""
        if self.photo_bytes is not None:
            return self.photo_bytes
        if self.photo_path is None:
            return None
        with open_evidence(self.photo_path) as handle:
            return handle.read(MAX_PHOTO_BYTES + 1)[:MAX_PHOTO_BYTES]


def template_from_bytes(data: bytes) -> tuple[float, ...] | None:
    """A float32 or float64 little-endian vector of a common embedding size, else None."""
    for width, code in ((4, "f"), (8, "d")):
        if len(data) % width:
            continue
        count = len(data) // width
        if count in _TEMPLATE_DIMS:
            values = struct.unpack(f"<{count}{code}", data)
            if all(math.isfinite(v) and abs(v) < 1e6 for v in values):
                return tuple(float(v) for v in values)
    return None


def _template_from_text(text: str) -> tuple[float, ...] | None:
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            values = json.loads(stripped)
        except ValueError:
            return None
        return _template_from_list(values)
    if "," in stripped:
        try:
            return _template_from_list([float(part) for part in stripped.split(",")])
        except ValueError:
            return None
    return None


def _template_from_list(values: object) -> tuple[float, ...] | None:
    if not isinstance(values, list) or len(values) not in _TEMPLATE_DIMS:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return None
    floats = tuple(float(v) for v in values)
    return floats if all(math.isfinite(v) for v in floats) else None


def _decode_base64(text: str) -> bytes | None:
    text = text.strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    if len(text) < 16 or not _BASE64.match(text):
        return None
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def read_template(value: object, source: str) -> Enrolment:
    """An enrolment from a template column value (blob, JSON list, CSV numbers, base64)."""
    template: tuple[float, ...] | None = None
    if isinstance(value, bytes | bytearray | memoryview):
        template = template_from_bytes(bytes(value))
    elif isinstance(value, list):
        template = _template_from_list(value)
    elif isinstance(value, str):
        template = _template_from_text(value)
        if template is None:
            decoded = _decode_base64(value)
            template = template_from_bytes(decoded) if decoded else None
    if template is None:
        raise EnrolmentError("template is not a float vector of a known size")
    return Enrolment(source=source, template=template)


def read_photo(value: object, source: str, log_folder: Path) -> Enrolment:
    """An enrolment from a photo column value (blob, base64, or path beside the log)."""
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        if not looks_like_image(data):
            raise EnrolmentError("photo blob is not a JPEG/PNG/GIF/BMP/WebP image")
        return Enrolment(source=source, photo_bytes=data)
    if not isinstance(value, str):
        raise EnrolmentError(f"photo value of type {type(value).__name__}")
    text = value.strip()
    if len(text) < 1024 and "\x00" not in text and not text.startswith("data:"):
        folder = log_folder.resolve()
        try:
            candidate = (folder / text.replace("\\", "/")).resolve()
        except (OSError, RuntimeError) as error:  # symlink loops, unreadable components
            raise EnrolmentError(f"photo path {text[:60]!r} cannot be resolved") from error
        if not candidate.is_relative_to(folder):
            raise EnrolmentError(f"photo path {text!r} points outside the consent log's folder")
        if candidate.is_file():
            return Enrolment(source=source, photo_path=candidate)
    decoded = _decode_base64(text)
    if decoded and looks_like_image(decoded):
        return Enrolment(source=source, photo_bytes=decoded)
    raise EnrolmentError(f"photo {text[:60]!r} not found beside the log and not an inline image")
