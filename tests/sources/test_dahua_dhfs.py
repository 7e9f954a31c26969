"""A Dahua DHFS4.1 recorder disk: JPEG snapshots carved per fragment with its channel and time."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.profiles.fixtures import crop, write
from tests.sources.cctv_fixtures import DhfsFragment, Picture, dhfs_disk, dhfs_time
from venue_audit.acquire import acquire
from venue_audit.case import Case, CaseInfo
from venue_audit.sample_venue import decoy_picture
from venue_audit.scan import ScanOptions, count_faces, scan
from venue_audit.sources.cctv.dahua_dhfs import packed_time

ZONE = ZoneInfo("Asia/Shanghai")


def layout() -> list[DhfsFragment]:
    return [
        DhfsFragment(1, 1, "2025-03-14 09:00:00", "2025-03-14 09:10:00",
                     [Picture(crop("obama", 1, copy="dhfs"), True, None),
                      Picture(decoy_picture("dhfs lobby"), False, None)]),
        DhfsFragment(2, 1, "2025-03-14 09:10:00", "2025-03-14 09:20:00",
                     [Picture(crop("biden", 1, copy="dhfs"), True, None)]),
        DhfsFragment(1, 3, "2025-03-14 11:00:00", "2025-03-14 11:05:00", []),  # video only
        DhfsFragment(1, 3, "2025-03-14 12:00:00", "2025-03-14 12:05:00",
                     [Picture(crop("kit_harington", 1, copy="dhfs"), True, None)]),
        DhfsFragment(0, None, None, None,
                     [Picture(crop("rose_leslie", 1, copy="dhfs"), True, None)]),  # free
    ]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, list[DhfsFragment]]:
    base = tmp_path_factory.mktemp("dhfs")
    fragments = layout()
    write(base / "export" / "dvr-disk.img", dhfs_disk(fragments))
    case = Case.create(base / "case", CaseInfo("T-DHFS", "大华", ["甲", "乙"]))
    acquire(case, [base / "export"], workers=1)
    scan(case, ScanOptions(workers=1))
    return case, fragments


def test_every_face_snapshot_is_carved_with_its_fragments_channel_and_start(scanned) -> None:
    case, fragments = scanned
    expected = [
        (p.offset, str(f.channel) if f.kind else None,
         datetime.fromisoformat(f.start).replace(tzinfo=ZONE) if f.kind else None)
        for f in fragments for p in f.pictures if p.face
    ]
    got = [(int(a["locator"].split("@")[1].split(" ")[0]), a["camera"],
            datetime.fromisoformat(a["captured_at"]) if a["captured_at"] else None)
           for a in case.db.query("select * from artifacts order by id")]
    assert got == expected


def test_decoys_and_video_only_fragments_count_nothing(scanned) -> None:
    case, fragments = scanned
    assert count_faces(case).records == sum(1 for f in fragments for p in f.pictures if p.face)


def test_the_store_names_the_file_system_and_its_descriptors(scanned) -> None:
    case, _ = scanned
    [store] = case.db.query("select * from stores where kind = 'dahua-dhfs'")
    details = json.loads(store["details"])
    assert (store["profile"], details["version"], details["partitions"]) == ("dahua-nvr", "DHFS4.1", 1)
    [partition] = details["partition_details"]
    assert partition["descriptor_types"] == {"first": 3, "following": 1, "free": 1}
    assert (partition["first"], partition["last"]) == ("2025-03-14T09:00:00", "2025-03-14T12:00:00")


def test_packed_times_decode_as_dhfs41_decodes_them() -> None:
    assert packed_time(dhfs_time("2025-03-14 09:10:42")) == "2025-03-14T09:10:42"
    assert packed_time(0) is None and packed_time(0xFFFFFFFF) is None
