"""Per-image fingerprints: SHA-256 of the bytes, PDQ hash + quality, 64-bit pHash.

PDQ runs on a copy no larger than 512x512, as Meta's PHP reference and other
ports do: the Jarosz filters are the expensive step and the hash is defined on a
64x64 downsample anyway. pHash is computed the way the ``imagehash`` package does
(greyscale, 32x32 Lanczos, 2-D DCT-II, 8x8 low band against its median), so its
hex string can be compared with hashes other tools made.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image

PDQ_MAX_SIDE = 512


@dataclass(frozen=True)
class Fingerprints:
    sha256: str
    pdq: str  # 64 hex chars, bits in pdqhash's order, most significant first
    pdq_quality: int
    phash: str  # 16 hex chars


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdq_hash(rgb: np.ndarray) -> tuple[str, int]:
    height, width = rgb.shape[:2]
    if max(height, width) > PDQ_MAX_SIDE:
        image = Image.fromarray(rgb)
        image.thumbnail((PDQ_MAX_SIDE, PDQ_MAX_SIDE), Image.Resampling.BILINEAR)
        rgb = np.asarray(image)
    bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex(), int(quality)


def _dct_matrix(n: int) -> np.ndarray:
    """Unnormalised DCT-II (scipy's default): y[k] = 2 * sum_i x[i] cos(pi k (2i + 1) / 2n)."""
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    return 2.0 * np.cos(np.pi * k * (2 * i + 1) / (2 * n))


_DCT32 = _dct_matrix(32)


def phash(rgb: np.ndarray) -> str:
    grey = Image.fromarray(rgb).convert("L").resize((32, 32), Image.Resampling.LANCZOS)
    pixels = np.asarray(grey, dtype=np.float64)
    coefficients = _DCT32 @ pixels @ _DCT32.T
    low = coefficients[:8, :8]
    bits = (low > np.median(low)).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def fingerprint(data: bytes, rgb: np.ndarray) -> Fingerprints:
    pdq, quality = pdq_hash(rgb)
    return Fingerprints(sha256_hex(data), pdq, quality, phash(rgb))
