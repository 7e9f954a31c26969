"""Reading the many ways a venue system writes a point in time.

Consent logs are typed by hand, exported from Excel or dumped from vendor
databases, so one column can hold ``2024-03-15 10:15:23``, ``2024/3/15``,
``2024年3月15日``, an ISO string with an offset, an Excel day serial or a unix
stamp. A value is either understood exactly or reported as unreadable; it is
never guessed (``03/04/2024`` is ambiguous between day- and month-first and is
refused).

Times without an offset are wall-clock times at the venue, so they are read in
the case time zone and every result is timezone-aware. :func:`read_timestamp` also
says which of the three a value was: it carried its own offset (``stored``), it was a
count of seconds since the epoch, an instant needing no offset (``absolute``), or it
was a wall-clock time read in the case zone (``assumed``) — so a report can say so.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"

# How a time's offset was known (artifacts.captured_at_offset)
OFFSET_STORED = "stored"  # the value carried its UTC offset (ISO +08:00, Z, an aware datetime)
OFFSET_ABSOLUTE = "absolute"  # a Unix time: an instant, whatever the zone
OFFSET_ASSUMED = "assumed"  # a wall-clock time without offset, read in the case zone


class Timestamp(NamedTuple):
    at: datetime
    offset: str  # OFFSET_STORED, OFFSET_ABSOLUTE or OFFSET_ASSUMED

# Excel's day 0 is 1899-12-30 once its 1900 leap-year bug is accounted for.
_EXCEL_EPOCH = datetime(1899, 12, 30)
# Serials between 1954 and 2119; anything else is not a plausible modern date.
_EXCEL_MIN, _EXCEL_MAX = 20_000, 80_000
# Unix stamps between 2001-09 and 2096: seconds or milliseconds.
_UNIX_S_MIN, _UNIX_S_MAX = 1_000_000_000, 4_000_000_000

_DATE_TIME = re.compile(
    r"""^\s*
    (?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?
    (?:
        (?:\s*T\s*|\s+|(?<=日))
        (?P<ampm_zh>上午|下午|晚上|凌晨|中午)?\s*
        (?P<h>\d{1,2})\s*[:时時点點]\s*(?P<mi>\d{1,2})
        (?:\s*[:分]\s*(?P<s>\d{1,2})(?:[.,](?P<frac>\d{1,6}))?\s*秒?|\s*分)?
        \s*(?P<ampm>AM|PM)?
    )?
    \s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
# English month names as Excel and US systems write them: 15-Mar-2024, Mar 15, 2024.
_MONTH_NAME = re.compile(
    r"""^\s*(?:(?P<d1>\d{1,2})[\s\-/]+(?P<m1>[A-Za-z]{3,9})\.?[\s\-/,]+(?P<y1>\d{4})
    |(?P<m2>[A-Za-z]{3,9})\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4}))
    (?:[\sT]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>AM|PM)?)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        start=1,
    )
    for name in names
}
_PM_ZH = {"下午", "晚上"}
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:[ T_]?(\d{2})(\d{2})(\d{2}))?\s*$")
_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")


def zone(tz: str | tzinfo | None) -> tzinfo:
    """The case time zone as a tzinfo (names such as ``Asia/Shanghai`` accepted)."""
    if tz is None:
        return ZoneInfo(DEFAULT_TZ)
    if isinstance(tz, str):
        return ZoneInfo(tz)
    return tz


def localise(value: datetime, tz: str | tzinfo | None = None) -> datetime:
    """Attach the case zone to a naive time; leave an aware time as it is."""
    if value.tzinfo is None:
        return value.replace(tzinfo=zone(tz))
    return value


def build(
    y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, micro: int = 0,
    tz: str | tzinfo | None = None,
) -> datetime | None:
    """A checked, aware datetime from its parts, or None for 2024-02-30 and the like."""
    if not 1970 <= y <= 2100:
        return None
    try:
        return datetime(y, mo, d, h, mi, s, micro, tzinfo=zone(tz))
    except ValueError:
        return None


def from_excel_serial(serial: float, tz: str | tzinfo | None = None) -> datetime | None:
    if not (_EXCEL_MIN <= serial < _EXCEL_MAX) or math.isnan(serial):
        return None
    naive = _EXCEL_EPOCH + timedelta(days=serial)
    # Excel stores wall-clock time; round away binary noise in the day fraction.
    naive = (naive + timedelta(milliseconds=500)).replace(microsecond=0)
    return naive.replace(tzinfo=zone(tz))


def from_unix(stamp: float, tz: str | tzinfo | None = None) -> datetime | None:
    """Unix seconds or milliseconds (told apart by size), shown in the case zone."""
    if _UNIX_S_MIN * 1000 <= stamp < _UNIX_S_MAX * 1000:
        stamp = stamp / 1000
    if not _UNIX_S_MIN <= stamp < _UNIX_S_MAX:
        return None
    return datetime.fromtimestamp(stamp, UTC).astimezone(zone(tz))


def _offset(text: str) -> tzinfo | None:
    text = text.upper()
    if text in {"Z", "UTC", "GMT"}:
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")

    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _from_number(value: float, tz: str | tzinfo | None) -> Timestamp | None:
    serial = from_excel_serial(value, tz)  # Excel keeps wall-clock time
    if serial is not None:
        return Timestamp(serial, OFFSET_ASSUMED)
    stamp = from_unix(value, tz)
    return Timestamp(stamp, OFFSET_ABSOLUTE) if stamp is not None else None


def _assumed(at: datetime | None) -> Timestamp | None:
    return Timestamp(at, OFFSET_ASSUMED) if at is not None else None


def _hour(hour: int, pm: bool, am: bool) -> int | None:
    """24-hour clock from a 12-hour reading; None for 13 PM and the like."""
    if not (pm or am):
        return hour
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if pm else 0)


def _from_month_name(match: re.Match[str], tz: str | tzinfo | None) -> datetime | None:
    parts = match.groupdict()
    month = _MONTHS.get((parts["m1"] or parts["m2"]).casefold())
    if month is None:
        return None
    ampm = (parts["ampm"] or "").upper()
    hour = _hour(int(parts["h"] or 0), ampm == "PM", ampm == "AM")
    if hour is None:
        return None
    return build(
        int(parts["y1"] or parts["y2"]), month, int(parts["d1"] or parts["d2"]),
        hour, int(parts["mi"] or 0), int(parts["s"] or 0), tz=tz,
    )


def _from_text(text: str, tz: str | tzinfo | None) -> Timestamp | None:
    text = text.strip()
    match = _DATE_TIME.match(text)
    if match:
        parts = match.groupdict()
        frac = (parts["frac"] or "").ljust(6, "0")
        zone_of_value: str | tzinfo | None = _offset(parts["tz"]) if parts["tz"] else tz
        ampm = (parts["ampm"] or "").upper()
        pm = ampm == "PM" or parts["ampm_zh"] in _PM_ZH
        am = ampm == "AM" or parts["ampm_zh"] in {"上午", "凌晨"}
        hour = _hour(int(parts["h"] or 0), pm, am)
        if parts["ampm_zh"] == "中午":  # 中午12:30 is 12:30, 中午1:00 is 13:00
            hour = int(parts["h"] or 0) % 12 + 12 if int(parts["h"] or 0) <= 12 else None
        if hour is None:
            return None
        at = build(
            int(parts["y"]), int(parts["mo"]), int(parts["d"]),
            hour, int(parts["mi"] or 0), int(parts["s"] or 0),
            int(frac or 0), tz=zone_of_value,
        )
        if at is None:
            return None
        return Timestamp(at, OFFSET_STORED if parts["tz"] else OFFSET_ASSUMED)
    named = _MONTH_NAME.match(text)
    if named:
        return _assumed(_from_month_name(named, tz))
    compact = _COMPACT.match(text)
    if compact:
        numbers = [int(g) if g else 0 for g in compact.groups()]
        return _assumed(build(*numbers, tz=tz))
    if _NUMBER.match(text):
        return _from_number(float(text), tz)
    return None


def read_timestamp(value: object, tz: str | tzinfo | None = None) -> Timestamp | None:
    """The time a value holds and how its offset was known, or None if not understood."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return Timestamp(
            localise(value, tz), OFFSET_STORED if value.tzinfo is not None else OFFSET_ASSUMED
        )
    if isinstance(value, date):
        return _assumed(build(value.year, value.month, value.day, tz=tz))
    if isinstance(value, int | float):
        return _from_number(float(value), tz)
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(value, str):
        return _from_text(value, tz)
    return None


def parse_timestamp(value: object, tz: str | tzinfo | None = None) -> datetime | None:
    """An aware datetime for any supported representation, or None if not understood.

    Empty values are None too; callers that must tell "empty" from "unreadable"
    check :func:`is_blank` first.
    """
    read = read_timestamp(value, tz)
    return read.at if read is not None else None


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in {"", "-", "—", "null", "NULL", "None", "无", "N/A", "n/a"}
    if isinstance(value, bytes):
        return len(value) == 0
    return False
