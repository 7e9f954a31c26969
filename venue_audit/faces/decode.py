"""Image bytes to an upright 8-bit RGB array, or a typed error saying why not.

The format is taken from the bytes, never from the file name: a PNG saved as
``.jpg`` decodes as the PNG it is, and a text file named ``.jpg`` is
:class:`NotAnImage`. The pixel limit is checked on the header before any pixel
is decoded, so a decompression bomb costs nothing.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from venue_audit.faces.errors import (
    CorruptImage,
    DecompressionBomb,
    EmptyInput,
    NotAnImage,
    TruncatedImage,
)

_HIGH_BIT_DEPTH = {"I;16", "I;16B", "I;16L", "I;16N", "I"}


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The chunks a PNG needs to be drawn; every other (text, colour profile, EXIF, …) is optional.
_PNG_PIXEL_CHUNKS = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS"})


def png_pixels_only(data: bytes) -> bytes | None:
    """The PNG with its optional chunks left out, or None when ``data`` is no PNG.

    A zTXt or iCCP chunk that inflates to a gigabyte makes Pillow refuse the whole
    picture (rightly, it will not inflate it); the pixels themselves are intact.
    """
    if not data.startswith(_PNG_SIGNATURE):
        return None
    out = [_PNG_SIGNATURE]
    position = len(_PNG_SIGNATURE)
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if kind in _PNG_PIXEL_CHUNKS:
            out.append(data[position:end])
        position = end
        if kind == b"IEND":
            break
    return b"".join(out)


def decode_image(data: bytes, name: str = "", max_pixels: int = 100_000_000) -> np.ndarray:
    """Decode ``data``; a PNG refused for an oversized optional chunk is decoded without it."""
    try:
        return _decode_image(data, name, max_pixels)
    except CorruptImage as error:
        oversized_chunk = "decompressed data too large" in str(error).lower()
        stripped = png_pixels_only(data) if oversized_chunk else None
        if stripped is None:
            raise
        return _decode_image(stripped, name, max_pixels)


def _decode_image(data: bytes, name: str = "", max_pixels: int = 100_000_000) -> np.ndarray:
    """Decode ``data`` to an (H, W, 3) uint8 RGB array with EXIF orientation applied.

    Alpha is dropped (as ``face_recognition.load_image_file`` does), CMYK, palette
    and greyscale are converted, 16-bit samples are scaled to 8 bits, and only the
    first frame of an animation is used.
    """
    if not data:
        raise EmptyInput("zero bytes", name)
    # A truncated file must fail, not decode as a half-grey picture.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    if Image.MAX_IMAGE_PIXELS is not None and max_pixels > Image.MAX_IMAGE_PIXELS:
        # Pillow's own guard would refuse sizes the caller has allowed.
        Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise DecompressionBomb(
                    f"{width}x{height} = {width * height:,} pixels is over the limit of "
                    f"{max_pixels:,}",
                    name,
                )
            if width <= 0 or height <= 0:
                raise CorruptImage(f"image has size {width}x{height}", name)
            image.seek(0)
            image.load()
            image = ImageOps.exif_transpose(image) or image
            return _to_rgb(image)
    except Image.DecompressionBombError as error:
        raise DecompressionBomb(
            f"declared size is over the limit of {max_pixels:,} pixels ({error})", name
        ) from error
    except UnidentifiedImageError as error:
        raise NotAnImage(f"not a recognised image format{_extension_note(name)}", name) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        if isinstance(error, DecompressionBomb | CorruptImage):
            raise
        text = str(error)
        if "truncated" in text or isinstance(error, EOFError) or "broken data stream" in text:
            raise TruncatedImage(f"image data is truncated ({text})", name) from error
        raise CorruptImage(f"image could not be decoded ({text})", name) from error


def _extension_note(name: str) -> str:
    if "." in name:
        return f" (the name ends in .{name.rsplit('.', 1)[1]}, the bytes are no such image)"
    return ""


def _to_rgb(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode in _HIGH_BIT_DEPTH:
        values = np.asarray(image).astype(np.float64)
        grey = np.clip(np.round(values / 257.0), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if mode == "F":
        values = np.asarray(image, dtype=np.float64)
        grey = np.clip(np.round(values), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if mode != "RGB":
        image = image.convert("RGB")
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
