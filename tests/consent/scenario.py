"""A venue's persons and consent log with a known true status for every person.

One scenario, written out as every log format the loader reads (CSV with
Chinese headers in UTF-8-BOM or GB18030, XLSX, JSON, SQLite), so each format
must reproduce exactly the same statuses. As-of 2024-06-30, retention 30 days,
allowed purpose 安防 (the defaults plus a fixed date).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from venue_audit.consent import ConsentPolicy, PersonFacts

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = date(2024, 6, 30)
POLICY = ConsentPolicy(retention_days=30).with_as_of(AS_OF)


def at(text: str) -> datetime:
    """A Shanghai wall-clock time, ``2024-06-10 09:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@dataclass
class Row:
    """A consent row in canonical terms; writers render it per format."""

    visitor_id: str | None = None
    phone: str | None = None
    phone_hash: str | None = None
    signed: datetime | str | None = None
    withdrawn: datetime | str | None = None
    purpose: str = "安防"
    name: str = "访客"


@dataclass
class Planted:
    facts: PersonFacts
    status: str
    flags: set[str] = field(default_factory=set)


def planted_persons() -> list[Planted]:
    def person(pid: str, keys: dict[str, set[str]], *captures: str) -> PersonFacts:
        return PersonFacts(pid, keys, [at(c) for c in captures])

    return [
        Planted(person("P01", {"visitor_id": {"V001"}}, "2024-06-10 10:00", "2024-06-20 11:00"),
                "consented"),
        Planted(person("P02", {"phone": {"13800000002"}}, "2024-06-25 15:00"), "consented"),
        Planted(person("P03", {"phone": {"13800000003"}}, "2024-06-29 09:30"), "consented"),
        Planted(person("P04", {"phone": {"13800000004"}}, "2024-06-28 09:30"), "consented"),
        Planted(person("P05", {"visitor_id": {"V005"}}, "2024-06-01 12:00"), "no_consent"),
        Planted(person("P06", {"visitor_id": {"V006"}}, "2024-06-02 12:00"), "no_consent"),
        Planted(person("P07", {"visitor_id": {"V007"}}, "2024-06-03 12:00"), "no_consent"),
        Planted(person("P08", {"visitor_id": {"V008"}}, "2024-06-15 12:00"),
                "withdrawn_retained"),
        Planted(person("P09", {"visitor_id": {"V009"}}, "2024-01-01 12:00"),
                "withdrawn_retained"),
        Planted(person("P10", {"visitor_id": {"V010"}}, "2024-05-30 12:00", "2024-06-20 12:00"),
                "expired_retained"),
        Planted(person("P11", {"visitor_id": {"V011"}}, "2024-05-31 23:00"), "consented"),
        Planted(person("P12", {"visitor_id": {"V012"}}, "2024-06-10 09:00"), "consented",
                {"captured_before_consent"}),
        Planted(person("P13", {"visitor_id": {"V013"}}, "2024-06-11 09:00"), "consented",
                {"purpose_mismatch"}),
        Planted(person("P14", {"visitor_id": {"V014"}}, "2024-06-12 09:00"), "consented"),
        Planted(person("P15", {"visitor_id": {"V015"}}, "2024-06-13 09:00"), "consented"),
        Planted(person("P16", {"visitor_id": {"V016"}}, "2024-04-01 09:00"), "expired_retained",
                {"captured_before_consent", "purpose_mismatch"}),
    ]


def consent_rows() -> list[Row]:
    return [
        Row("V001", signed=at("2024-05-01 10:00")),
        Row(None, phone="+86 138-0000-0002", signed=at("2024-05-02 10:00")),
        Row(None, phone_hash=sha256("13800000003"), signed=at("2024-05-03 10:00")),
        Row(None, phone_hash=md5("13800000004"), signed=at("2024-05-04 10:00")),
        # P05 has no row at all.
        Row("V006", signed="3/15"),  # unreadable: not a valid consent
        Row("V007", signed=at("2024-07-05 10:00")),  # signed after the as-of date
        Row("V008", signed=at("2024-04-01 10:00"), withdrawn=at("2024-05-01 10:00")),
        Row("V009", signed=at("2023-12-01 10:00"), withdrawn=at("2024-02-01 10:00")),
        Row("V010", signed=at("2024-01-01 10:00")),
        Row("V011", signed=at("2024-01-01 10:00")),
        Row("V012", signed=at("2024-06-10 10:00")),
        Row("V013", signed=at("2024-01-01 10:00"), purpose="安防、客户分析"),
        Row("V014", signed=at("2024-01-01 10:00"), withdrawn=at("2024-07-02 10:00")),
        Row("V015", signed=at("2024-01-01 10:00"), withdrawn=at("2024-03-01 10:00")),
        Row("V015", signed=at("2024-03-05 10:00")),
        Row("V016", signed=at("2024-05-01 10:00"), purpose="佣金结算"),
        Row("V999", signed=at("2024-01-01 10:00")),  # a consent with no person
    ]


EXPECTED_UNLINKED = 1  # V999
EXPECTED_PROBLEM_ROWS = 1  # V006's unreadable signed time


