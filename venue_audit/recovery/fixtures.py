"""Generated vendor-style face databases where the deleted rows are known.

Used by the recovery tests and benchmark (and available to the sample-data script): N capture
rows with a real JPEG face crop (2-8 KB, cut from the photos in tests/data/faces) and a
128 x float32 template; k of them deleted under one of several storage settings. The template is
the real dlib descriptor of the source photo plus small per-capture noise (sigma 0.01), because
a capture system stores a fresh template per capture and computing 60 descriptors per test run
would cost seconds for no gain in what recovery is tested on.
"""

from __future__ import annotations

import io
import random
import shutil
import sqlite3
import struct
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

# face_recognition's MIT-licensed test photos, kept with the repository's tests
FACES_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "faces"
FACE_TABLE_SQL = (
    "CREATE TABLE face_capture (id INTEGER PRIMARY KEY, visitor_id TEXT, capture_time TEXT, "
    "camera TEXT, face_img BLOB, feature BLOB)"
)
VARIANTS = (
    "plain",
    "wal_uncheckpointed",
    "wal_checkpointed",
    "auto_vacuum",
    "vacuum",
    "secure_delete",
    "journal_persist",
)


@dataclass(frozen=True)
class FaceRow:
    id: int
    visitor_id: str
    capture_time: str
    camera: str
    face_img: bytes
    feature: bytes

    def as_tuple(self) -> tuple:
        return (self.id, self.visitor_id, self.capture_time, self.camera, self.face_img,
                self.feature)


@dataclass
class Scenario:
    variant: str
    db: bytes
    wal: bytes | None
    journal: bytes | None
    rows: list[FaceRow]
    deleted_ids: list[int]
    notes: list[str] = field(default_factory=list)

    @property
    def deleted_rows(self) -> list[FaceRow]:
        ids = set(self.deleted_ids)
        return [r for r in self.rows if r.id in ids]


def _photos(faces_dir: Path) -> list[Path]:
    return sorted(
        p for p in faces_dir.glob("*/*")
        if p.suffix.lower() in (".jpg", ".jpeg", ".png") and p.parent.name != "multi"
    )


