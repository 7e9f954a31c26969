"""Hikvision file storage: a generated SD card, and the real index00.bin sample read as hiktools reads it."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.profiles.fixtures import crop, write
from tests.profiles.scanning import StoreView, scan_tree
from tests.sources.cctv_fixtures import (
    Pack,
    Picture,
    Recording,
    faceless_video,
    hik_pack,
    hik_picture_index,
    hik_recording,
    hik_video_index,
    mpeg_ps,
)
from venue_audit.sample_venue import decoy_picture
from venue_audit.sources.cctv import hikvision_index as index

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "hikvision" / "exampleV2.zip"
CARD = "camera-sd/datadir0"
ZONE = ZoneInfo("Asia/Shanghai")  # the case zone: camera clocks keep local wall time


def build(root: Path) -> dict:
    """Two picture packs (channels 1 and 2) and one recording file with two faceless segments."""
    packs = [
        Pack(1, [
            Picture(crop("obama", 0), True, "2025-03-14 09:12:03"),
            Picture(decoy_picture("entrance, nobody there"), False, "2025-03-14 09:12:40"),
            Picture(crop("biden", 0), True, "2025-03-14 10:01:17"),
            Picture(crop("rose_leslie", 0), True, None),  # its record was overwritten
        ]),
        Pack(2, [
            Picture(crop("kit_harington", 0), True, "2025-03-14 11:30:00"),
            Picture(decoy_picture("car park"), False, "2025-03-14 11:31:00"),
        ]),
    ]
    for pack in packs:
        hik_pack(pack)
    card = root / CARD
    for n, pack in enumerate(packs):
        write(card / f"hiv{n:05d}.pic", pack.data)
    write(card / "index00p.bin", hik_picture_index(packs, "2025-03-14 09:00:00"))
    recording = Recording([
        ("2025-03-14 09:00:00", "2025-03-14 09:00:01", faceless_video(seed=1)),
        ("2025-03-14 09:05:00", "2025-03-14 09:05:01", faceless_video(seed=2)),
    ])
    hik_recording(recording)
    write(card / "hiv00000.mp4", recording.data)
    write(card / "hiv00001.mp4", b"\x00" * 8192)  # pre-allocated, never written
    visitor = Recording([("2025-03-14 10:20:30", "2025-03-14 10:20:31", mpeg_ps(crop("obama", 2)))])
    hik_recording(visitor)
    write(card / "hiv00002.mp4", visitor.data)
    write(card / "index00.bin", hik_video_index([recording, None, visitor]))
    return {"packs": packs, "recording": recording}



@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, StoreView], dict]:
    base = tmp_path_factory.mktemp("hikvision")
    truth = build(base / "export")
    return scan_tree(base, base / "export"), truth


def test_every_face_picture_in_a_pack_is_a_record_located_by_its_offset(scanned) -> None:
    stores, truth = scanned
    for n, pack in enumerate(truth["packs"]):
        store = stores[f"{CARD}/hiv{n:05d}.pic"]
        faces = [p for p in pack.pictures if p.face]
        assert (store.profile, store.records, store.face_images) == (
            "hikvision-sd", len(faces), len(faces))
        assert [a["locator"].rsplit("@", 1)[1] for a in store.artifacts] == [
            str(p.offset) for p in faces]


def test_listed_pictures_take_the_index_time_and_every_picture_its_packs_channel(scanned) -> None:
    stores, truth = scanned
    for n, pack in enumerate(truth["packs"]):
        store = stores[f"{CARD}/hiv{n:05d}.pic"]
        faces = [p for p in pack.pictures if p.face]
        got = [(a["camera"], a["captured_at"] and datetime.fromisoformat(a["captured_at"]))
               for a in store.artifacts]
        assert got == [
            (str(pack.channel),
             p.at and datetime.fromisoformat(p.at).replace(tzinfo=ZONE)) for p in faces]
        assert {a["captured_at_source"] for a in store.artifacts if a["captured_at"]} == {
            "hikvision index00p.bin (camera clock)"}


def test_decoy_pictures_and_video_only_segments_count_nothing(scanned) -> None:
    stores, _ = scanned
    assert stores[f"{CARD}/hiv00000.mp4"].records == 0
    assert stores[f"{CARD}/hiv00000.mp4"].profile == "hikvision-sd"
    total = sum(s.records for s in stores.values())
    assert total == 4 + 1  # the pictures' faces and the visitor's frame


def test_a_segment_with_a_visitor_gives_a_frame_timed_from_the_segment_start(scanned) -> None:
    store = scanned[0][f"{CARD}/hiv00002.mp4"]
    assert [(a["kind"], a["camera"], datetime.fromisoformat(a["captured_at"])) for a in store.artifacts] == [
        ("video_frame", "1", datetime(2025, 3, 14, 10, 20, 30, tzinfo=ZONE))]
    assert store.artifacts[0]["locator"].endswith("(segment 0)@frame 0 (0.00 s)")


def test_the_index_files_are_stores_that_hold_no_faces_themselves(scanned) -> None:
    stores, _ = scanned
    for name in ("index00.bin", "index00p.bin"):
        store = stores[f"{CARD}/{name}"]
        assert (store.kind, store.profile, store.records) == ("hikvision-index", "hikvision-sd", 0)


def test_the_index_parsers_read_the_generated_indexes_field_by_field(tmp_path: Path) -> None:
    truth = build(tmp_path)
    data = (tmp_path / CARD / "index00p.bin").read_bytes()
    header = index.parse_header(data)
    records = index.picture_records(data, header)
    listed = [(n, p) for n, pack in enumerate(truth["packs"]) for p in pack.pictures if p.at]
    assert [(r.file_index, r.start_offset, index.device_time(r.start)) for r in records] == [
        (n, p.offset, datetime.fromisoformat(p.at).isoformat()) for n, p in listed]
    video = (tmp_path / CARD / "index00.bin").read_bytes()
    header = index.parse_header(video)
    files = index.file_records(video, header)
    assert [f.in_use for f in files] == [True, False, True]
    segments = index.video_segments(video, header)
    assert [(s.start_offset, s.end_offset) for s in segments if s.file_index == 0] == (
        truth["recording"].offsets)
    assert index.device_time(segments[1].start) == "2025-03-14T09:05:00"


def test_the_real_sample_index_is_read_as_hiktools_reads_it() -> None:
    """yrambler2001/hikvision-ezviz-sdcard-video-extractor examples/exampleV2.zip (MIT).

    hiktools' extract_video (built with its 32-bit time_t layout) lists 55 files in use
    and 5,492 segments for this index: ``extract_video -i DIR -l -v``.
    """
    with zipfile.ZipFile(SAMPLE) as archive:
        data = archive.read("index00.bin")
    header = index.parse_header(data)
    assert (header.version, header.av_files, header.next_file, header.last_file) == (2, 55, 43, 42)
    files = index.file_records(data, header)
    assert sum(f.in_use for f in files) == 55 and {f.channel for f in files} == {1}
    segments = index.video_segments(data, header)
    assert len(segments) == 5492
    first = segments[0]
    assert (index.device_time(first.start), index.device_time(first.end)) == (
        "2025-04-28T16:06:18", "2025-04-28T16:06:32")
    assert (first.start_offset, first.end_offset) == (0, 2881484)


def test_the_real_sample_scanned_inside_its_zip_is_an_index_store(tmp_path: Path) -> None:
    root = tmp_path / "export"
    write(root / "sd" / "exampleV2.zip", SAMPLE.read_bytes())
    stores = scan_tree(tmp_path, root)
    [store] = [s for locator, s in stores.items() if locator.endswith("index00.bin")]
    assert (store.kind, store.profile, store.records) == ("hikvision-index", "hikvision-sd", 0)


def test_a_pack_without_its_index_still_gives_every_picture(tmp_path: Path) -> None:
    pack = Pack(1, [Picture(crop("obama", 1), True, None), Picture(crop("biden", 1), True, None)])
    hik_pack(pack)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datadir0/hiv00007.pic", pack.data)
    root = tmp_path / "export"
    write(root / "card.zip", buffer.getvalue())
    stores = scan_tree(tmp_path, root)
    views = [s for s in stores.values() if s.kind == "hikvision-pic"]
    assert [(v.records, [a["camera"] for a in v.artifacts]) for v in views] == [(2, [None, None])]
