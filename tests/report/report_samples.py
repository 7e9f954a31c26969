"""ReportData fixtures whose every number is known, for the report tests."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from PIL import Image

from tests.conftest import TEST_FACES
from venue_audit.report.model import (
    CaseDetails,
    CustodyEvent,
    EvidenceItem,
    FindingSection,
    LogEvent,
    Methodology,
    ModelFile,
    PersonRow,
    ReportData,
    SkippedItem,
    StoreRow,
    Thumbnail,
    Timeline,
    Transformation,
    empty_summary,
)

FACES = TEST_FACES
FACE_PHOTO = TEST_FACES / "obama" / "1.jpg"
OBAMA_FACE_BOX = (142, 617, 409, 349)  # top, right, bottom, left as dlib's HOG finds it


def face_crop_bytes() -> bytes:
    """A real face crop (with a margin) as PNG bytes, as a venue system would store it."""
    image = Image.open(FACE_PHOTO).convert("RGB")
    top, right, bottom, left = OBAMA_FACE_BOX
    margin = (bottom - top) // 3
    crop = image.crop(
        (max(0, left - margin), max(0, top - margin), right + margin, bottom + margin)
    )
    out = io.BytesIO()
    crop.save(out, format="PNG")
    return out.getvalue()


def make_report_data(
    records: int = 1234,
    persons: int = 321,
    with_thumbnails: bool = True,
    days: int = 60,
    evidence_items: int = 12,
    seed: int = 7,
) -> ReportData:
    """A case with ``records`` capture records spread over ``persons`` persons."""
    rng = random.Random(seed)
    start = date(2024, 3, 1)
    statuses = ["no_consent", "withdrawn_retained", "expired_retained", "consented"]
    person_rows = []
    per_person = [1] * persons
    for _ in range(records - persons):
        per_person[rng.randrange(persons)] += 1
    by_status = dict.fromkeys(statuses, 0)
    for number, count in enumerate(per_person, 1):
        status = statuses[0] if number % 7 else statuses[number % 4]
        by_status[status] += 1
        first = start + timedelta(days=rng.randrange(days))
        person_rows.append(
            PersonRow(
                id=number,
                records=count,
                first_seen=first.isoformat(),
                last_seen=(first + timedelta(days=rng.randrange(5))).isoformat(),
                status=status,
                space="dlib-128",
            )
        )
    captures: dict[str, int] = {}
    for _ in range(records):
        day = (start + timedelta(days=rng.randrange(days))).isoformat()
        captures[day] = captures.get(day, 0) + 1
    events = []
    for d in range(0, days, 1):  # one upload line a day naming its files, one deletion line
        files = rng.randint(20, 60)
        events.append(
            LogEvent(
                date=(start + timedelta(days=d)).isoformat(),
                kind="upload",
                count=files,
                remote_host="oss-cn-shanghai.example.com",
                lines=1,
                files=files,
            )
        )
    events += [
        LogEvent(date=(start + timedelta(days=d)).isoformat(), kind="delete", count=1, lines=1)
        for d in range(0, days, 1)
    ]
    as_of = start + timedelta(days=days + 30)
    ages = [(as_of - (start + timedelta(days=rng.randrange(days)))).days for _ in range(records)]
    summary = empty_summary("0.1.0", as_of.isoformat())
    summary["evidence"] = {
        "files": evidence_items,
        "bytes": 987654321,
        "manifest_sha256": "ab" * 32,
    }
    summary["stores"] = [
        {
            "path": "server/facedb.sqlite",
            "kind": "sqlite",
            "profile": "generic",
            "records": records - 100,
            "face_images": records - 100,
            "face_templates": 0,
        },
        {
            "path": "cloud/export.zip",
            "kind": "zip",
            "profile": "images",
            "records": 100,
            "face_images": 100,
            "face_templates": 0,
        },
    ]
    summary["faces"] = {
        "records": records,
        "face_images": records,
        "faces_in_images": records + 17,
        "face_templates": 0,
        "video_frames_with_faces": 3,
        "exact_duplicates": 41,
        "deleted_recoverable": 59,
    }
    summary["persons"] = {"distinct": persons, "only_in_deleted": 5, "by_status": by_status}
    findings = [
        FindingSection(
            rule="no-consent",
            severity="high",
            title_zh="存储人脸信息但无对应的单独同意记录",
            title_en="Face data stored with no matching separate consent",
            count=by_status["no_consent"],
            citations=["PIPL Art. 29", "PIPL Art. 14", "Measures Art. 6", "SPC JI Art. 2(3)"],
            locators=[f"server/facedb.sqlite!/faces/rowid={i}" for i in range(1, 40)],
            person_ids=[p.id for p in person_rows if p.status == "no_consent"],
            thumbnails=[Thumbnail(label=f"#{i}", image=face_crop_bytes()) for i in range(3)]
            if with_thumbnails
            else [],
        ),
        FindingSection(
            rule="offsite-upload",
            severity="medium",
            title_zh="本地人脸信息上传至云端或异地",
            title_en="Local face data uploaded to a cloud or off-site",
            count=days,
            citations=["Measures Art. 8", "PIPL Art. 51"],
            locators=["server/logs/upload.log:12"],
        ),
    ]
    summary["findings"] = [
        {"rule": f.rule, "count": f.count, "citations": f.citations} for f in findings
    ]
    evidence = []
    for number in range(evidence_items):
        sha = f"{number:064x}"
        evidence.append(
            EvidenceItem(
                path=f"现场导出/server/part{number:03d}.jpg",
                type="image/jpeg",
                size=1000 + number,
                mtime="2024-05-01T10:00:00+08:00",
                md5=f"{number:032x}",
                sha256=sha,
                sm3=f"{number + 1:064x}",
                acquired_at="2024-06-01T09:00:00+08:00",
                verified_sha256=sha if number != 3 else "f" * 64,
            )
        )
    return ReportData(
        case=CaseDetails(
            case_no="沪青检刑技〔2024〕17号",
            venue="某楼盘售楼处",
            examiners=["张三", "李四"],
            title="某售楼处违法收集人脸信息案",
            org="上海市青浦区人民检察院",
            tz="Asia/Shanghai",
            created_at="2024-06-01T09:00:00+08:00",
            as_of=as_of.isoformat(),
            period_start="2024-06-01T09:00:00+08:00",
            period_end="2024-06-03T17:00:00+08:00",
            place="检察技术实验室",
        ),
        summary=summary,
        evidence=evidence,
        stores=[
            StoreRow(
                path="server/facedb.sqlite",
                kind="sqlite",
                profile="generic",
                records=records - 100,
                face_images=records - 100,
                deleted_recoverable=59,
            ),
            StoreRow(
                path="cloud/export.zip", kind="zip", profile="images", records=100, face_images=100
            ),
        ],
        methodology=Methodology(
            tool_version="0.1.0",
            environment={"python": "3.11.9", "os": "Linux"},
            libraries={"dlib-bin": "19.24.6", "reportlab": "4.2"},
            models=[ModelFile(name="dlib_face_recognition_resnet_model_v1.dat", sha256="cd" * 32)],
            parameters={
                "detector": "hog",
                "min_face_size": 40,
                "match_threshold": 0.5,
                "seed": 0,
                "clustering": "chinese-whispers",
            },
            clustering="Chinese whispers over dlib 128-d embeddings, threshold 0.5, seed 0",
            transformations=[
                Transformation("wal_replay", "读取 WAL 恢复记录。", "WAL frames replayed.", 59)
            ],
            commands=[
                "venue-audit case new case --case-no X --examiner 张三 --examiner 李四",
                "venue-audit scan case --workers 2",
            ],
        ),
        findings=findings,
        persons=person_rows,
        persons_band=(persons - 9, persons + 4),
        timeline=Timeline(captures_per_day=captures, log_events=events),
        retention_ages_days=ages,
        retention_limit_days=90,
        custody=[
            CustodyEvent(
                seq=i,
                at=f"2024-06-01T09:{i:02d}:00+08:00",
                actor="zhangsan",
                action="scan",
                command="venue-audit scan case",
                hash=f"{i:064x}",
            )
            for i in range(1, 6)
        ],
        skipped=[
            SkippedItem(
                locator="server/broken.db", reason="not a database: file is encrypted", stage="scan"
            )
        ],
    )
