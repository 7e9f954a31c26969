"""Carving images and templates out of raw bytes (disk images, unknown blobs, database slack).

Images are found by structure, not just by signature: a JPEG is walked marker by marker (so an
EXIF thumbnail's end marker does not end the outer image), a PNG chunk by chunk with CRCs, a
WebP by its RIFF size. A structurally complete image is then decoded with Pillow; ``validated``
says whether that worked. Templates come from ``template_vectors``.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from venue_audit.recovery.template_vectors import find_template_runs

MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_DECODE_PIXELS = 80_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class CarvedItem:
    kind: str  # "jpeg", "png", "webp" or "template"
    offset: int
    length: int
    validated: bool
    data: bytes
    source: str = ""
    vector: np.ndarray | None = None
    detail: str = ""  # e.g. "640x480" or "dlib128"
    pages: list[int] = field(default_factory=list)  # SQLite pages the item spans, when known

    @property
    def end(self) -> int:
        return self.offset + self.length


def _jpeg_end(data: bytes, start: int) -> int | None:
    """End offset (exclusive) of the JPEG starting at ``start``, walking its segments."""
    n = len(data)
    pos = start + 2
    limit = min(n, start + MAX_IMAGE_BYTES)
    seen_sof = False
    while pos + 4 <= limit:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2 if seen_sof else None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        seg_len = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if seg_len < 2:
            return None
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            seen_sof = True
        if marker in (0xD8,) or (marker < 0xC0 and marker != 0x01):
            return None
        pos += 2 + seg_len
        if marker == 0xDA:  # start of scan: entropy-coded data until a real marker
            if not seen_sof:
                return None
            while pos + 1 < limit:
                hit = data.find(b"\xff", pos, limit)
                if hit < 0 or hit + 1 >= limit:
                    return None
                nxt = data[hit + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    pos = hit + (1 if nxt == 0xFF else 2)
                    continue
                pos = hit
                break
    return None


def _png_end(data: bytes, start: int) -> int | None:
    pos = start + 8
    limit = min(len(data), start + MAX_IMAGE_BYTES)
    first = True
    while pos + 12 <= limit:
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        ctype = data[pos + 4 : pos + 8]
        if length > limit - pos - 12 or not ctype.isalpha():
            return None
        if first and ctype != b"IHDR":
            return None
        first = False
        body_end = pos + 8 + length
        crc = struct.unpack(">I", data[body_end : body_end + 4])[0]
        if zlib.crc32(data[pos + 4 : body_end]) != crc:
            return None
        pos = body_end + 4
        if ctype == b"IEND":
            return pos
    return None


def _webp_end(data: bytes, start: int) -> int | None:
    if start + 20 > len(data) or data[start + 8 : start + 12] != b"WEBP":
        return None
    size = struct.unpack("<I", data[start + 4 : start + 8])[0]
    end = start + 8 + size
    if size < 12 or end > len(data) or size > MAX_IMAGE_BYTES:
        return None
    if data[start + 12 : start + 16] not in (b"VP8 ", b"VP8L", b"VP8X"):
        return None
    return end


def decode_check(blob: bytes) -> str | None:
    """Decode an image fully with Pillow; return 'WxH' or None if it does not decode."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(blob)) as img:
                if img.width * img.height > MAX_DECODE_PIXELS:
                    return None
                img.load()
                return f"{img.width}x{img.height}"
    except Exception:  # Pillow raises many types on corrupt data; any of them means "not valid"
        return None


def image_kind(blob: bytes) -> str | None:
    """'jpeg'/'png'/'webp' when a whole blob starts with that image's signature."""
    if blob.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if blob.startswith(PNG_SIGNATURE):
        return "png"
    if blob[:4] == b"RIFF" and blob[8:12] == b"WEBP":
        return "webp"
    return None


_FINDERS = (
    ("jpeg", b"\xff\xd8\xff", _jpeg_end),
    ("png", PNG_SIGNATURE, _png_end),
    ("webp", b"RIFF", _webp_end),
)


def _overlaps(start: int, end: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(start < r_end and r_start < end for r_start, r_end in ranges)


def carve(
    data: bytes,
    name: str = "",
    exclude_ranges: Iterable[tuple[int, int]] = (),
    templates: bool = True,
    kinds: tuple[str, ...] = ("jpeg", "png", "webp"),
) -> list[CarvedItem]:
    """Carve images and templates from ``data``; items overlapping ``exclude_ranges``
    (half-open byte ranges of live artifacts) are dropped. Only structurally complete images are
    returned; ``validated`` tells whether Pillow decoded them. ``kinds`` limits the image
    formats searched for: each is one pass over the bytes, which on a recorder's terabytes
    (JPEG snapshots only) is most of the cost."""
    excluded = list(exclude_ranges)
    items: list[CarvedItem] = []
    image_ranges: list[tuple[int, int]] = []
    for kind, signature, find_end in _FINDERS:
        if kind not in kinds:
            continue
        pos = data.find(signature)
        while pos >= 0:
            end = find_end(data, pos)
            inside = _overlaps(pos, pos + 1, image_ranges)
            if end is not None and not inside:
                blob = data[pos:end]
                dims = decode_check(blob)
                image_ranges.append((pos, end))
                if not _overlaps(pos, end, excluded):
                    items.append(CarvedItem(kind, pos, end - pos, dims is not None, blob, name,
                                            detail=dims or "does not decode"))
            pos = data.find(signature, pos + 1)
    if templates:
        for off, dims, kind in find_template_runs(data):
            end = off + 4 * dims
            if _overlaps(off, end, image_ranges) or _overlaps(off, end, excluded):
                continue
            blob = data[off:end]
            items.append(CarvedItem("template", off, end - off, True, blob, name,
                                    vector=np.frombuffer(blob, dtype="<f4").copy(), detail=kind))
    items.sort(key=lambda item: item.offset)
    return items
