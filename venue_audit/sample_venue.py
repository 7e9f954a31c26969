"""Build a synthetic sales-office export whose true counts are known by construction.

Used three ways: ``scripts/make_sample_data.py`` writes the checked-in
``sample_data/``, end-to-end tests build a fresh copy in a temporary folder,
and benchmarks reuse the crops. Faces are real photos from the shared
face_recognition test set, cropped, rescaled and re-compressed the way a
capture camera stores "face pictures"; everything else (database, NVR folder,
cloud backup, upload log, consent register) mimics the Qingpu pattern.

The truth (records, images, templates, duplicates, deleted rows, persons and
their consent status) is computed here from what was written, not from what a
scan finds, so a scan can be checked against it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import dlib
import numpy as np
from PIL import Image, ImageDraw

from venue_audit.faces import EngineConfig, FaceEngine

AS_OF = "2024-06-30"
RETENTION_DAYS = 90

# identity -> (photos for the server's crops, first capture day, consent: (signed, withdrawn) or None)
VISITORS: dict[str, tuple[list[str], str, tuple[str, str | None] | None]] = {
    "alex_lacamoire": (["1.jpg", "2.jpg", "3.png"], "2024-06-03", ("2024-05-20", None)),
    "kit_harington": (["1.jpeg", "2.jpeg", "3.jpg"], "2024-03-28", ("2024-04-01", "2024-05-01")),
    "lin_manuel_miranda": (["1.png", "1.png"], "2024-02-15", ("2024-02-01", None)),
    "obama": (["1.jpg", "2.jpg", "3.jpg", "4.jpg", "6_720p.jpg"], "2024-03-15", None),
    "rose_leslie": (["1.jpg", "2.jpg"], "2024-04-10", None),
    "biden": (["1.jpg", "2.jpg"], "2024-03-20", None),
}
VISITOR_IDS = {name: f"V{index:04d}" for index, name in enumerate(VISITORS, start=1001)}
PHONES = {name: f"1380000{index:04d}" for index, name in enumerate(VISITORS, start=1)}
# rows deleted from the server database (identity, capture index): all of biden's, two of obama's
DELETED = {("biden", 0), ("biden", 1), ("obama", 3), ("obama", 4)}
# live server crops also packed into the cloud backup zip (exact duplicates)
BACKED_UP = [("obama", 0), ("obama", 1), ("rose_leslie", 0), ("kit_harington", 0)]
# full NVR frames: (source photo, channel, capture time, identities in it)
NVR_FRAMES = [
    ("obama/6_720p.jpg", "CH01", "20240316093012", ["obama"]),
    ("multi/kit_with_rose.jpg", "CH02", "20240411150233", ["kit_harington", "rose_leslie"]),
    ("alex_lacamoire/2.jpg", "CH01", "20240605111508", ["alex_lacamoire"]),
]
CROP_VARIANTS = [(0.45, 180, 88), (0.7, 220, 80), (0.55, 160, 92), (0.9, 240, 75), (0.35, 150, 95)]

SERVER_SCHEMA = """
CREATE TABLE t_face_capture (
    id INTEGER PRIMARY KEY,
    visitor_id TEXT NOT NULL,
    capture_time TEXT NOT NULL,
    camera_no TEXT,
    face_img BLOB,
    feature BLOB,
    score REAL
);
CREATE TABLE t_device (device_no TEXT PRIMARY KEY, location TEXT, logo BLOB);
"""


@dataclass
class Crop:
    identity: str
    index: int
    jpeg: bytes
    template: np.ndarray
    captured_at: datetime


def _largest_face(rgb: np.ndarray) -> dlib.rectangle:
    faces = dlib.get_frontal_face_detector()(rgb, 1)
    if not faces:
        raise ValueError("no face found in a source photo")
    return max(faces, key=lambda r: r.width() * r.height())


def make_crop(photo: Path, variant: int) -> bytes:
    """A capture-camera style face picture: face plus margin, rescaled, JPEG at some quality."""
    image = Image.open(photo).convert("RGB")
    scale = min(1.0, 1200 / max(image.size))
    small = (
        image.resize((int(image.width * scale), int(image.height * scale))) if scale < 1 else image
    )
    box = _largest_face(np.asarray(small))
    margin, side, quality = CROP_VARIANTS[variant % len(CROP_VARIANTS)]
    size = max(box.width(), box.height()) * (1 + 2 * margin) / scale
    cx, cy = (box.left() + box.right()) / 2 / scale, (box.top() + box.bottom()) / 2 / scale
    left, top = max(0, int(cx - size / 2)), max(0, int(cy - size / 2))
    crop = image.crop(
        (left, top, min(image.width, int(cx + size / 2)), min(image.height, int(cy + size / 2)))
    )
    crop.thumbnail((side, side))
    buffer = io.BytesIO()
    crop.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def decoy_picture(text: str, size: tuple[int, int] = (640, 360), fmt: str = "JPEG") -> bytes:
    """A picture with no face (a logo, a floor plan): must not count."""
    image = Image.new("RGB", size, (30, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, size[0] - 40, size[1] - 40), outline=(255, 255, 255), width=6)
    draw.text((60, size[1] // 2), text, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def build_crops(faces_dir: Path, engine: FaceEngine) -> list[Crop]:
    crops = []
    for identity, (photos, first_day, _) in VISITORS.items():
        start = datetime.fromisoformat(first_day + "T10:15:23")
        for index, photo in enumerate(photos):
            jpeg = make_crop(faces_dir / identity / photo, variant=index + len(identity))
            analysis = engine.analyze_image(jpeg)
            if len(analysis.faces) != 1:
                raise ValueError(
                    f"crop of {identity}/{photo} shows {len(analysis.faces)} faces, expected 1"
                )
            crops.append(
                Crop(
                    identity,
                    index,
                    jpeg,
                    analysis.faces[0].embedding,
                    start + timedelta(days=index * 3, minutes=index * 17),
                )
            )
    return crops


def write_server_db(path: Path, crops: list[Crop]) -> None:
    """The capture server's database, with some rows deleted and left in free pages.

    ``secure_delete`` is set OFF explicitly: Debian's SQLite zeroes deleted
    content by default, upstream SQLite (what venue systems run) does not.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)  # not evidence: the sample we generate
    connection.execute("pragma secure_delete = off")
    connection.execute("pragma journal_mode = delete")
    connection.executescript(SERVER_SCHEMA)
    connection.execute(
        "insert into t_device values ('CAM-01', '售楼处大门', ?)",
        (decoy_picture("LOGO", (96, 96), "PNG"),),
    )
    for number, crop in enumerate(crops, start=1):
        connection.execute(
            "insert into t_face_capture values (?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                VISITOR_IDS[crop.identity],
                crop.captured_at.strftime("%Y-%m-%d %H:%M:%S"),
                f"CAM-0{1 + number % 2}",
                crop.jpeg,
                crop.template.astype("<f4").tobytes(),
                0.9,
            ),
        )
    connection.commit()
    for crop in crops:
        if (crop.identity, crop.index) in DELETED:
            connection.execute(
                "delete from t_face_capture where visitor_id = ? and capture_time = ?",
                (VISITOR_IDS[crop.identity], crop.captured_at.strftime("%Y-%m-%d %H:%M:%S")),
            )
    connection.commit()
    connection.close()


