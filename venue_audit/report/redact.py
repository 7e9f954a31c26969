"""Make sample thumbnails that prove a face was stored without leaking whose it was.

The report travels further than the evidence (to lawyers, the venue, a court
file), so by default every face in it is destroyed past recognition:
pixelated to a few blocks across, then Gaussian-blurred. Only the colour
layout survives, which is enough to show "a face image was here". A plain
light blur is not enough — face recognisers match faces through surprising
amounts of blur — which is why the tests check that a face detector no longer
finds a face and that high-frequency energy drops by a large factor.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageFilter, UnidentifiedImageError

THUMBNAIL_MAX_SIDE = 160
MAX_SOURCE_PIXELS = 50_000_000
PIXELATE_BLOCKS = 8
BLUR_FRACTION = 0.05


class ThumbnailError(ValueError):
    """The image bytes could not be decoded (corrupt, hostile or not an image)."""


def make_thumbnail(data: bytes, redact: bool = True, max_side: int = THUMBNAIL_MAX_SIDE) -> bytes:
    """A JPEG no larger than ``max_side`` on its long side, blurred unless ``redact`` is False."""
    image = decode(data)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if redact:
        image = blur(image)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    """The picture as RGB (:class:`ThumbnailError` when it cannot be decoded)."""
    return decode_reduced(data, 1.0)[0]


def decode_reduced(data: bytes, reduce: float) -> tuple[Image.Image, float]:
    """The picture as RGB, and the scale it was decoded at.

    ``reduce`` > 1 lets a JPEG decode up to that many times smaller per side (libjpeg's
    DCT scaling, 1/2 to 1/8), for a caller that shows it smaller anyway; coordinates in
    the stored picture times the scale are coordinates in the decoded one.
    """
    try:
        image = Image.open(io.BytesIO(data))
        width = image.width
        if image.width * image.height > MAX_SOURCE_PIXELS:
            raise ThumbnailError(
                f"image of {image.width}x{image.height} pixels is too large for a thumbnail"
            )
        if reduce > 1:
            image.draft("RGB", (math.ceil(image.width / reduce), math.ceil(image.height / reduce)))
        image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:
        if isinstance(error, ThumbnailError):
            raise
        raise ThumbnailError(f"cannot decode image: {error}") from error
    return image.convert("RGB"), (image.width / width if width else 1.0)


def blur(image: Image.Image) -> Image.Image:
    """Pixelate to a few blocks, then blur: features go, the colour layout stays."""
    width, height = image.size
    side = max(width, height)
    blocks = (
        max(1, round(PIXELATE_BLOCKS * width / side)),
        max(1, round(PIXELATE_BLOCKS * height / side)),
    )
    coarse = image.resize(blocks, Image.Resampling.BOX).resize(
        image.size, Image.Resampling.BILINEAR
    )
    return coarse.filter(ImageFilter.GaussianBlur(radius=max(1.0, side * BLUR_FRACTION)))


def high_frequency_energy(image: Image.Image) -> float:
    """Variance of the Laplacian of the grey image: how much fine detail (edges) is left."""
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    laplacian = (
        -4 * grey[1:-1, 1:-1] + grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:]
    )
    return float(laplacian.var())
