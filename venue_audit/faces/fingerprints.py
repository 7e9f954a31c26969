"""Per-image fingerprints: SHA-256 of the bytes, PDQ hash + quality, 64-bit pHash.

PDQ runs on a copy no larger than 512x512, as Meta's PHP reference and other
ports do: the Jarosz filters are the expensive step and the hash is defined on a
64x64 downsample anyway. pHash is computed the way the ``imagehash`` package does
(greyscale, 32x32 Lanczos, 2-D DCT-II, 8x8 low band against its median), so its
hex string can be compared with hashes other tools made. Both start from one
shared copy box-reduced by an integer factor to no less than 512 px (Pillow's
``reducing_gap`` idea): a Lanczos kernel over a full 1080p frame costs more
than the face detection of a small photo, and the hashes move by a bit or two
at most.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image

PDQ_MAX_SIDE = 512
REDUCED_SIDE = 512


@dataclass(frozen=True)
class Fingerprints:
    sha256: str
    pdq: str  # 64 hex chars, bits in pdqhash's order, most significant first
    pdq_quality: int
    phash: str  # 16 hex chars


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def reduced_copy(rgb: np.ndarray) -> Image.Image:
    """The image box-reduced by the largest integer factor that keeps it >= 512 px."""
    image = Image.fromarray(rgb)
    factor = max(rgb.shape[:2]) // REDUCED_SIDE
    return image.reduce(factor) if factor >= 2 else image


def pdq_hash(rgb: np.ndarray | Image.Image) -> tuple[str, int]:
    image = rgb if isinstance(rgb, Image.Image) else Image.fromarray(rgb)
    if max(image.size) > PDQ_MAX_SIDE:
        image = image.copy()
        image.thumbnail((PDQ_MAX_SIDE, PDQ_MAX_SIDE), Image.Resampling.BILINEAR)
    bits, quality = pdqhash.compute(np.ascontiguousarray(np.asarray(image.convert("RGB"))))
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex(), int(quality)


def _dct_matrix(n: int) -> np.ndarray:
    """Unnormalised DCT-II (scipy's default): y[k] = 2 * sum_i x[i] cos(pi k (2i + 1) / 2n)."""
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    return 2.0 * np.cos(np.pi * k * (2 * i + 1) / (2 * n))


_DCT32 = _dct_matrix(32)


def phash(rgb: np.ndarray | Image.Image) -> str:
    image = rgb if isinstance(rgb, Image.Image) else Image.fromarray(rgb)
    grey = image.convert("L").resize((32, 32), Image.Resampling.LANCZOS)
    pixels = np.asarray(grey, dtype=np.float64)
    coefficients = _DCT32 @ pixels @ _DCT32.T
    low = coefficients[:8, :8]
    bits = (low > np.median(low)).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def fingerprint(data: bytes, rgb: np.ndarray) -> Fingerprints:
    reduced = reduced_copy(rgb)
    pdq, quality = pdq_hash(reduced)
    return Fingerprints(sha256_hex(data), pdq, quality, phash(reduced))