def write_nvr(root: Path, faces_dir: Path) -> None:
    for photo, channel, stamp, _ in NVR_FRAMES:
        folder = root / channel
        folder.mkdir(parents=True, exist_ok=True)
        image = Image.open(faces_dir / photo).convert("RGB")
        image.thumbnail((1280, 1280))
        image.save(folder / f"{channel}_{stamp}.jpg", "JPEG", quality=90)
    (root / "CH01" / "CH01_20240316093500.jpg").write_bytes(decoy_picture("EMPTY LOBBY"))
    (root / "logo.png").write_bytes(decoy_picture("SALES OFFICE", (200, 80), "PNG"))


def write_cloud_backup(path: Path, crops: list[Crop]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    by_key = {(c.identity, c.index): c for c in crops}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for identity, index in BACKED_UP:
            crop = by_key[(identity, index)]
            name = f"faces/{crop.captured_at:%Y%m%d}/{VISITOR_IDS[identity]}_{crop.captured_at:%H%M%S}.jpg"
            info = zipfile.ZipInfo(name, date_time=crop.captured_at.timetuple()[:6])
            archive.writestr(info, crop.jpeg)


def write_upload_log(path: Path) -> None:
    """The daily pack → upload → delete pattern of the Qingpu server."""
    lines = []
    day = datetime(2024, 3, 15)
    for offset in range(0, 90, 15):
        d = day + timedelta(days=offset)
        stamp = d.strftime("%Y-%m-%d")
        lines += [
            f"{stamp} 02:00:01 INFO pack: packed 12 face images into /data/faces/pack_{d:%Y%m%d}.zip",
            f"{stamp} 02:00:09 INFO upload: ossutil cp /data/faces/pack_{d:%Y%m%d}.zip oss://scrm-cloud-backup/faces/ ok, 12 files uploaded to oss-cn-shanghai.aliyuncs.com",
            f"{stamp} 02:01:00 INFO delete: rm -f /data/faces/*.jpg, removed 12 local face images",
            f"{stamp} 09:00:00 INFO service: capture service started",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_consent_register(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["访客编号", "手机号", "签署时间", "撤回时间", "用途"])
        for identity, (_, _, consent) in VISITORS.items():
            if consent:
                signed, withdrawn = consent
                writer.writerow(
                    [
                        VISITOR_IDS[identity],
                        PHONES[identity],
                        f"{signed} 09:30:00",
                        f"{withdrawn} 18:00:00" if withdrawn else "",
                        "到访登记",
                    ]
                )


def write_policy(path: Path) -> None:
    path.write_text(
        "# Retention and purpose policy the sample venue is audited against.\n"
        f"retention_days = {RETENTION_DAYS}\n"
        'allowed_purposes = ["到访登记", "安防"]\n'
        "consent_required_before_capture = true\n"
        f'as_of = "{AS_OF}"\n',
        encoding="utf-8",
    )


def surviving_deleted(crops: list[Crop], database: bytes) -> list[Crop]:
    """Deleted rows of which something still exists in the database file, by a plain byte search.

    SQLite rebalances b-tree pages during a DELETE and may overwrite a deleted
    cell itself; a row none of whose bytes remain is gone for any tool. A row
    counts as recoverable when its unique capture time (the cell), its template
    or its picture (overflow pages) is still there: an oracle that does not
    depend on our parser.
    """
    return [
        c
        for c in crops
        if (c.identity, c.index) in DELETED
        and (
            c.captured_at.strftime("%Y-%m-%d %H:%M:%S").encode() in database
            or c.template.astype("<f4").tobytes() in database
            or c.jpeg in database
        )
    ]


def truth(crops: list[Crop], database: bytes) -> dict:
    live = [c for c in crops if (c.identity, c.index) not in DELETED]
    recoverable = surviving_deleted(crops, database)
    nvr_faces = sum(len(people) for *_, people in NVR_FRAMES)
    live_people = {c.identity for c in live} | {p for *_, people in NVR_FRAMES for p in people}
    deleted_only = {c.identity for c in recoverable} - live_people
    as_of = datetime.fromisoformat(AS_OF + "T23:59:59")
    status = {}
    for identity in sorted(live_people):
        consent = VISITORS[identity][2]
        captures = [c.captured_at for c in live if c.identity == identity]
        if consent is None:
            status[identity] = "no_consent"
        elif consent[1]:
            status[identity] = "withdrawn_retained"
        elif any((as_of - t).days > RETENTION_DAYS for t in captures):
            status[identity] = "expired_retained"
        else:
            status[identity] = "consented"
    by_status = {
        s: sum(1 for v in status.values() if v == s)
        for s in ("consented", "no_consent", "withdrawn_retained", "expired_retained")
    }
    return {
        "as_of": AS_OF,
        "faces": {
            "records": len(live) + len(NVR_FRAMES),
            "face_images": len(live) + len(NVR_FRAMES),
            "faces_in_images": len(live) + nvr_faces,
            "face_templates": len(live),
            "video_frames_with_faces": 0,
            "exact_duplicates": len(BACKED_UP),
            "deleted_recoverable": len(recoverable),
        },
        "deleted_rows": len(crops) - len(live),
        "persons": {
            "distinct": len(live_people),
            "only_in_deleted": len(deleted_only),
            "by_status": by_status,
        },
        "person_status": status,
        "visitor_ids": VISITOR_IDS,
        "decoys": {"pictures_without_faces": 2, "logo_blob_rows": 1},
    }


def build(out: Path, faces_dir: Path, engine: FaceEngine | None = None) -> dict:
    """Write the whole sample venue into ``out`` (replacing it) and return its truth."""
    if out.exists():
        shutil.rmtree(out)
    export = out / "export"
    engine = engine or FaceEngine(EngineConfig())
    crops = build_crops(faces_dir, engine)
    write_server_db(export / "server" / "face_capture.db", crops)
    write_upload_log(export / "server" / "logs" / "upload.log")
    write_nvr(export / "nvr", faces_dir)
    write_cloud_backup(export / "cloud" / "backup_20240316.zip", crops)
    write_consent_register(out / "consent" / "到访登记同意书.csv")
    write_policy(out / "policy.toml")
    shutil.copy(faces_dir / "LICENSE.face_recognition", out / "LICENSE.face_recognition")
    facts = truth(crops, (export / "server" / "face_capture.db").read_bytes())
    (out / "truth.json").write_text(
        json.dumps(facts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return facts
