"""The report's store table names each gear or product with its version, and its timeline
shows what the devices logged: read back from the rendered Chinese report, not only the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pdf_reading import pdf_text
from tests.profiles import test_compreface, test_digikam, test_immich
from tests.profiles.fixtures import crop, frame, gzipped, pg_dump, sqlite_db, write
from tests.sources import (
    test_dahua_dhfs,
    test_device_events,
    test_hikvision_disk,
    test_hikvision_files,
)
from tests.sources.cctv_fixtures import dhfs_disk, hik_disk
from tests.sources.test_gat1400 import LOBBY, face_object
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.report.load import load_report_data
from venue_audit.report.render import render_report
from venue_audit.scan import ScanOptions, scan
from venue_audit.sources.profiles.registry import system_label
from venue_audit.summary import build_summary

SD = "sd/camera-sd/datadir0"
SYSTEMS = {
    "immich-1.117/backup.sql.gz": "Immich, v1.106–1.136",
    "immich-2.0/backup.sql.gz": "Immich, v1.137+",
    "compreface/frs.sql": "CompreFace, database schema 0.1.7+ (embedding per calculator)",
    "digikam6/recognition.db": "digiKam recognition.db, digiKam 6 (face schema v3)",
    "digikam8/recognition.db": "digiKam recognition.db, digiKam 7/8 (face schema v4)",
    "nvr/disk.dd": "Hikvision NVR/DVR hard disk (HIKVISION@HANGZHOU file system), HIK.2011.03.08",
    "dvr/disk.img": "Dahua NVR/DVR hard disk (DHFS4.1), DHFS4.1",
    f"{SD}/hiv00000.pic": "Hikvision IP camera file storage (SD card / NAS), index v2",
    f"{SD}/hiv00001.pic": "Hikvision IP camera file storage (SD card / NAS), index v2",
    f"{SD}/hiv00002.mp4": "Hikvision IP camera file storage (SD card / NAS), index v2",
    "viid/receiver.log": "GA/T 1400 视图库 (view library) face objects, GA/T 1400-2017",
}
# stores that hold no face record of their own: named in case.db, in neither summary nor table
WITHOUT_RECORDS = {
    f"{SD}/index00.bin": "Hikvision IP camera file storage (SD card / NAS), index v2",
    f"{SD}/index00p.bin": "Hikvision IP camera file storage (SD card / NAS), index v2",
    f"{SD}/hiv00000.mp4": "Hikvision IP camera file storage (SD card / NAS), index v2",
    "receiver/isapi-alarm.log": "Hikvision ISAPI face events",
}


def build(root: Path) -> None:
    for folder, schema, seed in (("immich-1.117", "v1.106", 31), ("immich-2.0", "v1.137", 32)):
        spec, _ = test_immich.tables(seed=seed, schema=schema)
        write(root / folder / "backup.sql.gz", gzipped(pg_dump(spec)))
    spec, _ = test_compreface.tables(seed=3, sqlite=False)
    write(root / "compreface/frs.sql", pg_dump(spec))
    test_digikam.legacy(root / "digikam6/recognition.db")
    spec, _ = test_digikam.tables([(1, 0), (2, 0)], raw_rows=set())
    sqlite_db(root / "digikam8/recognition.db", [(n, d.replace("`", '"'), c, r) for n, d, c, r in spec])
    write(root / "nvr/disk.dd", hik_disk(test_hikvision_disk.blocks("systems"), test_hikvision_disk.LOGS))
    write(root / "dvr/disk.img", dhfs_disk(test_dahua_dhfs.layout()))
    test_hikvision_files.build(root / "sd")
    push = {"FaceListObject": {"FaceObject": [
        face_object(LOBBY, "091203", 1, crop("obama", 1, copy="viid"), frame("obama", 1))]}}
    write(root / "viid/receiver.log", "POST /VIID/Faces " + json.dumps(push) + "\n")
    write(root / "receiver/isapi-alarm.log", json.dumps(test_device_events.isapi_face_capture(
        "2025-03-14T09:12:03+08:00", 1, 2)) + "\n")


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    base = tmp_path_factory.mktemp("systems")
    build(base / "export")
    made = Case.create(base / "case", CaseInfo("T-SYS", "系统", ["甲", "乙"]))
    acquire(made, [base / "export"], workers=1)
    scan(made, ScanOptions(workers=1))
    return made


@pytest.fixture(scope="module")
def report(case: Case, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The zh report's text, whitespace removed: table cells wrap anywhere in a word."""
    pdf = tmp_path_factory.mktemp("report") / "report.pdf"
    render_report(load_report_data(case), pdf, lang="zh")
    return "".join(pdf_text(pdf, layout=False).split())


def test_the_summary_names_the_gear_and_its_version(case: Case) -> None:
    systems = {s["path"].removeprefix("export/"): s["system"] for s in build_summary(case)["stores"]}
    assert systems == SYSTEMS


def test_stores_without_records_are_named_with_their_version_in_the_case(case: Case) -> None:
    named = {
        store["locator"].removeprefix("export/"): system_label(store["profile"],
                                                               json.loads(store["details"]))
        for store in case.db.query("select * from stores")
    }
    assert {path: named.get(path) for path in WITHOUT_RECORDS} == WITHOUT_RECORDS


def test_the_report_model_has_one_store_row_per_system_with_records(case: Case) -> None:
    rows = {s.path.removeprefix("export/"): s.profile for s in load_report_data(case).stores}
    assert rows == SYSTEMS


def test_the_rendered_store_table_names_each_system_with_its_version(report: str) -> None:
    for system in SYSTEMS.values():
        assert "".join(system.split()) in report, system


def test_the_rendered_timeline_lists_the_recorder_log_and_the_device_events_in_chinese(
    report: str,
) -> None:
    for label in ("人脸抓拍", "录像机开机", "远程登录", "192.168.1.20", "修改系统时间",
                  "远程格式化硬盘", "10.0.0.9"):
        assert label in report, label
    for english in ("facecapture", "poweron", "remotelogin", "timechange", "initializehdd"):
        assert english not in report.lower(), english


def test_a_recorder_time_change_is_not_an_upload(case: Case, report: str) -> None:
    kinds = {e.kind for e in load_report_data(case).timeline.log_events}
    assert kinds == {"face capture", "power on", "remote login", "time change",
                     "format (remote: initialize hdd)"}
    assert "未发现上传或删除事件" in report  # the summary page: no upload, no deletion
