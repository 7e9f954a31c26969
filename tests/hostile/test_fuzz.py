"""Mutated copies of valid evidence never make a reader raise past the dispatcher.

Each seed is a small valid file of one format; hypothesis flips, truncates,
inserts and overwrites bytes, and the result goes through the same path the
scanner takes: ``walk`` (reader choice and reading), every table's rows through
the classifier into records, and every picture through the face engine's
decoder. The only exceptions allowed are the typed ones the scanner records as
skipped items: ``sqlite3.DatabaseError`` from a corrupt page mid-table, and
``FaceInputError`` from a picture that cannot be decoded. Examples are bounded
so the whole file stays well under a minute.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sqlite3
import tarfile
import tempfile
import zipfile
from contextlib import suppress
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.corpus import noise_image, sqlite_bytes
from tests.sources.items import item_from_bytes
from venue_audit.acquire.items import hash_entry
from venue_audit.acquire.limits import DEFAULT_LIMITS
from venue_audit.faces import FaceInputError
from venue_audit.faces.decode import decode_image
from venue_audit.scan.dispatch import StoreRef, Unclaimed, walk
from venue_audit.scan.rows import records_from_table
from venue_audit.sources.base import DefaultContext, ImageFound, Problem, TableRows

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FUZZ = settings(
    max_examples=int(os.environ.get("VENUE_AUDIT_FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@cache
def seeds() -> dict[str, bytes]:
    """One small valid file per format the readers claim, named so its type is detected."""
    jpeg = noise_image("JPEG", (48, 40))
    members = io.BytesIO()
    with zipfile.ZipFile(members, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("faces/0001.jpg", jpeg)
        archive.writestr("rows.csv", "id,visitor_id\n1,V1\n")
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w:gz") as archive:
        info = tarfile.TarInfo("pack/rows.json")
        data = json.dumps([{"visitor_id": "V1", "feature": [0.1, -0.2] * 64}]).encode()
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    vectors = io.BytesIO()
    np.save(vectors, np.linspace(-1, 1, 4 * 128, dtype="<f4").reshape(4, 128))
    with tempfile.TemporaryDirectory() as scratch:
        database = sqlite_bytes(
            Path(scratch),
            [
                "create table t_face (id integer primary key, visitor_id text, photo blob, "
                "feature blob, capture_time text)",
                *[
                    f"insert into t_face (visitor_id, photo, feature, capture_time) values "
                    f"('V{i}', x'{jpeg.hex()}', x'{np.full(128, 0.05 * (i + 1) - 0.1, '<f4').tobytes().hex()}', "
                    f"'2024-03-1{i} 10:00:00')"
                    for i in range(3)
                ],
                "delete from t_face where id = 2",
            ],
        )
    feature = ",".join(f"{v:.3f}" for v in np.linspace(-0.2, 0.2, 128))
    return {
        "face.jpg": jpeg,
        "face.png": noise_image("PNG", (40, 32)),
        "backup.zip": members.getvalue(),
        "pack.tar.gz": packed.getvalue(),
        "face.db": database,
        "faces.csv": f'id,visitor_id,feature\n1,V1,"[{feature}]"\n2,V2,"[{feature}]"\n'.encode(),
        "faces.json": json.dumps(
            {"rows": [{"id": 1, "visitor_id": "V1", "img": "data:image/jpeg;base64,/9j/4AAQ"}]}
        ).encode(),
        "faces.jsonl": b'{"id": 1, "pin": "7"}\n{"id": 2, "pin": "8"}\n',
        "dump.sql": (
            b"-- MySQL dump 10.13\nCREATE TABLE `f` (`id` int, `img` longblob, `t` datetime);\n"
            b"INSERT INTO `f` VALUES (1,_binary '\\xff\\xd8\\xff\\xe0',"
            b"'2024-03-16 09:30:12'),(2,0xFFD8FFE0,NULL);\n"
        ),
        "pg.sql": (
            b"-- PostgreSQL database dump\nCREATE TABLE public.g (id integer, v bytea);\n"
            b"COPY public.g (id, v) FROM stdin;\n1\t\\\\x00ff\n\\.\n"
        ),
        "vectors.npy": vectors.getvalue(),
        "upload.log": (
            b"2024-03-16 02:00:01 INFO packed 120 face images into backup.zip\n"
            b"2024-03-16 02:00:09 INFO uploaded backup.zip to 203.0.113.9\n"
        ),
        "rows.json.gz": gzip.compress(b'[{"visitor_id": "V1"}]'),
        "backup.7z": seven_zip({"faces/0001.jpg": jpeg, "rows.csv": b"id,pin\n1,7\n"}),
    }


def seven_zip(members: dict[str, bytes]) -> bytes:
    import py7zr

    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return out.getvalue()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(seeds())))
    data = bytearray(seeds()[name])
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["flip", "truncate", "insert", "overwrite"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if operation == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif operation == "truncate":
            del data[at:]
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            chunk = draw(st.binary(min_size=1, max_size=64))
            data[at : at + len(chunk)] = chunk
    return name, bytes(data)


def consume(name: str, data: bytes) -> int:
    """Everything the scanner would do with the item short of writing to a case; yields seen."""
    seen = 0
    for store, found in walk(item_from_bytes(name, data), DefaultContext()):
        seen += 1
        if isinstance(found, TableRows):
            try:
                for _ in records_from_table(found, store, None, "Asia/Shanghai", []):
                    pass
            except sqlite3.DatabaseError:
                pass  # recorded by the scanner as "table could not be read to the end"
        elif isinstance(found, ImageFound):
            with suppress(FaceInputError):  # recorded by the scanner as a skipped picture
                decode_image(found.data, found.locator)
        else:
            assert isinstance(store, StoreRef) and found is not None
            assert not isinstance(found, Unclaimed) or found.locator
    return seen


def test_every_seed_is_read_as_valid_evidence() -> None:
    for name, data in seeds().items():
        found = []
        for _, entry in walk(item_from_bytes(name, data), DefaultContext()):
            if isinstance(entry, TableRows):
                entry.rows = iter(list(entry.rows))
            found.append(entry)
        assert not any(isinstance(f, Unclaimed | Problem) for f in found), (name, found)


@FUZZ
@given(mutated())
def test_mutated_evidence_never_raises_past_the_dispatcher(case: tuple[str, bytes]) -> None:
    name, data = case
    assert consume(name, data) >= 1


@FUZZ
@given(
    st.sampled_from(["x.jpg", "x.db", "x.zip", "x.sql", "x.csv", "x.json", "x.npy", "x.pkl"]),
    st.binary(max_size=2048),
)
def test_random_bytes_under_any_name_never_raise(name: str, data: bytes) -> None:
    consume(name, data)


@FUZZ
@given(mutated())
def test_acquisition_hashes_mutated_evidence_without_raising(case: tuple[str, bytes]) -> None:
    """Acquisition lists archive members from their headers: a mangled header is an error row."""
    name, data = case
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / name).write_bytes(data)
        records = hash_entry(Path(scratch), name, DEFAULT_LIMITS)
    assert records[0].path == name and records[0].sha256 is not None
    assert all(r.error is None or r.error for r in records)