def expected_by_status() -> dict[str, int]:
    counts = Counter(p.status for p in planted_persons())
    return {s: counts.get(s, 0) for s in
            ("no_consent", "withdrawn_retained", "expired_retained", "consented")}


# --- writers -------------------------------------------------------------------------------------

ZH = {"visitor_id": "访客编号", "name": "姓名", "phone": "手机号", "phone_hash": "手机号哈希",
      "signed": "签署时间", "withdrawn": "撤回时间", "purpose": "用途"}
EN = {"visitor_id": "visitor_id", "name": "name", "phone": "phone", "phone_hash": "phone_sha256",
      "signed": "signed_at", "withdrawn": "withdrawn_at", "purpose": "purpose"}

# Chinese-style renderings, rotated through the rows so every one is exercised.
_ZH_STYLES = (
    lambda d: d.strftime("%Y-%m-%d %H:%M:%S"),
    lambda d: f"{d.year}年{d.month}月{d.day}日 {d.hour}时{d.minute}分",
    lambda d: f"{d.year}/{d.month}/{d.day} {d.hour}:{d.minute:02d}",
    lambda d: d.strftime("%Y%m%d%H%M%S"),
)


def _cell(value: datetime | str | None, style: int) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _ZH_STYLES[style % len(_ZH_STYLES)](value)


def _table(headers: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    order = ["visitor_id", "name", "phone", "phone_hash", "signed", "withdrawn", "purpose"]
    rows = []
    for i, row in enumerate(consent_rows()):
        rows.append([
            row.visitor_id or "", row.name, row.phone or "", row.phone_hash or "",
            _cell(row.signed, i), _cell(row.withdrawn, i + 1), row.purpose,
        ])
    return [headers[k] for k in order], rows


def write_csv(folder: Path, encoding: str = "utf-8-sig", title_row: bool = True) -> Path:
    header, rows = _table(ZH)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if title_row:
        writer.writerow(["某售楼处人脸识别授权登记表"])
    writer.writerow(header)
    writer.writerows(rows)
    path = folder / f"consent-{encoding}.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(folder: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["本表由系统导出"])
    sheet = book.create_sheet("授权记录")
    header, _ = _table(ZH)
    sheet.append(header)
    for i, row in enumerate(consent_rows()):
        signed: object = row.signed
        if isinstance(signed, datetime):
            naive = signed.replace(tzinfo=None)
            # Alternate real date cells, Excel day serials and text.
            if i % 3 == 0:
                signed = naive
            elif i % 3 == 1:
                delta = naive - datetime(1899, 12, 30)
                signed = delta.days + delta.seconds / 86400
            else:
                signed = naive.strftime("%Y/%m/%d %H:%M")
        withdrawn: object = ""
        if isinstance(row.withdrawn, datetime):
            withdrawn = row.withdrawn.replace(tzinfo=None)
        phone: object = row.phone or ""
        if i == 1:  # a number typed into a cell becomes a float
            phone = 13800000002.0
        sheet.append([row.visitor_id or "", row.name, phone, row.phone_hash or "",
                      signed, withdrawn, row.purpose])
    path = folder / "consent.xlsx"
    book.save(path)
    return path


def write_json(folder: Path) -> Path:
    records = []
    for i, row in enumerate(consent_rows()):
        def iso(value: datetime | str | None, utc: bool) -> str | None:
            if not isinstance(value, datetime):
                return value
            if utc:
                return value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
            return value.isoformat()

        records.append({
            "visitorId": row.visitor_id, "name": row.name, "mobile": row.phone,
            "phone_hash": row.phone_hash, "consent_time": iso(row.signed, i % 2 == 0),
            "revoked_at": iso(row.withdrawn, i % 2 == 1), "purposes": row.purpose,
        })
    path = folder / "consent.json"
    path.write_text(json.dumps({"exported": "2024-07-01", "records": records}, ensure_ascii=False))
    return path


def write_sqlite(folder: Path) -> Path:
    path = folder / "consent.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE cameras (id INTEGER PRIMARY KEY, name TEXT, ip TEXT)")
    connection.execute("INSERT INTO cameras VALUES (1, 'CH01', '10.0.0.5')")
    header, _ = _table(EN)
    connection.execute(
        "CREATE TABLE consent_log (id INTEGER PRIMARY KEY, "
        + ", ".join(f'"{h}"' for h in header) + ")"
    )
    for i, row in enumerate(consent_rows()):
        def stamp(value: datetime | str | None, as_ms: bool) -> object:
            if not isinstance(value, datetime):
                return value
            return int(value.timestamp() * 1000) if as_ms else value.strftime("%Y-%m-%d %H:%M:%S")

        connection.execute(
            f"INSERT INTO consent_log ({', '.join(repr(h) for h in header)}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row.visitor_id, row.name, row.phone, row.phone_hash,
             stamp(row.signed, i % 2 == 0), stamp(row.withdrawn, i % 2 == 0), row.purpose),
        )
    connection.commit()
    connection.close()
    return path
