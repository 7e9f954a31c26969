"""A Hikvision NVR raw disk: pictures carved from data blocks with their channel, the system log on the timeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.profiles.fixtures import crop, write
from tests.sources.cctv_fixtures import HikBlock, HikLog, Picture, hik_disk
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.sample_venue import decoy_picture
from venue_audit.scan import ScanOptions, count_faces, scan
from venue_audit.sources.cctv import hikvision_disk as disk


def blocks(copy: str) -> list[HikBlock]:
    return [
        HikBlock([Picture(crop("obama", 0, copy=copy), True, None),
                  Picture(decoy_picture(f"car park {copy}"), False, None),
                  Picture(crop("biden", 0, copy=copy), True, None)], channel=1),
        HikBlock([Picture(crop("kit_harington", 0, copy=copy), True, None)], channel=2,
                 start="2025-03-14 10:00:00", end="2025-03-14 11:00:00"),
        HikBlock([Picture(crop("rose_leslie", 0, copy=copy), True, None)]),  # no longer indexed
        HikBlock([]),
    ]


LOGS = [
    HikLog("2025-03-01 08:00:00", 3, 0x41),  # power on
    HikLog("2025-03-01 08:01:00", 3, 0x70, b"admin".ljust(16, b"\x00") + bytes([192, 168, 1, 20])),
    HikLog("2025-03-10 02:00:00", 1, 0x03),  # motion detection: counted, not listed
    HikLog("2025-03-12 23:59:00", 4, 0xA0),  # time sync
    HikLog("2025-03-15 03:00:00", 3, 0x82, b"admin".ljust(16, b"\x00") + bytes([10, 0, 0, 9])),
]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, dict]:
    base = tmp_path_factory.mktemp("hikvision-disk")
    root = base / "export"
    truth = {}
    for name, marker, created, at in (("nvr-48.dd", True, 60, 96), ("nvr-40.dd", False, 56, 96),
                                      ("nvr-48-at80.dd", True, 60, 80)):
        layout = blocks(name)
        write(root / name, hik_disk(layout, LOGS, marker=marker, created_offset=created,
                                    entries_at=at))
        truth[name] = layout
    case = Case.create(base / "case", CaseInfo("T-NVR", "录像机", ["甲", "乙"]))
    acquire(case, [root], workers=1)
    scan(case, ScanOptions(workers=1))
    return case, truth


def artifacts(case: Case, name: str) -> list[dict]:
    return list(case.db.query(
        "select a.* from artifacts a join stores s on s.id = a.store_id where s.locator like ?"
        " order by a.id", [f"%/{name}"]))


@pytest.mark.parametrize("name", ["nvr-48.dd", "nvr-40.dd", "nvr-48-at80.dd"])
def test_every_face_picture_in_the_data_blocks_is_carved_with_its_blocks_channel(scanned, name) -> None:
    case, truth = scanned
    faces = [(p.offset, b.channel) for b in truth[name] for p in b.pictures if p.face]
    got = [(int(a["locator"].split("@")[1].split(" ")[0]), a["camera"] and int(a["camera"]))
           for a in artifacts(case, name)]
    assert got == faces
    assert all(a["kind"] in ("face_crop", "raw_frame") for a in artifacts(case, name))


def test_decoys_and_empty_blocks_count_nothing(scanned) -> None:
    case, truth = scanned
    assert count_faces(case).records == sum(
        1 for layout in truth.values() for b in layout for p in b.pictures if p.face)


@pytest.mark.parametrize(("name", "layout", "offset"), [
    ("nvr-48.dd", "48-byte entries (FF marker)", 60), ("nvr-40.dd", "40-byte entries (no marker)", 56),
    ("nvr-48-at80.dd", "48-byte entries (FF marker), from +80", 60)])
def test_both_entry_layouts_and_creation_time_offsets_are_detected(scanned, name, layout, offset) -> None:
    case, _ = scanned
    [store] = case.db.query("select * from stores where locator like ?", [f"%/{name}"])
    details = json.loads(store["details"])
    assert (store["kind"], store["profile"]) == ("hikvision-disk", "hikvision-nvr")
    assert details["index"]["entry_layout"] == [layout]
    assert (details["index"]["created"], details["index"]["created_offset"]) == (
        "2024-12-01T08:00:05", offset)
    assert (details["version"], details["indexed_blocks"], details["channels"]) == (
        "HIK.2011.03.08", 2, [1, 2])


def test_the_system_log_puts_formatting_time_changes_and_logins_on_the_timeline(scanned) -> None:
    case, _ = scanned
    events = [(e["at"], e["action"], e["remote"]) for e in case.db.query(
        "select t.* from timeline_events t join stores s on s.id = t.store_id"
        " where s.locator like '%/nvr-48.dd' order by t.id")]
    assert events == [
        ("2025-03-01T08:00:00", "power on", None),
        ("2025-03-01T08:01:00", "remote login", "192.168.1.20"),
        ("2025-03-12T23:59:00", "time change", None),
        ("2025-03-15T03:00:00", "format (remote: initialize HDD)", "10.0.0.9"),
    ]


def test_log_records_are_read_as_the_log_analyzer_splits_them() -> None:
    from tests.sources.cctv_fixtures import unix

    data = hik_disk(blocks("unit"), LOGS)
    records = list(disk.log_records(data[0x1000:0x3000]))
    assert [(t, major, minor) for _, t, major, minor, _ in records] == [
        (unix(log.at), log.major, log.minor) for log in LOGS]


def test_a_disk_without_the_signature_is_not_claimed(tmp_path: Path) -> None:
    from venue_audit.sources.base import Item

    data = bytearray(hik_disk(blocks("x"), LOGS))
    data[528:546] = b"\x00" * 18
    path = write(tmp_path / "wiped.dd", bytes(data))
    item = Item(str(path), path.name, "binary", len(data), path.read_bytes, lambda: path.open("rb"))
    assert not disk.HikvisionDiskReader().claims(item, bytes(data[:512]))
