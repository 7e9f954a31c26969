"""Reading times: consent-log cells and capture times from names, EXIF and archives."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from venue_audit.consent import (
    first_known,
    from_archive_member,
    from_column,
    from_exif,
    from_file_name,
    parse_timestamp,
)

from .scenario import SHANGHAI

T = datetime(2024, 3, 15, 10, 15, 23, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-15 10:15:23",
        "2024/03/15 10:15:23",
        "2024.3.15 10:15:23",
        "2024年3月15日 10时15分23秒",
        "2024年3月15日10:15:23",
        "2024-03-15T10:15:23+08:00",
        "2024-03-15T02:15:23Z",
        "20240315101523",
        "1710468923",
        "1710468923000",
        1710468923000,
        45366.427349537,
        "45366.427349537",
        datetime(2024, 3, 15, 10, 15, 23),
    ],
)
def test_one_instant_in_many_spellings(value: object) -> None:
    assert parse_timestamp(value, "Asia/Shanghai") == T


@pytest.mark.parametrize("value", ["2024/3/15", "2024年3月15日", "20240315", "2024-03-15"])
def test_dates_alone_are_midnight_in_the_case_zone(value: str) -> None:
    assert parse_timestamp(value) == datetime(2024, 3, 15, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "value",
    ["03/04/2024", "15/03/2024", "2024-02-30", "2024-13-01", "昨天", "12", "", None, b"\xff"],
)
def test_ambiguous_or_impossible_values_are_refused(value: object) -> None:
    assert parse_timestamp(value) is None


def test_another_case_zone_is_honoured() -> None:
    got = parse_timestamp("2024-03-15 10:15:23", "UTC")
    assert got == datetime(2024, 3, 15, 10, 15, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "expected", "source", "offset"),
    [
        ("CH01_20240315101523.jpg", T, "file_name", "assumed"),
        ("nvr/CH12/CH12_20240315101523_face.jpg", T, "file_name", "assumed"),
        ("20240315_101523.jpg", T, "file_name", "assumed"),
        ("2024-03-15 10-15-23.png", T, "file_name", "assumed"),
        ("snap_2024-03-15_10.15.23.jpg", T, "file_name", "assumed"),
        ("face_20240315101523123.jpg", T.replace(microsecond=123000), "file_name", "assumed"),
        ("cam1_1710468923123.jpg", T.replace(microsecond=123000), "file_name_unix", "absolute"),
        ("cam1_1710468923.jpg", T, "file_name_unix", "absolute"),
    ],
)
def test_capture_time_from_file_names(
    name: str, expected: datetime, source: str, offset: str
) -> None:
    assert from_file_name(name) == (expected, source, offset)


@pytest.mark.parametrize(
    "name",
    [
        "IMG_0001.jpg", "CH01_20241315101523.jpg", "serial_120240315101523.jpg",
        "CH01_20240315256000.jpg", "face.jpg",
        "user_1000000001.jpg",  # an id, not a 2001 unix stamp
        "user_1234567890123.jpg",  # likewise in milliseconds (2009)
    ],
)
def test_file_names_without_a_time_give_none(name: str) -> None:
    assert from_file_name(name) is None


def jpeg_with_exif(tags: dict[int, str], inner: dict[int, str]) -> bytes:
    image = Image.new("RGB", (8, 8))
    exif = image.getexif()
    for tag, value in tags.items():
        exif[tag] = value
    ifd = exif.get_ifd(0x8769)
    for tag, value in inner.items():
        ifd[tag] = value
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_exif_datetime_original_wins_over_datetime() -> None:
    data = jpeg_with_exif({306: "2020:01:01 00:00:00"}, {36867: "2024:03:15 10:15:23"})
    assert from_exif(data) == (T, "exif:DateTimeOriginal", "assumed")


def test_exif_offset_overrides_the_case_zone() -> None:
    data = jpeg_with_exif({}, {36867: "2024:03:15 02:15:23", 36881: "+00:00"})
    capture = from_exif(data)
    assert capture is not None and capture.at == T and capture.offset == "stored"


def test_exif_falls_back_to_datetime_and_then_to_none() -> None:
    assert from_exif(jpeg_with_exif({306: "2024:03:15 10:15:23"}, {})) == (
        T, "exif:DateTime", "assumed"
    )
    assert from_exif(jpeg_with_exif({}, {})) is None
    assert from_exif(jpeg_with_exif({}, {36867: "0000:00:00 00:00:00"})) is None


@pytest.mark.parametrize(
    "data", [b"", b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00garbage", b"not an image"]
)
def test_malformed_images_give_no_exif_time(data: bytes) -> None:
    assert from_exif(data) is None


def test_archive_member_dates_and_the_zip_no_date_marker() -> None:
    assert from_archive_member((2024, 3, 15, 10, 15, 22)) == (
        T.replace(second=22), "archive_member", "assumed",
    )
    assert from_archive_member((1980, 1, 1, 0, 0, 0)) is None


def test_column_values_record_the_column() -> None:
    assert from_column("2024-03-15 10:15:23", "snap_time") == (T, "column:snap_time", "assumed")
    assert from_column("2024-03-15T02:15:23Z", "snap_time") == (T, "column:snap_time", "stored")
    assert from_column("n/a", "snap_time") is None


def test_first_known_takes_the_most_trusted_available_source() -> None:
    name = from_file_name("CH01_20240315101523.jpg")
    member = from_archive_member((2024, 3, 16, 0, 0, 0))
    assert first_known(None, name, member) == name
    assert first_known(None, None) is None


@pytest.mark.parametrize(
    ("value", "hour", "minute"),
    [
        ("2024/3/15 下午 3:15", 15, 15),
        ("2024/3/15 上午10:15", 10, 15),
        ("2024年3月15日 晚上9点30分", 21, 30),
        ("2024年3月15日 中午1:30", 13, 30),
        ("2024/3/15 凌晨12:30", 0, 30),
        ("2024-03-15 3:15 PM", 15, 15),
        ("2024-03-15 12:15 AM", 0, 15),
        ("15-Mar-2024 10:15", 10, 15),
        ("Mar 15, 2024 3:15 PM", 15, 15),
        ("15 March 2024", 0, 0),
    ],
)
def test_twelve_hour_clocks_and_month_names(value: str, hour: int, minute: int) -> None:
    assert parse_timestamp(value) == datetime(2024, 3, 15, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("value", ["2024-03-15 13:15 PM", "15-Foo-2024", "2024/3/15 下午 0:15"])
def test_impossible_twelve_hour_readings_are_refused(value: str) -> None:
    assert parse_timestamp(value) is None
