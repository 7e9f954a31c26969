"""Carving a recorder disk region in windows: holes of a sparse image skipped, nothing lost."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.profiles.fixtures import crop
from venue_audit.acquire.items import open_evidence
from venue_audit.sample_venue import decoy_picture
from venue_audit.sources.cctv import disk_reading

WINDOW = 256 << 10


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk_reading, "WINDOW", WINDOW)
    monkeypatch.setattr(disk_reading, "OVERLAP", 64 << 10)
    monkeypatch.setattr(disk_reading, "_ZEROS", bytes(WINDOW))


def region(path: Path) -> tuple[int, list[int]]:
    """A sparse file: pictures after a hole, one across a window edge, one after a long hole,
    one in zeros written out (not a hole); returns its size and where each picture starts."""
    pictures = [crop("obama", 0), decoy_picture("lobby"), crop("biden", 0), crop("rose_leslie", 0)]
    places = [3 * WINDOW + 1000, 4 * WINDOW - len(pictures[1]) // 2, 12 * WINDOW + 77,
              14 * WINDOW + 5000]
    size = 15 * WINDOW
    with open(path, "wb") as out:
        out.truncate(size)
        out.seek(13 * WINDOW)
        out.write(bytes(2 * WINDOW))  # zeros written out, around the last picture
        for place, picture in zip(places, pictures, strict=True):
            out.seek(place)
            out.write(picture)
    return size, places


def test_every_picture_is_found_once_in_a_sparse_file_and_in_the_same_bytes_read_whole(
    tmp_path: Path, small_windows: None
) -> None:
    size, places = region(tmp_path / "disk.dd")
    with open_evidence(tmp_path / "disk.dd") as stream:
        sparse = [offset for offset, _ in disk_reading.carve_jpegs(stream, 0, size)]
        stream.seek(0)
        whole = io.BytesIO(stream.read())
    plain = [offset for offset, _ in disk_reading.carve_jpegs(whole, 0, size)]
    assert sparse == plain == places


def test_a_hole_is_skipped_without_being_read(tmp_path: Path, small_windows: None) -> None:
    size, _ = region(tmp_path / "disk.dd")
    with open_evidence(tmp_path / "disk.dd") as stream:
        first = disk_reading.next_data(stream, 0, size)
        after = disk_reading.next_data(stream, 5 * WINDOW, size)
    if first == 0:
        pytest.skip("this file system does not report holes (no SEEK_DATA)")
    assert first <= 3 * WINDOW + 1000 and first >= 3 * WINDOW - 4096
    assert 5 * WINDOW < after <= 12 * WINDOW + 77
