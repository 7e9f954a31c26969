"""Decide what each column of a table holds, from its content first and its name second.

Vendors name columns anything (``feature``, ``tz``, ``f1``, ``特征值``), so a
column is an image column because its values decode to images, and a template
column because its values decode to fixed-length float vectors that look like
face embeddings across rows. Names only break ties and veto known decoys
(CLIP / text embeddings, fingerprint templates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from venue_audit.consent.timestamps import parse_timestamp
from venue_audit.sources import values

SAMPLE_ROWS = 64
_MIN_FRACTION = 0.6

_PERSON_KEY = re.compile(
    r"(visitor|person|people|user|member|customer|face|subject|staff|emp)[_ ]?(id|no|key|uid|code)$|^(pin|uid|personid|userid|visitorid)$|访客|人员编号|会员|工号|用户",
    re.I,
)
_TIME = re.compile(
    r"(time|date|_at$|^at$|timestamp|created|captured|capture_ts|ts$)|时间|日期", re.I
)
_TEMPLATE_NAME = re.compile(
    r"feature|embed|template|vector|descriptor|encoding|facedata|特征|模板", re.I
)
_DECOY_NAME = re.compile(r"clip|smart|text|caption|semantic|finger|minutia|palm|vein|iris", re.I)


@dataclass
class TemplateColumn:
    """``space`` names the embedding space exactly when a product profile knows it (else
    ``model_guess`` is the space); ``opaque`` marks vendor templates counted by their bytes."""

    index: int
    dim: int
    model_guess: str
    space: str | None = None
    opaque: bool = False


@dataclass
class ColumnRoles:
    """What the classifier decided for one table."""

    images: list[int] = field(default_factory=list)
    templates: list[TemplateColumn] = field(default_factory=list)
    person_key: int | None = None
    time: int | None = None
    reasons: list[str] = field(default_factory=list)
    deleted: int | None = None  # a known product's soft-delete column (set: kept, not live)
    camera: int | None = None  # a known product's camera / channel column

    @property
    def holds_faces(self) -> bool:
        return bool(self.images or self.templates)


_MIN_ENCODED_PICTURE = 64  # characters: a picture in base64 or hex is never shorter


def stray_pictures(row: list[Any], roles: ColumnRoles) -> list[tuple[int, bytes]]:
    """Pictures in the cells of a row outside the columns the sample marked as pictures.

    A column is called a picture column by the majority of its sampled values, so a
    face JPEG among random blobs (or past the sampled rows) would otherwise be missed:
    every cell is checked by its first bytes, which costs a few comparisons.
    """
    claimed = set(roles.images) | {t.index for t in roles.templates}
    found = []
    for index, cell in enumerate(row):
        if index in claimed or cell is None:
            continue
        if isinstance(cell, bytes | bytearray | memoryview):
            if values.image_kind(bytes(cell[:16])):
                found.append((index, bytes(cell)))
        elif isinstance(cell, str) and len(cell) >= _MIN_ENCODED_PICTURE:
            data = values.image_bytes(cell)
            if data is not None:
                found.append((index, data))
    return found


def classify(columns: list[str], sample: list[list[Any]], table: str = "") -> ColumnRoles:
    roles = ColumnRoles()
    for index, name in enumerate(columns):
        cells = [
            row[index] for row in sample if index < len(row) and row[index] not in (None, "", b"")
        ]
        if not cells:
            continue
        images = sum(1 for cell in cells if values.image_bytes(cell) is not None)
        if images >= max(1, _MIN_FRACTION * len(cells)):
            roles.images.append(index)
            roles.reasons.append(f"{name}: {images}/{len(cells)} sampled values decode as images")
            continue
        template = _template_column(index, name, table, cells, roles.reasons)
        if template is not None:
            roles.templates.append(template)
    roles.person_key = _pick(columns, sample, _PERSON_KEY, _looks_like_key)
    roles.time = _pick(
        columns,
        sample,
        _TIME,
        lambda cells: (
            sum(parse_timestamp(c) is not None for c in cells) >= _MIN_FRACTION * len(cells)
        ),
    )
    return roles


def _template_column(
    index: int, name: str, table: str, cells: list[Any], reasons: list[str]
) -> TemplateColumn | None:
    vectors = [v for v in (values.vector(cell) for cell in cells) if v is not None]
    if len(vectors) < max(1, _MIN_FRACTION * len(cells)):
        return None
    dims = {v.size for v in vectors}
    if len(dims) != 1:
        reasons.append(f"{name}: vectors of mixed lengths {sorted(dims)}: not a template column")
        return None
    if _DECOY_NAME.search(f"{table}.{name}"):
        reasons.append(
            f"{name}: vectors, but the name marks a non-face embedding (CLIP/text/fingerprint): not counted"
        )
        return None
    matrix = np.vstack(vectors)
    verdict = _embedding_structure(matrix)
    if verdict is not None:
        reasons.append(f"{name}: {verdict}: not counted as face templates")
        return None
    dim = dims.pop()
    reasons.append(
        f"{name}: {len(vectors)}/{len(cells)} sampled values are {dim}-d float vectors with face-embedding structure"
    )
    return TemplateColumn(index, dim, guess_model(matrix))


def _embedding_structure(matrix: np.ndarray) -> str | None:
    """Why a set of vectors is not a face-embedding column, or None if it plausibly is.

    Face embeddings have mixed-sign components, similar norms across rows and a
    low mean cosine between different rows in the 512-d spaces (ArcFace, FaceNet
    are centred; dlib's 128-d space is not, mean cosine ~0.85, so the test is not
    applied there). Uniform random floats are all positive; CLIP-like spaces share
    a strong common direction (high mean cosine).
    """
    positive = float((matrix > 0).mean())
    if positive > 0.9 or positive < 0.1:
        return f"{positive:.0%} of components positive (face embeddings mix signs)"
    norms = np.linalg.norm(matrix, axis=1)
    if norms.min() <= 0 or norms.std() / norms.mean() > 0.35:
        return "norms vary widely between rows"
    if len(matrix) >= 4 and matrix.shape[1] >= 512:
        unit = matrix / norms[:, None]
        cosine = unit @ unit.T
        mean_off_diagonal = (cosine.sum() - len(matrix)) / (len(matrix) * (len(matrix) - 1))
        if mean_off_diagonal > 0.45:
            return f"mean cosine {mean_off_diagonal:.2f} between rows (a shared direction, as in CLIP-style embeddings)"
    return None


def guess_model(matrix: np.ndarray) -> str:
    """A model family from length and norm; the report says it is a guess."""
    dim = matrix.shape[1]
    norm = float(np.median(np.linalg.norm(matrix, axis=1)))
    if dim == 128:
        return "dlib-resnet-v1-128?" if 0.5 <= norm <= 1.6 else "unknown-128"
    if dim == 512:
        return (
            "arcface-or-facenet-512 (normalised)"
            if abs(norm - 1) < 0.05
            else "arcface-512 (raw)"
            if norm > 5
            else "unknown-512"
        )
    return f"unknown-{dim}"


def _looks_like_key(cells: list[Any]) -> bool:
    texts = [str(c) for c in cells if isinstance(c, str | int) and not isinstance(c, bool)]
    return len(texts) >= _MIN_FRACTION * len(cells) and all(0 < len(t) <= 64 for t in texts)


def _pick(
    columns: list[str], sample: list[list[Any]], pattern: re.Pattern[str], check: Any
) -> int | None:
    for index, name in enumerate(columns):
        if not pattern.search(name):
            continue
        cells = [row[index] for row in sample if index < len(row) and row[index] not in (None, "")]
        if cells and check(cells):
            return index
    return None