@lru_cache(maxsize=64)
def _face_box_and_descriptor(path: Path) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """Face box (top, right, bottom, left) and real dlib descriptor of one photo."""
    import face_recognition

    img = Image.open(path).convert("RGB")
    scale = min(1.0, 480 / max(img.size))
    small = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))))
    arr = np.asarray(small)
    boxes = face_recognition.face_locations(arr)
    if not boxes:
        h, w = arr.shape[:2]
        boxes = [(h // 4, 3 * w // 4, 3 * h // 4, w // 4)]
    box = boxes[0]
    enc = face_recognition.face_encodings(arr, known_face_locations=[box])
    descriptor = enc[0] if enc else np.zeros(128)
    top, right, bottom, left = (int(v / scale) for v in box)
    return (top, right, bottom, left), np.asarray(descriptor, dtype=np.float64)


def _crop_jpeg(path: Path, box: tuple[int, int, int, int], rng: random.Random) -> bytes:
    top, right, bottom, left = box
    img = Image.open(path).convert("RGB")
    margin = rng.uniform(0.15, 0.45)
    h, w = bottom - top, right - left
    crop = img.crop((
        max(0, int(left - margin * w)), max(0, int(top - margin * h)),
        min(img.width, int(right + margin * w)), min(img.height, int(bottom + margin * h)),
    ))
    side = rng.randint(80, 150)
    crop = crop.resize((side, max(1, int(side * crop.height / max(1, crop.width)))))
    quality = rng.randint(60, 90)
    for _ in range(12):
        buf = io.BytesIO()
        crop.save(buf, "JPEG", quality=quality)
        data = buf.getvalue()
        if len(data) > 8000 and quality > 20:
            quality -= 10
        elif len(data) < 2000 and quality < 95:
            quality += 5
        else:
            return data
    return data


def make_face_rows(n: int = 60, seed: int = 7, faces_dir: Path = FACES_DIR) -> list[FaceRow]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    photos = _photos(faces_dir)
    if not photos:
        raise FileNotFoundError(f"no face photos under {faces_dir}")
    rows = []
    visitor_ids = rng.sample(range(100000, 999999), n)
    for i in range(1, n + 1):
        photo = photos[(i - 1) % len(photos)]
        box, descriptor = _face_box_and_descriptor(photo)
        feature = (descriptor + nrng.normal(0, 0.01, 128)).astype("<f4").tobytes()
        rows.append(FaceRow(
            id=i,
            visitor_id=f"V{visitor_ids[i - 1]}",
            capture_time=f"2025-03-{1 + i % 28:02d} {8 + i % 12:02d}:{i % 60:02d}:{(7 * i) % 60:02d}",
            camera=f"cam-{1 + i % 4}-{'入口' if i % 2 else '展厅'}",
            face_img=_crop_jpeg(photo, box, rng),
            feature=feature,
        ))
    return rows


def _connect(path: Path, variant: str, page_size: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)  # not evidence: a fixture we generate
    conn.execute(f"PRAGMA page_size={page_size}")
    secure = "ON" if variant in ("secure_delete", "journal_persist") else "OFF"
    conn.execute(f"PRAGMA secure_delete={secure}")
    if variant == "auto_vacuum":
        conn.execute("PRAGMA auto_vacuum=FULL")
    mode = {"wal_uncheckpointed": "WAL", "wal_checkpointed": "WAL",
            "journal_persist": "PERSIST"}.get(variant, "DELETE")
    conn.execute(f"PRAGMA journal_mode={mode}")
    return conn


def build_scenario(
    variant: str,
    rows: list[FaceRow],
    deleted_ids: list[int],
    workdir: Path | None = None,
    page_size: int = 4096,
) -> Scenario:
    """Build one variant in a temporary directory and return the files' bytes.

    plain: rollback journal (DELETE), secure_delete=OFF. wal_uncheckpointed: rows inserted and
    checkpointed, then deleted with autocheckpoint off; db and -wal are copied while the
    connection is still open (closing would checkpoint). wal_checkpointed: the same, then
    ``wal_checkpoint(FULL)`` before copying. auto_vacuum: FULL. vacuum: DELETE then VACUUM.
    secure_delete: secure_delete=ON. journal_persist: secure_delete=ON with journal_mode=PERSIST,
    so the db is zeroed but the journal left behind holds the original pages.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; have {VARIANTS}")
    own = workdir is None
    base = Path(tempfile.mkdtemp(prefix="recovery-fixture-")) if own else workdir
    try:
        path = base / f"{variant}.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        conn = _connect(path, variant, page_size)
        conn.execute(FACE_TABLE_SQL)
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO face_capture VALUES (?,?,?,?,?,?)",
                         [r.as_tuple() for r in rows])
        conn.execute("COMMIT")
        if variant.startswith("wal"):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA wal_autocheckpoint=0")
        marks = ",".join("?" * len(deleted_ids))
        conn.execute(f"DELETE FROM face_capture WHERE id IN ({marks})", deleted_ids)
        if variant == "vacuum":
            conn.execute("VACUUM")
        if variant == "wal_checkpointed":
            conn.execute("PRAGMA wal_checkpoint(FULL)")
        wal = journal = None
        db = path.read_bytes()
        wal_path = Path(f"{path}-wal")
        if variant.startswith("wal") and wal_path.exists():
            wal = wal_path.read_bytes()
        journal_path = Path(f"{path}-journal")
        if variant == "journal_persist" and journal_path.exists():
            journal = journal_path.read_bytes()
        conn.close()
        return Scenario(variant, db, wal, journal, rows, sorted(deleted_ids))
    finally:
        if own:
            shutil.rmtree(base, ignore_errors=True)


def choose_deleted(rows: list[FaceRow], k: int, seed: int = 11) -> list[int]:
    return sorted(random.Random(seed).sample([r.id for r in rows], k))


def surviving_deleted_ids(scenario: Scenario) -> set[int]:
    """Deleted rows whose bytes still exist somewhere in the evidence files: the ground truth for
    "recoverable", found by plain byte search for each row's unique visitor id, independent of
    the parser. Rows missing here were overwritten by SQLite itself (b-tree rebalancing during
    the DELETE rewrites pages and moves cells over deleted ones)."""
    files = [scenario.db, scenario.wal or b"", scenario.journal or b""]
    return {
        row.id for row in scenario.deleted_rows
        if any(row.visitor_id.encode() in data for data in files)
    }


def _value_body(value: object, encoding: str) -> tuple[int, bytes]:
    """(serial type, body bytes) SQLite stores ``value`` as, written out here independently of
    the recovery code so tests can check it against the file."""
    if value is None:
        return 0, b""
    if isinstance(value, float):
        return 7, struct.pack(">d", value)
    if isinstance(value, int):
        if value in (0, 1):
            return 8 + value, b""
        for st, size in ((1, 1), (2, 2), (3, 3), (4, 4), (5, 6), (6, 8)):
            if -(1 << (8 * size - 1)) <= value < 1 << (8 * size - 1):
                return st, value.to_bytes(size, "big", signed=True)
    if isinstance(value, str):
        raw = value.encode(encoding)
        return 13 + 2 * len(raw), raw
    raw = bytes(value)  # type: ignore[arg-type]
    return 12 + 2 * len(raw), raw


def _varint_size(value: int) -> int:
    return 9 if value > (1 << 56) - 1 else max(1, (value.bit_length() + 6) // 7)


def record_survives(
    data: bytes, values: tuple, encoding: str, usable: int, alias: int | None = None,
    index: bool = False,
) -> bool:
    """The row's record body is in ``data``: the part a leaf page keeps and every overflow
    page's part, each found by plain byte search (the oracle for "its bytes survive")."""
    parts = [(0, b"") if i == alias else _value_body(v, encoding) for i, v in enumerate(values)]
    header = 1 + sum(_varint_size(st) for st, _ in parts)
    body = b"".join(raw for _st, raw in parts)
    payload = header + len(body)
    max_local = (usable - 12) * 64 // 255 - 23 if index else usable - 35
    min_local = (usable - 12) * 32 // 255 - 23
    local = payload
    if payload > max_local:
        local = min_local + (payload - min_local) % (usable - 4)
        local = local if local <= max_local else min_local
    pieces = [body[: max(0, local - header)]]
    pieces += [body[pos : pos + usable - 4] for pos in range(local - header, len(body), usable - 4)]
    return all(piece in data for piece in pieces if piece)
