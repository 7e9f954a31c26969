"""Realistic instances of each known system's storage, generated with a known true answer.

Faces are real crops of the shared test photos; 512-d templates are vectors
generated per planted identity (normalised, mixed sign, near-zero cosine
between identities); 128-d templates are real dlib encodings of the crops.
Dumps are written the way pg_dump (plain COPY) and mysqldump (extended
INSERTs, ``--hex-blob``) write them.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from tests.conftest import TEST_FACES
from venue_audit.sample_venue import decoy_picture, make_crop

PHOTOS = {
    "obama": ["1.jpg", "2.jpg", "3.jpg"],
    "biden": ["1.jpg", "2.jpg"],
    "kit_harington": ["1.jpeg", "2.jpeg"],
    "rose_leslie": ["1.jpg", "2.jpg"],
}


@cache
def crop(identity: str, index: int = 0, copy: str = "") -> bytes:
    """A JPEG face crop of a planted identity (real photo, re-compressed like a capture camera).

    ``copy`` writes a JPEG comment, so the same picture kept by two forms of a
    store is not an exact duplicate of the other.
    """
    photos = PHOTOS[identity]
    data = make_crop(TEST_FACES / identity / photos[index % len(photos)], variant=index)
    if copy:
        comment = copy.encode()
        data = data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]
    return data


@cache
def webp(identity: str, index: int = 0, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(crop(identity, index))).convert("RGB").save(buffer, "WEBP", quality=quality)
    return buffer.getvalue()


@cache
def frame(identity: str, index: int = 0) -> bytes:
    """A camera frame (the whole photo, downscaled) in which a face is found."""
    image = Image.open(TEST_FACES / identity / PHOTOS[identity][index]).convert("RGB")
    image.thumbnail((640, 640))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


@cache
def dlib_encoding(identity: str, index: int = 0) -> tuple[float, ...]:
    from venue_audit.faces import FaceEngine

    faces = FaceEngine().analyze_image(crop(identity, index)).faces
    assert len(faces) == 1
    return tuple(float(v) for v in faces[0].embedding)


class Vectors:
    """Templates per planted identity: samples around a random unit centroid."""

    def __init__(self, seed: int, dim: int = 512, scale: float = 1.0) -> None:
        self.rng = np.random.default_rng(seed)
        self.dim, self.scale = dim, scale
        self.centroids: dict[str, np.ndarray] = {}

    def sample(self, identity: str, sigma: float = 0.6) -> list[float]:
        centroid = self.centroids.setdefault(identity, _unit(self.rng.normal(size=self.dim)))
        noisy = _unit(centroid + sigma * self.rng.normal(size=self.dim) / np.sqrt(self.dim))
        return [float(v) for v in noisy * self.scale]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def clip_like(rng: np.random.Generator, n: int) -> list[list[float]]:
    """CLIP-style image embeddings: a strong shared direction, the decoy in Immich's smart_search."""
    shared = _unit(rng.normal(size=512))
    return [[float(v) for v in _unit(shared * 3 + rng.normal(size=512) / 8)] for _ in range(n)]


def uuids(seed: int) -> Iterable[str]:
    rng = np.random.default_rng(seed)
    while True:
        yield str(uuid.UUID(bytes=rng.bytes(16), version=4))


# --- dump writers ------------------------------------------------------------------------------


def _pg_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return "{" + ",".join(repr(v) for v in value) + "}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def pg_dump(tables: Sequence[tuple[str, str, list[str], list[list[Any]]]]) -> str:
    """pg_dump plain format: all CREATE TABLEs, then one COPY block per table in name order."""
    out = [
        "--\n-- PostgreSQL database dump\n--\n",
        "SET statement_timeout = 0;\nSET standard_conforming_strings = on;\n",
    ]
    for name, ddl, _, _ in tables:
        out.append(f"CREATE TABLE public.{name} (\n    {ddl}\n);\n\n")
    for name, _, columns, rows in sorted(tables, key=lambda t: t[0].strip('"')):
        quoted = ", ".join(c if c.islower() else f'"{c}"' for c in columns)
        out.append(f"COPY public.{name} ({quoted}) FROM stdin;\n")
        out.extend("\t".join(_pg_field(v) for v in row) + "\n" for row in rows)
        out.append("\\.\n\n")
    out.append("--\n-- PostgreSQL database dump complete\n--\n")
    return "".join(out)


def _my_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return "0x" + value.hex().upper() if value else "''"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def mysql_dump(tables: Sequence[tuple[str, str, list[str], list[list[Any]]]]) -> str:
    """mysqldump --hex-blob: per table DROP/CREATE then one extended INSERT."""
    out = ["-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n",
           "/*!40101 SET NAMES utf8mb4 */;\n"]
    for name, ddl, _columns, rows in tables:
        out.append(f"DROP TABLE IF EXISTS `{name}`;\nCREATE TABLE `{name}` (\n  {ddl}\n) "
                   "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n")
        out.append(f"LOCK TABLES `{name}` WRITE;\n")
        if rows:
            values = ",".join("(" + ",".join(_my_value(v) for v in row) + ")" for row in rows)
            out.append(f"INSERT INTO `{name}` VALUES {values};\n")
        out.append("UNLOCK TABLES;\n")
    return "".join(out)


def sqlite_db(path: Path, tables: Sequence[tuple[str, str, list[str], list[list[Any]]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        for name, ddl, columns, rows in tables:
            connection.execute(f'CREATE TABLE "{name}" ({ddl})')
            marks = ",".join("?" * len(columns))
            quoted = ",".join(f'"{c}"' for c in columns)
            connection.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', rows)
    connection.close()


def sqlite_text_dump(database: Path) -> str:
    """What ``sqlite3 db .dump`` writes."""
    connection = sqlite3.connect(database)
    try:
        return "\n".join(connection.iterdump()) + "\n"
    finally:
        connection.close()


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def gzipped(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), mtime=0)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


__all__ = ["decoy_picture", "json"]
