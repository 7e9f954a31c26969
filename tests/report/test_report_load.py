"""The loader counts a hand-built case.db by DESIGN.md's counting rules.

Every row is inserted directly, so the true answer of each count is known:
a database row holding a crop and its template is one record, deleted rows are
counted apart from live ones, persons seen only in deleted data are not in
``distinct``, and times are bucketed by day in the case's time zone.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import pdf_text
from report_samples import face_crop_bytes

from venue_audit.case import Case, CaseInfo
from venue_audit.report import load_report_data, render_report
from venue_audit.summary import build_summary as canonical_summary

LOCAL_DAY = "2024-05-01T10:00:00+08:00"
UTC_LATE = "2024-05-01T23:30:00+00:00"  # already 2024-05-02 in Shanghai


def _digests(data: bytes) -> dict[str, str]:
    return {
        "md5": hashlib.md5(data).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "sm3": "0" * 64,
    }


@pytest.fixture()
def case(tmp_path: Path) -> Case:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "faces.db").write_bytes(b"sqlite bytes" * 100)
    (evidence / "export.zip").write_bytes(b"zip bytes" * 100)
    case = Case.create(
        tmp_path / "case",
        CaseInfo(
            case_no="T-1",
            venue="某售楼处",
            examiners=["张三", "李四"],
            title="测试案",
            org="某检察院",
        ),
        command=["venue-audit", "case", "new"],
    )
    db = case.db
    db["sources"].insert({"id": 1, "root": str(evidence), "label": "现场", "added_at": LOCAL_DAY})
    for number, name in ((1, "faces.db"), (2, "export.zip")):
        data = (evidence / name).read_bytes()
        db["evidence"].insert(
            {
                "id": number,
                "source_id": 1,
                "path": name,
                "name": name,
                "entry": "file",
                "type": "sqlite" if number == 1 else "zip",
                "size": len(data),
                "mtime": LOCAL_DAY,
                **_digests(data),
                "version": 1,
                "current": 1,
                "acquired_at": LOCAL_DAY,
            }
        )
    db["evidence"].insert(
        {
            "id": 3,
            "source_id": 1,
            "path": "export.zip!/a.jpg",
            "name": "a.jpg",
            "parent_id": 2,
            "entry": "file",
            "type": "jpeg",
            "size": 3,
            **_digests(b"abc"),
            "version": 1,
            "current": 1,
        }
    )
    db["stores"].insert_all(
        [
            {
                "id": 1,
                "evidence_id": 1,
                "locator": "faces.db",
                "kind": "sqlite",
                "profile": "generic",
            },
            {
                "id": 2,
                "evidence_id": 2,
                "locator": "export.zip",
                "kind": "archive",
                "profile": "images",
            },
        ]
    )
    artifacts = []
    for key in ("r1", "r2", "r3"):  # crop + template in one row: one record each
        at = UTC_LATE if key == "r1" else LOCAL_DAY
        artifacts.append(
            {
                "store_id": 1,
                "record_key": key,
                "kind": "face_crop",
                "deleted": 0,
                "captured_at": at,
                "sha256": f"crop-{key}",
                "locator": f"faces.db!/faces/{key}/img",
            }
        )
        artifacts.append(
            {
                "store_id": 1,
                "record_key": key,
                "kind": "template",
                "deleted": 0,
                "captured_at": at,
                "sha256": f"tpl-{key}",
                "locator": f"faces.db!/faces/{key}/feature",
            }
        )
    artifacts.append(
        {
            "store_id": 1,
            "record_key": "r4",
            "kind": "face_crop",
            "deleted": 0,
            "captured_at": LOCAL_DAY,
            "sha256": "crop-r4",
            "locator": "faces.db!/faces/r4/img",
        }
    )
    artifacts.append(
        {
            "store_id": 1,
            "record_key": "d1",
            "kind": "face_crop",
            "deleted": 1,
            "sha256": "crop-d1",
            "locator": "faces.db!wal:frame 3",
        }
    )
    artifacts.append(
        {
            "store_id": 1,
            "record_key": "d1",
            "kind": "template",
            "deleted": 1,
            "sha256": "tpl-d1",
            "locator": "faces.db!wal:frame 3",
        }
    )
    artifacts.append(
        {
            "store_id": 1,
            "record_key": "d2",
            "kind": "face_crop",
            "deleted": 1,
            "sha256": "crop-d2",
            "locator": "faces.db!freelist page 7",
        }
    )
    copies = (
        ("export.zip!/a.jpg", "face_crop", "crop-r1"),  # a copy of r1's crop: a duplicate
        ("export.zip!/b.jpg", "face_crop", "crop-z2"),
        ("export.zip!/v.mp4@00:01", "video_frame", "frame-1"),
    )
    for locator, kind, sha in copies:
        artifacts.append(
            {
                "store_id": 2,
                "record_key": locator,
                "kind": kind,
                "deleted": 0,
                "sha256": sha,
                "locator": locator,
            }
        )
    db["artifacts"].insert_all(artifacts)
    ids = {row["locator"]: row["id"] for row in db.query("select id, locator from artifacts")}
    persons = [
        (1, "no_consent", 0),
        (2, "consented", 0),
        (3, "withdrawn_retained", 0),
        (4, "expired_retained", 0),
        (5, "no_consent", 1),
        (6, None, 0),
    ]
    db["persons"].insert_all(
        [
            {
                "id": pid,
                "space": "dlib",
                "n_faces": 1,
                "n_records": pid,
                "consent_status": status,
                "only_deleted": only,
                "first_seen": LOCAL_DAY,
                "last_seen": LOCAL_DAY,
            }
            for pid, status, only in persons
        ]
    )
    faces = [
        ("faces.db!/faces/r1/img", 1),
        ("faces.db!/faces/r2/img", 2),
        ("faces.db!/faces/r3/img", 3),
        ("faces.db!/faces/r4/img", 4),
        ("faces.db!wal:frame 3", 5),
        ("export.zip!/a.jpg", 1),
        ("export.zip!/b.jpg", 6),
        ("export.zip!/v.mp4@00:01", 6),
    ]
    db["faces"].insert_all(
        [{"artifact_id": ids[loc], "person_id": pid, "space": "dlib"} for loc, pid in faces]
    )
    # As the assess stage writes them: one row per rule, the instances in ``detail``.
    db["findings"].insert_all(
        [
            {
                "rule": "no-consent",
                "severity": "high",
                "citations": json.dumps(["PIPL Art. 29"]),
                "detail": json.dumps({"count": 2, "locators": [], "person_ids": ["1", "6"]}),
            },
            {
                "rule": "offsite-transfer",
                "severity": "high",
                "citations": json.dumps(["Measures Art. 8"]),
                "detail": json.dumps({"count": 12, "locators": ["logs/upload.log:3"]}),
            },
        ]
    )
    db["skipped"].insert(
        {"stage": "scan", "evidence_id": 1, "locator": "faces.db!/broken", "reason": "bad page"}
    )
    db["case_meta"].insert_all(
        [{"key": "persons_band", "value": "[4, 6]"}, {"key": "retention_days", "value": "30"}],
        pk="key",
    )
    db["timeline_events"].insert_all(
        [
            {
                "at": "2024-05-01T02:00:00+08:00",
                "action": "upload",
                "count": 4,
                "remote": "oss.example.com",
            },
            {
                "at": "2024-05-01T03:00:00+08:00",
                "action": "uploaded",
                "count": 2,
                "remote": "oss.example.com",
            },
            {
                "at": "2024-05-01T20:00:00+00:00",
                "action": "delete local copy",
                "count": 6,
                "remote": None,
            },
        ]
    )
    db["thumbnails"].insert(
        {"artifact_id": ids["faces.db!/faces/r1/img"], "image": face_crop_bytes()}
    )
    case.log(
        "scan",
        {"parameters": {"detector": "hog", "min_face_size": 40}},
        ["venue-audit", "scan", "case dir"],
    )
    return case


def test_report_shows_the_canonical_summary_with_the_known_counts(case: Case) -> None:
    data = load_report_data(case)
    assert data.summary == canonical_summary(case)
    summary = data.summary
    assert summary["schema"] == "venue-audit.summary/1"
    # r1-r4 (r1-r3 crop + template), b.jpg and one video frame; a.jpg is r1's crop again
    assert summary["faces"] == {
        "records": 6,
        "face_images": 5,
        "faces_in_images": 5,
        "face_templates": 3,
        "video_frames_with_faces": 1,
        "exact_duplicates": 1,
        "deleted_recoverable": 2,
    }
    assert summary["persons"]["distinct"] == 5 and summary["persons"]["only_in_deleted"] == 1
    assert summary["persons"]["by_status"] == {
        "consented": 1,
        "no_consent": 2,
        "withdrawn_retained": 1,
        "expired_retained": 1,
    }
    assert summary["evidence"]["files"] == 3
    stores = {
        s.path: (s.records, s.face_images, s.face_templates, s.deleted_recoverable)
        for s in data.stores
    }
    assert stores == {"faces.db": (4, 4, 3, 2), "export.zip": (2, 1, 0, 0)}
    assert [(f.rule, f.count) for f in data.findings] == [
        ("no-consent", 2),
        ("offsite-transfer", 12),
    ]


def test_days_are_local_to_the_case_and_log_events_are_summed_per_day(case: Case) -> None:
    data = load_report_data(case, "2024-06-30")
    assert data.timeline.captures_per_day == {"2024-05-01": 3, "2024-05-02": 1}
    assert [(e.date, e.kind, e.count) for e in data.timeline.log_events] == [
        ("2024-05-01", "upload", 6),
        ("2024-05-02", "delete", 6),
    ]
    assert sorted(data.retention_ages_days) == [59, 60, 60, 60]
    assert data.retention_limit_days == 30 and data.persons_band == (4, 6)


def test_findings_carry_locators_persons_and_kept_thumbnails(case: Case) -> None:
    data = load_report_data(case, "2024-06-30")
    no_consent, offsite = data.findings
    assert no_consent.person_ids == ["1", "6"]
    assert no_consent.locators == ["faces.db!/faces/r1/img", "export.zip!/b.jpg"]
    assert len(no_consent.thumbnails) == 1 and no_consent.title_zh.startswith("存储人脸信息")
    assert offsite.locators == ["logs/upload.log:3"] and offsite.count == 12


def test_method_lists_parameters_commands_and_recovery_steps(case: Case) -> None:
    method = load_report_data(case, "2024-06-30").methodology
    assert method.parameters == {"detector": "hog", "min_face_size": 40}
    assert "venue-audit scan 'case dir'" in method.commands
    steps = {step.name: step.count for step in method.transformations}
    assert steps["wal_replay"] == 2 and steps["free_pages"] == 1 and steps["archive_members"] == 1
    assert {model.name for model in method.models} >= {"dlib_face_recognition_resnet_model_v1.dat"}
    assert all(len(model.sha256) == 64 for model in method.models)


def test_rehash_flags_a_changed_file_and_members_follow_their_container(
    case: Case, tmp_path: Path
) -> None:
    (tmp_path / "evidence" / "faces.db").write_bytes(b"changed after acquisition")
    by_path = {
        item.path: item.integrity
        for item in load_report_data(case, "2024-06-30", rehash=True).evidence
    }
    assert by_path == {
        "evidence/faces.db": "mismatch",
        "evidence/export.zip": "match",
        "evidence/export.zip!/a.jpg": "match",
    }
    unchecked = load_report_data(case, "2024-06-30").evidence
    assert {item.integrity for item in unchecked} == {"unchecked"}


def test_loaded_case_renders_with_its_numbers(case: Case, tmp_path: Path) -> None:
    outputs = render_report(load_report_data(case, "2024-06-30"), tmp_path / "out" / "report.pdf")
    text = pdf_text(outputs.pdf)
    assert "T-1" in text and "测试案" in text and "张三、李四" in text
    assert "faces.db!/broken" in text and "bad page" in text
    assert "建立案件" in text and "case.new" not in text  # custody actions named in Chinese


def test_a_case_without_the_optional_tables_still_loads(tmp_path: Path) -> None:
    case = Case.create(
        tmp_path / "bare", CaseInfo(case_no="T-2", venue="v", examiners=["a", "b"]), command=[]
    )
    data = load_report_data(case, "2024-06-30")
    assert (
        data.summary["faces"]["records"] == 0 and data.findings == [] and data.persons_band is None
    )
    assert data.methodology.models == []
    case.log("identify", {"distinct": 4, "band": [3, 5]}, [])
    assert load_report_data(case, "2024-06-30").persons_band == (3, 5)


def test_report_case_logs_the_report_with_its_hashes(case: Case, tmp_path: Path) -> None:
    from venue_audit.report import report_case, verify_report

    outputs = report_case(
        case, tmp_path / "out" / "report.pdf", as_of="2024-06-30", command=["venue-audit", "report"]
    )
    event = case.custody_events()[-1]
    detail = json.loads(event["detail"])
    assert event["action"] == "report" and detail["report_id"] == outputs.report_id
    assert detail["sha256"]["report.pdf"] == outputs.hashes["report.pdf"]
    assert case.verify_custody() == []
    assert verify_report(outputs.pdf).ok
