"""Damaged recorder layouts, indexes and device logs: the reader goes on and hides no picture.

A recorder disk whose master sector, B-tree, page list, partition table, superblock
or descriptors were damaged (or misread) still holds its pictures: every one the
intact disk gives is found again, once, and the reader never stops on the damage.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sources import (
    test_dahua_dhfs,
    test_device_events,
    test_hikvision_disk,
    test_hikvision_files,
)
from tests.sources.cctv_fixtures import dhfs_disk, hik_disk
from tests.sources.items import item_from_bytes, item_from_path
from venue_audit.scan.dispatch import walk
from venue_audit.sources.base import DefaultContext, ImageFound, Problem

FUZZ = settings(
    max_examples=int(os.environ.get("VENUE_AUDIT_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
# the layout's fields, not its signature (a disk without its signature is the generic
# carver's, tested in test_hikvision_disk) nor its data areas (damaged pictures are lost)
LAYOUT_FIELDS = {
    "nvr.dd": [(546, 800), (0x1000, 0x1200), (0x4000, 0x4100), (0x4200, 0x4300), (0x4400, 0x4500),
               (0x4C00, 0x4D00)],
    "dvr.img": [(0x3C34, 0x3C78), (0x8200, 0x8300), (0x9000, 0x90A0)],
}


@cache
def disks() -> dict[str, bytes]:
    return {
        "nvr.dd": hik_disk(test_hikvision_disk.blocks("hostile"), test_hikvision_disk.LOGS),
        "dvr.img": dhfs_disk(test_dahua_dhfs.layout()),
    }


def pictures(name: str, data: bytes) -> tuple[list[int], list[Problem]]:
    """The offsets of the pictures the reader gives, and the problems it reports."""
    found = [f for _, f in walk(item_from_bytes(name, data), DefaultContext())]
    offsets = [int(f.locator.split("@")[1].split(" ")[0]) for f in found if isinstance(f, ImageFound)]
    return offsets, [f for f in found if isinstance(f, Problem)]


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(disks())))
    data = bytearray(disks()[name])
    for _ in range(draw(st.integers(1, 4))):
        low, high = draw(st.sampled_from(LAYOUT_FIELDS[name]))
        at = draw(st.integers(low, high - 1))
        chunk = draw(st.one_of(st.binary(min_size=1, max_size=8),
                               st.integers(1, 8).map(lambda n: b"\xff" * n)))
        data[at:at + len(chunk)] = chunk
    return name, bytes(data)


def test_the_intact_disks_give_every_face_picture_and_no_problem() -> None:
    for name, data in disks().items():
        offsets, problems = pictures(name, data)
        assert len(offsets) == 5 and not problems, name  # 4 faces and a decoy each


@FUZZ
@given(damaged())
def test_a_damaged_layout_hides_no_picture_and_never_stops_the_reader(case: tuple[str, bytes]) -> None:
    name, data = case
    offsets, problems = pictures(name, data)
    assert not [p for p in problems if p.code == "scan.reader_stopped"]
    assert sorted(offsets) == sorted(pictures(name, disks()[name])[0])  # all found, none twice


def test_a_layout_pointing_far_beyond_the_disk_is_read_around() -> None:
    data = bytearray(disks()["nvr.dd"])
    data[608:616] = (1 << 63).to_bytes(8, "little")  # the system-log offset
    data[632:640] = (1 << 62).to_bytes(8, "little")  # the video area
    offsets, problems = pictures("nvr.dd", bytes(data))
    assert sorted(offsets) == sorted(pictures("nvr.dd", disks()["nvr.dd"])[0])
    assert [p.code for p in problems] == ["hikvision.no_data_area"]


def test_a_partition_named_twice_gives_its_pictures_once() -> None:
    data = bytearray(disks()["dvr.img"])
    data[0x3C74:0x3C74 + 64] = data[0x3C34:0x3C34 + 64]  # the end marker overwritten by a copy
    offsets, _ = pictures("dvr.img", bytes(data))
    assert sorted(offsets) == sorted(set(offsets)) == sorted(pictures("dvr.img", disks()["dvr.img"])[0])


@cache
def sd_card() -> dict[str, bytes]:
    """The generated SD card's index files and picture packs."""
    with tempfile.TemporaryDirectory() as scratch:
        test_hikvision_files.build(Path(scratch))
        folder = Path(scratch) / test_hikvision_files.CARD
        return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix != ".mp4"}


@FUZZ
@given(st.sampled_from(["index00p.bin", "hiv00000.pic"]), st.data())
def test_a_damaged_sd_card_index_or_pack_never_stops_its_reader(
    tmp_path_factory: pytest.TempPathFactory, name: str, data: st.DataObject,
) -> None:
    folder = tmp_path_factory.mktemp("card")
    for file, content in sd_card().items():
        raw = bytearray(content)
        if file == name:
            for _ in range(data.draw(st.integers(1, 4))):
                at = data.draw(st.integers(0, min(len(raw), 1 << 13) - 1))
                chunk = data.draw(st.binary(min_size=1, max_size=8))
                raw[at:at + len(chunk)] = chunk
        (folder / file).write_bytes(bytes(raw))
    for path in sorted(folder.iterdir()):
        found = [f for _, f in walk(item_from_path(path), DefaultContext())]
        assert not [f for f in found if isinstance(f, Problem) and f.code == "scan.reader_stopped"]
        if path.name == "hiv00001.pic":  # its pack is intact: every picture, damaged index or not
            assert sum(isinstance(f, ImageFound) for f in found) == 2


@FUZZ
@given(st.sampled_from(["isapi.log", "dahua.log"]), st.binary(min_size=1, max_size=16), st.data())
def test_damaged_device_event_lines_never_stop_the_reader(
    name: str, chunk: bytes, data: st.DataObject
) -> None:
    body = (json.dumps(test_device_events.isapi_face_capture("2025-03-14T09:12:03+08:00", 1, 2))
            if name == "isapi.log" else test_device_events.DAHUA_DOOR)
    raw = bytearray((body + "\n" + body + "\n").encode())
    at = data.draw(st.integers(0, len(raw) - 1))
    raw[at:at + len(chunk)] = chunk
    found = [f for _, f in walk(item_from_bytes(name, bytes(raw)), DefaultContext())]
    assert not [f for f in found if isinstance(f, Problem) and f.code == "scan.reader_stopped"]

