"""When a face was captured, and how we know.

Retention and "captured before consent" both turn on capture times, and a
court will ask where each one came from, so every time is returned with its
source: a database column, the file name a camera wrote, the date stored in an
archive member header, or the photo's EXIF. The scanner calls these helpers;
each returns ``None`` rather than guessing when the evidence does not say.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, tzinfo
from typing import NamedTuple

from venue_audit.consent.timestamps import (
    OFFSET_ABSOLUTE,
    OFFSET_ASSUMED,
    OFFSET_STORED,
    build,
    from_unix,
    parse_timestamp,
    read_timestamp,
)

# Exif IFD pointer and the tags inside it / in IFD0.
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_DATETIME_DIGITIZED = 36868
_OFFSET_TIME_ORIGINAL = 36881
_DATETIME = 306


class CaptureTime(NamedTuple):
    """A capture time, the clock it was read from, and how its UTC offset was known
    (``stored``, ``absolute`` or ``assumed``: see :mod:`venue_audit.consent.timestamps`;
    empty when the source does not say)."""

    at: datetime
    source: str
    offset: str = ""


_D = r"(?<!\d)"  # no digit before
_E = r"(?!\d)"  # no digit after
# Most specific first; each yields y, mo, d, h, mi, s (and optional milliseconds).
_NAME_PATTERNS = (
    re.compile(_D + r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})" + _E),
    re.compile(_D + r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})" + _E),
    re.compile(_D + r"(\d{4})(\d{2})(\d{2})[_\-T ](\d{2})(\d{2})(\d{2})" + _E),
    re.compile(
        _D + r"(\d{4})[-_.](\d{2})[-_.](\d{2})[ _T]+(\d{2})[-_.:](\d{2})[-_.:](\d{2})" + _E
    ),
)
_UNIX_MS = re.compile(_D + r"(1\d{12})" + _E)
_UNIX_S = re.compile(_D + r"(1\d{9})" + _E)
# A bare number in a file name is read as a unix stamp only inside the years
# face-capture systems have existed (2010-2035); other numbers are ids.
_UNIX_WINDOW = (1_262_304_000, 2_051_222_400)


def from_file_name(name: str, tz: str | tzinfo | None = None) -> CaptureTime | None:
    """Capture time written into a camera's file name, in the case zone.

    Recognises ``CH01_20240315101523.jpg``, ``..._20240315101523123`` (ms),
    ``20240315_101523``, ``2024-03-15 10-15-23`` and unix stamps in seconds or
    milliseconds. Digit runs are taken whole, so a serial number that merely
    contains eight plausible digits is not read as a date.
    """
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    for pattern in _NAME_PATTERNS:
        for match in pattern.finditer(stem):
            parts = [int(g) for g in match.groups()]
            micro = parts[6] * 1000 if len(parts) > 6 else 0
            if not (0 <= parts[3] <= 23 and 0 <= parts[4] <= 59 and 0 <= parts[5] <= 59):
                continue
            at = build(*parts[:6], micro=micro, tz=tz)
            if at is not None:
                return CaptureTime(at, "file_name", OFFSET_ASSUMED)
    for pattern, scale in ((_UNIX_MS, 1000), (_UNIX_S, 1)):
        for match in pattern.finditer(stem):
            seconds = int(match.group(1)) / scale
            if not _UNIX_WINDOW[0] <= seconds < _UNIX_WINDOW[1]:
                continue
            at = from_unix(seconds, tz)
            if at is not None:
                return CaptureTime(at, "file_name_unix", OFFSET_ABSOLUTE)
    return None


def from_column(value: object, column: str, tz: str | tzinfo | None = None) -> CaptureTime | None:
    """Capture time held in a database or spreadsheet column, with whether it carried its offset."""
    read = read_timestamp(value, tz)
    return CaptureTime(read.at, f"column:{column}", read.offset) if read else None


def from_archive_member(
    date_time: tuple[int, int, int, int, int, int], tz: str | tzinfo | None = None
) -> CaptureTime | None:
    """Capture time from a zip member header (local wall-clock time, 2 s resolution).

    Zip writers put 1980-01-01 00:00 when they have no date; that is not a time.
    """
    if tuple(date_time[:3]) == (1980, 1, 1) and not any(date_time[3:6]):
        return None
    at = build(*date_time[:6], tz=tz)
    return CaptureTime(at, "archive_member", OFFSET_ASSUMED) if at else None


def _exif_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.split(b"\x00", 1)[0].decode("ascii", errors="replace")
    return value.strip() if isinstance(value, str) and value.strip() else None


def from_exif(data: bytes, tz: str | tzinfo | None = None) -> CaptureTime | None:
    """EXIF DateTimeOriginal (then DateTimeDigitized, then DateTime) of an image's bytes.

    Only the header is parsed; pixels are never decoded. An OffsetTimeOriginal
    tag, when present, overrides the case zone.
    """
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            inner = dict(exif.get_ifd(_EXIF_IFD))
            base = dict(exif)
    except Exception:  # any malformed header: no EXIF time, never a crash
        return None
    candidates = (
        (inner.get(_DATETIME_ORIGINAL), "exif:DateTimeOriginal"),
        (inner.get(_DATETIME_DIGITIZED), "exif:DateTimeDigitized"),
        (base.get(_DATETIME), "exif:DateTime"),
    )
    offset = _exif_text(inner.get(_OFFSET_TIME_ORIGINAL))
    for raw, source in candidates:
        text = _exif_text(raw)
        if not text:
            continue
        match = re.match(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})", text)
        if not match:
            continue
        stored = bool(offset) and source == "exif:DateTimeOriginal"
        if stored:
            at = parse_timestamp(
                f"{match.group(1)}-{match.group(2)}-{match.group(3)}T"
                f"{match.group(4)}:{match.group(5)}:{match.group(6)}{offset}",
                tz,
            )
        else:
            at = build(*(int(g) for g in match.groups()), tz=tz)
        if at is not None:
            return CaptureTime(at, source, OFFSET_STORED if stored else OFFSET_ASSUMED)
    return None


def first_known(*candidates: CaptureTime | None) -> CaptureTime | None:
    """The first capture time available, callers listing sources most trusted first.

    The usual order is a capture-time column, EXIF DateTimeOriginal, the file
    name, then the archive member date (which may be when the file was packed,
    not when the face was captured).
    """
    return next((c for c in candidates if c is not None), None)
